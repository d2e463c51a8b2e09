import type { Logger } from "pino";
import type {
  ChatCommand,
  FormDefinition,
  HomeSection,
  HttpRoute,
  LinkUnfurler,
  OptionsProvider,
  Plugin,
  PluginApi,
  SearchProvider,
  UserResolver,
} from "../plugins/api.ts";
import type { ScaffolderAction } from "../scaffold/actions/action.ts";

/**
 * What every plugin contributed. Later registrations of the same command name or provider id replace
 * earlier ones, so a plugin can deliberately improve on a core one (search's typo-tolerant pickers
 * replace the catalog's prefix pickers).
 */
export class Registry implements PluginApi {
  readonly commands = new Map<string, ChatCommand>();
  readonly forms = new Map<string, FormDefinition>();
  readonly optionsProviders = new Map<string, OptionsProvider>();
  readonly searchProviders = new Map<string, SearchProvider>();
  readonly unfurlers = new Map<string, LinkUnfurler>();
  readonly homeSections = new Map<string, HomeSection>();
  readonly userResolvers: UserResolver[] = [];
  readonly routes: HttpRoute[] = [];
  readonly actions = new Map<string, ScaffolderAction>();

  constructor(readonly log: Logger) {}

  async use(...plugins: Plugin[]): Promise<void> {
    for (const plugin of plugins) {
      await plugin.register(this);
      this.log.debug({ plugin: plugin.id }, "plugin registered");
    }
  }

  addCommand(command: ChatCommand): void {
    for (const phrase of command.phrases) {
      if (phrase !== phrase.toLowerCase().trim()) {
        throw new Error(`Command "${command.name}": phrase "${phrase}" must be lower-case and trimmed.`);
      }
    }
    this.commands.set(command.name, command);
  }
  addForm(form: FormDefinition): void {
    this.forms.set(form.id, form);
  }
  addOptionsProvider(provider: OptionsProvider): void {
    this.optionsProviders.set(provider.id, provider);
  }
  addSearchProvider(provider: SearchProvider): void {
    this.searchProviders.set(provider.id, provider);
  }
  addLinkUnfurler(unfurler: LinkUnfurler): void {
    this.unfurlers.set(unfurler.id, unfurler);
  }
  addUserResolver(resolver: UserResolver): void {
    this.userResolvers.push(resolver);
  }
  addHomeSection(section: HomeSection): void {
    this.homeSections.set(section.id, section);
  }
  addHttpRoute(route: HttpRoute): void {
    this.routes.push(route);
  }
  addAction(action: ScaffolderAction): void {
    this.actions.set(action.id, action);
  }
}
