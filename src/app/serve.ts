import type { Adapter, AdapterModule } from "../bot/core/adapter.ts";
import { PrismaConversationStore } from "../db/conversation-store.ts";
import { PrismaEventLedger } from "../db/event-ledger.ts";
import { startJobs } from "../plugins/jobs.ts";
import type { OwnedRoute } from "../plugins/route-table.ts";
import type { App } from "./build-app.ts";
import { adapterSettings } from "./config.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";

export interface Serving {
  /** The HTTP server, when anything is reached over HTTP (the terminal alone needs none). */
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
  for (const module of modules) {
    const adapter = module.create(adapterSettings(config, module), services, { notes: options.notes ?? [] });
    adapters.push(adapter);
    app.outbox.attach(adapter);
    routes.push(...adapter.routes.map((route) => ({ route, owner: `the ${module.label} adapter` })));
  }

  // The terminal alone answers in the terminal: it has no routes, and the port stays free for a server.
  const needsHttp = modules.length === 0 || modules.some((module) => !module.usesTerminal);
  const http = needsHttp
    ? await startHttpServer({ routes, port: config.PORT, host: config.HOST, log })
    : undefined;
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
