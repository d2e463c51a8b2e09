/**
 * npm run bench:docs — generates 50 TechDocs sites (2,000 pages, 20,000 sections of realistic markdown), then
 * measures: a full build (render + sanitise + persist), a rebuild with nothing changed, a rebuild after one
 * page changed (many runs, a different page each time), and section search over the 20,000 sections plus a
 * 100k-entity catalog in the embedded index. Wall and CPU time are both printed: on the shared 2-core machine
 * the wall clock includes other processes' time slices. The last line is one JSON object.
 *
 * The serving half adds `page_p99_ms` (pages served at concurrency 10) to the same metrics object.
 *
 * Options: --sites N --pages N (per site) --sections N (per page) --entities N --runs N --queries N --seed N
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DocsStore } from "../src/docs/docs-store.ts";
import { MemoryDocsLibrary } from "../src/docs/docs-library.ts";
import { siteDocuments } from "../src/docs/docs-search-source.ts";
import { BuildPool } from "../src/docs/site/build-pool.ts";
import { SiteBuilder, type SiteInput, type SiteRecord } from "../src/docs/site/site-builder.ts";
import { EmbeddedSearchIndex } from "../src/search/embedded-index.ts";
import type { SearchDocument } from "../src/search/search-index.ts";
import { generateDocsCorpus } from "./docs-corpus.ts";
import { describePages, measurePagesServed } from "./docs-pages.ts";
import { buildCorpus } from "./search-corpus.ts";
import { percentile, round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    sites: { type: "string", default: "50" },
    pages: { type: "string", default: "40" },
    sections: { type: "string", default: "10" },
    entities: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    "one-page-runs": { type: "string", default: "30" },
    queries: { type: "string", default: "500" },
    seed: { type: "string", default: "42" },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const cpuMs = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const root = mkdtempSync(join(tmpdir(), "callboard-bench-docs-"));
const sites = generateDocsCorpus(join(root, "sources"), {
  sites: Number(values.sites),
  pagesPerSite: Number(values.pages),
  sectionsPerPage: Number(values.sections),
  seed,
});
const inputs: SiteInput[] = sites.map((site) => ({
  entityRef: `component:default/${site.name}`,
  key: { namespace: "default", kind: "component", name: site.name },
  root: site.root,
  owner: "group:default/team-bench",
  entityTitle: site.name,
}));
const builder = await SiteBuilder.create();
const pool = new BuildPool();
// Warm the workers (module load, Graphviz WebAssembly) as a running bot's would be.
await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.build(inputs[i % inputs.length]!)));
const loadAtStart = loadavg()[0]!;

/** Build every site into a fresh store; the records of the last run are kept for the rebuilds. */
async function fullBuild(store: DocsStore): Promise<{ records: SiteRecord[]; wall: number; cpu: number }> {
  const records: SiteRecord[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  // As DocsService.syncAll does: one lane per build worker, each taking the next site.
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const i = next++;
      const result = await pool.build(inputs[i]!);
      await store.save(result.record, result.newAssets);
      records[i] = result.record;
    }
  };
  await Promise.all(Array.from({ length: pool.size }, lane));
  return { records, wall: performance.now() - started, cpu: cpuMs(cpu) };
}

const fullWall: number[] = [];
const fullCpu: number[] = [];
let records: SiteRecord[] = [];
let store = new DocsStore(join(root, "out-0"));
for (let run = 0; run < runs; run++) {
  store = new DocsStore(join(root, `out-${run}`));
  const result = await fullBuild(store);
  fullWall.push(result.wall);
  fullCpu.push(result.cpu);
  records = result.records;
}
const pages = records.reduce((n, r) => n + Object.keys(r.site.pages).length, 0);
const sections = records.reduce(
  (n, r) => n + Object.values(r.site.pages).reduce((m, p) => m + p.sections.length, 0),
  0,
);

// Nothing changed: every site is checked (a stat per file) and none is rendered or written.
const unchangedWall: number[] = [];
const unchangedCpu: number[] = [];
for (let run = 0; run < Math.max(runs, 5); run++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const [i, input] of inputs.entries()) {
    const result = await builder.build(input, records[i]);
    if (result.changed) throw new Error(`bench: ${input.entityRef} rebuilt with nothing changed`);
    records[i] = result.record;
  }
  unchangedWall.push(performance.now() - started);
  unchangedCpu.push(cpuMs(cpu));
}

