/**
 * The markdown subset of the middle language (see reply.ts), parsed once into one structure that every
 * renderer walks: Slack writes it as mrkdwn, Teams as card markdown, the terminal as plain text. markdown-it
 * does the parsing with only the subset's rules on, so escapes, nesting and unclosed marks behave the same on
 * every surface, and anything outside the subset is text.
 */
import MarkdownIt from "markdown-it";
import { hasMarkup, personHandles, webUrl, type ChatHandles } from "./reply.ts";

export type Inline =
  | { type: "text"; text: string }
  | { type: "strong"; children: Inline[] }
  | { type: "em"; children: Inline[] }
  | { type: "code"; text: string }
  /** A web or mail link (`url` passed webUrl); a link to anything else is parsed as its label alone. */
  | { type: "link"; url: string; children: Inline[] }
  /** A person (see `person` in reply.ts): each surface shows its own handle, or the label. */
  | { type: "person"; handles: ChatHandles; children: Inline[] }
  | { type: "break" };

const parser = new MarkdownIt("zero").enable(["emphasis", "backticks", "link", "escape", "newline"]);
// markdown-it's own newline rule drops the spaces that start the next line, which flattened every indented
// answer (the dependency tree of `deps --depth 3`). Chat text is not a markdown paragraph: a line break is a
// break, trailing spaces before it go, and the next line's leading spaces stay, as text.
parser.inline.ruler.at("newline", (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x0a) return false;
  if (!silent) {
    state.pending = state.pending.replace(/ +$/, "");
    state.push("softbreak", "br", 0);
  }
  state.pos++;
  return true;
});

/** Text longer than this is not parsed as markup: it is shown as text (no answer block is near it). */
const MAX_MARKUP_CHARS = 20_000;

export function parseMarkup(text: string): Inline[] {
  if (!hasMarkup(text) || text.length > MAX_MARKUP_CHARS) return text ? [{ type: "text", text }] : [];
  const tokens = parser.parseInline(text, {})[0]?.children ?? [];
  const root: Inline[] = [];
  // Where nodes go: the innermost open container's children. markdown-it balances open and close tokens.
  const stack: Inline[][] = [root];
  const add = (node: Inline) => {
    const into = stack[stack.length - 1]!;
    const last = into[into.length - 1];
    if (node.type === "text" && last?.type === "text") last.text += node.text;
    else into.push(node);
  };
  const open = (node: Extract<Inline, { children: Inline[] }>) => {
    add(node);
    stack.push(node.children);
  };
  const close = () => {
    if (stack.length > 1) stack.pop();
  };
  for (const token of tokens) {
    switch (token.type) {
      case "text":
        if (token.content) add({ type: "text", text: token.content });
        break;
      case "code_inline":
        add({ type: "code", text: token.content });
        break;
      case "softbreak":
      case "hardbreak":
        add({ type: "break" });
        break;
      case "strong_open":
        open({ type: "strong", children: [] });
        break;
      case "em_open":
        open({ type: "em", children: [] });
        break;
      case "link_open": {
        const href = String(token.attrGet("href") ?? "");
        const handles = personHandles(href);
        const url = handles ? undefined : webUrl(href);
        if (handles) open({ type: "person", handles, children: [] });
        else if (url) open({ type: "link", url, children: [] });
        // A link to anything else (javascript:, file:) keeps only its label, in the container it is in.
        else stack.push(stack[stack.length - 1]!);
        break;
      }
      case "strong_close":
      case "em_close":
      case "link_close":
        close();
        break;
      default:
        if (token.content) add({ type: "text", text: token.content });
    }
  }
  return root;
}

/** The text a person reads, without marks: for plain-text places (headers, button labels, titles). */
export function plainText(nodes: Inline[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
      case "code":
        out += node.text;
        break;
      case "break":
        out += " ";
        break;
      default:
        out += plainText(node.children);
    }
  }
  return out;
}
