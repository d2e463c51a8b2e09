/**
 * The catalog as a plugin: its chat commands, its settings section, the configured catalog as the built-in
 * catalog provider, the job that refreshes every provider, and its entities as an index source. It registers
 * through the plugin API exactly as a third-party plugin would.
 */
import { definePlugin, type Plugin } from "../plugins/api.ts";
import { catalogSettings } from "./catalog-config.ts";
import { configuredCatalog, type CatalogProviders } from "./catalog-providers.ts";
import type { CatalogService, LocationReader } from "./catalog-service.ts";
import { catalogCommandsPlugin, type CatalogCommandsOptions } from "./commands/catalog-plugin.ts";
import type { ChangeFollower } from "./replicas/follow-changes.ts";
import { catalogIndexSource } from "./search-source.ts";

export interface CatalogPluginDeps extends CatalogCommandsOptions {
  catalog: CatalogService;
  /** Runs the providers every plugin registers (this one's included). */
  providers: CatalogProviders;
  /** Imported at start when nothing is configured and nothing is stored yet. */
  exampleCatalog: string;
  /** Keeps this replica's memory in step with the others' writes (see replicas/). */
  follower?: ChangeFollower;
  /** How to read a stored URL location a plain read cannot (a GitHub file page); see configuredCatalog. */
  readerFor?: (key: string) => LocationReader | undefined;
}

export function catalogPlugin(deps: CatalogPluginDeps): Plugin<typeof catalogSettings.schema> {
  return definePlugin({
    id: "catalog",
    config: catalogSettings,
    async register(api) {
      await catalogCommandsPlugin(deps).register(api);
      api.addCatalogProvider(
        configuredCatalog({
          target: api.config.CALLBOARD_CATALOG,
          example: deps.exampleCatalog,
          refreshSeconds: api.config.CALLBOARD_REFRESH_SECONDS,
          locations: () => deps.catalog.locations(),
          ...(deps.readerFor ? { readerFor: deps.readerFor } : {}),
        }),
      );
      api.addJob(deps.providers.job());
      if (deps.follower) api.addJob(deps.follower.job());
      api.addIndexSource(catalogIndexSource(deps.catalog));
    },
  });
}
