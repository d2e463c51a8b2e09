import type { Adapter, AdapterModule } from "../bot/core/adapter.ts";
import { PrismaConversationStore } from "../db/conversation-store.ts";
import { PrismaEventLedger } from "../db/event-ledger.ts";
import { startJobs } from "../plugins/jobs.ts";
import type { OwnedRoute } from "../plugins/route-table.ts";
import type { App } from "./build-app.ts";
import { adapterSettings } from "./config.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";

export interface Serving {
  /** The HTTP server; absent only when the terminal chat alone runs and its port could not be opened. */
  http?: RunningHttpServer;
  adapters: Adapter[];
  /** Resolves when an adapter whose session is the process's ends (the terminal at end of input). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Start-up notes for an adapter that shows them (the terminal's banner). */
  notes?: string[];
}

/**
 * The adapters the settings ask for, on the one HTTP server with every plugin's routes, and the plugins' jobs.
 * Adapters get their state (retry de-duplication, conversation references) from the database and the chat
 * core from the app, so any replica can take any request; each is attached to the outbox plugins post through.
 */
export async function serve(
  app: App,
  modules: AdapterModule[],
  options: ServeOptions = {},
): Promise<Serving> {
  const { config, log, db } = app;
  const services = {
    core: app.core,
    ledger: new PrismaEventLedger(db.prisma),
    conversations: new PrismaConversationStore(db.prisma),
    log,
    baseUrl: config.CALLBOARD_BASE_URL ?? `http://localhost:${config.PORT}`,
    production: config.NODE_ENV === "production",
  };
  const adapters: Adapter[] = [];
  const routes: OwnedRoute[] = [...app.registry.ownedRoutes];
  const create = (module: AdapterModule, notes: string[]) => {
    const adapter = module.create(adapterSettings(config, module), services, { notes });
    adapters.push(adapter);
    app.outbox.attach(adapter);
    routes.push(...adapter.routes.map((route) => ({ route, owner: `the ${module.label} adapter` })));
  };
  // Platform adapters first: their routes go on the server. The terminal's banner then says where the pages
  // it links to are served, so it is created once the server listens (it has no routes of its own).
  for (const module of modules.filter((m) => !m.usesTerminal)) create(module, options.notes ?? []);

  const terminalOnly = modules.length > 0 && modules.every((module) => module.usesTerminal);
  let http: RunningHttpServer | undefined;
  const terminalNotes = [...(options.notes ?? [])];
  try {
    // The terminal chat alone listens on this machine only, unless HOST says otherwise: its pages (docs) are
    // for the person at the terminal.
    const host = config.HOST ?? (terminalOnly ? "127.0.0.1" : "0.0.0.0");
    http = await startHttpServer({ routes, port: config.PORT, host, log });
    if (terminalOnly) terminalNotes.push(`Pages (docs, catalog) are served at ${http.url}/docs.`);
  } catch (error) {
    // A second terminal chat on this machine (or another program) may hold the port: the chat still works,
    // its links then lead to whatever answers there.
    if (!terminalOnly) throw error;
    log.warn({ err: error, port: config.PORT }, "pages are not served: the HTTP server could not listen");
    terminalNotes.push(
      `Pages (docs, catalog) are not served: port ${config.PORT} could not be opened ` +
        `(${(error as { code?: string }).code ?? String(error)}). Set PORT to a free port to open them.`,
    );
  }
  for (const module of modules.filter((m) => m.usesTerminal)) create(module, terminalNotes);
  try {
    for (const adapter of adapters) await adapter.start();
  } catch (error) {
    // A refused token must not leave the port open and the process running.
    await Promise.all(adapters.map((adapter) => adapter.stop().catch(() => undefined)));
    await http?.close(0);
    throw error;
  }
  const jobs = startJobs(app.registry.jobs, { log, outbox: app.outbox });
  const sessions = adapters.flatMap((adapter) => (adapter.finished ? [adapter.finished] : []));
  if (http) {
    log.info(
      {
        url: http.url,
        adapters: modules.map((module) => module.describe(adapterSettings(config, module))),
        entities: app.catalog.graph.size,
      },
      "Callboard is serving",
    );
  }
  return {
    ...(http ? { http } : {}),
    adapters,
    finished: sessions.length > 0 ? Promise.race(sessions) : new Promise<void>(() => undefined),
    stop: async () => {
      // New work stops first; then what was accepted finishes: HTTP requests in flight, then the answers the
      // adapters queued, then the jobs' work under way (a catalog refresh half way through its locations).
      const jobsStopped = jobs.stop();
      await http?.close();
      for (const adapter of adapters) await adapter.stop();
      await jobsStopped;
    },
  };
}
