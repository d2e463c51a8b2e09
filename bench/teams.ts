/**
 * bench:teams: Teams activities over real HTTP against a 100k-entity catalog. The real botbuilder
 * CloudAdapter on the bot's HTTP server answers `who owns <component>` messages; replies go to a local Bot
 * Connector stand-in that checks every card against the Adaptive Card 1.5 schema and the size limit.
 *
 * Per activity it measures the response time of POST /api/messages (Teams waits on this; the turn, and so
 * the reply, is complete when it returns) and the time until the reply card reaches the connector. One in
 * ten activities is delivered twice, as a platform retry: each must be answered exactly once.
 *
 * The bot runs in its own process (as it would in production, apart from Teams' connector); the load
 * generator and the connector stand-in share this one, so their work does not steal the bot's event loop.
 *
 * Run: npm run bench:teams [-- --entities 100000]. Last line: one JSON object.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { startHttpServer } from "../src/app/http-server.ts";
import { Registry } from "../src/bot/registry.ts";
import { Router } from "../src/bot/router.ts";
import { BotConnectorStandIn } from "../test/fixtures/teams/bot-connector-stand-in.ts";
import {
  MemoryConversationStore,
  MemoryFormStateStore,
  MemoryEventLedger,
} from "../test/fixtures/memory-ports.ts";
import { createTeamsSurface } from "../src/bot/teams/teams-surface.ts";
import { catalogCommandsPlugin } from "../src/catalog/commands/catalog-plugin.ts";
import { CatalogGraph } from "../src/catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../src/catalog/graph/graph-resolver.ts";
import { entityRef } from "../src/catalog/model/ref.ts";
import { deriveRelations } from "../src/catalog/model/relations.ts";
import { generateOrganisation } from "./generate-org.ts";
import { round, summary } from "./stats.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ENTITIES = flag("entities", 100_000);
const RUNS: { concurrency: number; activities: number }[] = [
  { concurrency: 1, activities: flag("c1", 300) },
  { concurrency: 10, activities: flag("c10", 1000) },
  { concurrency: 100, activities: flag("c100", 3000) },
];
const log = pino({ level: "silent" });

const BOT_MODE = args.includes("--bot");

/** The bot process: catalog, router and Teams surface on the HTTP server; prints its URL and load time. */
async function runBot(): Promise<void> {
  const t = performance.now();
  const entities = generateOrganisation({ entities: ENTITIES, seed: 7 });
  const graph = new CatalogGraph();
  graph.upsert(
    entities.map((entity) => ({ ref: entityRef(entity), entity, relations: deriveRelations(entity).edges })),
  );
  const loadSeconds = (performance.now() - t) / 1000;
  const resolver = new GraphNameResolver(graph);
  const registry = new Registry(log);
  await registry.use(catalogCommandsPlugin({ graph, resolver: () => resolver }));
  const surface = createTeamsSurface({
    router: new Router(registry, log),
    ledger: new MemoryEventLedger(),
    conversations: new MemoryConversationStore(),
    formState: new MemoryFormStateStore(),
    production: false,
    log,
  });
  const server = await startHttpServer({ routes: surface.routes, port: 0, host: "127.0.0.1", log });
  console.log(JSON.stringify({ url: server.url, entities: graph.size, loadSeconds }));
}

if (BOT_MODE) {
  await runBot();
} else {
  await runLoad();
}

async function startBot(): Promise<{ url: string; entities: number; loadSeconds: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--bot", ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith("{")) {
      const info = JSON.parse(line) as { url: string; entities: number; loadSeconds: number };
      return { ...info, stop: () => child.kill("SIGTERM") };
    }
  }
  throw new Error("bench:teams: the bot process ended before it was ready");
}

