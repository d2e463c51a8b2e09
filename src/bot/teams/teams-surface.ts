import type { TurnContext } from "botbuilder";
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from "botbuilder";
import {
  AuthenticationConstants,
  AuthenticationError,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorFactory,
} from "botframework-connector";
import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { HttpRoute } from "../../plugins/api.ts";
import type { ConversationStore, EventLedger, FormStateStore } from "../ports.ts";
import type { Router } from "../router.ts";
import { checkActivity } from "./activity-shape.ts";
import { ConnectorClientCache } from "./connector-cache.ts";
import { Deadline } from "./deadline.ts";
import { readJsonBody, RequestBodyError, writeAnswer, type HttpAnswer } from "./http-bridge.ts";
import { OutboundPacer, type PacerOptions } from "./outbound-pacer.ts";
import { CallboardTeamsBot, INVOKE_BUDGET_MS, TURN_DEADLINE } from "./teams-bot.ts";

export interface TeamsSurfaceOptions {
  router: Router;
  ledger: EventLedger;
  conversations: ConversationStore;
  formState: FormStateStore;
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  appType?: "MultiTenant" | "SingleTenant";
  production: boolean;
  log: Logger;
  /** Endpoint path on the one HTTP server. */
  path?: string;
  /**
   * Extra Bot Framework authentication settings (ConfigurationBotFrameworkAuthentication keys such as
   * ToBotFromChannelOpenIdMetadataUrl or ToChannelFromBotLoginUrl) for sovereign clouds and for tests that
   * stand in for the Bot Framework's token service. Unset keys keep the public-cloud values.
   */
  authSettings?: Record<string, string>;
  pacing?: PacerOptions;
  typeahead?: boolean;
  /**
   * Time from a request's arrival within which an invoke must be answered (roster, search and rendering
   * together). Teams gives message extensions 5 s; tests shorten it.
   */
  invokeBudgetMs?: number;
}

export interface TeamsSurface {
  routes: HttpRoute[];
  /** Post a Reply into a conversation the bot has seen (key: the Teams conversation id). Returns the activity id. */
  sendProactive(conversationKey: string, reply: Reply): Promise<string>;
  /** Replace an earlier proactive message (a progress card) in place. */
  updateProactive(conversationKey: string, activityId: string, reply: Reply): Promise<void>;
}

/** What POST /api/messages received: the parsed body, or why it could not be parsed. */
interface InboundRequest {
  body: unknown;
  unreadable?: RequestBodyError;
  authorization: string;
}

/**
 * CloudAdapter whose outbound sends queue per conversation and back off when Teams throttles, and which
 * answers HTTP itself: CloudAdapter.process runs a body it has not checked and answers 500 with the SDK's
 * error message (a TypeError for a missing field, "Invalid URL", a DNS failure) for anything that goes wrong.
 */
class CallboardCloudAdapter extends CloudAdapter {
  constructor(
    auth: StrictBotFrameworkAuthentication,
    private readonly pacer: OutboundPacer,
    private readonly log: Logger,
  ) {
    super(auth);
  }

  /**
   * The token first (an unsigned body gets 401 whatever it holds), then the activity's shape (400 naming the
   * field, before any outbound call), then the turn. Failures answer with a short fixed text; the details go
   * to the log only.
   */
  async serve(request: InboundRequest, logic: (context: TurnContext) => Promise<void>): Promise<HttpAnswer> {
    let auth: AuthenticateRequestResult;
    try {
      auth = await this.botFrameworkAuthentication.authenticateRequest(
        credentialFields(request.body) as Activity,
        request.authorization,
      );
    } catch (error) {
      if (error instanceof AuthenticationError) {
        this.log.debug({ reason: error.message }, "teams: request refused");
        return { status: error.statusCode === 403 ? 403 : 401, body: "Unauthorized\n" };
      }
      this.log.error({ err: error }, "teams: could not check the request's token");
      return { status: 500, body: "Internal error\n" };
    }
    if (request.unreadable)
      return { status: request.unreadable.status, body: `${request.unreadable.message}\n` };
    const checked = checkActivity(request.body);
    if ("problem" in checked) {
      // With authentication on, only the Bot Connector gets this far: a refusal here is a shape we do not know.
      this.log.warn({ problem: checked.problem }, "teams: malformed activity refused");
      return { status: 400, body: `${checked.problem}\n` };
    }
    try {
      const invoke = await this.processActivity(auth, checked.activity, logic);
      return { status: invoke?.status ?? 200, body: invoke?.body };
    } catch (error) {
      this.log.error(
        { err: error, activityType: checked.activity.type, name: checked.activity.name },
        "teams: turn failed",
      );
      // Teams shows the failure instead of a silent nothing; the person never sees the error itself.
      return { status: 500, body: "Internal error\n" };
    }
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const conversationId = activity.conversation?.id;
      if (activity.type === "invokeResponse" || activity.type === "trace" || !conversationId) {
        responses.push(...(await super.sendActivities(context, [activity])));
        continue;
      }
      const [response] = await this.pacer.run(conversationId, () =>
        super.sendActivities(context, [{ ...activity }]),
      );
      responses.push(response!);
    }
    return responses;
  }

  override async updateActivity(
    context: TurnContext,
    activity: Partial<Activity>,
  ): Promise<ResourceResponse | void> {
    const conversationId = activity.conversation?.id ?? "";
    return this.pacer.run(conversationId, () => super.updateActivity(context, activity));
  }
}

/**
 * botbuilder 4.23 lets jsonwebtoken's own errors (bad signature, wrong audience or issuer, malformed token)
 * escape as plain Errors, which CloudAdapter answers with 500. A token that fails verification is the
 * caller's fault: answer 401. Failures to reach the OpenID metadata stay 500.
 */
