import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { readLocation } from "../catalog/ingest/read-location.ts";
import type { Reply } from "../message/reply.ts";
import type { Plugin } from "../plugins/api.ts";
import type { SearchDocument } from "../search/search-index.ts";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

/** Every log line as an object, so a test can see what the app did (an index rebuild, a staged write). */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A location large enough (over 2,000 entities) that its search index write is staged on the writer thread. */
function largeCatalog(dir: string, components: number): string {
  const docs = [
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-bulk\nspec:\n  type: team\n  children: []\n",
  ];
  for (let i = 0; i < components; i++) {
    docs.push(
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bulk-service-${i}\n` +
        `  description: Settles ledger batch ${i}.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-bulk\n`,
    );
  }
  const file = join(dir, "catalog-info.yaml");
  writeFileSync(file, docs.join("---\n"));
  return file;
}

describe("buildApp: the catalog and its search index", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("stages a large import's index write, commits it with the store, and records a fingerprint start-up trusts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-app-"));
    dirs.push(dir);
    const file = largeCatalog(dir, 2_100);
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });

    const first = recordingLogger();
    const app = await buildApp(config, first.log, { skipImport: true });
    try {
      const report = await app.importLocation(file, "test");
      expect(report.added).toHaveLength(2_101);
      const imported = first.lines.find((l) => l.msg === "location imported");
      expect(imported?.staged).toBe("committed");
      const hits = await app.search.search({ q: "bulk-service-2050" });
      expect(hits.hits[0]?.id).toBe("component:default/bulk-service-2050");
      expect(hits.hits[0]?.owner).toBe("group:default/team-bulk");
    } finally {
      await app.close();
    }

    // A restart finds the index current: no rebuild, and the import's documents are there.
    const second = recordingLogger();
    const again = await buildApp(config, second.log, { skipImport: true });
    try {
      expect(second.lines.some((l) => l.msg === "search index rebuilt")).toBe(false);
      expect((await again.search.search({ q: "bulk-service-7" })).hits[0]?.id).toBe(
        "component:default/bulk-service-7",
      );
    } finally {
      await again.close();
    }
  });
});

/** Files under `dir`, from a map of relative path to content. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

const ask = (app: App, text: string): Promise<Reply> =>
  app.router.handle({
    text,
    user: { surface: "shell", id: "tester" },
    conversation: { surface: "shell" },
  });

describe("buildApp: catalogs as Backstage writes them today", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // The shapes of Backstage's own example organisation (AiResource, an MCP server API), written anew, and a
  // kind of the installation's own.
  const catalog = {
    "catalog-info.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: everything\nspec:\n" +
      "  targets: [./org.yaml, ./ai/frontend-skill.yaml, ./apis/mcp.yaml, ./custom/capability.yaml]\n",
    "org.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    "ai/frontend-skill.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: AiResource\nmetadata:\n  name: frontend-design\n" +
      "  description: Builds pages with the design system\n" +
      "  annotations:\n    github.com/project-slug: acme/ai-skills\nspec:\n  type: skill\n  lifecycle: production\n" +
      "  owner: team-a\n  agents: [claude-code, copilot]\n  license: Apache-2.0\n",
    "apis/mcp.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: tools-mcp\nspec:\n  type: mcp-server\n" +
      "  lifecycle: experimental\n  owner: team-a\n  remotes:\n    - type: streamable-http\n      url: http://localhost:7007/api/mcp/v1\n",
    "custom/capability.yaml":
      "apiVersion: build.example.com/v1alpha1\nkind: Capability\nmetadata:\n  name: ledger-automation\n" +
      "  description: Ledger automation capability\nspec:\n  identifier: ledger-automation-xk2\n  owner: team-a\n",
  };

  it("imports them with no problem, and show, who owns and search treat each sensibly without naming a server path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-modern-"));
    dirs.push(dir);
    writeTree(join(dir, "org"), catalog);
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });
    const app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    try {
      const report = await app.importLocation(join(dir, "org"), "test");
      expect(report.problems).toEqual([]);
      expect(report.added).toHaveLength(5);

      const skill = await ask(app, "show frontend-design");
      const skillText = JSON.stringify(skill);
      expect(skillText).toContain("AiResource");
      expect(skillText).toContain("`ai/frontend-skill.yaml:1`");
      expect(skillText).toContain("https://github.com/acme/ai-skills");
      expect(skillText).toContain("claude-code, copilot");
      expect(skillText).not.toContain(dir);

      const mcp = await ask(app, "show tools-mcp");
      expect(JSON.stringify(mcp)).toContain(
        '"label":"Endpoints","value":"streamable-http `http://localhost:7007/api/mcp/v1`"',
      );

      const capability = await ask(app, "show ledger-automation");
      expect(JSON.stringify(capability)).toContain("ledger-automation-xk2");
      expect(JSON.stringify(capability)).toContain("`custom/capability.yaml:1`");
      expect(JSON.stringify(capability)).not.toContain(dir);
      const owner = await ask(app, "who owns ledger-automation");
      expect(owner.text).toBe("ledger-automation is owned by team-a.");

      const hits = await app.search.search({ q: "ledger automation", filters: { kind: ["capability"] } });
      expect(hits.hits.map((h) => [h.id, h.owner])).toEqual([
        ["capability:default/ledger-automation", "group:default/team-a"],
      ]);
      const stats = await ask(app, "catalog stats");
      expect(JSON.stringify(stats)).not.toContain(dir);
    } finally {
      await app.close();
    }
  });

  it("reads local files only inside the imported folder, and from the extra roots configured", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-roots-"));
    dirs.push(dir);
    writeTree(dir, {
      "shared/notes.md": "Shared notes\n",
      "org/catalog-info.yaml":
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: noted\n  description:\n    $text: ../shared/notes.md\n" +
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    });
    const refused = await buildApp(
      loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data1") }, { cwd: dir }),
      pino({ level: "silent" }),
      { skipImport: true },
    );
    try {
      const report = await refused.importLocation(join(dir, "org"), "test");
      expect(report.added).toEqual([]);
      expect(report.problems[0]?.message).toContain("is outside the imported folder");
    } finally {
      await refused.close();
    }
    const allowed = await buildApp(
      loadConfig(
        { CALLBOARD_DATA_DIR: join(dir, "data2"), CALLBOARD_LOCAL_ROOTS: join(dir, "shared") },
        { cwd: dir },
      ),
      pino({ level: "silent" }),
      { skipImport: true },
    );
    try {
      const report = await allowed.importLocation(join(dir, "org"), "test");
      expect(report.problems).toEqual([]);
      expect(allowed.catalog.graph.get("component:default/noted")?.metadata.description).toBe(
        "Shared notes\n",
      );
    } finally {
      await allowed.close();
    }
  });

  it("passes the configured file size limit to the reader, naming the setting when a file is over it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-size-"));
    dirs.push(dir);
    writeTree(dir, { "org/catalog-info.yaml": `# ${"x".repeat(3000)}\n` });
    const app = await buildApp(
      loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data"), CALLBOARD_MAX_FILE_BYTES: "2048" }, { cwd: dir }),
      pino({ level: "silent" }),
      { skipImport: true },
    );
    try {
      const report = await app.importLocation(join(dir, "org"), "test");
      expect(report.problems.map((p) => p.message)).toEqual([
        expect.stringContaining(
          "the limit is 2048 bytes. Split it into smaller files or raise CALLBOARD_MAX_FILE_BYTES",
        ),
      ]);
    } finally {
      await app.close();
    }
  });
});

