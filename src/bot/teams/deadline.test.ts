import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Deadline } from "./deadline.ts";

describe("Deadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const never = () => new Promise<string>(() => {});

  it("gives the work's result when it comes in time, and its error", async () => {
    const deadline = Deadline.after(1000);
    await expect(deadline.race(Promise.resolve("hit"), "late")).resolves.toBe("hit");
    await expect(deadline.race(Promise.reject(new Error("boom")), "late")).rejects.toThrow("boom");
  });

  it("is one limit for every step: time one step used up is gone for the next", async () => {
    const deadline = Deadline.after(1000);
    const first = deadline.race(never(), "first too late");
    await vi.advanceTimersByTimeAsync(1000);
    await expect(first).resolves.toBe("first too late");
    // No second budget: the next step is answered at once, without waiting for its work.
    await expect(deadline.race(never(), "second too late")).resolves.toBe("second too late");
  });

  it("hands a failure that comes after the deadline to onLateError instead of leaving it unhandled", async () => {
    const late: unknown[] = [];
    let fail: (error: Error) => void = () => {};
    const work = new Promise<string>((_, reject) => (fail = reject));
    const answer = Deadline.after(100).race(work, "fallback", (error) => late.push(error));
    await vi.advanceTimersByTimeAsync(100);
    await expect(answer).resolves.toBe("fallback");
    fail(new Error("roster down"));
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toEqual([new Error("roster down")]);
  });

  it("shares out part of what is left, never past the whole", async () => {
    const deadline = Deadline.after(1000);
    await vi.advanceTimersByTimeAsync(200);
    const share = deadline.share(0.5);
    expect(share.remainingMs).toBe(400);
    await vi.advanceTimersByTimeAsync(400);
    expect(share.passed).toBe(true);
    expect(deadline.remainingMs).toBe(400);
  });
});
