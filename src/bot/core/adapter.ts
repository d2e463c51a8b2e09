import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { HttpRoute } from "../../plugins/api.ts";
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
