/**
 * Runs in its own process so the figure is the import's alone, as `npm run callboard -- import` runs it: the
 * benchmark process holds the generated organisation, whose heap made the same import take 33 s instead of
 * 20 s there. Imports one location into a data dir and prints one JSON line.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import { buildApp } from "../src/app/build-app.ts";
import { loadConfig } from "../src/app/config.ts";
import { measureSteal } from "./cpu-steal.ts";

const [root, dataDir, databaseUrl] = process.argv.slice(2);
const env: NodeJS.ProcessEnv = { CALLBOARD_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
if (databaseUrl) env.DATABASE_URL = databaseUrl;
// The service logs each import's phases at info; they are kept to say where the time went.
let phases: { read: number; store: number; total: number } | undefined;
const logged = pino(
  { level: "info" },
  {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; ms?: typeof phases };
      if (entry.msg === "location imported") phases = entry.ms;
    },
  },
);
const app = await buildApp(loadConfig(env, { cwd: dataDir! }), logged, { skipImport: true });
try {
  const started = performance.now();
  const steal = measureSteal();
  // CPU time of every thread of this process (parsing workers, the index writer): on a busy shared machine
  // the wall time stretches with the load, the CPU time much less.
  const cpuStarted = process.cpuUsage();
  const report = await app.catalog.importLocation(root!);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  if (report.problems.length > 0) throw new Error(`import reported problems: ${report.problems[0]?.message}`);
  process.stdout.write(
    `${JSON.stringify({ seconds, cpu_s: (cpu.user + cpu.system) / 1e6, added: report.added.length, steal: steal() ?? null, phases })}\n`,
  );
} finally {
  await app.close();
}
