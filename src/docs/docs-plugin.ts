/**
 * TechDocs as a plugin: built sites loaded at registration (so search and pages answer from the last build
 * at once), a job that builds what changed at start and then every CALLBOARD_DOCS_REFRESH_SECONDS, catalog
 * changes followed as they are stored, doc sections as an index source, and the `docs` commands. The
 * library it returns is what the serving half (pages, unfurls, suggestions) reads.
 */
import type { Logger } from "pino";
import { join } from "node:path";
import type { CatalogService } from "../catalog/catalog-service.ts";
import type { CatalogGraph } from "../catalog/graph/catalog-graph.ts";
import { definePlugin, type Plugin } from "../plugins/api.ts";
import type { SearchIndex } from "../search/search-index.ts";
import { docsCommand, docsRebuildCommand } from "./docs-commands.ts";
import { docsSettings } from "./docs-config.ts";
import { MemoryDocsLibrary } from "./docs-library.ts";
import { docsIndexSource, type DocsIndexSource } from "./docs-search-source.ts";
import { DocsService, type DocsCatalog, type DocsEntity, type DocsSourceFetcher } from "./docs-service.ts";
import { DocsStore } from "./docs-store.ts";
import { BuildPool } from "./site/build-pool.ts";

export interface DocsPluginDeps {
  catalog: CatalogService;
  search: SearchIndex;
  dataDir: string;
  localRoots: string[];
  /** Fetches `url:` sources; the composition root hands it in when GitHub is configured. */
  fetchSource?: DocsSourceFetcher;
  /** See CALLBOARD_DOCS_URL_CHECK_SECONDS. */
  urlCheckSeconds?: number;
  ownerRef?: (typed: string) => string;
  log?: Logger;
}

export interface DocsPlugin {
  plugin: Plugin<typeof docsSettings.schema>;
  library: MemoryDocsLibrary;
  service: DocsService;
  /** Finish builds and index writes under way; call before the search index and database close. */
  close(): Promise<void>;
}

/** The catalog as the docs read it: entities with where their descriptor was read and their owner. */
export function graphDocsCatalog(graph: CatalogGraph): DocsCatalog {
  const item = (ref: string): DocsEntity | undefined => {
    const entity = graph.get(ref);
    if (!entity) return undefined;
    const location = graph.source(ref)?.location;
    const owner = graph.owners(ref)[0];
    return { ref, entity, ...(location ? { location } : {}), ...(owner ? { owner } : {}) };
  };
  return {
    *entities() {
      for (const { ref } of graph.entities()) {
        const found = item(ref);
        if (found) yield found;
      }
    },
    get: (ref) => item(ref.toLowerCase()),
    byName: (name) => graph.byName(name),
  };
}

export function docsPlugin(deps: DocsPluginDeps): DocsPlugin {
  const store = new DocsStore(join(deps.dataDir, "docs"), deps.log);
  const library = new MemoryDocsLibrary(store);
  const catalog = graphDocsCatalog(deps.catalog.graph);
  const service = new DocsService({
    library,
    store,
    catalog,
    localRoots: deps.localRoots,
    ...(deps.fetchSource ? { fetchSource: deps.fetchSource } : {}),
    ...(deps.urlCheckSeconds !== undefined ? { urlCheckSeconds: deps.urlCheckSeconds } : {}),
    pool: new BuildPool(),
    ...(deps.log ? { log: deps.log } : {}),
  });
  let source: DocsIndexSource | undefined;
  const plugin = definePlugin({
    id: "docs",
    config: docsSettings,
    async register(api) {
      const loaded = await service.load();
      api.log.debug({ sites: loaded }, "stored docs loaded");
      const commands = {
        library,
        service,
        catalog,
        search: deps.search,
        baseUrl: api.baseUrl,
        ...(deps.ownerRef ? { ownerRef: deps.ownerRef } : {}),
      };
      api.addCommand(docsCommand(commands));
      api.addCommand(docsRebuildCommand(commands));
      source = docsIndexSource(library, api.baseUrl, api.log);
      api.addIndexSource(source);
      deps.catalog.onChange((change) => {
        void service
          .changed(
            change.upserted.map((u) => u.ref),
            change.removed,
          )
          .catch((error: unknown) => api.log.error({ err: error }, "docs did not follow a catalog change"));
      });
      api.addJob({
        id: "docs-sync",
        intervalSeconds: api.config.CALLBOARD_DOCS_REFRESH_SECONDS,
        runAtStart: true,
        async run(ctx) {
          const summary = await service.syncAll(ctx.signal);
          if (summary.built + summary.problems + summary.removed > 0) ctx.log.info(summary, "docs synced");
        },
      });
    },
  });
  const close = async () => {
    await service.close();
    await source?.flush();
  };
  return { plugin, library, service, close };
}
