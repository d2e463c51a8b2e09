/**
 * What discovery remembers in the shared database (ProviderStateStore), so any replica continues where another
 * left off: each repository's last-seen state and the locations it gave, each listing page's ETag and the
 * repositories on it (a 304 page is known without downloading it), the cursor of a pass a rate limit
 * stopped, and the locations registered by hand.
 */
import type { ProviderStateStore } from "../../../state/ports.ts";

export interface LocationRecord {
  /** The catalog file's path in the repository. */
  path: string;
  /** Every repository path the last read used (the catalog file, Location targets, placeholders). */
  files: string[];
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  branch: string;
  pushedAt: string | null;
  /** When its files were last read; a read within seconds of pushedAt is checked again (see isSettled). */
  scannedAt: string;
  /** By location key. */
  locations: Record<string, LocationRecord>;
}

export interface PageSnapshot {
  etag?: string;
  repoIds: number[];
  hasNext: boolean;
}

export interface RegisteredLocation {
  key: string;
  owner: string;
  repo: string;
  branch?: string;
  path: string;
}

/**
 * pushed_at has whole seconds: a push in the same second as a read would look like nothing happened.
 * A repository read less than this after its pushed_at is read again (conditionally: a 304 costs nothing).
 */
const SETTLE_MS = 2_000;

export function isSettled(record: RepoRecord, pushedAt: string | null): boolean {
  if (record.pushedAt !== pushedAt) return false;
  if (pushedAt === null) return true;
  return Date.parse(record.scannedAt) - Date.parse(pushedAt) >= SETTLE_MS;
}

/** Longer than one listing page takes to read and import, however slow GitHub is. */
const PASS_LEASE_MS = 5 * 60 * 1000;

export class DiscoveryState {
  private readonly provider: string;

  constructor(
    private readonly store: ProviderStateStore,
    host: string,
  ) {
    this.provider = `github@${host.toLowerCase()}`;
  }

  async repo(id: number): Promise<RepoRecord | undefined> {
    return parse<RepoRecord>(await this.store.get(this.provider, `repo:${id}`));
  }

  async putRepo(record: RepoRecord): Promise<void> {
    await this.store.put(this.provider, `repo:${record.id}`, JSON.stringify(record));
  }

  async deleteRepo(id: number): Promise<void> {
    await this.store.delete(this.provider, `repo:${id}`);
  }

  async repos(): Promise<RepoRecord[]> {
    const rows = await this.store.list(this.provider, "repo:");
    return rows.flatMap((row) => parse<RepoRecord>(row.value) ?? []);
  }

  async page(account: string, page: number): Promise<PageSnapshot | undefined> {
    return parse<PageSnapshot>(await this.store.get(this.provider, pageKey(account, page)));
  }

  async putPage(account: string, page: number, snapshot: PageSnapshot): Promise<void> {
    await this.store.put(this.provider, pageKey(account, page), JSON.stringify(snapshot));
  }

  /** Forget pages after the last one (the listing got shorter). */
  async dropPagesAfter(account: string, last: number): Promise<void> {
    for (const row of await this.store.list(this.provider, `page:${account.toLowerCase()}:`)) {
      const n = Number(row.key.split(":").at(-1));
      if (n > last) await this.store.delete(this.provider, row.key);
    }
  }

  /** The page a stopped pass over `account` resumes at (1 when none stopped). */
  async cursor(account: string): Promise<number> {
    const stored = parse<{ page: number }>(
      await this.store.get(this.provider, `cursor:${account.toLowerCase()}`),
    );
    return stored?.page ?? 1;
  }

  async putCursor(account: string, page: number): Promise<void> {
    const key = `cursor:${account.toLowerCase()}`;
    if (page <= 1) await this.store.delete(this.provider, key);
    else await this.store.put(this.provider, key, JSON.stringify({ page }));
  }

  /** When the last full pass over every account finished (each location's "last checked"). */
  async lastPass(): Promise<string | undefined> {
    return parse<{ at: string }>(await this.store.get(this.provider, "pass"))?.at;
  }

  async putLastPass(at: string): Promise<void> {
    await this.store.put(this.provider, "pass", JSON.stringify({ at }));
  }

  /** The full pass's lease: one replica refreshes at a time; renewed as it goes, lapsed when its process died. */
  async leasePass(holder: string): Promise<boolean> {
    return this.store.lease(this.provider, "pass-lease", holder, PASS_LEASE_MS);
  }

  async releasePass(holder: string): Promise<void> {
    await this.store.release(this.provider, "pass-lease", holder);
  }

  async registered(): Promise<RegisteredLocation[]> {
    const rows = await this.store.list(this.provider, "registered:");
    return rows.flatMap((row) => parse<RegisteredLocation>(row.value) ?? []);
  }

  async putRegistered(location: RegisteredLocation): Promise<void> {
    await this.store.put(this.provider, `registered:${location.key}`, JSON.stringify(location));
  }

  async deleteRegistered(key: string): Promise<void> {
    await this.store.delete(this.provider, `registered:${key}`);
  }
}

function pageKey(account: string, page: number): string {
  return `page:${account.toLowerCase()}:${String(page).padStart(6, "0")}`;
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
