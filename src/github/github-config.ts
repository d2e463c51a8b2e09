/**
 * GitHub's settings: its configuration section (fields, callboard.yaml keys, which are secrets) and the
 * settings the GitHub client is built from.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { commaList, defineConfigSection, optionalText } from "../plugins/config-section.ts";

const optionalId = z
  .string()
  .trim()
  .refine((v) => v === "" || /^\d+$/.test(v), "must be a number, e.g. 123456")
  .transform((v) => (v === "" ? undefined : Number(v)))
  .optional();

/** `true`/`false` (also 1/0, yes/no), as environment variables and YAML booleans both arrive as text. */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["", "true", "false", "1", "0", "yes", "no"].includes(v), "must be true or false")
  .transform((v) => v === "true" || v === "1" || v === "yes")
  .default(false);

/**
 * Catalog discovery: which organisations' repositories are searched for catalog files, which of them, and how
 * often; and the webhook secret that keeps them fresh between refreshes.
 */
function discoveryFields() {
  return {
    /** Organisations (or users) whose repositories are searched; `*` for every installation of the App. */
    GITHUB_CATALOG_ORGS: commaList(
      z
        .string()
        .regex(/^(\*|[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/, "each entry is an organisation login, or *"),
    ),
    /** The catalog file in each repository: a path, or a glob (`**\/catalog-info.yaml`). */
    GITHUB_CATALOG_PATH: z
      .string()
      .trim()
      .default("catalog-info.yaml")
      .transform((v) => v.replace(/^\/+/, "") || "catalog-info.yaml")
      .refine((v) => !v.split("/").includes(".."), "must stay inside the repository (no ..)"),
    /** Read this branch; the repository's default branch when unset. */
    GITHUB_CATALOG_BRANCH: optionalText,
    /** Only repositories with one of these topics (comma-separated). */
    GITHUB_CATALOG_TOPICS: commaList(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "each entry is a topic")),
    /** Skip repositories with any of these topics. */
    GITHUB_CATALOG_EXCLUDE_TOPICS: commaList(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "each entry is a topic"),
    ),
    /** Only repositories of these visibilities: public, private, internal. */
    GITHUB_CATALOG_VISIBILITY: commaList(z.enum(["public", "private", "internal"])),
    /** Only repositories whose name matches this regular expression. */
    GITHUB_CATALOG_REPO_PATTERN: z
      .string()
      .trim()
      .refine((v) => {
        try {
          new RegExp(v);
          return v.length <= 200;
        } catch {
          return false;
        }
      }, "must be a regular expression of at most 200 characters, e.g. ^svc-")
      .transform((v) => (v === "" ? undefined : v))
      .optional(),
    GITHUB_CATALOG_INCLUDE_ARCHIVED: flag,
    GITHUB_CATALOG_INCLUDE_FORKS: flag,
    /** Full refresh (the safety net for missed webhooks); 0 for none after the first. */
    GITHUB_CATALOG_REFRESH_SECONDS: z.coerce.number().int().min(0).default(3600),
    /** The secret GitHub signs webhook deliveries with (X-Hub-Signature-256). */
    GITHUB_WEBHOOK_SECRET: optionalText,
  };
}

