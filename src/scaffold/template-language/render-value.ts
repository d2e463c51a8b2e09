import { compiled, parseSource, run, type TemplateOptions } from "./template.ts";

/**
 * Template-YAML values as Backstage's NunjucksWorkflowRunner renders them: strings anywhere in arrays and
 * objects are rendered (keys are not); a string that is one expression and nothing else keeps its value's
 * JSON type; an empty result is undefined, and an object key whose value renders to undefined is dropped.
 *
 * Backstage gets the type by rewriting `${{ x }}` to `${{ (x) | dump }}` with a regular expression and
 * parsing the JSON back. Here the parsed template decides, and the JSON round trip is the same, so values
 * match; deliberate differences, for inputs the rewrite mangles: `${{- x -}}` and an expression spread over
 * several lines keep their type here (Backstage makes the first `-x` and the second a string), and a
 * template that fails to render throws instead of silently leaving the text as it was.
 */
export function renderValue(
  value: unknown,
  context: Record<string, unknown>,
  options: TemplateOptions = {},
): unknown {
  if (typeof value === "string") return renderString(value, context, options);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context, options));
  if (value !== null && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderValue(item, context, options);
      if (rendered !== undefined) result[key] = rendered;
    }
    return result;
  }
  return value;
}

const shapes = new Map<string, boolean>();

/** Backstage's isSingleTemplateString: one top-level node that is not plain text. */
function isSingleTemplate(source: string, options: TemplateOptions): boolean {
  const key = `${options.cookiecutterCompat ? 1 : 0}${options.trimBlocks ? 1 : 0}${options.lstripBlocks ? 1 : 0}\u0000${source}`;
  let single = shapes.get(key);
  if (single === undefined) {
    const { nodes } = parseSource(source, options);
    single = nodes.length === 1 && nodes[0]!.kind !== "text";
    if (shapes.size > 2000) shapes.clear();
    shapes.set(key, single);
  }
  return single;
}

function renderString(source: string, context: Record<string, unknown>, options: TemplateOptions): unknown {
  if (!source.includes("{")) return source === "" ? undefined : source;
  if (isSingleTemplate(source, options)) {
    const dumped = run(compiled(source, options, true), context, options);
    if (dumped === "") return undefined;
    try {
      return JSON.parse(dumped);
    } catch {
      // Not JSON (a block whose body mixes text and expressions): rendered as text below, as in Backstage.
    }
  }
  const text = run(compiled(source, options), context, options);
  return text === "" ? undefined : text;
}

/** Backstage's truthiness for `if:` and friends: false, undefined, null, "", 0 and [] are false. */
export function isTruthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : !!value;
}
