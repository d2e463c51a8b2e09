/**
 * GitHub discovery: every repository of the configured organisations (or of every installation of the App) is
 * listed, filtered, and its catalog file (a path, or every file a glob matches) imported as a location through
 * the catalog's own ingestion. A full pass is cheap when little changed: listing pages are requested with
 * If-None-Match (a 304 page means none of its repositories changed), a repository whose pushed_at did not move
 * is not read at all, and a file read again is requested conditionally. A pass a rate limit stops keeps its
 * cursor in the database; the next pass, on any replica, starts at that page.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { RequestError, type Octokit } from "octokit";
import type { GitHubClient, GitHubSession } from "../../../github/github-client.ts";
import type { CatalogImports } from "../../catalog-providers.ts";
import type { ImportReport } from "../../catalog-service.ts";
import {
  branchOf,
  catalogPathMatcher,
  coversAccount,
  excludedBecause,
  repoInfoOf,
  type DiscoverySettings,
  type RepoInfo,
} from "./discovery-settings.ts";
import { isSettled, type DiscoveryState, type LocationRecord, type RepoRecord } from "./discovery-state.ts";
import { githubLocationKey, parseGitHubLocationKey } from "./locations.ts";
import { FileCache, newCounters, type RequestCounters } from "./repo-files.ts";
import { readRepoLocation, type RepoLocationRead } from "./repo-reader.ts";
import { listRepositories, matchingPaths } from "./repo-listing.ts";

export interface DiscoveryDeps {
  client: GitHubClient;
  settings: DiscoverySettings;
  state: DiscoveryState;
  /** The catalog's imports, once it runs this provider. */
  imports: () => Promise<CatalogImports>;
  /** Whether credentials are a GitHub App's (repositories are then listed per installation). */
  app: boolean;
  log: Logger;
}

/** One catalog file read and imported: its record, and the import's report. */
interface FileOutcome {
  record: LocationRecord;
  report: ImportReport;
}

export interface RefreshOutcome {
  /** Accounts whose pass stopped; they resume at their cursor. */
  stopped: string[];
  /** Another replica was running the full refresh. */
  skipped?: boolean;
  /** When a rate limit stopped the pass: how long until GitHub's budget is back (then resume, not an interval later). */
  resumeAfterMs?: number;
}

/** A rate limit's wait, from Retry-After or x-ratelimit-reset; undefined for any other failure. */
export function rateLimitWaitMs(error: unknown, now = Date.now()): number | undefined {
  if (!(error instanceof RequestError) || (error.status !== 403 && error.status !== 429)) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset)) return Math.max(reset * 1000 - now, 0);
  }
  return undefined;
}

/** Repositories whose files are read while an earlier one is imported. */
const READ_AHEAD = 8;

export type Plan =
  | { kind: "skip" }
  | { kind: "forget"; record: RepoRecord; reason: string }
  | {
      kind: "scan";
      info: RepoInfo;
      record: RepoRecord | undefined;
      branch: string;
      scannedAt: string;
      /** Each catalog file's read, by path. */
      reads: Map<string, RepoLocationRead>;
    };

const SKIP: Plan = { kind: "skip" };

interface Account {
  login: string;
  session: GitHubSession;
}

export class GitHubDiscovery {
  readonly counters: RequestCounters = newCounters();
  readonly cache = new FileCache();
  /** Where a pass's time goes: reading files from GitHub, and importing them into the catalog. */
  readonly timings = { readMs: 0, importMs: 0 };
  /** This process, as the holder of the full pass's lease. */
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly matcher: ReturnType<typeof catalogPathMatcher>;

  constructor(private readonly deps: DiscoveryDeps) {
    this.matcher = catalogPathMatcher(deps.settings.catalogPath);
  }

  get host(): string {
    return this.deps.client.host;
  }

  /**
   * A full pass over every account, then the locations registered by hand. Returns the accounts whose pass a
   * failure (a rate limit GitHub kept answering, an outage) stopped; they resume at their cursor next time.
   */
  async refresh(signal: AbortSignal): Promise<RefreshOutcome> {
    // Replicas share the database: one pass at a time, the others skip theirs (webhooks are still handled).
    if (!(await this.deps.state.leasePass(this.holder))) {
      this.deps.log.info("GitHub discovery: another replica is running the full refresh; this one skips it");
      return { stopped: [], skipped: true };
    }
    try {
      return await this.pass(signal);
    } finally {
      await this.deps.state.releasePass(this.holder);
    }
  }

