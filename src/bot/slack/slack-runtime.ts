import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation } from "../../plugins/api.ts";
import type { Address } from "../../plugins/outbox.ts";
import type { EventLedger } from "../../state/ports.ts";
import type { ChatCore } from "../core/chat-core.ts";
import type { AnswerDelivery, FitMessage } from "./answer-delivery.ts";
import type { AnswerQueue } from "./answer-queue.ts";
import { messageRenderer, sizedForSlack, type RenderedMessage } from "./render-blocks.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";
import type { SlackPacer } from "./slack-pacing.ts";
import type { SlackProfile, SlackUserDirectory } from "./slack-user-directory.ts";

/** Longest wait for users.info where a trigger_id is ticking (it expires 3 s after the interaction). */
export const PROFILE_WAIT_MS = 500;

/** What the adapter's listeners share: the core, the Slack client and the ways an answer goes out. */
export class SlackRuntime {
  /** The bot's own user id, once Bolt has it (auth.test at start): mentions of it are removed, DMs name it. */
  botUserId?: string;

  constructor(
    readonly core: ChatCore,
    readonly client: WebClient,
    readonly pacer: SlackPacer,
    readonly delivery: AnswerDelivery,
    readonly answers: AnswerQueue,
    readonly ledger: EventLedger,
    private readonly directory: SlackUserDirectory,
    readonly log: Logger,
  ) {}

  /** A person as the core knows them; with `waitMs`, named by id alone when the profile is slower than that. */
  async chatUser(userId: string, fallbackName?: string, waitMs?: number): Promise<ChatUser> {
    const lookup = this.directory.lookup(userId);
    const profile =
      waitMs === undefined ? await lookup : await Promise.race([lookup, delay<SlackProfile>(waitMs, {})]);
    const name = profile.name ?? fallbackName;
    return {
      surface: "slack",
      id: userId,
      ...(name ? { name } : {}),
      ...(profile.email ? { email: profile.email } : {}),
    };
  }

  /** Run an answer's work after its ack, one per event-loop turn; a failure is logged. */
  later(work: () => Promise<void>): void {
    this.answers.run(work);
  }
}

/** Renders answers within Slack's limits through the core's `fit`, which keeps the rest for "Show more". */
export function fitMessage(core: ChatCore): FitMessage {
  return (answer: Reply, maxBlocks: number = SLACK_LIMITS.messageBlocks): Promise<RenderedMessage> =>
    core.fit(sizedForSlack(answer), messageRenderer(maxBlocks));
}

/**
 * Where a Slack conversation is, for the core and for later posts: the channel and thread, and the address the
 * outbox takes. `responseUrl` (a command's or button's, valid 30 minutes) goes only into a form's origin, so
 * the form's result can reach a channel the bot is not a member of.
 */
export function slackConversation(channel?: string, thread?: string, responseUrl?: string): Conversation {
  if (!channel) return { surface: "slack" };
  const address: Address = {
    adapter: "slack",
    channel,
    ...(thread ? { thread } : {}),
    ...(responseUrl ? { responseUrl } : {}),
  };
  return { surface: "slack", channelId: channel, ...(thread ? { threadId: thread } : {}), address };
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
