import { createSlackSurface, type SlackSurface } from "../bot/slack/slack-surface.ts";
import { createTeamsSurface } from "../bot/teams/teams-surface.ts";
import { PrismaConversationStore } from "../db/conversation-store.ts";
import { PrismaEventLedger } from "../db/event-ledger.ts";
import { PrismaFormStateStore } from "../db/form-state-store.ts";
import { startJobs } from "../plugins/jobs.ts";
import type { OwnedRoute } from "../plugins/route-table.ts";
import type { App } from "./build-app.ts";
import { slackConfigured, teamsConfigured } from "./config.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { slackAliases } from "./slack-commands.ts";

export interface Serving {
  http: RunningHttpServer;
  slack?: SlackSurface;
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
  const formState = new PrismaFormStateStore(db.prisma);
  const routes: OwnedRoute[] = [...app.registry.ownedRoutes];
  const mounted: string[] = [];

  let slack: SlackSurface | undefined;
  if (slackConfigured(config)) {
    slack = createSlackSurface({
      router,
      ledger,
      formState,
      signingSecret: config.SLACK_SIGNING_SECRET!,
      botToken: config.SLACK_BOT_TOKEN!,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      log,
      // Only the aliases whose commands exist, so no slash command answers "I don't know the command".
      aliases: slackAliases(router),
    });
    routes.push(...slack.routes.map((route) => ({ route, owner: "the Slack adapter" })));
    mounted.push(config.SLACK_APP_TOKEN ? "Slack (Socket Mode)" : "Slack at /slack/events");
  }
  if (teamsConfigured(config)) {
    const teams = createTeamsSurface({
      router,
      ledger,
      formState,
      conversations: new PrismaConversationStore(db.prisma),
      appId: config.MICROSOFT_APP_ID,
      appPassword: config.MICROSOFT_APP_PASSWORD,
      tenantId: config.MICROSOFT_APP_TENANT_ID,
      appType: config.MICROSOFT_APP_TYPE,
      production: config.NODE_ENV === "production",
      log,
    });
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
      await jobsStopped;
    },
  };
}
