/**
 * npm run bench:scaffold — the scaffolder's template language: how many `${{ }}` expressions per second it
 * compiles and renders (cold: parse + compile + render with an empty cache; cached: render only), and how
 * long a 500-file skeleton takes through fetch:template, end to end: read from a template folder on disk,
 * every path and contents rendered, every file written into a workspace (render_500_files_ms), p50/p99
 * over runs, cold and cached. The language alone on the same skeleton, in memory, is reported beside it
 * (render_500_files_language_ms, and batch-compiled as render_500_files_precompiled_ms). Prints readable
 * lines, then one JSON line.
 *
 * Durable tasks (bench/scaffold-tasks.ts, PostgreSQL at 127.0.0.1:5432): N queued tasks drained by two
 * Callboard processes (tasks_per_s_two_workers, double_claims), and kill -9 of the worker holding a task
 * mid-step until the other process resumes it (resume_after_kill_s, the median of --kills runs; target: the
 * heartbeat timeout plus 1 s).
 *
 * Scaffolding from chat (bench/scaffold-chat.ts): form submit to the first progress message in the thread,
 * through the Slack stand-in (first_progress_ms, p50 over --submits runs, and its p99; target under 300 ms).
 *
 * Options: --files N (default 500) --runs N (default 30) --expressions N (default 5000) --seed N
 * --tasks N (default 1000) --kills N (default 3) --submits N (default 30) --only language|tasks|chat.
 * The parts are exported so fetch:template's benchmark can run the same workload through the engine.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { CORPUS_CONTEXT, CorpusGenerator, seededRandom } from "../test/fixtures/scaffold-templates/corpus.ts";
import {
  clearTemplateCache,
  precompileTemplates,
  renderTemplate,
} from "../src/scaffold/template-language/index.ts";
import { buildSkeleton, SKELETON_CONTEXT, type SkeletonFile } from "./scaffold-skeleton.ts";
import { measureSteal } from "./cpu-steal.ts";
import { measureFetchTemplate } from "./scaffold-fetch.ts";
import { BENCH_TASK_SETTINGS, measureDrain, measureResumeAfterKill } from "./scaffold-tasks.ts";
import { measureFirstProgress } from "./scaffold-chat.ts";
import { percentile, round, summary } from "./stats.ts";
import { postgresAnswers } from "../src/db/test-database.ts";

/**
 * Distinct single expressions (a template-YAML input or a skeleton substitution each) from the differential
 * test's generator, keeping only those that render: a template that fails is not the workload to time.
 */
export function buildExpressions(count: number, seed: number): string[] {
  const generator = new CorpusGenerator(seededRandom(seed));
  const sources = new Set<string>();
  while (sources.size < count) {
    const source = `\${{ ${generator.expression(2)} }}`;
    try {
      renderTemplate(source, CORPUS_CONTEXT);
      sources.add(source);
    } catch {
      // skipped
    }
  }
  clearTemplateCache();
  return [...sources];
}

function renderAll(sources: string[]): void {
  for (const source of sources) renderTemplate(source, CORPUS_CONTEXT);
}

/** Expressions per second, cold (cache emptied first, every source a miss) and cached (every source a hit). */
export function measureExpressions(sources: string[], rounds = 5): { cold: number; cached: number } {
  clearTemplateCache();
  let started = performance.now();
  renderAll(sources);
  const cold = sources.length / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let i = 0; i < rounds; i++) renderAll(sources);
  const cached = (sources.length * rounds) / ((performance.now() - started) / 1000);
  return { cold, cached };
}

/**
 * One skeleton render: every path, then the contents of each file whose path has no empty segment (as
 * fetch:template skips them). With `precompile`, each of the two rounds is compiled in one batch first.
 */
export function renderSkeleton(
  files: SkeletonFile[],
  context: Record<string, unknown>,
  precompile = false,
): number {
  if (precompile) precompileTemplates(files.map((file) => file.path));
  const kept = files.filter((file) => {
    const path = renderTemplate(file.path, context, { file: file.path });
    return !(path === "" || path.startsWith("/") || path.includes("//"));
  });
  if (precompile) precompileTemplates(kept.map((file) => file.contents));
  for (const file of kept) renderTemplate(file.contents, context, { file: file.path });
  return kept.length;
}

