/**
 * What feeds the one search index: index sources (catalog entities, doc sections, a plugin's own documents).
 * Each gives every document it holds, for a rebuild, and its part of the fingerprint that tells start-up
 * whether the index is current; and it pushes its changes as they happen. Search knows nothing of what a
 * source is: it indexes the documents it is given.
 */
import type { Logger } from "pino";
import { ensureFresh, searchFingerprint } from "./open-search-index.ts";
import type { IndexChange, SearchDocument, SearchIndex, StagedIndexWrite } from "./search-index.ts";

/** How a source tells the index of its changes. */
export interface IndexUpdates {
  /** Delete, then insert or replace, then record the fingerprint of every source: the index is current again. */
  apply(change: IndexChange): Promise<void>;
  /**
   * Start writing a large change that must not be visible yet (the catalog store is still committing it), so
   * the two writes overlap. `commit` makes it visible and records the fingerprint; `abort` throws it away.
   * Undefined when the engine does not stage or the change is small: `apply` it once it is stored.
   */
  stage(change: IndexChange): StagedIndexWrite | undefined;
}

export interface IndexSource {
  /** Names the source in the fingerprint and the logs: "catalog", "docs". */
  id: string;
  /** Every document the source holds now, for a rebuild; batches keep memory flat. */
  documents(): AsyncIterable<SearchDocument[]> | SearchDocument[];
  /**
   * Each document's id and a hash of everything its document is made from: this source's part of the
   * fingerprint. It must change whenever a document would.
   */
  fingerprintItems(): Iterable<{ id: string; hash: string }>;
  /**
   * Called once, after the index was checked at start-up and before anything is imported: from then on the
   * source pushes each change through `updates`.
   */
  connect?(updates: IndexUpdates): void;
}

export class SearchIndexing {
  private connected = false;

  constructor(
    private readonly index: SearchIndex,
    private readonly sources: () => Iterable<IndexSource>,
    private readonly log?: Logger,
  ) {}

  /** The fingerprint of what every source holds now. */
  fingerprint(): string {
    return searchFingerprint(
      [...this.sources()].map((source) => ({ source: source.id, items: source.fingerprintItems() })),
    );
  }

  /**
   * Rebuild when the index does not hold what the sources hold (so start-up never answers from a stale
   * index), then connect the sources so they keep it current. Returns how many documents a rebuild wrote,
   * undefined when none was needed. Call once every source is registered, before anything is imported.
   */
  async start(): Promise<number | undefined> {
    const counted = { documents: 0 };
    const rebuilt = await ensureFresh(this.index, this.fingerprint(), () => this.allDocuments(counted));
    if (rebuilt) this.log?.info({ documents: counted.documents }, "search index rebuilt");
    if (!this.connected) {
      this.connected = true;
      for (const source of this.sources()) source.connect?.(this.updates());
    }
    return rebuilt ? counted.documents : undefined;
  }

  /** Replace the index with every source's documents; returns how many. */
  async reindex(): Promise<number> {
    const counted = { documents: 0 };
    await this.index.rebuild(this.allDocuments(counted), this.fingerprint());
    return counted.documents;
  }

  private async *allDocuments(counted: { documents: number }): AsyncIterable<SearchDocument[]> {
    for (const source of this.sources()) {
      const documents = source.documents();
      const batches = Array.isArray(documents) ? [documents] : documents;
      for await (const batch of batches) {
        counted.documents += batch.length;
        yield batch;
      }
    }
  }

  private updates(): IndexUpdates {
    const index = this.index;
    return {
      apply: async (change) => {
        if (change.delete.length > 0) await index.delete(change.delete);
        if (change.upsert.length > 0) await index.upsert(change.upsert);
        await index.recordFingerprint(this.fingerprint());
      },
      stage: (change) => {
        const staged = index.stage?.(change);
        if (!staged) return undefined;
        return {
          // The source has taken the change by the time it commits, so the fingerprint is the new one.
          commit: async () => {
            await staged.commit();
            await index.recordFingerprint(this.fingerprint());
          },
          abort: () => staged.abort(),
        };
      },
    };
  }
}
