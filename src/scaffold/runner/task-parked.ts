import { TaskInterruptedError } from "./step-timeout.ts";

/**
 * A step cannot go on until something outside the task happens (a person approves it): the run stops like an
 * interrupted one, leaving the step to run again, and a durable task is parked: no worker holds it until it is
 * woken (`TaskStore.wake`) or `wakeAt` passes, then any worker resumes it and the step runs again, this time
 * finding what it waited for (or that its time ran out). Runs without a durable store cannot park: for them
 * this is an interruption.
 */
export class TaskParkedError extends TaskInterruptedError {
  override name = "TaskParkedError";

  constructor(
    message: string,
    /** When the task should run again even if nobody wakes it (a deadline); null: only when woken. */
    readonly wakeAt: Date | null,
  ) {
    super(message);
  }
}
