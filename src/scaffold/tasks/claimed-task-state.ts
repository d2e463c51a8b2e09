import type { StoredStep, TaskStore } from "../../state/scaffold-task-store.ts";
import type { SecretBox } from "../../state/secret-box.ts";
import { TaskInterruptedError } from "../runner/step-timeout.ts";
import type {
  CheckpointRecord,
  StepState,
  StepStatus,
  TaskEvent,
  TaskStateStore,
} from "../runner/task-state.ts";

/** Another worker holds the task now (this one's heartbeat stopped for too long): stop without writing. */
export class ClaimLostError extends TaskInterruptedError {
  override name = "ClaimLostError";
}

/**
 * The runner's state port for one claimed task, in the database. What may hold values made from secrets
 * (step outputs later steps read, workspaces, checkpoints) is sealed; every write carries the claim token,
 * and reading a checkpoint, which comes right before an action's outside effect, checks the claim too. A lost
 * claim throws ClaimLostError, which stops the run without touching the task.
 */
export class ClaimedTaskState implements TaskStateStore {
  constructor(
    private readonly store: TaskStore,
    private readonly token: string,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
    /** Told after a step's state is stored (it began, ended or was skipped): progress messages follow it. */
    private readonly onStep?: (taskId: string) => void,
  ) {}

  async appendEvents(taskId: string, events: TaskEvent[]): Promise<void> {
    await this.store.appendEvents(
      taskId,
      events.map((event) => ({
        at: event.at,
        stepId: event.stepId ?? null,
        type: event.type,
        level: event.level,
        message: event.message,
        status: event.status ?? null,
      })),
    );
  }

  async events(taskId: string): Promise<TaskEvent[]> {
    return (await this.store.events(taskId, { limit: 10_000 })).map((e) => ({
      at: e.at,
      ...(e.stepId ? { stepId: e.stepId } : {}),
      type: e.type as TaskEvent["type"],
      level: e.level as TaskEvent["level"],
      message: e.message,
      ...(e.status ? { status: e.status as TaskEvent["status"] } : {}),
    }));
  }

  async saveStep(taskId: string, step: StepState): Promise<void> {
    const row: Omit<StoredStep, "updatedAt"> = {
      stepId: step.id,
      status: step.status,
      output: step.output ? JSON.stringify(step.output) : null,
      sealedOutput: step.context ? this.box.seal(JSON.stringify(step.context)) : null,
      reason: step.reason ?? null,
    };
    const workspace = step.workspace ? this.box.seal(step.workspace.toString("base64")) : undefined;
    if (!(await this.store.saveStep(taskId, this.token, row, workspace, this.now()))) this.lost(taskId);
    this.onStep?.(taskId);
  }

  async steps(taskId: string): Promise<StepState[]> {
    return (await this.store.steps(taskId)).map((row) => ({
      id: row.stepId,
      status: row.status as StepStatus,
      ...(row.output ? { output: JSON.parse(row.output) as Record<string, unknown> } : {}),
      ...(row.sealedOutput
        ? { context: JSON.parse(this.box.open(row.sealedOutput)) as Record<string, unknown> }
        : {}),
      ...(row.reason ? { reason: row.reason } : {}),
    }));
  }

  async workspace(taskId: string, stepId: string): Promise<Buffer | undefined> {
    const sealed = await this.store.workspace(taskId, stepId);
    return sealed ? Buffer.from(this.box.open(sealed), "base64") : undefined;
  }

  async getCheckpoint(taskId: string, key: string): Promise<CheckpointRecord | undefined> {
    const found = await this.store.checkpoint(taskId, this.token, key);
    if (!found.held) this.lost(taskId);
    return found.record ? (JSON.parse(this.box.open(found.record)) as CheckpointRecord) : undefined;
  }

  async saveCheckpoint(taskId: string, key: string, record: CheckpointRecord): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(record));
    if (!(await this.store.saveCheckpoint(taskId, this.token, key, sealed))) this.lost(taskId);
  }

  private lost(taskId: string): never {
    throw new ClaimLostError(`Task ${taskId} was taken over by another worker; this one stops.`);
  }
}
