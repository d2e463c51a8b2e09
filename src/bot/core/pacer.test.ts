import { describe, expect, it } from "vitest";
import { Pacer, parseRetryAfter, type PacerOptions } from "./pacer.ts";

/** A clock that only moves when the pacer sleeps, so windows are checked exactly and instantly. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    get time() {
      return now;
    },
  };
}

class Throttled extends Error {
  constructor(readonly retryAfterMs?: number) {
    super("throttled");
  }
}

function pacer(options: Partial<PacerOptions> = {}) {
  const clock = fakeClock();
  const p = new Pacer({
    windows: [{ count: 1, ms: 1000 }],
    retryAdvice: (e) => (e instanceof Throttled ? { retryAfterMs: e.retryAfterMs, status: 429 } : undefined),
    now: clock.now,
    sleep: clock.sleep,
    ...options,
  });
  return { p, clock };
}

describe("Pacer", () => {
  it("runs one key's calls in order, spaced by its window", async () => {
    const { p, clock } = pacer();
    const starts: Array<[number, number]> = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        p.run("C1", async () => {
          starts.push([n, clock.time]);
        }),
      ),
    );
    expect(starts).toEqual([
      [1, 0],
      [2, 1000],
      [3, 2000],
      [4, 3000],
    ]);
  });

  it("keeps every window: 7 a second and 8 in two seconds, as Teams asks of one conversation", async () => {
    const { p, clock } = pacer({
      windows: [
        { count: 7, ms: 1000 },
        { count: 8, ms: 2000 },
      ],
    });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () => p.run("conv", async () => void starts.push(clock.time))),
    );
    expect(starts).toHaveLength(20);
    for (let i = 0; i < starts.length; i++) {
      expect(starts.filter((t) => t >= starts[i]! && t < starts[i]! + 1000).length).toBeLessThanOrEqual(7);
      expect(starts.filter((t) => t >= starts[i]! && t < starts[i]! + 2000).length).toBeLessThanOrEqual(8);
    }
    expect(starts.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("counts a window from when a call was answered, so a call slow on its way cannot crowd the next", async () => {
    const { p, clock } = pacer();
    const starts: number[] = [];
    const slowCall = async () => {
      starts.push(clock.time);
      await clock.sleep(300);
    };
    await Promise.all([p.run("C1", slowCall), p.run("C1", slowCall)]);
    // The platform may have counted the first call as late as 300: the second starts a window after that.
    expect(starts).toEqual([0, 1300]);
  });

  it("looks for idle lanes only as their number doubles, not on every new key", async () => {
    const clock = fakeClock();
    let clockReads = 0;
    const p = new Pacer({
      windows: [{ count: 1800, ms: 3_600_000 }],
      retryAdvice: () => undefined,
      now: () => {
        clockReads++;
        return clock.now();
      },
      sleep: clock.sleep,
    });
    const readsPerCall = async (from: number, to: number) => {
      const before = clockReads;
      for (let i = from; i < to; i++) await p.run(`conversation-${i}`, async () => undefined);
      return (clockReads - before) / (to - from);
    };
    const fewLanes = await readsPerCall(0, 900);
    // Past a thousand lanes, none of them idle within the hour: a sweep reads the clock once more.
    const manyLanes = await readsPerCall(900, 5000);
    expect(manyLanes).toBeLessThan(fewLanes + 0.01);
  });

  it("does not make one key wait for another", async () => {
    const { p, clock } = pacer();
    await p.run("A", async () => undefined);
    let startedB = -1;
    await p.run("B", async () => {
      startedB = clock.time;
    });
    expect(startedB).toBe(0);
  });

  it("waits the Retry-After a throttled call was given, retries it, and holds back the calls behind it", async () => {
    const { p, clock } = pacer({ windows: [] });
    let tries = 0;
    const order: string[] = [];
    const first = p.run("C1", async () => {
      tries++;
      if (tries === 1) throw new Throttled(5000);
      order.push(`first@${clock.time}`);
      return "sent";
    });
    const second = p.run("C1", async () => void order.push(`second@${clock.time}`));
    await expect(first).resolves.toBe("sent");
    await second;
    expect(order).toEqual(["first@5000", "second@5000"]);
  });

  it("gives up after maxAttempts and passes other errors straight through", async () => {
    const { p } = pacer({ windows: [], maxAttempts: 3 });
    let tries = 0;
    await expect(
      p.run("C1", async () => {
        tries++;
        throw new Throttled(10);
      }),
    ).rejects.toThrow("throttled");
    expect(tries).toBe(3);
    await expect(
      p.run("C2", async () => {
        throw new Error("channel_not_found");
      }),
    ).rejects.toThrow("channel_not_found");
  });

  it("caps a Retry-After at maxWaitMs", async () => {
    const { p, clock } = pacer({ windows: [], maxWaitMs: 2000 });
    let tries = 0;
    await p.run("C1", async () => {
      if (++tries === 1) throw new Throttled(3_600_000);
    });
    expect(clock.time).toBe(2000);
  });

  it("drains: resolves once every queued call has run, failures included", async () => {
    const { p } = pacer();
    const ran: number[] = [];
    void p.run("C1", async () => void ran.push(1));
    void p
      .run("C1", async () => {
        throw new Error("boom");
      })
      .catch(() => undefined);
    void p.run("C2", async () => void ran.push(3));
    await p.drain();
    expect(ran.sort()).toEqual([1, 3]);
    expect(p.busyKeys).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, and ignores anything else", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(2)).toBe(2000);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(5000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
