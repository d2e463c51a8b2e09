import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerPool } from "./worker-pool.ts";

const probe = fileURLToPath(new URL("../../test/fixtures/workers/probe-worker.mjs", import.meta.url));

interface ProbeRequest {
  id: number;
  op: "echo" | "hold" | "crash" | "silent";
  value?: string;
  gate?: Int32Array;
}
interface ProbeReply {
  id: number;
  thread: number;
  echo?: string;
}

/** A gate a "hold" request waits on in its worker until the test opens it (no timers involved). */
function gate(): { gate: Int32Array; open: () => void } {
  const cells = new Int32Array(new SharedArrayBuffer(4));
  return {
    gate: cells,
    open: () => {
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);
    },
  };
}

const pools: Array<WorkerPool<ProbeRequest, ProbeReply>> = [];
function pool(size: number): WorkerPool<ProbeRequest, ProbeReply> {
  const made = new WorkerPool<ProbeRequest, ProbeReply>(probe, "probe worker", size);
  pools.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("WorkerPool", () => {
  it("sends each request to a worker and resolves with the reply to that request", async () => {
    const workers = pool(2);
    const replies = await Promise.all(
      ["a", "b", "c", "d", "e"].map((value) => workers.request({ op: "echo", value })),
    );
    expect(replies.map((r) => r.echo)).toEqual(["a", "b", "c", "d", "e"]);
    // No more threads than the size allows.
    expect(new Set(replies.map((r) => r.thread)).size).toBeLessThanOrEqual(2);
  });

  it("sends a request to the least-busy worker", async () => {
    const workers = pool(2);
    const held = gate();
    const busy = workers.request({ op: "hold", gate: held.gate });
    const first = await workers.request({ op: "echo", value: "1" });
    // The first worker still holds a request; the second is idle, so it gets the next one.
    const second = await workers.request({ op: "echo", value: "2" });
    expect(second.thread).toBe(first.thread);
    held.open();
    const released = await busy;
    expect(released.thread).not.toBe(first.thread);
  });

  it("a crashed worker rejects only its own requests, and the pool goes on", async () => {
    const workers = pool(2);
    const held = gate();
    const survivor = workers.request({ op: "hold", gate: held.gate });
    await expect(workers.request({ op: "crash" })).rejects.toThrow("probe worker exited with code 3");
    held.open();
    expect((await survivor).id).toBeTypeOf("number");
    const after = await Promise.all([
      workers.request({ op: "echo", value: "x" }),
      workers.request({ op: "echo", value: "y" }),
    ]);
    expect(after.map((r) => r.echo)).toEqual(["x", "y"]);
  });

  it("close terminates the workers, rejects what they still owed, and a later request starts afresh", async () => {
    const workers = pool(1);
    const before = await workers.request({ op: "echo", value: "before" });
    const owed = workers.request({ op: "silent" });
    await workers.close();
    await expect(owed).rejects.toThrow(/probe worker exited with code/);
    const after = await workers.request({ op: "echo", value: "after" });
    expect(after.echo).toBe("after");
    expect(after.thread).not.toBe(before.thread);
  });
});