/**
 * Cold runs render a skeleton variant never seen before (new to this module's cache and to V8's own cache of
 * compiled code); cached runs render the same skeleton again, as a second task from one template does.
 */
let variant = 0;

export function measureSkeleton(count: number, runs: number, cold: boolean, precompile = false): number[] {
  const times: number[] = [];
  const same = buildSkeleton(count, 0);
  for (let i = 0; i < runs; i++) {
    const files = cold ? buildSkeleton(count, ++variant) : same;
    const started = performance.now();
    renderSkeleton(files, SKELETON_CONTEXT, precompile);
    times.push(performance.now() - started);
  }
  return times;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      files: { type: "string", default: "500" },
      runs: { type: "string", default: "30" },
      expressions: { type: "string", default: "5000" },
      seed: { type: "string", default: "20261206" },
      tasks: { type: "string", default: "1000" },
      kills: { type: "string", default: "3" },
      submits: { type: "string", default: "30" },
      only: { type: "string" },
    },
  });
  const fileCount = Number(values.files);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const steal = measureSteal();
  const loadBefore = loadavg()[0]!;

  const part = (name: string) => values.only === undefined || values.only === name;
  const language = part("language")
    ? await languageFigures(fileCount, runs, Number(values.expressions), seed)
    : undefined;
  const tasks = part("tasks") ? await taskFigures(Number(values.tasks), Number(values.kills)) : undefined;
  const chat = part("chat") ? await chatFigures(Number(values.submits)) : undefined;
  const stealShare = steal();
  if (stealShare !== undefined) console.log(`CPU steal during the run: ${round(stealShare * 100, 1)} %`);
  console.log(
    `load average before the run: ${round(loadBefore, 2)} (2 cores here: above 2, other work shares the CPU)`,
  );
  console.log(
    JSON.stringify({
      bench: "scaffold",
      corpus: {
        ...(language ? { files: language.files, runs, expressions: language.expressions, seed } : {}),
        ...(tasks
          ? { tasks: Number(values.tasks), kills: Number(values.kills), settings: BENCH_TASK_SETTINGS }
          : {}),
        ...(chat ? { submits: Number(values.submits), template: "node-service" } : {}),
      },
      metrics: {
        ...language?.metrics,
        ...tasks,
        ...chat,
        cpu_steal: stealShare === undefined ? null : round(stealShare, 3),
        load_average: round(loadBefore, 2),
      },
    }),
  );
}

/** The template language and fetch:template figures. */
async function languageFigures(fileCount: number, runs: number, expressionCount: number, seed: number) {
  const sources = buildExpressions(expressionCount, seed);
  measureExpressions(sources.slice(0, 500), 1); // warm the JIT
  const expressions = measureExpressions(sources);
  console.log(`expressions: ${sources.length} distinct, seed ${seed}`);
  console.log(`  cold (parse + compile + render): ${Math.round(expressions.cold).toLocaleString("en")} /s`);
  console.log(`  cached (render only):            ${Math.round(expressions.cached).toLocaleString("en")} /s`);

  const files = buildSkeleton(fileCount, 0);
  const written = renderSkeleton(files, SKELETON_CONTEXT);
  measureSkeleton(fileCount, 3, true); // warm-up
  measureSkeleton(fileCount, 3, true, true);
  const alone = summary(measureSkeleton(fileCount, runs, true));
  const batched = summary(measureSkeleton(fileCount, runs, true, true));
  await measureFetchTemplate(fileCount, 3, true); // warm-up
  const cold = summary(await measureFetchTemplate(fileCount, runs, true));
  const cached = summary(await measureFetchTemplate(fileCount, runs, false));
  console.log(
    `skeleton: ${files.length} files (${written} written, the rest skipped by an empty path segment), ${runs} runs`,
  );
  console.log(
    `  fetch:template, cold (a new skeleton each run, files written): p50 ${round(cold.p50, 1)} ms  p99 ${round(cold.p99, 1)} ms  (target < 500 ms)`,
  );
  console.log(
    `  fetch:template, cached (the same skeleton again):             p50 ${round(cached.p50, 1)} ms  p99 ${round(cached.p99, 1)} ms`,
  );
  console.log(
    `  the language alone, in memory, cold:                          p50 ${round(alone.p50, 1)} ms  p99 ${round(alone.p99, 1)} ms`,
  );
  console.log(
    `  the language alone, batch-compiled:                           p50 ${round(batched.p50, 1)} ms  p99 ${round(batched.p99, 1)} ms`,
  );
  return {
    files: files.length,
    expressions: sources.length,
    metrics: {
      render_500_files_ms: round(cold.p50, 1),
      render_500_files_p99_ms: round(cold.p99, 1),
      render_500_files_language_ms: round(alone.p50, 1),
      render_500_files_language_p99_ms: round(alone.p99, 1),
      render_500_files_precompiled_ms: round(batched.p50, 1),
      render_500_files_precompiled_p99_ms: round(batched.p99, 1),
      render_500_files_cached_ms: round(cached.p50, 1),
      render_500_files_cached_p99_ms: round(cached.p99, 1),
      expressions_per_s: Math.round(expressions.cached),
      expressions_per_s_cold: Math.round(expressions.cold),
    },
  };
}

