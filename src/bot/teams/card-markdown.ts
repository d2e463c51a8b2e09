/**
 * Reply text uses a small markdown subset (`**bold**`, `_italic_`, `` `code` ``, `[t](u)`). Adaptive Card
 * TextBlocks understand bold, italic, links and lists, and have no inline code, so the parsed subset (markup.ts)
 * is written back out, keeping the author's markup and making the rest literal: a service name like
 * `my_service*` then shows as typed instead of turning half the card italic.
 *
 * Literal text is escaped only where a card renderer would otherwise read markup into it. Teams' mobile
 * clients show backslash escapes as backslashes, so a needless escape is a visible blemish
 * (`deps <name> \[--depth N\]` in help): a lone `*` or `_` cannot start emphasis, and brackets only make a
 * link when followed by "(".
 */
import { parseMarkup, plainText, type Inline } from "../../message/markup.ts";
import { hasMarkup, webUrl } from "../../message/reply.ts";

/** Output in order: the author's markup as written, literal text still to be escaped, and code spans. */
type Piece = { kind: "markup"; text: string } | { kind: "literal" | "code"; text: string; inLink?: boolean };

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;

/** Text that needs no escaping at all: most names, emails and sentences (renderers call this a lot). */
const NOTHING_TO_ESCAPE = /^(?![ \t]*(?:\d{1,9}[.)]|[-+*])(?:[ \t]|$))[^*_[\]\\\n]*$/;

export function escapeCardText(text: string): string {
  return NOTHING_TO_ESCAPE.test(text) ? text : writeCardText([{ kind: "literal", text }]);
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
  return cardMarkdown(parseMarkup(text));
}

/** Parsed reply markup (see markup.ts) as Adaptive Card TextBlock markdown. */
export function cardMarkdown(nodes: Inline[]): string {
  const pieces: Piece[] = [];
  collectPieces(nodes, { strong: false, inLink: false }, pieces);
  return writeCardText(pieces);
}

function collectPieces(nodes: Inline[], where: { strong: boolean; inLink: boolean }, out: Piece[]): void {
  const literal = (text: string): Piece =>
    where.inLink ? { kind: "literal", text, inLink: true } : { kind: "literal", text };
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out.push(literal(node.text));
        break;
      case "code":
        // Inside bold already: code shown as bold would nest bold in bold.
        out.push(where.strong ? literal(node.text) : { ...literal(node.text), kind: "code" });
        break;
      case "break":
        out.push({ kind: "markup", text: "\n\n" });
        break;
      case "strong":
        out.push({ kind: "markup", text: "**" });
        collectPieces(node.children, { ...where, strong: true }, out);
        out.push({ kind: "markup", text: "**" });
        break;
      case "em":
        out.push({ kind: "markup", text: "_" });
        collectPieces(node.children, where, out);
        out.push({ kind: "markup", text: "_" });
        break;
      case "link":
      case "person": {
        // A person shows as their name, linked to a Teams chat with them when their Teams name is known;
        // other platforms' handles (a Slack id) mean nothing here and are never shown.
        const href =
          node.type === "person"
            ? node.handles.teams && safeUrl(teamsChatUrl(node.handles.teams))
            : safeUrl(node.url);
        if (!href) {
          collectPieces(node.children, where, out);
          break;
        }
        out.push({ kind: "markup", text: "[" });
        collectPieces(node.children, { ...where, inLink: true }, out);
        out.push({ kind: "markup", text: `](${href})` });
        break;
      }
    }
  }
}

