import type { HttpRoute } from "../../plugins/api.ts";
import type { Adapter, AdapterServices } from "../core/adapter.ts";
import { activityFor } from "./card-action-answer.ts";
import {
  botFrameworkAuthentication,
  CallboardCloudAdapter,
  type BotFrameworkSettings,
  type InboundRequest,
} from "./cloud-adapter.ts";
import { Deadline } from "./deadline.ts";
import { readJsonBody, RequestBodyError, writeAnswer } from "./http-bridge.ts";
import { TEAMS } from "./teams-address.ts";
import { CallboardTeamsBot, INVOKE_BUDGET_MS, TURN_DEADLINE } from "./teams-bot.ts";
import { TeamsOutbox } from "./teams-outbox.ts";
import { teamsPacer, type TeamsPacingOptions } from "./teams-pacing.ts";

/** The Teams adapter's settings, given explicitly (the composition root reads them from its configuration). */
export interface TeamsAdapterConfig extends BotFrameworkSettings {
  /** Endpoint path on the one HTTP server. */
  path?: string;
  /** Overrides for the pacer (its clock, retry limits); the windows default to the Bot Connector's limits. */
  pacing?: TeamsPacingOptions;
  /** Add Data.Query typeahead to entity and owner pickers. */
  typeahead?: boolean;
  /**
   * Time from a request's arrival within which an invoke must be answered (roster, search and rendering
   * together). Teams gives message extensions 5 s; tests shorten it.
   */
  invokeBudgetMs?: number;
}

/**
 * Microsoft Teams as a chat adapter: activities arrive at POST /api/messages on the one HTTP server (the
 * token checked first, then the activity's shape), become the chat core's input, and answers go back as
 * Adaptive Cards; the outbox posts and edits messages later in any conversation the bot has seen. Every
 * outbound call goes through one pacer, per conversation, within the Bot Connector's limits.
 */
export function createTeamsAdapter(config: TeamsAdapterConfig, services: AdapterServices): Adapter {
  const { core, log } = services;
  const auth = botFrameworkAuthentication(config, services.production, log);
  const pacer = teamsPacer({
    ...config.pacing,
    onRetry: (info) => {
      log.warn(info, "teams: throttled by the Bot Connector; retrying");
      config.pacing?.onRetry?.(info);
    },
  });
  const cloud = new CallboardCloudAdapter(auth, pacer, log);
  cloud.onTurnError = async (_context, error) => {
    // Up to serve(), which logs it once and answers 500.
    throw error;
  };
  const outbox = new TeamsOutbox({
    adapter: cloud,
    appId: config.appId?.trim() ?? "",
    conversations: services.conversations,
    pacer,
    activityFor: (reply) => activityFor(core, reply),
  });
  const bot = new CallboardTeamsBot({
    core,
    ledger: services.ledger,
    conversations: services.conversations,
    log,
    typeahead: config.typeahead,
    post: (address, reply) => outbox.post(address, reply),
  });
  const invokeBudgetMs = config.invokeBudgetMs ?? INVOKE_BUDGET_MS;

  const route: HttpRoute = {
    method: "POST",
    path: config.path ?? "/api/messages",
    handler: async (req, res) => {
      // Teams counts its invoke time limit from when it sent the request, so the deadline starts here.
      const arrived = Date.now();
      const request: InboundRequest = { body: undefined, authorization: req.headers.authorization ?? "" };
      try {
        request.body = await readJsonBody(req);
      } catch (error) {
        const refused =
          error instanceof RequestBodyError ? error : new RequestBodyError(400, "Unreadable body.");
        // Too large to read at all; anything else waits until the token has been checked.
        if (refused.status === 413) return writeAnswer(res, { status: 413, body: `${refused.message}\n` });
        request.unreadable = refused;
      }
      const answer = await cloud.serve(request, (context) => {
        context.turnState.set(TURN_DEADLINE, Deadline.after(invokeBudgetMs, arrived));
        return bot.run(context);
      });
      writeAnswer(res, answer);
    },
  };

  return {
    name: TEAMS,
    capabilities: { ephemeral: false, modals: true, updateInPlace: true, threads: true },
    routes: [route],
    // Teams calls the HTTP route; there is nothing to start.
    start: async () => {},
    // The HTTP server stops taking activities; what they and the outbox queued is sent before this resolves.
    stop: () => pacer.drain(),
    post: (address, reply) => outbox.post(address, reply),
    update: (ref, reply) => outbox.update(ref, reply),
  };
}