// One page changed: its site is checked, that page rendered, the site written.
const oneWall: number[] = [];
const oneCpu: number[] = [];
const oneRuns = Number(values["one-page-runs"]);
for (let run = 0; run < oneRuns; run++) {
  const s = run % sites.length;
  const site = sites[s]!;
  const page = site.pages[(run * 7) % site.pages.length]!;
  const file = join(site.root, "docs", page);
  writeFileSync(file, `${readFileSync(file, "utf8")}\n\n## Changed in run ${run}\n\nA new paragraph.\n`);
  const later = new Date(Date.now() + (run + 1) * 1000);
  utimesSync(file, later, later);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await builder.build(inputs[s]!, records[s]);
  await store.save(result.record, result.newAssets);
  oneWall.push(performance.now() - started);
  oneCpu.push(cpuMs(cpu));
  if (result.pages.length !== 1)
    throw new Error(`bench: one page changed but ${result.pages.length} were rendered`);
  records[s] = result.record;
}

// Section search: the sections as the docs index source gives them, beside a 100k-entity catalog.
const library = new MemoryDocsLibrary(store);
for (const record of records) library.put(record, true);
const docDocuments: SearchDocument[] = library
  .listSites()
  .flatMap((site) => siteDocuments(site, "https://cb.example"));
const entities = buildCorpus(Number(values.entities), 0, seed).entities;
const index = new EmbeddedSearchIndex(join(root, "search.db"));
const indexStarted = performance.now();
const all = [...entities, ...docDocuments];
await index.rebuild(
  (async function* () {
    for (let i = 0; i < all.length; i += 1000) yield all.slice(i, i + 1000);
  })(),
  "bench-docs",
);
const indexS = (performance.now() - indexStarted) / 1000;
const headings = docDocuments.filter((d) => d.section).map((d) => d.title);
const queries: string[] = [];
for (let i = 0; i < Number(values.queries); i++) {
  const heading = headings[(i * 7919) % headings.length]!;
  const words = heading.split(/\s+/).slice(0, 3);
  // Every fourth query has a typo in its last word, as people type in chat.
  if (i % 4 === 3 && words.length > 0) {
    const last = words[words.length - 1]!;
    if (last.length > 5) words[words.length - 1] = last.slice(0, 2) + last[3] + last[2] + last.slice(4);
  }
  queries.push(words.join(" "));
}
for (const q of queries.slice(0, 20)) await index.search({ q, filters: { type: ["doc"] }, limit: 5 });
const searchWall: number[] = [];
const searchCpu: number[] = [];
let found = 0;
for (const q of queries) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await index.search({ q, filters: { type: ["doc"] }, limit: 5 });
  searchWall.push(performance.now() - started);
  searchCpu.push(cpuMs(cpu));
  if (result.hits.length > 0) found++;
}
await index.close();
// Pages served from the library just built, at concurrency 10 (bench/docs-pages.ts, the serving half).
const served = await measurePagesServed(library);
await pool.close();
const loadAtEnd = loadavg()[0]!;
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]) => percentile(xs, 50);
console.log(
  `docs bench: ${sites.length} sites, ${pages} pages, ${sections} sections, seed ${seed}; load average ${round(loadAtStart, 1)} → ${round(loadAtEnd, 1)} (2 cores)`,
);
console.log(
  `full build (render, sanitise, persist; ${pool.size} build worker threads), ${runs} runs: median ${round(median(fullWall) / 1000, 2)} s wall, ${round(median(fullCpu) / 1000, 2)} s CPU (${round(median(fullCpu) / pages, 2)} ms CPU per page)`,
);
console.log(
  `rebuild, nothing changed, ${unchangedWall.length} runs: median ${round(median(unchangedWall) / 1000, 3)} s wall, ${round(median(unchangedCpu) / 1000, 3)} s CPU`,
);
console.log(
  `rebuild after one page changed, ${oneWall.length} runs: p50 ${round(median(oneWall), 1)} ms, p99 ${round(percentile(oneWall, 99), 1)} ms wall; p50 ${round(median(oneCpu), 1)} ms CPU`,
);
console.log(
  `section search (${docDocuments.length} sections + ${entities.length} entities, index built in ${round(indexS, 1)} s), ${queries.length} queries: p50 ${round(median(searchWall), 2)} ms, p99 ${round(percentile(searchWall, 99), 2)} ms wall; CPU p99 ${round(percentile(searchCpu, 99), 2)} ms; ${found} with hits`,
);
console.log(describePages(served));
console.log(
  JSON.stringify({
    metrics: {
      build_2000_pages_s: round(median(fullWall) / 1000, 2),
      build_2000_pages_cpu_s: round(median(fullCpu) / 1000, 2),
      rebuild_unchanged_s: round(median(unchangedWall) / 1000, 3),
      rebuild_one_page_ms: round(median(oneWall), 1),
      rebuild_one_page_p99_ms: round(percentile(oneWall, 99), 1),
      section_search_p99_ms: round(percentile(searchWall, 99), 2),
      page_p99_ms: served.page_p99_ms,
      page_p50_ms: served.page_p50_ms,
      page_first_render_p99_ms: served.first_render_p99_ms,
      page_cpu_ms: served.page_cpu_ms,
      pages,
      sections,
      load_average: round(loadAtEnd, 1),
    },
  }),
);