class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new ConnectorClientCache();

  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication["authenticateRequest"]>
  ): ReturnType<ConfigurationBotFrameworkAuthentication["authenticateRequest"]> {
    try {
      const result = await super.authenticateRequest(...args);
      if (!result.connectorFactory) return result;
      return { ...result, connectorFactory: this.reuse(result.connectorFactory, result.claimsIdentity) };
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === "JsonWebTokenError" || name === "NotBeforeError" || name === "TokenExpiredError") {
        throw new AuthenticationError(`Unauthorized: ${(error as Error).message}`, 401);
      }
      throw error;
    }
  }

  /** Proactive sends (continueConversationAsync) reuse connector clients too. */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reuse(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  private reuse(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId =
      claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
      claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
      "";
    return this.connectors.wrap(factory, appId);
  }
}

/**
 * The fields token validation reads (channel endorsement, the serviceurl claim, the emulator's skill role),
 * as strings: the body is not checked yet, and a number where the SDK expects a string is a TypeError there.
 */
function credentialFields(body: unknown): Partial<Activity> {
  const fields =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const recipient = fields.recipient as { role?: unknown } | undefined;
  return {
    channelId: text(fields.channelId),
    serviceUrl: text(fields.serviceUrl),
    ...(typeof recipient?.role === "string" ? { recipient: { id: "", name: "", role: recipient.role } } : {}),
  };
}

/** Settings that must be given together once any one of them is overridden (the SDK then uses no defaults). */
function authSettingsWithDefaults(overrides: Record<string, string>): Record<string, string> {
  return {
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: "urn:botframework:azure",
    ...overrides,
  };
}

/**
 * Microsoft Teams on the bot's one HTTP server (POST /api/messages). With an app id and password every
 * request must carry a valid Bot Framework token (the SDK checks it; anything else gets 401). Without an
 * app id requests are not authenticated at all, which is refused in production.
 */
export function createTeamsSurface(options: TeamsSurfaceOptions): TeamsSurface {
  const { log } = options;
  const appId = options.appId?.trim() ?? "";
  if (!appId) {
    if (options.production) {
      throw new Error(
        "Teams: MICROSOFT_APP_ID is not set, and in production every request to /api/messages must carry a Bot " +
          "Framework token checked against it. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (from the Azure Bot " +
          "registration), or turn Teams off with TEAMS_ENABLED=false.",
      );
    }
    log.warn(
      "TEAMS IS RUNNING WITHOUT AUTHENTICATION: MICROSOFT_APP_ID is not set, so anyone who can reach " +
        "/api/messages can post activities as any user. Use this only for local development and tests.",
    );
  } else if (!options.appPassword) {
    throw new Error(
      "Teams: MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not. Set the client secret of the Azure Bot " +
        "registration, or unset MICROSOFT_APP_ID for unauthenticated local development.",
    );
  }
  const appType = options.appType ?? "MultiTenant";
  if (appId && appType === "SingleTenant" && !options.tenantId) {
    throw new Error("Teams: MICROSOFT_APP_TYPE is SingleTenant but MICROSOFT_APP_TENANT_ID is not set.");
  }

  const settings: Record<string, string> = {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appId ? (options.appPassword ?? "") : "",
    MicrosoftAppType: appType,
    ...(options.tenantId ? { MicrosoftAppTenantId: options.tenantId } : {}),
    ...(options.authSettings ? authSettingsWithDefaults(options.authSettings) : {}),
  };
  const auth = new StrictBotFrameworkAuthentication(settings);
  const pacer = new OutboundPacer({
    ...options.pacing,
    onRetry: (info) => {
      log.warn(info, "teams: throttled by the Bot Connector; retrying");
      options.pacing?.onRetry?.(info);
    },
  });
  const adapter = new CallboardCloudAdapter(auth, pacer, log);
  adapter.onTurnError = async (_context, error) => {
    // Up to serve(), which logs it once and answers 500.
    throw error;
  };
  const invokeBudgetMs = options.invokeBudgetMs ?? INVOKE_BUDGET_MS;
  const bot = new CallboardTeamsBot({
    router: options.router,
    ledger: options.ledger,
    conversations: options.conversations,
    formState: options.formState,
    log,
    typeahead: options.typeahead,
  });

  const route: HttpRoute = {
    method: "POST",
    path: options.path ?? "/api/messages",
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
      const answer = await adapter.serve(request, (context) => {
        context.turnState.set(TURN_DEADLINE, Deadline.after(invokeBudgetMs, arrived));
        return bot.run(context);
      });
      writeAnswer(res, answer);
    },
  };

  async function reference(conversationKey: string): Promise<Partial<ConversationReference>> {
    const stored = (await options.conversations.get(conversationKey)) as
      Partial<ConversationReference> | undefined;
    if (!stored?.serviceUrl || !stored.conversation?.id) {
      throw new Error(
        `Teams: no conversation "${conversationKey}" is known. Callboard learns a conversation when it is installed ` +
          "there or receives a message from it; add the app to that chat or channel first.",
      );
    }
    return stored;
  }

  return {
    routes: [route],
    async sendProactive(conversationKey, answer) {
      const ref = await reference(conversationKey);
      let id = "";
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        const sent = await context.sendActivity(await bot.activityFor(answer));
        id = sent?.id ?? "";
      });
      return id;
    },
    async updateProactive(conversationKey, activityId, answer) {
      const ref = await reference(conversationKey);
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        const activity = await bot.activityFor(answer);
        await context.updateActivity({
          ...activity,
          id: activityId,
          conversation: context.activity.conversation,
        });
      });
    },
  };
}