/** Form submit to the first progress message in the thread, through the Slack stand-in. */
async function chatFigures(submits: number): Promise<Record<string, number>> {
  const times = await measureFirstProgress(submits);
  const { p50, p99 } = summary(times);
  console.log(
    `scaffolding from chat: form submit to the first progress message in the thread (Slack stand-in), ` +
      `${times.length} runs: p50 ${round(p50, 1)} ms, p99 ${round(p99, 1)} ms (target under 300 ms)`,
  );
  return { first_progress_ms: round(p50, 1), first_progress_p99_ms: round(p99, 1) };
}

/** The durable-task figures; null metrics when PostgreSQL does not answer. */
async function taskFigures(count: number, kills: number): Promise<Record<string, number | null>> {
  const timeout = Number(BENCH_TASK_SETTINGS.CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS);
  if (!(await postgresAnswers())) {
    console.log("durable tasks: PostgreSQL does not answer at 127.0.0.1:5432; skipped");
    return { tasks_per_s_two_workers: null, double_claims: null, resume_after_kill_s: null };
  }
  const drain = await measureDrain(count);
  console.log(
    `durable tasks: ${drain.tasks} queued tasks drained by two Callboard processes on PostgreSQL in ${round(drain.seconds, 2)} s: ` +
      `${round(drain.tasksPerSecond, 1)} tasks/s (per process: ${drain.perProcess.join(" / ")}), ` +
      `double claims ${drain.doubleClaims}, not completed ${drain.notCompleted} (load average ${round(drain.loadAverage, 2)})`,
  );
  const resumes = [];
  for (let i = 0; i < kills; i++) {
    const result = await measureResumeAfterKill();
    resumes.push(result);
    console.log(
      `  kill -9 of the worker holding a task mid-step, run ${i + 1}: resumed in the other process after ` +
        `${round(result.resumeSeconds, 2)} s, completed after ${round(result.endSeconds, 2)} s, effects ${result.effects} (3 expected)` +
        `${result.completed ? "" : " NOT COMPLETED"}`,
    );
  }
  const resume = percentile(
    resumes.map((r) => r.resumeSeconds),
    50,
  );
  console.log(
    `  resume after kill, median of ${kills}: ${round(resume, 2)} s (target: heartbeat timeout ${timeout} s + 1 s = ${timeout + 1} s)`,
  );
  return {
    tasks_per_s_two_workers: round(drain.tasksPerSecond, 1),
    double_claims: drain.doubleClaims,
    tasks_not_completed: drain.notCompleted,
    resume_after_kill_s: round(resume, 2),
    resume_after_kill_max_s: round(Math.max(...resumes.map((r) => r.resumeSeconds)), 2),
    end_after_kill_s: round(
      percentile(
        resumes.map((r) => r.endSeconds),
        50,
      ),
      2,
    ),
    effects_repeated_after_kill: resumes.reduce((n, r) => n + (r.effects - 3), 0),
    heartbeat_timeout_s: timeout,
    tasks_load_average: round(drain.loadAverage, 2),
  };
}
