import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
// The child runs in its own data folder, so tsx is named by path rather than resolved from the cwd.
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Run a Callboard entry point the way a person does, with its own data folder and piped input. */
function run(
  script: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv = {},
  dataDir = mkdtempSync(join(tmpdir(), "cb-main-")),
): Promise<{ code: number; stdout: string; stderr: string }> {
  dirs.push(dataDir);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", tsx, join(root, "src/app", script), ...args],
      {
        cwd: dataDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, CALLBOARD_DATA_DIR: dataDir, ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

describe("npm start (terminal chat, piped)", () => {
  it("answers each line on the example organisation and exits at end of input", async () => {
    const { code, stdout, stderr } = await run("main.ts", [], "who owns payments-api\nshow payments api\n");
    expect(code).toBe(0);
    expect(stderr).toContain("SLACK_BOT_TOKEN");
    const [whoOwns, show] = stdout.split("\n\n");
    expect(whoOwns).toContain("Who owns Payments API");
    expect(whoOwns).toContain("team-payments@acmepayments.example");
    expect(show).toContain("Lifecycle: production");
    expect(stdout).not.toContain("callboard>");
  });

  it("starts on the catalog given with --catalog", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-own-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "catalog-info.yaml"),
      "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing\nspec:\n  type: service\n  lifecycle: production\n  owner: team-billing\n",
    );
    const { code, stdout } = await run("main.ts", ["--catalog", dir], "who owns billing\ncatalog stats\n");
    expect(code).toBe(0);
    expect(stdout).toContain("group:default/team-billing");
    expect(stdout).toMatch(/Entities:\s+1\b/);
  });

  it("stops with a message naming the bad setting", async () => {
    const { code, stderr } = await run("main.ts", [], "", { PORT: "eighty" });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT="eighty"');
  });
});

describe("npm start with Slack or Teams configured, when it cannot serve", () => {
  it("refuses to start in production without CALLBOARD_BASE_URL, before opening anything", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cb-main-"));
    const { code, stderr } = await run(
      "main.ts",
      [],
      "",
      {
        NODE_ENV: "production",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: "0123456789abcdef",
        PORT: "0",
      },
      dataDir,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^callboard: CALLBOARD_BASE_URL is not set: .*NODE_ENV=production/);
    expect(existsSync(join(dataDir, "callboard.db"))).toBe(false);
  });

  it("stops, port closed and exit code 1, when Slack refuses the bot token", async () => {
    const slack = new FakeSlackApi("xoxb-the-real-one");
    await slack.start();
    try {
      const { code, stderr } = await run("main.ts", [], "", {
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: "0123456789abcdef",
        SLACK_API_URL: slack.apiUrl,
        CALLBOARD_BASE_URL: "http://callboard.test",
        PORT: "0",
        HOST: "127.0.0.1",
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^callboard: .*invalid_arguments/m);
    } finally {
      await slack.stop();
    }
  });
});

describe("npm run callboard -- import", () => {
  it("prints what changed and every problem with file and line, and exits 1 on problems", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-import-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "catalog-info.yaml"),
      [
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: good-one\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name!\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
      ].join("---\n"),
    );
    const { code, stdout } = await run("cli.ts", ["import", dir], "");
    expect(code).toBe(1);
    expect(stdout).toContain("1 added");
    expect(stdout).toContain("+ component:default/good-one");
    expect(stdout).toMatch(new RegExp(`${join(dir, "catalog-info.yaml")}:13: .*metadata\\.name`));
  });

  it("prints a skipped optional target as a note that does not fail the import, and shows it in locations", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-notes-"));
    dirs.push(dir);
    const dataDir = mkdtempSync(join(tmpdir(), "cb-notes-data-"));
    writeFileSync(
      join(dir, "catalog-info.yaml"),
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: later\nspec:\n  presence: optional\n  target: ./not-yet.yaml\n",
    );
    const imported = await run("cli.ts", ["import", dir], "", {}, dataDir);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("1 added, 0 updated, 0 removed, 0 unchanged, 0 problems, 1 note.");
    expect(imported.stdout).toMatch(
      new RegExp(
        `note: ${join(dir, "catalog-info.yaml")}:7: location:default/later spec\\.target: .*not-yet\\.yaml does not exist; skipped, as spec\\.presence is optional`,
      ),
    );
    const listed = await run("cli.ts", ["locations"], "", {}, dataDir);
    expect(listed.stdout).toContain(`file:${join(dir, "catalog-info.yaml")}  1 entity, imported`);
    expect(listed.stdout).toMatch(/^ {2}note: .*not-yet\.yaml does not exist/m);
    expect(listed.stdout).not.toContain("  !");
    const removed = await run("cli.ts", ["remove", dir], "", {}, dataDir);
    expect(removed.stdout).toContain(": 1 entity.");
  });

  it("rebuilds the search index from the database, and answers from it afterwards", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cb-reindex-"));
    const catalog = join(root, "examples/acme/catalog-info.yaml");
    expect((await run("cli.ts", ["import", catalog], "", {}, dataDir)).code).toBe(0);
    rmSync(join(dataDir, "search.db"));
    const { code, stdout } = await run("cli.ts", ["reindex"], "", {}, dataDir);
    expect(code).toBe(0);
    // The 167 entities and the sections of the example organisation's docs, built during the import.
    const rebuilt = /^Search index rebuilt: (\d+) documents in [\d.]+ s\.$/m.exec(stdout);
    expect(Number(rebuilt?.[1])).toBeGreaterThan(167);
    const answer = await run("main.ts", [], "who owns paymnets-api\n", {}, dataDir);
    expect(answer.stdout).toContain("Who owns Payments API");
    const audit = await run("cli.ts", ["audit"], "", {}, dataDir);
    expect(audit.stdout).toMatch(
      /cli:\S+ {2}catalog\.import {2}file:.*acme\/catalog-info\.yaml: 167 added, 0 updated, 0 removed, 0 problems/,
    );
  });

  it("explains its usage on a missing argument", async () => {
    const { code, stderr } = await run("cli.ts", ["import"], "");
    expect(code).toBe(2);
    expect(stderr).toContain("import needs a folder, file or URL");
  });
});
