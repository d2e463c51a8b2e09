import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { Registry } from "../bot/registry.ts";
import { Router } from "../bot/router.ts";
import { CatalogService, type ImportReport } from "../catalog/catalog-service.ts";
import { catalogCommandsPlugin } from "../catalog/commands/catalog-plugin.ts";
import { CatalogGraph } from "../catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../catalog/graph/graph-resolver.ts";
import { readLocation } from "../catalog/ingest/read-location.ts";
import type { EntityResolver } from "../catalog/resolver.ts";
import { PrismaCatalogStore } from "../catalog/store/prisma-catalog-store.ts";
import { openDatabase, type Database } from "../db/open-database.ts";
import type { Plugin } from "../plugins/api.ts";
import type { Config } from "./config.ts";

/** The example organisation that `npm start` opens when no catalog is configured or stored. */
export const EXAMPLE_CATALOG = fileURLToPath(
  new URL("../../examples/acme/catalog-info.yaml", import.meta.url),
);

export interface App {
  config: Config;
  log: Logger;
  db: Database;
  catalog: CatalogService;
  registry: Registry;
  router: Router;
  /** The locations imported at start-up and what each import did. */
  imported: ImportReport[];
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Extra plugins (tests, third parties) registered after the core ones. */
  plugins?: Plugin[];
  /** Skip importing the configured or example catalog at start (benchmarks load their own). */
  skipImport?: boolean;
}

/**
 * The composition root: the only place that knows every service. It opens the database (applying
 * migrations), fills the in-memory graph from it, imports the configured catalog, and registers plugins.
 */
export async function buildApp(config: Config, log: Logger, options: BuildOptions = {}): Promise<App> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    sqlitePath: join(config.CALLBOARD_DATA_DIR, "callboard.db"),
    log,
  });
  try {
    const store = new PrismaCatalogStore(db);
    const graph = new CatalogGraph();
    const catalog = new CatalogService({ store, graph, read: (target) => readLocation(target), log });
    await catalog.load();

    const resolver: EntityResolver = new GraphNameResolver(graph);
    const registry = new Registry(log);
    await registry.use(
      catalogCommandsPlugin({ graph, resolver: () => resolver }),
      ...(options.plugins ?? []),
    );
    const router = new Router(registry, log);

    const imported: ImportReport[] = [];
    if (!options.skipImport) {
      const configured = config.CALLBOARD_CATALOG;
      const stored = await store.listLocations();
      const target = configured ?? (stored.length === 0 ? EXAMPLE_CATALOG : undefined);
      if (target) imported.push(await catalog.importLocation(target));
    }

    return {
      config,
      log,
      db,
      catalog,
      registry,
      router,
      imported,
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
