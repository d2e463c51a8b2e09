/**
 * Several replicas, one database: each keeps its graph and its search index in memory, so a change one replica
 * writes (an import, a webhook's re-read, a registered or unregistered location) must reach the others. Every
 * catalog write logs its refs in the change log, in the same transaction (PrismaCatalogStore); this job has
 * each replica read the entries after the last one it holds and take those entities as stored
 * (CatalogService.followChanges). PostgreSQL's NOTIFY wakes it at once; the poll is the safety net, and on
 * SQLite (several processes on one file) the only way.
 */
import type { Logger } from "pino";
import type { LongJob } from "../../plugins/jobs.ts";
import type { CatalogService } from "../catalog-service.ts";
import type { CatalogStore } from "../store/catalog-store.ts";

/** How long the change log keeps an entry; a replica that could not read it for half of this resyncs in full. */
export const CHANGE_LOG_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often a replica prunes the log of entries older than the retention. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export interface FollowerDeps {
  catalog: Pick<CatalogService, "followChanges" | "resync">;
  store: Pick<CatalogStore, "pruneChanges">;
  /** Seconds between reads of the log when nothing woke the follower. */
  pollSeconds: number;
  /** PostgreSQL's LISTEN (Database.listen with the store's channel), when there is one. */
  listen?: (onNotify: () => void) => Promise<{ close(): Promise<void> }>;
  log: Logger;
  now?: () => number;
}

/** Follows the change log: at most one read at a time, and a wake-up during a read asks for one more. */
export class ChangeFollower {
  private running: Promise<void> | undefined;
  private again = false;
  private lastCaughtUp: number;
  private lastPruned = 0;
  private readonly now: () => number;

  constructor(private readonly deps: FollowerDeps) {
    this.now = deps.now ?? Date.now;
    this.lastCaughtUp = this.now();
  }

  /** Read the log now (or once more after the read under way); resolves when memory has caught up. */
  wake(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.catchUp().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async catchUp(): Promise<void> {
    do {
      this.again = false;
      try {
        if (this.now() - this.lastCaughtUp > CHANGE_LOG_RETENTION_MS / 2) {
          // Entries this replica never read may be pruned already: compare every entity instead.
          const changed = await this.deps.catalog.resync();
          this.deps.log.warn(
            { changed },
            "the change log was out of reach for long; the catalog was compared in full",
          );
        } else {
          const changed = await this.deps.catalog.followChanges();
          if (changed > 0) this.deps.log.info({ changed }, "took other replicas' catalog changes");
        }
        this.lastCaughtUp = this.now();
        if (this.now() - this.lastPruned > PRUNE_EVERY_MS) {
          this.lastPruned = this.now();
          await this.deps.store.pruneChanges(new Date(this.now() - CHANGE_LOG_RETENTION_MS));
        }
      } catch (error) {
        this.deps.log.warn({ err: error }, "could not read other replicas' catalog changes; trying again");
      }
    } while (this.again);
  }

  /** The job: listen (PostgreSQL) and poll until shutdown. */
  job(): LongJob {
    let timer: NodeJS.Timeout | undefined;
    let listening: { close(): Promise<void> } | undefined;
    return {
      id: "catalog-follow-replicas",
      start: async () => {
        const wake = () => void this.wake();
        timer = setInterval(wake, Math.max(100, this.deps.pollSeconds * 1000));
        try {
          listening = await this.deps.listen?.(wake);
        } catch (error) {
          this.deps.log.warn({ err: error }, "cannot listen for catalog changes; polling only");
        }
        wake();
      },
      stop: async () => {
        clearInterval(timer);
        await listening?.close();
        await this.running;
      },
    };
  }
}
