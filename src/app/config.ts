import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { GITHUB_SECRET_KEYS, GITHUB_YAML_KEYS, githubConfigFields } from "../github/github-config.ts";
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";

/**
 * Configuration comes from environment variables and an optional callboard.yaml (environment wins).
 * Every key is listed in README.md's configuration table; a bad value stops start-up naming the key.
 */
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const urlText = z
  .string()
  .trim()
  .refine((v) => v === "" || URL.canParse(v), "must be a URL, e.g. http://localhost:7700")
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** `user:default/jane, group:default/platform`: each a User or Group ref (a bare name is a User). */
const refList = z
  .string()
  .default("")
  .transform((v, ctx) => {
    const refs: string[] = [];
    for (const entry of v
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      try {
        const ref = parseEntityRef(entry, { defaultKind: "user" });
        if (ref.kind.toLowerCase() !== "user" && ref.kind.toLowerCase() !== "group")
          throw new Error("not a User or Group");
        refs.push(stringifyEntityRef(ref));
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `"${entry}" is not a User or Group ref; write user:default/jane or group:default/platform`,
        });
      }
    }
    return refs;
  });

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    CALLBOARD_CATALOG: optionalText,
    CALLBOARD_DATA_DIR: z.string().trim().min(1).default("./data"),
    DATABASE_URL: z
      .string()
      .trim()
      .refine(
        (v) => v === "" || /^(postgres(ql)?:\/\/|file:)/.test(v),
        "must start with postgresql:// (PostgreSQL) or file: (SQLite)",
      )
      .transform((v) => (v === "" ? undefined : v))
      .optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().default("0.0.0.0"),
    CALLBOARD_BASE_URL: urlText,
    CALLBOARD_REFRESH_SECONDS: z.coerce.number().int().min(0).default(0),
    /** Hosts descriptor URLs may be read from besides the imported URL's own (comma-separated). */
    CALLBOARD_READ_ALLOW: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((h) => h.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d+)?$/i, "each entry is a host, host:port or *.domain"),
        ),
      ),
    /**
     * Folders besides the imported one that local catalogs may read (Location targets, $text/$json/$yaml),
     * comma-separated absolute paths. Nothing else on the host is read.
     */
    CALLBOARD_LOCAL_ROOTS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().refine((p) => isAbsolute(p), "each entry is an absolute path, e.g. /srv/shared-specs"),
        ),
      ),
    /** Largest descriptor or placeholder file an import reads, in bytes. */
    CALLBOARD_MAX_FILE_BYTES: z.coerce
      .number()
      .int()
      .min(1024, "must be at least 1024 bytes")
      .max(256 * 1024 * 1024, "must be at most 268435456 bytes (256 MiB)")
      .default(2 * 1024 * 1024),
    /** Folders (or URL prefixes) whose Template entities may run; empty means the example templates only. */
    CALLBOARD_SCAFFOLD_TRUSTED: z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? undefined
          : v
              .split(",")
              .map((entry) => entry.trim())
              .filter(Boolean),
      ),
    CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    /** Scaffolder tasks this process runs at once; 0: it queues tasks but runs none (other replicas do). */
    CALLBOARD_SCAFFOLD_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
    /** How often a running task's worker marks it alive (and notices a cancel); fractions allowed. */
    CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
    /** A running task not marked alive for this long was abandoned (its process died): another resumes it. */
    CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().min(0.2).max(86_400).default(30),
    /** People who may run any template and see, cancel and retry anyone's tasks. */
    CALLBOARD_ADMINS: refList,
    /** Seals secrets Callboard must keep for a while (a task's secrets); replicas sharing a database share it. */
    CALLBOARD_SECRET_KEY: optionalText,
    MEILISEARCH_URL: urlText,
    MEILISEARCH_API_KEY: optionalText,
    SLACK_BOT_TOKEN: optionalText,
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText,
    SLACK_API_URL: urlText,
    MICROSOFT_APP_ID: optionalText,
    MICROSOFT_APP_PASSWORD: optionalText,
    MICROSOFT_APP_TENANT_ID: optionalText,
    MICROSOFT_APP_TYPE: z.enum(["MultiTenant", "SingleTenant"]).default("MultiTenant"),
    TEAMS_ENABLED: z
      .enum(["true", "false", ""])
      .transform((v) => v === "true")
      .optional(),
    ...githubConfigFields,
  })
  .superRefine((config, ctx) => {
    if (
      config.CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS <
      2 * config.CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS"],
        message:
          "must be at least twice CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS, or a slow heartbeat makes a live task look abandoned",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** callboard.yaml uses readable nested keys; each maps to one environment variable. */
export const YAML_KEYS: Record<string, keyof Config> = {
  "log.level": "LOG_LEVEL",
  "catalog.location": "CALLBOARD_CATALOG",
  "catalog.refreshSeconds": "CALLBOARD_REFRESH_SECONDS",
  "catalog.readAllow": "CALLBOARD_READ_ALLOW",
  "catalog.localRoots": "CALLBOARD_LOCAL_ROOTS",
  "catalog.maxFileBytes": "CALLBOARD_MAX_FILE_BYTES",
  "data.dir": "CALLBOARD_DATA_DIR",
  "database.url": "DATABASE_URL",
  "http.port": "PORT",
  "http.host": "HOST",
  "http.baseUrl": "CALLBOARD_BASE_URL",
  "search.meilisearch.url": "MEILISEARCH_URL",
  "scaffold.trustedLocations": "CALLBOARD_SCAFFOLD_TRUSTED",
  "scaffold.stepTimeoutSeconds": "CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS",
  "scaffold.concurrency": "CALLBOARD_SCAFFOLD_CONCURRENCY",
  "scaffold.heartbeatSeconds": "CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS",
  "scaffold.heartbeatTimeoutSeconds": "CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS",
  admins: "CALLBOARD_ADMINS",
  "slack.apiUrl": "SLACK_API_URL",
  "teams.enabled": "TEAMS_ENABLED",
  "teams.appType": "MICROSOFT_APP_TYPE",
  "teams.tenantId": "MICROSOFT_APP_TENANT_ID",
  ...GITHUB_YAML_KEYS,
};

/** Secrets belong in the environment, not in a file that gets committed. */
const SECRET_KEYS = new Set<keyof Config>([
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "MICROSOFT_APP_PASSWORD",
  "MEILISEARCH_API_KEY",
  ...GITHUB_SECRET_KEYS,
  "CALLBOARD_SECRET_KEY",
]);

export class ConfigError extends Error {}

function flatten(value: unknown, prefix: string, out: Record<string, unknown>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = value;
  }
}

export function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML (${(error as Error).message}).`);
  }
  const flat: Record<string, unknown> = {};
  flatten(parsed ?? {}, "", flat);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(flat)) {
    const envKey = YAML_KEYS[key];
    if (!envKey) {
      throw new ConfigError(
        `${path}: unknown key "${key}". Known keys: ${Object.keys(YAML_KEYS).join(", ")}. Secrets go in environment variables.`,
      );
    }
    if (SECRET_KEYS.has(envKey))
      throw new ConfigError(`${path}: "${key}" is a secret; set ${envKey} instead.`);
    out[envKey] = String(value);
  }
  return out;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { file?: string; cwd?: string } = {},
): Config {
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? (env.CALLBOARD_CONFIG?.trim() || undefined);
  const file = resolve(cwd, named ?? "callboard.yaml");
  // Only the default file may be absent: a file someone named and that is not there is a mistake to report.
  if (named && !existsSync(file)) {
    throw new ConfigError(
      options.file
        ? `Config file not found: ${options.file}`
        : `CALLBOARD_CONFIG="${named}": no such file. Point it at your callboard.yaml, or unset it.`,
    );
  }
  const fromFile = existsSync(file) ? readConfigFile(file) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined) merged[key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join(".");
      const shown = SECRET_KEYS.has(key as keyof Config)
        ? "(hidden)"
        : JSON.stringify(hideCredentials(merged[key]));
      return `  ${key}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Configuration is invalid:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** A URL's password (postgresql://user:secret@host) must not reach a terminal or a log. */
export function hideCredentials(value: unknown): unknown {
  return typeof value === "string"
    ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, "$1:***@")
    : value;
}

export const slackConfigured = (c: Config): boolean => Boolean(c.SLACK_BOT_TOKEN && c.SLACK_SIGNING_SECRET);
export const teamsConfigured = (c: Config): boolean =>
  Boolean(c.MICROSOFT_APP_ID) || c.TEAMS_ENABLED === true;

/**
 * What serving Slack or Teams without CALLBOARD_BASE_URL breaks: answers link to http://localhost:PORT,
 * which nobody else can open, and a pasted link on the public host matches nothing, so it gets no preview.
 * A warning in development; in production start-up stops.
 */
export function checkServingConfig(config: Config): string[] {
  if (config.CALLBOARD_BASE_URL || !(slackConfigured(config) || teamsConfigured(config))) return [];
  const problem =
    `CALLBOARD_BASE_URL is not set: links in answers point at http://localhost:${config.PORT}, which ` +
    "nobody else can open, and pasted Callboard links get no preview in Slack or Teams. Set " +
    "CALLBOARD_BASE_URL (callboard.yaml: http.baseUrl) to the public URL of this server, e.g. " +
    "https://callboard.example.com.";
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      `${problem} In production (NODE_ENV=production) Callboard does not start without it.`,
    );
  }
  return [problem];
}
