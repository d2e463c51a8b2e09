/**
 * bench:slack: signed slash commands over real HTTP against a 100k-entity catalog. The Slack HTTP
 * receiver on the bot's one HTTP server verifies each request and acks; the answer goes to the command's
 * response_url on a local Slack stand-in that checks every message against Slack's limits.
 *
 * Processes: the bot (catalog, router, Slack adapter, HTTP server) runs in a child process of its own, as in
 * production; the load generator and the Slack stand-in share this one, so their work is not charged to the
 * bot's event loop. `--profile` writes a CPU profile of the bot process to $TMPDIR/callboard-bench-profiles/.
 *
 * Semantics of "concurrency N" (closed loop): N virtual users, each a different person in one of many
 * channels, send a command, wait for its ack, then wait for its ANSWER to reach the stand-in, and only then
 * send the next. That is what N people at their keyboards do, so at most N commands are in the bot at a
 * time; an open loop would offer unbounded load and every latency would grow without limit. Each run is
 * timed in its steady state: a lead-in of max(100, 2N) commands in the same loop goes first, unmeasured,
 * because all N users start at one instant; the lead-in's slowest ack is printed beside the figures.
 *
 * Each run also reports the bot's CPU time per command, the ack timed inside the bot (the gap to the load
 * side's figure is time before the bot's handler runs: socket queues, a CPU shared with neighbours) and the
 * load side's own CPU share. The load side posts with node:http and a keep-alive agent, which costs the
 * shared CPU less than fetch.
 *
 * Per command it measures the ack (the HTTP response Slack waits 3 s for) and the time until the answer
 * reaches the stand-in, at concurrency 1, 10 and 100; then counts commands never answered (no answer within
 * 10 s) and answered more than once.
 *
 * Run: npm run bench:slack [-- --entities 100000 --c1 300 --c10 1000 --c100 3000 --profile].
 * Last line: one JSON object.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { createSlackAdapter } from "../src/bot/slack/slack-adapter.ts";
import { chatCoreFor } from "../test/fixtures/chat-core.ts";
import { FakeSlackApi } from "../test/fixtures/slack/fake-slack-api.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../test/fixtures/memory-ports.ts";
import { sign, SIGNING_SECRET, slashCommandBody } from "../test/fixtures/slack/slack-requests.ts";
import { generateOrganisation } from "./generate-org.ts";
import {
  argNumber,
  argValue,
  benchArgs,
  benchRouter,
  serveBot,
  startBotProcess,
  tallyArrivals,
} from "./bot-process.ts";
import { round, summary } from "./stats.ts";

const flag = argNumber;
const ENTITIES = flag("entities", 100_000);
const RUNS: { concurrency: number; commands: number }[] = [
  { concurrency: 1, commands: flag("c1", 300) },
  { concurrency: 10, commands: flag("c10", 1000) },
  { concurrency: 100, commands: flag("c100", 3000) },
];
/** Commands spread over this many channels, as real traffic is (and as Slack's limits are per channel). */
const CHANNELS = 500;
/** An answer later than this counts as lost. */
const ANSWER_TIMEOUT_MS = 10_000;
const BOT_TOKEN = "xoxb-bench-0000-callboard";
const log = pino({ level: "silent" });

if (benchArgs.includes("--bot")) await runBot(argValue("api-url") ?? "");
else await runLoad();

/** The bot process: catalog, chat core and Slack adapter on the HTTP server; prints its URL and load time. */
async function runBot(apiUrl: string): Promise<void> {
  const { registry, router, size, loadSeconds } = await benchRouter(ENTITIES, log);
  const adapter = createSlackAdapter(
    { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, apiUrl },
    {
      core: chatCoreFor(registry, router, log),
      ledger: new MemoryEventLedger(),
      conversations: new MemoryConversationStore(),
      log,
      baseUrl: "http://callboard.bench",
      production: false,
    },
  );
  await adapter.start();
  await serveBot({ routes: adapter.routes, size, loadSeconds, log, stop: () => adapter.stop() });
}

interface RunResult {
  ack: ReturnType<typeof summary>;
  answer: ReturnType<typeof summary>;
  lost: number;
  duplicates: number;
  errors: number;
  throughput: number;
  /** The bot process's CPU time (user + system) per command. */
  botCpuMs: number;
  /** CPU the load generator and Slack stand-in used, as a share of one core: near 1, they are the limit. */
  loadCpuShare: number;
  /** The ack timed inside the bot process. */
  botAck: ReturnType<typeof summary>;
  /** The slowest ack of the unmeasured lead-in (the start-up burst). */
  leadAckMax: number;
}

