import { mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { runShell } from "../bot/shell/shell-surface.ts";
import { count } from "../text/grammar.ts";
import { buildApp, type App } from "./build-app.ts";
import type { Plugin } from "../plugins/api.ts";
import { checkServingConfig, slackConfigured, teamsConfigured, type Config } from "./config.ts";
import { formatImportSummary } from "./import-report.ts";
import { createLogger } from "./logger.ts";
import { serve, type Serving } from "./serve.ts";
import { listenForStop, type StopRequest } from "./shutdown.ts";

const CONNECT_HINT =
  "Slack and Teams are not configured, so this is the terminal chat; to connect them set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (README: Connect to Slack / Connect to Teams).";

export interface StartOptions {
  /** Extra plugins, as buildApp takes them (tests that need a route of their own). */
  plugins?: Plugin[];
}

export async function startCallboard(config: Config, options: StartOptions = {}): Promise<void> {
  if (slackConfigured(config) || teamsConfigured(config)) return startServer(config, options);
  // The terminal belongs to the conversation, so logs go to a file beside the database.
  mkdirSync(config.CALLBOARD_DATA_DIR, { recursive: true });
  const logFile = join(config.CALLBOARD_DATA_DIR, "callboard.log");
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: logFile, mkdir: true, sync: false }));
  const app = await buildApp(config, log, options);
  app.startTaskWorker();
  // A signal ends the input: the chat finishes the answer in flight and returns, and everything closes.
  const stop = listenForStop({ log });
  void stop.requested.then(() => process.stdin.push(null));
  try {
    await runTerminal(app);
  } finally {
    await app.close();
    log.flush();
  }
}

/** With Slack or Teams configured: structured logs to stdout, and serve until a signal says stop. */
async function startServer(config: Config, options: StartOptions): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  for (const warning of checkServingConfig(config)) log.warn(warning);
  const app = await buildApp(config, log, options);
  for (const report of app.imported) log.info(formatImportSummary(report, { brief: true }));
  let serving: Serving;
  try {
    serving = await serve(app);
    app.startTaskWorker();
  } catch (error) {
    await app.close();
    throw error;
  }
  const stop = listenForStop({ log });
  catchStrayErrors(log, stop);
  await stop.requested;
  try {
    await serving.stop();
  } finally {
    await app.close();
  }
  log.info("stopped");
}

/**
 * Once serving, an error no request handled must not take every other conversation down with it. Before
 * this (start-up), Node's defaults stay: a programming error there stops the process with its stack.
 */
function catchStrayErrors(log: Logger, stop: StopRequest): void {
  process.on("unhandledRejection", (reason) => {
    log.error({ err: reason }, "a promise was rejected and nothing handled it; still serving");
  });
  process.on("uncaughtException", (error) => {
    // The process may be in a state nobody planned for: stop cleanly, and let the supervisor restart it.
    log.fatal({ err: error }, "uncaught exception; stopping");
    process.exitCode = 1;
    stop.request("uncaughtException");
  });
}

async function runTerminal(app: App): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY);
  const notes = [
    ...app.imported.map((report) => formatImportSummary(report, { brief: true })),
    `${count(app.catalog.graph.size, "entity", "entities")} loaded. Type "help" for commands, "exit" to leave.`,
    CONNECT_HINT,
  ];
  // Piped runs keep stdout for answers only; the notes go to stderr.
  if (!interactive) process.stderr.write(`${notes.join("\n")}\n`);
  await runShell(app.router, {
    input: process.stdin,
    output: process.stdout,
    interactive,
    user: { surface: "shell", id: userInfo().username, email: process.env.CALLBOARD_USER_EMAIL },
    banner: `Callboard\n${notes.join("\n")}\n`,
  });
}