/** Write pieces out, escaping literal text only as far as the whole text needs it. */
function writeCardText(all: Piece[]): string {
  const input = all.filter((p) => p.text !== "");
  const pieces = input.flatMap((piece, i) =>
    piece.kind === "code" ? codePieces(piece.text, input[i - 1], input[i + 1], piece.inLink) : [piece],
  );
  const literal = pieces.filter((p) => p.kind !== "markup").map((p) => p.text);
  const markup = pieces.filter((p) => p.kind === "markup").map((p) => p.text);
  const count = (char: string) => literal.reduce((n, t) => n + t.split(char).length - 1, 0);
  const markupUses = (char: string) => markup.some((t) => t.includes(char));
  // Emphasis takes a pair of delimiters: one literal `*` alone, with no `*` markup beside it, stays as it is.
  const escapeStar = count("*") >= 2 || (count("*") >= 1 && markupUses("*"));
  const escapeUnderscore = count("_") >= 2 || (count("_") >= 1 && markupUses("_"));
  // A link needs "](": literal brackets without that are shown as typed.
  const escapeBrackets = pieces.some(
    (p, i) =>
      p.kind !== "markup" &&
      (p.text.includes("](") || (p.text.endsWith("]") && pieces[i + 1]?.text.startsWith("("))),
  );
  let out = "";
  for (const [i, piece] of pieces.entries()) {
    if (piece.kind === "markup") {
      out += piece.text;
      continue;
    }
    const next = pieces[i + 1]?.text[0];
    out += escapeLiteral(piece.text, out === "" || out.endsWith("\n"), next, {
      star: escapeStar,
      underscore: escapeUnderscore,
      brackets: escapeBrackets || piece.inLink === true,
    });
  }
  return out;
}

/**
 * Cards have no inline code; bold keeps a command apart from the words around it. Where bold would not
 * take (emphasis characters inside, or no word boundary for the delimiters), the code is plain text.
 */
function codePieces(
  code: string,
  before: Piece | undefined,
  after: Piece | undefined,
  inLink?: boolean,
): Piece[] {
  const plain: Piece[] = [{ kind: "literal", text: code, ...(inLink ? { inLink } : {}) }];
  if (!code.trim() || /[*_]/.test(code) || code !== code.trim()) return plain;
  // Beside the author's emphasis the delimiters would run together ("****").
  if (before?.kind === "markup" && /[*_]$/.test(before.text)) return plain;
  if (after?.kind === "markup" && /^[*_]/.test(after.text)) return plain;
  const prev = before?.text.at(-1) ?? " ";
  const next = after?.text[0] ?? " ";
  const opens = !ASCII_PUNCTUATION.test(code[0]!) || !WORD.test(prev);
  const closes = !ASCII_PUNCTUATION.test(code.at(-1)!) || !WORD.test(next);
  if (!opens || !closes) return plain;
  return [{ kind: "markup", text: "**" }, ...plain, { kind: "markup", text: "**" }];
}

function escapeLiteral(
  text: string,
  atLineStart: boolean,
  following: string | undefined,
  escape: { star: boolean; underscore: boolean; brackets: boolean },
): string {
  const lines = text.split("\n");
  return lines
    .map((line, index) => {
      let out = "";
      let rest = line;
      if (index > 0 || atLineStart) {
        // "1. x", "1) x", "- x", "+ x" and "* x" at the start of a line make a list.
        const marker = /^([ \t]*)(?:(\d{1,9})([.)])|([-+*]))(?=[ \t]|$)/.exec(line);
        if (marker) {
          out = marker[2] ? `${marker[1]}${marker[2]}\\${marker[3]}` : `${marker[1]}\\${marker[4]}`;
          rest = line.slice(marker[0].length);
        }
      }
      const lineEnd = index === lines.length - 1 ? following : "\n";
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i]!;
        const after = i + 1 < rest.length ? rest[i + 1] : lineEnd;
        if (c === "\\" && after !== undefined && ASCII_PUNCTUATION.test(after)) out += "\\\\";
        else if ((c === "*" && escape.star) || (c === "_" && escape.underscore)) out += `\\${c}`;
        else if ((c === "[" || c === "]") && escape.brackets) out += `\\${c}`;
        else out += c;
      }
      return out;
    })
    .join("\n");
}

/** Plain text (titles, fact labels, button labels): no markdown is interpreted there, so only strip the subset. */
export function toPlainText(text: string): string {
  return hasMarkup(text) ? plainText(parseMarkup(text)) : text;
}
