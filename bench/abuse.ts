/**
 * bench:abuse: one person's pathological input must not stall the bot for everyone else. While ten virtual
 * users (c10, closed loop) send the worst inputs we can construct, a few ordinary users send `help` and
 * `who owns <component>`; what counts is how fast those ordinary commands are acknowledged, the longest the
 * bot's event loop was held, and whether the bot survived.
 *
 * Processes, as in bench:slack: the bot (a 100k-entity catalog, the embedded search index, the router and
 * the Slack adapter on its HTTP server) runs in a child process of its own; the load side and the Slack
 * stand-in share this one. The bot measures its own event loop (monitorEventLoopDelay) and reports it
 * over IPC. Names resolve as in the app: the catalog graph first, then the search index.
 *
 * The catalog is the generator's (seed 7) plus a wide fan-out: a database 5,000 components depend on,
 * each also depending on two others, so `dependents`/`deps --depth 5` can reach thousands of entities.
 * It keeps changing during the run, twice a second by default (a new component and a new user, into the
 * graph and the search index), as webhooks change a real catalog while people use the bot.
 *
 * The worst inputs, each sent by the abusers in turn (slash commands unless said otherwise):
 * - who owns <a word as long as a command may be>, and <a 40,000-character word>
 * - a mention whose text is a 2 MB word (a 2 MB signed event body)
 * - a DM with a 4,000-character run of dots inside the name (end-punctuation patterns)
 * - a mention of 36,000 characters of unclosed `<@bot|` references (Slack's reference patterns)
 * - who owns <440 misspelled words>; show <a 64-letter name no entity has> (the typo walk at its longest)
 * - search: ten misspelled common words; every kind as a filter; 600 owner values
 * - dependents of the database and deps of a component, --depth 999 (wide fan-out, deep mesh)
 * Each abuser waits for its answer (or 15 s) before sending the next, so at most ten are in the bot.
 *
 * The ordinary users (2 by default) each send a command, wait for its answer, pause 50 ms, and go again,
 * until 400 of their commands are measured or --max-seconds pass. An ordinary command not acknowledged by
 * then counts with the time it had waited (a lower bound). Old code stalls for minutes on these inputs:
 * --max-seconds bounds the run, and the bot is killed if SIGTERM does not end it within 10 s.
 *
 * Run: npm run bench:abuse [-- --entities 100000 --innocent 400 --max-seconds 120 --profile
 * --only "<part of an input's name>" --abusers 10 --changes-per-second 2].
 * Last line: one JSON object.
 */
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import pino from "pino";
import { createSlackAdapter } from "../src/bot/slack/slack-adapter.ts";
import { chatCoreFor } from "../test/fixtures/chat-core.ts";
import type { Entity } from "../src/catalog/model/entity.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../test/fixtures/memory-ports.ts";
import { BOT_USER_ID, FakeSlackApi, type RecordedCall } from "../test/fixtures/slack/fake-slack-api.ts";
import {
  appMentionBody,
  directMessageBody,
  sign,
  SIGNING_SECRET,
  slashCommandBody,
} from "../test/fixtures/slack/slack-requests.ts";
import {
  argNumber,
  argValue,
  benchArgs,
  benchRouter,
  serveBot,
  startBotProcess,
  type BotSample,
} from "./bot-process.ts";
import { generateOrganisation } from "./generate-org.ts";
import { round, summary } from "./stats.ts";

const ENTITIES = argNumber("entities", 100_000);
const ABUSERS = argNumber("abusers", 10);
const INNOCENT_USERS = argNumber("innocent-users", 2);
const INNOCENT_COMMANDS = argNumber("innocent", 400);
const MAX_SECONDS = argNumber("max-seconds", 120);
const FAN_OUT = 5_000;
/** Catalog changes a second while the run goes on (a webhook each); 0 keeps the catalog still. */
const CHANGES_PER_SECOND = argNumber("changes-per-second", 2);
/** Longest line the router reads as a command (src/bot/core/router.ts); the longest word allowed fills it. */
const LINE_LIMIT = 4_000;
const ABUSE_ANSWER_TIMEOUT_MS = 15_000;
const INNOCENT_ANSWER_TIMEOUT_MS = 15_000;
const THINK_MS = 50;
const BOT_TOKEN = "xoxb-bench-0000-callboard";
const log = pino({ level: "silent" });

