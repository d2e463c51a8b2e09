import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { StoredTask, StoredTaskStatus, TaskStore } from "../../state/scaffold-task-store.ts";
import type { SecretBox } from "../../state/secret-box.ts";
import type { ParameterCheck } from "../parameters/check-parameters.ts";
import type { RenderedOutput } from "../runner/workflow-runner.ts";
import type { Scaffolder } from "../scaffolder.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import { RunPermissions, type Permission, type TaskActor } from "./run-permissions.ts";
import { findTask } from "./find-task.ts";
import { auditOutcome, auditQuietly, TaskExecution, type AuditTrail } from "./task-execution.ts";
import { maskedValues, parseTaskSpec, secretNames, taskSpecOf, type TaskSecrets } from "./task-spec.ts";
import { DEFAULT_MAX_ATTEMPTS, TaskWorker } from "./task-worker.ts";

/** The shortest start of a task id that finds it (listings show this much). */
export { SHORT_ID } from "./find-task.ts";

/** How long a failed or cancelled task keeps its workspace and step outputs (sealed), so it can be retried. */
export const RETRY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface ScaffoldTasksOptions {
  store: TaskStore;
  scaffolder: Scaffolder;
  box: SecretBox;
  audit: AuditTrail;
  /** CALLBOARD_ADMINS: User refs, or Group refs whose members are admins. */
  admins: string[];
  log: Logger;
  worker: {
    concurrency: number;
    heartbeatIntervalMs: number;
    heartbeatTimeoutMs: number;
    pollIntervalMs?: number;
    maxAttempts?: number;
  };
  now?: () => Date;
}

/** A task as listings show it. */
export interface TaskSummary {
  id: string;
  status: StoredTaskStatus;
  templateRef: string;
  title: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  /** Why it failed or was cancelled, in words. */
  error?: string;
  /** The template's output links and text, once completed. */
  output?: RenderedOutput;
  /** The values it was given, secret fields shown as `******`. */
  parameters: Record<string, unknown>;
  /** Cancel was asked for and the running step has not stopped yet. */
  cancelling: boolean;
}

export interface TaskLogEntry {
  id: number;
  at: Date;
  stepId?: string;
  level: string;
  message: string;
  /** For step changes and the completion: the new status. */
  status?: string;
}

export type SubmitResult =
  | { status: "queued"; taskId: string }
  | { status: "invalid"; check: ParameterCheck }
  | { status: "refused"; reason: string };

/** What cancel and retry did, in words a person can read. */
export type TaskActionResult = { ok: true; message: string } | { ok: false; reason: string };

export type Refusal = { refused: string };

/** Told whenever a task's stored state changed: queued again, a step began or ended, cancelled, ended. */
export interface TaskObserver {
  changed(taskId: string): void;
}

/** A step of a task as progress shows it: every step of the template, in order, with what became of it. */
export interface StepProgress {
  id: string;
  name: string;
  action: string;
  /** Not begun yet: `pending`. */
  status: "pending" | "processing" | "completed" | "failed" | "skipped" | "cancelled";
  reason?: string;
  startedAt?: Date;
  /** When it last changed (its end, once it ended). */
  updatedAt?: Date;
  /** A person's decision the step waited for (an approval): "Approved by user:default/sofia at …", the latest. */
  decision?: string;
}

/** A task a person cancelled, ended at once: who, and the reason as the task keeps it. */
export type CancelListener = (cancelled: {
  taskId: string;
  by: string;
  reason: string;
}) => Promise<void> | void;

/** The task event a person's decision is logged as (approvals): its step, its words, approved or rejected. */
export const DECISION_EVENT = "decision";
/** Decisions read for a progress message; a task asks for few (one an approval step, again on a retry). */
const MAX_DECISIONS = 200;

/** Everything a progress message shows, read from the database so any process can render it. */
export interface TaskProgress {
  task: TaskSummary;
  steps: StepProgress[];
  /** When a worker first took it (its first step began), for the elapsed time. */
  startedAt?: Date;
  /** Where its progress message is (an outbox MessageRef as JSON text), once posted. */
  progressRef?: string;
  /** Whether a retry needs the secrets typed again (they were deleted when the task ended). */
  needsSecrets: boolean;
  /** Those secrets, by field path (`token`, `db.password`) or name: what a retry asks for. */
  secretNames: string[];
}

/**
 * Durable scaffolder tasks, for the chat commands and the app: queue a template run for a person (checked,
 * permitted and audited), cancel, retry, list (mine, or all for admins) and read a task's log. The runs
 * themselves happen in TaskWorkers, in this process or any other sharing the database.
 */
