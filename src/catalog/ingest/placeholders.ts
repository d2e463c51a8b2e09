import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { LocationSpec } from "./read-source.ts";

export interface PlaceholderProblem {
  path: Array<string | number>;
  message: string;
}

export interface PlaceholderContext {
  /** The descriptor file the placeholder appears in; relative targets resolve against it. */
  base: LocationSpec;
  /**
   * Reads a file or URL as text with the reader's size cap and its rules on where it may read (local files
   * inside the imported folder, URLs on allowed hosts); throws a SourceError-like Error on failure.
   */
  read: (spec: LocationSpec) => Promise<string>;
  maxAliases: number;
}

const RESOLVERS = {
  $text: (text: string) => text,
  $json: (text: string) => JSON.parse(text) as unknown,
  $yaml: (text: string, maxAliases: number) =>
    parseYaml(text, { merge: false, maxAliasCount: maxAliases }) as unknown,
} as const;

type PlaceholderKey = keyof typeof RESOLVERS;

/**
 * Replaces `{$text|$json|$yaml: <path or URL>}` values anywhere in `value`, as Backstage's
 * PlaceholderProcessor does. Like Backstage, an object with other keys beside the `$` key, an unknown
 * `$` key (e.g. JSON Schema's `$ref`) or a non-string target is left untouched.
 */
export async function resolvePlaceholders(
  value: unknown,
  context: PlaceholderContext,
): Promise<{ value: unknown; problems: PlaceholderProblem[] }> {
  const problems: PlaceholderProblem[] = [];
  // Almost no entity has placeholders; skip the async copying walk for those.
  if (!containsPlaceholder(value)) return { value, problems };
  const resolved = await walk(value, [], context, problems);
  return { value: resolved, problems };
}

function isPlaceholder(record: Record<string, unknown>, keys: string[]): boolean {
  const only = keys.length === 1 ? keys[0] : undefined;
  return only !== undefined && only in RESOLVERS && typeof record[only] === "string";
}

/** Whether resolvePlaceholders has anything to do: a document without placeholders needs no reads. */
export function containsPlaceholder(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(containsPlaceholder);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  return isPlaceholder(record, keys) || keys.some((key) => containsPlaceholder(record[key]));
}

async function walk(
  value: unknown,
  path: Array<string | number>,
  context: PlaceholderContext,
  problems: PlaceholderProblem[],
): Promise<unknown> {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await walk(value[i], [...path, i], context, problems));
    return out;
  }
  if (value === null || typeof value !== "object") return value;

  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (isPlaceholder(record, keys)) {
    const key = keys[0] as PlaceholderKey;
    return resolveOne(key, record[key] as string, path, context, problems);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = await walk(record[key], [...path, key], context, problems);
  return out;
}

async function resolveOne(
  key: PlaceholderKey,
  target: string,
  path: Array<string | number>,
  context: PlaceholderContext,
  problems: PlaceholderProblem[],
): Promise<unknown> {
  const spec = placeholderTarget(target, context.base);
  if ("error" in spec) {
    problems.push({ path, message: `${key} placeholder "${target}": ${spec.error}` });
    return undefined;
  }
  let text: string;
  try {
    text = await context.read(spec);
  } catch (error) {
    problems.push({ path, message: `${key} placeholder "${target}": ${(error as Error).message}` });
    return undefined;
  }
  try {
    return RESOLVERS[key](text, context.maxAliases);
  } catch (error) {
    const what = key === "$json" ? "JSON" : "YAML";
    problems.push({
      path,
      message: `${key} placeholder "${target}": ${spec.target} is not valid ${what}: ${(error as Error).message.split("\n", 1)[0]}`,
    });
    return undefined;
  }
}

function placeholderTarget(target: string, base: LocationSpec): LocationSpec | { error: string } {
  if (/^https?:\/\//i.test(target)) {
    return URL.canParse(target)
      ? { type: "url", target: new URL(target).href }
      : { error: "is not a valid URL" };
  }
  if (base.type === "url") {
    try {
      return { type: "url", target: new URL(target, base.target).href };
    } catch {
      return { error: `cannot be resolved against ${base.target}` };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !isAbsolute(target)) {
    return { error: "only relative paths, absolute paths and http(s) URLs are supported" };
  }
  // Backstage lets a relative path (or an absolute one) reach any file on its host; Callboard does not.
  // `read` holds every local path inside the imported folder and the configured extra roots (LocalRoots),
  // so `../shared/openapi.yaml` from a sub-folder works and `../../../etc/passwd` is refused.
  return { type: "file", target: resolve(dirname(base.target), target) };
}
