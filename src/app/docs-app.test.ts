import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, EXAMPLE_CATALOG, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import type { Reply } from "../message/reply.ts";

const ask = (app: App, text: string): Promise<Reply> =>
  app.router.handle({ text, user: { surface: "shell", id: "tester" }, conversation: { surface: "shell" } });

const blockText = (r: Reply) =>
  r.blocks.map((b) => ("text" in b ? (b.text ?? "") : JSON.stringify(b))).join("\n");

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe("docs plugin over the example organisation", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("builds the examples' TechDocs, answers docs questions with deep links, and survives a restart without rebuilding", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-docs-"));
    dirs.push(dir);
    const config = loadConfig(
      { CALLBOARD_DATA_DIR: join(dir, "data"), CALLBOARD_BASE_URL: "https://cb.example" },
      { cwd: dir },
    );
    const app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    try {
      await app.importLocation(EXAMPLE_CATALOG, "test");
      const summary = await app.docs.service.syncAll();
      expect(summary.problems).toBe(0);
      const site = app.docs.library.getSite("component:default/payments-api");
      expect(site?.siteName).toBe("Payments API");
      expect(Object.keys(site!.pages)).toContain("operations/runbook/");
      expect(site!.pages["architecture/"]!.html).toContain('<div class="graphviz"><svg');
      expect(site!.pages["guides/api/"]!.editUrl).toBe(
        "https://github.com/acme-payments/payments-api/edit/main/docs/guides/api.md",
      );
      const ledger = app.docs.library.getSite("component:default/ledger-service");
      expect(Object.keys(ledger!.pages)).toEqual(
        expect.arrayContaining(["reconciliation/", "reconciliation/mismatches/"]),
      );
      expect(app.docs.library.getSearchIndex(site!.key)).toContain(
        '"location":"operations/runbook/#rotate-database-credentials"',
      );

      const answer = await ask(app, "docs rotate database credentials");
      const text = blockText(answer);
      expect(text).toContain(
        "https://cb.example/docs/default/component/payments-api/operations/runbook/#rotate-database-credentials",
      );
      expect(text).toMatch(/Payments API › Runbook › Rotate database credentials/);
      expect(text).toMatch(/\*\*(database|credentials|rotate)\*\*/i);

      const filtered = await ask(app, "docs reconciliation mismatch owner:team-payments");
      expect(blockText(filtered)).not.toContain("ledger-service");

      const home = await ask(app, "docs payments-api");
      expect(blockText(home)).toContain("https://cb.example/docs/default/component/payments-api/");
      expect(blockText(home)).toMatch(/Guides\]\(.*guides\/getting-started\/\) \(2 pages\)/);

      const borrowed = await ask(app, "docs api:payments-v1");
      expect(blockText(borrowed)).toContain("shared from `component:default/payments-api`");
      expect(blockText(borrowed)).toContain("/docs/default/component/payments-api/guides/api/");

      const rebuild = await ask(app, "docs rebuild payments-api");
      expect(rebuild.text).toMatch(/is up to date/);

      const search = await ask(app, "search rotate database credentials");
      expect(blockText(search)).toContain("operations/runbook/#rotate-database-credentials");

      const none = await ask(app, "docs rebuild group:default/team-payments");
      expect(none.text).toMatch(/declares no docs/);
    } finally {
      await app.close();
    }

    // Restart: the built sites are read back, nothing is rendered again, and the search index is current.
    const again = recordingLogger();
    const second = await buildApp(config, again.log, { skipImport: true });
    try {
      expect(second.docs.library.getSite("component:default/payments-api")?.siteName).toBe("Payments API");
      expect(again.lines.some((l) => l.msg === "search index rebuilt")).toBe(false);
      const summary = await second.docs.service.syncAll();
      expect(summary.built).toBe(0);
      expect(summary.unchanged).toBeGreaterThan(0);
      const answer = await ask(second, "docs rotate database credentials");
      expect(blockText(answer)).toContain("operations/runbook/#rotate-database-credentials");
    } finally {
      await second.close();
    }
  });

  it("says why docs could not be built, keeps serving the last good build, and answers url: sources without GitHub clearly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-docs-"));
    dirs.push(dir);
    const files: Record<string, string> = {
      "catalog-info.yaml":
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  owner: team-a\n  lifecycle: production\n" +
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: remote\n  annotations:\n    backstage.io/techdocs-ref: url:https://github.com/acme/remote/tree/main\nspec:\n  type: service\n  owner: team-a\n  lifecycle: production\n" +
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: escape\n  annotations:\n    backstage.io/techdocs-ref: dir:../..\nspec:\n  type: service\n  owner: team-a\n  lifecycle: production\n",
      "mkdocs.yml": "site_name: Svc\n",
      "docs/index.md": "# Svc\n\n## Rotate keys\n\nRotate the signing keys monthly.\n",
    };
    for (const [path, text] of Object.entries(files)) {
      const full = join(dir, "org", path);
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, text);
    }
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });
    const app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    try {
      await app.importLocation(join(dir, "org", "catalog-info.yaml"), "test");
      await app.docs.service.syncAll();
      // Without GitHub configured, a url: source names the settings that would fetch it.
      expect((await ask(app, "docs remote")).text).toMatch(/GitHub is not configured.*GITHUB_TOKEN/);
      expect((await ask(app, "docs escape")).text).toMatch(/outside/);
      expect((await ask(app, "docs rotate signing keys")).text).toContain(
        "/docs/default/component/svc/#rotate-keys",
      );

      writeFileSync(join(dir, "org", "mkdocs.yml"), "site_name: Svc\nnav:\n  - [broken\n");
      const failed = await ask(app, "docs rebuild svc");
      expect(failed.text).toMatch(/could not be built: mkdocs\.yml, line \d+: is not valid YAML/);
      expect(blockText(failed)).toContain("The last good build is still served.");
      expect(
        app.docs.library.getPage({ namespace: "default", kind: "component", name: "svc" }, "")?.title,
      ).toBe("Svc");
    } finally {
      await app.close();
    }
  });
});
