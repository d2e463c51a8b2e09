/**
 * What the chat benchmarks (bench/slack.ts, bench/teams.ts) share: the bot runs in its own process with a
 * generated catalog behind the real router, so the load generator's CPU is not the bot's; the load side
 * samples the bot's CPU time and its own per-request timings around each run, and counts arrivals.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { startHttpServer } from "../src/app/http-server.ts";
import { Registry } from "../src/plugins/registry.ts";
import { Router } from "../src/bot/core/router.ts";
import { catalogCommandsPlugin } from "../src/catalog/commands/catalog-plugin.ts";
import { CatalogGraph } from "../src/catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../src/catalog/graph/graph-resolver.ts";
import { RELATION } from "../src/catalog/graph/relation-types.ts";
import type { Entity } from "../src/catalog/model/entity.ts";
import { entityRef } from "../src/catalog/model/ref.ts";
import { deriveRelations } from "../src/catalog/model/relations.ts";
import { firstFound, type EntityResolver } from "../src/catalog/resolver.ts";
import { canonicalOwnerRef, entityToDocument } from "../src/catalog/search-source.ts";
import { SearchEntityResolver } from "../src/catalog/search-resolver.ts";
import type { HttpRoute, Plugin, RouteContext } from "../src/plugins/api.ts";
import { EmbeddedSearchIndex } from "../src/search/embedded-index.ts";
import { searchPlugin } from "../src/search/search-plugin.ts";
import { generateOrganisation } from "./generate-org.ts";

export const benchArgs = process.argv.slice(2);

/** `--name value` from the command line, or the fallback. */
export function argValue(name: string): string | undefined {
  const i = benchArgs.indexOf(`--${name}`);
  return i >= 0 ? benchArgs[i + 1] : undefined;
}

export function argNumber(name: string, fallback: number): number {
  const value = argValue(name);
  return value === undefined ? fallback : Number(value);
}

/**
 * The router over a generated catalog of `entities` (seed 7) plus `extra`, as the bot process answers from it.
 * With `search`, names are resolved as the app does (the graph first, then the embedded search index, built
 * in a temporary file) and the search command is registered; `close` then removes the index.
 */
