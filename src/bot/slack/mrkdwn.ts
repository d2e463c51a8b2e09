import MarkdownIt from "markdown-it";
import { hasMarkup, personHandles } from "../../message/reply.ts";

/**
 * The Reply markdown subset (`**bold**`, `_italic_`, `` `code` ``, `[title](url)`, backslash escapes)
 * turned into Slack mrkdwn. markdown-it does the parsing so escapes and nesting behave as in the other
 * renderers; only inline rules are enabled, nothing else is interpreted.
 */
const parser = new MarkdownIt("zero").enable(["emphasis", "backticks", "link", "escape", "newline"]);

/** A Slack user id (W… on Enterprise Grid); anything else in a handle must not reach a `<@…>`. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** Slack's three control characters; everything else is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function toMrkdwn(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split("\n");
  lines.forEach((line, index) => {
    if (index > 0) out.push("\n");
    out.push(inlineToMrkdwn(line));
  });
  return out.join("");
}

function inlineToMrkdwn(line: string): string {
  if (line.length === 0) return "";
  if (!hasMarkup(line)) return escapeMrkdwn(line);
  const tokens = parser.parseInline(line, {})[0]?.children ?? [];
  let out = "";
  const linkStack: { href: string; start: number }[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "text":
        out += escapeMrkdwn(token.content);
        break;
      case "strong_open":
      case "strong_close":
        out += "*";
        break;
      case "em_open":
      case "em_close":
        out += "_";
        break;
      case "code_inline":
        out += `\`${escapeMrkdwn(token.content)}\``;
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "link_open":
        linkStack.push({ href: String(token.attrGet("href") ?? ""), start: out.length });
        break;
      case "link_close": {
        const link = linkStack.pop();
        if (!link) break;
        const person = personHandles(link.href);
        if (person) {
          // A person Slack knows is mentioned, so Slack shows their current name and profile; anyone
          // else keeps the label (already escaped, so a name like "<!channel>" stays text).
          const id = person.slack;
          if (id && SLACK_USER_ID.test(id)) out = `${out.slice(0, link.start)}<@${id}>`;
          break;
        }
        // Inside <url|label> a "|" or ">" would end the label early; the label keeps its words.
        const label = out.slice(link.start).replace(/\|/g, "¦");
        out = `${out.slice(0, link.start)}<${escapeMrkdwn(link.href)}|${label}>`;
        break;
      }
      default:
        out += escapeMrkdwn(token.content);
    }
  }
  return out;
}

/** The markdown subset as plain text, for plain_text objects (headers, buttons, modal titles). */
export function toPlainText(markdown: string): string {
  if (!hasMarkup(markdown)) return markdown;
  const tokens = parser.parseInline(markdown.replace(/\n/g, " "), {})[0]?.children ?? [];
  return tokens
    .map((t) =>
      t.type === "text" || t.type === "code_inline" ? t.content : t.type.endsWith("break") ? " " : "",
    )
    .join("");
}

/** Cut to `max` characters, ending in an ellipsis when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
