import { isDynamicPattern } from "tinyglobby";
import type { CatalogProblem, Entity, ProcessedEntity } from "../model/entity.ts";
import { entityRef } from "../model/ref.ts";
import { checkEntity, guessRef, pathToField, type CheckedEntity, type CheckResult } from "./check-entity.ts";
import { parseDescriptorYaml, type ParsedDocument } from "./descriptor-yaml.ts";
import { YamlParserPool } from "./yaml-pool.ts";
import {
  bytesVersion,
  readerTag,
  type DocumentOutcome,
  type FileRecord,
  type PreviousRead,
} from "./file-memo.ts";
import { DEFAULT_STAT_SETTLE_MS, settledFingerprint, statFingerprint } from "./file-stat.ts";
import { missingCatalogInfoMessage } from "./folder-hint.ts";
import { LocalRoots } from "./local-roots.ts";
import { expandGlob, globBase, hostMatches, resolveTarget } from "./location-targets.ts";
import { resolvePlaceholders } from "./placeholders.ts";
import { FOLDER_PATTERN, importedFolders, rootLocation } from "./root-location.ts";
import {
  decodeText,
  readSourceBytes,
  SourceError,
  stringifyLocation,
  type LocationSpec,
  type SourceOptions,
} from "./read-source.ts";

export interface ReadOptions {
  /** Largest descriptor or placeholder file accepted, in bytes. Default 2 MiB. */
  maxFileBytes?: number;
  /** Cap on YAML alias expansion per document (yaml's maxAliasCount). Default 100. */
  maxAliases?: number;
  /** fetch used for url: locations; injectable for tests. Default: global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout for URL reads. Default 30 s. */
  timeoutMs?: number;
  /** Parse large files on worker threads. Default true. */
  parallel?: boolean;
  /**
   * Hosts URL reads may reach besides the root location's own: `example.com`, `example.com:8443` or
   * `*.example.com`. Targets and placeholders pointing anywhere else are reported, not fetched.
   */
  allowedHosts?: string[];
  /**
   * Folders besides the imported one that local reads (Location targets, placeholders) may reach, as
   * absolute paths. Everything else on the host is refused.
   */
  localRoots?: string[];
  /**
   * What the last read of this location gave, file by file (file-memo.ts): a file whose content and whose
   * placeholder targets are unchanged is not parsed again; its entities are taken as they are held.
   */
  previous?: PreviousRead;
  /**
   * A file's content version when the source knows it without reading the file (a GitHub tree's blob sha;
   * see contentVersion). When it matches the previous read's, the file is not even read.
   */
  knownVersion?: (file: string) => string | undefined;
  /**
   * How long after its last change a local file's stat fingerprint is recorded (file-stat.ts), in ms: one
   * changed more recently is hashed again next time. Default 2 s, allowing for coarse file-system clocks.
   */
  statSettleMs?: number;
}

export interface ReadResult {
  /** Valid entities, first declaration of each ref only, in reading order. */
  entities: ProcessedEntity[];
  problems: CatalogProblem[];
  /** Worth knowing but nothing to fix: optional Location targets that were skipped. */
  notes: CatalogProblem[];
  /** Location refs (`file:/abs/path`, `url:https://...`) of every descriptor and placeholder file read. */
  files: string[];
  /** What each descriptor file read gave, for the next read to reuse (ReadOptions.previous). */
  records: FileRecord[];
  /** Descriptor files parsed this time; the rest of `records` were replayed from the previous read. */
  parsedFiles: number;
  /** Always true: a ref declared twice is reported, and only its first declaration is in `entities`. */
  uniqueRefs: true;
}

export { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION } from "../model/entity.ts";

const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_ALIASES = 100;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Who pointed at a location, so "does not exist" can name the Location entity and line to fix. */
interface Referrer {
  location: string;
  line: number;
  ref: string;
  field: string;
}