async function runLoad(): Promise<void> {
  // The questions: the same seeded organisation the bot loads, so every name exists.
  const entities = generateOrganisation({ entities: ENTITIES, seed: 7 });
  const components = entities.filter((e) => e.kind === "Component").map((e) => e.metadata.name);
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
  const bot = await startBotProcess("bench:slack", import.meta.url, ["--api-url", api.apiUrl]);

  let seed = 42;
  const pick = <T>(items: T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return items[seed % items.length]!;
  };

  // node:http with a keep-alive agent rather than fetch: it costs the shared CPU less (see the header).
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  const target = new URL(`${bot.url}/slack/events`);
  function postSigned(body: string): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": Buffer.byteLength(body),
            "x-slack-request-timestamp": String(timestamp),
            "x-slack-signature": sign(body, timestamp),
          },
        },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
          res.once("error", reject);
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  }

  let serial = 0;
  /**
   * `count` measured commands after `lead` unmeasured ones, in one unbroken closed loop: every virtual user
   * starts at the same instant, so the first round is a burst of `concurrency` commands at once (at c100,
   * ~90 of the 3,000 acks over 30 ms were from the run's first 20 ms); the lead-in lets the loop reach its
   * steady state before anything is timed. Lost and duplicate answers are counted over every command.
   */
  async function run(concurrency: number, count: number, lead = 0): Promise<RunResult> {
    const started = new Map<string, number>();
    const measured = new Map<string, number>();
    const acks: number[] = [];
    /** Acks of the lead-in, reported apart: its first round is the burst of every user at once. */
    const leadAcks: number[] = [];
    let errors = 0;
    let next = 0;
    const firstCall = api.calls.length;
    let begin = performance.now();
    let { cpuMs: cpuBefore } = await bot.sample();
    let loadCpuBefore = process.cpuUsage();
    async function virtualUser(): Promise<void> {
      while (next < lead + count) {
        const timed = next >= lead;
        next++;
        if (next === lead + 1) {
          // The first measured command: the CPU and throughput figures start here too.
          begin = performance.now();
          loadCpuBefore = process.cpuUsage();
          void bot.sample().then((sample) => (cpuBefore = sample.cpuMs));
        }
        const n = serial++;
        const id = `cmd-${n}`;
        const person = people[n % people.length]!;
        const body = slashCommandBody(
          "/callboard",
          `who owns ${pick(components)}`,
          api.responseUrl(id),
          `bench.${id}.trigger`,
          { userId: person.id, userName: person.name },
          `C0BENCH${n % CHANNELS}`,
        );
        // Listen before sending: the answer can arrive before the ack does.
        const answered = api.waitForResponse(id, ANSWER_TIMEOUT_MS).then(
          () => true,
          () => false,
        );
        started.set(id, performance.now());
        if (timed) measured.set(id, performance.now());
        const t0 = performance.now();
        const status = await postSigned(body);
        (timed ? acks : leadAcks).push(performance.now() - t0);
        if (status !== 200) errors++;
        else await answered;
      }
    }
    await Promise.all(Array.from({ length: concurrency }, virtualUser));
    const elapsed = (performance.now() - begin) / 1000;
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const after = await bot.sample();
    const botCpuMs = after.cpuMs - cpuBefore;
    // Late duplicates would land just after the last answer; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const arrivals = api.calls
      .slice(firstCall)
      .flatMap((call): Array<[string, number]> => (call.responseId ? [[call.responseId, call.at]] : []));
    const { lost, duplicates } = tallyArrivals(started, arrivals);
    const { latencies: answer } = tallyArrivals(measured, arrivals);
    return {
      ack: summary(acks),
      answer: summary(answer),
      lost,
      duplicates,
      errors,
      throughput: round(count / elapsed, 1),
      botCpuMs: round(botCpuMs / count),
      botAck: summary(after.handlerMs),
      loadCpuShare: round((loadCpu.user + loadCpu.system) / 1e6 / elapsed, 2),
      leadAckMax: round(Math.max(0, ...leadAcks)),
    };
  }

  // Warm up the JIT, the users.info cache and the connection pools before measuring, at full concurrency so
  // the c100 run does not open ~90 connections at once (as bench/teams.ts does).
  await run(100, 600);
  const results: Record<number, RunResult> = {};
  for (const { concurrency, commands } of RUNS) {
    results[concurrency] = await run(concurrency, commands, Math.max(100, 2 * concurrency));
    const r = results[concurrency]!;
    console.log(
      `c${concurrency}: ${commands} commands, ${r.throughput}/s; ack p50 ${r.ack.p50} ms p99 ${r.ack.p99} ms; ` +
        `answer at stand-in p50 ${r.answer.p50} ms p99 ${r.answer.p99} ms; lost ${r.lost}, duplicates ${r.duplicates}, errors ${r.errors}; ` +
        `bot CPU ${r.botCpuMs} ms/command; ack inside the bot p50 ${r.botAck.p50} ms p99 ${r.botAck.p99} ms; load side ${r.loadCpuShare} of a core; ` +
        `slowest ack of the ${Math.max(100, 2 * concurrency)}-command lead-in (not measured) ${r.leadAckMax} ms`,
    );
  }
  await bot.stop();
  await api.stop();

  const metrics: Record<string, number> = {};
  for (const [c, r] of Object.entries(results)) {
    metrics[`ack_p50_ms_c${c}`] = r.ack.p50;
    metrics[`ack_p99_ms_c${c}`] = r.ack.p99;
    metrics[`answer_p50_ms_c${c}`] = r.answer.p50;
    metrics[`answer_p99_ms_c${c}`] = r.answer.p99;
    metrics[`throughput_per_s_c${c}`] = r.throughput;
    metrics[`bot_cpu_ms_per_command_c${c}`] = r.botCpuMs;
    metrics[`bot_side_ack_p99_ms_c${c}`] = r.botAck.p99;
    metrics[`lead_in_ack_max_ms_c${c}`] = r.leadAckMax;
  }
  metrics.lost = Object.values(results).reduce((n, r) => n + r.lost, 0);
  metrics.duplicates = Object.values(results).reduce((n, r) => n + r.duplicates, 0);
  metrics.errors = Object.values(results).reduce((n, r) => n + r.errors, 0);
  metrics.limit_violations = api.violations.length;
  metrics.users_info_calls = api.callsTo("users.info").length;
  console.log(
    JSON.stringify({
      bench: "slack",
      entities: bot.entities,
      catalog_load_s: round(bot.loadSeconds, 2),
      node: process.version,
      metrics,
    }),
  );
}
