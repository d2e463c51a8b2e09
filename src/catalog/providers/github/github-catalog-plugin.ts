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
import type { RepoPush } from "./docs-tree.ts";
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
  /**
   * Told of each push a webhook delivers (once per delivery id), whatever discovery makes of it: the
   * composition root re-checks the `url:` docs sources it touches. Must not throw or wait.
   */
  onPush?: (push: RepoPush) => void;
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
          const outcome = await discovery.refresh(ctx.signal);
          if (outcome.resumeAfterMs !== undefined) resumeLater(outcome.resumeAfterMs, ctx.signal);
        },
      });
      // A pass a rate limit stopped resumes once GitHub's budget is back, not a whole interval later.
      let resumeTimer: NodeJS.Timeout | undefined;
      const resumeLater = (ms: number, signal: AbortSignal) => {
        if (resumeTimer || signal.aborted) return;
        const wait = Math.min(ms + 1000, 60 * 60 * 1000);
        api.log.info(`GitHub discovery resumes in ${Math.ceil(wait / 1000)} s, when the rate limit resets`);
        resumeTimer = setTimeout(() => {
          resumeTimer = undefined;
          if (signal.aborted) return;
          discovery.refresh(signal).then(
            (outcome) => {
              if (outcome.resumeAfterMs !== undefined) resumeLater(outcome.resumeAfterMs, signal);
            },
            (error: unknown) => api.log.error({ err: error }, "GitHub discovery failed"),
          );
        }, wait);
        resumeTimer.unref();
        signal.addEventListener("abort", () => clearTimeout(resumeTimer), { once: true });
      };
      if (deps.webhookSecret) {
        const events = new WebhookEvents({
          discovery,
          state,
          settings: deps.settings,
          log: api.log,
          ...(deps.onPush ? { onPush: deps.onPush } : {}),
        });
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
