import { App, LogLevel } from "@slack/bolt";
import { WebClient, type RetryOptions, type WebClientOptions } from "@slack/web-api";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRoute } from "../../plugins/api.ts";
import type { Adapter, AdapterServices } from "../core/adapter.ts";
import { AnswerDelivery } from "./answer-delivery.ts";
import { AnswerQueue } from "./answer-queue.ts";
import { boltLogger } from "./bolt-logger.ts";
import { ResponseUrlPoster } from "./response-url.ts";
import { registerEvents } from "./slack-events.ts";
import { SlackHttpReceiver } from "./slack-http-receiver.ts";
import { registerInteractions } from "./slack-interactions.ts";
import { registerModals } from "./slack-modals.ts";
import { SlackOutbox } from "./slack-outbox.ts";
import { SlackPacer, type SlackPacerOptions } from "./slack-pacing.ts";
import { fitMessage, SlackRuntime } from "./slack-runtime.ts";
import { SlackUserDirectory } from "./slack-user-directory.ts";
import { SLACK_SLASH_ALIASES } from "./slash-aliases.ts";

/** The Slack adapter's settings (its section of the configuration; the composition root reads them). */
export interface SlackAdapterConfig {
  signingSecret: string;
  botToken: string;
  /** An app-level token (xapp-…): use Socket Mode instead of the HTTP endpoint. */
  appToken?: string;
  /** Web API base URL; a local stand-in in tests and benchmarks. */
  apiUrl?: string;
  /** Extra slash commands besides /callboard; each maps to the command words of the same name. */
  aliases?: string[];
  /** Where Slack posts events, commands and interactions on the bot's HTTP server. */
  path?: string;
  /** Web API retry policy for network errors and 5xx; short by default so a person never waits minutes. */
  retryConfig?: RetryOptions;
  /** Web API request timeout. */
  timeoutMs?: number;
  /** Slack's rate limits, and a clock, for tests of the pacing itself. */
  pacing?: SlackPacerOptions;
  /** The clock request timestamps are checked against (tests pin it to probe the five-minute window). */
  now?: () => number;
}

export interface SlackAdapter extends Adapter {
  /** Resolves when every queued answer and paced Slack call has been made. */
  drain(): Promise<void>;
}

/**
 * Slack as a chat adapter: Bolt's App on our own receiver (signatures, the five-minute window, hostile bodies)
 * or Socket Mode; every request acked first and answered from a queue; each event answered once across
 * retries and replicas; answers rendered as Block Kit within Slack's limits and sent at Slack's pace.
 * Everything else (commands, forms, "Show more") is the chat core's.
 */
export function createSlackAdapter(config: SlackAdapterConfig, services: AdapterServices): SlackAdapter {
  const { core, ledger } = services;
  const log = services.log.child({ surface: "slack" });
  if (!config.signingSecret && !config.appToken) {
    throw new Error("Slack: SLACK_SIGNING_SECRET is empty. Copy it from the app's Basic Information page.");
  }
  if (!config.botToken) {
    throw new Error("Slack: SLACK_BOT_TOKEN is empty. Install the app and copy its xoxb- token.");
  }
  const path = config.path ?? "/slack/events";
  const logger = boltLogger(log);
  const clientOptions: WebClientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    logger,
    // The client's default retries for about 30 minutes; an answer that late is worse than an error.
    retryConfig: config.retryConfig ?? {
      retries: 2,
      factor: 2,
      minTimeout: 300,
      maxTimeout: 2000,
      maxRetryTime: 6000,
    },
    timeout: config.timeoutMs ?? 5000,
    // A 429 comes back to the caller: the pacer waits out its Retry-After for that channel alone, where the
    // client would pause every request it has, for every channel.
    rejectRateLimitedCalls: true,
  };
  const client = new WebClient(config.botToken, clientOptions);
  const pacer = new SlackPacer({
    onRetry: (info) => log.warn(info, "Slack is rate limiting; waiting as it asked"),
    ...config.pacing,
  });
  const responses = new ResponseUrlPoster(config.timeoutMs ?? 5000);
  const answers = new AnswerQueue((error) => log.error({ err: error }, "answer failed"));
  const fit = fitMessage(core);
  const delivery = new AnswerDelivery(client, pacer, responses, fit, log, () => rt.botUserId);
  const rt: SlackRuntime = new SlackRuntime(
    core,
    client,
    pacer,
    delivery,
    answers,
    ledger,
    new SlackUserDirectory(client, log),
    log,
  );
  const outbox = new SlackOutbox(client, pacer, fit);

  const socketMode = Boolean(config.appToken);
  const receiver = socketMode
    ? undefined
    : new SlackHttpReceiver({
        signingSecret: config.signingSecret,
        log,
        ...(config.now ? { now: config.now } : {}),
      });
  const app = new App({
    token: config.botToken,
    ...(socketMode ? { socketMode: true, appToken: config.appToken } : { receiver }),
    logger,
    logLevel: logger.getLevel() ?? LogLevel.INFO,
    clientOptions: { ...clientOptions },
    // Bolt's conversation-state middleware is unused here; it would cost a lookup on every request.
    convoStore: false,
    // auth.test (the bot's own user id, to strip mentions) runs once in start(), not per request.
    deferInitialization: true,
  });

  registerEvents(app, rt);
  registerInteractions(app, rt, ["/callboard", ...(config.aliases ?? Object.keys(SLACK_SLASH_ALIASES))]);
  registerModals(app, rt);
  app.error(async (error) => {
    log.error({ err: error }, "Slack listener failed");
  });

  const routes: HttpRoute[] = receiver
    ? [
        {
          method: "POST",
          path,
          // The receiver reads and verifies the request, answers what is not Slack's, and hands the rest to
          // the App with an ack that writes this response.
          handler: (req: IncomingMessage, res: ServerResponse) => receiver.handle(req, res),
        },
      ]
    : [];

  const drain = async () => {
    await answers.drain();
    await pacer.drain();
  };
  let started = false;
  return {
    name: "slack",
    capabilities: { ephemeral: true, modals: true, updateInPlace: true, threads: true },
    routes,
    drain,
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
      await drain();
      responses.close();
    },
    post: (address, answer) => outbox.post(address, answer),
    update: (ref, answer) => outbox.update(ref, answer),
  };
}
