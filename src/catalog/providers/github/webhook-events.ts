/**
 * What GitHub's webhook events change in the catalog. `push` on the branch discovery reads re-reads only the
 * locations whose files the push touched (and imports catalog files it added); `repository` events (archived,
 * unarchived, deleted, renamed, transferred, visibility changed, created) re-decide the repository;
 * `installation` and `installation_repositories` events add or drop an installation's repositories.
 * Every push, on any ref, is also handed to `onPush` (the composition root points it at the docs service, so
 * `url:` TechDocs sources in that repository are checked at once).
 * Payloads are hostile until proven otherwise: every field is checked before use.
 */
import type { Logger } from "pino";
import { z } from "zod";
import {
  branchOf,
  catalogPathMatcher,
  coversAccount,
  excludedBecause,
  repoInfoOf,
} from "./discovery-settings.ts";
import type { DiscoverySettings } from "./discovery-settings.ts";
import type { GitHubDiscovery } from "./discovery.ts";
import type { DiscoveryState, LocationRecord } from "./discovery-state.ts";
import type { RepoPush } from "./docs-tree.ts";

const repository = z.object({
  id: z.number().int(),
  name: z.string().min(1).max(100),
  owner: z.object({ login: z.string().min(1).max(100) }).nullable(),
  default_branch: z.string().max(255).optional(),
  pushed_at: z.union([z.string(), z.number(), z.null()]).optional(),
  archived: z.boolean().optional(),
  fork: z.boolean(),
  visibility: z.string().optional(),
  private: z.boolean(),
  topics: z.array(z.string()).optional(),
});

const paths = z.array(z.string().max(4096)).max(10_000).default([]);
const pushPayload = z.object({
  ref: z.string().max(1024),
  created: z.boolean().optional(),
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  commits: z
    .array(z.object({ added: paths, modified: paths, removed: paths }))
    .max(2048)
    .default([]),
  repository,
});

const repositoryPayload = z.object({ action: z.string().max(64), repository });

const installationPayload = z.object({
  action: z.string().max(64),
  installation: z.object({ id: z.number().int(), account: z.object({ login: z.string() }).nullable() }),
  repositories_added: z
    .array(z.object({ id: z.number().int(), name: z.string() }))
    .max(10_000)
    .optional(),
  repositories_removed: z
    .array(z.object({ id: z.number().int(), name: z.string() }))
    .max(10_000)
    .optional(),
});

/** GitHub lists at most 20 commits of a push; beyond that the touched files are not all known. */
const LISTED_COMMITS = 20;

export interface WebhookOutcome {
  /** What was done, for the log and the HTTP answer. */
  summary: string;
}

export class WebhookEvents {
  private readonly matcher: ReturnType<typeof catalogPathMatcher>;

  constructor(
    private readonly deps: {
      discovery: GitHubDiscovery;
      state: DiscoveryState;
      settings: DiscoverySettings;
      log: Logger;
      /**
       * Told of every push (any branch or tag, any repository, discovered or not: docs may live anywhere on
       * the configured GitHub), before discovery's own work. It must not throw or wait: it queues work.
       */
      onPush?: (push: RepoPush) => void;
    },
  ) {
    this.matcher = catalogPathMatcher(deps.settings.catalogPath);
  }

  async handle(event: string, payload: unknown): Promise<WebhookOutcome> {
    switch (event) {
      case "ping":
        return { summary: "pong" };
      case "push": {
        const push = pushPayload.parse(payload);
        this.tell(push);
        return this.push(push);
      }
      case "repository":
        return this.repository(repositoryPayload.parse(payload));
      case "installation":
      case "installation_repositories":
        return this.installation(event, installationPayload.parse(payload));
      default:
        return { summary: `${event} events are not used` };
    }
  }

  /** Hand the push to `onPush`: its ref, and its files when GitHub listed the whole change. */
  private tell(payload: z.infer<typeof pushPayload>): void {
    if (!this.deps.onPush) return;
    const owner = payload.repository.owner?.login;
    if (!owner) return;
    // Forced: files the new head reverted are in no listed commit. Created or deleted: the change is the
    // whole tree. Twenty commits: GitHub lists no more.
    const complete =
      !payload.forced && !payload.created && !payload.deleted && payload.commits.length < LISTED_COMMITS;
    const paths = new Set<string>();
    if (complete) {
      for (const commit of payload.commits) {
        for (const list of [commit.added, commit.modified, commit.removed]) list.forEach((p) => paths.add(p));
      }
    }
    try {
      this.deps.onPush({
        owner,
        repo: payload.repository.name,
        ref: payload.ref,
        ...(payload.repository.default_branch ? { defaultBranch: payload.repository.default_branch } : {}),
        ...(complete ? { paths: [...paths] } : {}),
      });
    } catch (error) {
      // A follower's failure is its own: the catalog's work on this push goes on.
      this.deps.log.warn({ err: error }, "a follower of GitHub pushes failed");
    }
  }

