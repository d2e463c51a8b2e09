import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { ADAPTER_MODULES } from "../bot/adapters.ts";
import type { AdapterModule } from "../bot/core/adapter.ts";
import { formatImportSummary } from "../catalog/import-summary.ts";
import type { Plugin } from "../plugins/api.ts";
import { count } from "../text/grammar.ts";
import { buildApp, type App } from "./build-app.ts";
import { checkServingConfig, enabledAdapters, type Config } from "./config.ts";
import { createLogger } from "./logger.ts";
import { serve, type Serving } from "./serve.ts";
import { listenForStop, type StopRequest } from "./shutdown.ts";

export interface StartOptions {
  /** Extra plugins, as buildApp takes them (tests that need a route of their own). */
  plugins?: Plugin[];
}

/**
 * Starts Callboard with the adapters its settings ask for (the terminal chat when they ask for none), and runs
 * until a signal says stop or the terminal's input ends; then stops cleanly.
 */
export async function startCallboard(config: Config, options: StartOptions = {}): Promise<void> {
  const modules = enabledAdapters(config);
  const terminal = modules.some((module) => module.usesTerminal);
  const log = terminal ? fileLogger(config) : createLogger(config.LOG_LEVEL);
  for (const warning of checkServingConfig(config)) log.warn(warning);
  const app = await buildApp(config, log, options);
  if (!terminal) for (const report of app.imported) log.info(formatImportSummary(report, { brief: true }));
  let serving: Serving;
  try {
    serving = await serve(app, modules, { notes: startupNotes(app, modules) });
    app.startTaskWorker();
  } catch (error) {
    await app.close();
    throw error;
  }
  const stop = listenForStop({ log });
  // In the terminal a signal ends the input: the chat finishes the answer in flight and returns.
  if (!terminal) catchStrayErrors(log, stop);
  await Promise.race([stop.requested, serving.finished]);
  try {
    await serving.stop();
  } finally {
    await app.close();
  }
  log.info("stopped");
  log.flush();
}

/** The terminal belongs to the conversation, so logs go to a file beside the database. */
function fileLogger(config: Config): Logger {
  mkdirSync(config.CALLBOARD_DATA_DIR, { recursive: true });
  const dest = join(config.CALLBOARD_DATA_DIR, "callboard.log");
  return createLogger(config.LOG_LEVEL, pino.destination({ dest, mkdir: true, sync: false }));
}

/** What a person at the terminal is told at start: what was imported, and how to connect a chat platform. */
function startupNotes(app: App, running: AdapterModule[]): string[] {
  const notes = [
    ...app.imported.map((report) => formatImportSummary(report, { brief: true })),
    `${count(app.catalog.graph.size, "entity", "entities")} loaded. Type "help" for commands, "exit" to leave.`,
  ];
  if (running.every((module) => module.fallback)) {
    const ways = ADAPTER_MODULES.flatMap((module) => (module.howToEnable ? [module.howToEnable] : []));
    notes.push(
      `No chat platform is configured, so this is the terminal chat. To connect one: ${ways.join("; ")}.`,
    );
  }
  return notes;
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
