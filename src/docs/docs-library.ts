/**
 * The built docs in memory: what the serving half reads (DocsLibrary) and what the builds update. Every
 * read is a map lookup; asset bytes come from the store.
 */
import type {
  BorrowedDocs,
  BuiltAsset,
  BuiltPage,
  BuiltSite,
  DocsChange,
  DocsLibrary,
  SiteKey,
} from "./model.ts";
import { siteKeyOf } from "./model.ts";
import type { DocsStore } from "./docs-store.ts";
import { mkdocsSearchIndex } from "./site/search-index-json.ts";
import type { SiteRecord } from "./site/site-builder.ts";

const keyString = (key: SiteKey) => `${key.namespace}/${key.kind}/${key.name}`.toLowerCase();

function toKey(refOrKey: string | SiteKey): string {
  return keyString(typeof refOrKey === "string" ? siteKeyOf(refOrKey.toLowerCase()) : refOrKey);
}

export class MemoryDocsLibrary implements DocsLibrary {
  private readonly records = new Map<string, SiteRecord>();
  private readonly borrowed = new Map<string, BorrowedDocs>();
  private readonly listeners = new Set<(change: DocsChange) => void>();

  constructor(private readonly store: DocsStore) {}

  listSites(): BuiltSite[] {
    return [...this.records.values()].map((r) => r.site).sort((a, b) => a.siteName.localeCompare(b.siteName));
  }

  getSite(refOrKey: string | SiteKey): BuiltSite | undefined {
    const key = toKey(refOrKey);
    const own = this.records.get(key)?.site;
    if (own) return own;
    const borrow = this.borrowed.get(key);
    return borrow ? this.records.get(toKey(borrow.siteEntityRef))?.site : undefined;
  }

  getBorrowed(refOrKey: string | SiteKey): BorrowedDocs | undefined {
    return this.borrowed.get(toKey(refOrKey));
  }

  getPage(site: SiteKey, path: string): BuiltPage | undefined {
    const pages = this.getSite(site)?.pages;
    if (!pages) return undefined;
    const clean = path.replace(/^\/+/, "").replace(/(^|\/)index\.html$/, "$1");
    return pages[clean] ?? (clean === "" || clean.endsWith("/") ? undefined : pages[`${clean}/`]);
  }

  async getAsset(site: SiteKey, path: string): Promise<{ asset: BuiltAsset; body: Buffer } | undefined> {
    const built = this.getSite(site);
    const asset = built?.assets[path.replace(/^\/+/, "")];
    if (!built || !asset) return undefined;
    const body = await this.store.readAsset(built.key, asset.hash);
    return body ? { asset, body } : undefined;
  }

  getSearchIndex(site: SiteKey): string | undefined {
    const built = this.getSite(site);
    // Made on demand (a few milliseconds) rather than kept: it repeats every page's text.
    return built ? JSON.stringify(mkdocsSearchIndex(built)) : undefined;
  }

  subscribe(listener: (change: DocsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- the write side, used by DocsService ----

  record(refOrKey: string | SiteKey): SiteRecord | undefined {
    return this.records.get(toKey(refOrKey));
  }

  allRecords(): Iterable<SiteRecord> {
    return this.records.values();
  }

  /** Take a site built or loaded; tell subscribers unless `quiet` (start-up load). */
  put(record: SiteRecord, quiet = false): void {
    this.records.set(keyString(record.site.key), record);
    if (!quiet) this.emit({ changed: [record.site.entityRef], removed: [] });
  }

  remove(entityRef: string): boolean {
    const key = toKey(entityRef);
    const had = this.records.delete(key);
    if (had) this.emit({ changed: [], removed: [entityRef] });
    return had;
  }

  setBorrowed(borrow: BorrowedDocs): void {
    this.borrowed.set(keyString(borrow.key), borrow);
  }

  removeBorrowed(entityRef: string): void {
    this.borrowed.delete(toKey(entityRef));
  }

  borrowedRefs(): string[] {
    return [...this.borrowed.values()].map((b) => b.entityRef);
  }

  private emit(change: DocsChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A subscriber's failure is its own; the others are still told.
      }
    }
  }
}