export class ScaffoldTasks {
  readonly permissions: RunPermissions;
  readonly execution: TaskExecution;
  private readonly workers = new Set<TaskWorker>();
  private readonly observers = new Set<TaskObserver>();
  private readonly cancelListeners = new Set<CancelListener>();
  private readonly now: () => Date;

  constructor(private readonly options: ScaffoldTasksOptions) {
    this.now = options.now ?? (() => new Date());
    this.permissions = new RunPermissions(options.admins, {
      groupsOf: (ref) => options.scaffolder.groupsOf(ref),
    });
    this.execution = new TaskExecution({ ...options, notify: (id) => this.notify(id) });
  }

  /**
   * Called when a person's cancel ended a task at once (it had not started, or it waited for an approval),
   * before the cancel is answered: what asked the task's question elsewhere (an approval message) retires it
   * now rather than when someone next presses a button. Returns the way to stop.
   */
  onCancelled(listener: CancelListener): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  /** Follow every task's changes in this process (progress messages); returns the way to stop. */
  observe(observer: TaskObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * A task's progress for a message: its state and each of its template's steps, in order. No permission
   * check: this is for the message already posted where the task was asked for, not for a person's request.
   */
  async progress(
    taskId: string,
    options: { onlyIfPosted?: boolean } = {},
  ): Promise<TaskProgress | undefined> {
    const task = await this.options.store.get(taskId);
    // Most changes in a busy worker are of tasks no chat message shows (the CLI's, another system's): one read.
    if (!task || (options.onlyIfPosted && !task.progressRef)) return undefined;
    const stored = new Map((await this.options.store.steps(task.id)).map((step) => [step.stepId, step]));
    const decisions = new Map<string, string>();
    const decided = await this.options.store.events(task.id, {
      types: [DECISION_EVENT],
      limit: MAX_DECISIONS,
    });
    // In order, so a retry's later decision replaces the earlier one of the same step.
    for (const event of decided) if (event.stepId) decisions.set(event.stepId, event.message);
    const spec = safeSpec(task.spec);
    const steps: StepProgress[] = (spec?.template.entity.spec.steps ?? []).map((step) => {
      const state = stored.get(step.id);
      return {
        id: step.id,
        // A step without a name of its own is named after its action; its id says more in a list.
        name: step.name && step.name !== step.action ? step.name : step.id,
        action: step.action,
        status: (state?.status as StepProgress["status"] | undefined) ?? "pending",
        ...(state?.reason ? { reason: state.reason } : {}),
        ...(state?.startedAt ? { startedAt: state.startedAt } : {}),
        ...(state ? { updatedAt: state.updatedAt } : {}),
        ...(decisions.has(step.id) ? { decision: decisions.get(step.id)! } : {}),
      };
    });
    const starts = steps.flatMap((step) => (step.startedAt ? [step.startedAt.getTime()] : []));
    return {
      task: summary(task),
      steps,
      ...(starts.length > 0 ? { startedAt: new Date(Math.min(...starts)) } : {}),
      ...(task.progressRef ? { progressRef: task.progressRef } : {}),
      needsSecrets: spec ? secretNames(spec).length > 0 : false,
      secretNames: spec ? secretNames(spec) : [],
    };
  }

  /** Keeps where a task's progress message is, so whichever worker runs the task updates that message. */
  async setProgressRef(taskId: string, ref: string): Promise<boolean> {
    return this.options.store.setProgressRef(taskId, ref);
  }

  mayRun(template: LoadedTemplate, actor: TaskActor): Permission {
    return this.permissions.mayRun({ ref: template.ref, entity: template.entity }, actor);
  }

  /** Checks the values, checks who may run it, and queues the task; any worker picks it up. */
  async submit(
    template: LoadedTemplate,
    request: {
      values: Record<string, unknown>;
      secrets?: Record<string, string>;
      actor: TaskActor;
      dryRun?: boolean;
    },
  ): Promise<SubmitResult> {
    const permission = this.mayRun(template, request.actor);
    if (!permission.allowed) {
      await this.audit(request.actor.id, "scaffold.refused", {
        template: template.ref,
        reason: permission.reason,
      });
      return { status: "refused", reason: permission.reason };
    }
    const check = this.options.scaffolder.check(template, request.values);
    if (check.problems.length > 0) return { status: "invalid", check };
    const { spec, secrets } = taskSpecOf(template, check.values, {
      ...(request.secrets ? { extraSecrets: request.secrets } : {}),
      ...(request.actor.userRef ? { userRef: request.actor.userRef } : {}),
      dryRun: request.dryRun === true,
    });
    const id = randomUUID();
    await this.options.store.create({
      id,
      templateRef: template.ref,
      title: template.entity.metadata.title ?? template.entity.metadata.name,
      spec: JSON.stringify(spec),
      secrets: this.seal(secrets),
      createdBy: request.actor.id,
      createdAt: this.now(),
    });
    await this.audit(request.actor.id, "scaffold.queued", {
      task: id,
      template: template.ref,
      parameters: maskedValues(spec),
      dryRun: spec.dryRun,
    });
    this.wake();
    return { status: "queued", taskId: id };
  }

  /** Cancels a task: at once when it has not started, else its running step is aborted within a heartbeat. */
  async cancel(taskId: string, actor: TaskActor): Promise<TaskActionResult> {
    const task = await this.permitted(taskId, actor, "cancel");
    if ("refused" in task) return { ok: false, reason: task.refused };
    // A waiting task (parked for an approval) is cancelled at once, like one that has not started.
    const when = task.status === "waiting" ? "while it waited for an approval" : "before it started";
    const done = await this.options.store.requestCancel(
      task.id,
      `Cancelled by ${actor.id} ${when}.`,
      this.now(),
    );
    if (done === "ended" || done === undefined) {
      return {
        ok: false,
        reason: `Task ${task.id} has already ended (${task.status}); there is nothing to cancel.`,
      };
    }
    await this.audit(actor.id, "scaffold.cancel", {
      task: task.id,
      template: task.templateRef,
      was: task.status,
    });
    this.notify(task.id);
    if (done === "cancelled") {
      const reason = `Cancelled by ${actor.id} ${when}.`;
      await auditOutcome(this.options.audit, this.options.log, task, safeSpec(task.spec), {
        status: "cancelled",
        error: reason,
      });
      for (const listener of this.cancelListeners) {
        try {
          await listener({ taskId: task.id, by: actor.id, reason });
        } catch (error) {
          // The cancel stands; only what the listener shows is out of date.
          this.options.log.warn({ err: error, task: task.id }, "a listener to cancelled tasks failed");
        }
      }
      return { ok: true, message: `Task ${task.id} was cancelled ${when}.` };
    }
    return { ok: true, message: `Cancelling task ${task.id}: its running step is being stopped.` };
  }

  /**
   * Queues a failed or cancelled task again. Completed steps keep their outputs and are not run again; the
   * run carries on from the step that failed. Secrets were deleted when the task ended, so a task that had
   * some needs them again: `secrets` holds Secret-field values by field path (`token`, `db.password`) and
   * other secrets by name.
   */
  async retry(
    taskId: string,
    actor: TaskActor,
    secrets: Record<string, string> = {},
  ): Promise<TaskActionResult> {
    const task = await this.permitted(taskId, actor, "retry");
    if ("refused" in task) return { ok: false, reason: task.refused };
    if (task.status !== "failed" && task.status !== "cancelled") {
      return {
        ok: false,
        reason: `Task ${task.id} is ${task.status}; only a failed or cancelled task can be retried.`,
      };
    }
    if (task.finishedAt && task.finishedAt.getTime() < this.now().getTime() - RETRY_WINDOW_MS) {
      return {
        ok: false,
        reason: `Task ${task.id} ended more than ${RETRY_WINDOW_MS / 86_400_000} days ago and its workspace is gone; run the template again.`,
      };
    }
    const spec = safeSpec(task.spec);
    if (!spec)
      return {
        ok: false,
        reason: `Task ${task.id} was stored by another version of Callboard and cannot be retried.`,
      };
    const missing = secretNames(spec).filter((name) => secrets[name] === undefined);
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `Task ${task.id} needs its secrets again (they were deleted when it ended): ${missing.join(", ")}.`,
      };
    }
    const sealed: TaskSecrets = {
      fields: spec.secretFields.map((path) => [path, secrets[path.join(".")]!]),
      extra: Object.fromEntries(spec.extraSecrets.map((name) => [name, secrets[name]!])),
    };
    if (!(await this.options.store.retry(task.id, this.seal(sealed), this.now()))) {
      return {
        ok: false,
        reason: `Task ${task.id} changed meanwhile (someone else retried it?); look again.`,
      };
    }
    await this.audit(actor.id, "scaffold.retry", { task: task.id, template: task.templateRef });
    this.notify(task.id);
    this.wake();
    return {
      ok: true,
      message: `Task ${task.id} is queued again; it carries on from the step that did not complete.`,
    };
  }

  /** The person's tasks, or everyone's for an admin; newest first. */
  async list(
    actor: TaskActor,
    options: { scope?: "mine" | "all"; limit?: number } = {},
  ): Promise<TaskSummary[] | Refusal> {
    if (options.scope === "all" && !this.permissions.isAdmin(actor)) {
      return {
        refused:
          "Only Callboard's admins (CALLBOARD_ADMINS) can list everyone's tasks; `scaffold tasks` lists yours.",
      };
    }
    const tasks = await this.options.store.list({
      ...(options.scope === "all" ? {} : { createdBy: actor.id }),
      limit: options.limit ?? 20,
    });
    return tasks.map(summary);
  }

  async get(taskId: string, actor: TaskActor): Promise<TaskSummary | Refusal> {
    const task = await this.permitted(taskId, actor, "see");
    return "refused" in task ? task : summary(task);
  }

  /** A task's log, in order; `afterId` continues from the last entry seen. */
  async log(
    taskId: string,
    actor: TaskActor,
    options: { afterId?: number; limit?: number } = {},
  ): Promise<{ task: TaskSummary; entries: TaskLogEntry[] } | Refusal> {
    const task = await this.permitted(taskId, actor, "read the log of");
    if ("refused" in task) return task;
    const events = await this.options.store.events(task.id, options);
    return {
      task: summary(task),
      entries: events.map((e) => ({
        id: e.id,
        at: e.at,
        ...(e.stepId ? { stepId: e.stepId } : {}),
        level: e.level,
        message: e.message,
        ...(e.status ? { status: e.status } : {}),
      })),
    };
  }

  /** A worker running this process's share of the tasks; `start()` it, and `stop()` it before closing. */
  worker(): TaskWorker {
    const { worker } = this.options;
    const created = new TaskWorker({
      store: this.options.store,
      execute: (task, control) => this.execution.execute(task, control),
      concurrency: worker.concurrency,
      heartbeatIntervalMs: worker.heartbeatIntervalMs,
      heartbeatTimeoutMs: worker.heartbeatTimeoutMs,
      ...(worker.pollIntervalMs ? { pollIntervalMs: worker.pollIntervalMs } : {}),
      ...(worker.maxAttempts ? { maxAttempts: worker.maxAttempts } : {}),
      housekeeping: () => this.housekeeping(),
      log: this.options.log,
    });
    this.workers.add(created);
    return created;
  }

  /**
   * The janitor: fails tasks abandoned too often (they would otherwise stay processing), with the reason,
   * and deletes workspaces no retry can need any more.
   */
  async housekeeping(): Promise<void> {
    const now = this.now();
    const maxAttempts = this.options.worker.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const reason =
      `Its worker stopped ${maxAttempts} times while running it (a crash, a restart or a lost database ` +
      "connection), so it is not resumed again. Retry it once the cause is fixed: completed steps are kept.";
    const failed = await this.options.store.failAbandoned({
      staleBefore: new Date(now.getTime() - this.options.worker.heartbeatTimeoutMs),
      maxAttempts,
      reason,
      now,
    });
    for (const id of failed) {
      const task = await this.options.store.get(id);
      this.notify(id);
      if (task)
        await auditOutcome(this.options.audit, this.options.log, task, safeSpec(task.spec), {
          status: "failed",
          error: reason,
        });
    }
    await this.options.store.pruneRunState(new Date(now.getTime() - RETRY_WINDOW_MS));
  }

  private notify(taskId: string): void {
    for (const observer of this.observers) {
      try {
        observer.changed(taskId);
      } catch (error) {
        this.options.log.warn({ err: error, task: taskId }, "a scaffolder task observer failed");
      }
    }
  }

  private wake(): void {
    for (const worker of this.workers) worker.wake();
  }

  private seal(secrets: TaskSecrets): string | null {
    return secrets.fields.length === 0 && Object.keys(secrets.extra).length === 0
      ? null
      : this.options.box.seal(JSON.stringify(secrets));
  }

  private async permitted(taskId: string, actor: TaskActor, verb: string): Promise<StoredTask | Refusal> {
    const task = await findTask(this.options.store, taskId);
    if (typeof task === "string") return { refused: task };
    const permission = this.permissions.mayManage(task, actor, verb);
    return permission.allowed ? task : { refused: permission.reason };
  }

  private async audit(actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
    await auditQuietly(this.options.audit, this.options.log, actor, action, detail);
  }
}

function safeSpec(text: string) {
  try {
    return parseTaskSpec(text);
  } catch {
    return undefined;
  }
}

function summary(task: StoredTask): TaskSummary {
  const spec = safeSpec(task.spec);
  return {
    id: task.id,
    status: task.status,
    templateRef: task.templateRef,
    title: task.title,
    createdBy: task.createdBy,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(task.finishedAt ? { finishedAt: task.finishedAt } : {}),
    ...(task.error ? { error: task.error } : {}),
    ...(task.output ? { output: JSON.parse(task.output) as RenderedOutput } : {}),
    parameters: spec ? maskedValues(spec) : {},
    cancelling: task.status === "processing" && task.cancelRequestedAt !== null,
  };
}