  private async pass(signal: AbortSignal): Promise<RefreshOutcome> {
    const stopped: string[] = [];
    let resumeAfterMs: number | undefined;
    const started = { ...this.counters };
    for await (const account of this.accounts()) {
      if (signal.aborted) break;
      try {
        await this.refreshAccount(account, signal, () => this.deps.state.leasePass(this.holder));
      } catch (error) {
        stopped.push(account.login);
        const wait = rateLimitWaitMs(error);
        if (wait !== undefined) resumeAfterMs = Math.max(resumeAfterMs ?? 0, wait);
        const page = await this.deps.state.cursor(account.login);
        this.deps.log.warn(
          { err: this.deps.client.describeError(error, `listing ${account.login}'s repositories`) },
          `GitHub discovery of ${account.login} stopped at page ${page}; the next refresh resumes there`,
        );
      }
    }
    for (const registered of await this.deps.state.registered()) {
      if (signal.aborted) break;
      try {
        await this.importKey(registered.key);
      } catch (error) {
        this.deps.log.warn({ err: this.deps.client.describeError(error, `reading ${registered.key}`) });
      }
    }
    if (stopped.length === 0 && !signal.aborted) await this.deps.state.putLastPass(new Date().toISOString());
    this.deps.log.info(
      {
        requests: this.counters.requests - started.requests,
        contentDownloads: this.counters.contentDownloads - started.contentDownloads,
        notModified: this.counters.notModified - started.notModified,
        filesParsed: this.counters.filesParsed - started.filesParsed,
        stopped,
      },
      "GitHub discovery pass finished",
    );
    return { stopped, ...(resumeAfterMs !== undefined ? { resumeAfterMs } : {}) };
  }

  /** One account's pass, from its cursor to the last page; then repositories no longer listed are forgotten. */
  async refreshAccount(
    account: Account,
    signal: AbortSignal,
    /** Renews the full pass's lease between pages; absent outside a full pass (an installation webhook). */
    renew?: () => Promise<boolean>,
  ): Promise<boolean> {
    const { state } = this.deps;
    let page = await state.cursor(account.login);
    const firstPage = page;
    let cursorMoved = false;
    const seen = new Set<number>();
    // Read once: a page answered 304 is checked against these, not one database read per repository.
    const known = new Map((await state.repos()).map((record) => [record.id, record]));
    if (page > 1) this.deps.log.info(`GitHub discovery of ${account.login} resumes at page ${page}`);
    for (;;) {
      if (signal.aborted) return false;
      const before = await state.page(account.login, page);
      const listed = await listRepositories(
        account.session.octokit,
        { installation: this.deps.app, org: account.login, page, etag: before?.etag },
        this.counters,
      );
      let hasNext: boolean;
      if (listed.changed || !before) {
        // Files are read a few repositories ahead while earlier ones are imported, in order.
        const plans: Array<Promise<Plan>> = [];
        const start = (i: number) => {
          const info = listed.repos[i];
          if (!info || plans[i]) return;
          plans[i] = this.plan(account.session, info);
          // Awaited in turn below; a failure ahead of its turn must not surface as unhandled meanwhile.
          plans[i].catch(() => undefined);
        };
        for (let i = 0; i < listed.repos.length; i++) {
          if (signal.aborted) return false;
          for (let ahead = i; ahead < i + READ_AHEAD; ahead++) start(ahead);
          await this.apply(await plans[i]!);
        }
        hasNext = listed.hasNext;
        await state.putPage(account.login, page, {
          ...(listed.etag ? { etag: listed.etag } : {}),
          repoIds: listed.repos.map((r) => r.id),
          hasNext,
        });
        listed.repos.forEach((r) => seen.add(r.id));
        // Only a page that did work moves the cursor: redoing a page of 304s costs no budget.
        cursorMoved = true;
      } else {
        before.repoIds.forEach((id) => seen.add(id));
        hasNext = before.hasNext;
        // Nothing on the page changed; a repository read in the same second as its last push is checked again.
        for (const id of before.repoIds) {
          const record = known.get(id);
          if (record && !isSettled(record, record.pushedAt)) await this.rescan(account.session, record);
        }
      }
      if (!hasNext) break;
      page++;
      if (renew && !(await renew())) {
        throw new Error(
          "another replica took over the full refresh (this one was too slow to renew its lease)",
        );
      }
      if (cursorMoved) await state.putCursor(account.login, page);
    }
    await state.dropPagesAfter(account.login, page);
    // Pages a stopped pass read before this one resumed.
    for (let n = 1; n < firstPage; n++)
      for (const id of (await state.page(account.login, n))?.repoIds ?? []) seen.add(id);
    for (const record of known.values()) {
      if (record.owner.toLowerCase() === account.login.toLowerCase() && !seen.has(record.id)) {
        await this.forgetRepo(record, "it is no longer listed");
      }
    }
    if (cursorMoved || firstPage > 1) await state.putCursor(account.login, 1);
    return true;
  }

