import type { ActionLogger } from "../actions/action.ts";
import type { Redactor } from "./redact.ts";
import type { LogLevel, StepStatus, TaskEvent, TaskStateStore, TaskStatus } from "./task-state.ts";

/** A log line as the report shows it. */
export interface LogLine {
  level: LogLevel;
  message: string;
  stepId?: string;
  /** `status`: a step began, ended or was skipped; `input`: the rendered input, which reports show anyway. */
  kind?: "status" | "input";
}

const MAX_LINE = 16 * 1024;

/**
 * The task's event log. Every message is redacted before it is kept or stored; store writes are chained
 * so events keep their order, and `flush` waits for them (a step is only reported done once its log is).
 */
export class TaskLog {
  readonly lines: LogLine[] = [];
  private pending: Promise<void> = Promise.resolve();
  /** Events written since the last store write started; the next write takes them all, in order. */
  private readonly queued: TaskEvent[] = [];
  private failure: unknown;

  constructor(
    private readonly taskId: string,
    private readonly store: TaskStateStore,
    private readonly redactor: Redactor,
    private readonly onLine?: (line: LogLine) => void,
  ) {}

  write(level: LogLevel, message: string, stepId?: string, kind?: LogLine["kind"]): void {
    const text = clip(this.redactor.text(message));
    const line: LogLine = { level, message: text, ...(stepId ? { stepId } : {}), ...(kind ? { kind } : {}) };
    this.lines.push(line);
    this.onLine?.(line);
    this.append({ at: new Date(), type: "log", level, message: text, ...(stepId ? { stepId } : {}) });
  }

  step(stepId: string, status: StepStatus, message: string): void {
    const text = clip(this.redactor.text(message));
    const level: LogLevel = status === "failed" ? "error" : "info";
    const line: LogLine = { level, message: text, stepId, kind: "status" };
    this.lines.push(line);
    this.onLine?.(line);
    this.append({ at: new Date(), type: "step", level, message: text, stepId, status });
  }

  completion(status: TaskStatus, message: string): void {
    const text = clip(this.redactor.text(message));
    this.append({
      at: new Date(),
      type: "completion",
      level: status === "completed" ? "info" : "error",
      message: text,
      status,
    });
  }

  /** An ActionLogger for one step. */
  forStep(stepId: string): ActionLogger {
    return {
      debug: (m) => this.write("debug", String(m), stepId),
      info: (m) => this.write("info", String(m), stepId),
      warn: (m) => this.write("warn", String(m), stepId),
      error: (m) => this.write("error", String(m), stepId),
    };
  }

  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      throw new Error(
        `Could not record the task's progress: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  private append(event: TaskEvent): void {
    this.queued.push(event);
    if (this.queued.length > 1) return; // a write is already on its way and takes this one too
    this.pending = this.pending.then(async () => {
      const batch = this.queued.splice(0);
      try {
        await this.store.appendEvents(this.taskId, batch);
      } catch (error) {
        this.failure ??= error;
      }
    });
  }
}

function clip(text: string): string {
  return text.length > MAX_LINE
    ? `${text.slice(0, MAX_LINE)}… (${text.length - MAX_LINE} more characters)`
    : text;
}
