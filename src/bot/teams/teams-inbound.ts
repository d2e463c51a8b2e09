import { TurnContext, type Activity } from "botbuilder";
import type { Conversation } from "../../plugins/api.ts";
import { decodeActionPayload, type ActionPayload } from "../core/action-codec.ts";
import { oversizedCommandText } from "../core/router.ts";
import { addressOf } from "./teams-address.ts";

/**
 * What Teams sends, as the chat core's neutral input: the typed text without the bot's mention, the
 * conversation (with the address a command can post to later), and what a pressed button carries.
 */

/**
 * The text with every mention of this bot removed, wherever it appears ("<at>Callboard</at> who owns x",
 * "who owns x <at>Callboard</at>?"). Mentions of other people stay as their plain names. Teams sends
 * `&nbsp;` and line breaks around mentions; those become single spaces.
 */
export function commandText(activity: Partial<Activity>): string {
  let text = activity.text ?? "";
  const oversized = oversizedCommandText(text);
  if (oversized !== undefined) return oversized;
  const botId = activity.recipient?.id;
  // Each mention is a pass over the text, so only the first few (the bot's own first) are; the <at> tags of
  // any others are stripped below in one pass.
  const mentions = TurnContext.getMentions(activity);
  mentions.sort((a, b) => Number(b.mentioned?.id === botId) - Number(a.mentioned?.id === botId));
  for (const mention of mentions.slice(0, MAX_MENTIONS)) {
    const shown = mention.text ?? "";
    if (!shown) continue;
    if (mention.mentioned?.id === botId) text = text.split(shown).join(" ");
    else text = text.split(shown).join(shown.replace(/<\/?at>/g, ""));
  }
  return text
    .replace(/&nbsp;/gi, " ")
    .replace(/<at>[^<]*<\/at>/gi, (m) => m.replace(/<\/?at>/gi, ""))
    .replace(/\s+/g, " ")
    .trim();
}

/** Mentions in one command whose text is rewritten one by one (a command mentions the bot and a person or two). */
const MAX_MENTIONS = 10;

/** Where an activity happened, with the address the outbox posts to later (into the same reply chain). */
export function conversationOf(activity: Partial<Activity>): Conversation {
  const address = addressOf(activity);
  return {
    surface: "teams",
    channelId: activity.conversation?.id,
    ...(activity.replyToId ? { threadId: activity.replyToId } : activity.id ? { threadId: activity.id } : {}),
    ...(address ? { address } : {}),
  };
}

/**
 * What a pressed card button carries: the action codec's payload. Cards posted by earlier versions carried
 * `{command}`, `{form, args}` and `{more}`; a press on one of those still runs its command or opens its form,
 * and an old "Show more" says the answer has expired.
 */
export function cardPayload(data: unknown): ActionPayload | undefined {
  const payload = decodeActionPayload(data);
  if (payload || !data || typeof data !== "object" || Array.isArray(data)) return payload;
  const { command, form, args, more } = data as Record<string, unknown>;
  if (typeof command === "string") return { command };
  if (typeof more === "string") return { continuation: more };
  if (typeof form === "string") {
    // "session:<id>" named a form state the old store kept; the form opens afresh instead.
    const kept = typeof args === "string" && args && !args.startsWith("session:") ? { args } : {};
    return { form, ...kept };
  }
  return undefined;
}
