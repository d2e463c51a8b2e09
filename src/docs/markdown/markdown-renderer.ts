/**
 * Markdown to HTML the way mkdocs-techdocs-core sets Python-Markdown up, with markdown-it and well-kept
 * plugins: tables, fenced code highlighted on the server, admonitions and collapsible details, GitHub alerts,
 * content tabs, footnotes, attribute lists, definition lists, abbreviations, task lists, emoji shortcodes,
 * ==mark==, ~~del~~, ^sup^/~sub~, magic links, Graphviz diagrams. Headings get mkdocs' anchors and a
 * permalink. The HTML is not yet safe to serve: page-html.ts sanitises it and rewrites its links, either on
 * the tokens before rendering (pages without raw HTML, see TokenPolicy) or with the sanitiser afterwards.
 */
import MarkdownIt, { type MarkdownIt as MarkdownItInstance, type StateCore, type Token } from "markdown-it";
import abbr from "markdown-it-abbr";
import attrs from "markdown-it-attrs";
import deflist from "markdown-it-deflist";
import { full as emoji } from "markdown-it-emoji";
import footnote from "markdown-it-footnote";
import githubAlerts from "markdown-it-github-alerts";
import mark from "markdown-it-mark";
import sub from "markdown-it-sub";
import sup from "markdown-it-sup";
import taskLists from "markdown-it-task-lists";
import type { DocSection, TocEntry } from "../model.ts";
import { LIMITS } from "../model.ts";
import { loadGraphviz, renderDot } from "./graphviz.ts";
import { highlightCode } from "./highlight.ts";
import { indentedBlocks } from "./indented-blocks.ts";
import { slugify, uniqueId } from "./slugify.ts";

/**
 * Applies the page sanitiser's policy to a page's tokens and says whether it could (page-html.ts). Given only
 * pages with no raw HTML of their author's and no diagram; `customRules` are the token types with their own
 * rendering rule.
 */
export type TokenPolicy = (tokens: Token[], customRules: ReadonlySet<string>) => boolean;

/** Set on a page's env when its source holds raw HTML (before plugins add HTML tokens of their own). */
const RAW_HTML = Symbol("raw HTML");

/** Per page: what rendering found worth telling the site's owner. */
export interface RenderEnv {
  notes: string[];
  tabSets?: number;
  /** Plugins keep their own state here (footnotes, abbreviations). */
  [plugin: string | symbol]: unknown;
}

export interface RenderedMarkdown {
  /** Unsanitised HTML, unless `safe`. */
  html: string;
  /**
   * True when the token policy passed to render accepted the page and was applied to its tokens: the HTML
   * is then safe to serve as it is. False for a page with raw HTML or a diagram, or one the policy refused.
   */
  safe: boolean;
  /** Text of the first h1, when there is one (the page title, as mkdocs takes it). */
  h1?: string;
  toc: TocEntry[];
  sections: DocSection[];
  /** Plain text of the first paragraph, capped. */
  summary: string;
}

type Viz = Awaited<ReturnType<typeof loadGraphviz>>;

// markdown-it's own escaper, taken once: building a MarkdownIt instance to reach it cost a parser set-up
// (linkify, rule chains) on every code block.
const escape = new MarkdownIt().utils.escapeHtml;

const GRAPHVIZ = new Set(["dot", "graphviz"]);
const LANGUAGE_ALIASES: Record<string, string> = {
  sh: "bash",
  zsh: "bash",
  console: "shell",
  js: "javascript",
  jsx: "javascript",
  ts: "typescript",
  tsx: "typescript",
  yml: "yaml",
  py: "python",
  html: "xml",
  toml: "ini",
  docker: "dockerfile",
  proto: "protobuf",
  md: "markdown",
  text: "plaintext",
  txt: "plaintext",
  "c#": "csharp",
  golang: "go",
};

export class MarkdownRenderer {
  /** Token types with their own rendering rule (a token policy must know what each of them writes). */
  private readonly customRules: ReadonlySet<string>;

