import { describe, expect, it } from "vitest";
import { teamsPacer, teamsRetryAdvice } from "./teams-pacing.ts";

/** A fake clock: sleeping advances time, so pacing is checked without waiting or reading the wall clock. */
function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const throttled = (retryAfter?: string, statusCode = 429) =>
  Object.assign(new Error("Too many requests"), {
    statusCode,
    response: { headers: { get: (name: string) => (name === "retry-after" ? retryAfter : undefined) } },
  });

describe("Teams pacing", () => {
  it("keeps one conversation within 7 a second, 8 in 2 s and 60 in 30 s, and leaves others alone", async () => {
    const c = clock();
    const pacer = teamsPacer({ now: c.now, sleep: c.sleep });
    const at: number[] = [];
    await Promise.all(Array.from({ length: 70 }, () => pacer.run("a", async () => void at.push(c.now()))));
    const within = (i: number, ms: number) => at.filter((t) => t >= at[i]! && t < at[i]! + ms).length;
    for (let i = 0; i < at.length; i++) {
      expect(within(i, 1000)).toBeLessThanOrEqual(7);
      expect(within(i, 2000)).toBeLessThanOrEqual(8);
      expect(within(i, 30_000)).toBeLessThanOrEqual(60);
    }
    const before = c.sleeps.length;
    const other: number[] = [];
    await pacer.run("b", async () => void other.push(c.now()));
    expect(c.sleeps.length).toBe(before);
    expect(other).toHaveLength(1);
  });

  it("waits as long as Retry-After says, then retries; 412, 502 and 504 are retried too", async () => {
    const c = clock();
    const waits: number[] = [];
    const pacer = teamsPacer({ now: c.now, sleep: c.sleep, onRetry: (i) => waits.push(i.waitMs) });
    let attempts = 0;
    const result = await pacer.run("a", async () => {
      attempts++;
      if (attempts < 3) throw throttled("2");
      return "sent";
    });
    expect(result).toBe("sent");
    expect(attempts).toBe(3);
    expect(waits).toEqual([2000, 2000]);
    for (const status of [412, 502, 504])
      expect(teamsRetryAdvice(throttled("1", status))?.status).toBe(status);
  });

  it("gives up after maxAttempts and does not retry errors that are not throttling", async () => {
    const c = clock();
    const pacer = teamsPacer({ now: c.now, sleep: c.sleep, maxAttempts: 2 });
    await expect(pacer.run("a", async () => Promise.reject(throttled("0")))).rejects.toThrow(
      "Too many requests",
    );
    let attempts = 0;
    const bad = Object.assign(new Error("Bad request"), { statusCode: 400 });
    await expect(
      pacer.run("a", async () => {
        attempts++;
        throw bad;
      }),
    ).rejects.toThrow("Bad request");
    expect(attempts).toBe(1);
  });

  it("reads Retry-After from either header shape", () => {
    expect(teamsRetryAdvice(throttled("3"))).toEqual({ status: 429, retryAfterMs: 3000 });
    expect(teamsRetryAdvice({ statusCode: 429, response: { headers: { "retry-after": "1" } } })).toEqual({
      status: 429,
      retryAfterMs: 1000,
    });
    // HTTP dates are read by parseRetryAfter (pacer.test.ts).
    expect(teamsRetryAdvice({ statusCode: 502, response: { headers: { "Retry-After": "4" } } })).toEqual({
      status: 502,
      retryAfterMs: 4000,
    });
    expect(teamsRetryAdvice(throttled(undefined))).toEqual({ status: 429 });
    expect(teamsRetryAdvice(new Error("x"))).toBeUndefined();
  });
});
