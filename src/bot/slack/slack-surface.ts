import { App, LogLevel, type SlashCommand, type types } from "@slack/bolt";
import { WebClient, type RetryOptions, type WebClientOptions } from "@slack/web-api";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Form, FormValues } from "../../message/form.ts";
import { actions, type Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation, HttpRoute } from "../../plugins/api.ts";
import type { EventClaim, EventLedger, FormStateStore } from "../ports.ts";
import type { Inbound, Router } from "../router.ts";
import { AnswerDelivery, type Destination } from "./answer-delivery.ts";
import { AnswerQueue } from "./answer-queue.ts";
import { ResponseUrlPoster } from "./response-url.ts";
import { boltLogger } from "./bolt-logger.ts";
import { ChannelPacer } from "./channel-pacer.ts";
import {
  decodeButtonValue,
  decodeMetadata,
  decodePickerActionId,
  encodeMetadata,
  FORM_CALLBACK_ID,
  modalErrors,
  readModalValues,
  renderHome,
  renderMessage,
  renderModal,
  SLACK_LIMITS,
  type SubmittedElement,
} from "./render-blocks.ts";
import { clip } from "./mrkdwn.ts";
import { SlackHttpReceiver } from "./slack-http-receiver.ts";
import { oversizedCommandText } from "../router.ts";
import { SlackUserDirectory, type SlackProfile } from "./slack-user-directory.ts";

export interface SlackSurfaceOptions {
  router: Router;
  ledger: EventLedger;
  formState: FormStateStore;
  signingSecret: string;
  botToken: string;
  /** An app-level token (xapp-…): use Socket Mode instead of the HTTP endpoint. */
  appToken?: string;
  /** Web API base URL; a local stand-in in tests and benchmarks. */
  apiUrl?: string;
  log: Logger;
  /** Extra slash commands besides /callboard; each maps to the command words of the same name. */
  aliases?: string[];
  /** Where Slack posts events, commands and interactions on the bot's HTTP server. */
  path?: string;
  /** Spacing of messages to one channel (Slack allows about one a second). */
  channelIntervalMs?: number;
  /** Web API retry policy; short by default so a person never waits minutes. */
  retryConfig?: RetryOptions;
  /** Web API request timeout. */
  timeoutMs?: number;
  /** The clock request timestamps are checked against (tests pin it to probe the five-minute window). */
  now?: () => number;
}

export interface SlackSurface {
  /** The HTTP endpoint to mount on the bot's one server (empty in Socket Mode). */
  routes: HttpRoute[];
  start(): Promise<void>;
  stop(): Promise<void>;
  app: App;
  /** The Web API client every answer goes through (paced per channel for chat.postMessage). */
  client: WebClient;
  /** Resolves when every queued answer and channel message has been sent. */
  drain(): Promise<void>;
}

const DEFAULT_ALIASES = ["/whoowns", "/scaffold", "/docs"];
/** Longest wait for users.info where a trigger_id is ticking (it expires 3 s after the interaction). */
const PROFILE_WAIT_MS = 500;
/** Alias → the words it stands for, where they differ from the alias's own name. */
const ALIAS_WORDS: Record<string, string> = { "/whoowns": "who owns" };

/** What a modal needs back on its next submission: kept in the FormStateStore, only its id travels. */
interface StoredForm {
  form: Form;
  values: FormValues;
  text: string;
  channel?: string;
  thread?: string;
  /** The response_url of the command or button that opened the form: the result goes there. */
  responseUrl?: string;
}

/** Where the ledger's claim on an event waits in Bolt's context for the listener that answers the event. */
const CLAIM_KEY = "callboardEventClaim";
interface HeldClaim {
  claim: EventClaim;
  taken: boolean;
}

