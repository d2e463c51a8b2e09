/**
 * Keeps built docs in step with the catalog: builds every entity's TechDocs (incrementally: an unchanged site
 * costs a stat of each file), rebuilds one on request, follows catalog changes, and persists what changed.
 * Builds run one at a time, so a rebuild asked for in chat never races the periodic sync.
 */
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import type { Entity } from "../catalog/model/entity.ts";
import type { DocsStore } from "./docs-store.ts";
import type { MemoryDocsLibrary } from "./docs-library.ts";
import { siteKeyOf, type BuildNote } from "./model.ts";
import { MkdocsConfigError } from "./site/mkdocs-config.ts";
import type { BuildPool } from "./site/build-pool.ts";
import { SiteBuilder, type BuildResult, type SiteInput, type SiteRecord } from "./site/site-builder.ts";
import { DocsSourceError } from "./site/site-sources.ts";
import { declaresDocs, resolveDocsSource, TECHDOCS_REF } from "./techdocs-ref.ts";

/** An entity as the docs need it. */
export interface DocsEntity {
  ref: string;
  entity: Entity;
  /** Where its descriptor was read: `file:/abs/path` or `url:...`. */
  location?: string;
  /** Canonical owner ref. */
  owner?: string;
}

export interface DocsCatalog {
  entities(): Iterable<DocsEntity>;
  get(ref: string): DocsEntity | undefined;
  /** Refs of the entities with this name (case-insensitive), any kind. */
  byName(name: string): string[];
}

export type BuildOutcome =
  | {
      kind: "built";
      ref: string;
      changed: boolean;
      pages: number;
      total: number;
      notes: BuildNote[];
      /** The commit a `url:` source was taken from. */
      commit?: string;
    }
  | { kind: "borrowed"; ref: string; siteRef: string }
  | { kind: "none"; ref: string }
  | { kind: "problem"; ref: string; message: string; kept: boolean };

export interface SyncSummary {
  built: number;
  unchanged: number;
  problems: number;
  removed: number;
}

export interface DocsServiceDeps {
  library: MemoryDocsLibrary;
  store: DocsStore;
  catalog: DocsCatalog;
  /** The operator's CALLBOARD_LOCAL_ROOTS: folders besides the imported one that docs may be read from. */
  localRoots: string[];
  /**
   * Fetches `url:` sources (GitHub tree URLs), handed in by the composition root when GitHub is configured;
   * without it such docs answer with the settings to set.
   */
  fetchSource?: DocsSourceFetcher;
  /**
   * Seconds a fetched `url:` source is reused before its branch is asked for again (each ask costs GitHub
   * requests); 0 asks on every sync. `rebuild` always asks.
   */
  urlCheckSeconds?: number;
  /** Worker threads for first builds (every page rendered); without it everything builds inline. */
  pool?: BuildPool;
  log?: Logger;
}

/** A repository folder fetched for a `url:` source: a local copy, cached by commit. */
export interface FetchedDocs {
  dir: string;
  commit: string;
  /** Nothing was downloaded: the commit's copy was already there. */
  cached: boolean;
}

/** Where `url:` docs sources come from: the configured GitHub (host `github.com` or an Enterprise Server). */
export interface DocsSourceFetcher {
  /** The host whose tree URLs it reads. */
  host: string;
  fetch(url: string): Promise<FetchedDocs>;
}

/** The settings a `url:` source needs, named in the answer when they are missing. */
const GITHUB_SETTINGS =
  "set GITHUB_TOKEN (or a GitHub App: GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_FILE), and GITHUB_API_URL for a GitHub Enterprise Server";

/** First builds in one sync from which the build workers are worth starting. */
const POOL_FROM_SITES = 8;

