/**
 * The plugin API: everything a capability contributes to Callboard goes through here.
 * Catalog, search, scaffolder and docs register themselves with it just as third-party plugins do.
 */
import type { Logger } from "pino";
import type { z } from "zod";
import type { CatalogProvider } from "../catalog/catalog-providers.ts";
import type {
  EntityPickerOptions,
  FieldErrors,
  Form,
  FormPage,
  FormValues,
  Option,
} from "../message/form.ts";
import type { Reply } from "../message/reply.ts";
import type { ScaffolderAction } from "../scaffold/actions/action.ts";
import type { IndexSource } from "../search/indexing.ts";
import type { CatalogView } from "./catalog-view.ts";
import type { ConfigSection } from "./config-section.ts";
import type { HttpRoute } from "./http.ts";
import type { Job } from "./jobs.ts";
import type { Address, Outbox } from "./outbox.ts";

export type { Address, MessageRef, Outbox } from "./outbox.ts";
export type {
  CatalogEntry,
  CatalogFilter,
  CatalogListing,
  CatalogLookup,
  CatalogLookupOptions,
  CatalogView,
  DeepReadonly,
} from "./catalog-view.ts";
export type { Entity, EntityLink, EntityMetadata } from "../catalog/model/entity.ts";
// The neutral reply every command answers with, and its builders: a plugin needs nothing else to answer.
export type { Action, Block, Field, Link, Reply } from "../message/reply.ts";
export {
  actions,
  context,
  divider,
  escapeText,
  fields,
  header,
  links,
  reply,
  section,
  webUrl,
} from "../message/reply.ts";
export type { FieldErrors, Form, FormField, FormPage, FormValues, Option } from "../message/form.ts";
export type { ConfigSection, SectionValues } from "./config-section.ts";
export { defineConfigSection } from "./config-section.ts";
export type { HttpMethod, HttpRoute, RouteContext } from "./http.ts";
export { HttpError, readRawBody } from "./http.ts";
export type { IntervalJob, Job, JobContext, LongJob } from "./jobs.ts";
export type { IndexSource, IndexUpdates } from "../search/indexing.ts";
export type { IndexChange, SearchDocument, StagedIndexWrite } from "../search/search-index.ts";
export type {
  CatalogImports,
  CatalogProvider,
  CatalogProviderContext,
  ProvidedLocation,
} from "../catalog/catalog-providers.ts";

/** The chat adapter a person or conversation is on, by its name ("slack", "teams", "shell"), or "cli". */
export type Surface = string;

/** Who is speaking. Adapters fill in what the platform tells them; `catalogRef` is resolved by Callboard. */
export interface ChatUser {
  surface: Surface;
  /** The platform's own id (Slack user id, Teams AAD object id, the shell's OS user). */
  id: string;
  name?: string;
  email?: string;
  /** Canonical catalog ref of the matching User entity, when one is known. */
  catalogRef?: string;
}

/** Where the conversation happens, so answers and progress go back to the same place. */
export interface Conversation {
  surface: Surface;
  channelId?: string;
  threadId?: string;
  /** Where a message into this conversation goes later, through the outbox (durable; keep it as it is). */
  address?: Address;
}

export interface CommandContext {
  /** Everything the person typed after the command's phrase, trimmed. */
  args: string;
  /** `--name value` and `--flag` options pulled out of the text. */
  flags: Record<string, string | true>;
  /** The whole line as typed (mention removed). */
  text: string;
  user: ChatUser;
  conversation: Conversation;
  log: Logger;
}

export interface ChatCommand {
  /** The canonical name shown in help, e.g. "who-owns". */
  name: string;
  /** Phrases that start this command, lower-case, e.g. ["who owns", "owner of", "whoowns"]. Longest wins. */
  phrases: string[];
  summary: string;
  usage: string;
  /** Example lines shown in help. */
  examples?: string[];
  handler(ctx: CommandContext): Reply | Promise<Reply>;
}

/** A form a surface can open; pages are validated one at a time and submitted at the end. */
export interface FormDefinition {
  id: string;
  /** Build the form a person sees (may depend on who asks or on `args` from the command that opened it). */
  open(ctx: CommandContext): Form | Promise<Form>;
  /**
   * Validate one page; return no keys when it is fine. `values` holds everything typed so far, this page's
   * answers included (a page's rules may depend on earlier pages); report errors for this page's fields.
   */
  validate(form: Form, pageIndex: number, values: FormValues): FieldErrors | Promise<FieldErrors>;
  /**
   * Page `pageIndex` as it should show now, built from the values typed so far (a review page before Submit);
   * undefined shows the page as the form has it. Secret fields' values are never given.
   */
  page?(form: Form, pageIndex: number, values: FormValues): FormPage | undefined;
  submit(form: Form, values: FormValues, ctx: CommandContext): Reply | Promise<Reply>;
}

