import { FAILSAFE_SCHEMA, load, Type } from "js-yaml";

/** One document of a file read on the fast path: its value and the line its content starts on. */
export interface PlainYamlDocument {
  line: number;
  value: unknown;
}

/**
 * The scalars of the YAML 1.2 core schema exactly as the `yaml` package resolves them (its
 * schema/core/*.js), so a value read here is the value `yaml` would give: `1_000`, `0b11`, `yes` and
 * `2024-01-01` stay strings, as they do in Backstage, though js-yaml's own schemas would turn some into
 * numbers or dates.
 */
const scalar = (tag: string, forms: Array<[test: RegExp, construct: (text: string) => unknown]>) =>
  // One type per tag: js-yaml keeps only the last type it is given for a tag.
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (text: unknown) => typeof text === "string" && forms.some(([test]) => test.test(text)),
    construct: (text: string) => forms.find(([test]) => test.test(text))![1](text),
  });

const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar("bool", [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"]]),
    scalar("int", [
      [/^0o[0-7]+$/, (text) => parseInt(text.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.slice(2), 16)],
    ]),
    scalar("float", [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (text) => (/nan$/i.test(text) ? NaN : text[0] === "-" ? -Infinity : Infinity),
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ]),
  ],
});

/**
 * Anything this path does not promise to read exactly as `yaml` does sends the file to `yaml`: anchors,
 * aliases and tags (an indicator where a node starts), directives, `...` end markers, a `---` line with
 * content or anything glued to it, complex `?` keys, null or empty keys, flow collections used as keys
 * (a closing bracket before a colon), tabs, and line breaks or spaces JavaScript and YAML disagree on (a lone CR, U+2028, U+2029,
 * U+0085, a no-break space, a byte-order mark). Stray matches (a `*` after a space inside a sentence) only
 * cost speed, never correctness.
 */
const NEEDS_FULL_PARSER = new RegExp(
  [
    String.raw`(?:^|[\s[{,])[&*!]`,
    "^%",
    String.raw`^\.\.\.(?:\s|$)`,
    String.raw`^---(?![ \t]|\r?$)`,
    String.raw`^---[ \t]+[^\s#]`,
    String.raw`^[ \t-]*\?(?:\s|$)`,
    String.raw`^[ \t-]*(?:~|null|Null|NULL)?[ \t]*:(?:[ \t]|\r?$)`,
    String.raw`[\]}][ \t]*:(?:\s|$)`,
    "[\t\u0085\u00a0\u2028\u2029\ufeff]",
    String.raw`\r(?!\n)`,
  ].join("|"),
  "m",
);
const DOCUMENT_START = /^---[ \t]*(?:#.*)?\r?$/gm;
const CONTENT_LINE = /^[ \t]*[^\s#]/m;

/**
 * Reads a descriptor file's documents with js-yaml, about five times faster than `yaml`'s document
 * model, for the files that make up nearly every catalog: plain mappings and lists. Returns undefined
 * when the file needs the full parser (see NEEDS_FULL_PARSER) or fails to parse, so that `yaml` reports
 * the error with its own message and position.
 */
export function parsePlainYaml(text: string): PlainYamlDocument[] | undefined {
  if (NEEDS_FULL_PARSER.test(text) || continuesPastLine(text)) return undefined;
  const documents: PlainYamlDocument[] = [];
  let offset = 0;
  let line = 1;
  const bounds: Array<{ start: number; end: number; next: number }> = [];
  for (const marker of text.matchAll(DOCUMENT_START)) {
    bounds.push({ start: offset, end: marker.index, next: marker.index + marker[0].length });
    offset = marker.index + marker[0].length;
  }
  bounds.push({ start: offset, end: text.length, next: text.length });
  try {
    for (const [index, { start, end }] of bounds.entries()) {
      const body = text.slice(start, end);
      const content = CONTENT_LINE.exec(body);
      // Text before the first `---` that is only blank or comments is no document, as in `yaml`.
      if (content) {
        const contentLine = line + countLines(body, 0, content.index);
        documents.push({ line: contentLine, value: load(body, { schema: CORE_SCHEMA }) ?? null });
      } else if (index > 0) {
        documents.push({ line, value: null });
      }
      line += countLines(text, start, bounds[index]!.next);
    }
  } catch {
    return undefined;
  }
  return documents;
}

function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) lines++;
  return lines;
}

/**
 * Whether a quoted scalar or a flow collection goes on past the end of a line. js-yaml accepts continuation
 * lines that `yaml` (and so Backstage) rejects for their indentation, so such files are left to `yaml`. A
 * quote or bracket counts only where a node starts, so `it's` inside plain text does not; one in a block
 * scalar's text may, which only costs speed.
 */
function continuesPastLine(text: string): boolean {
  for (const line of text.split("\n")) {
    let depth = 0;
    let quote = "";
    let atNode = true;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (quote === '"' && c === "\\") i++;
        else if (c === quote && quote === "'" && line[i + 1] === "'") i++;
        else if (c === quote) {
          quote = "";
          atNode = false;
        }
        continue;
      }
      if (c === " ") continue;
      if (c === "#" && (i === 0 || line[i - 1] === " ")) break;
      if (atNode && (c === '"' || c === "'")) quote = c;
      else if (atNode && (c === "[" || c === "{")) depth++;
      else if (depth > 0 && (c === "]" || c === "}")) {
        depth--;
        atNode = false;
      } else if (depth > 0 && c === ",") atNode = true;
      else if (c === ":" && (i + 1 === line.length || /[\s,[\]{}]/.test(line[i + 1]!))) atNode = true;
      else if (!(atNode && c === "-" && (i + 1 === line.length || line[i + 1] === " "))) atNode = false;
    }
    if (quote || depth > 0) return true;
  }
  return false;
}