export class DocsService {
  private readonly problems = new Map<string, string>();
  /** The last fetch of each `url:` source, reused for urlCheckSeconds. */
  private readonly fetched = new Map<string, { tree: FetchedDocs; at: number; seq: number }>();
  /** Fetches asked for so far: `fetched` entries carry their number, to tell which came after a point. */
  private fetches = 0;
  /** The `url:` source each site's entity resolved to at its last build (lower-case ref to entity ref and URL). */
  private readonly urlSources = new Map<string, { ref: string; url: string }>();
  /** Tests of the pushes waiting for the queued re-check pass, and that pass while it has not started. */
  private pushed: Array<(url: string) => boolean> = [];
  private pushPass: Promise<BuildOutcome[]> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private builder: Promise<SiteBuilder> | undefined;
  private closed = false;

  constructor(private readonly deps: DocsServiceDeps) {}

  /** Read stored sites into the library (no build, no notification): the start-up path. */
  async load(): Promise<number> {
    const records = await this.deps.store.loadAll();
    for (const record of records) this.deps.library.put(record, true);
    return records.length;
  }

  /** Why an entity's docs could not be built last time, if they could not. */
  problem(ref: string): string | undefined {
    return this.problems.get(ref.toLowerCase());
  }

  /** Build every entity's docs that changed; drop sites whose entity no longer declares docs. */
  syncAll(signal?: AbortSignal): Promise<SyncSummary> {
    const summary: SyncSummary = { built: 0, unchanged: 0, problems: 0, removed: 0 };
    if (this.closed) return Promise.resolve(summary);
    return this.serial(async () => {
      const wanted = new Set<string>();
      const items = [...this.deps.catalog.entities()].filter((item) => declaresDocs(item.entity));
      for (const item of items) wanted.add(item.ref.toLowerCase());
      // Many first builds (a fresh data folder) go to the build workers, as many sites at once as there are
      // workers, incremental checks (stat calls) interleaving with them. A few build inline: starting a
      // worker costs more than it saves.
      const fresh = items.filter((item) => !this.deps.library.record(item.ref)).length;
      const parallel = this.deps.pool !== undefined && fresh >= POOL_FROM_SITES;
      let next = 0;
      const lane = async () => {
        while (next < items.length && !signal?.aborted) {
          const outcome = await this.buildOne(items[next++]!, parallel);
          if (outcome.kind === "built") summary[outcome.changed ? "built" : "unchanged"]++;
          if (outcome.kind === "problem") summary.problems++;
        }
      };
      await Promise.all(Array.from({ length: parallel ? this.deps.pool!.size : 1 }, lane));
      if (!signal?.aborted) {
        for (const record of [...this.deps.library.allRecords()]) {
          if (!wanted.has(record.site.entityRef.toLowerCase())) {
            await this.drop(record.site.entityRef);
            summary.removed++;
          }
        }
        for (const ref of this.deps.library.borrowedRefs()) {
          if (!wanted.has(ref.toLowerCase())) this.deps.library.removeBorrowed(ref);
        }
      }
      return summary;
    });
  }

  /** Build one entity's docs now (nothing is rendered when nothing changed). */
  rebuild(ref: string): Promise<BuildOutcome> {
    return this.serial(async () => {
      const item = this.deps.catalog.get(ref);
      if (!item || !declaresDocs(item.entity)) {
        if (this.deps.library.record(ref)) await this.drop(ref);
        this.deps.library.removeBorrowed(ref);
        return { kind: "none", ref };
      }
      return this.buildOne(item, false, this.fetches);
    });
  }

