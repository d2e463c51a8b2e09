/**
 * Rendered markdown made safe to serve, with sanitize-html: no script, no event handlers, no `javascript:`
 * (only http, https and mailto links; http and https images), no iframes, objects, forms or styles. What
 * TechDocs markup needs stays: heading anchors, admonitions and details, CSS-only content tabs (radio inputs
 * and labels), task-list checkboxes, footnotes, and the SVG Graphviz draws. Links and image paths are
 * rewritten to served URLs on the way (links.ts), raw HTML's included. Pages without HTML of their author's
 * get the same policy applied to their markdown tokens instead (applyPolicyToTokens, below), which costs a
 * fraction of parsing the rendered page again.
 */
import type { Token } from "markdown-it";
import sanitizeHtml from "sanitize-html";
import { resolveLink, type LinkResult, type LinkTargets } from "./links.ts";

const SVG_TAGS = [
  "svg",
  "g",
  "path",
  "polygon",
  "polyline",
  "ellipse",
  "circle",
  "rect",
  "line",
  "text",
  "tspan",
  "title",
];
const SVG_ATTRIBUTES = [
  "viewbox",
  "xmlns",
  "version",
  "width",
  "height",
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "points",
  "d",
  "cx",
  "cy",
  "r",
  "rx",
  "ry",
  "x",
  "y",
  "x1",
  "y1",
  "x2",
  "y2",
  "dx",
  "dy",
  "transform",
  "text-anchor",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "xml:space",
];

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== "style"),
  "img",
  "details",
  "summary",
  "input",
  "label",
  "del",
  "ins",
  "section",
  ...SVG_TAGS,
];

const BASE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    "*": ["id", "class", "title", "lang", "dir", "role", "aria-hidden", "aria-label", "data-tabs"],
    a: ["href", "name"],
    img: ["src", "alt", "width", "height", "loading"],
    th: ["align", "colspan", "rowspan"],
    td: ["align", "colspan", "rowspan"],
    ol: ["start", "type"],
    input: ["type", "checked", "disabled", "name"],
    label: ["for"],
    details: ["open"],
    abbr: ["title"],
    ...Object.fromEntries(SVG_TAGS.map((tag) => [tag, SVG_ATTRIBUTES])),
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  // Only the inputs content tabs and task lists use (anything else, text fields, goes), and no image whose
  // source was refused.
  exclusiveFilter: (frame) =>
    (frame.tag === "input" && frame.attribs.type !== "radio" && frame.attribs.type !== "checkbox") ||
    (frame.tag === "img" && !frame.attribs.src),
  parser: { lowerCaseAttributeNames: true },
};

export interface PageLinks {
  /** Source path of the page's markdown, relative to the docs root. */
  source: string;
  /** Served path of the page. */
  page: string;
  targets: LinkTargets;
  /** Told of each link dropped or broken. */
  note(message: string): void;
}

/** The served value of a link or image path, telling `links` of a broken or dropped one as it goes. */
function applyLink(value: string, result: LinkResult, links: PageLinks): string | undefined {
  switch (result.kind) {
    case "keep":
      return value;
    case "rewrite":
      return result.url;
    case "broken":
      links.note(result.reason);
      return result.url;
    case "drop":
      links.note(result.reason);
      return undefined;
  }
}

export function sanitizePage(html: string, links: PageLinks): string {
  const rewrite = (value: string | undefined): string | undefined =>
    value === undefined
      ? undefined
      : applyLink(value, resolveLink(value, links.source, links.page, links.targets), links);
  const withAttribute = (name: "href" | "src") => (tagName: string, attribs: sanitizeHtml.Attributes) => {
    const { [name]: value, ...rest } = attribs;
    const url = rewrite(value);
    return { tagName, attribs: url === undefined ? rest : { ...rest, [name]: url } };
  };
  return sanitizeHtml(html, {
    ...BASE_OPTIONS,
    transformTags: { a: withAttribute("href"), img: withAttribute("src") },
  });
}

/** The policy alone, no link rewriting: what tests compare the token path's output with. */
export function sanitizeWithPolicy(html: string): string {
  return sanitizeHtml(html, BASE_OPTIONS);
}

/*
 * The same policy applied to markdown-it's tokens, for pages that hold no HTML of their author's. Sanitising
 * the rendered page was a third of a build's CPU, and on such a page it only ever did what this does: every
 * element comes from markdown-it, its plugins or Callboard's rules, whose text and attribute values are
 * escaped when rendered. What is left to decide is in the tokens' attributes and links, and this decides it
 * as the sanitiser would: attributes the policy does not allow go (attribute lists can add any of id, class,
 * data-*, title, width, height, align), empty non-boolean ones go, links and images are rewritten through
 * links.ts. Anything it is not sure of hands the whole page to the sanitiser instead, unchanged: an element
 * the policy does not allow, a rule it does not know, a URL that is not plainly http(s), mailto or relative,
 * an image that loses its source, an input that is not a radio or checkbox, a GitHub alert title with markup.
 * The markdown renderer sends pages with raw HTML or a Graphviz diagram to the sanitiser without asking.
 */