export function createSlackSurface(options: SlackSurfaceOptions): SlackSurface {
  const { router, ledger, formState, log } = options;
  if (!options.signingSecret && !options.appToken) {
    throw new Error("Slack: SLACK_SIGNING_SECRET is empty. Copy it from the app's Basic Information page.");
  }
  if (!options.botToken)
    throw new Error("Slack: SLACK_BOT_TOKEN is empty. Install the app and copy its xoxb- token.");
  const path = options.path ?? "/slack/events";
  const logger = boltLogger(log.child({ surface: "slack" }));
  const clientOptions: WebClientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    logger,
    // The client's default retries for about 30 minutes; an answer that late is worse than an error.
    retryConfig: options.retryConfig ?? {
      retries: 2,
      factor: 2,
      minTimeout: 300,
      maxTimeout: 2000,
      maxRetryTime: 6000,
    },
    timeout: options.timeoutMs ?? 5000,
    // 429s wait for Retry-After and then retry (within the retry budget above).
    rejectRateLimitedCalls: false,
  };
  const client = new WebClient(options.botToken, clientOptions);
  const pacer = new ChannelPacer(options.channelIntervalMs ?? 1000);
  const directory = new SlackUserDirectory(client, log);
  const responses = new ResponseUrlPoster(options.timeoutMs ?? 5000);
  const answers = new AnswerQueue((error) => log.error({ err: error, surface: "slack" }, "answer failed"));
  let botUserId: string | undefined;
  const delivery = new AnswerDelivery(client, pacer, responses, log, () => botUserId);

  const socketMode = Boolean(options.appToken);
  const receiver = socketMode
    ? undefined
    : new SlackHttpReceiver({
        signingSecret: options.signingSecret,
        log: log.child({ surface: "slack" }),
        ...(options.now ? { now: options.now } : {}),
      });
  const app = new App({
    token: options.botToken,
    ...(socketMode ? { socketMode: true, appToken: options.appToken } : { receiver }),
    logger,
    logLevel: logger.getLevel() ?? LogLevel.INFO,
    clientOptions: { ...clientOptions },
    // Bolt's conversation-state middleware is unused here; it would cost a lookup on every request.
    convoStore: false,
    // auth.test (the bot's own user id, to strip mentions) runs once in start(), not per request.
    deferInitialization: true,
  });

  const aliases = new Set(options.aliases ?? DEFAULT_ALIASES);
  const slashCommands = ["/callboard", ...aliases];

  /* ------------------------------------------------------------- people and places */

  async function chatUser(userId: string, fallbackName?: string, waitMs?: number): Promise<ChatUser> {
    const lookup = directory.lookup(userId);
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

  function conversation(channel?: string, thread?: string): Conversation {
    return {
      surface: "slack",
      ...(channel ? { channelId: channel } : {}),
      ...(thread ? { threadId: thread } : {}),
    };
  }

  function moreCommand(text: string): string | undefined {
    return text.includes("--all") ? undefined : `${text} --all`;
  }

  async function openModal(
    triggerId: string,
    form: Form,
    inbound: Inbound,
    responseUrl: string | undefined,
  ): Promise<void> {
    const channel = inbound.conversation.channelId;
    const thread = inbound.conversation.threadId;
    const stored: StoredForm = {
      form,
      values: {},
      text: inbound.text,
      ...(channel ? { channel } : {}),
      ...(thread ? { thread } : {}),
      ...(responseUrl ? { responseUrl } : {}),
    };
    const stateId = await formState.put(JSON.stringify(stored));
    const meta = encodeMetadata({
      stateId,
      page: 0,
      ...(channel ? { channel } : {}),
      ...(thread ? { thread } : {}),
    });
    await client.views.open({ trigger_id: triggerId, view: renderModal(form, 0, meta) });
  }

  /** A reply that asks for a form where there is no trigger (mentions, DMs): offer a button that opens it. */
  function withFormButton(answer: Reply): Reply {
    if (!answer.form) return answer;
    const label = clip(`Open ${answer.form.title}`, SLACK_LIMITS.buttonText);
    return {
      ...answer,
      blocks: [...answer.blocks, actions({ label, form: { id: answer.form.id }, style: "primary" })],
    };
  }

  function failure(what: string, error: unknown): Reply {
    log.error({ err: error, surface: "slack" }, `${what} failed`);
    return {
      text: `Something went wrong (${what}). It has been logged; try again in a moment.`,
      blocks: [],
      ephemeral: true,
    };
  }

  /* ------------------------------------------------------------- retries: each event once */

  // The ledger claims each event_id before its listener runs; the claim travels in Bolt's context to the
  // queued answer, which marks it done once the answer is delivered or releases it when delivery failed, so
  // only a delivered answer makes a retry redundant. An event no listener takes is done at once.
  app.use(async ({ body, context, next }) => {
    botUserId ??= context.botUserId;
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
    answers.run(async () => {
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

  /* ------------------------------------------------------------- slash commands */

  app.command(new RegExp(`^(${slashCommands.map(escapeRegExp).join("|")})$`), async ({ command, ack }) => {
    // Nothing before the ack: the users.info lookup, the command and the answer all come after it.
    await ack();
    answers.run(() => runSlashCommand(command));
  });

  async function runSlashCommand(command: SlashCommand): Promise<void> {
    const words =
      command.command === "/callboard" ? "" : (ALIAS_WORDS[command.command] ?? command.command.slice(1));
    const text = `${words} ${command.text ?? ""}`.trim();
    const to: Destination = {
      userId: command.user_id,
      channel: command.channel_id,
      responseUrl: command.response_url,
    };
    try {
      // A slash command may open a modal, and its trigger expires 3 s after the command: the profile
      // lookup gets at most PROFILE_WAIT_MS, as for buttons; an uncached person is then named by id.
      const user = await chatUser(command.user_id, command.user_name, PROFILE_WAIT_MS);
      const inbound: Inbound = { text, user, conversation: conversation(command.channel_id) };
      const answer = await router.handle(inbound);
      if (answer.form) {
        // The trigger expires 3 s after the command and works once: open the modal before anything else.
        await openModal(command.trigger_id, answer.form, inbound, command.response_url);
        if (answer.blocks.length === 0) return;
      }
      await delivery.deliver(to, answer, { moreCommand: moreCommand(text) });
    } catch (error) {
      const failed = failure(`running ${command.command} ${clip(command.text ?? "", 60)}`, error);
      await delivery.deliver(to, failed).catch(() => undefined);
    }
  }

  /* ------------------------------------------------------------- mentions and DMs */

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
    if (message.channel_type !== "im" || message.subtype || message.bot_id || !message.user) return;
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
   * A mention or a DM: answered in its channel (and thread), with a button where the answer is a form. In a
   * DM every answer is already for the person alone; an ephemeral one there would vanish on reload. Throws
   * when no answer could be delivered, so the event's claim is released for a retry.
   */
  async function answerMessage(
    to: Destination,
    text: string,
    what: string,
    place: { private?: boolean } = {},
  ): Promise<void> {
    const shown = (answer: Reply): Reply => (place.private ? { ...answer, ephemeral: false } : answer);
    let answer: Reply;
    let options: { moreCommand?: string } = {};
    try {
      const user = await chatUser(to.userId);
      answer = withFormButton(
        await router.handle({ text, user, conversation: conversation(to.channel, to.thread) }),
      );
      options = { moreCommand: moreCommand(text) };
    } catch (error) {
      answer = failure(what, error);
    }
    await delivery.deliver(to, shown(answer), options);
  }

  /* ------------------------------------------------------------- buttons */

  app.action({ type: "block_actions", action_id: /^cb_\d+$/ }, async ({ ack, body, action }) => {
    // Nothing before the ack; the queue then adds one event-loop turn before the answer, which a form's
    // trigger_id (3 s) can spare: the profile lookup stays capped at PROFILE_WAIT_MS.
    await ack();
    const value = decodeButtonValue((action as { value?: string }).value);
    if (!value) return; // a link button: Slack opened the URL, nothing to run
    answers.run(() => runButton(value, body as unknown as BlockActionBody));
  });

  /**
   * A button's answer goes through the interaction's response_url: it reaches the channel whether or not the
   * bot is a member (a slash command's answer, and so its buttons, can be in any channel the person is in).
   * Under a message it goes into that message's thread; on an ephemeral message it replaces it in place.
   */
  async function runButton(
    value: NonNullable<ReturnType<typeof decodeButtonValue>>,
    actionBody: BlockActionBody,
  ): Promise<void> {
    const fromMessage = actionBody.container?.type === "message";
    const channel = fromMessage ? (actionBody.channel?.id ?? actionBody.container?.channel_id) : undefined;
    const thread = actionBody.message ? (actionBody.message.thread_ts ?? actionBody.message.ts) : undefined;
    const ephemeralSource = Boolean(actionBody.container?.is_ephemeral);
    const to: Destination = {
      userId: actionBody.user.id,
      ...(channel ? { channel } : {}),
      ...(thread && !ephemeralSource ? { thread } : {}),
      ...(actionBody.response_url ? { responseUrl: actionBody.response_url } : {}),
      ...(actionBody.response_url ? { replaceOriginal: ephemeralSource } : {}),
    };
    // A note to the person alone must not replace the message whose button they pressed.
    const aside: Destination = { ...to, ...(to.responseUrl ? { replaceOriginal: false } : {}) };
    try {
      if (value.form) {
        // The trigger works once and only for 3 s: do not wait long for the profile before opening the form.
        const user = await chatUser(actionBody.user.id, actionBody.user.name, PROFILE_WAIT_MS);
        const inbound: Inbound = {
          text: `${value.form} ${value.args ?? ""}`.trim(),
          user,
          conversation: conversation(channel, thread),
        };
        const form = await router.openForm(value.form, inbound, value.args ?? "");
        if (form) await openModal(actionBody.trigger_id, form, inbound, actionBody.response_url);
        else
          await delivery.deliver(aside, {
            text: `The form "${value.form}" is no longer available.`,
            blocks: [],
            ephemeral: true,
          });
        return;
      }
      const text = value.command ?? "";
      const user = await chatUser(actionBody.user.id, actionBody.user.name);
      const inbound: Inbound = { text, user, conversation: conversation(channel, thread) };
      const answer = await router.handle(inbound);
      if (answer.form) {
        await openModal(actionBody.trigger_id, answer.form, inbound, actionBody.response_url);
        if (answer.blocks.length === 0) return;
      }
      await delivery.deliver(to, answer, { moreCommand: moreCommand(text) });
    } catch (error) {
      await delivery.deliver(aside, failure("running a button", error)).catch(() => undefined);
    }
  }

  /* ------------------------------------------------------------- modals */

  app.view(FORM_CALLBACK_ID, async ({ ack, body, view }) => {
    const meta = decodeMetadata(view.private_metadata);
    const raw = meta ? await formState.get(meta.stateId) : undefined;
    if (!meta || !raw) {
      await ack();
      await delivery.deliver(
        { userId: body.user.id },
        { text: "That form has expired. Run the command again to start over.", blocks: [] },
      );
      return;
    }
    const stored = JSON.parse(raw) as StoredForm;
    const state = view.state.values as unknown as Record<string, Record<string, SubmittedElement>>;
    const pageValues = readModalValues(stored.form, meta.page, state);
    const errors = await router.validateForm(stored.form, meta.page, pageValues);
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: "errors", errors: modalErrors(stored.form, meta.page, errors) });
      return;
    }
    const values = { ...stored.values, ...pageValues };
    const next = meta.page + 1;
    if (next < stored.form.pages.length) {
      const stateId = await formState.put(JSON.stringify({ ...stored, values }));
      const nextView = renderModal(stored.form, next, encodeMetadata({ ...meta, stateId, page: next }));
      // A modal stack holds 3 views: push while there is room (so Back works), then replace in place.
      await ack({ response_action: next < 3 ? "push" : "update", view: nextView });
      return;
    }
    // A double click or a second replica's copy of the same view must not submit the form twice; a
    // submission whose answer could not be delivered may be submitted again.
    const claim = await ledger.claim("slack-form", meta.stateId);
    await ack(meta.page > 0 ? { response_action: "clear" } : undefined);
    if (!claim) return;
    // A view_submission has no response_url of its own: the result goes to the one of the command or button
    // that opened the form (valid 30 minutes), so it reaches a channel the bot is not in.
    const to: Destination = {
      userId: body.user.id,
      ...(meta.channel ? { channel: meta.channel } : {}),
      ...(meta.thread ? { thread: meta.thread } : {}),
      ...(stored.responseUrl ? { responseUrl: stored.responseUrl, replaceOriginal: false } : {}),
    };
    // The modal is closed; the submission's work (a scaffold run, say) waits its turn behind other acks.
    answerEvent(claim, async () => {
      let answer: Reply;
      try {
        const user = await chatUser(body.user.id, body.user.name);
        answer = await router.submitForm(stored.form, values, {
          text: stored.text,
          user,
          conversation: conversation(meta.channel, meta.thread),
        });
      } catch (error) {
        answer = failure(`submitting ${stored.form.title}`, error);
      }
      await delivery.deliver(to, answer);
    });
  });

  /* ------------------------------------------------------------- type-ahead pickers */

  app.options({ action_id: /^pick\|/ }, async ({ ack, options: request, body }) => {
    const picker = decodePickerActionId(request.action_id);
    try {
      const user: ChatUser = { surface: "slack", id: body.user.id };
      const found = picker
        ? await router.options(picker.provider, request.value ?? "", picker.kinds, user)
        : [];
      const respondWith = ack as unknown as (body: { options: types.PlainTextOption[] }) => Promise<void>;
      await respondWith({
        options: found
          .filter((o) => o.value.length <= SLACK_LIMITS.optionValue)
          .slice(0, SLACK_LIMITS.selectOptions)
          .map((o) => ({
            text: { type: "plain_text" as const, text: clip(o.label || o.value, SLACK_LIMITS.optionText) },
            value: o.value,
            ...(o.description
              ? {
                  description: {
                    type: "plain_text" as const,
                    text: clip(o.description, SLACK_LIMITS.optionText),
                  },
                }
              : {}),
          })),
      });
    } catch (error) {
      log.error({ err: error }, "options lookup failed");
      await (ack as unknown as (body: { options: [] }) => Promise<void>)({ options: [] });
    }
  });

  /* ------------------------------------------------------------- link previews and App Home */

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
      const preview = await router.unfurl(url);
      if (preview) unfurls[link.url] = { blocks: renderMessage(preview).blocks };
    }
    if (Object.keys(unfurls).length === 0) return;
    const shared = event as typeof event & {
      unfurl_id?: string;
      source?: "composer" | "conversations_history";
    };
    // A failure propagates, so the event's claim is released and the queue logs it.
    await client.chat.unfurl(
      shared.unfurl_id && shared.source
        ? { unfurl_id: shared.unfurl_id, source: shared.source, unfurls }
        : { channel: event.channel, ts: event.message_ts, unfurls },
    );
  }

  app.event("app_home_opened", ({ event, context }) => {
    if (event.tab !== "home") return Promise.resolve();
    answerEvent(takeClaim(context), async () => {
      const user = await chatUser(event.user);
      await client.views.publish({ user_id: event.user, view: renderHome(await router.home(user)) });
    });
    return Promise.resolve();
  });

  app.error(async (error) => {
    log.error({ err: error }, "Slack listener failed");
  });

  /* ------------------------------------------------------------- lifecycle */

  const routes: HttpRoute[] = receiver
    ? [
        {
          method: "POST",
          path,
          handler: (req: IncomingMessage, res: ServerResponse) => {
            // The receiver reads and verifies the request, answers what is not Slack's, and hands the rest to
            // the App with an ack that writes this response.
            return receiver.handle(req, res);
          },
        },
      ]
    : [];

  let started = false;
  return {
    routes,
    app,
    client,
    drain: async () => {
      await answers.drain();
      await pacer.drain();
    },
    async start() {
      if (started) return;
      await app.init();
      if (socketMode) await app.start();
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      if (socketMode) await app.stop();
      await answers.drain();
      await pacer.drain();
      responses.close();
    },
  };
}

