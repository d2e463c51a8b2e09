/**
 * `npm run bench:docs-serve`: the serving half of the docs. A generated corpus of 50 sites, 2,000 pages and
 * 20,000 sections (code, tables, admonitions, tabs, links), held in memory as the build engine leaves it, is
 * served by the docs routes on the one HTTP server. Measures: pages served at concurrency 10 (first render and
 * cached, over keep-alive connections, client in the same process), a site's search box over the 20,000
 * sections, doc suggestions for channel questions, and the suggestions' precision and recall on the labelled
 * messages (test/fixtures/docs/suggestion-messages.ts). Readable lines, then one JSON line.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { BuiltPage, BuiltSite } from "../src/docs/model.ts";
import { measure, suggestSections } from "../src/docs/suggestions/suggest.ts";
import { SectionIndex } from "../src/docs/web/section-index.ts";
import { MemoryDocsLibrary } from "../test/fixtures/docs/memory-library.ts";
import { suggestionCorpus } from "../test/fixtures/docs/suggestion-corpus.ts";
import { SUGGESTION_MESSAGES } from "../test/fixtures/docs/suggestion-messages.ts";
import { describePages, measurePagesServed } from "./docs-pages.ts";
import { percentile, round } from "./stats.ts";

const SITES = 50;
const PAGES_PER_SITE = 40;
const SECTIONS_PER_PAGE = 10;
const CONCURRENCY = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);

/** A small seeded generator, so every run serves the same corpus. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = (
  "payments ledger settlement refund queue kafka consumer lag postgres replica failover vault secret token " +
  "rotate deploy rollback helm chart argo staging production cluster namespace ingress certificate oauth " +
  "client scope webhook retry timeout idempotency batch export import schema migration index mapping cache " +
  "latency throughput alert dashboard grafana pager incident runbook escalation backup restore audit"
).split(" ");

function generate(seed = 1): MemoryDocsLibrary {
  const next = random(seed);
  // Real documentation has a long tail of words: the topic words above, then a few thousand rarer ones
  // drawn with a Zipf-like skew (a few common, most rare), as in prose.
  const tail = Array.from(
    { length: 4000 },
    (_, i) => `${["con", "pro", "re", "de", "in", "ex"][i % 6]}${i.toString(36)}tion`,
  );
  const pick = () =>
    next() < 0.35 ? WORDS[Math.floor(next() * WORDS.length)]! : tail[Math.floor(tail.length * next() ** 3)]!;
  const sentence = (n: number) => {
    const words = Array.from({ length: n }, pick);
    return `${words[0]![0]!.toUpperCase()}${words.join(" ").slice(1)}.`;
  };
  const library = new MemoryDocsLibrary();
  for (let s = 0; s < SITES; s++) {
    const name = `service-${String(s).padStart(2, "0")}-${pick()}`;
    const pages: Record<string, BuiltPage> = {};
    const nav: BuiltSite["nav"] = [];
    for (let p = 0; p < PAGES_PER_SITE; p++) {
      const folder = ["guides", "runbooks", "reference", "architecture"][p % 4]!;
      const path = p === 0 ? "" : `${folder}/page-${p}-${pick()}/`;
      const title = p === 0 ? name : `${sentence(3).slice(0, -1)} ${p}`;
      const sections: BuiltPage["sections"] = [];
      const html: string[] = [`<h1 id="top">${title}<a class="headerlink" href="#top">¶</a></h1>`];
      for (let k = 0; k < SECTIONS_PER_PAGE; k++) {
        const heading = k === 0 ? title : `${sentence(3).slice(0, -1)} ${k}`;
        const anchor = k === 0 ? "" : `section-${k}`;
        const text = Array.from({ length: 6 }, () => sentence(10)).join(" ");
        sections.push({ anchor, heading, level: k === 0 ? 0 : 2, text });
        if (k > 0)
          html.push(`<h2 id="${anchor}">${heading}<a class="headerlink" href="#${anchor}">¶</a></h2>`);
        html.push(`<p>${text} See <a href="../">the overview</a>.</p>`);
        if (k % 3 === 1)
          html.push(
            `<pre><code class="hljs language-bash">kubectl rollout restart deploy/${pick()}\nhelm upgrade ${pick()} ./chart</code></pre>`,
          );
        if (k % 4 === 2)
          html.push(
            `<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${Array.from({ length: 5 }, () => `<tr><td>${pick()}</td><td>${pick()}</td></tr>`).join("")}</tbody></table>`,
          );
        if (k % 5 === 3)
          html.push(
            `<div class="admonition warning"><p class="admonition-title">Careful</p><p>${sentence(12)}</p></div>`,
          );
      }
      pages[path] = {
        path,
        title,
        html: html.join("\n"),
        toc: sections.slice(1).map((x) => ({ level: 2, id: x.anchor, title: x.heading, children: [] })),
        sections,
        sourcePath: `${path || "index"}.md`,
        hash: `${s}-${p}`,
        summary: sections[0]!.text.slice(0, 300),
        editUrl: `https://github.com/acme/${name}/edit/main/docs/${path || "index"}.md`,
      };
      if (p > 0) nav.push({ title, path });
    }
    library.put({
      entityRef: `component:default/${name}`,
      key: { namespace: "default", kind: "component", name },
      siteName: name,
      owner: `group:default/team-${s % 12}`,
      entityTitle: name,
      nav: [
        { title: "Home", path: "" },
        ...["Guides", "Runbooks", "Reference", "Architecture"].map((t, i) => ({
          title: t,
          children: nav.filter((_, j) => j % 4 === (i + 1) % 4),
        })),
      ],
      pages,
      assets: {},
      notes: [],
      sourceHash: `site-${s}`,
      builtAt: "2026-12-06T00:00:00.000Z",
    });
  }
  return library;
}

const load = loadavg()[0]!;
const library = generate();
const sections = new SectionIndex(library);
const sites = library.listSites();
const pageCount = sites.reduce((n, site) => n + Object.keys(site.pages).length, 0);
console.log(
  `corpus: ${sites.length} sites, ${pageCount} pages, ${sections.size} sections (load average ${round(load, 2)})`,
);

const served = await measurePagesServed(library, { requests: REQUESTS, concurrency: CONCURRENCY, sections });
console.log(describePages(served));
const next = random(7);

// The search box: a few words of a heading, the last one half typed, within one site.
const searchTimes: number[] = [];
for (let i = 0; i < 2000; i++) {
  const site = sites[i % sites.length]!;
  const words = [WORDS[Math.floor(next() * WORDS.length)]!, WORDS[Math.floor(next() * WORDS.length)]!];
  const query = `${words[0]} ${words[1]!.slice(0, 4)}`;
  const started = performance.now();
  sections.search(query, { site: site.key, limit: 12, prefix: true });
  searchTimes.push(performance.now() - started);
}
console.log(
  `site search over ${sections.size} sections: p50 ${round(percentile(searchTimes, 50))} ms, p99 ${round(percentile(searchTimes, 99))} ms`,
);

const suggestTimes: number[] = [];
for (let i = 0; i < 2000; i++) {
  const question = `How do I ${WORDS[Math.floor(next() * WORDS.length)]} the ${WORDS[Math.floor(next() * WORDS.length)]} ${WORDS[Math.floor(next() * WORDS.length)]}?`;
  const started = performance.now();
  suggestSections(sections, question);
  suggestTimes.push(performance.now() - started);
}
console.log(
  `doc suggestion for a question, over ${sections.size} sections: p50 ${round(percentile(suggestTimes, 50))} ms, p99 ${round(percentile(suggestTimes, 99))} ms`,
);

const quality = measure(new SectionIndex(suggestionCorpus()), SUGGESTION_MESSAGES);
const positives = SUGGESTION_MESSAGES.filter((m) => m.suggest).length;
console.log(
  `doc suggestions on ${SUGGESTION_MESSAGES.length} labelled messages (${positives} should, ${SUGGESTION_MESSAGES.length - positives} should not): ` +
    `precision ${round(quality.precision, 3)}, recall ${round(quality.recall, 3)} ` +
    `(${quality.truePositives} right, ${quality.falsePositives} wrong, ${quality.falseNegatives} missed)`,
);
for (const wrong of quality.wrong)
  console.log(`  ${wrong.suggested ? "suggested" : "missed"}: ${wrong.text}`);

console.log(
  JSON.stringify({
    bench: "docs-serve",
    corpus: {
      sites: sites.length,
      pages: pageCount,
      sections: sections.size,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
    },
    metrics: {
      page_p50_ms: served.page_p50_ms,
      page_p99_ms: served.page_p99_ms,
      page_first_render_p99_ms: served.first_render_p99_ms,
      page_cpu_ms: served.page_cpu_ms,
      site_search_p99_ms: round(percentile(searchTimes, 99)),
      suggestion_p99_ms: round(percentile(suggestTimes, 99)),
      suggestion_precision: round(quality.precision, 3),
      suggestion_recall: round(quality.recall, 3),
      load_average: round(load, 2),
    },
  }),
);
