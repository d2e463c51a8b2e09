import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { ChatCore } from "../bot/core/chat-core.ts";
import { AdapterOutbox } from "../bot/core/outbox.ts";
import { Router } from "../bot/core/router.ts";
import { catalogPlugin } from "../catalog/catalog-plugin.ts";
import { CatalogProviders } from "../catalog/catalog-providers.ts";
import { graphCatalogView } from "../catalog/catalog-view.ts";
import { CatalogService, type ImportReport, type LocationReader } from "../catalog/catalog-service.ts";
import { CatalogGraph } from "../catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../catalog/graph/graph-resolver.ts";
import { readLocation } from "../catalog/ingest/read-location.ts";
import { firstFound } from "../catalog/resolver.ts";
import { canonicalOwnerRef } from "../catalog/search-source.ts";
import { docsPlugin } from "../docs/docs-plugin.ts";
import { docSuggestionsPlugin } from "../docs/suggestions/doc-suggestions-plugin.ts";
import { docsWebPlugin } from "../docs/web/docs-web-plugin.ts";
import { SectionIndex } from "../docs/web/section-index.ts";
import { PrismaDocSuggestionStore } from "../db/doc-suggestion-store.ts";
import type { DocsService } from "../docs/docs-service.ts";
import type { DocsLibrary } from "../docs/model.ts";
import { SearchEntityResolver } from "../catalog/search-resolver.ts";
import type { ImportResult } from "../catalog/store/catalog-store.ts";
import { ChangeFollower } from "../catalog/replicas/follow-changes.ts";
import { CATALOG_CHANNEL, PrismaCatalogStore } from "../catalog/store/prisma-catalog-store.ts";
import { catalogLinksPlugin, catalogUrlFor } from "../catalog/web/catalog-links.ts";
import { AuditLog } from "../db/audit-log.ts";
import { openDatabase, type Database } from "../db/open-database.ts";
import type { Plugin } from "../plugins/api.ts";
import { Registry } from "../plugins/registry.ts";
import { githubPlugin } from "../plugins/github/github-plugin.ts";
import { SearchIndexing } from "../search/indexing.ts";
import { openSearchIndex } from "../search/open-search-index.ts";
import type { SearchIndex } from "../search/search-index.ts";
import { searchPlugin } from "../search/search-plugin.ts";
import { scaffoldPlugin } from "../scaffold/commands/scaffold-plugin.ts";
import { repositoriesRoot, Scaffolder } from "../scaffold/scaffolder.ts";
import { TrustedLocations } from "../scaffold/template/trusted-locations.ts";
import { ScaffoldTasks } from "../scaffold/tasks/scaffold-tasks.ts";
import type { TaskWorker } from "../scaffold/tasks/task-worker.ts";
import { PrismaTaskStore } from "../db/scaffold-task-store.ts";
import { PrismaApprovalStore } from "../db/approval-store.ts";
import { approvalsPlugin } from "../scaffold/approvals/approvals-plugin.ts";
import { SecretBox } from "../state/secret-box.ts";
import { pickerCatalog, scaffolderCatalog } from "./scaffolder-catalog.ts";
import { githubFileReader } from "./github-registration.ts";
import { count } from "../text/grammar.ts";
import { enabledAdapters, type Config } from "./config.ts";
import { buildChatCore } from "./chat-core.ts";
import { GitHubClient } from "../github/github-client.ts";
import { githubSettings } from "../github/github-config.ts";
import { discoverySettings } from "../catalog/providers/github/discovery-settings.ts";
import type { GitHubDiscovery } from "../catalog/providers/github/discovery.ts";
import { githubCatalogPlugin } from "../catalog/providers/github/github-catalog-plugin.ts";
import { fetchDocsTree, pushTouchesDocs } from "../catalog/providers/github/docs-tree.ts";
import { PrismaEventLedger } from "../db/event-ledger.ts";
import { PrismaProviderStateStore } from "../db/provider-state-store.ts";

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
  /** Built TechDocs: the library pages and unfurls read, and the service that builds them. */
  docs: { library: DocsLibrary; service: DocsService };
  /** Where plugins post later: attach each running adapter to it. */
  outbox: AdapterOutbox;
  /** The chat core every adapter talks to: commands, forms, "Show more". */
  core: ChatCore;
  /** Software templates: listing, checking values and running them. */
  scaffolder: Scaffolder;
  /** Durable scaffolder tasks: queue, cancel, retry, list, logs. */
  tasks: ScaffoldTasks;
  /**
   * Starts this process's share of running the queued tasks (none with CALLBOARD_SCAFFOLD_CONCURRENCY=0);
   * `close` stops it, handing running tasks back to the queue.
   */
  startTaskWorker(): TaskWorker | undefined;
  /** Import a location (with a catalog provider's reader, for its locations) and record who did it. */
  importLocation(target: string, actor: string, read?: LocationReader): Promise<ImportReport>;
  /** Forget a location and record who did it in the audit log. */
  removeLocation(target: string, actor: string): Promise<ImportResult>;
  audit: AuditLog;
  /** Rebuild the search index from every index source (it is derived state); returns how many documents. */
  reindex(): Promise<number>;
  /** The locations imported at start-up and what each import did. */
  imported: ImportReport[];
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Extra plugins (tests, third parties) registered after the core ones. */
  plugins?: Plugin[];
  /** Skip the catalog providers' start-up imports, such as the configured catalog (benchmarks load their own). */
  skipImport?: boolean;
  /** Handed GitHub discovery when it is configured (tests and benchmarks drive a refresh themselves). */
  onGitHubDiscovery?: (discovery: GitHubDiscovery) => void;
}

