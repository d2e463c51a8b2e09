/**
 * Messages after the fact: a plugin (a scaffolder task, a doc suggestion, a webhook notice) posts into a
 * conversation long after the command that started it, and edits that post as things progress.
 */
import type { Reply } from "../message/reply.ts";

/**
 * Where a message goes: a durable value any replica can use after a restart (a Slack channel and thread, a
 * Teams conversation and reply chain, a terminal session). Plugins keep it as they got it and never look
 * inside; `adapter` names the chat adapter that understands the rest.
 */
export interface Address {
  adapter: string;
  [key: string]: string | undefined;
}

/** A message the outbox posted, as a durable value: keep it to update that message later, from any replica. */
export interface MessageRef {
  address: Address;
  /** The platform's id of the message (Slack ts, Teams activity id). */
  id: string;
}

export interface Outbox {
  /** Post `reply` at `address`; resolves once the platform has it. */
  post(address: Address, reply: Reply): Promise<MessageRef>;
  /**
   * Replace the message `ref` points at, where the platform edits in place; elsewhere the update is posted as a
   * follow-up, whose ref comes back (keep the returned ref for the next update).
   */
  update(ref: MessageRef, reply: Reply): Promise<MessageRef>;
}
