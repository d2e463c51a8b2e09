import type { WebClient } from "@slack/web-api";
import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import type { FitMessage } from "./answer-delivery.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";
import type { SlackPacer } from "./slack-pacing.ts";

/** Slack conversation ids (C… public, G… private, D… direct) and user ids (a post to one opens the DM). */
const CONVERSATION_ID = /^[CDGUW][A-Z0-9]{2,30}$/;
/** A message's ts: seconds, a dot, a sequence. */
const MESSAGE_TS = /^\d{1,12}\.\d{1,8}$/;

/**
 * Messages after the fact: a post into a channel or thread (a task's progress, a notice) and its updates.
 * Posts and updates of one channel share its pacer lane, so they reach Slack in the order they were made.
 */
export class SlackOutbox {
  constructor(
    private readonly client: WebClient,
    private readonly pacer: SlackPacer,
    private readonly render: FitMessage,
  ) {}

  async post(address: Address, answer: Reply): Promise<MessageRef> {
    const { channel, thread } = slackPlace(address);
    const message = await this.render(answer, SLACK_LIMITS.messageBlocks);
    const posted = await this.pacer.run(channel, "post", () =>
      this.client.chat.postMessage({ channel, ...(thread ? { thread_ts: thread } : {}), ...message }),
    );
    if (!posted.ts) throw new Error(`Slack accepted a post into ${channel} but returned no ts for it.`);
    // A post to a person's user id lands in their DM, whose D… id is the one chat.update accepts.
    const landed = typeof posted.channel === "string" && posted.channel ? posted.channel : channel;
    return { address: { adapter: "slack", channel: landed, ...(thread ? { thread } : {}) }, id: posted.ts };
  }

  async update(ref: MessageRef, answer: Reply): Promise<MessageRef> {
    const { channel } = slackPlace(ref?.address);
    if (typeof ref.id !== "string" || !MESSAGE_TS.test(ref.id)) {
      throw new Error(`Not a Slack message ts: ${JSON.stringify(ref.id)}. Keep the ref post() returned.`);
    }
    const message = await this.render(answer, SLACK_LIMITS.messageBlocks);
    await this.pacer.run(channel, "tier3", () =>
      this.client.chat.update({ channel, ts: ref.id, ...message }),
    );
    return { address: ref.address, id: ref.id };
  }
}

/** The channel and thread of a Slack address, checked: it may have been stored by another release. */
export function slackPlace(address: Address | undefined): { channel: string; thread?: string } {
  if (address?.adapter !== "slack") {
    throw new Error(`Not a Slack address: ${JSON.stringify(address?.adapter)}.`);
  }
  const { channel, thread } = address;
  if (typeof channel !== "string" || !CONVERSATION_ID.test(channel)) {
    throw new Error(`Slack address has no valid channel id (got ${JSON.stringify(channel)}).`);
  }
  if (thread !== undefined && (typeof thread !== "string" || !MESSAGE_TS.test(thread))) {
    throw new Error(`Slack address has an invalid thread ts (got ${JSON.stringify(thread)}).`);
  }
  return { channel, ...(thread ? { thread } : {}) };
}