export const githubConfigFields = {
  /** A personal access token or fine-grained token; or use a GitHub App. */
  GITHUB_TOKEN: optionalText,
  GITHUB_APP_ID: optionalId,
  /** The App's private key (PEM); `\n` escapes are accepted for one-line environment variables. */
  GITHUB_APP_PRIVATE_KEY: optionalText,
  GITHUB_APP_PRIVATE_KEY_FILE: optionalText,
  /** Use this installation only; otherwise every installation the App can see, chosen by owner. */
  GITHUB_APP_INSTALLATION_ID: optionalId,
  /** GitHub Enterprise Server: https://ghe.example.com/api/v3. */
  GITHUB_API_URL: z
    .string()
    .trim()
    .refine((v) => v === "" || /^https?:\/\//.test(v), "must be a URL, e.g. https://ghe.example.com/api/v3")
    .transform((v) => (v === "" ? undefined : v.replace(/\/+$/, "")))
    .optional(),
  ...discoveryFields(),
};

/** GitHub's section of the settings (callboard.yaml `github:`); tokens and keys only from the environment. */
export const githubConfigSection = defineConfigSection({
  id: "github",
  schema: z.object(githubConfigFields),
  yaml: {
    apiUrl: "GITHUB_API_URL",
    "app.id": "GITHUB_APP_ID",
    "app.privateKeyFile": "GITHUB_APP_PRIVATE_KEY_FILE",
    "app.installationId": "GITHUB_APP_INSTALLATION_ID",
    "catalog.orgs": "GITHUB_CATALOG_ORGS",
    "catalog.path": "GITHUB_CATALOG_PATH",
    "catalog.branch": "GITHUB_CATALOG_BRANCH",
    "catalog.topics": "GITHUB_CATALOG_TOPICS",
    "catalog.excludeTopics": "GITHUB_CATALOG_EXCLUDE_TOPICS",
    "catalog.visibility": "GITHUB_CATALOG_VISIBILITY",
    "catalog.repoPattern": "GITHUB_CATALOG_REPO_PATTERN",
    "catalog.includeArchived": "GITHUB_CATALOG_INCLUDE_ARCHIVED",
    "catalog.includeForks": "GITHUB_CATALOG_INCLUDE_FORKS",
    "catalog.refreshSeconds": "GITHUB_CATALOG_REFRESH_SECONDS",
  },
  secrets: ["GITHUB_TOKEN", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET"],
});

export type GitHubConfigValues = {
  [K in keyof typeof githubConfigFields]?: z.infer<(typeof githubConfigFields)[K]>;
};

export interface GitHubAppSettings {
  appId: number;
  privateKey: string;
  installationId?: number;
}

export interface GitHubSettings {
  /** REST API root: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  apiUrl: string;
  /** The host repository URLs name: github.com, or the Enterprise Server's host. */
  host: string;
  token?: string;
  app?: GitHubAppSettings;
}

export const PUBLIC_API_URL = "https://api.github.com";

export class GitHubConfigError extends Error {
  override name = "GitHubConfigError";
}

/** github.com for the public API; the API URL's host for an Enterprise Server. */
export function hostOfApiUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  return url.host === "api.github.com" ? "github.com" : url.host;
}

/**
 * The settings the GitHub client is built from, or undefined when GitHub is not configured. Throws a
 * GitHubConfigError naming the setting to fix when they are half there.
 */
export function githubSettings(values: GitHubConfigValues): GitHubSettings | undefined {
  const apiUrl = values.GITHUB_API_URL ?? PUBLIC_API_URL;
  const keyGiven =
    values.GITHUB_APP_PRIVATE_KEY !== undefined || values.GITHUB_APP_PRIVATE_KEY_FILE !== undefined;
  if (values.GITHUB_APP_ID === undefined && keyGiven) {
    throw new GitHubConfigError(
      "A GitHub App private key is set but GITHUB_APP_ID (github.app.id) is not; set the App's id.",
    );
  }
  if (values.GITHUB_APP_ID !== undefined && !keyGiven) {
    throw new GitHubConfigError(
      "GITHUB_APP_ID is set but the App has no private key: set GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE (github.app.privateKeyFile).",
    );
  }
  if (values.GITHUB_APP_ID === undefined && !values.GITHUB_TOKEN) {
    if (values.GITHUB_APP_INSTALLATION_ID !== undefined) {
      throw new GitHubConfigError(
        "GITHUB_APP_INSTALLATION_ID is set without GITHUB_APP_ID; set the App's id and key.",
      );
    }
    return undefined;
  }
  const settings: GitHubSettings = { apiUrl, host: hostOfApiUrl(apiUrl) };
  if (values.GITHUB_TOKEN) settings.token = values.GITHUB_TOKEN;
  if (values.GITHUB_APP_ID !== undefined) {
    settings.app = {
      appId: values.GITHUB_APP_ID,
      privateKey: readPrivateKey(values),
      ...(values.GITHUB_APP_INSTALLATION_ID !== undefined
        ? { installationId: values.GITHUB_APP_INSTALLATION_ID }
        : {}),
    };
  }
  return settings;
}

function readPrivateKey(values: GitHubConfigValues): string {
  let key = values.GITHUB_APP_PRIVATE_KEY;
  if (key === undefined) {
    const file = values.GITHUB_APP_PRIVATE_KEY_FILE!;
    try {
      key = readFileSync(file, "utf8");
    } catch (error) {
      throw new GitHubConfigError(
        `GITHUB_APP_PRIVATE_KEY_FILE="${file}": cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"}). Point it at the App's .pem file.`,
      );
    }
  }
  key = key.replace(/\\n/g, "\n").trim();
  if (!/^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----$/.test(key)) {
    // Say where the key came from, never what it holds.
    throw new GitHubConfigError(
      `${values.GITHUB_APP_PRIVATE_KEY !== undefined ? "GITHUB_APP_PRIVATE_KEY" : `GITHUB_APP_PRIVATE_KEY_FILE="${values.GITHUB_APP_PRIVATE_KEY_FILE}"`} is not a PEM private key; use the .pem file GitHub gave for the App.`,
    );
  }
  return `${key}\n`;
}
