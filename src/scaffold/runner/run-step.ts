import { mkdtemp, rm } from "node:fs/promises";
import type { ActionContext, ScaffolderAction } from "../actions/action.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import type { InstalledActions } from "../actions/installed-actions.ts";
import { isTruthy } from "../template-language/index.ts";
import type { LoadedTemplate, TemplateStep } from "../template/template-spec.ts";
import { exampleOutput } from "./example-output.ts";
import type { Redactor } from "./redact.ts";
import { runWithLimits } from "./step-timeout.ts";
import type { TaskLog } from "./task-log.ts";
import type { TaskStateStore } from "./task-state.ts";
import {
  renderField,
  secretDerived,
  type RenderExtensions,
  type TemplateContext,
} from "./template-context.ts";

/** Everything a step needs from its task. */
export interface StepEnvironment {
  taskId: string;
  template: LoadedTemplate;
  actions: InstalledActions;
  state: TaskStateStore;
  log: TaskLog;
  redactor: Redactor;
  workspacePath: string;
  dryRun: boolean;
  secrets: Record<string, string>;
  stepTimeoutMs: number;
  signal?: AbortSignal;
  extensions: RenderExtensions;
}

/** How a step ended, for the report. */
export interface StepOutcome {
  status: "completed" | "skipped";
  /** Why it was skipped. */
  reason?: string;
  /** The rendered input, secrets redacted (one entry an iteration for `each`). */
  inputs: unknown[];
  output: Record<string, unknown>;
}

/** Runs one step: `if`, `each`, input rendering and checking, the action itself, output checking. */
export async function runStep(
  step: TemplateStep,
  index: number,
  context: TemplateContext,
  env: StepEnvironment,
  /** Filled with the rendered, redacted inputs as soon as they are known, so a failed step reports them. */
  progress: { inputs: unknown[] } = { inputs: [] },
): Promise<StepOutcome> {
  const where = `Step "${step.id}"`;
  const path = (...rest: Array<string | number>) => ["spec", "steps", index, ...rest];
  const render = (value: unknown, ctx: TemplateContext, ...field: Array<string | number>) =>
    renderField(value, ctx, env.template, path(...field), env.extensions);

  if (
    step.if === false ||
    (typeof step.if === "string" && step.each === undefined && !isTruthy(render(step.if, context, "if")))
  ) {
    return { status: "skipped", reason: "its if condition was false", inputs: [], output: {} };
  }
  const action = env.actions.get(step.action)!;
  const logger = env.log.forStep(step.id);

  const secretsForInput = env.dryRun ? {} : env.secrets;
  const preIteration: TemplateContext = { ...context, secrets: secretsForInput };
  let iterations: Array<{ each?: { key: string; value: unknown } }> = [{}];
  if (step.each !== undefined) {
    const resolved = render(step.each, preIteration, "each");
    if (!resolved || typeof resolved !== "object") {
      throw new ScaffolderInputError(
        `${where}: each ${JSON.stringify(step.each)} must give a list or an object; it gave ${JSON.stringify(resolved) ?? "nothing"}.`,
      );
    }
    iterations = Object.entries(resolved).map(([key, value]) => ({ each: { key, value } }));
  }

  const planned = iterations.map((iteration) => {
    const full: TemplateContext = { ...preIteration, ...iteration };
    const shouldRun = !iteration.each || step.if === undefined || isTruthy(render(step.if, full, "if"));
    const input = shouldRun
      ? ((render(step.input ?? {}, full, "input") ?? {}) as Record<string, unknown>)
      : {};
    return { ...iteration, full, shouldRun, input };
  });

  // Values made from secrets (a token in a header, say) are redacted too, as Backstage does.
  if (Object.keys(env.secrets).length > 0 && !env.dryRun) {
    for (const item of planned) {
      if (!item.shouldRun) continue;
      const withoutSecrets = render(step.input ?? {}, { ...item.full, secrets: {} }, "input");
      env.redactor.add(secretDerived(item.input, withoutSecrets));
    }
  }
  const inputs = planned.filter((p) => p.shouldRun).map((p) => env.redactor.value(p.input));
  progress.inputs = inputs;

  if (env.dryRun) {
    env.log.write(
      "info",
      `Running ${action.id} in dry-run mode with inputs (secrets redacted): ${JSON.stringify(inputs.length === 1 ? inputs[0] : inputs, null, 2)}`,
      step.id,
      "input",
    );
    if (!action.supportsDryRun) {
      const output = (action.schema?.output ? exampleOutput(action.schema.output) : {}) as Record<
        string,
        unknown
      >;
      return {
        status: "skipped",
        reason: `${action.id} does not support dry-run; example outputs were used`,
        inputs,
        output,
      };
    }
  }

  for (const item of planned) {
    if (!item.shouldRun) continue;
    const label = item.each ? `${where} (${action.id}[${item.each.key}])` : `${where} (${action.id})`;
    env.actions.checkInput(action, item.input, label);
  }

  const output: Record<string, unknown> = {};
  const tempDirs: string[] = [];
  try {
    for (const item of planned) {
      if (item.each)
        logger.info(
          `${item.shouldRun ? "Running" : "Skipping"} step each: ${JSON.stringify({ key: item.each.key, value: String(item.each.value) })}`,
        );
      if (!item.shouldRun) continue;
      const iterationOutput: Record<string, unknown> = {};
      await runWithLimits(
        (signal) =>
          action.handler(
            actionContext(step, action, item.input, iterationOutput, signal, tempDirs, env, context),
          ),
        { timeoutMs: env.stepTimeoutMs, taskSignal: env.signal, describe: `${where} (${action.id})` },
      );
      env.actions.checkOutput(action, iterationOutput, `${where}`);
      for (const [name, value] of Object.entries(iterationOutput)) {
        if (step.each !== undefined) output[name] = [...((output[name] as unknown[]) ?? []), value];
        else output[name] = value;
      }
    }
  } finally {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
  return { status: "completed", inputs, output };
}

function actionContext(
  step: TemplateStep,
  action: ScaffolderAction,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  signal: AbortSignal,
  tempDirs: string[],
  env: StepEnvironment,
  context: TemplateContext,
): ActionContext {
  return {
    input,
    workspacePath: env.workspacePath,
    logger: env.log.forStep(step.id),
    signal,
    isDryRun: env.dryRun,
    output: (name, value) => {
      output[name] = value;
    },
    checkpoint: async ({ key, fn }) => {
      const stored = `v1.task.checkpoint.${step.id}.${key}`;
      const previous = await env.state.getCheckpoint(env.taskId, stored);
      if (previous?.status === "success") return previous.value as never;
      try {
        const value = await fn();
        await env.state.saveCheckpoint(env.taskId, stored, { status: "success", value: value ?? null });
        return value;
      } catch (error) {
        const reason = env.redactor.text(error instanceof Error ? error.message : String(error));
        await env.state.saveCheckpoint(env.taskId, stored, { status: "failed", reason });
        throw error;
      }
    },
    createTemporaryDirectory: async () => {
      const dir = await mkdtemp(`${env.workspacePath}_step-${step.id.replace(/[^\w.-]/g, "_")}-`);
      tempDirs.push(dir);
      return dir;
    },
    templateInfo: {
      entityRef: env.template.ref,
      baseDir: env.template.baseDir,
      location: env.template.location,
    },
    user: context.user,
    secrets: env.dryRun ? {} : env.secrets,
    task: { id: env.taskId },
    step: { id: step.id, name: step.name },
  };
}
