/**
 * The two indented containers of Python-Markdown that no npm plugin covers in mkdocs' own syntax:
 * admonitions (`!!! note "Title"`, collapsible `??? note` / `???+ note` from pymdownx.details) and content
 * tabs (`=== "Tab"`, pymdownx.tabbed's alternate style). Both take the lines indented four spaces below the
 * marker as their body, parsed as markdown.
 */
import type { MarkdownIt, StateBlock } from "markdown-it";

const INDENT = 4;
/** `!!! type [more classes] ["title"]` as Python-Markdown's admonition RE reads it; `???`/`???+` likewise. */
const ADMONITION = /^(!!!|\?\?\?\+?) *([\w-]+(?: +[\w-]+)*)(?: +"(.*?)")? *$/;
/** `=== "Title"`, `===+ "Title"` (selected), `===! "Title"` (starts a new set). */
const TAB = /^===([!+]{0,2}) +"(.*?)" *$/;

interface TabEnv {
  tabSets?: number;
}

export function indentedBlocks(md: MarkdownIt): void {
  md.block.ruler.before("fence", "admonition", admonition, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.block.ruler.before("fence", "content_tabs", contentTabs, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
}

function lineText(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]);
}

function isBlank(state: StateBlock, line: number): boolean {
  return state.bMarks[line]! + state.tShift[line]! >= state.eMarks[line]!;
}

/** The line after the body that starts below `start`: lines indented INDENT more, blank lines between them. */
function bodyEnd(state: StateBlock, start: number, endLine: number): number {
  let last = start;
  for (let line = start + 1; line < endLine; line++) {
    if (isBlank(state, line)) continue;
    if (state.sCount[line]! < state.blkIndent + INDENT) break;
    last = line;
  }
  return last + 1;
}

/** Parse lines (start, end) as markdown nested one level deeper. */
function tokenizeBody(state: StateBlock, start: number, end: number, parent: string): void {
  const old = { indent: state.blkIndent, parent: state.parentType, max: state.lineMax };
  state.blkIndent += INDENT;
  // markdown-it's parentType is a closed union; containers of plugins use their own names.
  state.parentType = parent as StateBlock["parentType"];
  state.lineMax = end;
  state.md.block.tokenize(state, start + 1, end);
  state.blkIndent = old.indent;
  state.parentType = old.parent;
  state.lineMax = old.max;
}

function admonition(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= INDENT) return false;
  const first = state.src.charCodeAt(state.bMarks[startLine]! + state.tShift[startLine]!);
  if (first !== 0x21 /* ! */ && first !== 0x3f /* ? */) return false;
  const match = ADMONITION.exec(lineText(state, startLine));
  if (!match) return false;
  if (silent) return true;
  const [, marker, types, title] = match;
  const classes = types!.split(/ +/);
  // Python-Markdown: no title given → the type, capitalised; an empty title ("") → none at all.
  const heading = title ?? capitalise(classes[0]!);
  const end = bodyEnd(state, startLine, endLine);
  const collapsible = marker !== "!!!";
  const open = state.push("admonition_open", collapsible ? "details" : "div", 1);
  open.block = true;
  open.map = [startLine, end];
  open.attrSet("class", collapsible ? classes.join(" ") : ["admonition", ...classes].join(" "));
  if (marker === "???+") open.attrSet("open", "");
  if (heading !== "" || collapsible) {
    const titleOpen = state.push("admonition_title_open", collapsible ? "summary" : "p", 1);
    if (!collapsible) titleOpen.attrSet("class", "admonition-title");
    const inline = state.push("inline", "", 0);
    inline.content = heading;
    inline.map = [startLine, startLine + 1];
    inline.children = [];
    state.push("admonition_title_close", collapsible ? "summary" : "p", -1);
  }
  tokenizeBody(state, startLine, end, "admonition");
  state.push("admonition_close", collapsible ? "details" : "div", -1);
  state.line = end;
  return true;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

interface TabRange {
  title: string;
  selected: boolean;
  start: number;
  end: number;
}

function contentTabs(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= INDENT) return false;
  if (state.src.charCodeAt(state.bMarks[startLine]! + state.tShift[startLine]!) !== 0x3d /* = */)
    return false;
  const firstMatch = TAB.exec(lineText(state, startLine));
  if (!firstMatch) return false;
  if (silent) return true;
  // One set: this tab and every `===` tab that follows at the same indent (blank lines between allowed),
  // until one marked `!` starts a new set.
  const tabs: TabRange[] = [];
  let line = startLine;
  let match: RegExpExecArray | null = firstMatch;
  while (match) {
    const end = bodyEnd(state, line, endLine);
    tabs.push({ title: match[2]!, selected: match[1]!.includes("+"), start: line, end });
    let next = end;
    while (next < endLine && isBlank(state, next)) next++;
    if (next >= endLine || state.sCount[next]! !== state.sCount[startLine]!) break;
    match = TAB.exec(lineText(state, next));
    if (match?.[1]!.includes("!")) break;
    if (match) line = next;
  }
  const env = state.env as TabEnv;
  env.tabSets = (env.tabSets ?? 0) + 1;
  const set = env.tabSets;
  const selected = Math.max(
    0,
    tabs.findIndex((tab) => tab.selected),
  );
  const open = state.push("tabbed_set_open", "div", 1);
  open.block = true;
  open.attrSet("class", "tabbed-set tabbed-alternate");
  open.attrSet("data-tabs", `${set}:${tabs.length}`);
  tabs.forEach((_, index) => {
    const input = state.push("tabbed_input", "input", 0);
    const attrs: Array<[string, string]> = [
      ["type", "radio"],
      ["name", `__tabbed_${set}`],
      ["id", `__tabbed_${set}_${index + 1}`],
    ];
    if (index === selected) attrs.unshift(["checked", "checked"]);
    input.attrs = attrs;
  });
  state.push("tabbed_labels_open", "div", 1).attrSet("class", "tabbed-labels");
  tabs.forEach((tab, index) => {
    state.push("tabbed_label_open", "label", 1).attrSet("for", `__tabbed_${set}_${index + 1}`);
    const inline = state.push("inline", "", 0);
    inline.content = tab.title;
    inline.map = [tab.start, tab.start + 1];
    inline.children = [];
    state.push("tabbed_label_close", "label", -1);
  });
  state.push("tabbed_labels_close", "div", -1);
  state.push("tabbed_content_open", "div", 1).attrSet("class", "tabbed-content");
  for (const tab of tabs) {
    state.push("tabbed_block_open", "div", 1).attrSet("class", "tabbed-block");
    tokenizeBody(state, tab.start, tab.end, "tabbed");
    state.push("tabbed_block_close", "div", -1);
  }
  state.push("tabbed_content_close", "div", -1);
  state.push("tabbed_set_close", "div", -1);
  state.line = tabs[tabs.length - 1]!.end;
  return true;
}
