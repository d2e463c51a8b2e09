import type { Logger } from "pino";
import type { ClaimedTask, EndedTaskStatus, TaskStore } from "../../state/scaffold-task-store.ts";
import type { SecretBox } from "../../state/secret-box.ts";
import { parameterPages } from "../parameters/parameter-pages.ts";
import { splitSecretValues } from "../parameters/secret-values.ts";
import { TaskInterruptedError } from "../runner/step-timeout.ts";
import { TaskParkedError } from "../runner/task-parked.ts";
import { describeError, runTemplate } from "../runner/workflow-runner.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { checkTemplate, loadTemplateFile, locationToPath } from "../template/load-template.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import { ClaimedTaskState, ClaimLostError } from "./claimed-task-state.ts";
import type { RunControl } from "./task-worker.ts";
import {
  maskedValues,
  parseTaskSecrets,
  parseTaskSpec,
  valuesWithSecrets,
  type TaskSecrets,
  type TaskSpec,
} from "./task-spec.ts";

/** Where audit entries go (src/db/audit-log.ts is one). */
export interface AuditTrail {
  append(entry: { actor: string; action: string; detail?: string }): Promise<unknown>;
}

export interface TaskExecutionOptions {
  store: TaskStore;
  scaffolder: Scaffolder;
  box: SecretBox;
  audit: AuditTrail;
  log: Logger;
  now?: () => Date;
  /** Told when a task's stored state changed (a step began or ended, the task ended). */
  notify?: (taskId: string) => void;
}

interface Ending {
  status: EndedTaskStatus;
  error?: string;
  output?: unknown;
}

/**
 * Runs one claimed task to its end: the template the task stored, its values with the secrets opened, the
 * runner resuming from whatever an earlier run left (nothing, the first time), every write fenced by the
 * claim. Then the task is finished (secrets deleted) and the outcome audited.
 */
export class TaskExecution {
  private readonly now: () => Date;

