import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { ClaimedTask, TaskStore } from "../../state/scaffold-task-store.ts";
import { TaskInterruptedError } from "../runner/step-timeout.ts";

/** The signals a running task is given: `signal` cancels it, `interrupt` stops it without ending it. */
export interface RunControl {
  signal: AbortSignal;
  interrupt: AbortSignal;
}

export interface TaskWorkerOptions {
  store: Pick<TaskStore, "claim" | "heartbeat" | "release">;
  /** Runs a claimed task to its end and records it; throws TaskInterruptedError when interrupted. */
  execute(task: ClaimedTask, control: RunControl): Promise<void>;
  /** Tasks this worker runs at once. */
  concurrency: number;
  heartbeatIntervalMs: number;
  /** A task whose heartbeat is older than this was abandoned; another worker resumes it. */
  heartbeatTimeoutMs: number;
  /** How often an idle worker looks for tasks (other processes' tasks; this one's wake it at once). Default 500 ms. */
  pollIntervalMs?: number;
  /** Claims of an abandoned task before it is failed instead of resumed. */
  maxAttempts?: number;
  /** The janitor, run every `housekeepingIntervalMs` (default: the heartbeat timeout). */
  housekeeping?: () => Promise<void>;
  housekeepingIntervalMs?: number;
  log: Logger;
  workerId?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * An idle worker looks for tasks this often. It also bounds how late an abandoned task is resumed: at most
 * this long after its heartbeat timeout.
 */
const DEFAULT_POLL_MS = 500;
/** The longest a worker waits between claim attempts while the database fails. */
const MAX_BACKOFF_MS = 30_000;

interface Running {
  task: ClaimedTask;
  cancel: AbortController;
  interrupt: AbortController;
  lastBeat: number;
  done: Promise<void>;
}

/**
 * Claims tasks from the database and runs them, up to `concurrency` at once, in any number of processes.
 * The claim loop never ends on an error: a failing database is logged and tried again with a growing pause
 * (the Backstage bug where one dropped connection silently stopped a worker claiming for good cannot happen
 * here: nothing the loop awaits can end it). A heartbeat keeps this worker's claims alive, carries cancel
 * requests to the running step, and stops a task whose claim was lost; the janitor runs beside it.
 */
export class TaskWorker {
  readonly id: string;
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private beating = false;
  /** Consecutive failed claims, for the back-off; exposed for tests and health checks. */
  claimFailures = 0;

  constructor(private readonly options: TaskWorkerOptions) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  get active(): number {
    return this.running.size;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.claimLoop();
    this.schedule(() => this.beat(), this.options.heartbeatIntervalMs);
    if (this.options.housekeeping) {
      const housekeeping = this.options.housekeeping;
      this.schedule(async () => {
        try {
          await housekeeping();
        } catch (error) {
          this.options.log.warn({ err: error }, "scaffolder janitor failed; it runs again shortly");
        }
      }, this.options.housekeepingIntervalMs ?? this.options.heartbeatTimeoutMs);
    }
  }

  /** Look for tasks now (one was just queued in this process). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming and hands the running tasks back: each is interrupted (its running step aborted) and
   * released, so another worker resumes it from its last completed step.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wake();
    for (const run of this.running.values())
      run.interrupt.abort(new TaskInterruptedError("Callboard is stopping."));
    await Promise.allSettled([...this.running.values()].map((run) => run.done));
    await this.loop;
    this.loop = undefined;
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.running.size >= this.options.concurrency) {
          await this.pause(this.options.pollIntervalMs ?? DEFAULT_POLL_MS);
          continue;
        }
        const now = Date.now();
        const task = await this.options.store.claim({
          workerId: this.id,
          token: randomUUID(),
          now: new Date(now),
          staleBefore: new Date(now - this.options.heartbeatTimeoutMs),
          maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        });
        if (this.claimFailures > 0) {
          this.options.log.info(
            { worker: this.id },
            "scaffolder tasks: the database answers again; claiming",
          );
        }
        this.claimFailures = 0;
        if (task) this.run(task);
        else await this.pause(this.options.pollIntervalMs ?? DEFAULT_POLL_MS);
      } catch (error) {
        this.claimFailures += 1;
        const wait = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.claimFailures - 1, 7));
        this.options.log.warn(
          { err: error, worker: this.id, failures: this.claimFailures },
          `scaffolder tasks: could not claim a task; trying again in ${wait} ms`,
        );
        await this.pause(wait);
      }
    }
  }

  private run(task: ClaimedTask): void {
    const cancel = new AbortController();
    const interrupt = new AbortController();
    const entry: Running = { task, cancel, interrupt, lastBeat: Date.now(), done: Promise.resolve() };
    if (task.cancelRequestedAt) cancel.abort();
    entry.done = this.options
      .execute(task, { signal: cancel.signal, interrupt: interrupt.signal })
      .catch(async (error: unknown) => {
        if (!(error instanceof TaskInterruptedError)) {
          this.options.log.error({ err: error, task: task.id }, "scaffolder task failed unexpectedly");
          return;
        }
        if (!this.stopping) {
          this.options.log.warn({ task: task.id, reason: error.message }, "scaffolder task interrupted");
          return;
        }
        // Stopping: hand it back now rather than make others wait for the heartbeat timeout.
        await this.options.store
          .release(task.id, task.claimToken, new Date())
          .catch((releaseError: unknown) => {
            this.options.log.warn(
              { err: releaseError, task: task.id },
              "could not release a task; it resumes after the heartbeat timeout",
            );
          });
      })
      .finally(() => {
        this.running.delete(task.id);
        this.wake();
      });
    this.running.set(task.id, entry);
  }

  /** Marks this worker's claims alive; carries cancel requests; stops runs whose claim is gone. */
  private async beat(): Promise<void> {
    if (this.beating || this.running.size === 0) return;
    this.beating = true;
    const runs = [...this.running.values()];
    const now = Date.now();
    try {
      const held = new Map(
        (
          await this.options.store.heartbeat(
            runs.map((run) => ({ id: run.task.id, token: run.task.claimToken })),
            new Date(now),
          )
        ).map((h) => [h.id, h]),
      );
      for (const run of runs) {
        const state = held.get(run.task.id);
        if (!state) {
          if (this.running.has(run.task.id)) {
            run.interrupt.abort(new TaskInterruptedError("Another worker took the task over."));
          }
          continue;
        }
        run.lastBeat = now;
        if (state.cancelRequested && !run.cancel.signal.aborted) run.cancel.abort();
      }
    } catch (error) {
      this.options.log.warn({ err: error, worker: this.id }, "scaffolder tasks: heartbeat failed");
      // Past this, another worker may take the task: stop before it can, so no step runs twice at once.
      const limit = this.options.heartbeatTimeoutMs - this.options.heartbeatIntervalMs;
      for (const run of runs) {
        if (now - run.lastBeat >= limit) {
          run.interrupt.abort(new TaskInterruptedError("Its heartbeat could not be recorded in time."));
        }
      }
    } finally {
      this.beating = false;
    }
  }

  /** Runs `work` every `ms` (after the previous run ended) until stop. */
  private schedule(work: () => Promise<void>, ms: number): void {
    const tick = () => {
      if (this.stopping) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void work().finally(tick);
      }, ms);
      this.timers.add(timer);
    };
    tick();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