describe("buildApp: what plugins contribute besides commands", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const notes = (text: string): SearchDocument => ({
    id: "note:release-train",
    type: "doc",
    ref: "component:default/payments-api",
    kind: "component",
    name: "payments-api",
    title: "Release train",
    text,
    tags: [],
    namespace: "default",
  });

  it("indexes a plugin's index source with the catalog's, and start-up and reindex cover both", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-sources-"));
    dirs.push(dir);
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });
    let text = "Trains leave on Thursdays.";
    const plugin: Plugin = {
      id: "release-notes",
      register: (api) =>
        api.addIndexSource({
          id: "release-notes",
          documents: () => [notes(text)],
          fingerprintItems: () => [{ id: "note:release-train", hash: text }],
        }),
    };
    const first = recordingLogger();
    const app = await buildApp(config, first.log, { plugins: [plugin] });
    try {
      expect((await app.search.search({ q: "thursdays" })).hits.map((h) => h.id)).toEqual([
        "note:release-train",
      ]);
      expect((await app.search.search({ q: "payments-api" })).hits[0]?.id).toBe(
        "component:default/payments-api",
      );
      const entities = app.catalog.graph.size;
      expect(await app.reindex()).toBe(entities + 1);
    } finally {
      await app.close();
    }
    // The source changed while Callboard was down: start-up sees it in the fingerprint and rebuilds.
    text = "Trains leave on Mondays.";
    const second = recordingLogger();
    const again = await buildApp(config, second.log, { plugins: [plugin], skipImport: true });
    try {
      expect(second.lines.some((l) => l.msg === "search index rebuilt")).toBe(true);
      expect((await again.search.search({ q: "mondays" })).hits.map((h) => h.id)).toEqual([
        "note:release-train",
      ]);
    } finally {
      await again.close();
    }
  });

  it("imports a plugin's catalog provider at start-up through its own reader, reporting its problems as any import", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-provider-"));
    dirs.push(dir);
    writeTree(dir, {
      "repo/catalog-info.yaml":
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: discovered\nspec:\n" +
        "  type: service\n  lifecycle: production\n  owner: team-a\n---\nkind: Component\nmetadata: {}\n",
    });
    const asked: string[] = [];
    const plugin: Plugin = {
      id: "repos",
      register: (api) =>
        api.addCatalogProvider({
          id: "repos",
          refreshSeconds: 0,
          startUp: () => [
            {
              target: "repos:acme/discovered",
              read: (key) => {
                asked.push(key);
                return readLocation(join(dir, "repo/catalog-info.yaml"));
              },
            },
          ],
          locations: () => [],
        }),
    };
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });
    const app = await buildApp(config, pino({ level: "silent" }), { plugins: [plugin] });
    try {
      expect(asked).toEqual(["repos:acme/discovered"]);
      const provided = app.imported.find((r) => r.locationKey === "repos:acme/discovered");
      expect(provided?.added).toEqual(["component:default/discovered"]);
      expect(provided?.problems.map((p) => p.field)).toContain("apiVersion");
      expect((await app.catalog.locations()).map((l) => l.key)).toContain("repos:acme/discovered");
      expect(
        (await app.audit.recent({ limit: 5 })).map((e) => [e.actor, e.detail?.split(":")[0]]),
      ).toContainEqual(["startup", "repos"]);
      // The catalog's refresh, and its following of other replicas' changes, run as jobs, registered by the
      // catalog plugin like any plugin's.
      expect(app.registry.jobs.map((j) => [j.job.id, j.owner])).toEqual([
        ["catalog-providers", "catalog"],
        ["catalog-follow-replicas", "catalog"],
        ["docs-sync", "docs"],
      ]);
    } finally {
      await app.close();
    }
  });
});

