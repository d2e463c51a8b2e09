import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Entity } from "../../catalog/model/entity.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import type { InstalledActions } from "../actions/installed-actions.ts";
import { isTruthy } from "../template-language/index.ts";
import type { LoadedTemplate, OutputLink, OutputText } from "../template/template-spec.ts";
import { listWorkspace, type WorkspaceEntry } from "../workspace/list-files.ts";
import { packWorkspace, WorkspaceTooLargeError } from "../workspace/workspace-archive.ts";
import { Redactor } from "./redact.ts";
import { ResumeError, resumeState } from "./resume.ts";
import { runStep, type StepEnvironment } from "./run-step.ts";
import { TaskCancelledError, TaskInterruptedError } from "./step-timeout.ts";
import { TaskParkedError } from "./task-parked.ts";
import { TaskLog, type LogLine } from "./task-log.ts";
import {
  MemoryTaskState,
  type StepState,
  type StepStatus,
  type TaskStateStore,
  type TaskStatus,
} from "./task-state.ts";
import { renderField, type RenderExtensions, type TemplateContext } from "./template-context.ts";

export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60 * 1000;

export interface RunOptions {
  template: LoadedTemplate;
  /** Checked values, Secret-field values already moved to `secrets`. */
  parameters: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** More values to keep out of logs and reports (password fields). */
  redact?: string[];
  user?: { entity?: Entity; ref?: string };
  dryRun?: boolean;
  /** A retried task passes its id again, so its checkpoints are found. */
  taskId?: string;
  /**
   * Carry on from what an earlier run of this task stored (resume.ts): completed steps keep their outputs
   * and are not run again, the workspace is the one the last completed step left. Needs `taskId`, and the
   * earlier runs must have kept their workspaces.
   */
  resume?: boolean;
  /** Keep the workspace with each completed step's state, so another process can resume the task. */
  keepWorkspace?: boolean;
  actions: InstalledActions;
  state?: TaskStateStore;
  /** The folder task workspaces are made in; each task's is removed when it ends. */
  workspaceRoot: string;
  stepTimeoutMs?: number;
  /** Cancels the task: the running step is aborted, the rest are not run, the task ends cancelled. */
  signal?: AbortSignal;
  /**
   * Stops the run without ending the task (its worker is stopping or lost its claim): the running step is
   * aborted and runTemplate throws TaskInterruptedError, leaving the stored state for a resume.
   */
  interrupt?: AbortSignal;
  extensions?: RenderExtensions;
  /** Called with each log line as it is written (already redacted). */
  onLog?: (line: LogLine) => void;
}

export interface StepReport {
  id: string;
  name: string;
  action: string;
  status: StepStatus;
  reason?: string;
  /** Rendered input, secrets redacted; one entry an iteration for `each` steps. */
  inputs: unknown[];
  output?: Record<string, unknown>;
  error?: string;
  log: LogLine[];
}

export interface RenderedOutput {
  links: Array<{ title?: string; icon?: string; url?: string; entityRef?: string }>;
  text: Array<{ title?: string; icon?: string; content?: string }>;
  [key: string]: unknown;
}

export interface TaskReport {
  taskId: string;
  status: TaskStatus;
  dryRun: boolean;
  steps: StepReport[];
  /** The template's `output`, rendered once every step completed. */
  output?: RenderedOutput;
  /** A dry run's workspace as it was at the end. */
  files?: WorkspaceEntry[];
  /** Why the task failed, in words. */
  error?: string;
  log: LogLine[];
}

const STATUS_FUNCTIONS = /\b(always|failure)\s*\(\s*\)/;

/**
 * Runs a template's steps in order in a fresh workspace, the way Backstage's NunjucksWorkflowRunner does,
 * and reports every step. After a failed step the later ones are skipped unless their `if` calls
 * `always()` or `failure()`. The workspace is removed at the end, whatever happened.
 */
