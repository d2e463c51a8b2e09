import { performance } from "node:perf_hooks";
import type { Logger } from "pino";

/** Below Docker's 10 s between SIGTERM and SIGKILL, so the deadline's log line is written before the kill. */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/**
 * One Ctrl-C reaches the process several times: the terminal signals the whole process group and npm
 * forwards its own copy to the app. Copies that arrive this close together are one request to stop.
 */
export const REPEAT_WINDOW_MS = 1_000;

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The Unix convention for "ended by signal N": 128 + N. */
const FORCED_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface StopSignalOptions {
  log: Logger;
  deadlineMs?: number;
  repeatWindowMs?: number;
  /** Tests replace these; the process exits through `exit` only when a clean stop is impossible. */
  exit?: (code: number) => void;
  now?: () => number;
  signals?: Pick<NodeJS.EventEmitter, "on" | "off">;
}

export interface StopRequest {
  /** Resolves with the first SIGINT or SIGTERM, or the reason given to request(). */
  requested: Promise<string>;
  /** Ask for the same clean stop a signal starts (a fatal error the process should not run on after). */
  request(reason: string): void;
  /** Stop listening and cancel the deadline (tests). */
  dispose(): void;
}

/**
 * Turns SIGINT and SIGTERM into a request to stop cleanly. From the first signal the caller has
 * `deadlineMs` to finish answers in flight and close its stores; then the process exits anyway (code 1).
 * A second signal, after the copies of the first, exits at once.
 */
export function listenForStop(options: StopSignalOptions): StopRequest {
  const { log } = options;
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const repeatWindowMs = options.repeatWindowMs ?? REPEAT_WINDOW_MS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? (() => performance.now());
  const signals = options.signals ?? process;
  let firstAt: number | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let resolve!: (reason: string) => void;
  const requested = new Promise<string>((r) => (resolve = r));

  const begin = (reason: string) => {
    firstAt = now();
    log.info(
      { reason, deadlineSeconds: deadlineMs / 1000 },
      "stopping: finishing answers in flight, then closing the database and search index",
    );
    deadline = setTimeout(() => {
      log.error(
        { deadlineSeconds: deadlineMs / 1000 },
        "did not stop within the deadline; exiting without finishing",
      );
      exit(1);
    }, deadlineMs);
    // The deadline must not itself keep alive a process that has finished stopping.
    deadline.unref();
    resolve(reason);
  };

  const onSignal = (signal: StopSignal) => {
    if (firstAt === undefined) return begin(signal);
    if (now() - firstAt < repeatWindowMs) return;
    log.warn({ signal }, "second signal: exiting at once");
    exit(FORCED_EXIT_CODE[signal]);
  };
  for (const signal of STOP_SIGNALS) signals.on(signal, onSignal);
  return {
    requested,
    request: (reason) => {
      if (firstAt === undefined) begin(reason);
    },
    dispose: () => {
      for (const signal of STOP_SIGNALS) signals.off(signal, onSignal);
      if (deadline) clearTimeout(deadline);
    },
  };
}
