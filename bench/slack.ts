/**
 * bench:slack: signed slash commands over real HTTP against a 100k-entity catalog. The real Bolt HTTP
 * receiver on the bot's one HTTP server verifies each request and acks; the answer goes to the command's
 * response_url on a local Slack stand-in that checks every message against Slack's limits.
 *
 * Per command it measures the ack (the HTTP response Slack waits 3 s for) and the time until the answer
 * reaches the stand-in, at concurrency 1, 10 and 100; then counts commands never answered and answered
 * more than once.
 *
 * Run: npm run bench:slack [-- --entities 100000 --c1 300 --c10 1000 --c100 3000]. Last line: one JSON object.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import { startHttpServer } from "../src/app/http-server.ts";
import { Registry } from "../src/bot/registry.ts";
import { Router } from "../src/bot/router.ts";
import { createSlackSurface } from "../src/bot/slack/slack-surface.ts";
import { catalogCommandsPlugin } from "../src/catalog/commands/catalog-plugin.ts";
import { CatalogGraph } from "../src/catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../src/catalog/graph/graph-resolver.ts";
import { entityRef } from "../src/catalog/model/ref.ts";
import { deriveRelations } from "../src/catalog/model/relations.ts";
import { FakeSlackApi } from "../test/fixtures/slack/fake-slack-api.ts";
import { MemoryEventLedger, MemoryFormStateStore } from "../test/fixtures/memory-ports.ts";
import { sendSigned, SIGNING_SECRET, slashCommandBody } from "../test/fixtures/slack/slack-requests.ts";
import { generateOrganisation } from "./generate-org.ts";
import { round, summary } from "./stats.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ENTITIES = flag("entities", 100_000);
const RUNS: { concurrency: number; commands: number }[] = [
  { concurrency: 1, commands: flag("c1", 300) },
  { concurrency: 10, commands: flag("c10", 1000) },
  { concurrency: 100, commands: flag("c100", 3000) },
];
const BOT_TOKEN = "xoxb-bench-0000-callboard";
const log = pino({ level: "silent" });

// ---- the catalog --------------------------------------------------------------------------------------
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
const router = new Router(registry, log);
const components = entities.filter((e) => e.kind === "Component").map((e) => e.metadata.name);

// ---- the stand-in and the bot ---------------------------------------------------------------------------
const api = new FakeSlackApi(BOT_TOKEN);
await api.start();
const people = entities
  .filter((e) => e.kind === "User")
  .slice(0, 200)
  .map((e, i) => ({
    id: `U0BENCH${String(i).padStart(4, "0")}`,
    name: e.metadata.name,
    email: (e.spec?.profile as { email?: string } | undefined)?.email,
  }));
for (const person of people) api.addPerson(person);
const surface = createSlackSurface({
  router,
  ledger: new MemoryEventLedger(),
  formState: new MemoryFormStateStore(),
  signingSecret: SIGNING_SECRET,
  botToken: BOT_TOKEN,
  apiUrl: api.apiUrl,
  log,
});
await surface.start();
const server = await startHttpServer({ routes: surface.routes, port: 0, host: "127.0.0.1", log });

let seed = 42;
const pick = <T>(items: T[]): T => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return items[seed % items.length]!;
};

interface RunResult {
  ack: ReturnType<typeof summary>;
  answer: ReturnType<typeof summary>;
  lost: number;
  duplicates: number;
  errors: number;
  throughput: number;
}

let serial = 0;
async function run(concurrency: number, count: number): Promise<RunResult> {
  const started = new Map<string, number>();
  const acks: number[] = [];
  let errors = 0;
  let next = 0;
  const firstCall = api.calls.length;
  const begin = performance.now();
  async function worker(): Promise<void> {
    while (next < count) {
      next++;
      const id = `cmd-${serial++}`;
      const person = people[serial % people.length]!;
      const body = slashCommandBody(
        "/callboard",
        `who owns ${pick(components)}`,
        api.responseUrl(id),
        `bench.${id}.trigger`,
        { userId: person.id, userName: person.name },
        `C0BENCH${serial % 50}`,
      );
      const t0 = performance.now();
      started.set(id, t0);
      const sent = await sendSigned(server.url, body, "application/x-www-form-urlencoded");
      acks.push(sent.ackMs);
      if (sent.status !== 200) errors++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - begin) / 1000;
  // Answers follow the ack; wait until every command has one or nothing has arrived for 2 s.
  let seen = -1;
  for (let quiet = 0; quiet < 20;) {
    const arrived = new Set(api.calls.slice(firstCall).map((c) => c.responseId)).size;
    if (arrived >= count) break;
    quiet = arrived === seen ? quiet + 1 : 0;
    seen = arrived;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const answers = new Map<string, number[]>();
  for (const call of api.calls.slice(firstCall)) {
    if (!call.responseId) continue;
    const list = answers.get(call.responseId) ?? [];
    list.push(call.at);
    answers.set(call.responseId, list);
  }
  const answer: number[] = [];
  let lost = 0;
  let duplicates = 0;
  for (const [id, t0] of started) {
    const arrivals = answers.get(id);
    if (!arrivals) {
      lost++;
      continue;
    }
    duplicates += arrivals.length - 1;
    answer.push(arrivals[0]! - t0);
  }
  return {
    ack: summary(acks),
    answer: summary(answer),
    lost,
    duplicates,
    errors,
    throughput: round(count / elapsed, 1),
  };
}

// Warm up the JIT, the users.info cache and the connection pool before measuring.
await run(10, 300);
const results: Record<number, RunResult> = {};
for (const { concurrency, commands } of RUNS) {
  results[concurrency] = await run(concurrency, commands);
  const r = results[concurrency]!;
  console.log(
    `c${concurrency}: ${commands} commands, ${r.throughput}/s; ack p50 ${r.ack.p50} ms p99 ${r.ack.p99} ms; ` +
      `answer at stand-in p50 ${r.answer.p50} ms p99 ${r.answer.p99} ms; lost ${r.lost}, duplicates ${r.duplicates}, errors ${r.errors}`,
  );
}
await surface.stop();
await server.close();
await api.stop();

const metrics: Record<string, number> = {};
for (const [c, r] of Object.entries(results)) {
  metrics[`ack_p50_ms_c${c}`] = r.ack.p50;
  metrics[`ack_p99_ms_c${c}`] = r.ack.p99;
  metrics[`answer_p50_ms_c${c}`] = r.answer.p50;
  metrics[`answer_p99_ms_c${c}`] = r.answer.p99;
  metrics[`throughput_per_s_c${c}`] = r.throughput;
}
metrics.lost = Object.values(results).reduce((n, r) => n + r.lost, 0);
metrics.duplicates = Object.values(results).reduce((n, r) => n + r.duplicates, 0);
metrics.errors = Object.values(results).reduce((n, r) => n + r.errors, 0);
metrics.limit_violations = api.violations.length;
metrics.users_info_calls = api.callsTo("users.info").length;
console.log(
  JSON.stringify({
    bench: "slack",
    entities: ENTITIES,
    catalog_load_s: round(loadSeconds, 2),
    node: process.version,
    metrics,
  }),
);
