import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

describe("buildApp with GitHub configured", () => {
  const dirs: string[] = [];
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function build(env: Record<string, string>): Promise<App> {
    const dir = mkdtempSync(join(tmpdir(), "cb-github-app-"));
    dirs.push(dir);
    const config = loadConfig({ CALLBOARD_DATA_DIR: dir, ...env }, { cwd: dir });
    app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    return app;
  }

  it("registers the GitHub actions only when a token or an App is configured", async () => {
    const github = [
      "publish:github",
      "publish:github:pull-request",
      "github:repo:create",
      "github:repo:push",
    ];
    const without = await build({});
    for (const id of github) expect(without.registry.actions.has(id)).toBe(false);
    await without.close();
    app = undefined;
    const withToken = await build({ GITHUB_TOKEN: "ghp_configured" });
    for (const id of github) expect(withToken.registry.actions.has(id)).toBe(true);
  });

  it("registers the GitHub chat commands always; without a token or an App they say what to set", async () => {
    const commands = ["prs", "ci", "repo", "checks"];
    const without = await build({});
    for (const name of commands) expect(without.registry.contributorOf("command", name)).toBe("github");
    const answer = await without.registry.commands.get("prs")!.handler({
      args: "payments-api",
      flags: {},
      text: "prs payments-api",
      user: { surface: "shell", id: "someone" },
      conversation: { surface: "shell" },
      log: pino({ level: "silent" }),
    });
    expect(answer.text).toContain("GitHub is not configured: set GITHUB_TOKEN");
    await without.close();
    app = undefined;
    const withToken = await build({ GITHUB_TOKEN: "ghp_configured" });
    for (const name of commands) expect(withToken.registry.contributorOf("command", name)).toBe("github");
  });
});
