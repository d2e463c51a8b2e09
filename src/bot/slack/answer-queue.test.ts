import { describe, expect, it } from "vitest";
import { AnswerQueue } from "./answer-queue.ts";

describe("AnswerQueue", () => {
  it("runs every job once, in order, and reports failures without stopping", async () => {
    const errors: unknown[] = [];
    const queue = new AnswerQueue((error) => errors.push(error));
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) {
      queue.run(async () => {
        if (i === 2) throw new Error("job 2 failed");
        ran.push(i);
      });
    }
    queue.run(() => {
      throw new Error("synchronous throw");
    });
    expect(ran).toEqual([]); // nothing runs in the caller's turn
    await queue.drain();
    expect(ran).toEqual([0, 1, 3, 4]);
    expect(errors.map((e) => (e as Error).message)).toEqual(["job 2 failed", "synchronous throw"]);
    expect(queue.pending).toBe(0);
  });

  it("gives the event loop a turn between two jobs, so waiting requests are acked first", async () => {
    const order: string[] = [];
    const queue = new AnswerQueue(() => undefined);
    const busy = (label: string, then?: () => void) => async () => {
      order.push(label);
      then?.();
      // CPU-bound answer work, long enough that a 1 ms timer set above is due when it ends.
      const until = Date.now() + 5;
      while (Date.now() < until) {
        /* spin */
      }
    };
    // Stands in for a request that became readable while job 1 ran: it must not wait for jobs 2 and 3.
    queue.run(busy("job 1", () => setTimeout(() => order.push("waiting request"), 1)));
    queue.run(busy("job 2"));
    queue.run(busy("job 3"));
    await queue.drain();
    expect(order).toEqual(["job 1", "waiting request", "job 2", "job 3"]);
  });
});
