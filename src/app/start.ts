import { mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { runShell } from "../bot/shell/shell-surface.ts";
import { count } from "../text/grammar.ts";
import { buildApp, type App } from "./build-app.ts";
import { slackConfigured, teamsConfigured, type Config } from "./config.ts";
import { formatImportSummary } from "./import-report.ts";
import { createLogger } from "./logger.ts";
import { serve } from "./serve.ts";

const CONNECT_HINT =
  "Slack and Teams are not configured, so this is the terminal chat; to connect them set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (README: Connect to Slack / Connect to Teams).";

export async function startCallboard(config: Config): Promise<void> {
  if (slackConfigured(config) || teamsConfigured(config)) return startServer(config);
  // The terminal belongs to the conversation, so logs go to a file beside the database.
  mkdirSync(config.CALLBOARD_DATA_DIR, { recursive: true });
  const logFile = join(config.CALLBOARD_DATA_DIR, "callboard.log");
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: logFile, mkdir: true, sync: false }));
  const app = await buildApp(config, log);
  try {
    await runTerminal(app);
  } finally {
    await app.close();
    log.flush();
  }
}

/** With Slack or Teams configured: structured logs to stdout, and serve until a signal says stop. */
async function startServer(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const app = await buildApp(config, log);
  for (const report of app.imported) log.info(formatImportSummary(report, { brief: true }));
  const serving = await serve(app);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await serving.stop();
  await app.close();
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
