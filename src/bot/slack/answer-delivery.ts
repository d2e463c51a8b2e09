import { WebAPIPlatformError, type WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { RenderedMessage } from "./render-blocks.ts";
import type { ResponseUrlPoster } from "./response-url.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";
import type { SlackPacer } from "./slack-pacing.ts";

/** Renders an answer within `maxBlocks`, keeping the rest of a cut one for "Show more" (the chat core's fit). */
export type FitMessage = (answer: Reply, maxBlocks: number) => Promise<RenderedMessage>;

/** Where an answer belongs, and the ways there. */
export interface Destination {
  /** The person who asked: an ephemeral answer is for them, and a refused post becomes a DM to them. */
  userId: string;
  /** The conversation the question came from; without one the answer is a DM. */
  channel?: string;
  thread?: string;
  /**
   * The slash command's or interaction's response_url. Slack takes a post through it in any conversation the
   * person is in, whether or not the bot is a member, which chat.postMessage does not.
   */
  responseUrl?: string;
  /**
   * For an interaction: replace the message it came from (an ephemeral answer has no thread), or not. Slack's
   * default for a block action's response_url is to replace it, so a new answer must say false.
   */
  replaceOriginal?: boolean;
}

/** chat.postMessage / chat.postEphemeral errors that mean "not in this conversation", with what to tell the person. */
const REFUSALS: Record<string, (channel: string, bot: string) => string> = {
  not_in_channel: (channel, bot) =>
    `I can't post in ${channel} because I'm not a member of it; invite me with /invite ${bot} and ask again.`,
  channel_not_found: (channel, bot) =>
    `I can't post in ${channel}: it is private and I'm not in it, or it no longer exists. To use me there, invite me with /invite ${bot}.`,
  is_archived: (channel) => `I can't post in ${channel} because it is archived.`,
  restricted_action: (channel) =>
    `I can't post in ${channel}: the workspace does not allow me to post there.`,
  restricted_action_read_only_channel: (channel) => `I can't post in ${channel}: it is read-only.`,
  restricted_action_thread_only_channel: (channel) =>
    `I can't post in ${channel}: it only takes replies in threads.`,
  restricted_action_non_threadable_channel: (channel) => `I can't reply in a thread in ${channel}.`,
  team_access_not_granted: (channel) =>
    `I can't post in ${channel}: this app is not allowed in that workspace.`,
};

/**
 * Every answer goes out here: through its response_url when it has one, else into its channel (paced, one a
 * second per channel), and when Slack refuses that post because of the bot's place in the channel, to the
 * person as a DM that says why and carries the answer.
 */
export class AnswerDelivery {
  constructor(
    private readonly client: WebClient,
    private readonly pacer: SlackPacer,
    private readonly responses: ResponseUrlPoster,
    private readonly render: FitMessage,
    private readonly log: Logger,
    /** The bot's user id, once known, to name it in "invite me"; Slack renders <@U…> as its name. */
    private readonly botUserId: () => string | undefined,
  ) {}

  async deliver(to: Destination, answer: Reply): Promise<void> {
    const message = await this.render(answer, SLACK_LIMITS.messageBlocks);
    if (to.responseUrl) {
      try {
        // Replacing keeps the original's place (and its visibility); anything else says where it goes.
        const placement = to.replaceOriginal
          ? { replace_original: true }
          : {
              response_type: answer.ephemeral ? "ephemeral" : "in_channel",
              ...(to.replaceOriginal === false ? { replace_original: false } : {}),
              ...(to.thread ? { thread_ts: to.thread } : {}),
            };
        await this.responses.post(to.responseUrl, { ...placement, ...message });
        return;
      } catch (error) {
        // A response_url lasts 30 minutes and five posts; past that the channel itself is the way left.
        this.log.warn({ err: error, surface: "slack" }, "response_url refused an answer; posting it instead");
      }
    }
    try {
      await this.post(to, message, Boolean(answer.ephemeral));
    } catch (error) {
      const refusal = refusalOf(error);
      const channel = to.channel;
      if (!refusal || !channel || channel === to.userId || !REFUSALS[refusal]) throw error;
      this.log.warn({ surface: "slack", channel, error: refusal }, "Slack refused a post; answering by DM");
      await this.directMessage(to.userId, REFUSALS[refusal](`<#${channel}>`, this.botName()), answer);
    }
  }

  private post(to: Destination, message: RenderedMessage, ephemeral: boolean): Promise<unknown> {
    const channel = to.channel ?? to.userId;
    const thread = to.thread ? { thread_ts: to.thread } : {};
    if (ephemeral && to.channel) {
      return this.pacer.run(channel, "post", () =>
        this.client.chat.postEphemeral({ channel, user: to.userId, ...thread, ...message }),
      );
    }
    return this.pacer.run(channel, "post", () =>
      this.client.chat.postMessage({ channel, ...thread, ...message }),
    );
  }

  /** The reason first, then the answer itself, so the person is not left with an apology only. */
  private async directMessage(userId: string, reason: string, answer: Reply): Promise<void> {
    const rendered = await this.render(answer, SLACK_LIMITS.messageBlocks - 1);
    await this.pacer.run(userId, "post", () =>
      this.client.chat.postMessage({
        channel: userId,
        text: `${reason}\n${rendered.text}`.slice(0, SLACK_LIMITS.fallbackText),
        blocks: [{ type: "section", text: { type: "mrkdwn", text: reason } }, ...rendered.blocks],
      }),
    );
  }

  private botName(): string {
    const id = this.botUserId();
    return id ? `<@${id}>` : "@Callboard";
  }
}

function refusalOf(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}
