/**
 * Background jobs: work a plugin runs while Callboard serves (a catalog refresh, a task worker, a webhook
 * queue). The composition root starts them once serving and, at shutdown, aborts their signal and waits for
 * them, so a job half way through its work finishes the step it is on rather than being cut off.
 */
import type { Logger } from "pino";
import type { Outbox } from "./outbox.ts";

export interface JobContext {
  /** Aborted at shutdown: stop at the next safe point (between locations, between tasks). */
  signal: AbortSignal;
  /** The job's logger (lines carry its id). */
  log: Logger;
  outbox: Outbox;
}

/** A job that runs as long as it likes: `start` may return a promise that settles when it has stopped. */
export interface LongJob {
  id: string;
  start(ctx: JobContext): void | Promise<void>;
  /** Called at shutdown after the signal is aborted; shutdown waits for it and for `start`'s promise. */
  stop?(): void | Promise<void>;
}

/**
 * A job that runs every `intervalSeconds`. A run never overlaps the one before (a tick while it runs is
 * skipped); a run that fails is logged and the next tick runs as usual.
 */
export interface IntervalJob {
  id: string;
  /** 0 or less: no schedule (with runAtStart, one run at start). */
  intervalSeconds: number;
  /** Run once as soon as jobs start, rather than one interval later. */
  runAtStart?: boolean;
  run(ctx: JobContext): void | Promise<void>;
}

export type Job = LongJob | IntervalJob;

/** A job and the plugin that registered it. */
export interface OwnedJob {
  job: Job;
  owner: string;
}

export interface RunningJobs {
  /** Abort every job's signal, then wait for each to finish what it was doing; never rejects. */
  stop(): Promise<void>;
}

/** Start every job; a job that throws or rejects is logged and the others run on. */
export function startJobs(jobs: Iterable<OwnedJob>, deps: { log: Logger; outbox: Outbox }): RunningJobs {
  const controller = new AbortController();
  const stoppers = [...jobs].map(({ job, owner }) => {
    const log = deps.log.child({ job: job.id, plugin: owner });
    const ctx: JobContext = { signal: controller.signal, log, outbox: deps.outbox };
    return "run" in job ? scheduleInterval(job, ctx) : startLong(job, ctx);
  });
  return {
    stop: async () => {
      controller.abort();
      await Promise.all(stoppers.map((stop) => stop()));
    },
  };
}

function startLong(job: LongJob, ctx: JobContext): () => Promise<void> {
  let running: Promise<void>;
  try {
    running = Promise.resolve(job.start(ctx)).catch((error: unknown) => {
      ctx.log.error({ err: error }, "job failed");
    });
  } catch (error) {
    ctx.log.error({ err: error }, "job failed");
    running = Promise.resolve();
  }
  return async () => {
    try {
      await job.stop?.();
    } catch (error) {
      ctx.log.error({ err: error }, "job failed to stop");
    }
    await running;
  };
}

/**
 * Run `job` on its schedule until `ctx.signal` is aborted; the function returned stops the schedule and
 * waits for a run under way. For a job that keeps several schedules of its own (one per catalog provider).
 */
export function scheduleInterval(job: IntervalJob, ctx: JobContext): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (ctx.signal.aborted) return;
    if (running) {
      ctx.log.debug("still running; this turn is skipped");
      return;
    }
    running = (async () => {
      try {
        await job.run(ctx);
      } catch (error) {
        ctx.log.error({ err: error }, "job failed");
      } finally {
        running = undefined;
      }
    })();
  };
  let timer: NodeJS.Timeout | undefined;
  if (job.intervalSeconds > 0) {
    timer = setInterval(tick, job.intervalSeconds * 1000);
    // A schedule alone must not keep the process alive.
    timer.unref();
  }
  if (job.runAtStart) tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