  constructor(private readonly options: TaskExecutionOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async execute(task: ClaimedTask, control: RunControl): Promise<void> {
    const { store, box, scaffolder } = this.options;
    let spec: TaskSpec;
    try {
      spec = parseTaskSpec(task.spec);
    } catch (error) {
      return this.end(task, undefined, { status: "failed", error: describeError(error) });
    }
    if (task.cancelRequestedAt) {
      return this.end(task, spec, { status: "cancelled", error: "Cancelled before it could carry on." });
    }
    if (task.retryRequestedAt && !(await store.forgetUnfinishedSteps(task.id, task.claimToken))) {
      throw new ClaimLostError(`Task ${task.id} was taken over by another worker.`);
    }
    let secrets: TaskSecrets;
    try {
      secrets = parseTaskSecrets(task.secrets === null ? null : box.open(task.secrets));
    } catch {
      return this.end(task, spec, {
        status: "failed",
        error:
          "Its secrets cannot be opened with this Callboard's key: every process sharing the database needs " +
          "the same CALLBOARD_SECRET_KEY. Set it on all of them, then retry the task (it asks for the secrets again).",
      });
    }
    let template: LoadedTemplate;
    try {
      template = await templateOf(spec);
    } catch (error) {
      return this.end(task, spec, { status: "failed", error: describeError(error) });
    }
    try {
      const split = splitSecretValues(parameterPages(template.entity.spec), valuesWithSecrets(spec, secrets));
      const report = await runTemplate({
        ...scaffolder.runEnvironment(),
        template,
        parameters: split.parameters,
        secrets: { ...secrets.extra, ...split.secrets },
        redact: split.redact,
        ...(spec.userRef ? { user: { ref: spec.userRef, entity: scaffolder.entity(spec.userRef) } } : {}),
        dryRun: spec.dryRun,
        taskId: task.id,
        state: new ClaimedTaskState(store, task.claimToken, box, this.now, this.options.notify),
        resume: true,
        keepWorkspace: !spec.dryRun,
        signal: control.signal,
        interrupt: control.interrupt,
      });
      const cancelledAt = report.steps.find((s) => s.status === "cancelled");
      await this.end(task, spec, {
        status: report.status,
        ...(report.status === "cancelled"
          ? { error: cancelledAt ? `Cancelled while step "${cancelledAt.id}" ran.` : "Cancelled." }
          : report.error
            ? { error: report.error }
            : {}),
        ...(report.output ? { output: report.output } : {}),
      });
    } catch (error) {
      if (error instanceof TaskParkedError) return this.park(task, error);
      if (error instanceof TaskInterruptedError) throw error;
      // Not the template's doing (the database failed under the run, say): end it so nobody waits on it;
      // a retry carries on from the last completed step.
      this.options.log.error({ err: error, task: task.id }, "scaffolder task broke");
      await this.end(task, spec, {
        status: "failed",
        error: `Callboard could not finish running it: ${describeError(error)} Retry it to carry on from the last completed step.`,
      });
    }
  }

  /** A step waits for something outside the task: no worker holds it until it is woken or its time comes. */
  private async park(task: ClaimedTask, parked: TaskParkedError): Promise<void> {
    const done = await this.options.store.park(task.id, task.claimToken, parked.wakeAt, this.now());
    if (!done) throw new ClaimLostError(`Task ${task.id} was taken over by another worker.`);
    // Its progress message shows it waiting.
    this.options.notify?.(task.id);
    this.options.log.info(
      { task: task.id, wakeAt: parked.wakeAt, outcome: done },
      `scaffolder task waits: ${parked.message}`,
    );
  }

  /** Finishes the task and audits the outcome; a lost claim means another worker finishes it. */
  private async end(task: ClaimedTask, spec: TaskSpec | undefined, ending: Ending): Promise<void> {
    const finished = await this.options.store.finish(task.id, task.claimToken, {
      status: ending.status,
      ...(ending.error ? { error: ending.error } : {}),
      ...(ending.output ? { output: JSON.stringify(ending.output) } : {}),
      now: this.now(),
      keepWorkspaces: ending.status !== "completed",
    });
    if (!finished) throw new ClaimLostError(`Task ${task.id} was taken over by another worker.`);
    this.options.notify?.(task.id);
    await auditOutcome(this.options.audit, this.options.log, task, spec, ending);
  }
}

/** The audit entry for a task's end: who asked, which template, the values with secrets masked, the outcome. */
export async function auditOutcome(
  audit: AuditTrail,
  log: Logger,
  task: { id: string; createdBy: string; templateRef: string },
  spec: TaskSpec | undefined,
  ending: { status: EndedTaskStatus; error?: string },
): Promise<void> {
  const detail = JSON.stringify({
    task: task.id,
    template: task.templateRef,
    ...(spec ? { parameters: maskedValues(spec), dryRun: spec.dryRun } : {}),
    outcome: ending.status,
    ...(ending.error ? { reason: ending.error } : {}),
  });
  await auditQuietly(audit, log, task.createdBy, `scaffold.${ending.status}`, detail);
}

/**
 * Append to the audit log; what it records has happened whether or not the log takes it, so a failed write
 * is logged, not thrown.
 */
export async function auditQuietly(
  audit: AuditTrail,
  log: Logger,
  actor: string,
  action: string,
  detail: Record<string, unknown> | string,
): Promise<void> {
  const text = typeof detail === "string" ? detail : JSON.stringify(detail);
  try {
    await audit.append({ actor, action, detail: text });
  } catch (error) {
    log.error({ err: error, actor, action, detail: text }, "could not write to the audit log");
  }
}

/**
 * The template a task stored. When its file still holds exactly that template, the file is read again so
 * errors name lines; otherwise (it changed since the task was asked for) the stored one runs.
 */
async function templateOf(spec: TaskSpec): Promise<LoadedTemplate> {
  const { location, entity } = spec.template;
  if (location.startsWith("file:")) {
    try {
      const loaded = await loadTemplateFile(locationToPath(location));
      if (JSON.stringify(loaded.entity) === JSON.stringify(entity)) return loaded;
    } catch {
      // Gone or broken since: the stored template still runs.
    }
  }
  return checkTemplate(entity as unknown as Record<string, unknown>, location);
}
