import { EventEmitter } from "node:events";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listenForStop } from "./shutdown.ts";

/** The signals as a plain emitter and a clock the test moves, so nothing here depends on real time. */
function harness() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let clock = 0;
  const stop = listenForStop({
    log: pino({ level: "silent" }),
    deadlineMs: 8_000,
    repeatWindowMs: 1_000,
    exit: (code) => void exits.push(code),
    now: () => clock,
    signals,
  });
  return {
    stop,
    exits,
    send: (signal: "SIGINT" | "SIGTERM") => signals.emit(signal, signal),
    advance: (ms: number) => {
      clock += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

describe("listenForStop", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks for a clean stop on the first signal, and counts the copies npm and the terminal relay as one", async () => {
    const { stop, exits, send, advance } = harness();
    send("SIGINT");
    expect(await stop.requested).toBe("SIGINT");
    advance(5);
    send("SIGINT");
    advance(200);
    send("SIGINT");
    expect(exits).toEqual([]);
    stop.dispose();
  });

  it("exits at once, with the shell's code for the signal, on a second signal after the first's copies", () => {
    const { stop, exits, send, advance } = harness();
    send("SIGTERM");
    advance(1_500);
    send("SIGTERM");
    expect(exits).toEqual([143]);
    send("SIGINT");
    expect(exits).toEqual([143, 130]);
    stop.dispose();
  });

  it("exits with code 1 when the clean stop has not finished by the deadline", () => {
    const { stop, exits, send, advance } = harness();
    send("SIGTERM");
    advance(7_999);
    expect(exits).toEqual([]);
    advance(1);
    expect(exits).toEqual([1]);
    stop.dispose();
  });

  it("starts the same stop, once, when asked to by the process itself", async () => {
    const { stop, exits, send, advance } = harness();
    stop.request("uncaughtException");
    stop.request("uncaughtException");
    expect(await stop.requested).toBe("uncaughtException");
    send("SIGTERM");
    expect(exits).toEqual([]);
    advance(8_000);
    expect(exits).toEqual([1]);
    stop.dispose();
  });
});
