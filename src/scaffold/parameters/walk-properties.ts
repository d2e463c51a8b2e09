import type { JsonSchema } from "../actions/action.ts";

/** A property a form asks for, wherever the schema declares it. */
export interface PropertyEntry {
  /** From the page's root, e.g. ["database", "engine"]. */
  path: string[];
  schema: JsonSchema;
  required: boolean;
  /** A JSON Schema over the page's values that must hold for the property to be asked. */
  visibleWhen?: JsonSchema;
}

const MAX_DEPTH = 6;

/**
 * Every property of a page, in declaration order (then `ui:order`), with nested objects flattened into
 * paths and the properties that conditional schemas add (`dependencies`, `if`/`then`/`else`, `oneOf`,
 * `allOf`) marked with the condition under which they appear.
 */
export function walkProperties(page: JsonSchema): PropertyEntry[] {
  const found = new Map<string, PropertyEntry>();
  walk(page, [], undefined, found, 0);
  return [...found.values()];
}

function walk(
  schema: JsonSchema,
  prefix: string[],
  condition: JsonSchema | undefined,
  found: Map<string, PropertyEntry>,
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const properties = objectOf(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  for (const name of ordered(Object.keys(properties), schema["ui:order"])) {
    const property = objectOf(properties[name]);
    const path = [...prefix, name];
    const nested = objectOf(property.properties);
    const objectType = property.type === "object" || property.type === undefined;
    if (objectType && Object.keys(nested).length > 0 && !property["ui:field"]) {
      walk(property, path, condition, found, depth + 1);
      continue;
    }
    add(found, {
      path,
      schema: property,
      required: required.has(name),
      ...(condition ? { visibleWhen: condition } : {}),
    });
  }
  const declared = new Set(Object.keys(properties));
  const at = (inner: JsonSchema): JsonSchema => scoped(prefix, inner);
  // Schema dependencies: `dependencies: { kind: { oneOf: [...] } }` or `{ kind: { properties: ... } }`.
  for (const [key, dependency] of Object.entries(objectOf(schema.dependencies))) {
    if (Array.isArray(dependency)) continue;
    const present: JsonSchema = { required: [key] };
    const dep = objectOf(dependency);
    const branches = Array.isArray(dep.oneOf) ? dep.oneOf : Array.isArray(dep.anyOf) ? dep.anyOf : [dep];
    for (const raw of branches) {
      const branch = objectOf(raw);
      const when = and(condition, at(and(present, discriminators(branch, declared))!));
      walk(branch, prefix, when, found, depth + 1);
    }
  }
  for (const raw of Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : []) {
    const branch = objectOf(raw);
    walk(branch, prefix, and(condition, at(discriminators(branch, declared) ?? {})), found, depth + 1);
  }
  if (schema.if && typeof schema.if === "object") {
    const test = objectOf(schema.if);
    if (schema.then) walk(objectOf(schema.then), prefix, and(condition, at(test)), found, depth + 1);
    if (schema.else) walk(objectOf(schema.else), prefix, and(condition, at({ not: test })), found, depth + 1);
  }
  for (const raw of Array.isArray(schema.allOf) ? schema.allOf : []) {
    walk(objectOf(raw), prefix, condition, found, depth + 1);
  }
}

/** The branch's constraints on properties the page already declares: what selects this branch. */
function discriminators(branch: JsonSchema, declared: Set<string>): JsonSchema | undefined {
  const properties = objectOf(branch.properties);
  const chosen = Object.entries(properties).filter(([name]) => declared.has(name));
  if (chosen.length === 0) return undefined;
  return { properties: Object.fromEntries(chosen), required: chosen.map(([name]) => name) };
}

/** A condition on a nested object's values, as a condition on the page's. */
function scoped(prefix: string[], inner: JsonSchema): JsonSchema {
  let out = inner;
  for (let i = prefix.length - 1; i >= 0; i--)
    out = { properties: { [prefix[i]!]: out }, required: [prefix[i]!] };
  return out;
}

function and(a: JsonSchema | undefined, b: JsonSchema | undefined): JsonSchema | undefined {
  if (!a || Object.keys(a).length === 0) return b && Object.keys(b).length > 0 ? b : undefined;
  if (!b || Object.keys(b).length === 0) return a;
  return { allOf: [a, b] };
}

function add(found: Map<string, PropertyEntry>, entry: PropertyEntry): void {
  const key = entry.path.join(".");
  const existing = found.get(key);
  if (!existing) {
    found.set(key, entry);
    return;
  }
  // Declared in several places: asked when any of them applies, required where the first said so.
  if (!existing.visibleWhen || !entry.visibleWhen) delete existing.visibleWhen;
  else existing.visibleWhen = { anyOf: [existing.visibleWhen, entry.visibleWhen] };
}

/** `ui:order` with its `*` wildcard, as rjsf applies it. */
function ordered(names: string[], order: unknown): string[] {
  if (!Array.isArray(order)) return names;
  const listed = order.map(String);
  const rest = names.filter((n) => !listed.includes(n));
  const out: string[] = [];
  for (const name of listed) {
    if (name === "*") out.push(...rest);
    else if (names.includes(name)) out.push(name);
  }
  if (!listed.includes("*")) out.push(...rest);
  return out;
}

function objectOf(value: unknown): JsonSchema {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : {};
}
