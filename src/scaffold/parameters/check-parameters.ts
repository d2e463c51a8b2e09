import type { ValidateFunction } from "ajv";
import type { JsonSchema } from "../actions/action.ts";
import { compileSchema, createAjv, describeErrors, labelFor } from "../schema/json-schema.ts";
import { checkExtension, type EntityLookup } from "./field-extensions.ts";
import type { ParameterPage } from "./parameter-pages.ts";
import { walkProperties } from "./walk-properties.ts";

export interface ParameterProblem {
  /** 0-based page index. */
  page: number;
  pageTitle: string;
  /** The value's path, e.g. `name`, `database.engine`, `tags[1]`. */
  field: string;
  message: string;
}

export interface ParameterCheck {
  /** The values with the schema's defaults filled in. */
  values: Record<string, unknown>;
  problems: ParameterProblem[];
  /** Top-level keys no page declares (a typo in a values file, say). */
  unknown: string[];
}

const ajv = createAjv({ defaults: true });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(page: ParameterPage): ValidateFunction {
  let validate = compiled.get(page.schema);
  if (!validate) {
    validate = compileSchema(ajv, page.schema, `parameters page ${page.index + 1} ("${page.title}")`);
    compiled.set(page.schema, validate);
  }
  return validate;
}

/** Whether `values` satisfy a `visibleWhen` condition. */
export function conditionHolds(condition: JsonSchema | undefined, values: Record<string, unknown>): boolean {
  if (!condition) return true;
  let validate = compiled.get(condition);
  if (!validate) {
    validate = compileSchema(createAjv(), condition, "a field condition");
    compiled.set(condition, validate);
  }
  return validate(values) === true;
}

/**
 * Checks values against every page (or one, with `onlyPage`) as Backstage does: each page's schema is
 * applied to the whole set of values, draft-07 through ajv, defaults filled in. Then the checks of the
 * field extensions (entity names, tags, repository locations, entity refs) on the fields that apply.
 */
export function checkParameters(
  pages: ParameterPage[],
  input: Record<string, unknown>,
  options: { catalog?: EntityLookup; onlyPage?: number } = {},
): ParameterCheck {
  const values = structuredClone(input);
  // ajv fills defaults only inside objects that exist; the web form creates nested objects, so do the same.
  for (const page of pages) {
    for (const entry of walkProperties(page.schema)) {
      if (entry.path.length > 1 && entry.schema.default !== undefined && !entry.visibleWhen) {
        fillDefault(values, entry.path, entry.schema.default);
      }
    }
  }
  const problems: ParameterProblem[] = [];
  const seen = new Set<string>();
  const declared = new Set<string>();
  for (const page of pages) {
    for (const entry of walkProperties(page.schema)) declared.add(entry.path[0]!);
    if (options.onlyPage !== undefined && options.onlyPage !== page.index) continue;
    const validate = validatorFor(page);
    const report = (field: string, message: string) => {
      if (seen.has(field)) return;
      seen.add(field);
      problems.push({ page: page.index, pageTitle: page.title, field, message });
    };
    if (!validate(values)) {
      for (const problem of describeErrors(validate.errors, page.schema))
        report(problem.path, problem.message);
    }
    for (const entry of walkProperties(page.schema)) {
      if (!conditionHolds(entry.visibleWhen, values)) continue;
      const field = entry.path.join(".");
      const message = checkExtension(
        entry.schema,
        valueAt(values, entry.path),
        labelFor(page.schema, field),
        options.catalog,
      );
      if (message) report(field, message);
    }
  }
  // Reported in the order the form asks, page by page, rather than the order ajv found them.
  const order = new Map<string, number>();
  for (const page of pages) {
    for (const entry of walkProperties(page.schema)) {
      const key = `${page.index}:${entry.path.join(".")}`;
      if (!order.has(key)) order.set(key, order.size);
    }
  }
  const rank = (p: ParameterProblem) => order.get(`${p.page}:${p.field}`) ?? Number.MAX_SAFE_INTEGER;
  problems.sort((a, b) => a.page - b.page || rank(a) - rank(b));
  const unknown = Object.keys(values).filter((key) => !declared.has(key));
  return { values, problems, unknown: pages.length > 0 ? unknown : [] };
}

export function valueAt(values: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = values;
  for (const part of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function fillDefault(values: Record<string, unknown>, path: string[], value: unknown): void {
  let current: Record<string, unknown> = values;
  for (const part of path.slice(0, -1)) {
    const next = current[part];
    if (next === undefined) current[part] = {};
    else if (!next || typeof next !== "object" || Array.isArray(next)) return;
    current = current[part] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (current[last] === undefined) current[last] = structuredClone(value);
}
