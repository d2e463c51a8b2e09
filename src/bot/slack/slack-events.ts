import type { App, types } from "@slack/bolt";
import type { Reply } from "../../message/reply.ts";
import type { EventClaim } from "../../state/ports.ts";
import type { Destination } from "./answer-delivery.ts";
import { homeRenderer, renderMessage, sizedForSlack } from "./render-blocks.ts";
import { messageText } from "./message-text.ts";
import { slackConversation, type SlackRuntime } from "./slack-runtime.ts";

/** Links previewed per message. */
const MAX_UNFURLS = 10;

/** Where the ledger's claim on an event waits in Bolt's context for the listener that answers the event. */
const CLAIM_KEY = "callboardEventClaim";
interface HeldClaim {
  claim: EventClaim;
  taken: boolean;
}

/**
 * The Events API: mentions, direct messages, pasted links and the Home tab. Each event is answered once
 * across retries, replicas and restarts: the ledger claims its event_id before a listener runs, and the claim
 * is marked done only once the answer is delivered (released when it is not, so Slack's retry answers it).
 */
export function registerEvents(app: App, rt: SlackRuntime): void {
  const { core, ledger, log } = rt;

  app.use(async ({ body, context, next }) => {
    rt.botUserId ??= context.botUserId;
    const envelope = body as { type?: string; event_id?: string };
    if (envelope.type !== "event_callback" || typeof envelope.event_id !== "string") {
      await next();
      return;
    }
    const claim = await ledger.claim("slack", envelope.event_id);
    if (!claim) {
      log.debug(
        { eventId: envelope.event_id },
        "Slack event already answered or being answered; ignoring the retry",
      );
      return;
    }
    const held: HeldClaim = { claim, taken: false };
    context[CLAIM_KEY] = held;
    try {
      await next();
    } catch (error) {
      if (!held.taken) await claim.release();
      throw error;
    }
    // An event no listener took (an edit, another bot's message) is done at once.
    if (!held.taken) await claim.done();
  });

  /** The event's claim, now the caller's to settle. */
  function takeClaim(context: Record<string, unknown>): EventClaim | undefined {
    const held = context[CLAIM_KEY] as HeldClaim | undefined;
    if (!held) return undefined;
    held.taken = true;
    return held.claim;
  }

  /** Runs an event's answer and settles its claim: done when the answer went out, released when it did not. */
  function answerEvent(claim: EventClaim | undefined, work: () => Promise<void>): void {
    rt.later(async () => {
      try {
        await work();
      } catch (error) {
        await claim
          ?.release()
          .catch((e: unknown) => log.warn({ err: e }, "releasing a Slack event claim failed"));
        throw error;
      }
      await claim?.done();
    });
  }

  // By the time a listener runs, Slack already has this event's HTTP 200 and the ledger has its event_id:
  // Bolt's App.processEvent (@slack/bolt 5.1, dist/App.js) acks every event_callback but function_executed
  // before the global middleware chain, and SlackHttpReceiver's ack writes the response at once. A retry is
  // dropped by the ledger whether or not this answer has run yet.
  // The queue is for the other requests: inline, this answer's CPU work would run in the microtask chain of
  // the read that brought the event, and requests already waiting on their sockets would be acked after it.
  app.event("app_mention", async ({ event, context }) => {
    const thread = event.thread_ts ?? event.ts;
    const to: Destination = { userId: event.user ?? "", channel: event.channel, thread };
    const text = messageText(event.text, context.botUserId);
    answerEvent(takeClaim(context), () => answerMessage(to, text, "answering a mention"));
  });

  app.event("message", async ({ event, context }) => {
    const message = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      channel: string;
      thread_ts?: string;
    };
    // Edits, joins and other bots' messages are not questions.
    if (message.subtype || message.bot_id || !message.user) return;
    if (message.channel_type !== "im") {
      overheard(message as typeof message & { user: string; ts: string }, context);
      return;
    }
    const to: Destination = {
      userId: message.user,
      channel: message.channel,
      ...(message.thread_ts ? { thread: message.thread_ts } : {}),
    };
    const text = messageText(message.text ?? "", context.botUserId);
    answerEvent(takeClaim(context), () =>
      answerMessage(to, text, "answering a direct message", { private: true }),
    );
  });

  /**
   * A person's message in a channel the bot is in (message.channels, message.groups). One that mentions the bot
   * is answered as its app_mention; the rest go to the core's listeners (doc suggestions), whose answer, if any,
   * goes into the message's thread. Slack refusing that post is not the person's to hear about: they asked
   * nobody, so it is logged, not sent to them by DM.
   */
  function overheard(
    message: { channel: string; user: string; text?: string; ts: string; thread_ts?: string },
    context: Record<string, unknown>,
  ): void {
    const raw = message.text ?? "";
    if (rt.botUserId && raw.includes(`<@${rt.botUserId}>`)) return;
    const thread = message.thread_ts ?? message.ts;
    answerEvent(takeClaim(context), async () => {
      const user = await rt.chatUser(message.user);
      const conversation = {
        ...slackConversation(message.channel, thread),
        channelId: message.channel,
        threadId: thread,
      };
      const answer = await core.overheard({ text: messageText(raw, rt.botUserId), user, conversation });
      if (!answer) return;
      // A suggestion is a few links: it has no "Show more"; what does not fit is summed up in a note.
      const { output } = renderMessage(sizedForSlack(answer));
      await rt.pacer.run(message.channel, "post", () =>
        rt.client.chat.postMessage({ channel: message.channel, thread_ts: thread, ...output }),
      );
    });
  }

  /**
   * A mention or a DM: answered in its channel (and thread). A form becomes a button that opens it, since an
   * event has no trigger for a modal. In a DM every answer is already for the person alone; an ephemeral one
   * there would vanish on reload. Throws when no answer could be delivered, so the claim is released.
   */
  async function answerMessage(
    to: Destination,
    text: string,
    what: string,
    place: { private?: boolean } = {},
  ): Promise<void> {
    let answer: Reply;
    try {
      const user = await rt.chatUser(to.userId);
      const inbound = { text, user, conversation: slackConversation(to.channel, to.thread) };
      answer = await core.withFormButton(await core.message(inbound), inbound);
    } catch (error) {
      answer = core.failure(what, error);
    }
    await rt.delivery.deliver(to, place.private ? { ...answer, ephemeral: false } : answer);
  }

  // Events are acked before listeners run (see the mentions above); their work goes through the queue too.
  app.event("link_shared", ({ event, context }) => {
    answerEvent(takeClaim(context), () => unfurlLinks(event));
    return Promise.resolve();
  });

  async function unfurlLinks(event: types.LinkSharedEvent): Promise<void> {
    const unfurls: Record<string, { blocks: types.KnownBlock[] }> = {};
    // A long message can hold hundreds of links; each preview is a lookup and a render in one job.
    for (const link of event.links.slice(0, MAX_UNFURLS)) {
      let url: URL;
      try {
        url = new URL(link.url);
      } catch {
        continue;
      }
      const preview = await core.unfurl(url);
      // A preview has no "Show more": what does not fit is summed up in a note.
      if (preview) unfurls[link.url] = { blocks: renderMessage(sizedForSlack(preview)).output.blocks };
    }
    if (Object.keys(unfurls).length === 0) return;
    const shared = event as typeof event & {
      unfurl_id?: string;
      source?: "composer" | "conversations_history";
    };
    // A failure propagates, so the event's claim is released and the queue logs it.
    await rt.pacer.run(event.channel, "tier3", () =>
      rt.client.chat.unfurl(
        shared.unfurl_id && shared.source
          ? { unfurl_id: shared.unfurl_id, source: shared.source, unfurls }
          : { channel: event.channel, ts: event.message_ts, unfurls },
      ),
    );
  }

  app.event("app_home_opened", ({ event, context }) => {
    if (event.tab !== "home") return Promise.resolve();
    answerEvent(takeClaim(context), async () => {
      const user = await rt.chatUser(event.user);
      await publishHome(rt, event.user, await core.home(user));
    });
    return Promise.resolve();
  });
}

/** The Home tab: 100 blocks, the rest behind "Show more", which publishes the next part in its place. */
export async function publishHome(rt: SlackRuntime, userId: string, answer: Reply): Promise<void> {
  const view = await rt.core.fit(sizedForSlack(answer), homeRenderer);
  await rt.pacer.run(`home:${userId}`, "tier4", () => rt.client.views.publish({ user_id: userId, view }));
}