  private async push(payload: z.infer<typeof pushPayload>): Promise<WebhookOutcome> {
    const info = repoInfoOf(payload.repository);
    const full = `${info.owner}/${info.name}`;
    if (!coversAccount(this.deps.settings, info.owner)) return { summary: `${info.owner} is not discovered` };
    const branch = branchOf(this.deps.settings, info);
    if (payload.ref !== `refs/heads/${branch}`)
      return { summary: `${payload.ref} is not ${full}'s ${branch}` };
    const { discovery, state } = this.deps;
    const record = await state.repo(info.id);
    const excluded = excludedBecause(this.deps.settings, info);
    if (excluded) {
      if (record) await discovery.forgetRepo(record, excluded);
      return { summary: `${full} is left out: ${excluded}` };
    }
    const account = await discovery.accountSession(info.owner);
    const touched = new Set<string>();
    const added = new Set<string>();
    const removed = new Set<string>();
    for (const commit of payload.commits) {
      commit.added.forEach((p) => (touched.add(p), added.add(p), removed.delete(p)));
      commit.modified.forEach((p) => touched.add(p));
      commit.removed.forEach((p) => (touched.add(p), removed.add(p), added.delete(p)));
    }
    // Without a record (a repository discovery has not seen) or a complete list of files, read it all.
    if (!record || payload.commits.length >= LISTED_COMMITS || record.name !== info.name) {
      await discovery.scanRepo(account.session, info, record);
      return { summary: `${full} read in full` };
    }
    const locations: Record<string, LocationRecord> = { ...record.locations };
    let reread = 0;
    for (const [key, location] of Object.entries(record.locations)) {
      if (!location.files.some((file) => touched.has(file))) continue;
      reread++;
      const outcome = await discovery.importFile(account.session.octokit, {
        owner: info.owner,
        repo: info.name,
        branch,
        path: location.path,
      });
      if (outcome) locations[key] = outcome.record;
      else {
        await discovery.removeKey(key);
        delete locations[key];
      }
    }
    const known = new Set(Object.values(locations).map((l) => l.path));
    for (const path of added) {
      if (!this.matcher.matches(path) || known.has(path)) continue;
      reread++;
      const outcome = await discovery.importFile(account.session.octokit, {
        owner: info.owner,
        repo: info.name,
        branch,
        path,
      });
      if (outcome) locations[discovery.locationKey(info.owner, info.name, path)] = outcome.record;
    }
    // Files registered by hand in this repository (not found by discovery) whose file the push touched.
    for (const registered of await state.registered()) {
      const same =
        registered.owner.toLowerCase() === info.owner.toLowerCase() &&
        registered.repo.toLowerCase() === info.name.toLowerCase() &&
        (registered.branch ?? branch) === branch;
      if (same && touched.has(registered.path) && !(registered.key in locations)) {
        reread++;
        await discovery.importKey(registered.key);
      }
    }
    // pushed_at stays as the listing last gave it: the next full pass sees it moved and re-checks with
    // conditional requests, which cost nothing for the files read here.
    await state.putRepo({ ...record, locations });
    return { summary: `${full}: ${reread} location(s) read again` };
  }

  private async repository(payload: z.infer<typeof repositoryPayload>): Promise<WebhookOutcome> {
    const info = repoInfoOf(payload.repository);
    const full = `${info.owner}/${info.name}`;
    const { discovery, state } = this.deps;
    const record = await state.repo(info.id);
    if (payload.action === "deleted") {
      if (record) await discovery.forgetRepo(record, "it was deleted");
      return { summary: `${full} deleted` };
    }
    if (!coversAccount(this.deps.settings, info.owner)) {
      if (record) await discovery.forgetRepo(record, `it moved to ${info.owner}, which is not discovered`);
      return { summary: `${full} is not discovered` };
    }
    const account = await discovery.accountSession(info.owner);
    // Renamed, transferred, archived, unarchived, visibility changed, created, edited: decide again.
    await discovery.consider(account.session, info, true);
    return { summary: `${full} ${payload.action}` };
  }

  private async installation(
    event: string,
    payload: z.infer<typeof installationPayload>,
  ): Promise<WebhookOutcome> {
    const login = payload.installation.account?.login;
    if (!login) return { summary: "installation without an account" };
    const { discovery, state } = this.deps;
    const forget = async (ids: Set<number> | undefined, reason: string) => {
      for (const record of await state.repos()) {
        if (record.owner.toLowerCase() !== login.toLowerCase()) continue;
        if (!ids || ids.has(record.id)) await discovery.forgetRepo(record, reason);
      }
    };
    if (event === "installation") {
      if (payload.action === "deleted" || payload.action === "suspend") {
        await forget(
          undefined,
          `the App was ${payload.action === "deleted" ? "uninstalled" : "suspended"} there`,
        );
        return { summary: `installation on ${login} ${payload.action}` };
      }
      if (!coversAccount(this.deps.settings, login)) return { summary: `${login} is not discovered` };
      // A new installation may hold thousands of repositories: read them after answering GitHub.
      const account = await discovery.accountSession(login);
      void discovery.refreshAccount(account, new AbortController().signal).catch((error: unknown) => {
        this.deps.log.warn({ err: error }, `GitHub discovery of the new installation on ${login} stopped`);
      });
      return { summary: `installation on ${login} ${payload.action}: discovery started` };
    }
    const removedIds = new Set((payload.repositories_removed ?? []).map((r) => r.id));
    if (removedIds.size > 0) await forget(removedIds, "it was removed from the App's installation");
    if (!coversAccount(this.deps.settings, login)) return { summary: `${login} is not discovered` };
    const account = await discovery.accountSession(login);
    for (const added of payload.repositories_added ?? []) {
      const { data } = await account.session.octokit.request("GET /repos/{owner}/{repo}", {
        owner: login,
        repo: added.name,
      });
      await discovery.consider(account.session, repoInfoOf(data), true);
    }
    return {
      summary: `installation on ${login}: ${payload.repositories_added?.length ?? 0} added, ${removedIds.size} removed`,
    };
  }
}
