import {
  actions,
  context,
  escapeText,
  header,
  links,
  reply,
  section,
  webUrl,
  type Action,
  type Block,
  type Link,
  type Reply,
} from "../../message/reply.ts";
import { SHORT_ID, type StepProgress, type TaskProgress } from "../tasks/scaffold-tasks.ts";

/**
 * A task's state as one message: every step of its template in order with what became of it and how long it
 * took, then the template's output links and text once it completed, or the step that failed and why, with a
 * Retry button. Pure: the progress reporter posts and updates it, `scaffold log` ends with it, and any other
 * step that waits (an approval) shows through it.
 */
export interface ProgressRenderOptions {
  now: Date;
  /** A catalog page for an entity ref (`output.links[].entityRef`), where Callboard serves one. */
  entityUrl?: (ref: string) => string | undefined;
}

const STATUS_WORDS: Record<TaskProgress["task"]["status"], string> = {
  open: "queued",
  processing: "running",
  waiting: "waiting",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

const STEP_MARKS: Record<StepProgress["status"], string> = {
  pending: "◻️",
  processing: "⏳",
  completed: "✅",
  failed: "❌",
  skipped: "⏭️",
  cancelled: "⛔",
};

/** At most this many steps are listed one a line; a longer template shows the rest as a count. */
const MAX_STEPS = 40;
const MAX_REASON = 600;

export function renderTaskProgress(progress: TaskProgress, options: ProgressRenderOptions): Reply {
  const { task } = progress;
  const short = task.id.slice(0, SHORT_ID);
  const status = task.cancelling ? "cancelling" : STATUS_WORDS[task.status];
  const elapsed = formatDuration(
    (task.finishedAt ?? options.now).getTime() - (progress.startedAt ?? task.createdAt).getTime(),
  );
  const blocks: Block[] = [header(`${task.title}: ${status}`)];

  const lines = progress.steps.slice(0, MAX_STEPS).map((step) => stepLine(step, options.now));
  if (progress.steps.length > MAX_STEPS) lines.push(`…and ${progress.steps.length - MAX_STEPS} more steps`);
  if (lines.length > 0) blocks.push(section(lines.join("\n")));

  let summary: string;
  const buttons: Action[] = [];
  switch (task.status) {
    case "completed": {
      summary = `${task.title}: completed in ${elapsed}.`;
      const shown = outputLinks(progress, options);
      if (shown.length > 0) blocks.push(links(shown));
      for (const text of task.output?.text ?? []) {
        if (!text.content && !text.title) continue;
        const title = text.title ? `**${escapeText(text.title)}**\n` : "";
        // Template authors write output text in markdown; the reply's subset shows what it can of it.
        blocks.push(section(`${title}${clip(text.content ?? "", 2500)}`));
      }
      break;
    }
    case "failed": {
      const failed = progress.steps.find((step) => step.status === "failed");
      const reason = clip(task.error ?? failed?.reason ?? "no reason was recorded", MAX_REASON);
      summary = failed
        ? `${task.title} failed at step "${failed.name}": ${reason}`
        : `${task.title} failed: ${reason}`;
      blocks.push(
        section(
          failed
            ? `**Failed at step ${escapeText(failed.name)}** (\`${failed.id}\`): ${escapeText(reason)}`
            : `**Failed:** ${escapeText(reason)}`,
        ),
      );
      buttons.push({ label: "Retry", command: `scaffold retry ${task.id}`, style: "primary" });
      if (progress.needsSecrets) {
        blocks.push(context("Its secrets were deleted when it ended: Retry asks for them again."));
      }
      break;
    }
    case "cancelled":
      summary = `${task.title}: cancelled${task.error ? ` (${clip(task.error, MAX_REASON)})` : ""}.`;
      if (task.error) blocks.push(section(escapeText(clip(task.error, MAX_REASON))));
      buttons.push({ label: "Retry", command: `scaffold retry ${task.id}` });
      break;
    default: {
      const running = progress.steps.find((step) => step.status === "processing");
      // A waiting task (an approval) shows the step it waits in as running: it carries on from there.
      summary =
        task.status === "open"
          ? `${task.title}: queued.`
          : `${task.title}: ${status}${running ? `${task.status === "waiting" ? " in" : ","} step "${running.name}"` : ""} (${elapsed}).`;
      if (!task.cancelling)
        buttons.push({ label: "Cancel", command: `scaffold cancel ${task.id}`, style: "danger" });
    }
  }
  buttons.push({ label: "Log", command: `scaffold log ${task.id}` });
  blocks.push(actions(...buttons));
  const timing = task.status === "open" ? "waiting for a worker" : `${status} ${elapsed}`;
  blocks.push(context(`Task \`${short}\` · started by ${escapeText(task.createdBy)} · ${timing}`));
  return reply(summary, ...blocks);
}

function stepLine(step: StepProgress, now: Date): string {
  const line = stepState(step, now);
  // Who decided what the step waited for, and when: the approval's outcome stays on the task's own message.
  return step.decision ? `${line}\n      ${escapeText(clip(step.decision, 200))}` : line;
}

function stepState(step: StepProgress, now: Date): string {
  const name = `**${escapeText(step.name)}**`;
  const mark = STEP_MARKS[step.status];
  const took =
    step.startedAt && step.updatedAt
      ? formatDuration(step.updatedAt.getTime() - step.startedAt.getTime())
      : "";
  switch (step.status) {
    case "pending":
      return `${mark} ${escapeText(step.name)}`;
    case "processing":
      return `${mark} ${name} · running${step.startedAt ? ` for ${formatDuration(now.getTime() - step.startedAt.getTime())}` : ""}`;
    case "completed":
      return `${mark} ${name}${took ? ` · ${took}` : ""}`;
    case "skipped":
      return `${mark} ${name} · skipped${step.reason ? `: ${escapeText(clip(step.reason, 200))}` : ""}`;
    case "failed":
      return `${mark} ${name} · failed${took ? ` after ${took}` : ""}`;
    case "cancelled":
      return `${mark} ${name} · cancelled${took ? ` after ${took}` : ""}`;
  }
}

function outputLinks(progress: TaskProgress, options: ProgressRenderOptions): Link[] {
  const shown: Link[] = [];
  for (const link of progress.task.output?.links ?? []) {
    const url =
      (link.url ? webUrl(link.url) : undefined) ??
      (link.entityRef ? options.entityUrl?.(link.entityRef) : undefined);
    const title = link.title ?? link.entityRef ?? link.url;
    if (url && title) shown.push({ title, url });
  }
  return shown;
}

/** `0.4 s`, `12 s`, `3 min 4 s`, `1 h 2 min`: as long as a person needs to read it. */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (safe < 10_000) return `${(safe / 1000).toFixed(1)} s`;
  const seconds = Math.round(safe / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
