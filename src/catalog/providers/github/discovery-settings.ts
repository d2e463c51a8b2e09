/**
 * Which repositories discovery reads and how: the `github.catalog.*` settings (src/github/github-config.ts),
 * turned into a filter over repositories as GitHub lists them.
 */
import picomatch from "picomatch";
import { isDynamicPattern } from "tinyglobby";

export interface DiscoverySettings {
  /** Organisation logins (lower case); `*` for every installation of the App. */
  orgs: string[];
  /** The catalog file's path in each repository, or a glob. */
  catalogPath: string;
  /** A branch to read instead of each repository's default branch. */
  branch?: string;
  topics: string[];
  excludeTopics: string[];
  visibility: string[];
  repoPattern?: RegExp;
  includeArchived: boolean;
  includeForks: boolean;
  refreshSeconds: number;
  maxFileBytes: number;
}

/** A repository as the listings and webhooks describe it, reduced to what discovery decides on. */
export interface RepoInfo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** When something was last pushed (any branch), as GitHub gives it. */
  pushedAt: string | null;
  archived: boolean;
  fork: boolean;
  visibility: string;
  topics: string[];
}

export function discoverySettings(values: {
  GITHUB_CATALOG_ORGS: string[];
  GITHUB_CATALOG_PATH: string;
  GITHUB_CATALOG_BRANCH?: string | undefined;
  GITHUB_CATALOG_TOPICS: string[];
  GITHUB_CATALOG_EXCLUDE_TOPICS: string[];
  GITHUB_CATALOG_VISIBILITY: string[];
  GITHUB_CATALOG_REPO_PATTERN?: string | undefined;
  GITHUB_CATALOG_INCLUDE_ARCHIVED: boolean;
  GITHUB_CATALOG_INCLUDE_FORKS: boolean;
  GITHUB_CATALOG_REFRESH_SECONDS: number;
  CALLBOARD_MAX_FILE_BYTES: number;
}): DiscoverySettings {
  return {
    orgs: values.GITHUB_CATALOG_ORGS.map((org) => org.toLowerCase()),
    catalogPath: values.GITHUB_CATALOG_PATH,
    ...(values.GITHUB_CATALOG_BRANCH ? { branch: values.GITHUB_CATALOG_BRANCH } : {}),
    topics: values.GITHUB_CATALOG_TOPICS,
    excludeTopics: values.GITHUB_CATALOG_EXCLUDE_TOPICS,
    visibility: values.GITHUB_CATALOG_VISIBILITY,
    ...(values.GITHUB_CATALOG_REPO_PATTERN
      ? { repoPattern: new RegExp(values.GITHUB_CATALOG_REPO_PATTERN) }
      : {}),
    includeArchived: values.GITHUB_CATALOG_INCLUDE_ARCHIVED,
    includeForks: values.GITHUB_CATALOG_INCLUDE_FORKS,
    refreshSeconds: values.GITHUB_CATALOG_REFRESH_SECONDS,
    maxFileBytes: values.CALLBOARD_MAX_FILE_BYTES,
  };
}

/** Why a repository is left out, or undefined when discovery reads it. */
export function excludedBecause(settings: DiscoverySettings, repo: RepoInfo): string | undefined {
  if (repo.archived && !settings.includeArchived) return "it is archived";
  if (repo.fork && !settings.includeForks) return "it is a fork";
  if (settings.visibility.length > 0 && !settings.visibility.includes(repo.visibility)) {
    return `it is ${repo.visibility}`;
  }
  if (settings.repoPattern && !settings.repoPattern.test(repo.name)) {
    return `its name does not match ${settings.repoPattern.source}`;
  }
  if (settings.topics.length > 0 && !repo.topics.some((t) => settings.topics.includes(t))) {
    return `it has none of the topics ${settings.topics.join(", ")}`;
  }
  const excluded = repo.topics.find((t) => settings.excludeTopics.includes(t));
  if (excluded) return `it has the topic ${excluded}`;
  return undefined;
}

/** Whether discovery covers this account (an organisation or user login). */
export function coversAccount(settings: DiscoverySettings, login: string): boolean {
  return settings.orgs.includes("*") || settings.orgs.includes(login.toLowerCase());
}

export function branchOf(settings: DiscoverySettings, repo: Pick<RepoInfo, "defaultBranch">): string {
  return settings.branch ?? repo.defaultBranch;
}

/** Whether a repository path is a catalog file by the setting (a path, or a glob). */
export function catalogPathMatcher(catalogPath: string): {
  glob: boolean;
  matches: (path: string) => boolean;
} {
  if (!isDynamicPattern(catalogPath)) return { glob: false, matches: (path) => path === catalogPath };
  const match = picomatch(catalogPath, { dot: false });
  return { glob: true, matches: (path) => match(path) };
}

/** A repository as the REST listings give it (`minimal-repository`, `repository`, `full-repository`). */
export function repoInfoOf(data: {
  id: number | bigint;
  name: string;
  owner: { login: string } | null;
  default_branch?: string;
  pushed_at?: string | number | null;
  archived?: boolean;
  fork: boolean;
  visibility?: string;
  private: boolean;
  topics?: string[];
}): RepoInfo {
  return {
    id: Number(data.id),
    owner: data.owner?.login ?? "",
    name: data.name,
    defaultBranch: data.default_branch ?? "main",
    // Webhook payloads give a Unix time where the REST API gives ISO text: one form, so they compare.
    pushedAt:
      data.pushed_at === null || data.pushed_at === undefined
        ? null
        : new Date(typeof data.pushed_at === "number" ? data.pushed_at * 1000 : data.pushed_at).toISOString(),
    archived: data.archived ?? false,
    fork: data.fork,
    visibility: data.visibility ?? (data.private ? "private" : "public"),
    topics: data.topics ?? [],
  };
}