/**
 * Reads every entity reachable from `target` the way Backstage ingests a registered location:
 * multi-document YAML, placeholders, Location entities followed recursively, location annotations,
 * validation and relations. Bad input becomes problems naming file and line; valid entities are
 * never dropped because a sibling is broken. Never throws for bad input.
 *
 * `target`: a file or folder path, `file:<path>`, `url:<http(s) URL>` or a bare http(s) URL. A folder
 * starts at its top-level catalog-info.yaml if there is one, otherwise reads every
 * `**\/catalog-info.y?(a)ml` below it. Local files are read only inside the imported folder and
 * `options.localRoots`; URLs only on the root's host and `options.allowedHosts`.
 */
export async function readLocation(target: string, options: ReadOptions = {}): Promise<ReadResult> {
  const pool = options.parallel === false ? undefined : new YamlParserPool();
  try {
    const reading = new LocationReading(options, pool);
    await reading.readRoot(target);
    return reading.result();
  } finally {
    await pool?.close();
  }
}

class LocationReading {
  private readonly entities: ProcessedEntity[] = [];
  private readonly problems: CatalogProblem[] = [];
  private readonly notes: CatalogProblem[] = [];
  private readonly files: string[] = [];
  private readonly records: FileRecord[] = [];
  private parsedFiles = 0;
  /** contentVersion of every file read, by location ref. */
  private readonly versions = new Map<string, string>();
  private readonly previous: PreviousRead | undefined;
  private readonly knownVersion: ((file: string) => string | undefined) | undefined;
  private readonly readerTag: string;
  private readonly readKeys = new Set<string>();
  private readonly declared = new Map<string, { location: string; line: number }>();
  private readonly byteCache = new Map<string, Promise<Uint8Array>>();
  private readonly textCache = new Map<string, Promise<string>>();
  /** Stat fingerprints of local files as they were read, to record (undefined: not yet settled, not a file). */
  private readonly fingerprints = new Map<string, Promise<string | undefined>>();
  /** Whether a local file's stat is still the one its record has, so it need not be read. */
  private readonly statChecks = new Map<string, Promise<boolean>>();
  private readonly statSettleMs: number;
  /** Files read and parsed ahead, in reading order, while earlier ones are still being validated. */
  private readonly parsedAhead = new Map<string, Promise<ParsedDocument[] | undefined>>();
  private readonly source: SourceOptions;
  private readonly maxAliases: number;
  private readonly allowedHosts: string[];
  private readonly extraRoots: string[];
  /** Where local reads may go; decided by the root location. None until then, and none for a URL root. */
  private localRoots: LocalRoots | undefined;
  private origin = "";