export async function runTemplate(options: RunOptions): Promise<TaskReport> {
  const taskId = options.taskId ?? randomUUID();
  const dryRun = options.dryRun === true;
  const state = options.state ?? new MemoryTaskState();
  const secrets = options.secrets ?? {};
  const redactor = new Redactor();
  redactor.add(Object.values(secrets));
  redactor.add(options.redact ?? []);
  const log = new TaskLog(taskId, state, redactor, options.onLog);
  const { spec } = options.template.entity;
  const workspacePath = join(options.workspaceRoot, taskId);

  const report: TaskReport = { taskId, status: "completed", dryRun, steps: [], log: log.lines };
  const missing = spec.steps.filter((s) => !options.actions.get(s.action));
  if (missing.length > 0) {
    report.status = "failed";
    report.error = missing
      .map((s) => `Step "${s.id}" uses action "${s.action}", which is not installed.`)
      .concat(`Installed actions: ${options.actions.ids().join(", ")}.`)
      .join(" ");
    log.completion("failed", report.error);
    await log.flush();
    return report;
  }

  let failed = false;
  const statusGlobals = {
    always: () => true,
    failure: () => failed,
    success: () => !failed,
  };
  const extensions: RenderExtensions = {
    ...options.extensions,
    globals: { ...options.extensions?.globals, ...statusGlobals },
  };
  const context: TemplateContext = {
    parameters: options.parameters,
    steps: {},
    user: options.user ?? {},
    context: { task: { id: taskId } },
    environment: { parameters: {}, secrets: {} },
  };
  const env: StepEnvironment = {
    taskId,
    template: options.template,
    actions: options.actions,
    state,
    log,
    redactor,
    workspacePath,
    dryRun,
    secrets,
    stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    signal: anySignal(options.signal, options.interrupt),
    extensions,
  };
  const interrupted = (cause?: unknown) =>
    cause instanceof TaskInterruptedError
      ? cause
      : new TaskInterruptedError(`Task ${taskId} was interrupted; it carries on from its stored state.`, {
          cause,
        });

  log.write("info", `Starting up task with ${spec.steps.length} steps${dryRun ? " (dry run)" : ""}`);
  try {
    let kept = new Map<string, StepState>();
    if (options.resume) {
      try {
        kept = await resumeState({ state, taskId, steps: spec.steps, workspacePath, redactor });
      } catch (error) {
        if (!(error instanceof ResumeError)) throw error;
        report.status = "failed";
        report.error = error.message;
      }
      if (kept.size > 0) {
        log.write(
          "info",
          `Resuming: ${[...kept.keys()].join(", ")} ended in an earlier run and ${kept.size === 1 ? "is" : "are"} not run again`,
        );
      }
    }
    await mkdir(workspacePath, { recursive: true });
    const steps = report.status === "failed" ? [] : spec.steps;
    for (const [index, step] of steps.entries()) {
      const stepReport: StepReport = {
        id: step.id,
        name: step.name,
        action: step.action,
        status: "skipped",
        inputs: [],
        log: [],
      };
      report.steps.push(stepReport);
      const from = log.lines.length;
      if (options.interrupt?.aborted) throw interrupted();
      const earlier = kept.get(step.id);
      if (earlier) {
        context.steps[step.id] = { output: earlier.context ?? earlier.output ?? {} };
        stepReport.status = earlier.status;
        if (earlier.output) stepReport.output = earlier.output;
        if (earlier.reason) stepReport[earlier.status === "failed" ? "error" : "reason"] = earlier.reason;
        if (earlier.status === "failed" && !failed) {
          failed = true;
          report.status = "failed";
          report.error = earlier.reason ?? `Step ${step.id} failed`;
        }
        continue;
      }
      if (options.signal?.aborted) {
        stepReport.status = "cancelled";
        stepReport.reason = "the task was cancelled";
        report.status = "cancelled";
        continue;
      }
      if (failed && !(typeof step.if === "string" && STATUS_FUNCTIONS.test(step.if))) {
        stepReport.reason = "an earlier step failed";
        log.step(step.id, "skipped", `Skipping step ${step.id} because an earlier step failed`);
        await state.saveStep(taskId, { id: step.id, status: "skipped", reason: stepReport.reason });
        continue;
      }
      log.step(step.id, "processing", `Beginning step ${step.name}`);
      try {
        await state.saveStep(taskId, { id: step.id, status: "processing" });
        const outcome = await runStep(step, index, context, env, stepReport);
        context.steps[step.id] = { output: outcome.output };
        stepReport.status = outcome.status;
        stepReport.inputs = outcome.inputs;
        stepReport.output = redactor.value(outcome.output);
        if (outcome.reason) stepReport.reason = outcome.reason;
        const message =
          outcome.status === "completed"
            ? `Finished step ${step.name}`
            : `Skipping step ${step.id} because ${outcome.reason}`;
        const workspace =
          options.keepWorkspace && outcome.status === "completed"
            ? await keptWorkspace(workspacePath, step.id, log)
            : undefined;
        if (options.interrupt?.aborted) throw interrupted();
        await state.saveStep(taskId, {
          id: step.id,
          status: outcome.status,
          output: stepReport.output,
          ...(JSON.stringify(stepReport.output) !== JSON.stringify(outcome.output)
            ? { context: outcome.output }
            : {}),
          ...(outcome.reason ? { reason: outcome.reason } : {}),
          ...(workspace ? { workspace } : {}),
        });
        log.step(step.id, outcome.status, message);
      } catch (error) {
        if (error instanceof TaskParkedError) {
          // Its log ("waiting for …") lands before the task is parked, so the resumed run's lines follow it.
          await log.flush().catch(() => undefined);
        }
        if (options.interrupt?.aborted || error instanceof TaskInterruptedError) throw interrupted(error);
        const cancelled = error instanceof TaskCancelledError;
        const message = redactor.text(describeError(error));
        stepReport.status = cancelled ? "cancelled" : "failed";
        stepReport.error = message;
        log.step(step.id, stepReport.status, message);
        await state.saveStep(taskId, { id: step.id, status: stepReport.status, reason: message });
        if (cancelled) report.status = "cancelled";
        else if (!failed) {
          failed = true;
          report.status = "failed";
          report.error = message;
        }
      } finally {
        stepReport.log = log.lines.slice(from);
      }
    }
    if (report.status === "completed" && spec.output) {
      try {
        // Links and text go into replies: a value made from a secret shows as ***.
        report.output = redactor.value(renderOutput(spec.output, context, options.template, extensions));
      } catch (error) {
        report.status = "failed";
        report.error = redactor.text(`The template's output could not be rendered: ${describeError(error)}`);
      }
    }
    if (dryRun) report.files = await listWorkspace(workspacePath);
  } finally {
    await rm(workspacePath, { recursive: true, force: true });
  }
  log.completion(report.status, report.error ?? `Task ${report.status}`);
  await log.flush();
  return report;
}

