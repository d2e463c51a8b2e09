/**
 * Where a task's progress lives: its event log, each step's state and the checkpoints actions keep.
 * The runner only speaks this interface, so a database-backed store (tasks claimed by workers, resumed
 * after a restart) plugs in without changing it; `MemoryTaskState` serves the CLI and the tests.
 */
export type StepStatus = "processing" | "completed" | "failed" | "skipped" | "cancelled";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface TaskEvent {
  at: Date;
  /** Absent for task-level events. */
  stepId?: string;
  type: "log" | "step" | "completion";
  level: LogLevel;
  /** Already redacted: secrets never reach the store. */
  message: string;
  /** For `step` events: the step's new status. For `completion`: the task's. */
  status?: StepStatus | TaskStatus;
}

export type TaskStatus = "completed" | "failed" | "cancelled";

export interface StepState {
  id: string;
  status: StepStatus;
  /** The step's outputs once completed (arrays for `each` steps), secrets redacted: what people see. */
  output?: Record<string, unknown>;
  /**
   * The outputs as later steps read them, when they differ from `output` because they hold values made
   * from secrets. A durable store seals it and drops it when the task ends.
   */
  context?: Record<string, unknown>;
  /** Why it failed or was skipped, in words. */
  reason?: string;
  /**
   * The workspace as the completed step left it (workspace-archive.ts), when the run keeps workspaces so
   * another process can resume after this step. Written with the state in one go; `steps()` leaves it out.
   */
  workspace?: Buffer;
}

export type CheckpointRecord = { status: "success"; value: unknown } | { status: "failed"; reason: string };

export interface TaskStateStore {
  /** Appends events in the order given (TaskLog passes the ones written while the last append ran). */
  appendEvents(taskId: string, events: TaskEvent[]): Promise<void>;
  events(taskId: string): Promise<TaskEvent[]>;
  saveStep(taskId: string, step: StepState): Promise<void>;
  steps(taskId: string): Promise<StepState[]>;
  /** `key` is unique within the task: `v1.task.checkpoint.<stepId>.<key>`, as Backstage names them. */
  getCheckpoint(taskId: string, key: string): Promise<CheckpointRecord | undefined>;
  saveCheckpoint(taskId: string, key: string, record: CheckpointRecord): Promise<void>;
  /** The workspace kept with a completed step's state, if it was kept. */
  workspace(taskId: string, stepId: string): Promise<Buffer | undefined>;
}

interface TaskRecord {
  events: TaskEvent[];
  steps: Map<string, StepState>;
  checkpoints: Map<string, CheckpointRecord>;
}

/** Keeps everything in memory, for one process. Values are copied in and out, as a database would. */
export class MemoryTaskState implements TaskStateStore {
  private readonly tasks = new Map<string, TaskRecord>();

  private task(taskId: string): TaskRecord {
    let record = this.tasks.get(taskId);
    if (!record) {
      record = { events: [], steps: new Map(), checkpoints: new Map() };
      this.tasks.set(taskId, record);
    }
    return record;
  }

  async appendEvents(taskId: string, events: TaskEvent[]): Promise<void> {
    this.task(taskId).events.push(...events.map((e) => ({ ...e })));
  }
  async events(taskId: string): Promise<TaskEvent[]> {
    return this.task(taskId).events.map((e) => ({ ...e }));
  }
  async saveStep(taskId: string, step: StepState): Promise<void> {
    this.task(taskId).steps.set(step.id, structuredClone(step));
  }
  async steps(taskId: string): Promise<StepState[]> {
    return [...this.task(taskId).steps.values()].map(({ workspace: _, ...s }) => structuredClone(s));
  }
  async workspace(taskId: string, stepId: string): Promise<Buffer | undefined> {
    const kept = this.task(taskId).steps.get(stepId)?.workspace;
    return kept ? Buffer.from(kept) : undefined;
  }
  async getCheckpoint(taskId: string, key: string): Promise<CheckpointRecord | undefined> {
    const record = this.task(taskId).checkpoints.get(key);
    return record ? structuredClone(record) : undefined;
  }
  async saveCheckpoint(taskId: string, key: string, record: CheckpointRecord): Promise<void> {
    this.task(taskId).checkpoints.set(key, structuredClone(record));
  }
}
