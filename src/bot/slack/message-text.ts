import { oversizedCommandText } from "../core/router.ts";

/**
 * Slack message text → what the person typed: the bot's own mention is removed wherever it is, entities
 * are decoded, and links and channel/user references keep only what a command can use.
 */
export function messageText(text: string, botUserId?: string): string {
  const oversized = oversizedCommandText(text);
  if (oversized !== undefined) return oversized;
  // Slack sends a literal "<" as &lt;, so no reference contains one: stopping at "<" keeps each pattern
  // linear (with [^>]*, "<@U1|<@U1|…" rescanned the rest of the text from every "<").
  let out = text;
  if (botUserId) out = out.replace(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^<>]*)?>`, "g"), " ");
  else out = out.replace(/^\s*<@[UW][A-Z0-9]+(\|[^<>]*)?>/, " ");
  out = out
    .replace(/<((?:https?|mailto):[^|<>]+)\|[^<>]*>/g, "$1")
    .replace(/<((?:https?|mailto):[^<>]+)>/g, "$1")
    .replace(/<#[A-Z0-9]+\|([^<>]*)>/g, "#$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return out.replace(/\s+/g, " ").trim();
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