function importDetail(report: ImportReport): string {
  return (
    `${report.locationKey}: ${report.added.length} added, ${report.updated.length} updated, ` +
    `${report.removed.length} removed, ${count(report.problems.length, "problem")}`
  );
}

/**
 * The composition root: the only place that knows every service. It opens the database (applying
 * migrations), fills the in-memory graph from it, registers plugins, checks the search index against every
 * index source, and then runs the catalog providers' start-up imports (the configured catalog's).
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
      read: (target, previous) =>
        readLocation(target, {
          allowedHosts: config.CALLBOARD_READ_ALLOW,
          localRoots: config.CALLBOARD_LOCAL_ROOTS,
          maxFileBytes: config.CALLBOARD_MAX_FILE_BYTES,
          ...(previous ? { previous } : {}),
        }),
      log,
      replica: store.replica,
    });
    const follower = new ChangeFollower({
      catalog,
      store,
      pollSeconds: config.CALLBOARD_FOLLOW_SECONDS,
      ...(db.listen ? { listen: (onNotify: () => void) => db.listen!(CATALOG_CHANNEL, onNotify) } : {}),
      log,
    });
    // The index is derived state: rebuilt from its sources (the database's entities among them) whenever its
    // fingerprint says it is stale, then kept current by each source.
    search = await openSearchIndex({
      meilisearchUrl: config.MEILISEARCH_URL,
      meilisearchApiKey: config.MEILISEARCH_API_KEY,
      path: join(config.CALLBOARD_DATA_DIR, "search.db"),
    });
    const index = search;
    await catalog.load();

    const resolver = firstFound(new GraphNameResolver(graph), new SearchEntityResolver(index));
    // Entity pages and link previews exist only where Callboard serves HTTP; the terminal chat alone
    // would print links that lead nowhere.
    const serving =
      Boolean(config.CALLBOARD_BASE_URL) || enabledAdapters(config).some((module) => !module.fallback);
    const baseUrl = config.CALLBOARD_BASE_URL ?? `http://localhost:${config.PORT}`;
    const outbox = new AdapterOutbox();
    const registry = new Registry(log, {
      outbox,
      baseUrl,
      sections: config.sections,
      catalog: graphCatalogView({ graph, resolver: () => resolver }),
    });
    const githubConfig = githubSettings(config);
    const github = githubConfig ? new GitHubClient(githubConfig, { log }) : undefined;

    const audit = new AuditLog(db.prisma);
    // Seals what must be stored but never read back in clear: open forms' secret fields, running tasks' secrets.
    const secrets = config.CALLBOARD_SECRET_KEY
      ? SecretBox.fromText(config.CALLBOARD_SECRET_KEY)
      : SecretBox.fromKeyFile(join(config.CALLBOARD_DATA_DIR, "secret.key"));
    let worker: TaskWorker | undefined;
    const importLocation = async (target: string, actor: string, read?: LocationReader) => {
      const report = await catalog.importLocation(target, read);
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
    const dataDir = resolve(config.CALLBOARD_DATA_DIR);
    // A catalog file publish:github just pushed is read through GitHub's API, not as a web page; so is every
    // refresh of it.
    const githubReaderFor = (key: string) =>
      github ? githubFileReader(github, key, config.CALLBOARD_MAX_FILE_BYTES) : undefined;
    const scaffoldCatalog = scaffolderCatalog(catalog, (target) =>
      importLocation(target, "scaffolder", githubReaderFor(target)),
    );
    const scaffolder = new Scaffolder({
      catalog: scaffoldCatalog,
      actions: () => registry.actions,
      // Templates are code: by default only the example organisation's templates may run.
      trusted: new TrustedLocations(config.CALLBOARD_SCAFFOLD_TRUSTED ?? [EXAMPLES_DIR]),
      dataDir,
      stepTimeoutMs: config.CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS * 1000,
    });
    const taskStore = new PrismaTaskStore(db.prisma);
    const tasks = new ScaffoldTasks({
      store: taskStore,
      scaffolder,
      box: secrets,
      audit,
      admins: config.CALLBOARD_ADMINS,
      log,
      worker: {
        concurrency: config.CALLBOARD_SCAFFOLD_CONCURRENCY,
        heartbeatIntervalMs: config.CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS * 1000,
        heartbeatTimeoutMs: config.CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS * 1000,
      },
    });
    const providers = new CatalogProviders({
      providers: () => registry.catalogProviders.values(),
      importLocation,
      removeLocation,
      lastRead: (target) => catalog.lastRead(target),
      locations: () => catalog.locations(),
      log,
    });

    const docs = docsPlugin({
      catalog,
      search: index,
      dataDir,
      localRoots: config.CALLBOARD_LOCAL_ROOTS,
      // `url:` sources come from the configured GitHub: the commit's tarball, the folder unpacked once per
      // commit under the data folder.
      ...(github
        ? {
            fetchSource: {
              host: github.host,
              fetch: (url: string) =>
                fetchDocsTree(url, {
                  client: github,
                  cacheDir: join(dataDir, "docs-sources", "github"),
                  maxBytes: config.CALLBOARD_DOCS_URL_MAX_MB * 1024 * 1024,
                }),
            },
          }
        : {}),
      urlCheckSeconds: config.CALLBOARD_DOCS_URL_CHECK_SECONDS,
      ownerRef: canonicalOwnerRef,
      log,
    });
    const docSections = new SectionIndex(docs.library);
    await registry.use(
      catalogPlugin({
        catalog,
        providers,
        exampleCatalog: EXAMPLE_CATALOG,
        readerFor: githubReaderFor,
        follower,
        graph,
        resolver: () => resolver,
        ...(serving ? { catalogUrl: catalogUrlFor(baseUrl) } : {}),
      }),
      // The chat commands for repositories (prs, ci, repo, checks). Without GitHub settings they answer with
      // what to set: the README names them, and "I don't know the command prs" sent people looking for a typo.
      githubPlugin(),
      catalogLinksPlugin({ graph, baseUrl }),
      // After the catalog plugin, so its typo-tolerant pickers replace the catalog's prefix pickers.
      searchPlugin({
        index,
        describe: (ref) => graph.get(ref)?.metadata.title ?? undefined,
        ownerRef: canonicalOwnerRef,
        // Exact, where the index's facets count only its first matches.
        kinds: () => graph.kindCounts(),
      }),
      docs.plugin,
      // Pages, previews and suggestions read the built library; the site search box and the suggestions share
      // one index of its sections.
      docsWebPlugin({ library: docs.library, baseUrl, sections: docSections }),
      docSuggestionsPlugin({
        sections: docSections,
        store: new PrismaDocSuggestionStore(db.prisma),
        baseUrl,
      }),
      scaffoldPlugin({
        scaffolder,
        actions: { catalog: scaffoldCatalog, publishRoot: repositoriesRoot(dataDir) },
        ...(github ? { github } : {}),
        tasks,
        pickers: pickerCatalog(graph, () => registry.optionsProviders.get("entity")),
        ...(serving ? { entityUrl: catalogUrlFor(baseUrl) } : {}),
      }),
      // GitHub discovery, when credentials and the organisations to discover are configured.
      ...(github && config.GITHUB_CATALOG_ORGS.length > 0
        ? [
            githubCatalogPlugin({
              client: github,
              settings: discoverySettings(config),
              app: githubConfig?.app !== undefined,
              webhookSecret: config.GITHUB_WEBHOOK_SECRET,
              store: new PrismaProviderStateStore(db.prisma),
              ledger: new PrismaEventLedger(db.prisma),
              locations: () => catalog.locations(),
              entityLocation: async (text) => {
                const found = await resolver.resolve(text);
                return found.status === "found" ? catalog.locationOf(found.ref) : undefined;
              },
              isAdmin: (user) =>
                tasks.permissions.isAdmin({
                  id: `${user.surface}:${user.id}`,
                  ...(user.catalogRef ? { userRef: user.catalogRef } : {}),
                }),
              // A push re-checks at once the `url:` docs sources in that repository and ref (folder, when
              // GitHub listed the files), rather than at the next CALLBOARD_DOCS_URL_CHECK_SECONDS.
              onPush: (push) => {
                docs.service
                  .sourcesChanged((url) => pushTouchesDocs(push, url, github.webUrl))
                  .catch((error: unknown) => log.error({ err: error }, "docs did not follow a GitHub push"));
              },
              ...(options.onGitHubDiscovery ? { onDiscovery: options.onGitHubDiscovery } : {}),
            }),
          ]
        : []),
      approvalsPlugin({
        approvals: new PrismaApprovalStore(db.prisma),
        tasks: taskStore,
        entity: (ref) => graph.get(ref),
        groupsOf: (ref) => scaffolder.groupsOf(ref),
        audit,
        ...(config.CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL
          ? { defaultChannel: config.CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL }
          : {}),
        nudge: () => worker?.wake(),
        onTaskCancelled: (listener) => tasks.onCancelled(listener),
      }),
      ...(options.plugins ?? []),
    );
    const router = new Router(registry, log);
    const core = buildChatCore({ db, registry, router, secrets, log });
    // Every source is registered: check the index against them all before anything is imported, so the
    // start-up imports update a current index rather than a rebuild redoing them.
    const indexing = new SearchIndexing(index, () => registry.indexSources.values(), log);
    await indexing.start();
    const imported = options.skipImport ? [] : await providers.startUp();

    return {
      config,
      log,
      db,
      catalog,
      search: index,
      audit,
      importLocation,
      removeLocation,
      reindex: () => indexing.reindex(),
      registry,
      router,
      docs: { library: docs.library, service: docs.service },
      outbox,
      core,
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
        await docs.close();
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
