/**
 * Runs in its own process so its figures are its own: start-up to ready from a stored catalog, query
 * latency through the router, and RSS with the catalog loaded. Prints one JSON line.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import { buildApp } from "../src/app/build-app.ts";
import { loadConfig } from "../src/app/config.ts";
import { summary } from "./stats.ts";

const [dataDir, databaseUrl, queriesText] = process.argv.slice(2);
const queries = Number(queriesText ?? "2000");
const env: NodeJS.ProcessEnv = { CALLBOARD_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
if (databaseUrl) env.DATABASE_URL = databaseUrl;

const started = performance.now();
const app = await buildApp(loadConfig(env, { cwd: dataDir! }), pino({ level: "silent" }), {
  skipImport: true,
});
const startupSeconds = (performance.now() - started) / 1000;

// Seeded choice of names so every run asks the same questions.
const components = [...app.catalog.graph.refsOfKind("component")];
let seed = 42;
const pick = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return components[seed % components.length]!;
};
const user = { surface: "shell" as const, id: "bench" };
const conversation = { surface: "shell" as const };
async function time(command: (name: string) => string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < queries; i++) {
    const name = pick().split("/")[1]!;
    const t = performance.now();
    const answer = await app.router.handle({ text: command(name), user, conversation });
    samples.push(performance.now() - t);
    if (answer.blocks.length === 0) throw new Error(`empty answer for ${command(name)}`);
  }
  return samples;
}
await time((n) => `who owns ${n}`); // warm-up: JIT and caches, not measured
const result = {
  entities: app.catalog.graph.size,
  startup_s: startupSeconds,
  whoOwns: summary(await time((n) => `who owns ${n}`)),
  show: summary(await time((n) => `show ${n}`)),
  deps: summary(await time((n) => `deps ${n} --depth 2`)),
  rss_mb: process.memoryUsage().rss / 2 ** 20,
  max_rss_mb: process.resourceUsage().maxRSS / 1024,
};
await app.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
