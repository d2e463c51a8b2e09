import { RuntimeFault } from "../errors.ts";
import type { Filter, RenderState } from "../runtime.ts";

/**
 * nunjucks' text filters with its exact behaviour, quirks included (a number given to `upper` is an error,
 * `indent` counts its width the way a JavaScript loop does). Deliberate difference: `safe`, `escape` and
 * `forceescape` return plain strings, where nunjucks returns a SafeString object. Backstage turns
 * autoescaping off, so the marker changes nothing in the output, but nunjucks' object leaks where a value
 * keeps its type: `${{ x | safe }}` as a step input becomes `{"val": ..., "length": ...}` in Backstage and
 * stays the string here.
 */

/** nunjucks' `normalize`: null, undefined and false become the default. */
export function normalize<T>(value: unknown, fallback: T): unknown {
  return value === null || value === undefined || value === false ? fallback : value;
}

function text(value: unknown): string {
  return value as string;
}

/** How many times `for (i = 0; i < n; i++)` runs, which is what nunjucks' repeat and indent rely on. */
function loopCount(state: RenderState, n: unknown): number {
  const count = Math.max(0, Math.ceil(+(n as number)));
  if (Number.isNaN(count)) return 0;
  state.checkLength(count, "a width");
  return count;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  '"': "&quot;",
  "'": "&#39;",
  "<": "&lt;",
  ">": "&gt;",
  "\\": "&#92;",
};

