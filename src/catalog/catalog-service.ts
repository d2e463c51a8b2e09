import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { CatalogProblem, ProcessedEntity, RelationEdge } from "./model/entity.ts";
import type { CatalogGraph } from "./graph/catalog-graph.ts";
import { encodeRecord, type FileRecord, type PreviousRead } from "./ingest/file-memo.ts";
import {
  duplicateProblem,
  type CatalogStore,
  type FileRecordChanges,
  type ImportResult,
  type StoredEntity,
  type StoredLocation,
} from "./store/catalog-store.ts";

export interface LocationRead {
  entities: ProcessedEntity[];
  problems: CatalogProblem[];
  /** Worth telling, nothing to fix (optional Location targets skipped); never counts as a problem. */
  notes?: CatalogProblem[];
  files: string[];
  /**
   * What each descriptor file gave (readLocation's records), stored with the location so the next import
   * skips files whose content is unchanged. A reader that gives none skips nothing next time.
   */
  records?: FileRecord[];
  /** True when no ref is declared twice in `entities` (readLocation's reads): the store then checks no set. */
  uniqueRefs?: boolean;
}

/**
 * Reads one location. `previous` is what the last import of it recorded, file by file, and the entities it
 * holds: pass it on to readLocation (ReadOptions.previous), and unchanged files are not parsed again.
 */
export type LocationReader = (target: string, previous?: PreviousRead) => Promise<LocationRead>;

export interface ImportReport extends ImportResult {
  problems: CatalogProblem[];
  notes: CatalogProblem[];
  files: string[];
  /** Entities kept at their last good version because their file or document failed this time. */
  kept: string[];
}

export interface CatalogChange {
  upserted: Array<{ ref: string; entity: ProcessedEntity["entity"]; relations: RelationEdge[] }>;
  removed: string[];
}

/**
 * Told of every change once the store has committed it. The in-memory graph takes the same change while the
 * listener's first synchronous part runs, so a listener works from the change it is given, not the graph.
 */
export type ChangeHandler = (change: CatalogChange) => void | Promise<void>;

/**
 * A listener's work on a change that the store has not committed yet. The import settles it exactly once:
 * `commit` when the store committed this very change, `abort` when the store failed or committed a
 * different one (the listener is then told that one through its handler, as usual).
 */
