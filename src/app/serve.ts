import { join } from "node:path";
import type { Adapter } from "../bot/core/adapter.ts";
import { ChatCore } from "../bot/core/chat-core.ts";
import { Continuations } from "../bot/core/continuations.ts";
import { FormSessions } from "../bot/core/form-sessions.ts";
import { createSlackAdapter, type SlackAdapter } from "../bot/slack/slack-adapter.ts";
import { createTeamsAdapter } from "../bot/teams/teams-adapter.ts";
import { PrismaContinuationStore } from "../db/continuation-store.ts";
import { PrismaConversationStore } from "../db/conversation-store.ts";
import { PrismaEventLedger } from "../db/event-ledger.ts";
import { PrismaFormSessionStore } from "../db/form-session-store.ts";
import { SecretBox } from "../state/secret-box.ts";
import { startJobs } from "../plugins/jobs.ts";
import type { OwnedRoute } from "../plugins/route-table.ts";
import type { App } from "./build-app.ts";
import { slackConfigured, teamsConfigured } from "./config.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { slackAliases } from "./slack-commands.ts";

export interface Serving {
  http: RunningHttpServer;
  slack?: SlackAdapter;
  stop(): Promise<void>;
}

/**
 * Server mode: the configured chat surfaces on the one HTTP server. The surfaces get their state
 * (retry de-duplication, form state, conversation references) from the database, so any replica can
 * take any request.
 */
export async function serve(app: App): Promise<Serving> {
  const { config, log, router, db } = app;
  const ledger = new PrismaEventLedger(db.prisma);
  const routes: OwnedRoute[] = [...app.registry.ownedRoutes];
  const mounted: string[] = [];

  let slack: SlackAdapter | undefined;
  if (slackConfigured(config)) {
    slack = createSlackAdapter(
      {
        signingSecret: config.SLACK_SIGNING_SECRET!,
        botToken: config.SLACK_BOT_TOKEN!,
        ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
        ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
        // Only the aliases whose commands exist, so no slash command answers "I don't know the command".
        aliases: slackAliases(router),
      },
      {
        core: chatCore(app),
        ledger,
        conversations: new PrismaConversationStore(db.prisma),
        log,
        baseUrl: config.CALLBOARD_BASE_URL ?? `http://localhost:${config.PORT}`,
        production: config.NODE_ENV === "production",
      },
    );
    routes.push(...slack.routes.map((route) => ({ route, owner: "the Slack adapter" })));
    mounted.push(config.SLACK_APP_TOKEN ? "Slack (Socket Mode)" : "Slack at /slack/events");
  }
  let teams: Adapter | undefined;
  if (teamsConfigured(config)) {
    teams = createTeamsAdapter(
      {
        appId: config.MICROSOFT_APP_ID,
        appPassword: config.MICROSOFT_APP_PASSWORD,
        tenantId: config.MICROSOFT_APP_TENANT_ID,
        appType: config.MICROSOFT_APP_TYPE,
      },
      {
        core: chatCore(app),
        ledger,
        conversations: new PrismaConversationStore(db.prisma),
        log,
        baseUrl: config.CALLBOARD_BASE_URL ?? `http://localhost:${config.PORT}`,
        production: config.NODE_ENV === "production",
      },
    );
    routes.push(...teams.routes.map((route) => ({ route, owner: "the Teams adapter" })));
    mounted.push("Teams at /api/messages");
  }

  const http = await startHttpServer({ routes, port: config.PORT, host: config.HOST, log });
  try {
    await slack?.start();
  } catch (error) {
    // A refused Slack token must not leave the port open and the process running.
    await http.close(0);
    throw error;
  }
  const jobs = startJobs(app.registry.jobs, { log, outbox: app.outbox });
  log.info({ url: http.url, surfaces: mounted, entities: app.catalog.graph.size }, "Callboard is serving");
  return {
    http,
    slack,
    stop: async () => {
      // New work stops first; then what was accepted finishes: HTTP requests in flight, then the Slack
      // answers they queued, then the jobs' work under way (a catalog refresh half way through its locations).
      const jobsStopped = jobs.stop();
      await http.close();
      await slack?.stop();
      await teams?.stop();
      await jobsStopped;
    },
  };
}

/**
 * The chat core over the database's form sessions and continuations, so any replica can take a form's next page
 * or a "Show more". Secret form fields are sealed with a key kept in the data directory.
 */
function chatCore(app: App): ChatCore {
  const { db, log, registry, router } = app;
  const forms = new FormSessions({
    store: new PrismaFormSessionStore(db.prisma),
    secrets: SecretBox.fromKeyFile(join(app.config.CALLBOARD_DATA_DIR, "secret.key")),
    definition: (id) => registry.forms.get(id),
    contextFor: async (origin, user) => ({
      args: "",
      flags: {},
      text: origin.text,
      user: await router.identify(user),
      conversation: origin.conversation,
      log,
    }),
    log,
  });
  return new ChatCore(router, forms, new Continuations(new PrismaContinuationStore(db.prisma)), log);
}
