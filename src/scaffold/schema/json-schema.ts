import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { JsonSchema } from "../actions/action.ts";

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** One problem with a value, by where it is (`owner`, `repo.name`, `tags[1]`) and in words. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/**
 * An ajv instance for draft-07 schemas written by template authors: unknown keywords (`ui:field`,
 * `enumNames`, `backstage:permissions`) are allowed, every error is collected, and `defaults` fills in
 * `default` values as Backstage's form does.
 */
export function createAjv(options: { defaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    allowUnionTypes: true,
    useDefaults: options.defaults === true,
    // Template schemas are data: a `$id` repeated across templates must not collide in a shared instance.
    addUsedSchema: false,
  });
  addFormats(ajv);
  return ajv;
}

export class SchemaCompileError extends Error {
  override name = "SchemaCompileError";
}

export function compileSchema(ajv: Ajv, schema: JsonSchema, what: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new SchemaCompileError(
      `${what} is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** `/repo/name` and `/tags/1` as `repo.name` and `tags[1]`. */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}

function joinPath(base: string, property: string): string {
  return base === "" ? property : `${base}.${property}`;
}

/** The subschema describing a property path, looking through the places JSON Schema can declare it. */
export function schemaAt(schema: unknown, path: string): JsonSchema | undefined {
  const parts = path === "" ? [] : path.split(/\.|(?=\[)/);
  let current: unknown = schema;
  for (const part of parts) {
    const index = /^\[(\d+)\]$/.exec(part);
    current = index ? itemsOf(current) : propertyOf(current, part);
    if (current === undefined) return undefined;
  }
  return isObject(current) ? current : undefined;
}

function itemsOf(schema: unknown): unknown {
  if (!isObject(schema)) return undefined;
  return Array.isArray(schema.items) ? schema.items[0] : schema.items;
}

function propertyOf(schema: unknown, name: string, depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return undefined;
  const properties = schema.properties;
  if (isObject(properties) && isObject(properties[name])) return properties[name];
  const branches: unknown[] = [
    ...asArray(schema.allOf),
    ...asArray(schema.oneOf),
    ...asArray(schema.anyOf),
    schema.then,
    schema.else,
    ...(isObject(schema.dependencies) ? Object.values(schema.dependencies) : []),
  ];
  for (const branch of branches) {
    const found = propertyOf(branch, name, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A field's name for messages: its title, or its path. */
export function labelFor(schema: unknown, path: string): string {
  const title = schemaAt(schema, path)?.title;
  return typeof title === "string" && title.trim() ? title.trim() : path || "the value";
}

/**
 * ajv's errors as one message a field, in words a person can act on. Of a `oneOf`/`anyOf` whose branches
 * all failed, only the branch that was meant is reported: the one not refused on a discriminating
 * `enum`/`const`, with the fewest errors.
 */
export function describeErrors(
  errors: readonly ErrorObject[] | null | undefined,
  schema: unknown,
  options: { titles?: boolean } = {},
): SchemaProblem[] {
  // Without titles (action inputs, which authors write by key), fields are named by their path.
  const named = options.titles === false ? undefined : schema;
  const kept = pickBranches(errors ?? []);
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const path = errorPath(error);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, message: describe(error, named, path, schema) });
  }
  return out;
}

function errorPath(error: ErrorObject): string {
  const base = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required" || error.keyword === "dependencies") {
    return joinPath(base, String(params.missingProperty));
  }
  if (error.keyword === "additionalProperties") return joinPath(base, String(params.additionalProperty));
  return base;
}

function pickBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  let remaining = errors.filter((e) => e.keyword !== "if");
  const combinators = remaining.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf");
  for (const combinator of combinators) {
    const prefix = `${combinator.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const error of remaining) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split("/")[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), error]);
    }
    if (byBranch.size === 0) continue;
    const ranked = [...byBranch.values()].sort(
      (a, b) => Number(refused(a)) - Number(refused(b)) || a.length - b.length,
    );
    const chosen = new Set(ranked[0]);
    remaining = remaining.filter(
      (e) => e !== combinator && (!e.schemaPath.startsWith(prefix) || chosen.has(e)),
    );
  }
  return remaining;
}

/** A branch refused on an `enum` or `const` was not the one meant (the discriminator chose another). */
function refused(errors: ErrorObject[]): boolean {
  return errors.some((e) => e.keyword === "enum" || e.keyword === "const");
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a set of fields",
  null: "empty",
};

function describe(error: ErrorObject, schema: unknown, path: string, full: unknown): string {
  const label = `"${labelFor(schema, path)}"`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${label} is required.`;
    case "dependencies":
      return `${label} is required when "${labelFor(schema, joinPath(pointerToPath(error.instancePath), String(params.property)))}" is set.`;
    case "type": {
      const types = String(params.type).split(",");
      return `${label} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")}.`;
    }
    case "enum": {
      const sub = schemaAt(full, path);
      const names = Array.isArray(sub?.enumNames) ? (sub.enumNames as unknown[]) : undefined;
      const allowed = (params.allowedValues as unknown[]).map((v, i) => String(names?.[i] ?? v));
      return `${label} must be one of: ${allowed.join(", ")}.`;
    }
    case "const":
      return `${label} must be ${JSON.stringify(params.allowedValue)}.`;
    case "pattern": {
      // A regular expression alone tells few people what to type; the field's description usually does.
      const about = schemaAt(full, path)?.description;
      const hint = typeof about === "string" && about.trim() ? ` (${about.trim().replace(/\.$/, "")})` : "";
      return `${label} must match the pattern ${String(params.pattern)}${hint}.`;
    }
    case "format":
      return `${label} must be a valid ${String(params.format)}.`;
    case "minLength":
      return `${label} must be at least ${plural(Number(params.limit), "character")}.`;
    case "maxLength":
      return `${label} must be at most ${plural(Number(params.limit), "character")}.`;
    case "minimum":
      return `${label} must be ${String(params.limit)} or more.`;
    case "maximum":
      return `${label} must be ${String(params.limit)} or less.`;
    case "exclusiveMinimum":
      return `${label} must be more than ${String(params.limit)}.`;
    case "exclusiveMaximum":
      return `${label} must be less than ${String(params.limit)}.`;
    case "multipleOf":
      return `${label} must be a multiple of ${String(params.multipleOf)}.`;
    case "minItems":
      return `${label} needs at least ${plural(Number(params.limit), "item")}.`;
    case "maxItems":
      return `${label} takes at most ${plural(Number(params.limit), "item")}.`;
    case "uniqueItems":
      return `${label} lists the same value twice (items ${Math.min(Number(params.i), Number(params.j)) + 1} and ${Math.max(Number(params.i), Number(params.j)) + 1}).`;
    case "minProperties":
    case "maxProperties":
      return `${label} ${error.message ?? "has the wrong number of fields"}.`;
    case "additionalProperties":
      return `${label} is not a field this accepts.`;
    case "oneOf":
      return params.passingSchemas
        ? `${label} fits more than one of the choices; make it fit exactly one.`
        : `${label} does not fit any of the choices.`;
    case "anyOf":
      return `${label} does not fit any of the choices.`;
    case "not":
      return `${label} has a value that is not allowed.`;
    default:
      return `${label} ${error.message ?? "is not valid"}.`;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
