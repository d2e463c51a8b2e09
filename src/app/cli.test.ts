import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const dataDir = mkdtempSync(join(tmpdir(), "callboard-cli-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `callboard <args>` as a person runs it; none of these reach the database. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, join(root, "src/app/cli.ts"), ...args],
      { cwd: dataDir, env: { PATH: process.env.PATH, HOME: process.env.HOME, CALLBOARD_DATA_DIR: dataDir } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("callboard's command line", () => {
  it("answers help, --help and -h with the usage, naming every option the commands take", async () => {
    for (const asked of ["help", "--help", "-h"]) {
      const { code, stdout } = await cli(asked);
      expect(code).toBe(0);
      expect(stdout).toContain("Usage: npm run callboard -- <command>");
      expect(stdout).toContain("--user user:default/jane");
      expect(stdout).toContain("--config <file>");
    }
  });

  it("refuses an option it does not know as a usage error: exit 2, the option named, then the usage", async () => {
    const { code, stderr } = await cli("locations", "--frobnicate");
    expect(code).toBe(2);
    expect(stderr).toContain("'--frobnicate'");
    expect(stderr).toContain("Usage: npm run callboard -- <command>");
  });
});
