import { isDynamicPattern } from "tinyglobby";
import type { CatalogProblem, Entity, ProcessedEntity } from "../model/entity.ts";
import { entityRef } from "../model/ref.ts";
import { checkEntity, guessRef, pathToField, type CheckedEntity, type CheckResult } from "./check-entity.ts";
import { parseDescriptorYaml, type ParsedDocument } from "./descriptor-yaml.ts";
import { YamlParserPool } from "./yaml-pool.ts";
import { missingCatalogInfoMessage } from "./folder-hint.ts";
import { LocalRoots } from "./local-roots.ts";
import { expandGlob, globBase, hostMatches, resolveTarget } from "./location-targets.ts";
import { resolvePlaceholders } from "./placeholders.ts";
import { FOLDER_PATTERN, importedFolders, rootLocation } from "./root-location.ts";
import {
  readSource,
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
}

export interface ReadResult {
  /** Valid entities, first declaration of each ref only, in reading order. */
  entities: ProcessedEntity[];
  problems: CatalogProblem[];
  /** Worth knowing but nothing to fix: optional Location targets that were skipped. */
  notes: CatalogProblem[];
  /** Location refs (`file:/abs/path`, `url:https://...`) of every descriptor and placeholder file read. */
  files: string[];
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
  private readonly readKeys = new Set<string>();
  private readonly declared = new Map<string, { location: string; line: number }>();
  private readonly textCache = new Map<string, Promise<string>>();
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
  }

  result(): ReadResult {
    return { entities: this.entities, problems: this.problems, notes: this.notes, files: this.files };
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

    let text: string;
    try {
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
    this.readKeys.add(key);

    const locations: Array<{ entity: Entity; lineOf: (path: Array<string | number>) => number }> = [];
    const documents =
      (await this.parsedAhead.get(key)) ?? parseDescriptorYaml(text, { maxAliases: this.maxAliases });
    this.parsedAhead.delete(key);
    for (const doc of documents) {
      if (!doc.ok) {
        this.problem({ location: key, line: doc.line, message: doc.message });
        continue;
      }
      if (doc.value === null || doc.value === undefined) continue;
      if (typeof doc.value !== "object" || Array.isArray(doc.value)) {
        const got = Array.isArray(doc.value) ? "a list" : `a ${typeof doc.value}`;
        this.problem({
          location: key,
          line: doc.line,
          message: `Expected an entity (a YAML mapping with apiVersion, kind, metadata) at the document root, got ${got}`,
        });
        continue;
      }
      const entity = await this.processEntity(
        doc.value as Record<string, unknown>,
        spec,
        doc.line,
        doc.lineOf,
        doc.checked,
      );
      if (entity?.kind === "Location") locations.push({ entity, lineOf: doc.lineOf });
    }

    for (const { entity, lineOf } of locations) {
      await this.followLocation(entity, spec, [...ancestors, key], lineOf);
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
    checked?: CheckResult,
  ): Promise<Entity | undefined> {
    const location = stringifyLocation(spec);
    const ref = guessRef(raw);
    let verdict = checked;
    if (!verdict) {
      const placeheld = await resolvePlaceholders(raw, {
        base: spec,
        read: (target) => this.readText(target),
        maxAliases: this.maxAliases,
      });
      if (placeheld.problems.length > 0) {
        for (const p of placeheld.problems) {
          this.problem({
            location,
            line: lineOf(p.path),
            ref,
            field: pathToField(p.path),
            message: p.message,
          });
        }
        return undefined;
      }
      verdict = checkEntity(placeheld.value as Record<string, unknown>, location, this.origin);
    }
    if (!verdict.ok) {
      for (const p of verdict.problems) {
        this.problem({ location, line: lineOf(p.path), ref, field: p.field, message: p.message });
      }
      return undefined;
    }
    return this.record(verdict.checked, location, line, lineOf);
  }

  private record(
    checked: CheckedEntity,
    location: string,
    line: number,
    lineOf: (path: Array<string | number>) => number,
  ): Entity | undefined {
    const canonical = checked.ref;
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
    for (const p of checked.relationProblems) {
      this.problem({ location, line: lineOf(p.path), ref: canonical, field: p.field, message: p.message });
    }
    this.declared.set(canonical, { location, line });
    this.entities.push({
      ref: canonical,
      entity: checked.entity,
      source: { location, line },
      relations: checked.relations,
      hash: checked.hash,
    });
    return checked.entity;
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
    this.parsedAhead.set(
      key,
      this.readText(spec).then(
        (text) => pool.parse(text, limits, { location: key, origin: this.origin }).catch(() => undefined),
        () => undefined,
      ),
    );
  }

  /** Reads text once per read, so a placeholder file shared by many entities is fetched once. */
  private readText(spec: LocationSpec): Promise<string> {
    const key = stringifyLocation(spec);
    let pending = this.textCache.get(key);
    if (!pending) {
      pending = this.readContained(spec);
      this.textCache.set(key, pending);
      pending.then(
        () => this.files.push(key),
        () => undefined,
      );
    }
    return pending;
  }

  /** Local files are read only inside the imported folder (and the extra roots), symlinks resolved. */
  private async readContained(spec: LocationSpec): Promise<string> {
    if (spec.type !== "file") return readSource(spec, this.source);
    return readSource({ type: "file", target: await this.contain(spec.target) }, this.source);
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

  private problem(problem: CatalogProblem): void {
    this.problems.push(tidy(problem));
  }
}

/** The problem without empty or undefined fields, so results compare and store the same way every time. */
function tidy(problem: CatalogProblem): CatalogProblem {
  const clean: CatalogProblem = { location: problem.location, message: problem.message };
  if (problem.line !== undefined) clean.line = problem.line;
  if (problem.ref !== undefined) clean.ref = problem.ref;
  if (problem.field !== undefined && problem.field !== "") clean.field = problem.field;
  return clean;
}