const ALLOWED_TAG_SET = new Set(ALLOWED_TAGS);
const ATTRIBUTES = BASE_OPTIONS.allowedAttributes as Record<string, string[]>;
const ALLOWED_ATTRIBUTES = new Map(
  ALLOWED_TAGS.map((tag) => [tag, new Set([...(ATTRIBUTES["*"] ?? []), ...(ATTRIBUTES[tag] ?? [])])]),
);
const NON_BOOLEAN = new Set(sanitizeHtml.defaults.nonBooleanAttributes);
// In sanitize-html's defaults, though not in its type declarations.
const EMPTY_ALLOWED = new Set(
  (sanitizeHtml.defaults as unknown as { allowedEmptyAttributes: string[] }).allowedEmptyAttributes,
);
const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;
/** A scheme as the sanitiser reads one; a URL without one is relative. */
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9.\-+]*):/;
/** Characters a browser may strip or fold in a URL, hiding its scheme; such URLs go to the sanitiser. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const URL_SUSPECT = /[\x00-\x20\x7f-\x9f\\\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Token types whose rules write fixed markup and escaped text, never the token's attributes. */
const FIXED_MARKUP = new Set([
  "text",
  "softbreak",
  "hardbreak",
  "fence",
  "emoji",
  "heading_close",
  "footnote_ref",
  "footnote_block_open",
  "footnote_block_close",
  "footnote_open",
  "footnote_close",
  "footnote_anchor",
  "footnote_caption",
  "footnote_anchor_name",
]);
/** Token types whose rules write the token's attributes on this element (the rest use their own tag). */
const ATTRIBUTES_ON: Record<string, string> = { image: "img", code_inline: "code", code_block: "pre" };
/** The only HTML markdown-it-task-lists writes (label wrapper on, checkboxes disabled). */
const TASK_LIST_HTML = new Set([
  '<input class="task-list-item-checkbox" disabled="" type="checkbox">',
  '<input class="task-list-item-checkbox" checked="" disabled="" type="checkbox">',
  "<label>",
  "</label>",
]);

interface LinkChange {
  token: Token;
  name: "href" | "src";
  value: string;
  result: LinkResult;
}

/**
 * Applies the policy to a page's tokens (no raw HTML in them: the renderer checks) and returns true, or
 * returns false, changing nothing, when the page needs the sanitiser. `customRules` are the token types the
 * renderer has its own rule for: one this does not know means markup it cannot vouch for.
 */
export function applyPolicyToTokens(
  tokens: Token[],
  customRules: ReadonlySet<string>,
  links: PageLinks,
): boolean {
  const changes: LinkChange[] = [];
  const withAttributes: Array<[Token, string]> = [];
  // Each list's opening and closing tokens must pair up as their elements nest: rendered as they are, tokens
  // that do not (markdown-it-github-alerts closes an alert at an inner quote's blockquote_close) write tags
  // that close out of order, which the sanitiser would have re-nested.
  const check = (list: Token[]): boolean => {
    const open: string[] = [];
    for (const token of list) {
      if (token.nesting === 1) open.push(token.tag);
      else if (token.nesting === -1 && open.pop() !== token.tag) return false;
      if (token.type === "inline") {
        if (token.children && !check(token.children)) return false;
        continue;
      }
      if (token.type === "html_inline") {
        if (!TASK_LIST_HTML.has(token.content)) return false;
        continue;
      }
      if (token.type === "alert_open") {
        // markdown-it-github-alerts writes the title into the page unescaped: only a title with no character
        // HTML gives meaning to may take this path; anything else is the sanitiser's to judge.
        const title = (token.meta as { title?: unknown } | null)?.title;
        if (typeof title !== "string" || /[<>&"']/.test(title)) return false;
        continue;
      }
      if (FIXED_MARKUP.has(token.type)) continue;
      const tag = ATTRIBUTES_ON[token.type] ?? token.tag;
      if (customRules.has(token.type) && !ATTRIBUTES_ON[token.type]) return false;
      if (!ALLOWED_TAG_SET.has(tag)) return false;
      if (token.nesting === -1) continue;
      if (!token.attrs || token.attrs.length === 0) {
        if (tag === "img") return false;
        continue;
      }
      for (const [name] of token.attrs) if (!ATTRIBUTE_NAME.test(name)) return false;
      if (tag === "input" && !["radio", "checkbox"].includes(String(token.attrGet("type")))) return false;
      const link = tag === "a" ? "href" : tag === "img" ? "src" : undefined;
      if (link) {
        const found = token.attrGet(link);
        const value = found === null ? null : String(found);
        if (value === null) {
          if (tag === "img") return false;
        } else {
          const result = resolveLink(value, links.source, links.page, links.targets);
          const served = result.kind === "keep" ? value : result.kind === "drop" ? undefined : result.url;
          // An empty source is dropped as an empty attribute, and the sanitiser drops the image with it.
          if (served === undefined || served === "" ? tag === "img" : !plainUrl(served, tag === "img"))
            return false;
          changes.push({ token, name: link, value, result });
        }
      }
      withAttributes.push([token, tag]);
    }
    return open.length === 0;
  };
  if (!check(tokens)) return false;
  // Links in page order, so their notes come in the order the sanitiser gave them.
  for (const change of changes) {
    const served = applyLink(change.value, change.result, links);
    const attrs = change.token.attrs!;
    // Moved to the end, as the sanitiser's transform leaves it (same attributes, same order, same output).
    attrs.splice(
      attrs.findIndex(([name]) => name === change.name),
      1,
    );
    if (served !== undefined) attrs.push([change.name, served]);
  }
  for (const [token, tag] of withAttributes) {
    const allowed = ALLOWED_ATTRIBUTES.get(tag)!;
    token.attrs = token.attrs!.filter(
      ([name, value]) =>
        allowed.has(name) && !(value === "" && !EMPTY_ALLOWED.has(name) && NON_BOOLEAN.has(name)),
    );
  }
  return true;
}

/** A URL the sanitiser keeps as it is: relative (not protocol-relative), or http(s), or mailto for links. */
function plainUrl(url: string, image: boolean): boolean {
  if (URL_SUSPECT.test(url) || url.startsWith("//")) return false;
  const scheme = URL_SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return true;
  return scheme === "http" || scheme === "https" || (!image && scheme === "mailto");
}