describe("buildApp: scaffolder tasks", () => {
  it("knows a person's groups and the groups above them, and runs no tasks with concurrency 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-app-tasks-"));
    try {
      const config = loadConfig(
        { CALLBOARD_DATA_DIR: join(dir, "data"), CALLBOARD_SCAFFOLD_CONCURRENCY: "0" },
        { cwd: dir },
      );
      const app = await buildApp(config, pino({ level: "silent" }));
      try {
        expect(app.scaffolder.groupsOf("user:default/sofia.marchetti")).toEqual([
          "group:default/acme",
          "group:default/product-payments",
          "group:default/team-payments",
        ]);
        expect(app.startTaskWorker()).toBeUndefined();
        expect(await app.tasks.list({ id: "user:default/sofia.marchetti" })).toEqual([]);
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("buildApp: GitHub commands without GitHub", () => {
  it("answers prs, ci, repo and checks with what to set, rather than not knowing the command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-app-nogithub-"));
    try {
      const app = await buildApp(
        loadConfig({ CALLBOARD_DATA_DIR: dir }, { cwd: dir }),
        pino({ level: "silent" }),
        {
          skipImport: true,
        },
      );
      try {
        for (const line of [
          "prs payments-api",
          "ci payments-api",
          "repo payments-api",
          "checks payments-api #4",
        ]) {
          const answer = await ask(app, line);
          expect(answer.text, line).toContain("GitHub is not configured: set GITHUB_TOKEN");
        }
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
