import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
const running: ChildProcess[] = [];
afterEach(() => {
  // A test that failed half way must not leave a server behind, even one npm left orphaned: end the
  // whole group it started.
  for (const child of running.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // ESRCH: the group is already empty.
    }
  }
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Started {
  child: ChildProcess;
  /** Every stdout line that is a log entry (npm's own banner lines are not). */
  entries: Array<Record<string, unknown>>;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first log entry (or, for the terminal chat, output line) that matches. */
  waitFor(match: (line: string, entry?: Record<string, unknown>) => boolean): Promise<string>;
}

/**
 * `npm start` exactly as an operator runs it, in a process group of its own so that a test can signal
 * either npm alone (a container runtime stopping PID 1) or the whole group (a terminal's Ctrl-C, systemd).
 */
function npmStart(dataDir: string, env: NodeJS.ProcessEnv, stdin: "pipe" | "ignore" = "ignore"): Started {
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_update_notifier: "false",
      CALLBOARD_DATA_DIR: dataDir,
      ...env,
    },
    stdio: [stdin, "pipe", "pipe"],
  });
  running.push(child);
  const started: Started = {
    child,
    entries: [],
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    waitFor: (match) =>
      new Promise((resolve, reject) => {
        const check = (line: string, entry?: Record<string, unknown>) => {
          if (match(line, entry)) {
            lines.off("line", onLine);
            errors.off("line", check);
            resolve(line);
          }
        };
        const onLine = (line: string) => check(line, parse(line));
        lines.on("line", onLine);
        errors.on("line", check);
        [...started.stdout, ...started.stderr].forEach((line) => check(line, parse(line)));
        void started.exited.then(({ code, signal }) =>
          reject(new Error(`npm start ended (${code ?? signal}) first:\n${started.stdout.join("\n")}`)),
        );
      }),
  };
  const lines = createInterface({ input: child.stdout! });
  const errors = createInterface({ input: child.stderr! });
  lines.on("line", (line) => {
    started.stdout.push(line);
    const entry = parse(line);
    if (entry) started.entries.push(entry);
  });
  errors.on("line", (line) => started.stderr.push(line));
  return started;
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const serving = (_line: string, entry?: Record<string, unknown>) => entry?.msg === "Callboard is serving";

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cb-stop-"));
  dirs.push(dir);
  return dir;
}

/** SQLite removes a database's -wal file when its last connection closes cleanly (after checkpointing it). */
function closedCleanly(dir: string): void {
  expect(existsSync(join(dir, "callboard.db"))).toBe(true);
  expect(existsSync(join(dir, "callboard.db-wal"))).toBe(false);
  expect(existsSync(join(dir, "search.db-wal"))).toBe(false);
}

/** A Bot Connector that takes the bot's reply and holds it until told, so a Teams request stays in flight. */
class HoldingConnector {
  private server?: Server;
  private held: ServerResponse[] = [];
  private holding = true;
  private onArrival?: () => void;
  readonly arrived = new Promise<void>((resolve) => (this.onArrival = resolve));
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method !== "POST") {
          res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"NotFound"}}');
          return;
        }
        this.onArrival?.();
        if (this.holding) this.held.push(res);
        else this.answer(res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) this.answer(res);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json" }).end('{"id":"reply-1"}');
  }
}

describe("npm start in server mode (Teams), stopped by a signal", () => {
  const connector = new HoldingConnector();
  afterAll(() => connector.stop());

  it("on SIGTERM to npm alone: stops taking connections, finishes the answer in flight, closes the database, exits 0", async () => {
    const dir = dataDir();
    const app = npmStart(dir, { PORT: "0", HOST: "127.0.0.1", TEAMS_ENABLED: "true" });
    const line = await app.waitFor(serving);
    const url = String(parse(line)!.url);

    // No CALLBOARD_BASE_URL: start-up says what breaks, naming the setting.
    const warning = app.entries.find((e) => String(e.msg).includes("CALLBOARD_BASE_URL"));
    expect(warning?.level).toBe(40);
    expect(String(warning?.msg)).toMatch(/links in answers point at http:\/\/localhost:0.*no preview/);

    const activity = JSON.parse(
      readFileSync(join(root, "test/fixtures/teams/message-personal.json"), "utf8"),
    ) as Record<string, unknown>;
    activity.serviceUrl = await connector.start();
    const inFlight = fetch(`${url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(activity),
    }).then(
      (response) => response.status,
      (error: Error) => `no answer: ${error.message}`,
    );
    await connector.arrived;

    app.child.kill("SIGTERM");
    await app.waitFor((_line, entry) => String(entry?.msg).startsWith("stopping"));
    // Stopped listening: a new connection is refused while the answer in flight is still being written.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    connector.release();
    expect(await inFlight).toBeLessThan(300);

    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.entries.at(-1)?.msg).toBe("stopped");
    closedCleanly(dir);

    // A restart on the same files works, and SIGTERM to the whole process group stops it cleanly too.
    const again = npmStart(dir, { PORT: "0", HOST: "127.0.0.1", TEAMS_ENABLED: "true" });
    const restarted = String(parse(await again.waitFor(serving))!.url);
    expect((await fetch(`${restarted}/healthz`)).status).toBe(200);
    process.kill(-again.child.pid!, "SIGTERM");
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(again.entries.at(-1)?.msg).toBe("stopped");
    expect(again.stdout.join("\n")).not.toContain("database is locked");
    closedCleanly(dir);
  }, 120_000);
});

describe("npm start as the terminal chat (piped), stopped by a signal", () => {
  for (const target of ["npm", "the process group"] as const) {
    it(`on SIGTERM to ${target}: answers what it was asked, closes the database, exits 0`, async () => {
      const dir = dataDir();
      const app = npmStart(dir, {}, "pipe");
      await app.waitFor((line) => line.includes("entities loaded"));
      app.child.stdin!.write("who owns payments-api\n");
      await app.waitFor((line) => line.includes("Who owns Payments API"));

      // Input stays open: only the signal can end the chat.
      if (target === "npm") app.child.kill("SIGTERM");
      else process.kill(-app.child.pid!, "SIGTERM");
      expect(await app.exited).toEqual({ code: 0, signal: null });
      closedCleanly(dir);
      expect(readFileSync(join(dir, "callboard.log"), "utf8")).toMatch(/"reason":"SIGTERM".*stopping/);
    }, 60_000);
  }
});