  private constructor(private readonly md: MarkdownItInstance) {
    this.customRules = new Set(Object.keys(md.renderer.rules));
  }

  /** `everyRuleOnEveryPage` runs attrs and emoji on pages they have nothing to do on too (for tests). */
  static async create(options: { everyRuleOnEveryPage?: boolean } = {}): Promise<MarkdownRenderer> {
    const viz = await loadGraphviz();
    // Raw HTML is allowed as in Python-Markdown (md_in_html); the sanitiser decides what stays.
    const md = new MarkdownIt({ html: true, linkify: true, typographer: false });
    // Magic links: bare URLs and www. links only, not every word that looks like a domain (README.md).
    md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });
    md.use(attrs, {
      allowedAttributes: ["id", "class", /^data-[\w-]+$/, "title", "width", "height", "align"],
    })
      .use(deflist)
      .use(abbr)
      .use(footnote)
      .use(taskLists, { enabled: false, label: true })
      .use(mark)
      .use(sub)
      .use(sup)
      // Shortcodes only (:rocket:), as pymdownx.emoji: no text smileys, which also cost time on every line.
      .use(emoji, { shortcuts: {} })
      .use(githubAlerts)
      .use(indentedBlocks);
    if (!options.everyRuleOnEveryPage) skipRulesWithNothingToDo(md);
    md.renderer.rules.fence = (tokens, idx, _options, env) =>
      renderFence(tokens[idx]!, env as unknown as RenderEnv, viz);
    md.renderer.rules.heading_close = (tokens, idx) => {
      const id = tokens[idx]!.meta?.anchor as string | undefined;
      const link = id
        ? `<a class="headerlink" href="#${md.utils.escapeHtml(id)}" title="Permanent link">¶</a>`
        : "";
      return `${link}</${tokens[idx]!.tag}>\n`;
    };
    md.core.ruler.push("mkdocs_anchors", assignAnchors);
    flagRawHtml(md);
    return new MarkdownRenderer(md);
  }

  /**
   * `policy`, when given, is tried on pages without raw HTML or diagrams; `safe` in the result says whether
   * it was applied (then the HTML needs no sanitiser).
   */
  render(source: string, env: RenderEnv, policy?: TokenPolicy): RenderedMarkdown {
    const tokens = this.md.parse(source, env);
    const safe =
      policy !== undefined &&
      env[RAW_HTML] !== true &&
      !tokens.some((t) => t.type === "fence" && GRAPHVIZ.has(fenceLanguage(t.info))) &&
      policy(tokens, this.customRules);
    const html = this.md.renderer.render(tokens, this.md.options, env);
    return { html, safe, ...outline(tokens) };
  }
}

/**
 * Two plugins' core rules scan every page though most pages hold nothing for them, and each is skipped on a
 * page where it provably finds nothing, which is exactly what running it would have left:
 *
 * - markdown-it-attrs tries each of its dozen token patterns at every token, through a generic matcher (about
 *   a tenth of a build's CPU). Every pattern that changes the output needs its left delimiter `{` in a token's
 *   `info` (fences) or `content` (inline tokens and their text children; code is never read for it); the two
 *   that do not (table "thead metadata" and "tbody calculate") only record column counts in token meta and
 *   act on cells with rowspan/colspan, which only attributes can give.
 * - markdown-it-emoji tests every text token against one regular expression of all 1,900 `:shortcode:`s; with
 *   text smileys off (see create) every alternative holds a `:`.
 */
function skipRulesWithNothingToDo(md: MarkdownItInstance): void {
  onlyWhere(md, "curly_attributes", "curlyAttrs", holdsBrace);
  onlyWhere(md, "emoji", "emoji_replace", holdsColon);
}

