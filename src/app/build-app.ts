import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { Registry } from "../bot/registry.ts";
import { Router } from "../bot/router.ts";
import { CatalogService, type ImportReport } from "../catalog/catalog-service.ts";
import type { ImportResult } from "../catalog/store/catalog-store.ts";
import { AuditLog } from "../db/audit-log.ts";
import { catalogCommandsPlugin } from "../catalog/commands/catalog-plugin.ts";
import { CatalogGraph } from "../catalog/graph/catalog-graph.ts";
import { RELATION } from "../catalog/graph/relation-types.ts";
import { GraphNameResolver } from "../catalog/graph/graph-resolver.ts";
import { readLocation } from "../catalog/ingest/read-location.ts";
import { firstFound } from "../catalog/resolver.ts";
import { catalogLinksPlugin, catalogUrlFor } from "../catalog/web/catalog-links.ts";
import { PrismaCatalogStore } from "../catalog/store/prisma-catalog-store.ts";
import { openDatabase, type Database } from "../db/open-database.ts";
import type { Plugin } from "../plugins/api.ts";
import { entityToDocument } from "../search/entity-document.ts";
import { ensureFresh, openSearchIndex, searchFingerprint } from "../search/open-search-index.ts";
import type { SearchDocument, SearchIndex } from "../search/search-index.ts";
import { searchPlugin } from "../search/search-plugin.ts";
import { scaffoldPlugin } from "../scaffold/commands/scaffold-plugin.ts";
import { repositoriesRoot, Scaffolder } from "../scaffold/scaffolder.ts";
import { TrustedLocations } from "../scaffold/template/trusted-locations.ts";
import { ScaffoldTasks } from "../scaffold/tasks/scaffold-tasks.ts";
import type { TaskWorker } from "../scaffold/tasks/task-worker.ts";
import { PrismaTaskStore } from "../db/scaffold-task-store.ts";
import { SecretBox } from "../state/secret-box.ts";
import { scaffolderCatalog } from "./scaffolder-catalog.ts";
import { SearchEntityResolver } from "../search/search-resolver.ts";
import { count } from "../text/grammar.ts";
import { slackConfigured, teamsConfigured, type Config } from "./config.ts";
import { GitHubClient } from "../github/github-client.ts";
import { githubSettings } from "../github/github-config.ts";

/** The example organisation that `npm start` opens when no catalog is configured or stored. */
export const EXAMPLE_CATALOG = fileURLToPath(
  new URL("../../examples/acme/catalog-info.yaml", import.meta.url),
);

/** The examples folder: its templates are the ones trusted when nothing else is configured. */
export const EXAMPLES_DIR = dirname(dirname(EXAMPLE_CATALOG));