  /**
   * A repository changed (a GitHub push): check again now, whatever urlCheckSeconds says, the sites whose
   * `url:` source `touches` accepts. The check is the usual conditional one: the commit the URL names is asked
   * for, and an unchanged commit or folder downloads and renders nothing. Pushes that arrive while a pass is
   * queued join it, so a burst of deliveries (or one push delivered twice) checks each site once.
   */
  sourcesChanged(touches: (url: string) => boolean): Promise<BuildOutcome[]> {
    if (this.closed) return Promise.resolve([]);
    this.pushed.push(touches);
    this.pushPass ??= this.serial(async () => {
      const tests = this.pushed;
      this.pushed = [];
      this.pushPass = undefined;
      const since = this.fetches;
      const outcomes: BuildOutcome[] = [];
      for (const { ref, url } of [...this.urlSources.values()]) {
        if (!tests.some((test) => test(url))) continue;
        const item = this.deps.catalog.get(ref);
        // Gone from the catalog or its docs: the catalog change that said so drops the site.
        if (!item || !declaresDocs(item.entity)) {
          this.urlSources.delete(ref.toLowerCase());
          continue;
        }
        outcomes.push(await this.buildOne(item, false, since));
      }
      if (outcomes.length > 0) {
        this.deps.log?.info(
          {
            sites: outcomes.map((o) => o.ref),
            rebuilt: outcomes.filter((o) => o.kind === "built" && o.changed).length,
          },
          "docs checked after a push",
        );
      }
      return outcomes;
    });
    return this.pushPass;
  }

  /** Follow a catalog change: rebuild what changed, drop what went. */
  changed(upserted: string[], removed: string[]): Promise<void> {
    // A change stored while shutting down is picked up by the next start's sync.
    if (this.closed) return Promise.resolve();
    return this.serial(async () => {
      for (const ref of removed) {
        if (this.deps.library.record(ref)) await this.drop(ref);
        this.deps.library.removeBorrowed(ref);
      }
      for (const ref of upserted) {
        const item = this.deps.catalog.get(ref);
        if (item && declaresDocs(item.entity)) await this.buildOne(item);
        else if (this.deps.library.record(ref)) await this.drop(ref);
      }
    });
  }

  /**
   * Run builds one batch at a time. After each batch the build workers are let go: an idle worker's message
   * ports would keep the process alive at exit, and first builds (the only ones they do) are rare.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      try {
        if (this.closed) throw new Error("the docs service is closed (shutting down)");
        return await work();
      } finally {
        await this.deps.pool?.close();
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Finish the builds under way and take no more (shutdown: the index and store close next). */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  /** Resolves once the builds asked for so far are done, or after `ms`, whichever is first. */
  async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  private async drop(ref: string): Promise<void> {
    await this.deps.store.remove(siteKeyOf(ref.toLowerCase()));
    this.deps.library.remove(ref);
    this.problems.delete(ref.toLowerCase());
    this.urlSources.delete(ref.toLowerCase());
  }

  private async build(
    input: SiteInput,
    previous: SiteRecord | undefined,
    parallel: boolean,
  ): Promise<BuildResult> {
    if (!previous && parallel && this.deps.pool) return this.deps.pool.build(input);
    this.builder ??= SiteBuilder.create();
    return (await this.builder).build(input, previous);
  }