/** Runs core rule `name` (a plugin's function `fn`) only on pages with a token for which `needed` holds. */
function onlyWhere(
  md: MarkdownItInstance,
  name: string,
  fn: string,
  needed: (token: Token) => boolean,
): void {
  const rule = md.core.ruler.getRules("").find((r) => r.name === fn);
  if (!rule)
    throw new Error(`markdown-it core rule ${name} (function ${fn}) not found: did its plugin change?`);
  md.core.ruler.at(name, (state) => {
    if (state.tokens.some(needed)) rule(state);
  });
}

/** Where markdown-it-attrs looks for `{`: a token's info, an inline token's content and its text children. */
function holdsBrace(token: Token): boolean {
  if (token.info.includes("{")) return true;
  if (token.type !== "inline") return false;
  if (token.content.includes("{")) return true;
  return (
    token.children?.some(
      (child) => child.info.includes("{") || (child.type === "text" && child.content.includes("{")),
    ) ?? false
  );
}

/** Where markdown-it-emoji looks for `:`: the text children of inline tokens. */
function holdsColon(token: Token): boolean {
  if (token.type !== "inline") return false;
  return (
    token.content.includes(":") ||
    (token.children?.some((child) => child.type === "text" && child.content.includes(":")) ?? false)
  );
}

/**
 * Sets RAW_HTML on the page's env whenever markdown-it's HTML rules match, rather than by looking for their
 * tokens in the page: plugins keep tokens elsewhere (inline footnotes' live in the footnote list until
 * footnote_tail moves them) and add HTML tokens of their own (task lists), so only the rules themselves know
 * every piece of the author's HTML. Matches in silent mode (link label scans) count too: more pages go to the
 * sanitiser, never fewer.
 */
function flagRawHtml(md: MarkdownItInstance): void {
  const block = md.block.ruler.getRules("").find((r) => r.name === "html_block");
  const inline = md.inline.ruler.getRules("").find((r) => r.name === "html_inline");
  if (!block || !inline) throw new Error("markdown-it's html_block or html_inline rule not found");
  md.block.ruler.at(
    "html_block",
    (state, startLine, endLine, silent) => {
      const found = block(state, startLine, endLine, silent);
      if (found) (state.env as RenderEnv)[RAW_HTML] = true;
      return found;
    },
    { alt: ["paragraph", "reference", "blockquote"] },
  );
  md.inline.ruler.at("html_inline", (state, silent) => {
    const found = inline(state, silent);
    if (found) (state.env as RenderEnv)[RAW_HTML] = true;
    return found;
  });
}

/** A fence's language as its info string gives it (`ts`, `{.ts}`, `.ts title="x"`), lower case. */
function fenceLanguage(info: string): string {
  return (info.trim().split(/\s+/)[0] ?? "")
    .replace(/^\{?\.?/, "")
    .replace(/\}$/, "")
    .toLowerCase();
}

function renderFence(token: Token, env: RenderEnv, viz: Viz): string {
  const language = fenceLanguage(token.info);
  if (GRAPHVIZ.has(language)) {
    const result = renderDot(viz, token.content);
    if ("svg" in result) return `<div class="graphviz">${result.svg}</div>\n`;
    env.notes.push(
      `a Graphviz diagram (line ${(token.map?.[0] ?? 0) + 1}) could not be drawn: ${result.error}`,
    );
    return `<pre class="diagram-error"><code>${escape(token.content)}</code></pre>\n`;
  }
  if (language === "mermaid") {
    // Rendering mermaid needs a browser (it measures text in the DOM); the source is shown with a note.
    return (
      `<pre class="mermaid-source"><code class="language-mermaid">${escape(token.content)}</code></pre>\n` +
      `<p class="diagram-note">Mermaid diagram shown as its source: Callboard does not render mermaid yet.</p>\n`
    );
  }
  const name = LANGUAGE_ALIASES[language] ?? language;
  const highlighted = highlightCode(token.content, name);
  const cls = name ? ` class="hljs language-${escape(name)}"` : "";
  return `<pre><code${cls}>${highlighted ?? escape(token.content)}</code></pre>\n`;
}

