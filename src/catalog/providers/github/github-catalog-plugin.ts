/**
 * GitHub catalog discovery as a plugin on the public plugin API: a catalog provider (through which the catalog
 * hands it the audited imports), the scheduled full refresh as a job, the webhook route, and the location
 * commands. The composition root adds it when GitHub credentials and GITHUB_CATALOG_ORGS are configured.
 */
import type { GitHubClient } from "../../../github/github-client.ts";
import type { ChatUser, Plugin } from "../../../plugins/api.ts";
import type { EventLedger, ProviderStateStore } from "../../../state/ports.ts";
import type { CatalogImports } from "../../catalog-providers.ts";
import { locationCommands, type LocationCommandsDeps } from "./catalog-commands.ts";
import type { DiscoverySettings } from "./discovery-settings.ts";
import { DiscoveryState } from "./discovery-state.ts";
import { GitHubDiscovery } from "./discovery.ts";
import { GITHUB_PROVIDER_ID } from "./locations.ts";
import { WebhookEvents } from "./webhook-events.ts";
import { WEBHOOK_PATH, webhookRoute } from "./webhook-route.ts";

export interface GitHubCatalogDeps {
  client: GitHubClient;
  settings: DiscoverySettings;
  /** Whether the credentials are a GitHub App's. */
  app: boolean;
  webhookSecret?: string | undefined;
  store: ProviderStateStore;
  ledger: EventLedger;
  locations: LocationCommandsDeps["locations"];
  entityLocation(text: string): Promise<string | undefined>;
  isAdmin(user: ChatUser): boolean;
  /** Handed the discovery once registered (tests and benchmarks drive it directly). */
  onDiscovery?(discovery: GitHubDiscovery): void;
}

export function githubCatalogPlugin(deps: GitHubCatalogDeps): Plugin {
  return {
    id: "github-catalog",
    register(api) {
      let attach!: (imports: CatalogImports) => void;
      const attached = new Promise<CatalogImports>((resolve) => (attach = resolve));
      const imports = () => attached;
      const state = new DiscoveryState(deps.store, deps.client.host);
      const discovery = new GitHubDiscovery({
        client: deps.client,
        settings: deps.settings,
        state,
        imports,
        app: deps.app,
        log: api.log,
      });
      deps.onDiscovery?.(discovery);
      // The catalog runs providers' imports (audited, as `provider:github`); discovery keeps its own schedule.
      api.addCatalogProvider({
        id: GITHUB_PROVIDER_ID,
        refreshSeconds: 0,
        locations: () => [],
        attach,
      });
      api.addJob({
        id: "github-discovery",
        intervalSeconds: deps.settings.refreshSeconds,
        runAtStart: true,
        run: async (ctx) => {
          await discovery.refresh(ctx.signal);
        },
      });
      if (deps.webhookSecret) {
        const events = new WebhookEvents({ discovery, state, settings: deps.settings, log: api.log });
        api.addHttpRoute(
          webhookRoute({ secret: deps.webhookSecret, ledger: deps.ledger, events, log: api.log }),
        );
      } else {
        api.log.warn(
          `GITHUB_WEBHOOK_SECRET is not set: ${WEBHOOK_PATH} is not served, and the catalog follows GitHub only at each full refresh (every ${deps.settings.refreshSeconds} s).`,
        );
      }
      for (const command of locationCommands({
        discovery,
        state,
        settings: deps.settings,
        webOrigin: deps.client.webUrl,
        imports,
        locations: deps.locations,
        entityLocation: deps.entityLocation,
        isAdmin: deps.isAdmin,
      })) {
        api.addCommand(command);
      }
    },
  };
}