interface BlockActionBody {
  user: { id: string; name?: string };
  trigger_id: string;
  response_url?: string;
  container?: { type: string; channel_id?: string; is_ephemeral?: boolean; message_ts?: string };
  channel?: { id: string };
  message?: { ts: string; thread_ts?: string };
}

/**
 * Slack message text → what the person typed: the bot's own mention is removed wherever it is, entities
 * are decoded, and links and channel/user references keep only what a command can use.
 */
export function messageText(text: string, botUserId?: string): string {
  const oversized = oversizedCommandText(text);
  if (oversized !== undefined) return oversized;
  // Slack sends a literal "<" as &lt;, so no reference contains one: stopping at "<" keeps each pattern
  // linear (with [^>]*, "<@U1|<@U1|…" rescanned the rest of the text from every "<").
  let out = text;
  if (botUserId) out = out.replace(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^<>]*)?>`, "g"), " ");
  else out = out.replace(/^\s*<@[UW][A-Z0-9]+(\|[^<>]*)?>/, " ");
  out = out
    .replace(/<((?:https?|mailto):[^|<>]+)\|[^<>]*>/g, "$1")
    .replace(/<((?:https?|mailto):[^<>]+)>/g, "$1")
    .replace(/<#[A-Z0-9]+\|([^<>]*)>/g, "#$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return out.replace(/\s+/g, " ").trim();
}

/** Links previewed per message. */
const MAX_UNFURLS = 10;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