export function htmlEscape(value: string): string {
  return value.replace(/[&"'<>\\]/g, (char) => ESCAPES[char]!);
}

function toText(value: unknown): string {
  return (value as { toString(): string }).toString();
}

function capitalize(value: unknown): string {
  const lower = text(normalize(value, "")).toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function trim(value: unknown): string {
  return toText(text(value).replace(/^\s*|\s*$/g, ""));
}

export const TEXT_FILTERS: Record<string, Filter> = {
  capitalize,
  center(this: RenderState, value: unknown, width: unknown) {
    const str = text(normalize(value, ""));
    const size = (width || 80) as number;
    if (str.length >= size) return str;
    const spaces = size - str.length;
    return (
      " ".repeat(loopCount(this, spaces / 2 - (spaces % 2))) + str + " ".repeat(loopCount(this, spaces / 2))
    );
  },
  escape(value: unknown) {
    return htmlEscape(toText(value === null || value === undefined ? "" : value));
  },
  forceescape(value: unknown) {
    return htmlEscape(toText(value === null || value === undefined ? "" : value));
  },
  safe(value: unknown) {
    return toText(value === null || value === undefined ? "" : value);
  },
  indent(this: RenderState, value: unknown, width: unknown, indentFirst: unknown) {
    const str = text(normalize(value, ""));
    if (str === "") return "";
    const pad = " ".repeat(loopCount(this, width || 4));
    this.checkLength(str.length + pad.length * str.split("\n").length, "indent");
    return str
      .split("\n")
      .map((line, i) => (i === 0 && !indentFirst ? line : pad + line))
      .join("\n");
  },
  lower(value: unknown) {
    return text(normalize(value, "")).toLowerCase();
  },
  upper(value: unknown) {
    return text(normalize(value, "")).toUpperCase();
  },
  nl2br(value: unknown) {
    if (value === null || value === undefined) return "";
    return toText(text(value).replace(/\r\n|\n/g, "<br />\n"));
  },
  replace(this: RenderState, value: unknown, old: unknown, replacement: unknown, maxCount?: unknown) {
    let str = value;
    if (old instanceof RegExp) return text(str).replace(old, replacement as string);
    const limit = maxCount === undefined ? -1 : maxCount;
    let search: string;
    if (typeof old === "number") search = "" + old;
    else if (typeof old !== "string") return str;
    else search = old;
    if (typeof str === "number") str = "" + str;
    if (typeof str !== "string") return str;
    if (search === "") {
      this.checkLength(str.length * (String(replacement).length + 1), "replace");
      return toText(
        (replacement as string) + str.split("").join(replacement as string) + (replacement as string),
      );
    }
    let next = str.indexOf(search);
    if (limit === 0 || next === -1) return str;
    let result = "";
    let position = 0;
    let count = 0;
    while (next > -1 && (limit === -1 || count < (limit as number))) {
      result += str.substring(position, next) + (replacement as string);
      this.checkLength(result.length, "replace");
      position = next + search.length;
      count++;
      next = str.indexOf(search, position);
    }
    if (position < str.length) result += str.substring(position);
    return toText(result);
  },
  string(value: unknown) {
    if (value === null || value === undefined)
      throw new RuntimeFault(`the string filter cannot convert ${String(value)}`);
    return toText(value);
  },
  striptags(value: unknown, preserveLinebreaks: unknown) {
    const input = text(normalize(value, ""));
    const stripped = trim(input.replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>|<!--[\s\S]*?-->/gi, ""));
    const result = preserveLinebreaks
      ? stripped
          .replace(/^ +| +$/gm, "")
          .replace(/ +/g, " ")
          .replace(/(\r\n)/g, "\n")
          .replace(/\n\n\n+/g, "\n\n")
      : stripped.replace(/\s+/gi, " ");
    return toText(result);
  },
  title(value: unknown) {
    return text(normalize(value, ""))
      .split(" ")
      .map((word) => capitalize(word))
      .join(" ");
  },
  trim,
  truncate(value: unknown, length: unknown, killwords: unknown, end: unknown) {
    let input = text(normalize(value, ""));
    const size = (length || 255) as number;
    if (input.length <= size) return input;
    if (killwords) {
      input = input.substring(0, size);
    } else {
      let index = input.lastIndexOf(" ", size);
      if (index === -1) index = size;
      input = input.substring(0, index);
    }
    input += end !== undefined && end !== null ? (end as string) : "...";
    return toText(input);
  },
  urlencode(value: unknown) {
    if (typeof value === "string") return encodeURIComponent(value);
    if (value === null || value === undefined) return "";
    const pairs = Array.isArray(value)
      ? value
      : Object.keys(value as object).map((key) => [key, (value as Record<string, unknown>)[key]]);
    // nunjucks' published build reads each pair as pair[0], pair[1], so a non-pair gives "undefined=undefined".
    return (pairs as Array<Record<number, string>>)
      .map((pair) => `${encodeURIComponent(pair[0]!)}=${encodeURIComponent(pair[1]!)}`)
      .join("&");
  },
  urlize(value: unknown, length: unknown, nofollow: unknown) {
    let size = length as number;
    if (Number.isNaN(size)) size = Infinity;
    const rel = nofollow === true ? ' rel="nofollow"' : "";
    return text(value)
      .split(/(\s+)/)
      .filter((word) => word && word.length)
      .map((word) => {
        const matches = word.match(/^(?:\(|<|&lt;)?(.*?)(?:\.|,|\)|\n|&gt;)?$/);
        const url = matches ? matches[1]! : word;
        const short = url.substr(0, size);
        if (/^https?:\/\/.*$/.test(url)) return `<a href="${url}"${rel}>${short}</a>`;
        if (/^www\./.test(url)) return `<a href="http://${url}"${rel}>${short}</a>`;
        if (/^[\w.!#$%&'*+\-/=?^`{|}~]+@[a-z\d-]+(\.[a-z\d-]+)+$/i.test(url))
          return `<a href="mailto:${url}">${url}</a>`;
        if (/\.(?:org|net|com)(?::|\/|$)/.test(url)) return `<a href="http://${url}"${rel}>${short}</a>`;
        return word;
      })
      .join("");
  },
  wordcount(value: unknown) {
    const str = normalize(value, "") as string;
    const words = str ? str.match(/\w+/g) : null;
    return words ? words.length : null;
  },
};
TEXT_FILTERS.e = TEXT_FILTERS.escape!;
