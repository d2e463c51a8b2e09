import { rm } from "node:fs/promises";
import type { TemplateStep } from "../template/template-spec.ts";
import { unpackWorkspace } from "../workspace/workspace-archive.ts";
import type { Redactor } from "./redact.ts";
import type { StepState, TaskStateStore } from "./task-state.ts";
import { secretDerived } from "./template-context.ts";

/** A task cannot carry on from its stored state; the message says why and what to do. */
export class ResumeError extends Error {
  override name = "ResumeError";
}

/** Stored step states a resumed run keeps rather than runs again. */
const KEPT = new Set(["completed", "skipped", "failed"]);

/**
 * What an earlier run of this task left: the steps that reached an end (completed ones keep their outputs
 * and are not run again; skipped and failed ones stay as they were, so `failure()` steps still see the
 * failure), and the workspace as the last completed step left it, unpacked into `workspacePath`. A step
 * that was running when the run stopped is absent or `processing`, so it runs again; its actions' kept
 * checkpoints stop it repeating an outside effect.
 */
export async function resumeState(options: {
  state: TaskStateStore;
  taskId: string;
  steps: TemplateStep[];
  workspacePath: string;
  redactor: Redactor;
}): Promise<Map<string, StepState>> {
  const { state, taskId, steps, workspacePath, redactor } = options;
  const stored = new Map((await state.steps(taskId)).map((s) => [s.id, s]));
  const kept = new Map<string, StepState>();
  for (const step of steps) {
    const previous = stored.get(step.id);
    if (previous && KEPT.has(previous.status)) kept.set(step.id, previous);
  }
  // Whatever the interrupted step half-wrote goes; the workspace is rebuilt from the last completed step's.
  await rm(workspacePath, { recursive: true, force: true });
  const lastCompleted = steps.findLast((step) => kept.get(step.id)?.status === "completed");
  if (lastCompleted) {
    const archive = await state.workspace(taskId, lastCompleted.id);
    if (!archive) {
      throw new ResumeError(
        `Task ${taskId} cannot carry on after step "${lastCompleted.id}": the workspace that step left was ` +
          "not kept. Run the template again.",
      );
    }
    await unpackWorkspace(archive, workspacePath);
  }
  for (const step of kept.values()) {
    if (step.context) redactor.add(secretDerived(step.context, step.output));
  }
  return kept;
}
