import type { FormValues } from "../../message/form.ts";
import type { JsonSchema } from "../actions/action.ts";
import type { ParameterPage } from "./parameter-pages.ts";
import { walkProperties } from "./walk-properties.ts";

/**
 * A form's flat values (`database.engine`, text from surfaces that only have text boxes) as the nested,
 * typed parameters a template expects: numbers and booleans from their text, lists from comma- or
 * line-separated text, JSON for object fields. A value that does not convert is kept as typed, so the
 * schema check names the field. Names that are no field of the form are dropped.
 */
export function formValuesToParameters(pages: ParameterPage[], values: FormValues): Record<string, unknown> {
  const schemas = new Map<string, JsonSchema>();
  for (const page of pages)
    for (const entry of walkProperties(page.schema)) schemas.set(entry.path.join("."), entry.schema);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    // Only the form's own fields: a name a surface made up (`__proto__`, say) is not a parameter.
    const schema = schemas.get(name);
    if (!schema || raw === undefined || raw === null || raw === "") continue;
    setAt(out, name.split("."), coerce(schema, raw));
  }
  return out;
}

function coerce(schema: JsonSchema, raw: unknown): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (typeof raw !== "string") return raw;
  const text = raw.trim();
  switch (type) {
    case "number":
    case "integer": {
      const n = Number(text);
      return text !== "" && Number.isFinite(n) ? n : raw;
    }
    case "boolean":
      return /^(true|yes|y|1|on)$/i.test(text) ? true : /^(false|no|n|0|off)$/i.test(text) ? false : raw;
    case "array": {
      const items = (Array.isArray(schema.items) ? schema.items[0] : schema.items) as JsonSchema | undefined;
      const itemType = items?.type;
      if (itemType === "object" || itemType === "array") return parseJson(text) ?? raw;
      const parts = text
        .split(/[\n,]/)
        .map((p) => p.trim())
        .filter(Boolean);
      return items ? parts.map((p) => coerce(items, p)) : parts;
    }
    case "object":
      return parseJson(text) ?? raw;
    default:
      return raw;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (const part of path.slice(0, -1)) {
    const next = current[part];
    if (!next || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[path[path.length - 1]!] = value;
}