export async function benchRouter(
  entities: number,
  log: Logger,
  options: { search?: boolean; extra?: Entity[] } = {},
): Promise<{
  registry: Registry;
  router: Router;
  size: number;
  loadSeconds: number;
  close: () => Promise<void>;
  /** Upsert `changed` as the catalog service would after a webhook: into the graph, then the search index. */
  apply: (changed: Entity[]) => Promise<void>;
}> {
  const t = performance.now();
  const graph = new CatalogGraph();
  graph.upsert(
    [...generateOrganisation({ entities, seed: 7 }), ...(options.extra ?? [])].map((entity) => ({
      ref: entityRef(entity),
      entity,
      relations: deriveRelations(entity).edges,
    })),
  );
  const byName = new GraphNameResolver(graph);
  let resolver: EntityResolver = byName;
  const plugins: Plugin[] = [];
  let close = async () => {};
  const items = (list: Entity[]) =>
    list.map((entity) => ({ ref: entityRef(entity), entity, relations: deriveRelations(entity).edges }));
  let apply = async (changed: Entity[]) => graph.upsert(items(changed));
  if (options.search) {
    const dir = mkdtempSync(join(tmpdir(), "callboard-bench-index-"));
    const index = new EmbeddedSearchIndex(join(dir, "search.db"));
    const documents = [...graph.entities()].map(({ ref, entity }) =>
      entityToDocument({
        ref,
        entity,
        relations: graph.owners(ref).map((target) => ({ source: ref, type: RELATION.ownedBy, target })),
      }),
    );
    await index.rebuild(documents, "bench");
    resolver = firstFound(byName, new SearchEntityResolver(index));
    plugins.push(
      searchPlugin({
        index,
        describe: (ref) => graph.get(ref)?.metadata.title ?? undefined,
        ownerRef: canonicalOwnerRef,
      }),
    );
    apply = async (changed: Entity[]) => {
      const upserted = items(changed);
      graph.upsert(upserted);
      await index.upsert(
        upserted.map(({ ref, entity }) =>
          entityToDocument({
            ref,
            entity,
            relations: graph.owners(ref).map((target) => ({ source: ref, type: RELATION.ownedBy, target })),
          }),
        ),
      );
    };
    close = async () => {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const loadSeconds = (performance.now() - t) / 1000;
  const registry = new Registry(log);
  await registry.use(catalogCommandsPlugin({ graph, resolver: () => resolver }), ...plugins);
  return { registry, router: new Router(registry, log), size: graph.size, loadSeconds, close, apply };
}

export interface BotSample {
  /** The bot process's CPU time so far. */
  cpuMs: number;
  /** Each request timed inside the bot since the last sample, from the handler to the end of the response. */
  handlerMs: number[];
  /**
   * The longest the bot's event loop went without turning since the last sample, and the 99th percentile:
   * monitorEventLoopDelay's intervals at 1 ms resolution, less that 1 ms.
   */
  loopBlockMaxMs: number;
  loopBlockP99Ms: number;
  /**
   * The most CPU time the process used between two turns of a 10 ms timer: on a machine shared with other
   * work a turn can wait for a core, so this says how much of the longest wait was the bot's own work.
   */
  loopBlockCpuMaxMs: number;
  /**
   * Linux only (undefined elsewhere): the most CPU the main thread alone ran between two turns of the 10 ms
   * timer, from /proc's schedstat, so worker and GC helper threads do not count. It bounds the longest block
   * that was the bot's own work. For the longest gap between two turns, how long the main thread ran in it and
   * how long it waited for a core (runnable, not running: the machine's doing, not the bot's).
   */
  mainThreadCpuMaxMs?: number;
  longestTurnGap?: { gapMs: number; ranMs: number; waitedMs: number };
}

/** The main thread's time on a core and time waiting for one, in ns (Linux schedstat); undefined elsewhere. */
function mainThreadSchedule(): { ran: number; waited: number } | undefined {
  try {
    const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8")
      .split(" ")
      .map(Number);
    return ran === undefined || waited === undefined ? undefined : { ran, waited };
  } catch {
    return undefined;
  }
}

/**
 * The bot side: serve `routes` on the one HTTP server, time each request inside the handler (the gap to
 * the load side's figure is time spent before the bot's handler runs), answer CPU samples over IPC, and
 * stop cleanly on SIGTERM so --cpu-prof can write its profile. Prints one JSON line when ready.
 */
export async function serveBot(options: {
  routes: HttpRoute[];
  size: number;
  loadSeconds: number;
  log: Logger;
  stop?: () => Promise<void>;
}): Promise<void> {
  const handlerMs: number[] = [];
  const routes = options.routes.map((route) => ({
    ...route,
    handler: async (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => {
      const t0 = performance.now();
      res.once("finish", () => handlerMs.push(performance.now() - t0));
      await route.handler(req, res, ctx);
    },
  }));
  const server = await startHttpServer({ routes, port: 0, host: "127.0.0.1", log: options.log });
  process.on("SIGTERM", () => {
    void (options.stop?.() ?? Promise.resolve()).then(() => server.close()).finally(() => process.exit(0));
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let lastCpu = process.cpuUsage();
  let cpuMax = 0;
  let lastTurn = performance.now();
  let lastSchedule = mainThreadSchedule();
  let mainCpuMax = 0;
  let longestGap: BotSample["longestTurnGap"];
  setInterval(() => {
    const used = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    cpuMax = Math.max(cpuMax, (used.user + used.system) / 1000);
    const now = performance.now();
    const schedule = mainThreadSchedule();
    if (schedule && lastSchedule) {
      const ranMs = (schedule.ran - lastSchedule.ran) / 1e6;
      const waitedMs = (schedule.waited - lastSchedule.waited) / 1e6;
      mainCpuMax = Math.max(mainCpuMax, ranMs);
      const gapMs = now - lastTurn;
      if (!longestGap || gapMs > longestGap.gapMs) longestGap = { gapMs, ranMs, waitedMs };
    }
    lastTurn = now;
    lastSchedule = schedule;
  }, 10).unref();
  process.on("message", () => {
    const { user, system } = process.cpuUsage();
    const block = (ns: number) => Math.max(0, ns / 1e6 - 1);
    process.send!({
      cpuMs: (user + system) / 1000,
      handlerMs: handlerMs.splice(0),
      loopBlockMaxMs: block(loop.max),
      loopBlockP99Ms: block(loop.percentile(99)),
      loopBlockCpuMaxMs: cpuMax,
      ...(lastSchedule ? { mainThreadCpuMaxMs: mainCpuMax, longestTurnGap: longestGap } : {}),
    } satisfies BotSample);
    loop.reset();
    cpuMax = 0;
    mainCpuMax = 0;
    longestGap = undefined;
  });
  console.log(JSON.stringify({ url: server.url, entities: options.size, loadSeconds: options.loadSeconds }));
}

export interface BotProcess {
  url: string;
  entities: number;
  loadSeconds: number;
  sample(): Promise<BotSample>;
  /** Settles when the bot process ends, however it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * SIGTERM, and SIGKILL after `graceMs` if the bot has not ended by then (a bot whose event loop is held
   * cannot act on SIGTERM). Says how long the bot took to end and whether it had to be killed.
   */
  stop(graceMs?: number): Promise<{ exitMs: number; killed: boolean }>;
}

/**
 * The load side: start `script` again with `--bot` (plus `extraArgs`) and wait until it serves.
 * `--profile` writes the bot's CPU profile to $TMPDIR/callboard-bench-profiles; `--trace-gc` passes through.
 */
export async function startBotProcess(
  name: string,
  script: string,
  extraArgs: string[],
): Promise<BotProcess> {
  const profile = benchArgs.includes("--profile");
  const profileDir = join(tmpdir(), "callboard-bench-profiles");
  if (profile) {
    mkdirSync(profileDir, { recursive: true });
    console.error(`${name}: the bot's CPU profile goes to ${profileDir}`);
  }
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      ...(profile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
      ...(benchArgs.includes("--trace-gc") ? ["--trace-gc"] : []),
      fileURLToPath(script),
      "--bot",
      ...extraArgs,
      ...benchArgs,
    ],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<{ url: string; entities: number; loadSeconds: number }>(
    (resolve, reject) => {
      lines.on("line", (line) => {
        if (line.startsWith("{"))
          resolve(JSON.parse(line) as { url: string; entities: number; loadSeconds: number });
        // Anything else the bot prints (--trace-gc) goes to stderr, keeping the last stdout line the JSON.
        else process.stderr.write(`bot: ${line}\n`);
      });
      void exited.then(() => reject(new Error(`${name}: the bot process ended before it was ready`)));
    },
  );
  child.channel?.unref();
  return {
    ...info,
    sample: () =>
      new Promise<BotSample>((resolve) => {
        child.once("message", (m) => resolve(m as BotSample));
        child.send("sample");
      }),
    exited,
    stop: async (graceMs = Number.POSITIVE_INFINITY) => {
      const t = performance.now();
      child.kill("SIGTERM");
      let killed = false;
      const timer = Number.isFinite(graceMs)
        ? setTimeout(() => {
            killed = true;
            child.kill("SIGKILL");
          }, graceMs)
        : undefined;
      await exited;
      clearTimeout(timer);
      return { exitMs: performance.now() - t, killed };
    },
  };
}

/**
 * Each request's first arrival at the stand-in, against when it was sent: latencies of the first
 * arrivals, requests that never arrived, and extra arrivals (answered twice).
 */
export function tallyArrivals(
  started: Map<string, number>,
  arrivals: Iterable<[key: string, at: number]>,
): { latencies: number[]; lost: number; duplicates: number } {
  const byKey = new Map<string, number[]>();
  for (const [key, at] of arrivals) {
    const list = byKey.get(key) ?? [];
    list.push(at);
    byKey.set(key, list);
  }
  const latencies: number[] = [];
  let lost = 0;
  let duplicates = 0;
  for (const [key, sentAt] of started) {
    const times = byKey.get(key);
    if (!times) {
      lost++;
      continue;
    }
    duplicates += times.length - 1;
    latencies.push(times[0]! - sentAt);
  }
  return { latencies, lost, duplicates };
}
