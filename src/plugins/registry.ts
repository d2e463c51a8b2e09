import type { Logger } from "pino";
import type { CatalogProvider } from "../catalog/catalog-providers.ts";
import type { ScaffolderAction } from "../scaffold/actions/action.ts";
import type { IndexSource } from "../search/indexing.ts";
import type {
  ChatCommand,
  FormDefinition,
  HomeSection,
  LinkUnfurler,
  MessageListener,
  OptionsProvider,
  Plugin,
  PluginApi,
  SearchProvider,
  UserResolver,
} from "./api.ts";
import type { CatalogView } from "./catalog-view.ts";
import { ConfigError, readSettings } from "./config-section.ts";
import type { HttpRoute } from "./http.ts";
import type { Job, OwnedJob } from "./jobs.ts";
import type { Outbox } from "./outbox.ts";
import { RouteTable, type OwnedRoute } from "./route-table.ts";

export type ContributionKind =
  | "command"
  | "form"
  | "options"
  | "search"
  | "unfurler"
  | "message-listener"
  | "user-resolver"
  | "home-section"
  | "route"
  | "job"
  | "index-source"
  | "catalog-provider"
  | "action";

/** One thing a plugin contributed: what kind, its id (a route's is "GET /path"), and which plugin. */
export interface Contribution {
  kind: ContributionKind;
  id: string;
  plugin: string;
}

/** What the composition root gives every plugin through the registry. */
export interface RegistryContext {
  outbox?: Outbox;
  /** Public URL of the HTTP server (a trailing slash is dropped). */
  baseUrl?: string;
  /**
   * Every configuration section's parsed values, by section id (Config.sections). Absent (a test's registry),
   * a plugin's section is read from its defaults alone.
   */
  sections?: ReadonlyMap<string, Record<string, unknown>>;
  /** The catalog's read view; absent (a test's registry), plugins see an empty catalog. */
  catalog?: CatalogView;
}

/** Until an adapter is attached: posting fails with a message that says why. */
const NO_OUTBOX: Outbox = {
  post: () => Promise.reject(new Error("No chat adapter is running, so nothing can be posted.")),
  update: () => Promise.reject(new Error("No chat adapter is running, so nothing can be updated.")),
};

/** A catalog with nothing in it, for registries built without one. */
export const EMPTY_CATALOG: CatalogView = {
  size: 0,
  get: () => undefined,
  lookup: async (query) => ({
    reply: {
      text: `Nothing in the catalog is called "${query.trim()}".`,
      blocks: [{ type: "section", text: "The catalog is empty: nothing has been imported." }],
    },
  }),
  answerFor: (_lookup, answer) => answer,
  list: () => ({ entries: [], total: 0 }),
};

/** Names the core in contributions that no plugin made (the router's built-in help). */
export const CORE = "core";

/**
 * What every plugin contributed, and which plugin contributed what. Later registrations of the same command
 * name or provider id replace earlier ones, so a plugin can deliberately improve on a core one (search's
 * typo-tolerant pickers replace the catalog's prefix pickers); scaffolder actions likewise. Routes, jobs,
 * index sources and catalog providers have one owner each: a second one with an overlapping path or the same
 * id stops start-up, naming both plugins.
 */
export class Registry {
  readonly commands = new Map<string, ChatCommand>();
  readonly forms = new Map<string, FormDefinition>();
  readonly optionsProviders = new Map<string, OptionsProvider>();
  readonly searchProviders = new Map<string, SearchProvider>();
  readonly unfurlers = new Map<string, LinkUnfurler>();
  readonly messageListeners = new Map<string, MessageListener>();
  readonly homeSections = new Map<string, HomeSection>();
  readonly userResolvers: UserResolver[] = [];
  readonly routes: HttpRoute[] = [];
  readonly indexSources = new Map<string, IndexSource>();
  readonly catalogProviders = new Map<string, CatalogProvider>();
  /** Scaffolder actions by id; a later one with the same id replaces the earlier. */
  readonly actions = new Map<string, ScaffolderAction>();
  /** Every contribution in the order it was made. */
  readonly contributions: Contribution[] = [];
  private readonly jobList: OwnedJob[] = [];
  private readonly routeTable = new RouteTable();
  private readonly outbox: Outbox;
  private readonly baseUrl: string;

  constructor(
    readonly log: Logger,
    private readonly context: RegistryContext = {},
  ) {
    this.outbox = context.outbox ?? NO_OUTBOX;
    this.baseUrl = (context.baseUrl ?? "http://localhost:3000").replace(/\/+$/, "");
  }