function renderOutput(
  output: NonNullable<LoadedTemplate["entity"]["spec"]["output"]>,
  context: TemplateContext,
  template: LoadedTemplate,
  extensions: RenderExtensions,
): RenderedOutput {
  const rendered = (renderField(output, context, template, ["spec", "output"], extensions) ?? {}) as Record<
    string,
    unknown
  >;
  const kept = <T extends { if?: unknown }>(items: unknown): Array<Omit<T, "if">> =>
    (Array.isArray(items) ? (items as T[]) : [])
      .filter((item) => item && typeof item === "object" && (!("if" in item) || isTruthy(item.if)))
      .map(({ if: _if, ...rest }) => rest);
  return {
    ...rendered,
    links: kept<OutputLink>(rendered.links),
    text: kept<OutputText>(rendered.text),
  };
}

/** The workspace packed for a resume, or undefined (with a warning in the log) when it is too large to keep. */
async function keptWorkspace(path: string, stepId: string, log: TaskLog): Promise<Buffer | undefined> {
  try {
    return await packWorkspace(path);
  } catch (error) {
    if (!(error instanceof WorkspaceTooLargeError)) throw error;
    log.write(
      "warn",
      `The workspace after this step is not kept (${error.message}): if the task is interrupted from here, it cannot resume.`,
      stepId,
    );
    return undefined;
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}

export function describeError(error: unknown): string {
  if (error instanceof ScaffolderInputError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
