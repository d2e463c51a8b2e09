import type { Logger } from "pino";
import type { z } from "zod";
import type { Reply } from "../../message/reply.ts";
import type { HttpRoute } from "../../plugins/api.ts";
import type { ConfigSection } from "../../plugins/config-section.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import type { ConversationStore, EventLedger } from "../../state/ports.ts";
import type { ChatCore } from "./chat-core.ts";

/**
 * The adapter contract: one per chat platform (Slack, Teams, the terminal). An adapter turns what its platform
 * sends into the core's neutral input (a typed line, a pressed button's payload, a submitted form page), renders
 * what the core answers (a Reply, a Form page, an update of an earlier message) within its platform's limits,
 * and keeps its platform's rules (signatures, retries, pacing). It keeps no behaviour of its own beyond those.
 */
export interface AdapterCapabilities {
  /** Can show an answer to one person inside a shared conversation. */
  ephemeral: boolean;
  /** Opens forms as dialogs (Slack modals, Teams dialogs) rather than asking in the conversation. */
  modals: boolean;
  /** Can edit a message it posted. */
  updateInPlace: boolean;
  /** Answers inside a thread or reply chain. */
  threads: boolean;
}

export interface Adapter {
  /** The name addresses carry (Address.adapter), and logs show. */
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  /** Endpoints the platform calls on the one HTTP server (none for the terminal, or Slack's Socket Mode). */
  readonly routes: HttpRoute[];
  /** Start receiving (a socket, a terminal). Routes are served by the HTTP server whether or not this runs. */
  start(): Promise<void>;
  /** Stop taking input; resolves when the answers already under way are delivered. */
  stop(): Promise<void>;
  /** Set for an adapter whose session ends the process when it ends (the terminal at end of input). */
  readonly finished?: Promise<void>;
  /** Post `reply` at `address` (the outbox's post). */
  post(address: Address, reply: Reply): Promise<MessageRef>;
  /** Replace an earlier post (the outbox's update); posts a follow-up where the platform cannot edit. */
  update(ref: MessageRef, reply: Reply): Promise<MessageRef>;
}

/** What the composition root gives every adapter it creates. */
export interface AdapterServices {
  core: ChatCore;
  ledger: EventLedger;
  conversations: ConversationStore;
  log: Logger;
  /** Public URL of the HTTP server, for links. */
  baseUrl: string;
  production: boolean;
}

/**
 * How the composition root knows an adapter without naming it: its settings (a configuration section, under
 * callboard.yaml's `<name>:`), whether they say to run it, and how to create it. src/bot/adapters.ts lists them.
 */
export interface AdapterModule<Schema extends z.ZodObject = z.ZodObject> {
  /** The adapter's name, as in its addresses. */
  name: string;
  /** How people call the platform ("Slack", "Microsoft Teams", "the terminal"). */
  label: string;
  settings: ConfigSection<Schema>;
  /** Whether these settings ask for this adapter (its credentials are set). */
  enabled(values: z.output<Schema>): boolean;
  /** Runs only when no other adapter is enabled: the terminal chat. */
  fallback?: boolean;
  /** Takes the process's terminal for the conversation; logs then go to a file. */
  usesTerminal?: boolean;
  /** Reached from the internet, so its answers' links and link previews need CALLBOARD_BASE_URL. */
  public?: boolean;
  /** What to set to turn it on, for the terminal's start-up note ("set SLACK_BOT_TOKEN and ..."). */
  howToEnable?: string;
  /** One line for the "serving" log: where it listens ("Slack at /slack/events"). */
  describe(values: z.output<Schema>): string;
  create(values: z.output<Schema>, services: AdapterServices, context: AdapterContext): Adapter;
}

/** What only the composition root knows at start-up, for an adapter that shows it (the terminal's banner). */
export interface AdapterContext {
  /** Start-up notes for a person: what was imported, how many entities, how to connect a chat platform. */
  notes: string[];
}

/** Keeps a module's settings typed where it is written, and lets the list hold modules of any settings. */
export function defineAdapterModule<Schema extends z.ZodObject>(
  module: AdapterModule<Schema>,
): AdapterModule {
  return module as unknown as AdapterModule;
}