  async use(...plugins: Plugin[]): Promise<void> {
    for (const plugin of plugins) {
      await plugin.register(this.apiFor(plugin));
      this.log.debug({ plugin: plugin.id }, "plugin registered");
    }
  }

  /** The plugin that made the latest contribution of this kind and id ("route": "GET /catalog/*"). */
  contributorOf(kind: ContributionKind, id: string): string | undefined {
    return this.contributions.findLast((c) => c.kind === kind && c.id === id)?.plugin;
  }

  /** Routes with their plugins, for the HTTP server's conflict check. */
  get ownedRoutes(): OwnedRoute[] {
    return this.routes.map((route) => ({
      route,
      owner: `plugin ${this.contributorOf("route", routeId(route)) ?? CORE}`,
    }));
  }

  /** Jobs with their plugins, for the composition root to start once serving. */
  get jobs(): readonly OwnedJob[] {
    return this.jobList;
  }

  /** The router's own commands (help) are the core's; plugins add theirs through their api. */
  addCommand(command: ChatCommand, plugin = CORE): void {
    for (const phrase of command.phrases) {
      if (phrase !== phrase.toLowerCase().trim()) {
        throw new Error(`Command "${command.name}": phrase "${phrase}" must be lower-case and trimmed.`);
      }
    }
    this.commands.set(command.name, command);
    this.record("command", command.name, plugin);
  }

  private apiFor(plugin: Plugin): PluginApi {
    const by = plugin.id;
    return {
      log: this.log.child({ plugin: by }),
      outbox: this.outbox,
      baseUrl: this.baseUrl,
      config: this.configFor(plugin),
      catalog: this.context.catalog ?? EMPTY_CATALOG,
      addCommand: (command) => this.addCommand(command, by),
      addForm: (form) => {
        this.forms.set(form.id, form);
        this.record("form", form.id, by);
      },
      addOptionsProvider: (provider) => {
        this.optionsProviders.set(provider.id, provider);
        this.record("options", provider.id, by);
      },
      addSearchProvider: (provider) => {
        this.searchProviders.set(provider.id, provider);
        this.record("search", provider.id, by);
      },
      addLinkUnfurler: (unfurler) => {
        this.unfurlers.set(unfurler.id, unfurler);
        this.record("unfurler", unfurler.id, by);
      },
      addMessageListener: (listener) => {
        this.messageListeners.set(listener.id, listener);
        this.record("message-listener", listener.id, by);
      },
      addUserResolver: (resolver) => {
        this.userResolvers.push(resolver);
        this.record("user-resolver", String(this.userResolvers.length), by);
      },
      addHomeSection: (section) => {
        this.homeSections.set(section.id, section);
        this.record("home-section", section.id, by);
      },
      addHttpRoute: (route) => {
        this.routeTable.add({ route, owner: `plugin ${by}` });
        this.routes.push(route);
        this.record("route", routeId(route), by);
      },
      addJob: (job: Job) => {
        this.once("job", job.id, by);
        this.jobList.push({ job, owner: by });
      },
      addIndexSource: (source) => {
        this.once("index-source", source.id, by);
        this.indexSources.set(source.id, source);
      },
      addCatalogProvider: (provider) => {
        this.once("catalog-provider", provider.id, by);
        this.catalogProviders.set(provider.id, provider);
      },
      addAction: (action) => {
        this.actions.set(action.id, action);
        this.record("action", action.id, by);
      },
    };
  }

  private record(kind: ContributionKind, id: string, plugin: string): void {
    this.contributions.push({ kind, id, plugin });
  }

  /** Record a contribution that may have only one owner. */
  private once(kind: ContributionKind, id: string, plugin: string): void {
    const earlier = this.contributorOf(kind, id);
    if (earlier !== undefined) {
      throw new Error(
        `Plugins ${earlier} and ${plugin} both register a ${kind.replace("-", " ")} "${id}"; ids are unique.`,
      );
    }
    this.record(kind, id, plugin);
  }

  private configFor(plugin: Plugin): Record<string, unknown> {
    const section = plugin.config;
    if (!section) return {};
    if (section.id !== plugin.id) {
      throw new Error(
        `Plugin ${plugin.id}: its configuration section is called "${section.id}"; name it "${plugin.id}", so its callboard.yaml keys sit under the plugin's id.`,
      );
    }
    if (!this.context.sections) return readSettings([section], {}).sections.get(section.id)!;
    const values = this.context.sections.get(section.id);
    if (!values) {
      throw new ConfigError(
        `Plugin ${plugin.id} has settings (section "${section.id}") that were not read at start-up: list the section where the configuration is loaded (loadConfig's sections).`,
      );
    }
    return values;
  }
}

function routeId(route: HttpRoute): string {
  return `${route.method} ${route.path}`;
}
