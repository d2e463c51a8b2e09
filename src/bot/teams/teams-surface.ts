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
  type ClaimsIdentity,
  type ConnectorFactory,
} from "botframework-connector";
import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { HttpRoute } from "../../plugins/api.ts";
import type { ConversationStore, EventLedger, FormStateStore } from "../ports.ts";
import type { Router } from "../router.ts";
import { ConnectorClientCache } from "./connector-cache.ts";
import { bridgeResponse, readJsonBody, RequestBodyError } from "./http-bridge.ts";
import { OutboundPacer, type PacerOptions } from "./outbound-pacer.ts";
import { CallboardTeamsBot } from "./teams-bot.ts";

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
}

export interface TeamsSurface {
  routes: HttpRoute[];
  /** Post a Reply into a conversation the bot has seen (key: the Teams conversation id). Returns the activity id. */
  sendProactive(conversationKey: string, reply: Reply): Promise<string>;
  /** Replace an earlier proactive message (a progress card) in place. */
  updateProactive(conversationKey: string, activityId: string, reply: Reply): Promise<void>;
}

/** CloudAdapter whose outbound sends queue per conversation and back off when Teams throttles. */
class PacedCloudAdapter extends CloudAdapter {
  constructor(
    auth: StrictBotFrameworkAuthentication,
    private readonly pacer: OutboundPacer,
  ) {
    super(auth);
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
  const adapter = new PacedCloudAdapter(auth, pacer);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity?.type }, "teams: turn failed");
    // Rethrowing makes CloudAdapter answer 500, so Teams shows the failure instead of a silent nothing.
    throw error;
  };
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
      let body: unknown;
      try {
        body = await readJsonBody(req);
      } catch (error) {
        const status = error instanceof RequestBodyError ? error.status : 400;
        res.writeHead(status, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
        return;
      }
      const request = { body, headers: req.headers, method: req.method ?? "POST" };
      await adapter.process(request as never, bridgeResponse(res) as never, (context) => bot.run(context));
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
