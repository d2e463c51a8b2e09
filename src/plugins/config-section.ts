/**
 * Settings in sections: the core's, each plugin's and each adapter's. A section is a zod object keyed by
 * environment variable names, plus the callboard.yaml keys that set them. One loader reads every section from
 * the environment and the file together (the environment wins; secrets only from the environment), so a bad
 * value anywhere stops start-up with one message that names each key, and an unknown file key is refused
 * however many sections there are.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export interface ConfigSection<Schema extends z.ZodObject = z.ZodObject> {
  /** Names the section; its callboard.yaml keys live under it (`github:` then `org: acme` sets `github.org`). */
  id: string;
  /** Keyed by environment variable names, which are unique across all sections. */
  schema: Schema;
  /** callboard.yaml keys, relative to `id` ("meilisearch.url"), and the environment variable each sets. */
  yaml?: Readonly<Record<string, string>>;
  /** Variables only the environment may set: never read from a file, never shown in an error. */
  secrets?: readonly string[];
  /** The core settings only: their file keys are not under the id ("log.level", "http.port"). */
  yamlAtRoot?: boolean;
}

/** What a section's schema produces: its typed values. */
export type SectionValues<S extends ConfigSection> = z.output<S["schema"]>;

/** Declare a section with its types kept, so a plugin's `api.config` is typed from its schema. */
export function defineConfigSection<Schema extends z.ZodObject>(
  section: ConfigSection<Schema>,
): ConfigSection<Schema> {
  return section;
}

export class ConfigError extends Error {}

/** Every section's values, flat (environment variable names are unique), and each section's apart. */
export interface Settings {
  values: Record<string, unknown>;
  sections: ReadonlyMap<string, Record<string, unknown>>;
}

/** callboard.yaml as read: where it is, and its keys flattened to dotted paths. */
export interface SettingsFile {
  path: string;
  values: Record<string, unknown>;
}

// --- field types sections share ---

/** Text; blank means unset. */
export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** A URL; blank means unset. */
export const urlText = z
  .string()
  .trim()
  .refine((v) => v === "" || URL.canParse(v), "must be a URL, e.g. http://localhost:7700")
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** A comma-separated list (a YAML list in the file arrives the same way), each entry checked by `item`. */
export function commaList(item: z.ZodType<string, string>) {
  return z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
}

// --- reading ---

function flatten(value: unknown, prefix: string, out: Record<string, unknown>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = value;
  }
}

/** Read and flatten a callboard.yaml; which keys are known is decided with the sections (readSettings). */
export function readSettingsFile(path: string): SettingsFile {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML (${(error as Error).message}).`);
  }
  const values: Record<string, unknown> = {};
  flatten(parsed ?? {}, "", values);
  return { path, values };
}

/** The file keys every section answers to, each with its variable and whether it is secret. */
export function fileKeys(
  sections: readonly ConfigSection[],
): Map<string, { variable: string; section: string; secret: boolean }> {
  const keys = new Map<string, { variable: string; section: string; secret: boolean }>();
  for (const section of sections) {
    const secrets = new Set(section.secrets ?? []);
    for (const [key, variable] of Object.entries(section.yaml ?? {})) {
      const full = section.yamlAtRoot ? key : `${section.id}.${key}`;
      keys.set(full, { variable, section: section.id, secret: secrets.has(variable) });
    }
  }
  return keys;
}

/** A definition mistake is the developer's, found the first time the sections are read together. */
function checkDefinitions(sections: readonly ConfigSection[]): void {
  const ids = new Set<string>();
  const owners = new Map<string, string>();
  for (const section of sections) {
    if (ids.has(section.id)) throw new Error(`Two configuration sections are called "${section.id}".`);
    ids.add(section.id);
    const variables = Object.keys(section.schema.shape);
    for (const variable of variables) {
      const other = owners.get(variable);
      if (other) {
        throw new Error(
          `${variable} is declared by configuration sections "${other}" and "${section.id}"; a setting has one owner.`,
        );
      }
      owners.set(variable, section.id);
    }
    for (const [key, variable] of Object.entries(section.yaml ?? {})) {
      if (!variables.includes(variable)) {
        throw new Error(
          `Configuration section "${section.id}": yaml key "${key}" names ${variable}, not in its schema.`,
        );
      }
    }
    for (const secret of section.secrets ?? []) {
      if (!variables.includes(secret)) {
        throw new Error(`Configuration section "${section.id}": secret ${secret} is not in its schema.`);
      }
    }
  }
}

/**
 * Read every section from the environment and the file (the environment wins). Refuses file keys no section
 * knows and secrets in the file; a bad value in any section stops with one ConfigError naming each key.
 */
export function readSettings(
  sections: readonly ConfigSection[],
  env: Readonly<Record<string, string | undefined>>,
  file?: SettingsFile,
): Settings {
  checkDefinitions(sections);
  const known = fileKeys(sections);
  const merged: Record<string, unknown> = {};
  const fromFile = new Map<string, string>();
  for (const [key, value] of Object.entries(file?.values ?? {})) {
    const entry = known.get(key);
    if (!entry) {
      throw new ConfigError(
        `${file!.path}: unknown key "${key}". Known keys: ${[...known.keys()].filter((k) => !known.get(k)!.secret).join(", ")}. Secrets go in environment variables.`,
      );
    }
    if (entry.secret)
      throw new ConfigError(`${file!.path}: "${key}" is a secret; set ${entry.variable} instead.`);
    merged[entry.variable] = String(value);
    fromFile.set(entry.variable, key);
  }
  for (const section of sections) {
    for (const variable of Object.keys(section.schema.shape)) {
      const value = env[variable];
      if (value !== undefined) {
        merged[variable] = value;
        fromFile.delete(variable);
      }
    }
  }

  const values: Record<string, unknown> = {};
  const bySection = new Map<string, Record<string, unknown>>();
  const problems: string[] = [];
  for (const section of sections) {
    const own: Record<string, unknown> = {};
    for (const variable of Object.keys(section.schema.shape)) {
      if (variable in merged) own[variable] = merged[variable];
    }
    const result = section.schema.safeParse(own);
    if (!result.success) {
      const secrets = new Set(section.secrets ?? []);
      for (const issue of result.error.issues) {
        const key = issue.path.join(".");
        const shown = secrets.has(key) ? "(hidden)" : JSON.stringify(hideCredentials(merged[key]));
        const where = fromFile.has(key) ? ` (${file!.path}: ${fromFile.get(key)})` : "";
        problems.push(`  ${key}=${shown}${where}: ${issue.message}`);
      }
      continue;
    }
    const parsed = result.data as Record<string, unknown>;
    bySection.set(section.id, parsed);
    Object.assign(values, parsed);
  }
  if (problems.length > 0) throw new ConfigError(`Configuration is invalid:\n${problems.join("\n")}`);
  return { values, sections: bySection };
}

/** A URL's password (postgresql://user:secret@host) must not reach a terminal or a log. */
export function hideCredentials(value: unknown): unknown {
  return typeof value === "string"
    ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, "$1:***@")
    : value;
}
