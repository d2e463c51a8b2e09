import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  type Entity,
  type RelationEdge,
} from "../model/entity.ts";
import { entityHash } from "../model/hash.ts";
import { entityRef, stringifyEntityRef } from "../model/ref.ts";
import { deriveRelations } from "../model/relations.ts";
import { validateEntity } from "../model/validate.ts";

/**
 * Deeper than any real descriptor gets, and well inside what the databases accept (SQLite's JSON functions
 * stop at 1,000 levels): a 1,500-deep $json must be one entity's problem, not a failed import.
 */
const MAX_NESTING = 64;

/** A problem found in one document, by the path of the field at fault (the caller turns it into a line). */
export interface DocumentProblem {
  path: Array<string | number>;
  field?: string;
  message: string;
}

/** An entity that passed validation: what the reader records, less its place in the file. */
export interface CheckedEntity {
  ref: string;
  entity: Entity;
  relations: RelationEdge[];
  hash: string;
  /** Relation fields that could not be read (bad refs): reported, while the entity still loads. */
  relationProblems: DocumentProblem[];
}

export type CheckResult = { ok: true; checked: CheckedEntity } | { ok: false; problems: DocumentProblem[] };

/**
 * Everything the reader does to one document once its placeholders are resolved: the nesting cap, the
 * location annotations, Backstage's validation, the canonical ref, relations and the content hash. Pure
 * and synchronous, so parsing workers run it next to the parse and the main thread only records results.
 */
export function checkEntity(
  candidate: Record<string, unknown>,
  location: string,
  origin: string,
): CheckResult {
  const tooDeep = pathBeyondDepth(candidate, MAX_NESTING);
  if (tooDeep) {
    return {
      ok: false,
      problems: [
        {
          path: tooDeep,
          field: pathToField(tooDeep),
          message: `nested more than ${MAX_NESTING} levels deep; flatten it or move it to a definition file`,
        },
      ],
    };
  }
  addLocationAnnotations(candidate, location, origin);

  const invalid = validateEntity(candidate);
  if (invalid.length > 0) {
    return {
      ok: false,
      problems: invalid.map((p) => ({ path: fieldToPath(p.field), field: p.field, message: p.message })),
    };
  }
  const entity = candidate as unknown as Entity;
  const { edges, problems } = deriveRelations(entity);
  return {
    ok: true,
    checked: {
      ref: entityRef(entity),
      entity,
      relations: edges,
      hash: entityHash(entity),
      relationProblems: problems.map((p) => ({
        path: fieldToPath(p.field),
        field: p.field,
        message: p.message,
      })),
    },
  };
}

function addLocationAnnotations(entity: Record<string, unknown>, location: string, origin: string): void {
  const metadata = entity.metadata;
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return;
  const meta = metadata as Record<string, unknown>;
  const annotations = meta.annotations ?? {};
  if (typeof annotations !== "object" || annotations === null || Array.isArray(annotations)) return;
  meta.annotations = {
    ...(annotations as Record<string, unknown>),
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: origin,
  };
}

/** Best-effort ref for problem reports on entities too broken to validate. */
export function guessRef(raw: Record<string, unknown>): string | undefined {
  const metadata = raw.metadata as Record<string, unknown> | undefined;
  const { kind } = raw;
  const name = metadata?.name;
  const namespace = metadata?.namespace;
  if (typeof kind !== "string" || typeof name !== "string" || !kind || !name) return undefined;
  return stringifyEntityRef({ kind, name, namespace: typeof namespace === "string" ? namespace : undefined });
}

export function pathToField(path: Array<string | number>): string {
  let field = "";
  for (const segment of path) {
    if (typeof segment === "number") field += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) field += field ? `.${segment}` : segment;
    else field += `[${JSON.stringify(segment)}]`;
  }
  return field;
}

/** Inverse of the field format validateEntity uses: `a.b[0]["x/y"]` → ["a", "b", 0, "x/y"]. */
function fieldToPath(field: string): Array<string | number> {
  const path: Array<string | number> = [];
  const pattern = /([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of field.matchAll(pattern)) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else if (match[3] !== undefined) path.push(JSON.parse(match[3]) as string);
  }
  return path;
}

/** The path to the first value nested deeper than `limit`, or undefined when the value is shallower. */
function pathBeyondDepth(value: unknown, limit: number): Array<string | number> | undefined {
  if (limit < 0) return [];
  if (value === null || typeof value !== "object") return undefined;
  // The path is only built on the way out of a find; the common, shallow document allocates nothing. Last
  // child first, as the reader always searched, so a document too deep in two places names the same one.
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) {
      const below = pathBeyondDepth(value[i], limit - 1);
      if (below) return [i, ...below];
    }
    return undefined;
  }
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i >= 0; i--) {
    const below = pathBeyondDepth((value as Record<string, unknown>)[keys[i]!], limit - 1);
    if (below) return [keys[i]!, ...below];
  }
  return undefined;
}