if (benchArgs.includes("--bot")) await runBot(argValue("api-url") ?? "");
else await runLoad();

/** A database everything uses: `width` components depend on it and on two of each other. */
function fanOutEntities(width: number): Entity[] {
  const out: Entity[] = [
    {
      apiVersion: "backstage.io/v1alpha1",
      kind: "Resource",
      metadata: { name: "abuse-shared-db" },
      spec: { type: "database", owner: "engineering" },
    },
  ];
  for (let i = 0; i < width; i++) {
    out.push({
      apiVersion: "backstage.io/v1alpha1",
      kind: "Component",
      metadata: { name: `abuse-client-${i}` },
      spec: {
        type: "service",
        lifecycle: "production",
        owner: "engineering",
        dependsOn: [
          "resource:abuse-shared-db",
          `component:abuse-client-${(i * 7 + 1) % width}`,
          `component:abuse-client-${(i * 13 + 5) % width}`,
        ],
      },
    });
  }
  return out;
}

async function runBot(apiUrl: string): Promise<void> {
  const { registry, router, size, loadSeconds, close, apply } = await benchRouter(ENTITIES, log, {
    search: true,
    extra: fanOutEntities(FAN_OUT),
  });
  // The catalog changes while people talk, as GitHub pushes and webhooks change it: each change is a new
  // component and a new user with a Slack id, so the next command finds them (and any index derived from
  // the graph has something to catch up on).
  let churn = 0;
  const churning =
    CHANGES_PER_SECOND > 0
      ? setInterval(() => {
          const n = churn++;
          void apply([
            {
              apiVersion: "backstage.io/v1alpha1",
              kind: "Component",
              metadata: { name: `abuse-churn-${n}` },
              spec: { type: "service", lifecycle: "production", owner: "engineering" },
            },
            {
              apiVersion: "backstage.io/v1alpha1",
              kind: "User",
              metadata: { name: `abuse-newcomer-${n}`, annotations: { "slack.com/user-id": `U0CHURN${n}` } },
              spec: { memberOf: ["engineering"] },
            },
          ]);
        }, 1000 / CHANGES_PER_SECOND)
      : undefined;
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
  await serveBot({
    routes: adapter.routes,
    size,
    loadSeconds,
    log,
    stop: async () => {
      clearInterval(churning);
      await adapter.stop();
      await close();
    },
  });
}

/** Seeded letters, so every run sends the same text. */
function letters(length: number, seed: number): string {
  let state = seed;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out.push(String.fromCharCode(97 + (state % 26)));
  }
  return out.join("");
}

type Channel = "slash" | "mention" | "dm";

interface AbusiveInput {
  name: string;
  via: Channel;
  text: string;
}

function abusiveInputs(): AbusiveInput[] {
  const owners = Array.from({ length: 600 }, (_, i) => `t${i}`).join(",");
  return [
    { name: "longest allowed word", via: "slash", text: `who owns ${letters(LINE_LIMIT - 9, 1)}` },
    { name: "40,000-character word", via: "slash", text: `who owns ${letters(40_000, 2)}` },
    { name: "2 MB mention", via: "mention", text: `<@${BOT_USER_ID}> who owns ${letters(2_000_000, 3)}` },
    { name: "run of dots in a DM", via: "dm", text: `who owns a${".".repeat(LINE_LIMIT - 12)}b` },
    {
      name: "unclosed references in a mention",
      via: "mention",
      text: `<@${BOT_USER_ID}> search ${`<@${BOT_USER_ID}|`.repeat(3_000)}`,
    },
    { name: "440 misspelled words", via: "slash", text: `who owns ${"paymnets ".repeat(440).trim()}` },
    { name: "64-letter unknown name", via: "slash", text: `show ${letters(64, 4)}` },
    {
      name: "ten misspelled common words",
      via: "slash",
      text: "search paymnets chekout biling ledgre payuots merchnats identiyt reconcilr indexr exportr",
    },
    {
      name: "every kind as a filter",
      via: "slash",
      text: "search kind:component,api,resource,system,group,user",
    },
    { name: "600 owner values", via: "slash", text: `search owner:${owners}`.slice(0, LINE_LIMIT) },
    { name: "wide fan-out", via: "slash", text: "dependents abuse-shared-db --depth 999" },
    { name: "deep mesh", via: "slash", text: "deps abuse-client-0 --depth 999" },
  ];
}

