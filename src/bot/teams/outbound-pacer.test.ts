import { describe, expect, it } from "vitest";
import { OutboundPacer, retryAfterMs } from "./outbound-pacer.ts";

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

const throttled = (retryAfter?: string) =>
  Object.assign(new Error("Too many requests"), {
    statusCode: 429,
    response: { headers: { get: (name: string) => (name === "retry-after" ? retryAfter : undefined) } },
  });

describe("OutboundPacer", () => {
  it("spaces sends in one conversation at 7 a second and leaves other conversations alone", async () => {
    const c = clock();
    const pacer = new OutboundPacer({ now: c.now, sleep: c.sleep });
    const at: number[] = [];
    for (let i = 0; i < 8; i++) await pacer.run("a", async () => at.push(c.now()));
    expect(at[7]! - at[0]!).toBeGreaterThanOrEqual(1000);
    const other: number[] = [];
    await pacer.run("b", async () => other.push(c.now()));
    expect(c.sleeps.length).toBe(7);
    expect(other).toHaveLength(1);
  });

  it("waits as long as Retry-After says, then retries", async () => {
    const c = clock();
    const waits: number[] = [];
    const pacer = new OutboundPacer({ now: c.now, sleep: c.sleep, onRetry: (i) => waits.push(i.waitMs) });
    let attempts = 0;
    const result = await pacer.run("a", async () => {
      attempts++;
      if (attempts < 3) throw throttled("2");
      return "sent";
    });
    expect(result).toBe("sent");
    expect(attempts).toBe(3);
    expect(waits).toEqual([2000, 2000]);
  });

  it("gives up after maxAttempts and does not retry errors that are not throttling", async () => {
    const c = clock();
    const pacer = new OutboundPacer({ now: c.now, sleep: c.sleep, maxAttempts: 2 });
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

  it("reads Retry-After as seconds or an HTTP date, from either header shape", () => {
    expect(retryAfterMs(throttled("3"), 0)).toBe(3000);
    expect(retryAfterMs({ response: { headers: { "retry-after": "1" } } }, 0)).toBe(1000);
    const now = Date.parse("2026-11-25T10:00:00Z");
    expect(retryAfterMs(throttled("Wed, 25 Nov 2026 10:00:05 GMT"), now)).toBe(5000);
    expect(retryAfterMs(new Error("x"), 0)).toBeUndefined();
  });
});
