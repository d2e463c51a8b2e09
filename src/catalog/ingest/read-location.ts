import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import type { CatalogProblem, Entity, ProcessedEntity } from "../model/entity.ts";
import { entityRef } from "../model/ref.ts";
import { checkEntity, guessRef, pathToField, type CheckedEntity, type CheckResult } from "./check-entity.ts";
import { parseDescriptorYaml, type ParsedDocument } from "./descriptor-yaml.ts";
import { YamlParserPool } from "./yaml-pool.ts";
import { resolvePlaceholders } from "./placeholders.ts";
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
}

export interface ReadResult {
  /** Valid entities, first declaration of each ref only, in reading order. */
  entities: ProcessedEntity[];
  problems: CatalogProblem[];
  /** Location refs (`file:/abs/path`, `url:https://...`) of every descriptor and placeholder file read. */
  files: string[];
}

export { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION } from "../model/entity.ts";

const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_ALIASES = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
const FOLDER_PATTERN = "**/catalog-info.y?(a)ml";
const GLOB_IGNORE = ["**/node_modules/**", "**/.git/**"];

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
 * `**\/catalog-info.y?(a)ml` below it.
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
  private readonly files: string[] = [];
  private readonly readKeys = new Set<string>();
  private readonly declared = new Map<string, { location: string; line: number }>();
  private readonly textCache = new Map<string, Promise<string>>();
  /** Files read and parsed ahead, in reading order, while earlier ones are still being validated. */
  private readonly parsedAhead = new Map<string, Promise<ParsedDocument[] | undefined>>();
  private readonly source: SourceOptions;
  private readonly maxAliases: number;
  private readonly allowedHosts: string[];
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
    this.maxAliases = options.maxAliases ?? DEFAULT_MAX_ALIASES;
  }

  result(): ReadResult {
    return { entities: this.entities, problems: this.problems, files: this.files };
  }

  async readRoot(target: string): Promise<void> {
    const root = await this.rootSpec(target);
    if (!root) return;
    this.origin = stringifyLocation(root);
    await this.readSpec(root, [], undefined, false);
  }

  private async rootSpec(target: string): Promise<LocationSpec | undefined> {
    const trimmed = target.trim();
    if (/^url:/i.test(trimmed) || /^https?:\/\//i.test(trimmed)) {
      const url = trimmed.replace(/^url:/i, "");
      if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
        this.problem({
          location: trimmed,
          message: `"${url}" is not an http(s) URL; write url:https://host/path`,
        });
        return undefined;
      }
      // The operator named this URL, so its host is trusted; others must be listed.
      this.allowedHosts.push(new URL(url).host.toLowerCase());
      return { type: "url", target: new URL(url).href };
    }
    const path = resolve(trimmed.replace(/^file:/i, ""));
    if (isDynamicPattern(path)) return { type: "file", target: path };
    try {
      if (!(await stat(path)).isDirectory()) return { type: "file", target: path };
    } catch {
      this.problem({ location: `file:${path}`, message: `${path} does not exist` });
      return undefined;
    }
    for (const name of ["catalog-info.yaml", "catalog-info.yml"]) {
      const candidate = join(path, name);
      if (await isFile(candidate)) return { type: "file", target: candidate };
    }
    return { type: "file", target: join(path, FOLDER_PATTERN) };
  }

  /** Reads one location spec (expanding a file glob), with `ancestors` being the chain of files that led here. */
  private async readSpec(
    spec: LocationSpec,
    ancestors: string[],
    referrer: Referrer | undefined,
    optional: boolean,
  ): Promise<void> {
    if (spec.type === "file" && isDynamicPattern(spec.target)) {
      const matches = await expandGlob(spec.target);
      if (matches.length === 0 && !optional) {
        this.missing(spec, referrer, `no file matches ${spec.target}`);
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
      if (error instanceof SourceError && error.code === "not-found") {
        if (!optional) this.missing(spec, referrer, error.message);
        return;
      }
      this.problem({ location: key, message: (error as Error).message });
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
      pending = readSource(spec, this.source);
      this.textCache.set(key, pending);
      pending.then(
        () => this.files.push(key),
        () => undefined,
      );
    }
    return pending;
  }

  private missing(spec: LocationSpec, referrer: Referrer | undefined, reason: string): void {
    const key = stringifyLocation(spec);
    if (!referrer) {
      this.problem({ location: key, message: reason });
      return;
    }
    this.problem({
      ...referrer,
      message: `${referrer.field} of ${referrer.ref} points at ${key}, but ${reason}; fix the target or set spec.presence: optional`,
    });
  }

  private problem(problem: CatalogProblem): void {
    const clean: CatalogProblem = { location: problem.location, message: problem.message };
    if (problem.line !== undefined) clean.line = problem.line;
    if (problem.ref !== undefined) clean.ref = problem.ref;
    if (problem.field !== undefined && problem.field !== "") clean.field = problem.field;
    this.problems.push(clean);
  }
}

/**
 * Resolves a Location target like Backstage's LocationEntityProcessor: relative targets resolve against
 * the Location's own file or URL. A URL-hosted descriptor may not point at local files: remote content
 * must never make the bot read its own disk.
 */
function resolveTarget(type: string, target: string, base: LocationSpec): LocationSpec | { error: string } {
  if (type === "file") {
    if (base.type !== "file") return { error: "a Location read from a URL cannot point at local files" };
    const path = target.replace(/^file:/i, "");
    return { type: "file", target: isAbsolute(path) ? path : resolve(dirname(base.target), path) };
  }
  if (type === "url") {
    if (isDynamicPattern(target)) return { error: "glob targets are only supported for file locations" };
    if (base.type === "url") {
      return URL.canParse(target, base.target)
        ? { type: "url", target: new URL(target, base.target).href }
        : { error: `cannot be resolved against ${base.target}` };
    }
    if (/^https?:\/\//i.test(target) && URL.canParse(target))
      return { type: "url", target: new URL(target).href };
    return { error: "a url location needs an absolute http(s) URL here" };
  }
  return { error: `location type "${type}" is not supported by Callboard (supported: file, url); skipped` };
}

/** Expands an absolute glob from its longest static folder, skipping node_modules and .git. */
async function expandGlob(pattern: string): Promise<string[]> {
  const segments = pattern.split(sep);
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  const cwd = segments.slice(0, firstDynamic).join(sep) || sep;
  const relative = segments.slice(firstDynamic).join("/");
  const matches = await glob(relative, {
    cwd,
    absolute: true,
    onlyFiles: true,
    ignore: GLOB_IGNORE,
    expandDirectories: false,
  });
  return matches.map((match) => resolve(match)).sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `example.com` matches itself (any port unless one is given); `*.example.com` matches its subdomains. */
function hostMatches(pattern: string, host: string): boolean {
  const hostname = host.replace(/:\d+$/, "");
  if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
  return pattern.includes(":") ? pattern === host : pattern === hostname;
}