/** What a picker asks its options provider for: the kinds it offers, and the field's picker options. */
export interface OptionsFilter {
  kinds?: string[];
  /** The form field's `picker` (catalogFilter, defaultKind, scope…), when a form field asks. */
  picker?: EntityPickerOptions;
}

/** Type-ahead options for entity and owner pickers (Slack external_select, Teams typeahead). */
export interface OptionsProvider {
  /** "entity" or "owner", or a plugin's own picker id (a form field names it in `optionsProvider`). */
  id: string;
  /** `user` has its `catalogRef` filled in where Callboard knows the person. */
  options(query: string, filter: OptionsFilter, user: ChatUser): Promise<Option[]>;
}

/** A quick result for compose-box search (Teams message extension, Slack search-as-you-type). */
export interface SearchHit {
  title: string;
  subtitle?: string;
  text?: string;
  url?: string;
  /** The command that shows this hit in full, e.g. "show component:default/payments-api". */
  command?: string;
}

export interface SearchProvider {
  id: string;
  search(query: string, limit: number, user: ChatUser): Promise<SearchHit[]>;
}

/** Turns a pasted Callboard link into a preview (Slack chat.unfurl, Teams queryLink). */
export interface LinkUnfurler {
  id: string;
  unfurl(url: URL): Promise<Reply | undefined>;
}

/**
 * A message in a shared conversation that was not addressed to Callboard (no mention, no command): what people
 * say to each other in a channel where Callboard is present. Adapters pass on only people's messages, never a
 * bot's, and only where their platform lets Callboard read the channel.
 */
export interface OverheardMessage {
  text: string;
  user: ChatUser;
  /** The channel, and `threadId`: the thread an answer would go into (the message's own when it starts one). */
  conversation: Conversation & { channelId: string; threadId: string };
}

/** Reads channel messages not addressed to Callboard, and may answer one in its thread (doc suggestions). */
export interface MessageListener {
  id: string;
  /** An answer for the message's thread, or undefined to stay quiet (the usual case). */
  overheard(message: OverheardMessage): Promise<Reply | undefined>;
}

/** Maps a chat user to a catalog User entity ref. */
export interface UserResolver {
  resolve(user: ChatUser): Promise<string | undefined>;
}

/** A section of a person's home view (Slack App Home). */
export interface HomeSection {
  id: string;
  render(user: ChatUser): Promise<Reply | undefined>;
}

/**
 * What a plugin gets when it registers: ways to contribute, and what it may use. `config` holds the plugin's
 * own settings section (Plugin.config), parsed and typed; a plugin without one gets an empty object.
 */
export interface PluginApi<Config = Record<string, unknown>> {
  /** The plugin's logger (lines carry its id). */
  log: Logger;
  /** Post into a conversation later, and update that post (Conversation.address, a job's progress). */
  outbox: Outbox;
  /** Public URL of the HTTP server, without a trailing slash: links in answers point under it. */
  baseUrl: string;
  config: Config;
  /** The catalog, read-only: entities by ref, names resolved as the catalog's commands resolve them, lists. */
  catalog: CatalogView;
  addCommand(command: ChatCommand): void;
  addForm(form: FormDefinition): void;
  addOptionsProvider(provider: OptionsProvider): void;
  addSearchProvider(provider: SearchProvider): void;
  addLinkUnfurler(unfurler: LinkUnfurler): void;
  /** Hear channel messages not addressed to Callboard; the first listener that answers is the one posted. */
  addMessageListener(listener: MessageListener): void;
  addUserResolver(resolver: UserResolver): void;
  addHomeSection(section: HomeSection): void;
  /** A route on the one HTTP server; one that overlaps another plugin's stops start-up naming both. */
  addHttpRoute(route: HttpRoute): void;
  /** Work in the background once Callboard serves; stopped (its signal aborted, awaited) at shutdown. */
  addJob(job: Job): void;
  /** Documents for the one search index, and its part of the index's fingerprint. */
  addIndexSource(source: IndexSource): void;
  /** A source of catalog locations other than files and URLs (GitHub), refreshed on its own schedule. */
  addCatalogProvider(provider: CatalogProvider): void;
  /** A scaffolder action templates can use in their steps (a later one with the same id replaces it). */
  addAction(action: ScaffolderAction): void;
}

export interface Plugin<Schema extends z.ZodObject = z.ZodObject> {
  id: string;
  /**
   * The plugin's settings: environment variables, and callboard.yaml keys under the section's id. They are
   * read with every other section at start-up (a bad value stops it naming the key) and given to `register`
   * as `api.config`. Declare it with defineConfigSection, and the plugin with definePlugin, to keep the types.
   */
  config?: ConfigSection<Schema>;
  register(api: PluginApi<z.output<Schema>>): void | Promise<void>;
}

/** Declare a plugin so that `api.config` is typed from its configuration section's schema. */
export function definePlugin<Schema extends z.ZodObject>(plugin: Plugin<Schema>): Plugin<Schema> {
  return plugin;
}