export interface StagedChange {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface CatalogListener {
  changed: ChangeHandler;
  /**
   * Optional: start the work for the change an import expects while the store is still writing it, so slow
   * derived state (the search index of a large import) overlaps the store instead of following it. Nothing
   * staged may become visible before `commit`. Returning undefined leaves the change to `changed`.
   */
  stage?(expected: CatalogChange): StagedChange | undefined;
}

/** Schemes the default reader reads; any other (`github:`) belongs to a catalog provider. */
const READER_SCHEMES = new Set(["file", "url", "http", "https"]);

/**
 * Whether a location is named in a catalog provider's own scheme (`github:acme/payments`): stored as given,
 * and read only by that provider's reader. A scheme has two letters at least, so `C:` stays a path.
 */
export function isProviderKey(target: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(target.trim())?.[1];
  return scheme !== undefined && !READER_SCHEMES.has(scheme.toLowerCase());
}

/**
 * The key a registered location is stored under: `file:/abs/path` or `url:https://...`. However a person
 * names it (`./cat`, `file:./cat`, `/abs/cat/`, the folder or its catalog-info.yaml), the key is the same,
 * so one location is never stored twice and the refresh does not depend on the working directory. A catalog
 * provider's location (`github:acme/payments`) is its own key.
 */
export function locationKey(target: string, cwd = process.cwd()): string {
  const trimmed = target.trim();
  if (isProviderKey(trimmed)) return trimmed;
  if (/^url:/i.test(trimmed)) return `url:${trimmed.slice(4)}`;
  if (/^https?:\/\//i.test(trimmed)) return `url:${trimmed}`;
  let path = resolve(cwd, trimmed.replace(/^file:/i, ""));
  try {
    if (statSync(path).isDirectory()) {
      const inside = ["catalog-info.yaml", "catalog-info.yml"]
        .map((name) => join(path, name))
        .find(existsSync);
      if (inside) path = inside;
    }
  } catch {
    // A path that does not exist keeps its spelled key; reading it reports the problem.
  }
  return `file:${path}`;
}

/**
 * Imports locations into the store and keeps the in-memory graph (and whoever listens, such as search)
 * in step with it. The store write is all or nothing; the graph only changes after it succeeds.
 */
export class CatalogService {
  private readonly listeners: CatalogListener[] = [];
  /** Content hash of every stored entity, so derived state (the search index) can tell it is current. */
  private readonly hashes = new Map<string, string>();
  /** The location each entity in memory came from, so this replica's graph converges on its own. */
  private readonly owners = new Map<string, string>();
  /** How many entities in memory each location holds: an import that declares them all again removes none. */
  private readonly ownedCounts = new Map<string, number>();
  /** Memory's writes (an import's store-to-memory step, a followed change) one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  /** The change log entry memory has caught up with (see followChanges). */
  private followed = 0;

  constructor(
    private readonly deps: {
      store: CatalogStore;
      graph: CatalogGraph;
      read: LocationReader;
      log: Logger;
      /** The name this replica's store writes into the change log (PrismaCatalogStore.replica). */
      replica?: string;
    },
  ) {}

  get graph(): CatalogGraph {
    return this.deps.graph;
  }

  /** Every stored entity's ref and content hash. */
  *contentHashes(): Iterable<{ id: string; hash: string }> {
    for (const [id, hash] of this.hashes) yield { id, hash };
  }

  /** The key of the location an entity came from (`catalog refresh <entity>` reads that location again). */
  locationOf(ref: string): string | undefined {
    return this.owners.get(ref);
  }

  onChange(listener: CatalogListener | ChangeHandler): void {
    this.listeners.push(typeof listener === "function" ? { changed: listener } : listener);
  }

  /** The last change log entry this replica's memory holds. */
  get followedUpTo(): number {
    return this.followed;
  }

  /** Fill the graph from the database, a page at a time: the start-up path, no file is read. */
  async load(): Promise<number> {
    // Read before the entities: a change committed in between is in the load and followed again, harmlessly.
    this.followed = await this.deps.store.latestChange();
    const loaded = await this.deps.store.eachStored((page) => {
      this.deps.graph.upsert(page);
      for (const entity of page) {
        this.hashes.set(entity.ref, entity.hash);
        this.setOwner(entity.ref, entity.locationKey);
      }
    });
    // The last pages' names are merged here, at start-up, not in the first command's lookup.
    this.deps.graph.settle();
    return loaded;
  }

  /**
   * Read a location and store what it declares. `read` is a catalog provider's reader for the locations it
   * names (authenticated, confined to one repository); files and URLs need none.
   */
  async importLocation(target: string, reader?: LocationReader): Promise<ImportReport> {
    const key = locationKey(target);
    if (!reader && isProviderKey(key)) {
      throw new Error(
        `${key} is read by the catalog provider that named it, not as a file or URL; it is imported when that provider refreshes.`,
      );
    }
    const started = performance.now();
    const previous = await this.previousRead(key);
    const read = await (reader ?? this.deps.read)(key, previous.read);
    return this.exclusive(() => this.store(key, read, previous.records, started));
  }

  /**
   * What the last import of a location left, for a provider that reads ahead of importing (GitHub discovery
   * reads several repositories at once) to pass to readLocation as `previous`, as importLocation would.
   */
  async lastRead(target: string): Promise<PreviousRead> {
    return (await this.previousRead(locationKey(target))).read;
  }

  /** What the last import of `key` recorded of its files, and the entities it holds, for the reader to reuse. */
  private async previousRead(key: string): Promise<{ read: PreviousRead; records: FileRecord[] }> {
    const records = await this.deps.store.fileRecords(key);
    const byFile = new Map(records.map((record) => [record.file, record]));
    return {
      records,
      read: {
        file: (file) => byFile.get(file),
        entity: (ref) => {
          const entity = this.owners.get(ref) === key ? this.deps.graph.get(ref) : undefined;
          const source = this.deps.graph.source(ref);
          const hash = this.hashes.get(ref);
          if (!entity || !source || hash === undefined) return undefined;
          return new HeldEntity(ref, entity, source, hash, this.deps.graph);
        },
      },
    };
  }

  /** Runs `work` when memory's earlier writes are done: an import's last steps and followed changes interleave badly. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async store(
    key: string,
    read: LocationRead,
    previousRecords: FileRecord[],
    started: number,
  ): Promise<ImportReport> {
    const entities = read.entities;
    const notes = (read.notes ?? []).map((note) => ({ ...note, severity: "note" as const }));
    const kept = this.lastGoodToKeep(key, read);
    const readMs = performance.now() - started;
    // What the store will most likely commit, worked out from memory: refs another location holds are lost
    // to it, and the store removes nothing memory does not know of. Listeners may start on it now.
    const unique = read.uniqueRefs === true;
    const expected = this.changeFor(key, entities, kept, this.heldElsewhere(key, entities), [], unique);
    const files = fileChanges(previousRecords, read.records);
    if (expected.upserted.length === 0 && expected.removed.length === 0) {
      const touched = await this.touch(key, read, notes, kept, files);
      if (touched) {
        this.logImported(key, touched, read, started, readMs, performance.now() - started, "nothing changed");
        return touched;
      }
    }
    const staged = this.stage(expected);
    let result: ImportResult;
    try {
      // Notes are kept with the problems (marked as notes) so `locations` can show both later.
      result = await this.deps.store.replaceLocation(
        key,
        entities,
        [...read.problems, ...notes],
        kept,
        files,
      );
    } catch (error) {
      await Promise.all(staged.map(({ work }) => work.abort()));
      throw error;
    }
    const storedMs = performance.now() - started;
    // Memory held every logged change up to where this write began: with it, it holds this one too.
    if (result.log && result.log.before === this.followed) this.followed = result.log.seq ?? this.followed;
    // What changes in memory is worked out against memory, not against the store's answer: when another
    // replica already wrote this import, the store reports nothing new, yet this replica's graph and
    // index still need it.
    const lost = new Set(result.conflicts.flatMap((c) => (c.ref ? [c.ref] : [])));
    const change = this.changeFor(key, entities, kept, lost, result.removed, unique);
    const asExpected = sameChange(expected, change);
    // Listeners start on the change before the graph takes it, so their slow part (the search index writes a
    // large change on a thread of its own) overlaps with the graph's. They are given the change itself.
    // Staged work for the wrong change is thrown away first, so its listener hears of the right one after;
    // memory still takes the change in this same tick, so nothing (a removal, say) can come in between.
    const notified = asExpected
      ? Promise.all([
          ...staged.map(({ work }) => work.commit()),
          this.notify(change, new Set(staged.map((s) => s.listener))),
        ])
      : Promise.all(staged.map(({ work }) => work.abort())).then(() => this.notify(change));
    // Awaited below; this only keeps a failure from being reported as unhandled if apply() throws first.
    notified.catch(() => undefined);
    this.apply(key, change.upserted, change.removed);
    try {
      await notified;
    } catch (error) {
      // The store committed and memory has the change; only derived state (the search index) lags, and its
      // unrecorded fingerprint makes the next start-up rebuild it. Say so, rather than "nothing was stored".
      throw new Error(
        `Location ${key} was stored, but bringing derived state (the search index) up to date failed: ${error instanceof Error ? error.message : String(error)}. ` +
          "Search may miss this change until `npm run callboard -- reindex` or the next start-up rebuilds the index.",
        { cause: error },
      );
    }
    const report = {
      ...result,
      problems: [...read.problems, ...result.conflicts],
      notes,
      files: read.files,
      kept,
    };
    this.logImported(
      key,
      report,
      read,
      started,
      readMs,
      storedMs,
      staged.length > 0 ? (asExpected ? "committed" : "redone") : "none",
    );
    return report;
  }

  /**
   * An import that changes no entity, as memory sees it: when memory holds every logged change (so the store
   * holds what memory holds), only the location's problems, time and file records are written, and the
   * location's entities are not read back. Undefined when that cannot be vouched for.
   */
  private async touch(
    key: string,
    read: LocationRead,
    notes: CatalogProblem[],
    kept: string[],
    files: FileRecordChanges,
  ): Promise<ImportReport | undefined> {
    const refs = read.uniqueRefs === true ? undefined : new Set<string>();
    const conflicts: CatalogProblem[] = [];
    for (const entity of read.entities) {
      if (refs?.has(entity.ref)) return undefined; // the store reports a ref declared twice
      refs?.add(entity.ref);
      const owner = this.owners.get(entity.ref);
      if (owner !== undefined && owner !== key) conflicts.push(duplicateProblem(entity, `location ${owner}`));
    }
    const count = read.entities.length - conflicts.length + kept.length;
    const problems = [...read.problems, ...notes, ...conflicts];
    if (!(await this.deps.store.touchLocation(key, problems, count, files, this.followed))) return undefined;
    return {
      locationKey: key,
      added: [],
      updated: [],
      removed: [],
      unchanged: count,
      conflicts,
      problems: [...read.problems, ...conflicts],
      notes,
      files: read.files,
      kept,
    };
  }

  private logImported(
    key: string,
    result: ImportResult,
    read: LocationRead,
    started: number,
    readMs: number,
    storedMs: number,
    staged: string,
  ): void {
    this.deps.log.info(
      {
        location: key,
        added: result.added.length,
        updated: result.updated.length,
        removed: result.removed.length,
        unchanged: result.unchanged,
        problems: read.problems.length,
        ms: {
          read: Math.round(readMs),
          store: Math.round(storedMs - readMs),
          total: Math.round(performance.now() - started),
        },
        staged,
      },
      "location imported",
    );
  }

  /** Stored locations with their last import's problems and, apart, its notes. */
  async locations(): Promise<Array<StoredLocation & { notes: CatalogProblem[] }>> {
    return (await this.deps.store.listLocations()).map((location) => ({
      ...location,
      problems: location.problems.filter((p) => p.severity !== "note"),
      notes: location.problems.filter((p) => p.severity === "note"),
    }));
  }

  async removeLocation(target: string): Promise<ImportResult> {
    const key = locationKey(target);
    return this.exclusive(async () => {
      const result = await this.deps.store.removeLocation(key);
      if (result.log && result.log.before === this.followed) this.followed = result.log.seq ?? this.followed;
      const removed = new Set(result.removed);
      for (const [ref, owner] of this.owners) if (owner === key) removed.add(ref);
      this.apply(key, [], [...removed]);
      await this.notify({ upserted: [], removed: [...removed] });
      return result;
    });
  }

  /**
   * Brings memory (the graph, and through the listeners the search index) up to date with the changes other
   * replicas committed since the last call, from the change log in the shared database. The entities a change
   * touched are read as they are stored now, so entries may be skipped or repeated without harm. Returns how
   * many entities changed in memory.
   */
  async followChanges(batch = 1_000): Promise<number> {
    return this.exclusive(async () => {
      let changed = 0;
      for (;;) {
        const entries = await this.deps.store.changesSince(this.followed, batch);
        if (entries.length === 0) break;
        const touched = new Set<string>();
        for (const entry of entries) {
          if (entry.replica === this.deps.replica) continue;
          for (const ref of entry.upserted) touched.add(ref);
          for (const ref of entry.removed) touched.add(ref);
        }
        if (touched.size > 0) changed += await this.converge(touched);
        this.followed = entries.at(-1)!.seq;
        if (entries.length < batch) break;
      }
      return changed;
    });
  }

  /**
   * Compares memory with every stored entity and takes the difference: for a replica that could not follow the
   * change log for longer than it is kept. Slow (it reads every entity), and rarely needed.
   */
  async resync(): Promise<number> {
    return this.exclusive(async () => {
      const latest = await this.deps.store.latestChange();
      const seen = new Set<string>();
      const upserted: StoredEntity[] = [];
      await this.deps.store.eachStored((page) => {
        for (const entity of page) {
          seen.add(entity.ref);
          if (
            this.hashes.get(entity.ref) !== entity.hash ||
            this.owners.get(entity.ref) !== entity.locationKey
          ) {
            upserted.push(entity);
          }
        }
      });
      const removed = [...this.owners.keys()].filter((ref) => !seen.has(ref));
      await this.applyStored(upserted, removed);
      this.followed = latest;
      return upserted.length + removed.length;
    });
  }

  /** Memory takes the stored state of `refs`: present ones as stored, absent ones removed. */
  private async converge(refs: Set<string>): Promise<number> {
    const stored = await this.deps.store.entities([...refs]);
    const found = new Set(stored.map((entity) => entity.ref));
    const upserted = stored.filter(
      (entity) =>
        this.hashes.get(entity.ref) !== entity.hash || this.owners.get(entity.ref) !== entity.locationKey,
    );
    const removed = [...refs].filter((ref) => !found.has(ref) && this.owners.has(ref));
    await this.applyStored(upserted, removed);
    return upserted.length + removed.length;
  }

  private async applyStored(upserted: StoredEntity[], removed: string[]): Promise<void> {
    if (upserted.length === 0 && removed.length === 0) return;
    this.intoMemory(upserted, removed, (entity) => entity.locationKey);
    await this.notify({ upserted, removed });
  }

  private apply(key: string, upserted: ProcessedEntity[], removed: string[]): void {
    this.intoMemory(upserted, removed, () => key);
  }

  /** The graph, the hashes and the owning locations take a change the store holds. */
  private intoMemory<T extends ProcessedEntity | StoredEntity>(
    upserted: T[],
    removed: string[],
    locationOf: (entity: T) => string,
  ): void {
    this.deps.graph.remove(removed);
    this.deps.graph.upsert(upserted);
    for (const ref of removed) {
      this.hashes.delete(ref);
      this.dropOwner(ref);
    }
    for (const entity of upserted) {
      this.hashes.set(entity.ref, entity.hash);
      this.setOwner(entity.ref, locationOf(entity));
    }
  }

  private setOwner(ref: string, key: string): void {
    const before = this.owners.get(ref);
    if (before === key) return;
    if (before !== undefined) this.ownedCounts.set(before, this.ownedCounts.get(before)! - 1);
    this.owners.set(ref, key);
    this.ownedCounts.set(key, (this.ownedCounts.get(key) ?? 0) + 1);
  }

  private dropOwner(ref: string): void {
    const before = this.owners.get(ref);
    if (before === undefined) return;
    this.owners.delete(ref);
    const left = this.ownedCounts.get(before)! - 1;
    if (left === 0) this.ownedCounts.delete(before);
    else this.ownedCounts.set(before, left);
  }

  /**
   * As Backstage does, an entity whose file could not be parsed or that fails validation keeps its last
   * good version rather than vanishing: a typo in one file must not delete a team's services. When any
   * file failed, entities from files that were not read at all this time are kept too: they may sit
   * below a broken or missing Location file, and their removal waits for a clean import.
   */
  private lastGoodToKeep(key: string, read: LocationRead): string[] {
    const damagedFiles = new Set(
      read.problems.filter((p) => !p.ref || p.field?.startsWith("spec.target")).map((p) => p.location),
    );
    const failedRefs = new Set(read.problems.flatMap((p) => (p.ref ? [p.ref] : [])));
    if (damagedFiles.size === 0 && failedRefs.size === 0) return [];
    const declared = new Set(read.entities.map((e) => e.ref));
    const readFiles = new Set(read.files);
    // Decided from memory (where each entity came from), so a big location with one broken file does not
    // reload every entity from the database on each import; the store keeps the rows as they are.
    const kept: string[] = [];
    for (const [ref, owner] of this.owners) {
      if (owner !== key || declared.has(ref)) continue;
      const file = this.deps.graph.source(ref)?.location;
      const unreached = damagedFiles.size > 0 && (file === undefined || !readFiles.has(file));
      if (failedRefs.has(ref) || (file !== undefined && damagedFiles.has(file)) || unreached) kept.push(ref);
    }
    return kept;
  }

  /**
   * The change an import makes in memory: entities whose content or location differ from what memory holds
   * (less those `lost` to another location), and the refs this location held that it no longer declares.
   */
  private changeFor(
    key: string,
    entities: ProcessedEntity[],
    kept: string[],
    lost: ReadonlySet<string>,
    storeRemoved: readonly string[],
    uniqueRefs = false,
  ): Change {
    // One pass, no copies: a 100k-entity location that changed nothing comes through here on every refresh.
    const upserted: ProcessedEntity[] = [];
    let declaredAgain = 0;
    for (const e of entities) {
      if (lost.has(e.ref)) continue;
      const mine = this.owners.get(e.ref) === key;
      if (mine) declaredAgain++;
      if (!mine || this.hashes.get(e.ref) !== e.hash) upserted.push(e);
    }
    const removed = new Set(storeRemoved);
    // Kept refs are this location's and not declared: when they and the refs declared again (each once) account
    // for every entity memory holds from this location, it holds nothing the read did not declare.
    if (!uniqueRefs || declaredAgain + kept.length !== (this.ownedCounts.get(key) ?? 0)) {
      const ownedRefs = new Set(kept);
      for (const e of entities) if (!lost.has(e.ref)) ownedRefs.add(e.ref);
      for (const [ref, owner] of this.owners) if (owner === key && !ownedRefs.has(ref)) removed.add(ref);
    }
    return { upserted, removed: [...removed] };
  }

  /** Refs of `entities` that memory says another location holds: the store will keep them there. */
  private heldElsewhere(key: string, entities: ProcessedEntity[]): Set<string> {
    const held = new Set<string>();
    for (const entity of entities) {
      const owner = this.owners.get(entity.ref);
      if (owner !== undefined && owner !== key) held.add(entity.ref);
    }
    return held;
  }

  private stage(expected: Change): Array<{ listener: CatalogListener; work: StagedChange }> {
    if (expected.upserted.length === 0 && expected.removed.length === 0) return [];
    return this.listeners.flatMap((listener) => {
      try {
        const work = listener.stage?.(expected);
        return work ? [{ listener, work }] : [];
      } catch (error) {
        // Staging only saves time: the listener hears of the change once it is stored, as it would have.
        this.deps.log.warn(
          { err: error },
          "a catalog listener could not stage an import; it runs after the store",
        );
        return [];
      }
    });
  }

  private async notify(change: CatalogChange, done: ReadonlySet<CatalogListener> = new Set()): Promise<void> {
    if (change.upserted.length === 0 && change.removed.length === 0) return;
    for (const listener of this.listeners) if (!done.has(listener)) await listener.changed(change);
  }
}

/** The file records to write (those that differ from the last import's) and the files no longer read. */
function fileChanges(previous: FileRecord[], current: FileRecord[] | undefined): FileRecordChanges {
  if (!current) return { write: [], remove: [] };
  const before = new Map(previous.map((record) => [record.file, record]));
  const write: FileRecordChanges["write"] = [];
  for (const record of current) {
    const earlier = before.get(record.file);
    // A file the reader took over from its record gives that very record back: nothing to compare.
    if (earlier === record) continue;
    const now = encodeRecord(record);
    const then = earlier && encodeRecord(earlier);
    if (then?.version !== now.version || then.record !== now.record) write.push(now);
  }
  const read = new Set(current.map((record) => record.file));
  return { write, remove: [...before.keys()].filter((file) => !read.has(file)) };
}

/** An entity as memory holds it, for a reader to take over; its relations are built only if something reads them. */
class HeldEntity implements ProcessedEntity {
  constructor(
    readonly ref: string,
    readonly entity: ProcessedEntity["entity"],
    readonly source: ProcessedEntity["source"],
    readonly hash: string,
    private readonly graph: CatalogGraph,
  ) {}

  get relations(): RelationEdge[] {
    return this.graph.emittedRelations(this.ref);
  }
}

interface Change extends CatalogChange {
  upserted: ProcessedEntity[];
}

/** Both changes come from one import's entities, so the same refs mean the same content. */
function sameChange(a: Change, b: Change): boolean {
  return (
    sameRefs(
      a.upserted.map((e) => e.ref),
      b.upserted.map((e) => e.ref),
    ) && sameRefs(a.removed, b.removed)
  );
}

function sameRefs(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((ref) => set.has(ref));
}
