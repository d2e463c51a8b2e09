import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

describe("buildApp with GitHub discovery configured", () => {
  const dirs: string[] = [];
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function build(env: Record<string, string>): Promise<App> {
    await app?.close();
    const dir = mkdtempSync(join(tmpdir(), "cb-github-discovery-"));
    dirs.push(dir);
    const config = loadConfig({ CALLBOARD_DATA_DIR: dir, ...env }, { cwd: dir });
    app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    return app;
  }

  const routes = (a: App) => a.registry.ownedRoutes.map((r) => `${r.route.method} ${r.route.path}`);

  it("adds discovery, its job, commands and webhook route only with credentials, organisations and a secret", async () => {
    const none = await build({ GITHUB_TOKEN: "ghp_configured_but_no_orgs" });
    expect(none.registry.commands.has("catalog-register")).toBe(false);
    expect(routes(none)).not.toContain("POST /github/webhook");

    const noSecret = await build({ GITHUB_TOKEN: "ghp_configured_token", GITHUB_CATALOG_ORGS: "acme" });
    expect(noSecret.registry.commands.has("catalog-register")).toBe(true);
    expect(noSecret.registry.commands.has("catalog-locations")).toBe(true);
    expect(noSecret.registry.jobs.some((j) => j.job.id === "github-discovery")).toBe(true);
    expect(routes(noSecret)).not.toContain("POST /github/webhook");

    const full = await build({
      GITHUB_TOKEN: "ghp_configured_token",
      GITHUB_CATALOG_ORGS: "acme",
      GITHUB_WEBHOOK_SECRET: "a-webhook-secret",
    });
    expect(routes(full)).toContain("POST /github/webhook");
  });

  it("reads github.catalog.* from callboard.yaml, and never the webhook secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-github-discovery-"));
    dirs.push(dir);
    const file = join(dir, "callboard.yaml");
    writeFileSync(
      file,
      "github:\n  catalog:\n    orgs: [acme, globex]\n    path: '**/catalog-info.yaml'\n    includeForks: true\n    refreshSeconds: 600\n",
    );
    const config = loadConfig({}, { cwd: dir });
    expect(config.GITHUB_CATALOG_ORGS).toEqual(["acme", "globex"]);
    expect(config.GITHUB_CATALOG_PATH).toBe("**/catalog-info.yaml");
    expect(config.GITHUB_CATALOG_INCLUDE_FORKS).toBe(true);
    expect(config.GITHUB_CATALOG_REFRESH_SECONDS).toBe(600);
    writeFileSync(file, "github:\n  webhookSecret: hunter2-hunter2\n");
    expect(() => loadConfig({}, { cwd: dir })).toThrow(/unknown key "github.webhookSecret"/);
  });
});
