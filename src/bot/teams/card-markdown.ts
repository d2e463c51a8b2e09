import { hasMarkup, personHandles, webUrl } from "../../message/reply.ts";
import MarkdownIt from "markdown-it";

/**
 * Reply text uses a small markdown subset (`**bold**`, `_italic_`, `` `code` ``, `[t](u)`). Adaptive Card
 * TextBlocks understand bold, italic and links but also lists and more, and Teams shows no inline code, so
 * the subset is parsed with markdown-it (only those rules on) and written back out with everything else
 * escaped: a service name like `my_service*` then shows as typed instead of turning half the card italic.
 */
const parser = new MarkdownIt("zero").enable(["emphasis", "link", "backticks", "escape", "newline"]);

/** Only what the card renderer would interpret: fewer backslashes for clients that show them literally. */
const SPECIAL = /([\\*_[\]])/g;

export function escapeCardText(text: string): string {
  return (
    text
      .replace(SPECIAL, "\\$1")
      // A line starting "1." or "- " would become a list.
      .replace(/^(\s*\d+)\./gm, "$1\\.")
      .replace(/^(\s*)([-+])(\s)/gm, "$1\\$2$3")
  );
}

function safeUrl(href: string): string | undefined {
  // Normalised (spaces encoded) and with parentheses escaped, which would end the markdown link early.
  const url = webUrl(href);
  return url ? new URL(url).href.replace(/\(/g, "%28").replace(/\)/g, "%29") : undefined;
}

/** Teams' deep link that opens a chat with one person, by their user principal name. */
function teamsChatUrl(userPrincipalName: string): string {
  return `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(userPrincipalName)}`;
}

/** Reply markdown subset to Adaptive Card TextBlock markdown. */
export function toCardMarkdown(text: string): string {
  if (!hasMarkup(text)) return escapeCardText(text);
  const tokens = parser.parseInline(text, {})[0]?.children ?? [];
  let out = "";
  let linkHref: string | undefined;
  let linkText = "";
  const emit = (piece: string) => {
    if (linkHref !== undefined) linkText += piece;
    else out += piece;
  };
  for (const token of tokens) {
    switch (token.type) {
      case "text":
        emit(escapeCardText(token.content));
        break;
      case "code_inline":
        emit(escapeCardText(token.content));
        break;
      case "strong_open":
      case "strong_close":
        emit("**");
        break;
      case "em_open":
      case "em_close":
        emit("_");
        break;
      case "softbreak":
      case "hardbreak":
        emit("\n\n");
        break;
      case "link_open": {
        const href = String(token.attrGet("href") ?? "");
        const person = personHandles(href);
        // A person shows as their name, linked to a Teams chat with them when their Teams name is known;
        // other platforms' handles (a Slack id) mean nothing here and are never shown.
        linkHref = (person ? person.teams && safeUrl(teamsChatUrl(person.teams)) : safeUrl(href)) || "";
        linkText = "";
        break;
      }
      case "link_close": {
        const href = linkHref;
        linkHref = undefined;
        out += href ? `[${linkText}](${href})` : linkText;
        break;
      }
      default:
        emit(escapeCardText(token.content));
    }
  }
  return out;
}

/** Plain text (titles, fact labels, button labels): no markdown is interpreted there, so only strip the subset. */
export function toPlainText(text: string): string {
  if (!hasMarkup(text)) return text;
  const tokens = parser.parseInline(text, {})[0]?.children ?? [];
  return tokens
    .map((t) =>
      t.type === "text" || t.type === "code_inline"
        ? t.content
        : t.type === "softbreak" || t.type === "hardbreak"
          ? " "
          : "",
    )
    .join("");
}
