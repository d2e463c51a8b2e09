import type { TurnContext } from "botbuilder";
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
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
import type { Pacer } from "../core/pacer.ts";
import { checkActivity } from "./activity-shape.ts";
import { ConnectorClientCache } from "./connector-cache.ts";
import type { RequestBodyError, HttpAnswer } from "./http-bridge.ts";
import { baseConversationId } from "./teams-address.ts";

/** The Bot Framework settings Callboard takes (the composition root reads them from its configuration). */
export interface BotFrameworkSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  appType?: "MultiTenant" | "SingleTenant";
  /**
   * Extra Bot Framework authentication settings (ConfigurationBotFrameworkAuthentication keys such as
   * ToBotFromChannelOpenIdMetadataUrl or ToChannelFromBotLoginUrl) for sovereign clouds and for tests that
   * stand in for the Bot Framework's token service. Unset keys keep the public-cloud values.
   */
  authSettings?: Record<string, string>;
}

/**
 * turnState key set on a proactive turn whose sends the outbox already runs in the conversation's pacer lane
 * (pacing them again would wait for the lane it holds).
 */
export const PACED = Symbol("callboard.paced");

/** What POST /api/messages received: the parsed body, or why it could not be parsed. */
export interface InboundRequest {
  body: unknown;
  unreadable?: RequestBodyError;
  authorization: string;
}

/**
 * botbuilder's CloudAdapter, with every outbound send and update going through the pacer (per conversation,
 * within the Bot Connector's limits, retried when Teams throttles), and answering HTTP itself:
 * CloudAdapter.process runs a body it has not checked and answers 500 with the SDK's error message (a
 * TypeError for a missing field, "Invalid URL", a DNS failure) for anything that goes wrong.
 */
export class CallboardCloudAdapter extends CloudAdapter {
  constructor(
    auth: StrictBotFrameworkAuthentication,
    private readonly pacer: Pacer,
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
      if (
        activity.type === "invokeResponse" ||
        activity.type === "trace" ||
        !conversationId ||
        context.turnState.get(PACED)
      ) {
        responses.push(...(await super.sendActivities(context, [activity])));
        continue;
      }
      const [response] = await this.pacer.run(baseConversationId(conversationId), () =>
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
    if (context.turnState.get(PACED)) return super.updateActivity(context, activity);
    const key = baseConversationId(activity.conversation?.id ?? "");
    return this.pacer.run(key, () => super.updateActivity(context, activity));
  }
}

/**
 * botbuilder 4.23 lets jsonwebtoken's own errors (bad signature, wrong audience or issuer, malformed token)
 * escape as plain Errors, which CloudAdapter answers with 500. A token that fails verification is the
 * caller's fault: answer 401. Failures to reach the OpenID metadata stay 500.
 */
export class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
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
 * The Bot Framework authentication for `settings`. With an app id and password every request must carry a
 * valid Bot Framework token (the SDK checks it; anything else gets 401). Without an app id requests are not
 * authenticated at all, which is refused in production.
 */
export function botFrameworkAuthentication(
  settings: BotFrameworkSettings,
  production: boolean,
  log: Logger,
): StrictBotFrameworkAuthentication {
  const appId = settings.appId?.trim() ?? "";
  if (!appId) {
    if (production) {
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
  } else if (!settings.appPassword) {
    throw new Error(
      "Teams: MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not. Set the client secret of the Azure Bot " +
        "registration, or unset MICROSOFT_APP_ID for unauthenticated local development.",
    );
  }
  const appType = settings.appType ?? "MultiTenant";
  if (appId && appType === "SingleTenant" && !settings.tenantId) {
    throw new Error("Teams: MICROSOFT_APP_TYPE is SingleTenant but MICROSOFT_APP_TENANT_ID is not set.");
  }
  return new StrictBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appId ? (settings.appPassword ?? "") : "",
    MicrosoftAppType: appType,
    ...(settings.tenantId ? { MicrosoftAppTenantId: settings.tenantId } : {}),
    ...(settings.authSettings ? authSettingsWithDefaults(settings.authSettings) : {}),
  });
}