export interface App {
  config: Config;
  log: Logger;
  db: Database;
  catalog: CatalogService;
  search: SearchIndex;
  registry: Registry;
  router: Router;
  /** Software templates: listing, checking values and running them. */
  scaffolder: Scaffolder;
  /** Durable scaffolder tasks: queue, cancel, retry, list, logs. */
  tasks: ScaffoldTasks;
  /**
   * Starts this process's share of running the queued tasks (none with CALLBOARD_SCAFFOLD_CONCURRENCY=0);
   * `close` stops it, handing running tasks back to the queue.
   */
  startTaskWorker(): TaskWorker | undefined;
  /** Import a location and record who did it in the audit log. */
  importLocation(target: string, actor: string): Promise<ImportReport>;
  /** Forget a location and record who did it in the audit log. */
  removeLocation(target: string, actor: string): Promise<ImportResult>;
  audit: AuditLog;
  /** Rebuild the search index from the database (it is derived state); returns how many documents. */
  reindex(): Promise<number>;
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

function importDetail(report: ImportReport): string {
  return (
    `${report.locationKey}: ${report.added.length} added, ${report.updated.length} updated, ` +
    `${report.removed.length} removed, ${count(report.problems.length, "problem")}`
  );
}

/**
 * Start-up reads every stored entity into the graph, a page at a time, then rebuilds the index from the
 * graph when the index is stale.
 */
async function loadCatalogAndIndex(
  catalog: CatalogService,
  index: SearchIndex,
  fingerprint: () => string,
  log: Logger,
): Promise<void> {
  const count = await catalog.load();
  if (await ensureFresh(index, fingerprint(), () => graphDocuments(catalog.graph))) {
    log.info({ documents: count }, "search index rebuilt");
  }
}

/** A search document for every entity in the graph, which holds exactly what is stored once loaded. */
function graphDocuments(graph: CatalogGraph): SearchDocument[] {
  const documents: SearchDocument[] = [];
  for (const { ref, entity } of graph.entities()) {
    const relations = graph.owners(ref).map((target) => ({ source: ref, type: RELATION.ownedBy, target }));
    documents.push(entityToDocument({ ref, entity, relations }));
  }
  return documents;
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
  let search: SearchIndex | undefined;
  try {
    const store = new PrismaCatalogStore(db);
    const graph = new CatalogGraph();
    const catalog = new CatalogService({
      store,
      graph,
      read: (target) =>
        readLocation(target, {
          allowedHosts: config.CALLBOARD_READ_ALLOW,
          localRoots: config.CALLBOARD_LOCAL_ROOTS,
          maxFileBytes: config.CALLBOARD_MAX_FILE_BYTES,
        }),
      log,
    });
    // The index is derived state: rebuilt from the database whenever its fingerprint says it is stale,
    // then kept current on every catalog write.
    search = await openSearchIndex({
      meilisearchUrl: config.MEILISEARCH_URL,
      meilisearchApiKey: config.MEILISEARCH_API_KEY,
      path: join(config.CALLBOARD_DATA_DIR, "search.db"),
    });
    const index = search;
    const fingerprint = () => searchFingerprint(catalog.contentHashes());
    await loadCatalogAndIndex(catalog, index, fingerprint, log);
    catalog.onChange({
      changed: async (change) => {
        if (change.removed.length > 0) await index.delete(change.removed);
        if (change.upserted.length > 0) await index.upsert(change.upserted.map(entityToDocument));
        await index.recordFingerprint(fingerprint());
      },
      // A large import's index write runs while the store commits it (on 2 cores, ~6 s of a 100k import).
      stage: (expected) => {
        const staged = index.stage?.({
          upsert: expected.upserted.map(entityToDocument),
          delete: expected.removed,
        });
        if (!staged) return undefined;
        return {
          // The catalog applies the change to memory before this resumes, so the fingerprint is the new one.
          commit: async () => {
            await staged.commit();
            await index.recordFingerprint(fingerprint());
          },
          abort: () => staged.abort(),
        };
      },
    });

    const resolver = firstFound(new GraphNameResolver(graph), new SearchEntityResolver(index));
    // Entity pages and link previews exist only where Callboard serves HTTP; the terminal chat alone
    // would print links that lead nowhere.
    const serving = Boolean(config.CALLBOARD_BASE_URL) || slackConfigured(config) || teamsConfigured(config);
    const baseUrl = config.CALLBOARD_BASE_URL ?? `http://localhost:${config.PORT}`;
    const registry = new Registry(log);
    const githubConfig = githubSettings(config);
    const github = githubConfig ? new GitHubClient(githubConfig, { log }) : undefined;
    const dataDir = resolve(config.CALLBOARD_DATA_DIR);
    const scaffoldCatalog = scaffolderCatalog(catalog, (target) => importLocation(target, "scaffolder"));
    const scaffolder = new Scaffolder({
      catalog: scaffoldCatalog,
      actions: () => registry.actions,
      // Templates are code: by default only the example organisation's templates may run.
      trusted: new TrustedLocations(config.CALLBOARD_SCAFFOLD_TRUSTED ?? [EXAMPLES_DIR]),
      dataDir,
      stepTimeoutMs: config.CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS * 1000,
    });
    await registry.use(
      catalogCommandsPlugin({
        graph,
        resolver: () => resolver,
        ...(serving ? { catalogUrl: catalogUrlFor(baseUrl) } : {}),
      }),
      catalogLinksPlugin({ graph, baseUrl }),
      // After the catalog plugin, so its typo-tolerant pickers replace the catalog's prefix pickers.
      searchPlugin({ index, describe: (ref) => graph.get(ref)?.metadata.title ?? undefined }),
      scaffoldPlugin({
        scaffolder,
        actions: { catalog: scaffoldCatalog, publishRoot: repositoriesRoot(dataDir) },
        ...(github ? { github } : {}),
      }),
      ...(options.plugins ?? []),
    );
    const router = new Router(registry, log);

    const audit = new AuditLog(db.prisma);
    if (db.provider === "postgresql" && !config.CALLBOARD_SECRET_KEY) {
      log.warn(
        "CALLBOARD_SECRET_KEY is not set: task secrets are sealed with a key in this process's data folder, " +
          "so another replica sharing the database cannot resume its tasks. Give every replica the same key.",
      );
    }
    const tasks = new ScaffoldTasks({
      store: new PrismaTaskStore(db.prisma),
      scaffolder,
      box: config.CALLBOARD_SECRET_KEY
        ? SecretBox.fromText(config.CALLBOARD_SECRET_KEY)
        : SecretBox.fromKeyFile(join(dataDir, "secret.key")),
      audit,
      admins: config.CALLBOARD_ADMINS,
      log,
      worker: {
        concurrency: config.CALLBOARD_SCAFFOLD_CONCURRENCY,
        heartbeatIntervalMs: config.CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS * 1000,
        heartbeatTimeoutMs: config.CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS * 1000,
      },
    });
    let worker: TaskWorker | undefined;
    const importLocation = async (target: string, actor: string) => {
      const report = await catalog.importLocation(target);
      await audit.append({ actor, action: "catalog.import", detail: importDetail(report) });
      return report;
    };
    const removeLocation = async (target: string, actor: string) => {
      const result = await catalog.removeLocation(target);
      await audit.append({
        actor,
        action: "catalog.remove",
        detail: `${result.locationKey}: ${result.removed.length} removed`,
      });
      return result;
    };

    const imported: ImportReport[] = [];
    if (!options.skipImport) {
      const configured = config.CALLBOARD_CATALOG;
      const stored = await store.listLocations();
      const target = configured ?? (stored.length === 0 ? EXAMPLE_CATALOG : undefined);
      if (target) imported.push(await importLocation(target, "startup"));
    }

    return {
      config,
      log,
      db,
      catalog,
      search: index,
      audit,
      importLocation,
      removeLocation,
      reindex: async () => {
        const documents = graphDocuments(graph);
        await index.rebuild(documents, fingerprint());
        return documents.length;
      },
      registry,
      router,
      scaffolder,
      tasks,
      startTaskWorker: () => {
        if (config.CALLBOARD_SCAFFOLD_CONCURRENCY === 0) return undefined;
        worker ??= tasks.worker();
        worker.start();
        return worker;
      },
      imported,
      close: async () => {
        await worker?.stop();
        await index.close();
        await db.close();
      },
    };
  } catch (error) {
    await search?.close();
    await db.close();
    throw error;
  }
}
