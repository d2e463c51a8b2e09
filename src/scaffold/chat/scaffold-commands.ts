import {
  actions,
  context,
  escapeText,
  header,
  reply,
  section,
  type Block,
  type Reply,
} from "../../message/reply.ts";
import type { ChatCommand, CommandContext } from "../../plugins/api.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { SHORT_ID, type ScaffoldTasks, type TaskSummary } from "../tasks/scaffold-tasks.ts";
import { actorOf } from "./chat-actor.ts";
import { retryWithSecrets } from "./retry-form.ts";
import { chatForm } from "./scaffold-form.ts";
import { formatDuration } from "./task-progress.ts";

const MAX_TEMPLATES = 20;
const MAX_TASKS = 15;
const LOG_LINES = 30;

export interface ScaffoldCommandDeps {
  scaffolder: Scaffolder;
  tasks: ScaffoldTasks;
  /** A task's progress as its message shows it, for `scaffold log`. */
  renderProgress(taskId: string): Promise<Reply | undefined>;
  now?: () => Date;
}

/**
 * Running templates from chat: `scaffold` (the templates this person may run, a button each), `scaffold
 * <template>` (its form), and the tasks they started: `scaffold tasks`, `scaffold log`, `scaffold cancel`,
 * `scaffold retry`. Every refusal says why and what to do instead.
 */
export function scaffoldCommands(deps: ScaffoldCommandDeps): ChatCommand[] {
  return [runCommand(deps), tasksCommand(deps), logCommand(deps), cancelCommand(deps), retryCommand(deps)];
}

function runCommand({ scaffolder, tasks }: ScaffoldCommandDeps): ChatCommand {
  return {
    name: "scaffold",
    phrases: ["scaffold", "create from template"],
    summary: "Create something new from a software template: pick one, fill in its form, and follow it here.",
    usage: "scaffold [template]",
    examples: ["scaffold", "scaffold node-service"],
    async handler(ctx) {
      const actor = actorOf(ctx.user);
      const wanted = ctx.args.trim();
      if (!wanted) return templateChoice(scaffolder, tasks, ctx);
      let template;
      try {
        template = await scaffolder.catalogTemplate(wanted);
      } catch (error) {
        if (error instanceof ScaffolderInputError) return refusal(error.message, "scaffold");
        throw error;
      }
      const permission = tasks.mayRun(template, actor);
      if (!permission.allowed) return refusal(permission.reason, "scaffold");
      const form = chatForm(template);
      const title = template.entity.metadata.title ?? template.entity.metadata.name;
      return { ...reply(`${title}: fill in the form to run it.`), form };
    },
  };
}

/** The templates this person may run, each with a button that opens its form. */
function templateChoice(scaffolder: Scaffolder, tasks: ScaffoldTasks, ctx: CommandContext): Reply {
  const actor = actorOf(ctx.user);
  const listed = scaffolder.listTemplates().filter((t) => t.runnable);
  const mine = listed.filter((t) => {
    const entity = scaffolder.entity(t.ref);
    return entity !== undefined && tasks.permissions.mayRun({ ref: t.ref, entity }, actor).allowed;
  });
  if (mine.length === 0) {
    return refusal(
      listed.length === 0
        ? "There are no templates Callboard may run here. `scaffold templates` lists the catalog's templates and why each cannot run."
        : `None of the ${listed.length} runnable templates is open to you: each names the groups that may run it. ` +
            "`scaffold templates` lists them; ask a template's owners to add you.",
      "scaffold templates",
    );
  }
  const blocks: Block[] = [header("Create from a template")];
  for (const template of mine.slice(0, MAX_TEMPLATES)) {
    const lines = [`**${escapeText(template.title)}** (\`${template.name}\`)`];
    if (template.description) lines.push(escapeText(template.description));
    blocks.push(section(lines.join("\n")));
    blocks.push(
      actions({
        label: `Create ${clip(template.title, 40)}`,
        command: `scaffold ${template.name}`,
        style: "primary",
      }),
    );
  }
  const hidden = listed.length - mine.length;
  const notes = [
    mine.length > MAX_TEMPLATES ? `${mine.length - MAX_TEMPLATES} more: \`scaffold <name>\` opens one.` : "",
    hidden > 0 ? `${hidden} more ${hidden === 1 ? "is" : "are"} limited to other groups.` : "",
    "`scaffold tasks` lists what you started.",
  ].filter(Boolean);
  blocks.push(context(notes.join(" ")));
  return reply(`Templates you can run: ${mine.map((t) => t.name).join(", ")}`, ...blocks);
}

function tasksCommand({ tasks, now }: ScaffoldCommandDeps): ChatCommand {
  return {
    name: "scaffold-tasks",
    phrases: ["scaffold tasks"],
    summary: "The scaffolder tasks you started (admins: `--all` for everyone's), newest first.",
    usage: "scaffold tasks [--all]",
    examples: ["scaffold tasks", "scaffold tasks --all"],
    async handler(ctx) {
      const all = ctx.flags.all === true || ctx.args.trim().toLowerCase() === "all";
      const listed = await tasks.list(actorOf(ctx.user), { scope: all ? "all" : "mine", limit: MAX_TASKS });
      if ("refused" in listed) return refusal(listed.refused, "scaffold tasks");
      if (listed.length === 0) {
        return {
          ...reply(
            all ? "Nobody has started a scaffolder task yet." : "You have not started any scaffolder task.",
            section(
              all ? "Nobody has started a scaffolder task yet." : "You have not started any scaffolder task.",
            ),
            context("`scaffold` lists the templates you can run."),
          ),
          ephemeral: true,
        };
      }
      const at = (now ?? (() => new Date()))();
      const blocks: Block[] = [header(all ? "Scaffolder tasks" : "Your scaffolder tasks")];
      for (const task of listed) blocks.push(section(taskLine(task, at, all)), actions(...taskButtons(task)));
      return {
        ...reply(
          `${listed.length} tasks: ${listed.map((t) => `${t.id.slice(0, SHORT_ID)} ${t.title} ${t.status}`).join(", ")}`,
          ...blocks,
        ),
        ephemeral: true,
      };
    },
  };
}

