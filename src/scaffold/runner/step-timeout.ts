/** A step ran past its time limit; the message says how to allow more. */
export class StepTimeoutError extends Error {
  override name = "StepTimeoutError";
}

/** The task was cancelled while a step ran. */
export class TaskCancelledError extends Error {
  override name = "TaskCancelledError";
}

/**
 * The run stopped without the task ending: its worker is shutting down or lost its claim. The task is not
 * failed or cancelled; it resumes elsewhere from its stored state.
 */
export class TaskInterruptedError extends Error {
  override name = "TaskInterruptedError";
}

/**
 * Runs `work` until it settles, the step's time runs out, or the task is cancelled. The step's own signal
 * is aborted either way, so a well-behaved action stops; one that ignores it is no longer waited for.
 */
export async function runWithLimits<T>(
  work: (signal: AbortSignal) => Promise<T>,
  limits: { timeoutMs: number; taskSignal?: AbortSignal; describe: string },
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onCancel: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = Math.round(limits.timeoutMs / 100) / 10;
      const error = new StepTimeoutError(
        `${limits.describe} did not finish within ${seconds} s and was stopped. ` +
          "Raise CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS if it needs longer.",
      );
      controller.abort(error);
      reject(error);
    }, limits.timeoutMs);
    onCancel = () => {
      const error = new TaskCancelledError(`${limits.describe} was cancelled.`);
      controller.abort(error);
      reject(error);
    };
    if (limits.taskSignal?.aborted) onCancel();
    else limits.taskSignal?.addEventListener("abort", onCancel, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onCancel) limits.taskSignal?.removeEventListener("abort", onCancel);
  }
}
