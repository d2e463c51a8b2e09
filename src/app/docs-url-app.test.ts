/**
 * TechDocs whose sources live in a GitHub repository folder (`backstage.io/techdocs-ref: url:<tree url>`),
 * against the GitHub stand-in: built like a `dir:` site, found by `docs <question>`, fetched again only when
 * the commit moves, and a bad URL, a missing folder or an oversized folder answered with a note while the
 * last good build stays served.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDiscoveryHarness,
  type DiscoveryHarness,
} from "../../test/fixtures/github/discovery-harness.ts";
import { GitHubStandIn } from "../../test/fixtures/github/github-stand-in.ts";
import type { Repository } from "../../test/fixtures/github/state.ts";
import type { Reply } from "../message/reply.ts";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

const ask = (app: App, text: string): Promise<Reply> =>
  app.router.handle({ text, user: { surface: "shell", id: "tester" }, conversation: { surface: "shell" } });

const blockText = (r: Reply) =>
  r.blocks.map((b) => ("text" in b ? (b.text ?? "") : JSON.stringify(b))).join("\n");

const component = (name: string, ref: string) =>
  [
    "apiVersion: backstage.io/v1alpha1",
    "kind: Component",
    "metadata:",
    `  name: ${name}`,
    "  annotations:",
    `    backstage.io/techdocs-ref: ${JSON.stringify(ref)}`,
    "spec:",
    "  type: service",
    "  lifecycle: production",
    "  owner: team-signing",
  ].join("\n");

const RUNBOOK = "# Runbook\n\n## Rotate the signing keys\n\nRun `keyctl rotate` on the vault host.\n";

describe("TechDocs from a GitHub repository folder (url: sources)", () => {
  const standIn = new GitHubStandIn();
  let repo: Repository;
  let dir: string;
  let catalogDir: string;
  let app: App;
  const logs: string[] = [];

  const tarballs = () =>
    standIn.requests.filter((r) => r.operation === "/repos/{owner}/{repo}/tarball/{ref}").length;
  const tree = (path: string) => `${standIn.urls.web}/acme/signing/tree/main/${path}`;
  const writeCatalog = (entities: Array<[string, string]>) =>
    writeFileSync(
      join(catalogDir, "catalog-info.yaml"),
      entities.map(([name, ref]) => component(name, ref)).join("\n---\n"),
    );

  beforeAll(async () => {
    await standIn.start();
    standIn.state.addOrganization("acme", { members: ["octo"] });
    const token = standIn.state.createToken("octo");
    repo = await standIn.state.createRepository("acme", "signing");
    await standIn.state.commit(repo, {
      files: {
        "src/main.go": "package main\n",
        "handbook/mkdocs.yml":
          "site_name: Signing Handbook\nnav:\n  - Home: index.md\n  - Runbook: runbook.md\n",
        "handbook/docs/index.md": "# Signing service\n\nSigns release artefacts.\n",
        "handbook/docs/runbook.md": RUNBOOK,
      },
    });
    dir = mkdtempSync(join(tmpdir(), "cb-docs-url-"));
    catalogDir = join(dir, "catalog");
    mkdirSync(catalogDir);
    writeCatalog([["signing-service", `url:${tree("handbook")}`]]);
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: join(dir, "data"),
        CALLBOARD_BASE_URL: "https://cb.example",
        GITHUB_API_URL: standIn.urls.api,
        GITHUB_TOKEN: token,
        // Every check asks GitHub for the branch's commit (the default trusts it for five minutes).
        CALLBOARD_DOCS_URL_CHECK_SECONDS: "0",
        CALLBOARD_DOCS_URL_MAX_MB: "1",
      },
      { cwd: dir },
    );
    const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
    app = await buildApp(config, log, { skipImport: true });
    await app.importLocation(catalogDir, "test");
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds the folder's site and `docs <question>` finds its section", async () => {
    const summary = await app.docs.service.syncAll();
    expect(summary.problems).toBe(0);
    const site = app.docs.library.getSite("component:default/signing-service");
    expect(site?.siteName).toBe("Signing Handbook");
    expect(Object.keys(site!.pages).sort()).toEqual(["", "runbook/"]);
    // Only the named folder was unpacked: one tarball, whatever number of checks ran.
    expect(tarballs()).toBe(1);

    const answer = blockText(await ask(app, "docs rotate the signing keys"));
    expect(answer).toContain(
      "https://cb.example/docs/default/component/signing-service/runbook/#rotate-the-signing-keys",
    );
    expect(standIn.violations.splice(0)).toEqual([]);
  });

  it("a second check of the same commit downloads nothing and rebuilds nothing", async () => {
    const before = tarballs();
    const summary = await app.docs.service.syncAll();
    expect(summary.built).toBe(0);
    expect(summary.unchanged).toBe(1);
    expect(tarballs()).toBe(before);
    const rebuild = await ask(app, "docs rebuild signing-service");
    const sha = await repo.branchSha("main");
    expect(rebuild.text).toContain(`is up to date (commit ${sha!.slice(0, 7)})`);
    expect(tarballs()).toBe(before);
  });

  it("a new commit is fetched and rebuilt", async () => {
    const before = tarballs();
    await standIn.state.commit(repo, {
      files: { "handbook/docs/runbook.md": `${RUNBOOK}\n## Revoke a leaked key\n\nCall security.\n` },
    });
    const summary = await app.docs.service.syncAll();
    expect(summary.built).toBe(1);
    expect(tarballs()).toBe(before + 1);
    const answer = blockText(await ask(app, "docs revoke a leaked key"));
    expect(answer).toContain("/docs/default/component/signing-service/runbook/#revoke-a-leaked-key");
    // A commit that changes nothing in the folder downloads it again but renders nothing.
    await standIn.state.commit(repo, { files: { "src/main.go": "package main // v2\n" } });
    const again = await app.docs.service.syncAll();
    expect(again.built).toBe(0);
    expect(again.unchanged).toBe(1);
  });

  it("a bad URL, a missing folder and another host are answered with a note naming the entity and URL", async () => {
    writeCatalog([
      ["signing-service", `url:${tree("handbook")}`],
      ["no-such-folder", `url:${tree("nowhere")}`],
      ["no-such-repo", `url:${standIn.urls.web}/acme/missing/tree/main/docs`],
      ["other-host", "url:https://gitlab.example.com/acme/signing/tree/main/handbook"],
      ["not-a-url", "url:acme/signing"],
    ]);
    await app.importLocation(catalogDir, "test");
    const summary = await app.docs.service.syncAll();
    expect(summary.problems).toBe(4);
    // The missing folder was downloaded once: its absence at this commit is remembered.
    const before = tarballs();
    await app.docs.service.syncAll();
    expect(tarballs()).toBe(before);

    const folder = await ask(app, "docs rebuild no-such-folder");
    expect(folder.text).toContain("The docs of component:default/no-such-folder could not be built");
    expect(folder.text).toContain(tree("nowhere"));
    expect(folder.text).toMatch(/has no folder "nowhere"/);

    const missing = await ask(app, "docs rebuild no-such-repo");
    expect(missing.text).toContain("component:default/no-such-repo");
    expect(missing.text).toContain(`${standIn.urls.web}/acme/missing/tree/main/docs`);
    expect(missing.text).toMatch(/no branch, tag or commit of acme\/missing matches/);

    const garbled = await ask(app, "docs rebuild not-a-url");
    expect(garbled.text).toMatch(/"url:acme\/signing" is not a repository URL/);

    const other = await ask(app, "docs rebuild other-host");
    expect(other.text).toContain("component:default/other-host");
    expect(other.text).toContain("gitlab.example.com is not the configured GitHub");
    expect(other.text).toContain("GITHUB_API_URL");

    const shown = blockText(await ask(app, "docs no-such-folder"));
    expect(shown).toContain("could not be built");
    expect(standIn.violations.splice(0)).toEqual([]);
  });

  it("an oversized folder, then the folder removed, keep the last good build", async () => {
    const served = app.docs.library.getSite("component:default/signing-service");
    expect(served).toBeDefined();
    // 1.5 MiB unpacked, over CALLBOARD_DOCS_URL_MAX_MB=1 (it compresses to almost nothing).
    await standIn.state.commit(repo, { files: { "handbook/docs/huge.md": "x".repeat(1_572_864) } });
    const rebuild = await ask(app, "docs rebuild signing-service");
    expect(rebuild.text).toContain("The docs of component:default/signing-service could not be built");
    expect(rebuild.text).toContain(tree("handbook"));
    expect(rebuild.text).toMatch(/more than 1048576 bytes/);
    expect(blockText(rebuild)).toContain("The last good build is still served.");
    expect(app.docs.library.getSite("component:default/signing-service")).toBe(served);

    await standIn.state.commit(repo, {
      files: {
        "handbook/mkdocs.yml": null,
        "handbook/docs/index.md": null,
        "handbook/docs/runbook.md": null,
        "handbook/docs/huge.md": null,
      },
    });
    const gone = await ask(app, "docs rebuild signing-service");
    expect(gone.text).toMatch(/has no folder "handbook"/);
    expect(app.docs.library.getSite("component:default/signing-service")).toBe(served);
    const answer = blockText(await ask(app, "docs revoke a leaked key"));
    expect(answer).toContain("/docs/default/component/signing-service/runbook/#revoke-a-leaked-key");
    expect(standIn.violations.splice(0)).toEqual([]);
  });

  it("without GitHub configured, a url: source names the settings to set", async () => {
    const config = loadConfig(
      { CALLBOARD_DATA_DIR: join(dir, "data-plain"), CALLBOARD_BASE_URL: "https://cb.example" },
      { cwd: dir },
    );
    const plain = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    try {
      await plain.importLocation(catalogDir, "test");
      const answer = await ask(plain, "docs rebuild signing-service");
      expect(answer.text).toContain("The docs of component:default/signing-service could not be built");
      expect(answer.text).toContain(`backstage.io/techdocs-ref: url:${tree("handbook")}`);
      expect(answer.text).toContain("GitHub is not configured");
      expect(answer.text).toMatch(/GITHUB_TOKEN.*GITHUB_APP_ID/);
    } finally {
      await plain.close();
    }
  });
});

describe("TechDocs of a component discovered on GitHub (dir: beside its catalog file)", () => {
  let h: DiscoveryHarness;

  beforeAll(async () => {
    h = await startDiscoveryHarness({
      env: { CALLBOARD_DOCS_URL_CHECK_SECONDS: "0" },
      async seed(standIn) {
        standIn.state.addOrganization("acme", { members: ["octo"] });
        const repo = await standIn.state.createRepository("acme", "ledger");
        await standIn.state.commit(repo, {
          files: {
            "catalog-info.yaml": component("ledger", "dir:."),
            "mkdocs.yml": "site_name: Ledger\n",
            "docs/index.md": "# Ledger\n\n## Reconcile the month\n\nRun the close job.\n",
          },
        });
        return { token: standIn.state.createToken("octo") };
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("builds the docs from the repository the catalog file was read from", async () => {
    await h.discovery.refresh(new AbortController().signal);
    expect(h.app.catalog.graph.get("component:default/ledger")).toBeDefined();
    await h.app.docs.service.syncAll();
    expect(h.app.docs.service.problem("component:default/ledger")).toBeUndefined();
    expect(h.app.docs.library.getSite("component:default/ledger")?.siteName).toBe("Ledger");
    const answer = blockText(await ask(h.app, "docs reconcile the month"));
    expect(answer).toContain("/docs/default/component/ledger/#reconcile-the-month");
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });
});
