import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Runs `callboard <args>` or the terminal chat as a person does, in a data folder of its own. */
function run(
  script: "cli.ts" | "main.ts",
  args: string[],
  dataDir: string,
  input = "",
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
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

const template = join(root, "examples/acme/templates/node-service/template.yaml");

function values(dir: string, extra = ""): string {
  const file = join(dir, "values.yaml");
  writeFileSync(
    file,
    `name: refund-notifier
owner: group:default/team-payments
system: card-processing
database: postgres
repoUrl: local?owner=acme-payments&repo=refund-notifier
${extra}`,
  );
  return file;
}

describe("callboard scaffold", () => {
  it("runs the example template for real: a git repository under the data folder, and the chat knows the owner at once", async () => {
    const data = tempDir("cb-scaffold-cli-");
    // The chat's first start imports the example organisation into this data folder.
    const first = await run("main.ts", [], data, "catalog stats\n");
    expect(first.code).toBe(0);
    const cli = await run("cli.ts", ["scaffold", template, "--values", values(data)], data, "", {
      CALLBOARD_USER_EMAIL: "miriam.adeyemi@acmepayments.example",
    });
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("Task completed: 3 steps, 3 completed, 0 skipped.");
    expect(cli.stdout).toContain("entityRef: component:default/refund-notifier");
    expect(readdirSync(join(data, "repositories/local/acme-payments")).sort()).toEqual([
      "refund-notifier",
      "refund-notifier.git",
    ]);
    expect(readdirSync(join(data, "workspaces"))).toEqual([]);

    const chat = await run(
      "main.ts",
      [],
      data,
      "who owns refund-notifier\nshow refund-notifier\nscaffold templates\n",
    );
    expect(chat.code).toBe(0);
    const [whoOwns, show, templates] = chat.stdout.split("\n\n");
    expect(templates).toContain("Documentation site (docs-site)");
    expect(templates).toContain("Node.js service (node-service)");
    expect(templates).not.toContain("Not runnable");
    expect(whoOwns).toContain("refund-notifier (component) is owned by Payments Team.");
    expect(show).toContain("Depends on: refund-notifier-db");
    // ${{ user.ref }} came from CALLBOARD_USER_EMAIL, matched to the catalog's User.
    const published = readFileSync(
      join(data, "repositories/local/acme-payments/refund-notifier/catalog-info.yaml"),
      "utf8",
    );
    expect(published).toContain("callboard.dev/created-by: user:default/miriam.adeyemi");
  });

  it("dry-runs a template: rendered inputs, the files with their contents, and the output, publishing nothing", async () => {
    const data = tempDir("cb-scaffold-dry-");
    const { code, stdout } = await run(
      "cli.ts",
      ["scaffold", template, "--values", values(data), "--dry-run"],
      data,
    );
    expect(code).toBe(0);
    expect(stdout).toContain("Step 1/3 fetch: Render the skeleton (fetch:template) completed");
    expect(stdout).toContain(
      "Step 2/3 publish: Publish to a git repository (publish:local) skipped: publish:local does not support dry-run",
    );
    expect(stdout).toMatch(/^ {2}migrations\/001-init\.sql \(\d+ bytes\)$/m);
    expect(stdout).toMatch(/^ {4}\| {3}name: refund-notifier$/m);
    expect(stdout).toMatch(/^ {2}scripts\/dev\.sh \(\d+ bytes, mode 755\)$/m);
    expect(stdout).toContain("  Link: Repository -> <example>");
    expect(stdout).toContain("Dry run completed: 3 steps, 1 completed, 2 skipped.");
    expect(existsSync(join(data, "repositories"))).toBe(false);
  });

  it("names every value that fails the parameters, per page, and runs nothing", async () => {
    const data = tempDir("cb-scaffold-bad-");
    const file = join(data, "bad.yaml");
    writeFileSync(file, "name: Refund Notifier\nport: 80\nrepoUrl: github.com?owner=acme&repo=x\n");
    const { code, stdout } = await run("cli.ts", ["scaffold", template, "--values", file], data);
    expect(code).toBe(1);
    expect(stdout).toContain(`The values do not fit the template's parameters; nothing was run.
  Page 1, "About the service":
    name: "Name" must match the pattern ^[a-z][a-z0-9-]{1,40}[a-z0-9]$ (Lower-case letters, digits and dashes, e.g. refund-notifier).
    owner: "Owner" is required.
  Page 2, "Choices":
    port: "Port" must be 1024 or more.
  Page 3, "Repository":
    repoUrl: "Repository": the host must be one of local (got "github.com").`);
    expect(existsSync(join(data, "repositories"))).toBe(false);
  });

  it("imports the example organisation into an empty catalog first, as npm start does, so a template runs by name", async () => {
    const data = tempDir("cb-scaffold-first-");
    const { code, stdout, stderr } = await run(
      "cli.ts",
      ["scaffold", "node-service", "--values", values(data), "--dry-run"],
      data,
    );
    expect(stderr).toMatch(/^The catalog was empty\. .*examples\/acme\/catalog-info\.yaml/);
    expect(code).toBe(0);
    expect(stdout).toContain("Dry run of Node.js service (template:default/node-service)");
  });

  it("refuses a catalog template from an untrusted location, by name", async () => {
    const data = tempDir("cb-scaffold-trust-");
    await run("main.ts", [], data, "catalog stats\n");
    const { code, stderr } = await run("cli.ts", ["scaffold", "node-service", "--dry-run"], data, "", {
      CALLBOARD_SCAFFOLD_TRUSTED: "/somewhere/else",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^callboard: Template template:default\/node-service: Not runnable: .*node-service\/template\.yaml is not under a trusted location \(trusted: \/somewhere\/else\)/,
    );
  });
});