  /** A repository as listed or as a webhook describes it: read it when it may have changed, forget it when excluded. */
  async consider(session: GitHubSession, info: RepoInfo, force = false): Promise<void> {
    await this.apply(await this.plan(session, info, force));
  }

  /** Read every catalog file of a repository and import each; locations it no longer has are removed. */
  async scanRepo(session: GitHubSession, info: RepoInfo, record: RepoRecord | undefined): Promise<void> {
    await this.apply(await this.planScan(session, info, record));
  }

  /**
   * What to do about a repository, with its files already read: the network part, which a pass runs for
   * several repositories at once (GitHub answers in tens to hundreds of milliseconds), while `apply` imports
   * one at a time, in listing order.
   */
  async plan(session: GitHubSession, info: RepoInfo, force = false): Promise<Plan> {
    const record = await this.deps.state.repo(info.id);
    if (!coversAccount(this.deps.settings, info.owner)) {
      return record
        ? { kind: "forget", record, reason: `${info.owner} is not a configured organisation` }
        : SKIP;
    }
    const excluded = excludedBecause(this.deps.settings, info);
    if (excluded) return record ? { kind: "forget", record, reason: excluded } : SKIP;
    const unchanged =
      record &&
      record.owner === info.owner &&
      record.name === info.name &&
      record.branch === branchOf(this.deps.settings, info) &&
      isSettled(record, info.pushedAt);
    if (unchanged && !force) return SKIP;
    return this.planScan(session, info, record);
  }

  private async planScan(
    session: GitHubSession,
    info: RepoInfo,
    record: RepoRecord | undefined,
  ): Promise<Plan> {
    const branch = branchOf(this.deps.settings, info);
    const scannedAt = new Date().toISOString();
    // With a glob the tree is listed anyway, and its blob shas let unchanged files go unrequested.
    const listed = this.matcher.glob
      ? await matchingPaths(
          session.octokit,
          { owner: info.owner, repo: info.name, branch },
          this.matcher.matches,
          this.counters,
        )
      : undefined;
    const paths = listed?.map((file) => file.path) ?? [this.deps.settings.catalogPath];
    const knownShas = listed ? new Map(listed.map((file) => [file.path, file.sha])) : undefined;
    const reads = new Map<string, RepoLocationRead>();
    for (const path of paths) {
      reads.set(
        path,
        await this.readFile(session.octokit, { owner: info.owner, repo: info.name, branch, path }, knownShas),
      );
    }
    return { kind: "scan", info, record, branch, scannedAt, reads };
  }

  async apply(plan: Plan): Promise<void> {
    if (plan.kind === "skip") return;
    if (plan.kind === "forget") {
      await this.forgetRepo(plan.record, plan.reason);
      return;
    }
    const { info, record, reads } = plan;
    const imports = await this.deps.imports();
    // A renamed or transferred repository's old keys, and files no longer there, go first: their entities are
    // then free for the new keys to take (the first location to declare an entity keeps it).
    const wanted = new Set(
      [...reads]
        .filter(([, read]) => read.rootFound)
        .map(([path]) => this.locationKey(info.owner, info.name, path)),
    );
    for (const key of Object.keys(record?.locations ?? {})) {
      if (!wanted.has(key)) await imports.removeLocation(key);
    }
    const locations: Record<string, LocationRecord> = {};
    for (const [path, read] of reads) {
      const outcome = await this.importRead(this.locationKey(info.owner, info.name, path), path, read);
      if (outcome) locations[this.locationKey(info.owner, info.name, path)] = outcome.record;
    }
    await this.deps.state.putRepo({
      id: info.id,
      owner: info.owner,
      name: info.name,
      branch: plan.branch,
      pushedAt: info.pushedAt,
      scannedAt: plan.scannedAt,
      locations,
    });
  }

  /** Forget a repository and remove every location it gave (archived, deleted, filtered out, uninstalled). */
  async forgetRepo(record: RepoRecord, reason: string): Promise<void> {
    const imports = await this.deps.imports();
    for (const key of Object.keys(record.locations)) await imports.removeLocation(key);
    await this.deps.state.deleteRepo(record.id);
    const count = Object.keys(record.locations).length;
    if (count > 0)
      this.deps.log.info(`Removed ${count} location(s) of ${record.owner}/${record.name}: ${reason}`);
  }

