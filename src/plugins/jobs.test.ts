import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Outbox } from "./outbox.ts";
import { startJobs, type JobContext } from "./jobs.ts";

const outbox: Outbox = { post: vi.fn(), update: vi.fn() };

function recordingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("interval jobs", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("run on their interval, never overlapping themselves, and a failure never ends the loop", async () => {
    const { log, lines } = recordingLog();
    let runs = 0;
    let active = 0;
    let most = 0;
    const slow = gate();
    const jobs = startJobs(
      [
        {
          owner: "test",
          job: {
            id: "tick",
            intervalSeconds: 10,
            run: async () => {
              runs++;
              active++;
              most = Math.max(most, active);
              try {
                if (runs === 1) throw new Error("first run fails");
                if (runs === 2) await slow.opened;
              } finally {
                active--;
              }
            },
          },
        },
      ],
      { log, outbox },
    );
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(lines.find((l) => l.msg === "job failed")).toMatchObject({
      job: "tick",
      plugin: "test",
      level: 50,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
    // The second run is still going: two more ticks pass it by.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(runs).toBe(2);
    slow.open();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(3);
    expect(most).toBe(1);
    await jobs.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(3);
  });

  it("run at start when asked, and not at all with no interval", async () => {
    const { log } = recordingLog();
    const ran: string[] = [];
    const jobs = startJobs(
      [
        {
          owner: "a",
          job: { id: "now", intervalSeconds: 0, runAtStart: true, run: () => void ran.push("now") },
        },
        { owner: "b", job: { id: "never", intervalSeconds: 0, run: () => void ran.push("never") } },
      ],
      { log, outbox },
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(ran).toEqual(["now"]);
    await jobs.stop();
  });

  it("stop aborts the signal and waits for the run under way", async () => {
    const { log } = recordingLog();
    const started = gate();
    let seen: JobContext | undefined;
    let finished = false;
    const jobs = startJobs(
      [
        {
          owner: "test",
          job: {
            id: "steps",
            intervalSeconds: 0,
            runAtStart: true,
            run: async (ctx) => {
              seen = ctx;
              started.open();
              // Steps until told to stop, as a refresh does between locations.
              while (!ctx.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1_000));
              finished = true;
            },
          },
        },
      ],
      { log, outbox },
    );
    await started.opened;
    expect(seen?.outbox).toBe(outbox);
    const stopping = jobs.stop();
    expect(seen?.signal.aborted).toBe(true);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
    expect(finished).toBe(true);
  });
});

describe("long jobs", () => {
  it("start with the signal, and at stop are told, then awaited; one that fails leaves the others running", async () => {
    const { log, lines } = recordingLog();
    const events: string[] = [];
    const jobs = startJobs(
      [
        {
          owner: "worker",
          job: {
            id: "queue",
            start: (ctx) =>
              new Promise<void>((resolve) =>
                ctx.signal.addEventListener("abort", () => {
                  events.push("aborted");
                  setImmediate(() => {
                    events.push("drained");
                    resolve();
                  });
                }),
              ),
            stop: () => void events.push("stop"),
          },
        },
        {
          owner: "broken",
          job: {
            id: "explodes",
            start: () => {
              throw new Error("cannot start");
            },
          },
        },
      ],
      { log, outbox },
    );
    expect(lines.find((l) => l.msg === "job failed")).toMatchObject({ job: "explodes", plugin: "broken" });
    expect(events).toEqual([]);
    await jobs.stop();
    expect(events).toEqual(["aborted", "stop", "drained"]);
  });
});