function taskLine(task: TaskSummary, now: Date, withOwner: boolean): string {
  const age = formatDuration(now.getTime() - task.createdAt.getTime());
  const status = task.cancelling ? "cancelling" : task.status;
  const who = withOwner ? ` · by ${escapeText(task.createdBy)}` : "";
  const why = task.error ? `\n${escapeText(clip(task.error, 200))}` : "";
  return `\`${task.id.slice(0, SHORT_ID)}\` **${escapeText(task.title)}** · ${status} · ${age} ago${who}${why}`;
}

function taskButtons(task: TaskSummary) {
  const buttons = [{ label: "Log", command: `scaffold log ${task.id}` }];
  if (task.status === "failed" || task.status === "cancelled") {
    buttons.push({ label: "Retry", command: `scaffold retry ${task.id}` });
  }
  if ((task.status === "open" || task.status === "processing") && !task.cancelling) {
    buttons.push({ label: "Cancel", command: `scaffold cancel ${task.id}` });
  }
  return buttons;
}

function logCommand({ tasks, renderProgress }: ScaffoldCommandDeps): ChatCommand {
  return {
    name: "scaffold-log",
    phrases: ["scaffold log"],
    summary: "A scaffolder task's progress and the last lines of its log.",
    usage: "scaffold log <task>",
    examples: ["scaffold log 3f2a9c1e"],
    async handler(ctx) {
      const id = taskIdOf(ctx);
      if (!id) return refusal("Which task? Give its id, as `scaffold tasks` shows it.", "scaffold log");
      const found = await tasks.log(id, actorOf(ctx.user), { limit: 10_000 });
      if ("refused" in found) return refusal(found.refused, "scaffold log");
      const entries = found.entries.filter((e) => e.level !== "debug").slice(-LOG_LINES);
      const lines = entries.map((e) =>
        `${e.stepId ? `[${e.stepId}] ` : ""}${e.message}`.replace(/```/g, "'''"),
      );
      const progress = await renderProgress(found.task.id);
      const blocks: Block[] = [...(progress?.blocks ?? [])];
      blocks.push(
        lines.length > 0
          ? section(`\`\`\`\n${clip(lines.join("\n"), 2800)}\n\`\`\``)
          : section("Nothing in its log yet."),
      );
      if (found.entries.length > entries.length) {
        blocks.push(context(`The last ${entries.length} of ${found.entries.length} log lines.`));
      }
      return {
        ...reply(
          `Task ${found.task.id.slice(0, SHORT_ID)} (${found.task.title}): ${found.task.status}`,
          ...blocks,
        ),
        ephemeral: true,
      };
    },
  };
}

function cancelCommand({ tasks }: ScaffoldCommandDeps): ChatCommand {
  return {
    name: "scaffold-cancel",
    phrases: ["scaffold cancel"],
    summary: "Cancel a scaffolder task: a queued one at once, a running one by stopping its step.",
    usage: "scaffold cancel <task>",
    examples: ["scaffold cancel 3f2a9c1e"],
    async handler(ctx) {
      const id = taskIdOf(ctx);
      if (!id) return refusal("Which task? Give its id, as `scaffold tasks` shows it.", "scaffold cancel");
      const done = await tasks.cancel(id, actorOf(ctx.user));
      return done.ok ? note(done.message) : refusal(done.reason, "scaffold cancel");
    },
  };
}

function retryCommand({ tasks }: ScaffoldCommandDeps): ChatCommand {
  return {
    name: "scaffold-retry",
    phrases: ["scaffold retry"],
    summary:
      "Run a failed or cancelled task again from the step that did not complete; completed steps are kept.",
    usage: "scaffold retry <task>",
    examples: ["scaffold retry 3f2a9c1e"],
    async handler(ctx) {
      const id = taskIdOf(ctx);
      if (!id) return refusal("Which task? Give its id, as `scaffold tasks` shows it.", "scaffold retry");
      const actor = actorOf(ctx.user);
      const done = await tasks.retry(id, actor);
      if (done.ok) return note(`${done.message} Its progress message shows the rest.`);
      // Secrets are never typed into a chat message: a form with masked fields asks for them.
      if (/needs its secrets again/.test(done.reason)) {
        const asking = await retryWithSecrets(tasks, id, actor);
        if (asking) return asking;
      }
      return refusal(done.reason, "scaffold retry");
    },
  };
}

/** The task id a person typed: the first word, as listings show it (8 characters or the whole id). */
function taskIdOf(ctx: CommandContext): string | undefined {
  const first = ctx.args.trim().split(/\s+/)[0];
  return first && first.length <= 64 ? first : undefined;
}

function note(text: string): Reply {
  return { ...reply(text, section(escapeText(text))), ephemeral: true };
}

/** A refusal, for the person who asked: why, and the command that helps. */
function refusal(text: string, help: string): Reply {
  return {
    ...reply(text, section(escapeText(text)), context(`\`help ${help}\` says more.`)),
    ephemeral: true,
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