  /** Read one catalog file and import it. Undefined when the file is not there. */
  async importFile(
    octokit: Octokit,
    at: { owner: string; repo: string; branch: string; path: string },
  ): Promise<FileOutcome | undefined> {
    const read = await this.readFile(octokit, at);
    return this.importRead(this.locationKey(at.owner, at.repo, at.path), at.path, read);
  }

  /**
   * Read one location ahead of importing it, given what its last import left (the catalog's lastRead, as
   * importLocation would pass it): a file whose content is unchanged is replayed, not parsed.
   */
  private async readFile(
    octokit: Octokit,
    at: { owner: string; repo: string; branch: string; path: string },
    knownShas?: ReadonlyMap<string, string>,
  ): Promise<RepoLocationRead> {
    const started = performance.now();
    try {
      const imports = await this.deps.imports();
      const previous = await imports.lastRead?.(this.locationKey(at.owner, at.repo, at.path));
      return await readRepoLocation({
        octokit,
        webOrigin: this.deps.client.webUrl,
        ...at,
        maxBytes: this.deps.settings.maxFileBytes,
        cache: this.cache,
        counters: this.counters,
        ...(previous ? { previous } : {}),
        ...(knownShas ? { knownShas } : {}),
      });
    } finally {
      this.timings.readMs += performance.now() - started;
    }
  }

  private async importRead(
    key: string,
    path: string,
    read: RepoLocationRead,
  ): Promise<FileOutcome | undefined> {
    // Not a location with a problem: a repository without its catalog file has no location.
    if (!read.rootFound) return undefined;
    const imports = await this.deps.imports();
    const started = performance.now();
    const report = await imports.importLocation({ target: key, read: async () => read });
    this.timings.importMs += performance.now() - started;
    return { record: { path, files: read.repoFiles }, report };
  }

  /** Remove one location and its entities from the catalog. */
  async removeKey(key: string): Promise<void> {
    await (await this.deps.imports()).removeLocation(key);
  }

  /** Read one location again now (a command, a registered location): with its repository's branch. */
  async importKey(key: string): Promise<ImportReport | undefined> {
    const file = parseGitHubLocationKey(key);
    if (!file) throw new Error(`${key} is not a GitHub location`);
    const { state } = this.deps;
    const records = await state.repos();
    const record = records.find((r) => key in r.locations);
    const registered = (await state.registered()).find((r) => r.key === key);
    const owner = record?.owner ?? registered?.owner ?? file.owner;
    const repo = record?.name ?? registered?.repo ?? file.repo;
    const session = await this.deps.client.forOwner(owner);
    const branch =
      record?.branch ??
      registered?.branch ??
      this.deps.settings.branch ??
      (await session.octokit.request("GET /repos/{owner}/{repo}", { owner, repo })).data.default_branch;
    const outcome = await this.importFile(session.octokit, { owner, repo, branch, path: file.path });
    if (!outcome) await (await this.deps.imports()).removeLocation(key);
    if (record) {
      if (outcome) record.locations[key] = outcome.record;
      else delete record.locations[key];
      await state.putRepo(record);
    }
    return outcome?.report;
  }

  /** Every account discovery covers, with the session that reads it. */
  async *accounts(): AsyncGenerator<Account> {
    const seen = new Set<string>();
    if (this.deps.settings.orgs.includes("*")) {
      for await (const installation of this.deps.client.eachInstallation()) {
        if (!installation.account || seen.has(installation.account.toLowerCase())) continue;
        seen.add(installation.account.toLowerCase());
        yield { login: installation.account, session: installation.session };
      }
    }
    for (const org of this.deps.settings.orgs) {
      if (org === "*" || seen.has(org)) continue;
      seen.add(org);
      yield { login: org, session: await this.deps.client.forOwner(org) };
    }
  }

  async accountSession(login: string): Promise<Account> {
    return { login, session: await this.deps.client.forOwner(login) };
  }

  locationKey(owner: string, repo: string, path: string): string {
    return githubLocationKey({ host: this.host, owner, repo, path });
  }

  private async rescan(session: GitHubSession, record: RepoRecord): Promise<void> {
    this.counters.requests++;
    const { data } = await session.octokit.request("GET /repos/{owner}/{repo}", {
      owner: record.owner,
      repo: record.name,
    });
    await this.consider(session, repoInfoOf(data), true);
  }
}
