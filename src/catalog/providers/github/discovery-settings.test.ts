import { describe, expect, it } from "vitest";
import { githubConfigSection } from "../../../github/github-config.ts";
import { readSettings } from "../../../plugins/config-section.ts";
import { catalogSettings } from "../../catalog-config.ts";
import {
  catalogPathMatcher,
  coversAccount,
  discoverySettings,
  excludedBecause,
  repoInfoOf,
  type RepoInfo,
} from "./discovery-settings.ts";

const repo = (over: Partial<RepoInfo> = {}): RepoInfo => ({
  id: 1,
  owner: "acme",
  name: "svc-pay",
  defaultBranch: "main",
  pushedAt: null,
  archived: false,
  fork: false,
  visibility: "private",
  topics: [],
  ...over,
});

const settings = (env: Record<string, string> = {}) =>
  discoverySettings(
    readSettings([githubConfigSection, catalogSettings], { GITHUB_CATALOG_ORGS: "Acme", ...env })
      .values as Parameters<typeof discoverySettings>[0],
  );

describe("discovery settings and filters", () => {
  it("skips archived repositories and forks unless asked", () => {
    expect(excludedBecause(settings(), repo({ archived: true }))).toBe("it is archived");
    expect(excludedBecause(settings(), repo({ fork: true }))).toBe("it is a fork");
    const both = settings({ GITHUB_CATALOG_INCLUDE_ARCHIVED: "true", GITHUB_CATALOG_INCLUDE_FORKS: "yes" });
    expect(excludedBecause(both, repo({ archived: true, fork: true }))).toBeUndefined();
  });

  it("filters on visibility, name pattern and topics", () => {
    const s = settings({
      GITHUB_CATALOG_VISIBILITY: "public,internal",
      GITHUB_CATALOG_REPO_PATTERN: "^svc-",
      GITHUB_CATALOG_TOPICS: "backstage,catalog",
      GITHUB_CATALOG_EXCLUDE_TOPICS: "deprecated",
    });
    expect(excludedBecause(s, repo())).toBe("it is private");
    expect(excludedBecause(s, repo({ visibility: "internal", name: "web" }))).toMatch(
      /does not match \^svc-/,
    );
    expect(excludedBecause(s, repo({ visibility: "public" }))).toMatch(/none of the topics/);
    expect(excludedBecause(s, repo({ visibility: "public", topics: ["catalog", "deprecated"] }))).toBe(
      "it has the topic deprecated",
    );
    expect(excludedBecause(s, repo({ visibility: "public", topics: ["backstage"] }))).toBeUndefined();
  });

  it("covers configured organisations whatever their case, or every installation with *", () => {
    expect(coversAccount(settings(), "ACME")).toBe(true);
    expect(coversAccount(settings(), "globex")).toBe(false);
    expect(coversAccount(settings({ GITHUB_CATALOG_ORGS: "*" }), "globex")).toBe(true);
  });

  it("matches a path exactly, or by glob", () => {
    const exact = catalogPathMatcher("catalog-info.yaml");
    expect(exact.glob).toBe(false);
    expect(exact.matches("catalog-info.yaml")).toBe(true);
    expect(exact.matches("a/catalog-info.yaml")).toBe(false);
    const glob = catalogPathMatcher("**/catalog-info.yaml");
    expect(glob.glob).toBe(true);
    expect(glob.matches("catalog-info.yaml")).toBe(true);
    expect(glob.matches("services/pay/catalog-info.yaml")).toBe(true);
    expect(glob.matches("services/pay/other.yaml")).toBe(false);
  });

  it("refuses settings that cannot work, naming the key", () => {
    expect(() => settings({ GITHUB_CATALOG_REPO_PATTERN: "(unclosed" })).toThrow(
      /GITHUB_CATALOG_REPO_PATTERN/,
    );
    expect(() => settings({ GITHUB_CATALOG_PATH: "../outside.yaml" })).toThrow(/GITHUB_CATALOG_PATH/);
    expect(() => settings({ GITHUB_CATALOG_VISIBILITY: "secret" })).toThrow(/GITHUB_CATALOG_VISIBILITY/);
    expect(() => settings({ GITHUB_CATALOG_ORGS: "acme/pay" })).toThrow(/GITHUB_CATALOG_ORGS/);
    expect(() => settings({ GITHUB_CATALOG_INCLUDE_FORKS: "maybe" })).toThrow(/GITHUB_CATALOG_INCLUDE_FORKS/);
  });

  it("reads pushed_at as REST (ISO text) and webhooks (Unix seconds) give it, to the same value", () => {
    const base = { id: 7, name: "x", owner: { login: "acme" }, fork: false, private: true };
    expect(repoInfoOf({ ...base, pushed_at: "2026-12-06T08:00:00Z" }).pushedAt).toBe(
      repoInfoOf({ ...base, pushed_at: Date.parse("2026-12-06T08:00:00Z") / 1000 }).pushedAt,
    );
    expect(repoInfoOf(base).visibility).toBe("private");
  });
});
