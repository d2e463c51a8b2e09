import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubStandIn } from "../../../../test/fixtures/github/github-stand-in.ts";
import type { Repository } from "../../../../test/fixtures/github/state.ts";
import { GitHubClient } from "../../../github/github-client.ts";
import { fetchDocsTree, pushTouchesDocs, type RepoPush } from "./docs-tree.ts";

describe("fetchDocsTree: techdocs-ref url: sources from GitHub", () => {
  const standIn = new GitHubStandIn();
  let client: GitHubClient;
  let repo: Repository;
  let cacheDir: string;

  beforeAll(async () => {
    await standIn.start();
    standIn.state.addOrganization("acme", { members: ["octo"] });
    const token = standIn.state.createToken("octo");
    repo = await standIn.state.createRepository("acme", "handbook");
    await standIn.state.commit(repo, {
      files: {
        "README.md": "# root\n",
        "docs-src/mkdocs.yml": "site_name: Handbook\n",
        "docs-src/docs/index.md": "# Welcome\n",
        "docs-src/docs/deep/page.md": "# Deep\n",
      },
    });
    await standIn.state.commit(repo, {
      branch: "release/2026",
      files: { "docs-src/docs/index.md": "# Release\n" },
    });
    client = new GitHubClient(
      { apiUrl: standIn.urls.api, host: standIn.host, token },
      { log: pino({ level: "silent" }), writePacing: false },
    );
    cacheDir = mkdtempSync(join(tmpdir(), "cb-docs-tree-"));
  });
  afterAll(async () => {
    await standIn.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const tarballs = () =>
    standIn.requests.filter((r) => r.operation === "/repos/{owner}/{repo}/tarball/{ref}");

  it("unpacks only the folder the URL names, and reuses it for the same commit", async () => {
    const url = `${standIn.urls.web}/acme/handbook/tree/main/docs-src`;
    const first = await fetchDocsTree(url, { client, cacheDir });
    expect(first.cached).toBe(false);
    expect(readFileSync(join(first.dir, "mkdocs.yml"), "utf8")).toBe("site_name: Handbook\n");
    expect(readFileSync(join(first.dir, "docs", "deep", "page.md"), "utf8")).toBe("# Deep\n");
    expect(existsSync(join(first.dir, "README.md"))).toBe(false);
    expect(first.commit).toBe(await repo.branchSha("main"));
    expect(tarballs()).toHaveLength(1);

    const again = await fetchDocsTree(url, { client, cacheDir });
    expect(again).toEqual({ ...first, cached: true });
    expect(tarballs()).toHaveLength(1);

    // A new commit is a new tree.
    await standIn.state.commit(repo, { files: { "docs-src/docs/index.md": "# Changed\n" } });
    const changed = await fetchDocsTree(url, { client, cacheDir });
    expect(changed.cached).toBe(false);
    expect(readFileSync(join(changed.dir, "docs", "index.md"), "utf8")).toBe("# Changed\n");

    // Only the most recently used copies of the folder are kept.
    const keep = { client, cacheDir, keepCommits: 2 };
    await standIn.state.commit(repo, { files: { "docs-src/docs/index.md": "# Third\n" } });
    const third = await fetchDocsTree(url, keep);
    expect(existsSync(first.dir)).toBe(false);
    expect(existsSync(changed.dir)).toBe(true);
    expect(existsSync(third.dir)).toBe(true);
    // Using the older copy again makes it the recent one: the next commit drops the third instead.
    expect(
      await fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/${changed.commit}/docs-src`, keep),
    ).toEqual({ ...changed, cached: true });
    await standIn.state.commit(repo, { files: { "docs-src/docs/index.md": "# Fourth\n" } });
    const fourth = await fetchDocsTree(url, keep);
    expect(existsSync(third.dir)).toBe(false);
    expect(existsSync(changed.dir)).toBe(true);
    expect(readFileSync(join(fourth.dir, "docs", "index.md"), "utf8")).toBe("# Fourth\n");
    expect(standIn.violations.splice(0)).toEqual([]);
  });

  it("takes a branch with a slash, and the repository URL as its root at the default branch", async () => {
    const release = await fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/release/2026/docs-src`, {
      client,
      cacheDir,
    });
    expect(readFileSync(join(release.dir, "docs", "index.md"), "utf8")).toBe("# Release\n");
    const root = await fetchDocsTree(`${standIn.urls.web}/acme/handbook`, { client, cacheDir });
    expect(readFileSync(join(root.dir, "README.md"), "utf8")).toBe("# root\n");
    expect(standIn.violations.splice(0)).toEqual([]);
  });

  it("refuses other hosts, files, missing folders and folders over the limits, leaving nothing cached", async () => {
    await expect(
      fetchDocsTree("https://elsewhere.example/acme/handbook/tree/main/docs", { client, cacheDir }),
    ).rejects.toThrow(/not the configured GitHub/);
    await expect(
      fetchDocsTree(`${standIn.urls.web}/acme/handbook/blob/main/README.md`, { client, cacheDir }),
    ).rejects.toThrow(/names a file/);
    await expect(
      fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/main/nothing-here`, { client, cacheDir }),
    ).rejects.toThrow(/has no folder "nothing-here"/);
    // The commit's lack of that folder is remembered: asking again downloads nothing.
    const downloads = tarballs().length;
    await expect(
      fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/main/nothing-here`, { client, cacheDir }),
    ).rejects.toThrow(/has no folder "nothing-here"/);
    expect(tarballs()).toHaveLength(downloads);
    await expect(
      fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/no-such-branch/docs`, { client, cacheDir }),
    ).rejects.toThrow(/no branch, tag or commit/);
    const small = join(cacheDir, "small");
    const limited = fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/main/docs-src`, {
      client,
      cacheDir: small,
      maxFiles: 2,
    });
    await expect(limited).rejects.toThrow(/more than 2 files/);
    const refusals = tarballs().length;
    await expect(
      fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/main/docs-src`, {
        client,
        cacheDir: small,
        maxFiles: 2,
      }),
    ).rejects.toThrow(/more than 2 files/);
    expect(tarballs()).toHaveLength(refusals);
    // Nothing half-unpacked was kept: the next fetch, with the default limits, downloads it whole.
    const whole = await fetchDocsTree(`${standIn.urls.web}/acme/handbook/tree/main/docs-src`, {
      client,
      cacheDir: small,
    });
    expect(whole.cached).toBe(false);
    expect(standIn.violations.splice(0)).toEqual([]);
  });
});

describe("pushTouchesDocs: which url: docs sources a push may have changed", () => {
  const web = "https://github.com";
  const push = (change: Partial<RepoPush> = {}): RepoPush => ({
    owner: "acme",
    repo: "handbook",
    ref: "refs/heads/main",
    defaultBranch: "main",
    paths: ["docs-src/index.md"],
    ...change,
  });
  const touches = (p: RepoPush, url: string) => pushTouchesDocs(p, url, web);

  it("matches the repository (in any case) and the branch, and a file inside the folder", () => {
    expect(touches(push(), `${web}/acme/handbook/tree/main/docs-src`)).toBe(true);
    expect(touches(push(), `${web}/ACME/Handbook/tree/main/docs-src`)).toBe(true);
    expect(touches(push({ paths: ["docs-src"] }), `${web}/acme/handbook/tree/main/docs-src`)).toBe(true);
    expect(touches(push(), `${web}/acme/other/tree/main/docs-src`)).toBe(false);
    expect(touches(push(), `${web}/bcme/handbook/tree/main/docs-src`)).toBe(false);
    expect(touches(push({ ref: "refs/heads/next" }), `${web}/acme/handbook/tree/main/docs-src`)).toBe(false);
    expect(touches(push({ ref: "refs/heads/Main" }), `${web}/acme/handbook/tree/main/docs-src`)).toBe(false);
  });

  it("a file outside the folder, or beside it with the same prefix, does not count; unknown files all do", () => {
    const url = `${web}/acme/handbook/tree/main/docs-src`;
    expect(touches(push({ paths: ["README.md", "docs-src-old/index.md", "docs"] }), url)).toBe(false);
    expect(touches(push({ paths: [] }), url)).toBe(false);
    const unknown = push();
    delete unknown.paths;
    expect(touches(unknown, url)).toBe(true);
  });

  it("the repository root: a bare URL on the default branch, or a tree URL naming only a branch", () => {
    expect(touches(push({ paths: ["README.md"] }), `${web}/acme/handbook`)).toBe(true);
    expect(touches(push({ ref: "refs/heads/dev", paths: ["README.md"] }), `${web}/acme/handbook`)).toBe(
      false,
    );
    expect(touches(push({ ref: "refs/tags/v1" }), `${web}/acme/handbook`)).toBe(false);
    expect(touches(push({ paths: ["README.md"] }), `${web}/acme/handbook/tree/main`)).toBe(true);
  });

  it("a branch holding `/`, a tag, and a commit sha", () => {
    const release = `${web}/acme/handbook/tree/release/2026/docs-src`;
    expect(touches(push({ ref: "refs/heads/release/2026" }), release)).toBe(true);
    expect(touches(push({ ref: "refs/heads/release/2026", paths: ["2026/docs-src/a.md"] }), release)).toBe(
      false,
    );
    // A branch named `release` would read the URL as its folder 2026/docs-src.
    expect(touches(push({ ref: "refs/heads/release", paths: ["2026/docs-src/a.md"] }), release)).toBe(true);
    expect(touches(push({ ref: "refs/heads/release/20" }), release)).toBe(false);
    expect(touches(push({ ref: "refs/tags/v1.2" }), `${web}/acme/handbook/tree/v1.2/docs-src`)).toBe(true);
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(touches(push(), `${web}/acme/handbook/tree/${sha}/docs-src`)).toBe(false);
  });

  it("another host, a file URL and a malformed URL never match", () => {
    expect(touches(push(), "https://ghe.example.com/acme/handbook/tree/main/docs-src")).toBe(false);
    expect(touches(push(), `${web}/acme/handbook/blob/main/docs-src/index.md`)).toBe(false);
    expect(touches(push(), "not a url")).toBe(false);
    expect(touches(push({ ref: "refs/pull/1/head" }), `${web}/acme/handbook/tree/main/docs-src`)).toBe(false);
  });
});