async function runLoad(): Promise<void> {
  // The questions: the same seeded organisation the bot loads, so every name exists.
  const entities = generateOrganisation({ entities: ENTITIES, seed: 7 });
  const components = entities.filter((e) => e.kind === "Component").map((e) => e.metadata.name);
  const users = entities
    .filter((e) => e.kind === "User")
    .slice(0, 200)
    .map((e, i) => ({
      id: `29:bench-user-${i}`,
      aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      name: e.metadata.name,
      email: (e.spec?.profile as { email?: string } | undefined)?.email,
    }));

  const connector = new BotConnectorStandIn();
  const serviceUrl = await connector.start();
  for (const user of users) connector.members.set(user.id, { ...user, userPrincipalName: user.email });
  const bot = await startBot();
  const endpoint = `${bot.url}/api/messages`;

  let seed = 42;
  const pick = <T>(items: T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return items[seed % items.length]!;
  };

  let serial = 0;
  function activity(): { id: string; conversationId: string; body: string } {
    const n = serial++;
    const user = users[n % users.length]!;
    // One conversation per activity: many people asking at once, so Teams' per-conversation pacing
    // (7 a second) does not stand in for the bot's own speed.
    const conversationId = `a:bench-${n}`;
    const id = `bench-${n}`;
    const body = JSON.stringify({
      type: "message",
      id,
      channelId: "msteams",
      serviceUrl,
      timestamp: new Date().toISOString(),
      text: `who owns ${pick(components)}`,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: "28:bench-bot", name: "Callboard" },
      conversation: { id: conversationId, conversationType: "personal", tenantId: "bench-tenant" },
      channelData: { tenant: { id: "bench-tenant" } },
    });
    return { id, conversationId, body };
  }

  async function postActivity(body: string): Promise<number> {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  interface RunResult {
    response: ReturnType<typeof summary>;
    delivered: ReturnType<typeof summary>;
    lost: number;
    duplicates: number;
    errors: number;
    throughput: number;
  }

  async function run(concurrency: number, count: number): Promise<RunResult> {
    const started = new Map<string, number>();
    const response: number[] = [];
    let errors = 0;
    let next = 0;
    const firstCall = connector.calls.length;
    const begin = performance.now();
    async function worker(): Promise<void> {
      while (next < count) {
        const i = next++;
        const a = activity();
        const t0 = performance.now();
        started.set(a.conversationId, t0);
        const status = await postActivity(a.body);
        response.push(performance.now() - t0);
        if (status !== 200) errors++;
        // A platform retry of the same activity: must be acknowledged and not answered again.
        if (i % 10 === 0 && (await postActivity(a.body)) !== 200) errors++;
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (performance.now() - begin) / 1000;
    // Replies are sent inside the turn, so they are all in by now; allow stragglers a moment anyway.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const replies = new Map<string, number[]>();
    for (const call of connector.calls.slice(firstCall)) {
      const list = replies.get(call.conversationId) ?? [];
      list.push(call.at);
      replies.set(call.conversationId, list);
    }
    const delivered: number[] = [];
    let lost = 0;
    let duplicates = 0;
    for (const [conversationId, t0] of started) {
      const arrivals = replies.get(conversationId);
      if (!arrivals) {
        lost++;
        continue;
      }
      duplicates += arrivals.length - 1;
      delivered.push(arrivals[0]! - t0);
    }
    return {
      response: summary(response),
      delivered: summary(delivered),
      lost,
      duplicates,
      errors,
      throughput: round(count / elapsed, 1),
    };
  }

  // Warm up the JIT, the roster cache and the connection pool before measuring.
  await run(10, 200);
  const results: Record<number, RunResult> = {};
  for (const { concurrency, activities } of RUNS) {
    results[concurrency] = await run(concurrency, activities);
    const r = results[concurrency]!;
    console.log(
      `c${concurrency}: ${activities} activities, ${r.throughput}/s; response p50 ${r.response.p50} ms p99 ${r.response.p99} ms; ` +
        `reply at connector p50 ${r.delivered.p50} ms p99 ${r.delivered.p99} ms; lost ${r.lost}, duplicates ${r.duplicates}, errors ${r.errors}`,
    );
  }
  bot.stop();
  await connector.stop();

  const metrics: Record<string, number> = {};
  for (const [c, r] of Object.entries(results)) {
    metrics[`reply_p50_ms_c${c}`] = r.response.p50;
    metrics[`reply_p99_ms_c${c}`] = r.response.p99;
    metrics[`delivered_p50_ms_c${c}`] = r.delivered.p50;
    metrics[`delivered_p99_ms_c${c}`] = r.delivered.p99;
    metrics[`throughput_per_s_c${c}`] = r.throughput;
  }
  metrics.lost = Object.values(results).reduce((n, r) => n + r.lost, 0);
  metrics.duplicates = Object.values(results).reduce((n, r) => n + r.duplicates, 0);
  metrics.errors = Object.values(results).reduce((n, r) => n + r.errors, 0);
  metrics.card_problems = connector.problems.length;
  metrics.connector_connections = connector.connections;
  console.log(
    JSON.stringify({
      bench: "teams",
      entities: bot.entities,
      catalog_load_s: round(bot.loadSeconds, 2),
      metrics,
    }),
  );
}
