import { parseMarkup, plainText, type Inline } from "../../message/markup.ts";

/**
 * The Reply markdown subset as Slack mrkdwn, by walking the one parsed structure (src/message/markup.ts):
 * strong → *x*, em → _x_, code → `x`, link → <url|label>, a person → <@U…> when Slack knows them.
 */

/** A Slack user id (W… on Enterprise Grid); anything else in a handle must not reach a `<@…>`. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** Slack's three control characters; everything else is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function toMrkdwn(markdown: string): string {
  return mrkdwn(parseMarkup(markdown));
}

function mrkdwn(nodes: Inline[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out += escapeMrkdwn(node.text);
        break;
      case "strong":
        out += `*${mrkdwn(node.children)}*`;
        break;
      case "em":
        out += `_${mrkdwn(node.children)}_`;
        break;
      case "code":
        out += `\`${escapeMrkdwn(node.text)}\``;
        break;
      case "break":
        out += "\n";
        break;
      case "link":
        // Inside <url|label> a "|" would end the label early; the label keeps its words.
        out += `<${escapeMrkdwn(node.url)}|${mrkdwn(node.children).replace(/\|/g, "¦")}>`;
        break;
      case "person": {
        // A person Slack knows is mentioned, so Slack shows their current name and profile; anyone else keeps
        // the label (escaped like all text, so a name like "<!channel>" stays text).
        const id = node.handles.slack;
        out += id && SLACK_USER_ID.test(id) ? `<@${id}>` : mrkdwn(node.children);
        break;
      }
    }
  }
  return out;
}

/** The markdown subset as plain text, for plain_text objects (headers, buttons, modal titles). */
export function toPlainText(markdown: string): string {
  return plainText(parseMarkup(markdown));
}

/** Cut to `max` characters, ending in an ellipsis when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Split mrkdwn into pieces of at most `max` characters, preferring line then word boundaries and never
 * cutting inside a `<url|label>` link or an `&amp;` entity.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = rest.lastIndexOf(" ", max);
    if (cut < max / 2) cut = max;
    cut = safeCut(rest, cut);
    chunks.push(rest.slice(0, cut).trimEnd() || rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]+/, "");
  }
  if (rest.trim().length > 0) chunks.push(rest);
  return chunks;
}

/** Cut mrkdwn to `max` characters with an ellipsis, keeping links and entities whole. */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1)).trimEnd()}…`;
}

function safeCut(text: string, at: number): number {
  let cut = at;
  const open = text.lastIndexOf("<", cut - 1);
  if (open >= 0 && text.lastIndexOf(">", cut - 1) < open && open > 0) cut = open;
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && cut - amp < 5 && !text.slice(amp, cut).includes(";")) cut = amp > 0 ? amp : cut;
  return cut;
}
