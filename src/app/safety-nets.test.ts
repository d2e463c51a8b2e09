import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const entry = join(root, "test/fixtures/app/start-with-faulty-plugin.ts");
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Run {
  entries: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
  waitFor(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Callboard serving Teams (development mode), with the faulty plugin in the given mode. */
function start(mode: string, dataDir: string): Run {
  const child = spawn(process.execPath, ["--import", tsx, entry], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      CALLBOARD_DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      TEAMS_ENABLED: "true",
      CALLBOARD_BASE_URL: "http://callboard.test",
      FAULTY_MODE: mode,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const entries: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    entries.push(parsed);
    for (const waiter of waiters.filter((w) => w.match(parsed))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    entries,
    stderr: () => stderr,
    exited,
    waitFor: (match) =>
      new Promise((resolve, reject) => {
        const found = entries.find(match);
        if (found) return resolve(found);
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`exited (${code}) first:\n${stderr}`)));
      }),
  };
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cb-nets-"));
  dirs.push(dir);
  return dir;
}

describe("the serving process, when a request leaves an error nobody handles", () => {
  it("logs a stray rejection and keeps serving; stops cleanly, exit code 1, on an uncaught exception", async () => {
    const dir = dataDir();
    const app = start("routes", dir);
    const url = String((await app.waitFor((e) => e.msg === "Callboard is serving")).url);

    const answered = await fetch(`${url}/faulty/stray-rejection`);
    expect(await answered.text()).toBe("answered\n");
    const stray = await app.waitFor((e) => String(e.msg).includes("nothing handled it"));
    expect(stray).toMatchObject({ level: 50, err: { message: "a request's promise nobody awaited" } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // After an uncaught exception the process cannot be trusted: it says why, closes its stores, and exits 1.
    expect(await (await fetch(`${url}/faulty/throw-later`)).text()).toBe("answered\n");
    expect(await app.exited).toBe(1);
    expect(app.entries.find((e) => e.msg === "uncaught exception; stopping")).toMatchObject({
      level: 60,
      err: { message: "thrown from a timer a request started" },
    });
    expect(app.entries.at(-1)?.msg).toBe("stopped");
    expect(existsSync(join(dir, "callboard.db-wal"))).toBe(false);
  }, 60_000);
});

describe("start-up, when the code is wrong", () => {
  it("stops with the programming error's stack, not a one-line summary", async () => {
    const app = start("throw-at-start", dataDir());
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toMatch(
      /callboard: TypeError: Cannot read properties of undefined \(reading 'port'\)/,
    );
    expect(app.stderr()).toMatch(/\n\s+at .*start-with-faulty-plugin\.ts/);
    expect(app.entries.some((e) => e.msg === "Callboard is serving")).toBe(false);
  }, 60_000);

  it("does not swallow a promise rejection nobody handled before serving began", async () => {
    const app = start("reject-at-start", dataDir());
    expect(await app.exited).not.toBe(0);
    expect(app.stderr()).toContain("a start-up promise nobody awaited");
    expect(app.entries.some((e) => e.msg === "Callboard is serving")).toBe(false);
  }, 60_000);
});
