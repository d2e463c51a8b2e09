import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Entity } from "../../catalog/model/entity.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import type { InstalledActions } from "../actions/installed-actions.ts";
import { isTruthy } from "../template-language/index.ts";
import type { LoadedTemplate, OutputLink, OutputText } from "../template/template-spec.ts";
import { listWorkspace, type WorkspaceEntry } from "../workspace/list-files.ts";
import { Redactor } from "./redact.ts";
import { runStep, type StepEnvironment } from "./run-step.ts";
import { TaskCancelledError } from "./step-timeout.ts";
import { TaskLog, type LogLine } from "./task-log.ts";
import { MemoryTaskState, type StepStatus, type TaskStateStore, type TaskStatus } from "./task-state.ts";
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
  actions: InstalledActions;
  state?: TaskStateStore;
  /** The folder task workspaces are made in; each task's is removed when it ends. */
  workspaceRoot: string;
  stepTimeoutMs?: number;
  signal?: AbortSignal;
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
    signal: options.signal,
    extensions,
  };

  log.write("info", `Starting up task with ${spec.steps.length} steps${dryRun ? " (dry run)" : ""}`);
  try {
    await mkdir(workspacePath, { recursive: true });
    for (const [index, step] of spec.steps.entries()) {
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
        log.step(step.id, outcome.status, message);
        await state.saveStep(taskId, {
          id: step.id,
          status: outcome.status,
          output: stepReport.output,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        });
      } catch (error) {
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
        report.output = renderOutput(spec.output, context, options.template, extensions);
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

export function describeError(error: unknown): string {
  if (error instanceof ScaffolderInputError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
