import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ADAPTER_MODULES } from "../bot/adapters.ts";
import type { AdapterModule } from "../bot/core/adapter.ts";
import { catalogSettings } from "../catalog/catalog-config.ts";
import { docsSettings } from "../docs/docs-config.ts";
import { githubConfigSection as githubSection } from "../github/github-config.ts";
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";
import { scaffoldSettings } from "../scaffold/scaffold-config.ts";
import {
  ConfigError,
  defineConfigSection,
  optionalText,
  readSettings,
  readSettingsFile,
  urlText,
  type ConfigSection,
} from "../plugins/config-section.ts";

export { ConfigError, hideCredentials } from "../plugins/config-section.ts";

/**
 * Configuration comes from environment variables and an optional callboard.yaml (environment wins), in
 * sections: the core's here, the catalog's, and any a plugin or adapter declares (src/plugins/config-section.ts).
 * Every key is listed in README.md's configuration table; a bad value stops start-up naming the key.
 */
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

export const coreSettings = defineConfigSection({
  id: "core",
  yamlAtRoot: true,
  schema: z.object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
    /**
     * Where the HTTP server listens. Unset: every interface when a chat platform is configured, and only this
     * machine (127.0.0.1) for the terminal chat alone, whose doc pages are for the person at the terminal.
     */
    HOST: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || undefined),
    CALLBOARD_BASE_URL: urlText,
    /** People who may run any template and see, cancel and retry anyone's tasks. */
    CALLBOARD_ADMINS: refList,
    MEILISEARCH_URL: urlText,
    MEILISEARCH_API_KEY: optionalText,
    /**
     * Seals secrets Callboard keeps for a while (open forms' secret fields, running tasks' secrets). Replicas
     * that share a database must share it; one process keeps a generated key in the data directory when unset.
     */
    CALLBOARD_SECRET_KEY: optionalText,
  }),
  /** callboard.yaml uses readable nested keys; each maps to one environment variable. */
  yaml: {
    "log.level": "LOG_LEVEL",
    "data.dir": "CALLBOARD_DATA_DIR",
    "database.url": "DATABASE_URL",
    "http.port": "PORT",
    "http.host": "HOST",
    "http.baseUrl": "CALLBOARD_BASE_URL",
    "search.meilisearch.url": "MEILISEARCH_URL",
    admins: "CALLBOARD_ADMINS",
  },
  /** Secrets belong in the environment, not in a file that gets committed. */
  secrets: ["MEILISEARCH_API_KEY", "CALLBOARD_SECRET_KEY"],
});

/** The sections Callboard always reads; a plugin or adapter with settings of its own adds its section here. */
export const BUILT_IN_SECTIONS: readonly ConfigSection[] = [
  coreSettings,
  catalogSettings,
  githubSection,
  scaffoldSettings,
  docsSettings,
  ...ADAPTER_MODULES.map((module) => module.settings),
];

export type Config = z.output<typeof coreSettings.schema> &
  z.output<typeof catalogSettings.schema> &
  z.output<typeof githubSection.schema> &
  z.output<typeof scaffoldSettings.schema> &
  z.output<typeof docsSettings.schema> & {
    /** Every section's parsed values by section id: what the registry gives each plugin as `api.config`. */
    sections: ReadonlyMap<string, Record<string, unknown>>;
  };

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { file?: string; cwd?: string; sections?: readonly ConfigSection[] } = {},
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
  const settings = readSettings(
    [...BUILT_IN_SECTIONS, ...(options.sections ?? [])],
    env,
    existsSync(file) ? readSettingsFile(file) : undefined,
  );
  return { ...(settings.values as Omit<Config, "sections">), sections: settings.sections };
}

/** The adapters these settings ask for; the fallback (the terminal) when they ask for none. */
export function enabledAdapters(config: Config): AdapterModule[] {
  const enabled = ADAPTER_MODULES.filter(
    (module) => !module.fallback && module.enabled(adapterSettings(config, module)),
  );
  return enabled.length > 0 ? enabled : ADAPTER_MODULES.filter((module) => module.fallback);
}

/** One adapter's settings, as its section read them. */
export function adapterSettings(config: Config, module: AdapterModule): Record<string, unknown> {
  return config.sections.get(module.settings.id) ?? {};
}

/**
 * What serving a chat platform over the internet without CALLBOARD_BASE_URL breaks: answers link to
 * http://localhost:PORT, which nobody else can open, and a pasted link on the public host matches nothing, so
 * it gets no preview. A warning in development; in production start-up stops.
 */
export function checkServingConfig(config: Config): string[] {
  return [...checkBaseUrl(config), ...checkSecretKey(config)];
}

/**
 * Replicas on one PostgreSQL database each take any form's next page, so they must open each other's sealed
 * values: without a shared CALLBOARD_SECRET_KEY each would seal with a key of its own.
 */
function checkSecretKey(config: Config): string[] {
  if (config.CALLBOARD_SECRET_KEY || !/^postgres/.test(config.DATABASE_URL ?? "")) return [];
  const problem =
    "CALLBOARD_SECRET_KEY is not set while the database is PostgreSQL: each replica would seal secrets (open " +
    "forms' secret fields, running tasks' secrets) with a key of its own, so another replica could not open " +
    "them: a form's next page would ask for them again, and a task could not be resumed there. " +
    "Set CALLBOARD_SECRET_KEY to the same random value on every replica (e.g. `openssl rand -base64 32`).";
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      `${problem} In production (NODE_ENV=production) Callboard does not start without it.`,
    );
  }
  return [problem];
}

function checkBaseUrl(config: Config): string[] {
  const reached = enabledAdapters(config).filter((module) => module.public);
  if (config.CALLBOARD_BASE_URL || reached.length === 0) return [];
  const platforms = reached.map((module) => module.label).join(" or ");
  const problem =
    `CALLBOARD_BASE_URL is not set: links in answers point at http://localhost:${config.PORT}, which ` +
    `nobody else can open, and pasted Callboard links get no preview in ${platforms}. Set ` +
    "CALLBOARD_BASE_URL (callboard.yaml: http.baseUrl) to the public URL of this server, e.g. " +
    "https://callboard.example.com.";
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      `${problem} In production (NODE_ENV=production) Callboard does not start without it.`,
    );
  }
  return [problem];
}