  /**
   * Build one entity's docs. With `freshAfter` (a count of fetches, `this.fetches` when the caller started), a
   * `url:` source not fetched since then is asked for again whatever urlCheckSeconds says.
   */
  private async buildOne(item: DocsEntity, parallel = false, freshAfter?: number): Promise<BuildOutcome> {
    const ref = item.ref;
    const lower = ref.toLowerCase();
    let source = await resolveDocsSource(item.entity, item.location, this.deps.localRoots);
    let commit: string | undefined;
    // Remembered before fetching: a source that failed is checked again on a push too (the push may fix it).
    if (source.type === "url") this.urlSources.set(lower, { ref, url: source.url });
    else this.urlSources.delete(lower);
    if (source.type === "url") {
      const fetched = await this.fetchUrl(ref, source.url, freshAfter);
      if ("problem" in fetched) source = { type: "problem", message: fetched.problem };
      else {
        commit = fetched.tree.commit;
        source = { type: "dir", root: fetched.tree.dir };
      }
    }
    const library = this.deps.library;
    if (source.type === "none") return { kind: "none", ref };
    if (source.type === "problem") {
      if (this.problems.get(lower) !== source.message) {
        this.deps.log?.warn({ ref, problem: source.message }, "docs not built");
      }
      this.problems.set(lower, source.message);
      return { kind: "problem", ref, message: source.message, kept: Boolean(library.record(ref)) };
    }
    if (source.type === "borrow") {
      if (library.record(ref)) await this.drop(ref);
      library.setBorrowed({
        entityRef: ref,
        key: siteKeyOf(lower),
        siteEntityRef: source.siteRef,
        path: source.path,
      });
      this.problems.delete(lower);
      return { kind: "borrowed", ref, siteRef: source.siteRef };
    }
    library.removeBorrowed(ref);
    const previous = library.record(ref);
    try {
      const result = await this.build(
        {
          entityRef: ref,
          key: siteKeyOf(lower),
          root: source.root,
          entityTitle: item.entity.metadata.title ?? item.entity.metadata.name,
          ...(item.owner ? { owner: item.owner } : {}),
        },
        previous,
        parallel,
      );
      this.problems.delete(lower);
      if (result.changed) {
        await this.deps.store.save(result.record, result.newAssets);
        library.put(result.record);
        this.deps.log?.info({ ref, pages: result.pages.length, ...(commit ? { commit } : {}) }, "docs built");
      } else if (result.record !== previous) {
        // Only file stamps moved (touched, same content): remember them so the files are not read again.
        await this.deps.store.save(result.record, new Map());
        library.put(result.record, true);
      }
      return {
        kind: "built",
        ref,
        changed: result.changed,
        pages: result.pages.length,
        total: Object.keys(result.record.site.pages).length,
        notes: result.record.site.notes,
        ...(commit ? { commit } : {}),
      };
    } catch (error) {
      if (!(error instanceof MkdocsConfigError || error instanceof DocsSourceError)) {
        this.deps.log?.error({ ref, err: error }, "docs build failed");
      }
      const message = error instanceof Error ? error.message : String(error);
      this.problems.set(lower, message);
      return { kind: "problem", ref, message, kept: Boolean(previous) };
    }
  }

  /**
   * Fetch a `url:` source: the last copy while it is younger than urlCheckSeconds, else whatever commit the
   * URL names now (the fetcher downloads nothing for a commit it already holds). A failure is a problem that
   * names the entity and the URL; the last good build stays served.
   */
  private async fetchUrl(
    ref: string,
    url: string,
    freshAfter: number | undefined,
  ): Promise<{ tree: FetchedDocs } | { problem: string }> {
    const fetcher = this.deps.fetchSource;
    const annotation = `${TECHDOCS_REF}: url:${url}`;
    if (!fetcher) {
      return {
        problem: `${annotation}: GitHub is not configured, so docs cannot be fetched from a repository: ${GITHUB_SETTINGS}; or keep the docs next to the catalog file and use \`dir:.\``,
      };
    }
    const host = new URL(url).host.toLowerCase();
    if (host !== fetcher.host.toLowerCase()) {
      return {
        problem: `${annotation}: ${host} is not the configured GitHub (${fetcher.host}); docs are fetched from that one only: point GITHUB_API_URL at ${host}'s API (https://${host}/api/v3) if it is your GitHub Enterprise Server, or move the docs`,
      };
    }
    const last = this.fetched.get(url);
    const maxAge = (this.deps.urlCheckSeconds ?? 0) * 1000;
    // One push re-checking several sites on one URL asks GitHub once.
    const recent =
      freshAfter === undefined
        ? maxAge > 0 && Date.now() - (last?.at ?? 0) < maxAge
        : (last?.seq ?? 0) > freshAfter;
    if (last && recent && existsSync(last.tree.dir)) return { tree: { ...last.tree, cached: true } };
    try {
      const seq = ++this.fetches;
      const tree = await fetcher.fetch(url);
      this.fetched.set(url, { tree, at: Date.now(), seq });
      if (!tree.cached) this.deps.log?.info({ ref, url, commit: tree.commit }, "docs source fetched");
      return { tree };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log?.debug({ ref, url, err: error }, "docs source not fetched");
      return { problem: message.includes(url) ? message : `${annotation}: ${message}` };
    }
  }
}
