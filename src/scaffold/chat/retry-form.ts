import type { Form } from "../../message/form.ts";
import { escapeText, reply, section, type Reply } from "../../message/reply.ts";
import type { FormDefinition } from "../../plugins/api.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import { SHORT_ID, type ScaffoldTasks } from "../tasks/scaffold-tasks.ts";
import { actorOf } from "./chat-actor.ts";

/** The form a retry opens when the task had secrets: they were deleted when it ended, so they are asked again. */
export const RETRY_FORM = "scaffold-retry";

/**
 * Retrying a task that had secrets: one page with a masked field for each secret the task needs again (never
 * typed into a chat message), then the retry. The form's state is the task id; the secrets go to the task,
 * sealed, and never into the form's stored values in clear (the chat core seals secret fields).
 */
export function retryForm(tasks: ScaffoldTasks): FormDefinition {
  return {
    id: RETRY_FORM,
    async open(ctx) {
      const form = await retrySecretsForm(tasks, ctx.args.trim(), actorOf(ctx.user));
      if ("refused" in form) throw new ScaffolderInputError(form.refused);
      return form;
    },
    validate: () => ({}),
    async submit(form, values, ctx) {
      const secrets: Record<string, string> = {};
      for (const [name, value] of Object.entries(values)) {
        if (typeof value === "string" && value !== "") secrets[name] = value;
      }
      const done = await tasks.retry(form.state ?? "", actorOf(ctx.user), secrets);
      const text = done.ok ? `${done.message} Its progress message shows the rest.` : done.reason;
      return { ...reply(text, section(escapeText(text))), ephemeral: true };
    },
  };
}

/** The secrets form for a task, or why there is none (not theirs, not retryable, no secrets). */
export async function retrySecretsForm(
  tasks: ScaffoldTasks,
  taskId: string,
  actor: { id: string; userRef?: string },
): Promise<Form | { refused: string }> {
  const seen = await tasks.get(taskId, actor);
  if ("refused" in seen) return seen;
  if (seen.status !== "failed" && seen.status !== "cancelled") {
    return { refused: `Task ${seen.id} is ${seen.status}; only a failed or cancelled task can be retried.` };
  }
  const progress = await tasks.progress(seen.id);
  if (!progress || progress.secretNames.length === 0) {
    return {
      refused: `Task ${seen.id} has no secrets to ask for; \`scaffold retry ${seen.id}\` retries it.`,
    };
  }
  return {
    id: RETRY_FORM,
    title: `Retry ${seen.id.slice(0, SHORT_ID)}`,
    submitLabel: "Retry",
    state: seen.id,
    pages: [
      {
        title: "Secrets",
        description: `${seen.title} had secrets, deleted when it ended. Type them again to retry it.`,
        fields: progress.secretNames.map((name) => ({
          name,
          label: name,
          kind: "secret" as const,
          secret: true,
          required: true,
        })),
      },
    ],
  };
}

/** A retry refused for want of secrets answers with the form that asks for them. */
export async function retryWithSecrets(
  tasks: ScaffoldTasks,
  taskId: string,
  actor: { id: string; userRef?: string },
): Promise<Reply | undefined> {
  const form = await retrySecretsForm(tasks, taskId, actor);
  if ("refused" in form) return undefined;
  return {
    ...reply(
      `${form.title}: its secrets are needed again.`,
      section("Its secrets are needed again; the form asks for them."),
    ),
    form,
    ephemeral: true,
  };
}
