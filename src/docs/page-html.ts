/**
 * Rendered markdown made safe to serve, with sanitize-html: no script, no event handlers, no `javascript:`
 * (only http, https and mailto links; http and https images), no iframes, objects, forms or styles. What
 * TechDocs markup needs stays: heading anchors, admonitions and details, CSS-only content tabs (radio inputs
 * and labels), task-list checkboxes, footnotes, and the SVG Graphviz draws. Links and image paths are
 * rewritten to served URLs on the way (links.ts), raw HTML's included.
 */
import sanitizeHtml from "sanitize-html";
import { resolveLink, type LinkTargets } from "./links.ts";

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

export function sanitizePage(html: string, links: PageLinks): string {
  const rewrite = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const result = resolveLink(value, links.source, links.page, links.targets);
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
  };
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
