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
 * content, complex `?` keys, a byte-order mark, and tabs. Stray matches (a `*` after a space inside a sentence) only cost
 * speed, never correctness.
 */
const NEEDS_FULL_PARSER =
  /(?:^|[\s[{,])[&*!]|^%|^\.\.\.(?:\s|$)|^---[ \t]*[^\s#]|^[ \t-]*\?(?:\s|$)|^\uFEFF|\t/m;
const DOCUMENT_START = /^---[ \t]*(?:#.*)?\r?$/gm;
const CONTENT_LINE = /^[ \t]*[^\s#]/m;

/**
 * Reads a descriptor file's documents with js-yaml, about five times faster than `yaml`'s document
 * model, for the files that make up nearly every catalog: plain mappings and lists. Returns undefined
 * when the file needs the full parser (see NEEDS_FULL_PARSER) or fails to parse, so that `yaml` reports
 * the error with its own message and position.
 */
export function parsePlainYaml(text: string): PlainYamlDocument[] | undefined {
  if (NEEDS_FULL_PARSER.test(text)) return undefined;
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
