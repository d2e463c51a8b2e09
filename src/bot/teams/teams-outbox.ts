import type { Activity, ConversationReference } from "botbuilder";
import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import type { ConversationStore } from "../../state/ports.ts";
import type { Pacer } from "../core/pacer.ts";
import { PACED, type CallboardCloudAdapter } from "./cloud-adapter.ts";
import { asTeamsAddress, conversationIdFor, type TeamsAddress } from "./teams-address.ts";

export interface TeamsOutboxDeps {
  adapter: CallboardCloudAdapter;
  appId: string;
  conversations: ConversationStore;
  pacer: Pacer;
  /** The message for a Reply, rendered as every other answer is. */
  activityFor(reply: Reply): Promise<Partial<Activity>>;
}

/**
 * Messages after the fact: posts into a conversation the bot has seen (its reference is stored when an
 * activity comes from it), into a channel's reply chain when the address names one, and edits of those posts.
 * Each call runs in the conversation's pacer lane from the moment it is asked for, rendering included, so
 * updates of one message reach Teams in the order they were made and within its limits, whichever replica
 * or restart makes them.
 */
export class TeamsOutbox {
  constructor(private readonly deps: TeamsOutboxDeps) {}

  /** Post `reply` (its blocks: a form needs a person to open it for, which a post after the fact has not). */
  async post(address: Address, reply: Reply): Promise<MessageRef> {
    const target = asTeamsAddress(address);
    let message: Partial<Activity> | undefined;
    const id = await this.deps.pacer.run(target.conversation, async () => {
      message ??= await this.deps.activityFor(reply);
      const reference = await this.reference(target);
      let sent: string | undefined;
      await this.deps.adapter.continueConversationAsync(this.deps.appId, reference, async (context) => {
        context.turnState.set(PACED, true);
        sent = (await context.sendActivity(message!))?.id;
      });
      return sent;
    });
    if (!id) throw new Error("Teams took the message but returned no id for it, so it cannot be updated.");
    return { address: target, id };
  }

  async update(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    const target = asTeamsAddress(ref.address);
    if (typeof ref.id !== "string" || !ref.id) {
      throw new Error("Teams cannot update a message without its id (MessageRef.id).");
    }
    let message: Partial<Activity> | undefined;
    await this.deps.pacer.run(target.conversation, async () => {
      message ??= await this.deps.activityFor(reply);
      const reference = await this.reference(target);
      await this.deps.adapter.continueConversationAsync(this.deps.appId, reference, async (context) => {
        context.turnState.set(PACED, true);
        await context.updateActivity({ ...message, id: ref.id, conversation: context.activity.conversation });
      });
    });
    return { address: ref.address, id: ref.id };
  }

  /** The stored reference of the address's conversation, pointed at its reply chain. */
  private async reference(address: TeamsAddress): Promise<Partial<ConversationReference>> {
    const stored = (await this.deps.conversations.get(address.conversation)) as
      Partial<ConversationReference> | undefined;
    if (!stored?.serviceUrl || !stored.conversation?.id) {
      throw new Error(
        `Teams: no conversation "${address.conversation}" is known. Callboard learns a conversation when it is ` +
          "installed there or receives a message from it; add the app to that chat or channel first.",
      );
    }
    // Without the stored activity id: the message is a post in the conversation (or its reply chain), not a
    // reply to whichever message happened to be stored with the reference.
    const { activityId: _activityId, ...reference } = stored;
    return { ...reference, conversation: { ...stored.conversation, id: conversationIdFor(address) } };
  }
}
