import type { Address } from "../../plugins/outbox.ts";

/**
 * Where a Teams message goes, as a durable value (the outbox's Address): the conversation, by the key its
 * reference is stored under (ConversationStore), and in a channel the reply chain, by its root message's id.
 * A channel conversation id names a reply chain as "<channel>;messageid=<root>"; the stored reference is the
 * channel's, so one row serves all its threads.
 */
export const TEAMS = "teams";

export interface TeamsAddress extends Address {
  adapter: typeof TEAMS;
  /** The conversation id without any reply chain: the ConversationStore key. */
  conversation: string;
  /** In a channel, the id of the message the reply chain hangs from. */
  replyChain?: string;
}

const REPLY_CHAIN = /;messageid=([^;]+)/;

/** A conversation id without its reply chain: the key of everything kept per conversation. */
export function baseConversationId(conversationId: string): string {
  return conversationId.replace(REPLY_CHAIN, "");
}

/**
 * The address of the conversation an activity came from: in a channel, its reply chain (the one named in
 * the conversation id, or the pressed card's own when it was posted at the top of the channel, or the new
 * chain a top-level message starts). Undefined without a conversation.
 */
export function addressOf(activity: {
  type?: string;
  id?: string;
  replyToId?: string;
  conversation?: { id: string; conversationType?: string };
}): TeamsAddress | undefined {
  const id = activity.conversation?.id;
  if (!id) return undefined;
  const inChannel = activity.conversation?.conversationType === "channel";
  const root =
    REPLY_CHAIN.exec(id)?.[1] ??
    (inChannel ? (activity.replyToId ?? (activity.type === "message" ? activity.id : undefined)) : undefined);
  return { adapter: TEAMS, conversation: baseConversationId(id), ...(root ? { replyChain: root } : {}) };
}

/** The conversation id to send to for `address`: into its reply chain when it has one. */
export function conversationIdFor(address: TeamsAddress): string {
  return address.replyChain
    ? `${address.conversation};messageid=${address.replyChain}`
    : address.conversation;
}

/** `address` as a Teams address, or why it is not one (an address is data that may have been stored long ago). */
export function asTeamsAddress(address: Address): TeamsAddress {
  const { adapter, conversation, replyChain } = address;
  if (adapter !== TEAMS || typeof conversation !== "string" || !conversation) {
    throw new Error(
      `Teams cannot deliver to ${JSON.stringify(address)}: a Teams address names the conversation ` +
        '(adapter "teams", conversation "<id>").',
    );
  }
  // A conversation id that names its reply chain ("<channel>;messageid=<root>") keeps it.
  const chain =
    typeof replyChain === "string" && replyChain ? replyChain : REPLY_CHAIN.exec(conversation)?.[1];
  return {
    adapter: TEAMS,
    conversation: baseConversationId(conversation),
    ...(chain ? { replyChain: chain } : {}),
  };
}
