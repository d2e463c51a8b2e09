import { isNode, LineCounter, parseAllDocuments, type Document, type YAMLError } from "yaml";
import type { CheckResult } from "./check-entity.ts";
import { parsePlainYaml } from "./plain-yaml.ts";

/**
 * One YAML document of a descriptor file: either a value (possibly null for an empty document) or an error.
 * A parsing worker also sends its check of the entity (`checked`), done beside the parse.
 */
export type ParsedDocument =
  | {
      ok: true;
      line: number;
      value: unknown;
      lineOf: (path: Array<string | number>) => number;
      checked?: CheckResult;
    }
  | { ok: false; line: number; message: string };

/** The same without the line lookup, so it can cross a worker-thread boundary (structured clone). */
export type PlainDocument =
  | { ok: true; line: number; value: unknown; checked?: CheckResult }
  | { ok: false; line: number; message: string };

export interface YamlLimits {
  /** Cap on alias expansion (yaml's maxAliasCount), so an alias bomb is an error rather than a hang. */
  maxAliases: number;
}

/**
 * Splits a descriptor file into documents like Backstage's parseEntityYaml: every document stands
 * alone, so one broken document is reported while its siblings still load. Merge keys stay off, as
 * they are in Backstage unless enableYamlMerge is set. Plain files take the fast path (plain-yaml.ts);
 * the rest, and every error message and field line, come from `yaml`, as in Backstage.
 */
export function parseDescriptorYaml(text: string, limits: YamlLimits): ParsedDocument[] {
  const fast = parsePlainYaml(text);
  if (fast) return withLineLookup(text, fast.map(plainOk), limits);
  return parseDocuments(text, limits, true) as ParsedDocument[];
}

/** Values and document lines only: what a parsing worker sends back. */
export function parsePlainDocuments(text: string, limits: YamlLimits): PlainDocument[] {
  return parsePlainYaml(text)?.map(plainOk) ?? parseDocuments(text, limits, false);
}

/**
 * Gives plain documents their field-line lookup back. The file is parsed again with `yaml` only when a
 * problem needs a field's line, which is rare, so the common path pays for one fast parse.
 */
export function withLineLookup(text: string, plain: PlainDocument[], limits: YamlLimits): ParsedDocument[] {
  let lookups: Array<(path: Array<string | number>) => number> | undefined;
  return plain.map((doc, index) => {
    if (!doc.ok) return doc;
    const lineOf = (path: Array<string | number>) => {
      lookups ??= (parseDocuments(text, limits, true) as ParsedDocument[]).map((d) =>
        d.ok ? d.lineOf : () => d.line,
      );
      return lookups[index]?.(path) ?? doc.line;
    };
    return { ...doc, lineOf };
  });
}

function plainOk(doc: { line: number; value: unknown }): PlainDocument {
  return { ok: true, line: doc.line, value: doc.value };
}

function parseDocuments(
  text: string,
  limits: YamlLimits,
  lines: boolean,
): Array<ParsedDocument | PlainDocument> {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, merge: false, prettyErrors: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const out: Array<ParsedDocument | PlainDocument> = [];
  let sourceLines: string[] | undefined;

  for (const doc of documents) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineAt(start);
    const error = doc.errors[0];
    if (error) {
      sourceLines ??= text.split("\n");
      out.push({ ok: false, ...syntaxError(doc.errors, sourceLines, line) });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliases });
    } catch (caught) {
      const reason = (caught as Error).message;
      const message = /alias/i.test(reason)
        ? `YAML aliases expand too far (more than ${limits.maxAliases} alias references): refusing a possible alias bomb`
        : `YAML could not be converted to data: ${reason}`;
      out.push({ ok: false, line, message });
      continue;
    }
    out.push(
      lines
        ? { ok: true, line, value, lineOf: (path) => lineOfPath(doc, path, lineAt) ?? line }
        : { ok: true, line, value },
    );
  }
  return out;
}

/** The line of the deepest existing node on `path`, so "spec.owner is required" points into spec. */
function lineOfPath(
  doc: Document.Parsed,
  path: Array<string | number>,
  lineAt: (offset: number) => number,
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineAt(node.range[0]);
  }
  return undefined;
}

/**
 * Where a syntax error is, for the person fixing it. `yaml` places an error where the node it could not
 * read starts. For the most common slip, a line indented deeper than its neighbours (`name: x` followed by
 * `   description: y`), that is the line before: `yaml` reads the deeper line as the rest of the value
 * above it, which then turns into a multi-line key. The line to fix is the deeper one, so point there.
 */
function syntaxError(
  errors: readonly YAMLError[],
  lines: readonly string[],
  documentLine: number,
): { line: number; message: string } {
  const first = errors[0]!;
  const reported = { line: first.linePos?.[0].line ?? documentLine, message: firstLine(first.message) };
  const multiline = errors.find((e) => e.code === "MULTILINE_IMPLICIT_KEY");
  const [from, to] = multiline?.linePos ?? [];
  if (!from || !to || to.line <= from.line) return reported;
  const keyLine = lines[from.line - 1] ?? "";
  // The first line after the key's start that holds anything: blank lines fold into a plain scalar.
  let deeper = from.line + 1;
  while (deeper < to.line && (lines[deeper - 1] ?? "").trim() === "") deeper++;
  if (indentation(lines[deeper - 1] ?? "") <= indentation(keyLine)) return reported;
  return {
    line: deeper,
    message:
      `YAML syntax error: line ${deeper} is indented deeper than line ${from.line} above it, so it reads ` +
      `as the rest of line ${from.line}'s value (${reported.message.replace(/^YAML syntax error: /, "")}); ` +
      `indent it like the lines around it`,
  };
}

function indentation(line: string): number {
  return line.length - line.trimStart().length;
}

function firstLine(message: string): string {
  const line = message.split("\n", 1)[0] ?? message;
  return `YAML syntax error: ${line.replace(/:$/, "")}`;
}
