/**
 * Pages served at concurrency 10, for bench:docs and bench:docs-serve: every page of the library once (first
 * render after a build), then `requests` pages at random over keep-alive connections from ten clients, on the
 * one HTTP server with the docs routes. The client runs in the same process, so its own work is in the
 * figures; CPU time per request is reported beside the wall times, since on the shared machine the wall clock
 * carries other processes' time slices.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { DocsLibrary } from "../src/docs/model.ts";
import { sitePath } from "../src/docs/model.ts";
import { docsWebPlugin } from "../src/docs/web/docs-web-plugin.ts";
import type { SectionIndex } from "../src/docs/web/section-index.ts";
import { serveDocsPlugins } from "../test/fixtures/docs/docs-server.ts";
import { percentile, round } from "./stats.ts";

export interface PagesServed {
  pages: number;
  requests: number;
  concurrency: number;
  first_render_p50_ms: number;
  first_render_p99_ms: number;
  page_p50_ms: number;
  page_p99_ms: number;
  /** Process CPU (server and client) per request in the random phase. */
  page_cpu_ms: number;
}

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`HTTP ${res.statusCode} for ${path}`)),
      );
    })
      .on("error", reject)
      .end();
  });
}

async function atConcurrency(paths: string[], port: number, concurrency: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const times: number[] = [];
  let at = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (at < paths.length) times.push(await get(agent, port, paths[at++]!));
    }),
  );
  agent.destroy();
  return times;
}

export async function measurePagesServed(
  library: DocsLibrary,
  options: { requests?: number; concurrency?: number; seed?: number; sections?: SectionIndex } = {},
): Promise<PagesServed> {
  const concurrency = options.concurrency ?? 10;
  const requests = options.requests ?? 10_000;
  const base = "http://127.0.0.1";
  const { server } = await serveDocsPlugins(
    [docsWebPlugin({ library, baseUrl: base, ...(options.sections ? { sections: options.sections } : {}) })],
    base,
  );
  try {
    const port = Number(new URL(server.url).port);
    const paths = library
      .listSites()
      .flatMap((site) => Object.keys(site.pages).map((path) => sitePath(site.key, path)));
    const cold = await atConcurrency(paths, port, concurrency);
    let state = (options.seed ?? 7) >>> 0;
    const next = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const mixed = Array.from({ length: requests }, () => paths[Math.floor(next() * paths.length)]!);
    const cpu = process.cpuUsage();
    const warm = await atConcurrency(mixed, port, concurrency);
    const used = process.cpuUsage(cpu);
    return {
      pages: paths.length,
      requests,
      concurrency,
      first_render_p50_ms: round(percentile(cold, 50)),
      first_render_p99_ms: round(percentile(cold, 99)),
      page_p50_ms: round(percentile(warm, 50)),
      page_p99_ms: round(percentile(warm, 99)),
      page_cpu_ms: round((used.user + used.system) / 1000 / requests),
    };
  } finally {
    await server.close();
  }
}

export function describePages(result: PagesServed): string {
  return (
    `pages served at concurrency ${result.concurrency} (${result.pages} pages): first render p50 ${result.first_render_p50_ms} ms, ` +
    `p99 ${result.first_render_p99_ms} ms; then ${result.requests} requests p50 ${result.page_p50_ms} ms, ` +
    `p99 ${result.page_p99_ms} ms, ${result.page_cpu_ms} ms CPU a request (server and client)`
  );
}
