/**
 * npm run bench:catalog: import throughput (parse + validate + relations + store) on SQLite and
 * PostgreSQL, start-up to ready with the catalog stored, query latency and RSS, at 1k, 10k and 100k
 * entities of a seeded synthetic organisation (bench/generate-org.ts). Last line: one JSON object.
 *
 * BENCH_SIZES=1000,10000 narrows the run; PostgreSQL is measured when it answers at 127.0.0.1:5432.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { generateOrganisation, writeOrganisation } from "./generate-org.ts";
import { round } from "./stats.ts";

const run = promisify(execFile);
const PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test";
const sizes = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const queries = Number(process.env.BENCH_QUERIES ?? "2000");

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

const REIMPORT_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One import in a child process of its own (bench/catalog-import.ts). */
async function importOnce(root: string, dataDir: string, databaseUrl?: string) {
  const script = join(import.meta.dirname, "catalog-import.ts");
  const args = ["--import", "tsx", script, root, dataDir, databaseUrl ?? ""];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    seconds: number;
    /** CPU time of the import's process while it ran, every thread. */
    cpu_s: number;
    added: number;
    steal: number | null;
    /** From the import's log line, in ms: reading (parse, validate, relations), then storing. */
    phases?: { read: number; store: number; total: number };
  };
  return { ...result, steal: result.steal ?? undefined };
}

async function probe(dataDir: string, databaseUrl?: string) {
  const args = [
    "--import",
    "tsx",
    join(import.meta.dirname, "catalog-probe.ts"),
    dataDir,
    databaseUrl ?? "",
    String(queries),
  ];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    entities: number;
    startup_s: number;
    whoOwns: { p50: number; p99: number };
    show: { p50: number; p99: number };
    deps: { p50: number; p99: number };
    rss_mb: number;
    max_rss_mb: number;
  };
}

/** Where an import's time went: reading, storing, and the rest (graph and search index, overlapping). */
const phases = (ms: { read: number; store: number; total: number } | undefined) =>
  ms
    ? `read ${(ms.read / 1000).toFixed(2)} s, store ${(ms.store / 1000).toFixed(2)} s, ` +
      `graph and index after the store ${((ms.total - ms.read - ms.store) / 1000).toFixed(2)} s`
    : "phases not logged";

const percent = (share: number | undefined) =>
  share === undefined ? "unknown" : `${(share * 100).toFixed(1)} %`;

const metrics: Record<string, number | null> = {};
const withPostgres = await postgresAnswers();
if (!withPostgres) console.log("PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL figures skipped.");

for (const size of sizes) {
  const work = mkdtempSync(join(tmpdir(), `cb-bench-${size}-`));
  try {
    const root = await writeOrganisation(
      generateOrganisation({ entities: size, seed: 1 }),
      join(work, "org"),
    );
    const label = size >= 1000 ? `${size / 1000}k` : String(size);

    const sqliteDir = join(work, "sqlite");
    const sqlite = await importOnce(root, sqliteDir);
    const sqliteRate = sqlite.added / sqlite.seconds;
    console.log(
      `${label} SQLite import: ${sqlite.added} entities in ${sqlite.seconds.toFixed(2)} s (${Math.round(sqliteRate)}/s), ` +
        `CPU steal ${percent(sqlite.steal)}; ${phases(sqlite.phases)}`,
    );
    // Each in a fresh process, as a restart would run it; the load on a shared machine moves single runs a lot.
    const reimports = [];
    for (let run = 0; run < REIMPORT_RUNS; run++) {
      const reimport = await importOnce(root, sqliteDir);
      reimports.push(reimport);
      console.log(
        `${label} SQLite re-import, nothing changed: ${reimport.seconds.toFixed(2)} s, CPU ${reimport.cpu_s.toFixed(2)} s; ${phases(reimport.phases)}`,
      );
    }
    const reimport = {
      seconds: median(reimports.map((r) => r.seconds)),
      cpu_s: median(reimports.map((r) => r.cpu_s)),
    };
    console.log(
      `${label} SQLite re-import, nothing changed, median of ${REIMPORT_RUNS}: ${reimport.seconds.toFixed(2)} s, CPU ${reimport.cpu_s.toFixed(2)} s`,
    );
    const p = await probe(sqliteDir);
    console.log(
      `${label} SQLite start-up to ready ${p.startup_s.toFixed(2)} s; who-owns p50/p99 ${p.whoOwns.p50}/${p.whoOwns.p99} ms; ` +
        `show ${p.show.p50}/${p.show.p99} ms; deps --depth 2 ${p.deps.p50}/${p.deps.p99} ms; RSS ${Math.round(p.rss_mb)} MB (peak ${Math.round(p.max_rss_mb)} MB)`,
    );
    metrics[`import_entities_per_s_sqlite_${label}`] = Math.round(sqliteRate);
    metrics[`who_owns_p50_ms_${label}`] = p.whoOwns.p50;
    metrics[`who_owns_p99_ms_${label}`] = p.whoOwns.p99;
    metrics[`show_p99_ms_${label}`] = p.show.p99;
    metrics[`deps_p99_ms_${label}`] = p.deps.p99;
    metrics[`startup_${label}_s`] = round(p.startup_s, 2);
    metrics[`rss_mb_${label}`] = Math.round(p.rss_mb);
    metrics[`reimport_unchanged_${label}_s`] = round(reimport.seconds, 3);
    metrics[`reimport_unchanged_${label}_cpu_s`] = round(reimport.cpu_s, 3);
    if (size === 100_000) {
      metrics.import_100k_sqlite_s = round(sqlite.seconds, 2);
      metrics.import_entities_per_s_sqlite = Math.round(sqliteRate);
      if (sqlite.steal !== undefined) metrics.import_100k_sqlite_steal_pct = round(sqlite.steal * 100, 1);
    }

    if (withPostgres) {
      const schema = `cb_bench_${size}_${process.pid}`;
      const url = `postgresql://postgres@127.0.0.1:5432/test?schema=${schema}`;
      try {
        const pgImport = await importOnce(root, join(work, "pg"), url);
        const pgRate = pgImport.added / pgImport.seconds;
        console.log(
          `${label} PostgreSQL import: ${pgImport.added} entities in ${pgImport.seconds.toFixed(2)} s (${Math.round(pgRate)}/s), ` +
            `CPU steal ${percent(pgImport.steal)}; ${phases(pgImport.phases)}`,
        );
        const pp = await probe(join(work, "pg"), url);
        console.log(
          `${label} PostgreSQL start-up to ready ${pp.startup_s.toFixed(2)} s; who-owns p99 ${pp.whoOwns.p99} ms`,
        );
        metrics[`import_entities_per_s_postgres_${label}`] = Math.round(pgRate);
        metrics[`startup_${label}_postgres_s`] = round(pp.startup_s, 2);
        if (size === Math.max(...sizes)) metrics.import_entities_per_s_postgres = Math.round(pgRate);
      } finally {
        await dropSchema(schema);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
if (metrics.import_entities_per_s_postgres === undefined) metrics.import_entities_per_s_postgres = null;

console.log(
  JSON.stringify({
    bench: "catalog",
    date: new Date().toISOString(),
    corpus: { generator: "bench/generate-org.ts", seed: 1, sizes },
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    metrics,
  }),
);
