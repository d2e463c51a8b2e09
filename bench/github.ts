/**
 * npm run bench:github — GitHub discovery against the stand-in: an organisation of 2,000 repositories (1,500
 * with a catalog file, one in ten of those a Location file pointing at two more files in its repository), read
 * by a Callboard with SQLite. First discovery: REST requests made and wall time. Then refreshes with nothing
 * changed: requests (listing pages, all answered 304) and file contents downloaded (target 0), median over
 * runs. Prints readable lines, then one JSON line.
 *
 * Then (bench/github-replicas.ts) push_to_answer: a push webhook to one of two Callboard processes on one
 * PostgreSQL database, `who owns` asked of the other until it names the new owner (p50/p99 over --pushes);
 * and reimport_unchanged_100k_s: the 100k local organisation imported again with nothing changed.
 *
 * Options: --repos N (2000) --with-catalog N (1500) --runs N (5 refreshes) --pushes N (100)
 * --reimport-entities N (100000; 0 skips it).
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startDiscoveryHarness } from "../test/fixtures/github/discovery-harness.ts";
import { measurePushToAnswer, measureReimportUnchanged } from "./github-replicas.ts";
import { percentile, round, summary } from "./stats.ts";

const { values } = parseArgs({
  options: {
    repos: { type: "string", default: "2000" },
    "with-catalog": { type: "string", default: "1500" },
    runs: { type: "string", default: "5" },
    pushes: { type: "string", default: "100" },
    "reimport-entities": { type: "string", default: "100000" },
  },
});
const repos = Number(values.repos);
const withCatalog = Number(values["with-catalog"]);
const runs = Number(values.runs);

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

const seedStarted = performance.now();
const h = await startDiscoveryHarness({
  quiet: true,
  env: { GITHUB_CATALOG_REFRESH_SECONDS: "0" },
  async seed(standIn) {
    const { state } = standIn;
    state.addOrganization("acme", { members: ["bench"] });
    const token = state.createToken("bench");
    const batch = 16;
    for (let start = 0; start < repos; start += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, repos - start) }, async (_, offset) => {
          const i = start + offset;
          const repo = await state.createRepository("acme", `repo-${String(i).padStart(4, "0")}`);
          let files: Record<string, string>;
          if (i >= withCatalog) files = { "README.md": `# repo ${i}\n` };
          else if (i % 10 === 0) {
            files = {
              "catalog-info.yaml": `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loc-${i}\nspec:\n  targets:\n    - ./services/a.yaml\n    - ./services/b.yaml\n`,
              "services/a.yaml": component(`svc-${i}-a`, `team-${i % 40}`),
              "services/b.yaml": component(`svc-${i}-b`, `team-${i % 40}`),
            };
          } else files = { "catalog-info.yaml": component(`svc-${i}`, `team-${i % 40}`) };
          await state.commit(repo, { files });
        }),
      );
    }
    return { token };
  },
});
const seedS = (performance.now() - seedStarted) / 1000;
const signal = new AbortController().signal;
const metrics: Record<string, number | null> = {};
const rest = () => h.standIn.requests.filter((r) => !r.git).length;
const contentDownloads = (from: number) =>
  h.standIn.requests
    .slice(from)
    .filter((r) => r.operation === "/repos/{owner}/{repo}/contents/{path}" && r.status === 200).length;

try {
  process.stdout.write(
    `Seeded ${repos} repositories (${withCatalog} with catalog files) in ${seedS.toFixed(1)} s; load ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const before = rest();
  const started = performance.now();
  const first = await h.discovery.refresh(signal);
  const discoveryS = (performance.now() - started) / 1000;
  const discoveryRequests = rest() - before;
  const locations = (await h.app.catalog.locations()).filter((l) => l.key.startsWith("github:")).length;
  process.stdout.write(
    `First discovery: ${discoveryRequests} requests, ${discoveryS.toFixed(1)} s, ${locations} locations, ${h.app.catalog.graph.size} entities` +
      (first.stopped.length > 0 ? `, stopped for ${first.stopped.join(", ")}` : "") +
      `; reading files ${(h.discovery.timings.readMs / 1000).toFixed(1)} s (summed over concurrent reads), importing ${(h.discovery.timings.importMs / 1000).toFixed(1)} s\n`,
  );

  const requests: number[] = [];
  const downloads: number[] = [];
  const seconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const from = h.standIn.requests.length;
    const at = rest();
    const t = performance.now();
    await h.discovery.refresh(signal);
    seconds.push((performance.now() - t) / 1000);
    requests.push(rest() - at);
    downloads.push(contentDownloads(from));
  }
  const statuses = new Set(h.standIn.requests.slice(-requests.at(-1)!).map((r) => r.status));
  process.stdout.write(
    `Refresh with nothing changed (${runs} runs): requests median ${percentile(requests, 50)} (statuses ${[...statuses].join(", ")}), ` +
      `content downloads median ${percentile(downloads, 50)} (max ${Math.max(...downloads)}), ${percentile(seconds, 50).toFixed(2)} s median\n`,
  );
  if (h.standIn.violations.length > 0) {
    process.stdout.write(`OpenAPI violations: ${h.standIn.violations.slice(0, 5).join("; ")}\n`);
  }
  Object.assign(metrics, {
    repos,
    repos_with_catalog: withCatalog,
    discovery_requests: discoveryRequests,
    discovery_s: round(discoveryS, 2),
    second_refresh_requests: percentile(requests, 50),
    second_refresh_content_downloads: percentile(downloads, 50),
    second_refresh_s: round(percentile(seconds, 50), 3),
    openapi_violations: h.standIn.violations.length,
  });
} finally {
  await h.close();
}

const pushes = Number(values.pushes);
const pushed = await measurePushToAnswer({ pushes, repos: 20 });
if ("skipped" in pushed) {
  process.stdout.write(`Push to answer: skipped (${pushed.skipped})\n`);
  metrics.push_to_answer_p99_ms = null;
} else {
  const stats = summary(pushed.samples);
  process.stdout.write(
    `Push to answer (webhook to replica A, who owns asked of replica B, PostgreSQL, ${stats.n} pushes): p50 ${stats.p50.toFixed(0)} ms, p99 ${stats.p99.toFixed(0)} ms; load ${loadavg()[0]!.toFixed(2)}\n`,
  );
  metrics.push_to_answer_p50_ms = round(stats.p50, 1);
  metrics.push_to_answer_p99_ms = round(stats.p99, 1);
}
const reimportEntities = Number(values["reimport-entities"]);
if (reimportEntities > 0) {
  const reimport = await measureReimportUnchanged(reimportEntities);
  process.stdout.write(
    `Local organisation of ${reimportEntities} entities: imported in ${reimport.first.toFixed(2)} s, again with nothing changed in ${reimport.second.toFixed(2)} s; load ${loadavg()[0]!.toFixed(2)}\n`,
  );
  metrics[
    `reimport_unchanged_${reimportEntities >= 1000 ? `${reimportEntities / 1000}k` : reimportEntities}_s`
  ] = round(reimport.second, 3);
}
process.stdout.write(`${JSON.stringify({ metrics })}\n`);