interface Person {
  id: string;
  name: string;
  email?: string;
}

async function runLoad(): Promise<void> {
  const entities = generateOrganisation({ entities: ENTITIES, seed: 7 });
  const components = entities.filter((e) => e.kind === "Component").map((e) => e.metadata.name);
  const people: Person[] = entities
    .filter((e) => e.kind === "User")
    .slice(0, 200)
    .map((e, i) => ({
      id: `U0BENCH${String(i).padStart(4, "0")}`,
      name: e.metadata.name,
      email: (e.spec?.profile as { email?: string } | undefined)?.email,
    }));
  const api = new FakeSlackApi(BOT_TOKEN);
  await api.start();
  for (const person of people) api.addPerson(person);
  const bot = await startBotProcess("bench:abuse", import.meta.url, ["--api-url", api.apiUrl]);
  let crashed: string | undefined;
  let stopping = false;
  void bot.exited.then(({ code, signal }) => {
    if (!stopping) crashed = `the bot process ended (code ${code}, signal ${signal})`;
  });

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(`${bot.url}/slack/events`);
  /** Resolves with the HTTP status, or 0 when the request failed or was not answered within `timeoutMs`. */
  function postSigned(body: string, contentType: string, timeoutMs: number): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000);
    return new Promise((resolve) => {
      // Not the socket's idle timeout: on a reused keep-alive socket that fired early, cutting acks short.
      const timer = setTimeout(() => req.destroy(new Error("no ack within the run")), timeoutMs);
      const done = (status: number) => {
        clearTimeout(timer);
        resolve(status);
      };
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": contentType,
            "content-length": Buffer.byteLength(body),
            "x-slack-request-timestamp": String(timestamp),
            "x-slack-signature": sign(body, timestamp),
          },
        },
        (res) => {
          res.resume();
          res.once("end", () => done(res.statusCode ?? 0));
          res.once("error", () => done(0));
        },
      );
      req.once("error", () => done(0));
      req.end(body);
    });
  }

  let serial = 0;
  const FORM = "application/x-www-form-urlencoded";
  const JSON_TYPE = "application/json";

  /** Sends one command and resolves when it is acknowledged, and again (answered) when its answer arrives. */
  function send(
    via: Channel,
    text: string,
    person: Person,
    ackTimeoutMs: number,
    answerTimeoutMs: number,
  ): { acked: Promise<{ status: number; ackMs: number }>; answered: Promise<number | undefined> } {
    const n = serial++;
    const id = `abuse-${n}`;
    const sentAt = performance.now();
    let body: string;
    let answer: Promise<RecordedCall>;
    if (via === "slash") {
      body = slashCommandBody(
        "/callboard",
        text,
        api.responseUrl(id),
        `bench.${id}.trigger`,
        { userId: person.id, userName: person.name },
        `C0ABUSE${n}`,
      );
      answer = api.waitForResponse(id, answerTimeoutMs);
    } else {
      const channel = via === "dm" ? `D0ABUSE${n}` : `C0ABUSE${n}`;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, "0")}`;
      const actor = { userId: person.id, userName: person.name };
      body =
        via === "mention"
          ? appMentionBody(text, { ts, channel, eventId: `Ev0ABUSE${n}`, actor })
          : directMessageBody(text, { ts, eventId: `Ev0ABUSE${n}`, actor }).replace(
              '"channel":"D0ALICEDM1"',
              `"channel":"${channel}"`,
            );
      answer = api.waitFor(
        (call) =>
          (call.method === "chat.postMessage" || call.method === "chat.postEphemeral") &&
          call.args.channel === channel,
        answerTimeoutMs,
      );
    }
    const answered = answer.then(
      (call) => call.at - sentAt,
      () => undefined,
    );
    const acked = postSigned(body, via === "slash" ? FORM : JSON_TYPE, ackTimeoutMs).then((status) => ({
      status,
      ackMs: performance.now() - sentAt,
    }));
    return { acked, answered };
  }

  const sampleWithin = (ms: number): Promise<BotSample | undefined> =>
    Promise.race([
      bot.sample(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
    ]);

  // Warm-up with ordinary commands over the same paths (resolve, typo, search, walk), unmeasured.
  const warm = [
    "help",
    `who owns ${components[0]}`,
    "who owns paymnets-api",
    "search kafka consumer",
    `deps ${components[1]} --depth 2`,
    "dependents abuse-shared-db",
  ];
  for (let i = 0; i < 120; i++) {
    const { acked, answered } = send(
      "slash",
      warm[i % warm.length]!,
      people[i % people.length]!,
      30_000,
      30_000,
    );
    await acked;
    await answered;
  }
  await sampleWithin(10_000);

  // --only <words>: just the inputs whose name holds them, to find which one costs the bot its longest block.
  const only = argValue("only");
  const inputs = abusiveInputs().filter((input) => !only || input.name.includes(only));
  if (inputs.length === 0) throw new Error(`--only ${only}: no abusive input's name holds that`);
  const abuse = new Map(
    inputs.map((input) => [input.name, { sent: 0, acked: 0, answered: 0, answerMs: [] as number[] }]),
  );
  const innocentAcks: number[] = [];
  const innocentAnswers: number[] = [];
  let innocentErrors = 0;
  let innocentUnanswered = 0;
  let done = false;
  const started = performance.now();
  const deadline = started + MAX_SECONDS * 1000;
  const timeLeft = () => Math.max(1, deadline - performance.now());
  const cpuBefore = process.cpuUsage();
  const loadBefore = loadavg()[0]!;
  // The load side's own loop: an ack it reads late is not the bot's doing.
  const loadLoop = monitorEventLoopDelay({ resolution: 1 });
  loadLoop.enable();

  async function abuser(index: number): Promise<void> {
    let next = index;
    while (!done && !crashed && performance.now() < deadline) {
      const input = inputs[next++ % inputs.length]!;
      const tally = abuse.get(input.name)!;
      tally.sent++;
      const person = people[100 + (index % 100)]!;
      const { acked, answered } = send(input.via, input.text, person, timeLeft(), ABUSE_ANSWER_TIMEOUT_MS);
      const { status } = await acked;
      if (status === 200) tally.acked++;
      else continue;
      const ms = await answered;
      if (ms !== undefined) {
        tally.answered++;
        tally.answerMs.push(ms);
      }
    }
  }

  let innocentSent = 0;
  async function innocent(index: number): Promise<void> {
    while (!done && !crashed && performance.now() < deadline && innocentSent < INNOCENT_COMMANDS) {
      const n = innocentSent++;
      const text = n % 2 === 0 ? "help" : `who owns ${components[(n * 7919) % components.length]}`;
      const { acked, answered } = send(
        "slash",
        text,
        people[index % 100]!,
        timeLeft(),
        INNOCENT_ANSWER_TIMEOUT_MS,
      );
      const { status, ackMs } = await acked;
      // Not acknowledged by the end of the run: it counts with the time it waited, a lower bound.
      innocentAcks.push(ackMs);
      if (status !== 200) {
        innocentErrors++;
        continue;
      }
      const ms = await answered;
      if (ms === undefined) innocentUnanswered++;
      else innocentAnswers.push(ms);
      await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    }
  }

  const abusers = Array.from({ length: ABUSERS }, (_, i) => abuser(i));
  // Let the abusers fill the bot first, then measure the ordinary users beside them.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.race([
    Promise.all(Array.from({ length: INNOCENT_USERS }, (_, i) => innocent(i))),
    new Promise((resolve) => setTimeout(resolve, timeLeft()).unref()),
    bot.exited,
  ]);
  done = true;
  const elapsed = (performance.now() - started) / 1000;
  const loadCpu = process.cpuUsage(cpuBefore);
  const sample = crashed ? undefined : await sampleWithin(10_000);
  stopping = !crashed;
  const stop = await bot.stop(10_000);
  await Promise.race([Promise.all(abusers), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  await api.stop();
  agent.destroy();

  const ack = summary(innocentAcks);
  const answer = summary(innocentAnswers);
  const crashes = crashed ? 1 : 0;
  console.log(
    `${bot.entities} entities (${ENTITIES} generated + ${FAN_OUT + 1} fan-out), catalog and index built in ${round(bot.loadSeconds, 2)} s; ` +
      `${ABUSERS} abusers, ${INNOCENT_USERS} ordinary users, ${round(elapsed, 1)} s measured`,
  );
  for (const [name, t] of abuse) {
    const answered = summary(t.answerMs);
    console.log(
      `  abuse "${name}": sent ${t.sent}, acked ${t.acked}, answered ${t.answered}` +
        (t.answerMs.length > 0
          ? `, answer p50 ${answered.p50} ms, max ${round(Math.max(...t.answerMs))} ms`
          : ""),
    );
  }
  console.log(
    `ordinary commands: ${innocentAcks.length} sent; ack p50 ${ack.p50} ms, p99 ${ack.p99} ms, max ${round(Math.max(0, ...innocentAcks))} ms; ` +
      `answer p50 ${answer.p50} ms, p99 ${answer.p99} ms; not acknowledged ${innocentErrors}, unanswered ${innocentUnanswered}`,
  );
  console.log(
    `bot event loop: longest block ${sample ? `${round(sample.loopBlockMaxMs, 1)} ms` : "unknown (the bot did not answer within 10 s)"}, ` +
      `p99 ${sample ? round(sample.loopBlockP99Ms, 2) : "?"} ms, most CPU between two turns ${sample ? round(sample.loopBlockCpuMaxMs, 1) : "?"} ms` +
      (sample?.mainThreadCpuMaxMs !== undefined
        ? ` (main thread alone ${round(sample.mainThreadCpuMaxMs, 1)} ms)`
        : "") +
      (sample?.longestTurnGap
        ? `; longest gap between two 10 ms turns ${round(sample.longestTurnGap.gapMs, 1)} ms, in which the main thread ran ` +
          `${round(sample.longestTurnGap.ranMs, 1)} ms and waited for a core ${round(sample.longestTurnGap.waitedMs, 1)} ms`
        : "") +
      "; " +
      `crashes ${crashes}${crashed ? ` (${crashed})` : ""}; ` +
      `SIGTERM to exit ${round(stop.exitMs)} ms${stop.killed ? " (did not exit: killed after 10 s)" : ""}; ` +
      `load side ${round((loadCpu.user + loadCpu.system) / 1e6 / elapsed, 2)} of a core, its longest block ` +
      `${round(loadLoop.max / 1e6 - 1, 1)} ms; ` +
      `machine load average ${round(loadBefore, 2)} before, ${round(loadavg()[0]!, 2)} after`,
  );
  console.log(
    JSON.stringify({
      bench: "abuse",
      entities: bot.entities,
      catalog_load_s: round(bot.loadSeconds, 2),
      node: process.version,
      abusers: ABUSERS,
      ordinary_users: INNOCENT_USERS,
      load_average: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
      measured_s: round(elapsed, 1),
      abuse: Object.fromEntries(
        [...abuse].map(([name, t]) => [name, { sent: t.sent, acked: t.acked, answered: t.answered }]),
      ),
      metrics: {
        innocent_ack_p99_ms: ack.p99,
        innocent_ack_p50_ms: ack.p50,
        innocent_ack_max_ms: round(Math.max(0, ...innocentAcks)),
        innocent_answer_p99_ms: answer.p99,
        innocent_commands: innocentAcks.length,
        innocent_not_acknowledged: innocentErrors,
        innocent_unanswered: innocentUnanswered,
        max_event_loop_block_ms: sample ? round(sample.loopBlockMaxMs, 1) : null,
        event_loop_block_p99_ms: sample ? round(sample.loopBlockP99Ms, 2) : null,
        event_loop_block_cpu_max_ms: sample ? round(sample.loopBlockCpuMaxMs, 1) : null,
        main_thread_cpu_between_turns_max_ms:
          sample?.mainThreadCpuMaxMs !== undefined ? round(sample.mainThreadCpuMaxMs, 1) : null,
        longest_turn_gap_ms: sample?.longestTurnGap ? round(sample.longestTurnGap.gapMs, 1) : null,
        longest_turn_gap_ran_ms: sample?.longestTurnGap ? round(sample.longestTurnGap.ranMs, 1) : null,
        longest_turn_gap_waited_ms: sample?.longestTurnGap ? round(sample.longestTurnGap.waitedMs, 1) : null,
        crashes,
        sigterm_exit_ms: round(stop.exitMs),
        sigterm_ignored: stop.killed ? 1 : 0,
        load_side_block_max_ms: round(loadLoop.max / 1e6 - 1, 1),
      },
    }),
  );
}