  constructor(
    options: ReadOptions,
    private readonly pool: YamlParserPool | undefined,
  ) {
    this.source = {
      maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      allowHost: (host) => this.allowedHosts.some((pattern) => hostMatches(pattern, host)),
    };
    this.allowedHosts = (options.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
    this.extraRoots = options.localRoots ?? [];
    this.maxAliases = options.maxAliases ?? DEFAULT_MAX_ALIASES;
    this.previous = options.previous;
    this.knownVersion = options.knownVersion;
    this.statSettleMs = options.statSettleMs ?? DEFAULT_STAT_SETTLE_MS;
    this.readerTag = readerTag({ maxAliases: this.maxAliases, maxBytes: this.source.maxBytes });
  }

  result(): ReadResult {
    return {
      entities: this.entities,
      problems: this.problems,
      notes: this.notes,
      files: this.files,
      records: this.records,
      parsedFiles: this.parsedFiles,
      uniqueRefs: true,
    };
  }

  async readRoot(target: string): Promise<void> {
    const root = await rootLocation(target);
    if ("problem" in root) {
      this.problem(root.problem);
      return;
    }
    const { spec } = root;
    this.origin = stringifyLocation(spec);
    if (spec.type === "url") {
      // The operator named this URL, so its host is trusted; others must be listed.
      this.allowedHosts.push(new URL(spec.target).host.toLowerCase());
    } else {
      this.localRoots = await LocalRoots.of([...(await importedFolders(spec)), ...this.extraRoots]);
    }
    await this.readSpec(spec, [], undefined, false);
  }

  /** Reads one location spec (expanding a file glob), with `ancestors` being the chain of files that led here. */
  private async readSpec(
    spec: LocationSpec,
    ancestors: string[],
    referrer: Referrer | undefined,
    optional: boolean,
  ): Promise<void> {
    if (spec.type === "file" && isDynamicPattern(spec.target)) {
      try {
        await this.contain(globBase(spec.target));
      } catch (error) {
        this.refused(spec, referrer, (error as Error).message);
        return;
      }
      const matches = await expandGlob(spec.target);
      if (matches.length === 0 && !referrer && spec.target.endsWith(FOLDER_PATTERN)) {
        // The operator named a folder that holds no catalog-info.yaml: say what it holds instead.
        const limits = { maxBytes: this.source.maxBytes, maxAliases: this.maxAliases };
        const message = await missingCatalogInfoMessage(globBase(spec.target), limits);
        this.problem({ location: stringifyLocation(spec), message });
      } else if (matches.length === 0) {
        this.missing(spec, referrer, `no file matches ${spec.target}`, optional);
      }
      const specs: LocationSpec[] = matches.map((match) => ({ type: "file", target: match }));
      specs.forEach((s) => this.parseAhead(s));
      for (const match of specs) await this.readFile(match, ancestors, referrer, optional);
      return;
    }
    await this.readFile(spec, ancestors, referrer, optional);
  }

  private async readFile(
    spec: LocationSpec,
    ancestors: string[],
    referrer: Referrer | undefined,
    optional: boolean,
  ): Promise<void> {
    const key = stringifyLocation(spec);
    if (ancestors.includes(key)) {
      const chain = [...ancestors.slice(ancestors.indexOf(key)), key].join(" → ");
      this.problem({
        location: referrer?.location ?? key,
        line: referrer?.line,
        ref: referrer?.ref,
        field: referrer?.field,
        message: `Location cycle: ${chain}; the cycle is not followed again`,
      });
      return;
    }
    // Reached again through another Location (a diamond, not a cycle): its entities are already in.
    if (this.readKeys.has(key)) return;

    const previous = this.previous?.file(key);
    const reusable = previous?.reader === this.readerTag ? previous : undefined;
    const known = this.knownVersion?.(key);
    if (reusable && known !== undefined && known === reusable.version) {
      // The source vouches for the content without sending it: nothing to read unless a target changed.
      this.versions.set(key, known);
      if (await this.replay(reusable, spec, ancestors)) {
        this.files.push(key);
        return;
      }
    }

    if (reusable && (await this.sameStat(spec, reusable))) {
      // Same size, inode, mtime and ctime as when it was read and recorded: the content is taken as unchanged.
      this.versions.set(key, reusable.version);
      if (await this.replay(reusable, spec, ancestors)) {
        this.files.push(key);
        return;
      }
    }

    let text: string;
    try {
      // The bytes first: a file its record stands for is never decoded.
      await this.readBytes(spec);
      if (
        reusable &&
        reusable.version === this.versions.get(key) &&
        (await this.replay(reusable, spec, ancestors))
      ) {
        this.parsedAhead.delete(key);
        return;
      }
      text = await this.readText(spec);
    } catch (error) {
      const code = error instanceof SourceError ? error.code : undefined;
      if (code === "not-found" || code === "host-not-allowed") {
        this.missing(spec, referrer, (error as Error).message, optional);
      } else if (code === "outside-root") {
        this.refused(spec, referrer, (error as Error).message);
      } else {
        this.problem({ location: key, message: (error as Error).message });
      }
      return;
    }
    const version = this.versions.get(key)!;
    this.readKeys.add(key);
    this.parsedFiles++;

    const stat = await this.fingerprints.get(key);
    const record: FileRecord = {
      file: key,
      version,
      ...(stat ? { stat } : {}),
      reader: this.readerTag,
      reads: [],
      documents: [],
    };
    const reads = new Map<string, string>();
    const locations: Array<{ entity: Entity; lineOf: (path: Array<string | number>) => number }> = [];
    const documents =
      (await this.parsedAhead.get(key)) ?? parseDescriptorYaml(text, { maxAliases: this.maxAliases });
    this.parsedAhead.delete(key);
    for (const doc of documents) {
      if (!doc.ok) {
        record.documents.push({
          problems: [this.problem({ location: key, line: doc.line, message: doc.message })],
        });
        continue;
      }
      if (doc.value === null || doc.value === undefined) continue;
      if (typeof doc.value !== "object" || Array.isArray(doc.value)) {
        const got = Array.isArray(doc.value) ? "a list" : `a ${typeof doc.value}`;
        const problem = this.problem({
          location: key,
          line: doc.line,
          message: `Expected an entity (a YAML mapping with apiVersion, kind, metadata) at the document root, got ${got}`,
        });
        record.documents.push({ problems: [problem] });
        continue;
      }
      const entity = await this.processEntity(
        doc.value as Record<string, unknown>,
        spec,
        doc.line,
        doc.lineOf,
        { documents: record.documents, reads },
        doc.checked,
      );
      if (entity?.kind === "Location") locations.push({ entity, lineOf: doc.lineOf });
    }
    record.reads = [...reads];
    this.records.push(record);

    for (const { entity, lineOf } of locations) {
      await this.followLocation(entity, spec, [...ancestors, key], lineOf);
    }
  }

  /**
   * Gives what `record` says the file gave, without parsing it, when everything it was made from is unchanged:
   * its placeholder targets' content and each entity as held from this file. Returns false (nothing given)
   * otherwise, and the file is read in full. Its Location entities are followed again either way.
   */
  private async replay(record: FileRecord, spec: LocationSpec, ancestors: string[]): Promise<boolean> {
    const key = stringifyLocation(spec);
    for (const [file, version] of record.reads) {
      if ((await this.versionOf(file)) !== version) return false;
    }
    const held: Array<ProcessedEntity | undefined> = [];
    for (const doc of record.documents) {
      if (!("ref" in doc)) continue;
      const entity = this.previous?.entity(doc.ref);
      if (!entity || entity.hash !== doc.hash || entity.source.location !== key) return false;
      held.push(entity);
    }
    this.readKeys.add(key);
    // A file read and hashed this time records its fingerprint now (a rewrite with the same content, say).
    const stat = this.fingerprints.has(key) ? await this.fingerprints.get(key) : record.stat;
    if (stat === record.stat) this.records.push(record);
    else {
      const { stat: _old, ...rest } = record;
      this.records.push(stat ? { ...rest, stat } : rest);
    }
    const locations: Array<{ entity: Entity; lines: Record<string, number>; line: number }> = [];
    let next = 0;
    for (const doc of record.documents) {
      if (!("ref" in doc)) {
        this.problems.push(...doc.problems);
        continue;
      }
      // The held object itself: its relations are built only if something reads them (a rewrite).
      const recorded = this.record(held[next++]!, doc.relationProblems ?? [], doc.line);
      if (recorded?.kind === "Location")
        locations.push({ entity: recorded, lines: doc.lines ?? {}, line: doc.line });
    }
    for (const { entity, lines, line } of locations) {
      await this.followLocation(entity, spec, [...ancestors, key], (path) => lines[path.join("/")] ?? line);
    }
    return true;
  }

  /** A file's current version, or `!<error code>` when it cannot be read: what a record's reads are held to. */
  private async versionOf(file: string): Promise<string> {
    const known = this.knownVersion?.(file);
    if (known !== undefined) return known;
    const colon = file.indexOf(":");
    const type = file.slice(0, colon);
    if (type !== "file" && type !== "url") return "!unknown-scheme";
    try {
      await this.readText({ type, target: file.slice(colon + 1) });
      return this.versions.get(file)!;
    } catch (error) {
      return failedVersion(error);
    }
  }

  /**
   * Validates one document's entity and records it; returns it when accepted. `checked` is the worker's
   * verdict on a document without placeholders; the rest are resolved and checked here.
   */
  private async processEntity(
    raw: Record<string, unknown>,
    spec: LocationSpec,
    line: number,
    lineOf: (path: Array<string | number>) => number,
    memo: { documents: DocumentOutcome[]; reads: Map<string, string> },
    checked?: CheckResult,
  ): Promise<Entity | undefined> {
    const location = stringifyLocation(spec);
    const ref = guessRef(raw);
    let verdict = checked;
    if (!verdict) {
      const placeheld = await resolvePlaceholders(raw, {
        base: spec,
        read: (target) => this.readTracked(target, memo.reads),
        maxAliases: this.maxAliases,
      });
      if (placeheld.problems.length > 0) {
        const problems = placeheld.problems.map((p) =>
          this.problem({
            location,
            line: lineOf(p.path),
            ref,
            field: pathToField(p.path),
            message: p.message,
          }),
        );
        memo.documents.push({ problems });
        return undefined;
      }
      verdict = checkEntity(placeheld.value as Record<string, unknown>, location, this.origin);
    }
    if (!verdict.ok) {
      const problems = verdict.problems.map((p) =>
        this.problem({ location, line: lineOf(p.path), ref, field: p.field, message: p.message }),
      );
      memo.documents.push({ problems });
      return undefined;
    }
    const checkedEntity: CheckedEntity = verdict.checked;
    const canonical = checkedEntity.ref;
    const relationProblems = checkedEntity.relationProblems.map((p) =>
      tidy({ location, line: lineOf(p.path), ref: canonical, field: p.field, message: p.message }),
    );
    const lines =
      checkedEntity.entity.kind === "Location" ? targetLines(checkedEntity.entity, lineOf) : undefined;
    memo.documents.push({
      ref: canonical,
      hash: checkedEntity.hash,
      line,
      ...(relationProblems.length > 0 ? { relationProblems } : {}),
      ...(lines ? { lines } : {}),
    });
    const { entity, relations, hash } = checkedEntity;
    return this.record(
      { ref: canonical, entity, source: { location, line }, relations, hash },
      relationProblems,
    );
  }

  /** Reads a placeholder target, noting its version (or failure) in the reading file's record. */
  private async readTracked(target: LocationSpec, reads: Map<string, string>): Promise<string> {
    const key = stringifyLocation(target);
    try {
      const text = await this.readText(target);
      reads.set(key, this.versions.get(key)!);
      return text;
    } catch (error) {
      reads.set(key, failedVersion(error));
      throw error;
    }
  }

  /** Records an entity (`line`: where this declaration starts, for a duplicate's message) unless its ref is taken. */
  private record(
    processed: ProcessedEntity,
    relationProblems: CatalogProblem[],
    line = processed.source.line,
  ): Entity | undefined {
    const { ref: canonical, entity } = processed;
    const location = processed.source.location;
    const earlier = this.declared.get(canonical);
    if (earlier) {
      this.problem({
        location,
        line,
        ref: canonical,
        message:
          `Duplicate entity ${canonical}: already declared at ${earlier.location}:${earlier.line}; ` +
          `this declaration at ${location}:${line} is ignored`,
      });
      return undefined;
    }
    this.problems.push(...relationProblems);
    this.declared.set(canonical, { location, line });
    this.entities.push(processed);
    return entity;
  }

  private async followLocation(
    entity: Entity,
    base: LocationSpec,
    ancestors: string[],
    lineOf: (path: Array<string | number>) => number,
  ): Promise<void> {
    const spec = entity.spec ?? {};
    const type = typeof spec.type === "string" ? spec.type : base.type;
    const optional = spec.presence === "optional";
    const ref = entityRef(entity);
    const location = stringifyLocation(base);

    const targets: Array<{ target: string; field: string; path: Array<string | number> }> = [];
    if (typeof spec.target === "string")
      targets.push({ target: spec.target, field: "spec.target", path: ["spec", "target"] });
    if (Array.isArray(spec.targets)) {
      spec.targets.forEach((target, i) => {
        if (typeof target === "string") {
          targets.push({ target, field: `spec.targets[${i}]`, path: ["spec", "targets", i] });
        }
      });
    }

    const resolvedTargets = targets.map((t) => ({ ...t, resolved: resolveTarget(type, t.target, base) }));
    for (const { resolved } of resolvedTargets) {
      if (!("error" in resolved) && !(resolved.type === "file" && isDynamicPattern(resolved.target))) {
        this.parseAhead(resolved);
      }
    }
    for (const { target, field, path, resolved } of resolvedTargets) {
      const referrer: Referrer = { location, line: lineOf(path), ref, field };
      if ("error" in resolved) {
        this.problem({ ...referrer, message: `${field} "${target}": ${resolved.error}` });
        continue;
      }
      await this.readSpec(resolved, ancestors, referrer, optional);
    }
  }

  /**
   * Starts reading and parsing a file before its turn. Failures are left for readFile, which reads the
   * same cached text in order and reports them where they belong; a failed worker parse falls back to
   * parsing inline.
   */
  private parseAhead(spec: LocationSpec): void {
    const key = stringifyLocation(spec);
    if (!this.pool || this.parsedAhead.has(key) || this.readKeys.has(key)) return;
    const limits = { maxAliases: this.maxAliases };
    const pool = this.pool;
    const previous = this.previous?.file(key);
    const known = this.knownVersion?.(key);
    // A file the last read's record may stand for is not parsed ahead: most likely it is not parsed at all.
    if (previous && known !== undefined && known === previous.version) return;
    const ahead = () =>
      this.readBytes(spec).then(() =>
        previous && this.versions.get(key) === previous.version
          ? undefined
          : this.readText(spec).then((text) =>
              pool.parse(text, limits, { location: key, origin: this.origin }).catch(() => undefined),
            ),
      );
    const unchanged = previous ? this.sameStat(spec, previous) : Promise.resolve(false);
    this.parsedAhead.set(
      key,
      unchanged.then((same) => (same ? undefined : ahead())).catch(() => undefined),
    );
  }

  /**
   * Whether a local file's stat fingerprint is the one `record` has (file-stat.ts); false for URLs, records
   * without one, and files that cannot be reached. Checked once per read.
   */
  private sameStat(spec: LocationSpec, record: FileRecord): Promise<boolean> {
    if (spec.type !== "file" || !record.stat) return Promise.resolve(false);
    const key = stringifyLocation(spec);
    let pending = this.statChecks.get(key);
    if (!pending) {
      const expected = record.stat;
      pending = this.contain(spec.target)
        .then((path) => statFingerprint(path))
        .then((now) => now?.fingerprint === expected)
        .catch(() => false);
      this.statChecks.set(key, pending);
    }
    return pending;
  }

  /**
   * Reads a file's bytes once per read (a placeholder file shared by many entities is fetched once), and notes
   * it among the files read with its content version.
   */
  private readBytes(spec: LocationSpec): Promise<Uint8Array> {
    const key = stringifyLocation(spec);
    let pending = this.byteCache.get(key);
    if (!pending) {
      pending = this.readContained(spec);
      this.byteCache.set(key, pending);
      // Registered before any caller's own continuation, so the version is known once the bytes are.
      pending.then(
        (bytes) => {
          this.files.push(key);
          this.versions.set(key, bytesVersion(bytes));
        },
        () => undefined,
      );
    }
    return pending;
  }

  /** The file as UTF-8 text, refusing binary content; decoded once per read. */
  private readText(spec: LocationSpec): Promise<string> {
    const key = stringifyLocation(spec);
    let pending = this.textCache.get(key);
    if (!pending) {
      pending = this.readBytes(spec).then((bytes) => decodeText(bytes, spec.target));
      this.textCache.set(key, pending);
    }
    return pending;
  }

  /** Local files are read only inside the imported folder (and the extra roots), symlinks resolved. */
  private async readContained(spec: LocationSpec): Promise<Uint8Array> {
    if (spec.type !== "file") return readSourceBytes(spec, this.source);
    const path = await this.contain(spec.target);
    // Taken before the bytes, so a write in between changes the fingerprint the next read compares with.
    const at = Date.now();
    const fingerprint = statFingerprint(path).then((taken) =>
      settledFingerprint(taken, at, this.statSettleMs),
    );
    this.fingerprints.set(stringifyLocation(spec), fingerprint);
    await fingerprint;
    return readSourceBytes({ type: "file", target: path }, this.source);
  }

  private async contain(path: string): Promise<string> {
    // Only a local root sets local roots; a URL root has none, and resolveTarget never gives it a file.
    if (!this.localRoots) throw new SourceError("outside-root", `${path}: no local files may be read here`);
    return this.localRoots.contain(path);
  }

  /**
   * A target that is not there (or on a host that may not be read). Required: a problem naming the Location
   * and its field. Optional (`spec.presence: optional`): a note, since skipping it is what was asked for.
   */
  private missing(
    spec: LocationSpec,
    referrer: Referrer | undefined,
    reason: string,
    optional = false,
  ): void {
    const key = stringifyLocation(spec);
    if (!referrer) {
      this.problem({ location: key, message: reason });
      return;
    }
    if (optional) {
      this.note({
        ...referrer,
        message: `${referrer.field} of ${referrer.ref} points at ${key}, but ${reason}; skipped, as spec.presence is optional`,
      });
      return;
    }
    this.problem({
      ...referrer,
      message: `${referrer.field} of ${referrer.ref} points at ${key}, but ${reason}; fix the target or set spec.presence: optional`,
    });
  }

  /** A target outside the folders local reads may reach: always a problem, optional or not. */
  private refused(spec: LocationSpec, referrer: Referrer | undefined, reason: string): void {
    const key = stringifyLocation(spec);
    if (!referrer) {
      this.problem({ location: key, message: reason });
      return;
    }
    this.problem({
      ...referrer,
      message: `${referrer.field} of ${referrer.ref} points at ${key}, which is not read: ${reason}`,
    });
  }

  private note(note: CatalogProblem): void {
    this.notes.push({ ...tidy(note), severity: "note" });
  }

  private problem(problem: CatalogProblem): CatalogProblem {
    const clean = tidy(problem);
    this.problems.push(clean);
    return clean;
  }
}

/** A read that failed, as a version: the same failure again leaves a record valid, a success does not. */
function failedVersion(error: unknown): string {
  return `!${error instanceof SourceError ? error.code : "unreadable"}`;
}

/** The lines of a Location's target fields, keyed as the reader asks for them (`spec/target`, `spec/targets/0`). */
function targetLines(
  entity: Entity,
  lineOf: (path: Array<string | number>) => number,
): Record<string, number> {
  const lines: Record<string, number> = {};
  const spec = entity.spec ?? {};
  if (typeof spec.target === "string") lines["spec/target"] = lineOf(["spec", "target"]);
  if (Array.isArray(spec.targets)) {
    spec.targets.forEach((_, i) => (lines[`spec/targets/${i}`] = lineOf(["spec", "targets", i])));
  }
  return lines;
}

/** The problem without empty or undefined fields, so results compare and store the same way every time. */
function tidy(problem: CatalogProblem): CatalogProblem {
  const clean: CatalogProblem = { location: problem.location, message: problem.message };
  if (problem.line !== undefined) clean.line = problem.line;
  if (problem.ref !== undefined) clean.ref = problem.ref;
  if (problem.field !== undefined && problem.field !== "") clean.field = problem.field;
  return clean;
}
