/**
 * The plugin API: everything a capability contributes to Callboard goes through here.
 * Catalog, search, scaffolder and docs register themselves with it just as third-party plugins do.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { FieldErrors, Form, FormValues, Option } from "../message/form.ts";
import type { Reply } from "../message/reply.ts";
import type { ScaffolderAction } from "../scaffold/actions/action.ts";
import type { Address } from "./outbox.ts";

export type { Address, MessageRef, Outbox } from "./outbox.ts";

export type Surface = "shell" | "slack" | "teams";

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
  /** Validate one page; return no keys when it is fine. */
  validate(form: Form, pageIndex: number, values: FormValues): FieldErrors | Promise<FieldErrors>;
  submit(form: Form, values: FormValues, ctx: CommandContext): Reply | Promise<Reply>;
}

/** Type-ahead options for entity and owner pickers (Slack external_select, Teams typeahead). */
export interface OptionsProvider {
  /** "entity" or "owner", or a plugin's own picker id. */
  id: string;
  options(query: string, filter: { kinds?: string[] }, user: ChatUser): Promise<Option[]>;
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

/** Maps a chat user to a catalog User entity ref. */
export interface UserResolver {
  resolve(user: ChatUser): Promise<string | undefined>;
}

/** A section of a person's home view (Slack App Home). */
export interface HomeSection {
  id: string;
  render(user: ChatUser): Promise<Reply | undefined>;
}

export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Exact path, or a prefix ending in "/*". */
  path: string;
  handler(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface PluginApi {
  log: Logger;
  addCommand(command: ChatCommand): void;
  addForm(form: FormDefinition): void;
  addOptionsProvider(provider: OptionsProvider): void;
  addSearchProvider(provider: SearchProvider): void;
  addLinkUnfurler(unfurler: LinkUnfurler): void;
  addUserResolver(resolver: UserResolver): void;
  addHomeSection(section: HomeSection): void;
  addHttpRoute(route: HttpRoute): void;
  /** A scaffolder action templates can use in their steps (a later one with the same id replaces it). */
  addAction(action: ScaffolderAction): void;
}

export interface Plugin {
  id: string;
  register(api: PluginApi): void | Promise<void>;
}