/** Plain text of an inline token's children, as Python-Markdown's toc reads a heading (code included). */
export function inlineText(token: Token): string {
  let text = "";
  for (const child of token.children ?? []) {
    switch (child.type) {
      case "text":
      case "code_inline":
        text += child.content;
        break;
      case "emoji":
        text += child.content;
        break;
      case "softbreak":
      case "hardbreak":
        text += " ";
        break;
      case "image":
        text += child.children ? inlineText(child) : child.content;
        break;
      default:
        break;
    }
  }
  return text;
}

/** Give every heading mkdocs' anchor: explicit ids (attribute lists) are taken first, as toc does. */
function assignAnchors(state: StateCore): void {
  const used = new Set<string>();
  for (const token of state.tokens) {
    const id = token.attrGet("id");
    if (id) used.add(String(id));
  }
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== "heading_open") continue;
    let id = token.attrGet("id") === null ? "" : String(token.attrGet("id"));
    if (!id) {
      id = uniqueId(slugify(inlineText(tokens[i + 1]!)), used);
      token.attrSet("id", id);
    }
    // The heading's own close token (the next heading_close; no slice of the rest of the page per heading).
    for (let j = i + 1; j < tokens.length; j++) {
      const close = tokens[j]!;
      if (close.type !== "heading_close") continue;
      close.meta = { ...(close.meta as object), anchor: id };
      break;
    }
  }
}

/**
 * Whitespace runs other than a lone space: replacing these with one space gives what replacing every `\s+`
 * does (a run of two or more is matched whole from its start; a single character only if it is not already
 * a space), without a replacement for each of the thousands of single spaces in a page's text.
 */
const WHITESPACE = /\s{2,}|[^\S ]/g;

/** `text` with each run of whitespace made one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE, " ");
}

/** Table of contents, sections (text between headings) and summary from the block tokens. */
function outline(tokens: Token[]): Omit<RenderedMarkdown, "html" | "safe"> {
  const toc: TocEntry[] = [];
  const stack: TocEntry[] = [];
  const sections: DocSection[] = [];
  let current: { anchor: string; heading: string; level: number; parts: string[]; size: number } = {
    anchor: "",
    heading: "",
    level: 0,
    parts: [],
    size: 0,
  };
  let h1: string | undefined;
  let summary: string | undefined;
  const flush = () => {
    const text = collapseWhitespace(current.parts.join(" ")).trim();
    if (current.anchor !== "" || text !== "") {
      sections.push({
        anchor: current.anchor,
        heading: current.heading,
        level: current.level,
        text: text.slice(0, LIMITS.sectionTextChars),
      });
    }
  };
  const add = (text: string) => {
    // Only what a section keeps is collected, so a huge page costs no more than its cap per section.
    if (current.size >= LIMITS.sectionTextChars) return;
    current.parts.push(text);
    current.size += text.length + 1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "heading_open") {
      const level = Number(token.tag.slice(1));
      const title = collapseWhitespace(inlineText(tokens[i + 1]!)).trim();
      const id = String(token.attrGet("id") ?? "");
      if (level === 1 && h1 === undefined) h1 = title;
      const entry: TocEntry = { level, id, title, children: [] };
      while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
      (stack.length > 0 ? stack[stack.length - 1]!.children : toc).push(entry);
      stack.push(entry);
      flush();
      current = { anchor: id, heading: title, level, parts: [], size: 0 };
      i += 2;
      continue;
    }
    if (token.type === "inline") {
      const text = inlineText(token);
      add(text);
      if (summary === undefined && tokens[i - 1]?.type === "paragraph_open") {
        const clean = collapseWhitespace(text).trim();
        if (clean) summary = clean.slice(0, LIMITS.summaryChars);
      }
    } else if ((token.type === "fence" || token.type === "code_block") && !GRAPHVIZ.has(token.info.trim())) {
      add(token.content.slice(0, LIMITS.sectionTextChars));
    }
  }
  flush();
  return { ...(h1 === undefined ? {} : { h1 }), toc, sections, summary: summary ?? "" };
}
