/**
 * What one TechDocs site is made of on disk: its mkdocs config, the monorepo sub-sites it includes, and the
 * pages and images in each docs_dir. Every path is confined: the docs_dir and includes to the site's folder,
 * pages and images to their docs_dir, after symlinks are resolved. Files past the size or count limits are
 * refused with a note, never read.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, isAbsolute, join, posix, relative, sep } from "node:path";
import { glob } from "tinyglobby";
import { ASSET_TYPES, LIMITS, type BuildNote } from "../model.ts";
import { MkdocsConfigError, parseMkdocsConfig, type MkdocsConfig, type NavEntry } from "./mkdocs-config.ts";

/** The site root or one included sub-site. */
export interface SitePart {
  /** "" for the root; the included site_name (its URL prefix) otherwise. */
  prefix: string;
  config: MkdocsConfig;
  /** The config file, relative to the site's folder (for notes). */
  configFile: string;
  configText: string;
  docsDirReal: string;
  /** docs_dir relative to the site's folder, posix (for notes and edit links). */
  docsDir: string;
}

export interface SourceFile {
  /** Path within the built site: `<prefix>/<path in its docs_dir>` (posix). */
  path: string;
  real: string;
  kind: "page" | "asset";
  size: number;
  mtimeMs: number;
  /** The part it belongs to ("" root) and its path within that part's docs_dir. */
  part: string;
  local: string;
}

export interface ScannedSite {
  root: string;
  parts: SitePart[];
  /** Include nav entries of the root config and the part each resolved to (none when it was skipped). */
  includes: Map<NavEntry, SitePart[]>;
  files: SourceFile[];
  notes: BuildNote[];
}

/** Why a site has no sources to build; the message names the file or folder and what to do. */
export class DocsSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DocsSourceError";
  }
}

const CONFIG_NAMES = ["mkdocs.yaml", "mkdocs.yml"];
const PAGE = /\.(md|markdown)$/i;
/** A site_name used as a URL prefix must be one path segment. */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;

export function inside(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/*
 * The scan uses the synchronous file calls on purpose. It runs for every site on every sync, mostly to find
 * that nothing changed: a stat per file. Through fs/promises each call is a thread-pool round trip costing
 * ~0.1 ms of CPU (measured: 2,000 sequential lstat calls 190-280 ms of CPU, lstatSync 7-19 ms), which made
 * the nothing-changed check of 50 sites cost more than half a second. A site's folder is a local checkout;
 * its few dozen stats hold the event loop for well under a millisecond.
 */
function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Parsed configs by file name and text, so a site whose mkdocs.yml did not change is not parsed again on
 * every check (the text is still read: it is small, and its hash decides whether the site changed). Frozen,
 * as every build that finds the same text shares the object. Bounded: the oldest entry goes first.
 */
const parsedConfigs = new Map<string, MkdocsConfig>();
const PARSED_CONFIGS_KEPT = 1000;

function parseConfigOnce(text: string, file: string, allowIncludes: boolean): MkdocsConfig {
  const key = `${allowIncludes ? 1 : 0}\0${file}\0${text}`;
  const known = parsedConfigs.get(key);
  if (known) return known;
  const config = deepFreeze(parseMkdocsConfig(text, file, { allowIncludes }));
  if (parsedConfigs.size >= PARSED_CONFIGS_KEPT) parsedConfigs.delete(parsedConfigs.keys().next().value!);
  parsedConfigs.set(key, config);
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Read a site's config, includes and file list (no page is read here beyond the configs). */
export async function scanSite(root: string): Promise<ScannedSite> {
  const rootReal = realOrUndefined(root);
  if (!rootReal)
    throw new DocsSourceError(`the docs folder ${root} does not exist; check backstage.io/techdocs-ref`);
  const notes: BuildNote[] = [];
  const main = readPart(rootReal, rootReal, "", true);
  const parts = [main];
  const includes = new Map<NavEntry, SitePart[]>();
  const prefixes = new Set<string>();
  for (const entry of includeEntries(main.config.nav ?? [])) {
    if (entry.type !== "include") continue;
    const resolved: SitePart[] = [];
    for (const file of await includedFiles(rootReal, entry, notes, main.configFile)) {
      try {
        const part = readPart(rootReal, join(rootReal, posix.dirname(file)), file, false);
        const prefix = part.config.siteName;
        if (!PREFIX.test(prefix) || prefix === "." || prefix === "..") {
          notes.push(
            note(
              "warning",
              `the included site_name "${prefix}" cannot be a URL prefix (one path segment of letters, digits, ".", "_", "-" or spaces); skipped`,
              file,
            ),
          );
          continue;
        }
        if (prefixes.has(prefix)) {
          notes.push(
            note("warning", `two included sites are both named "${prefix}"; the second is skipped`, file),
          );
          continue;
        }
        prefixes.add(prefix);
        part.prefix = prefix;
        parts.push(part);
        resolved.push(part);
      } catch (error) {
        if (!(error instanceof MkdocsConfigError || error instanceof DocsSourceError)) throw error;
        notes.push(note("warning", `the included site was skipped: ${error.message}`, file));
      }
    }
    includes.set(entry, resolved);
  }
  const files: SourceFile[] = [];
  for (const part of parts) listDocs(part, files, notes);
  return { root: rootReal, parts, includes, files, notes };
}

function* includeEntries(entries: NavEntry[]): Iterable<NavEntry> {
  for (const entry of entries) {
    if (entry.type === "section") yield* includeEntries(entry.children);
    else yield entry;
  }
}

async function includedFiles(
  rootReal: string,
  entry: NavEntry & { type: "include" },
  notes: BuildNote[],
  configFile: string,
): Promise<string[]> {
  const pattern = posix.normalize(entry.pattern.replace(/\\/g, "/"));
  if (
    isAbsolute(entry.pattern) ||
    pattern === ".." ||
    pattern.startsWith("../") ||
    entry.pattern.includes("\0")
  ) {
    notes.push(
      note(
        "warning",
        `\`!include ${entry.pattern}\` leaves the site's folder; skipped`,
        configFile,
        entry.line,
      ),
    );
    return [];
  }
  const found = entry.glob
    ? (await glob(pattern, { cwd: rootReal, onlyFiles: true, followSymbolicLinks: false, deep: 6 })).sort()
    : [pattern];
  const files: string[] = [];
  for (const file of found.slice(0, 100)) {
    const real = realOrUndefined(join(rootReal, file));
    if (!real) {
      notes.push(
        note(
          "warning",
          `\`!include ${entry.pattern}\`: ${file} does not exist; skipped`,
          configFile,
          entry.line,
        ),
      );
    } else if (!inside(rootReal, real)) {
      notes.push(
        note(
          "warning",
          `\`!include ${entry.pattern}\` leads outside the site's folder (symlink); skipped`,
          configFile,
          entry.line,
        ),
      );
    } else {
      files.push(posix.normalize(file));
    }
  }
  return files;
}

function readPart(rootReal: string, folder: string, configFile: string, isRoot: boolean): SitePart {
  let file = configFile;
  if (isRoot) {
    for (const name of CONFIG_NAMES) {
      if (realOrUndefined(join(folder, name))) {
        file = name;
        break;
      }
    }
    if (!file)
      throw new DocsSourceError(
        `${folder} has no mkdocs.yml or mkdocs.yaml; add one with \`site_name:\` and \`nav:\``,
      );
  }
  const real = realOrUndefined(join(rootReal, file));
  if (!real || !inside(rootReal, real)) throw new DocsSourceError(`${file} leads outside the site's folder`);
  const info = statSync(real);
  if (info.size > LIMITS.configBytes)
    throw new MkdocsConfigError(file, undefined, `is larger than ${LIMITS.configBytes / 1024} KiB`);
  const text = readFileSync(real, "utf8");
  const config = parseConfigOnce(text, file, isRoot);
  const docsDir = posix.normalize(posix.join(posix.dirname(file), config.docsDir));
  const docsDirReal = realOrUndefined(join(rootReal, docsDir));
  if (!docsDirReal) {
    throw new DocsSourceError(
      `${file}: docs_dir "${config.docsDir}" does not exist; create ${docsDir}/index.md`,
    );
  }
  if (!inside(rootReal, docsDirReal))
    throw new DocsSourceError(`${file}: docs_dir "${config.docsDir}" leads outside the site's folder`);
  return { prefix: "", config, configFile: file, configText: text, docsDirReal, docsDir };
}

function listDocs(part: SitePart, files: SourceFile[], notes: BuildNote[]): void {
  const seen = new Set<string>([part.docsDirReal]);
  const queue: Array<{ real: string; local: string }> = [{ real: part.docsDirReal, local: "" }];
  const where = (local: string) => posix.join(part.docsDir, local);
  while (queue.length > 0) {
    const dir = queue.shift()!;
    let entries;
    try {
      entries = readdirSync(dir.real, { withFileTypes: true });
    } catch {
      notes.push(note("warning", "could not be read; skipped", where(dir.local)));
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // Hidden files and folders are not published (mkdocs skips them too).
      if (entry.name.startsWith(".")) continue;
      const local = dir.local ? `${dir.local}/${entry.name}` : entry.name;
      const named = join(dir.real, entry.name);
      let real = named;
      if (entry.isSymbolicLink()) {
        const target = realOrUndefined(named);
        if (!target || !inside(part.docsDirReal, target)) {
          notes.push(
            note("warning", "is a link that leads outside the docs folder; not published", where(local)),
          );
          continue;
        }
        real = target;
      }
      const info = real === named ? lstatSync(named) : statSync(real);
      if (info.isDirectory()) {
        if (!seen.has(real)) {
          seen.add(real);
          queue.push({ real, local });
        }
        continue;
      }
      if (!info.isFile()) continue;
      const isPage = PAGE.test(entry.name);
      if (!isPage && !ASSET_TYPES[extname(entry.name).toLowerCase()]) continue;
      if (files.length >= LIMITS.filesPerSite) {
        notes.push(
          note(
            "warning",
            `the site has more than ${LIMITS.filesPerSite} pages and images; the rest is not published`,
            where(local),
          ),
        );
        return;
      }
      const limit = isPage ? LIMITS.pageBytes : LIMITS.assetBytes;
      if (info.size > limit) {
        notes.push(
          note(
            "warning",
            `is ${Math.ceil(info.size / 1024)} KiB, over the ${limit / 1024} KiB limit for ${isPage ? "a page" : "an image or file"}; not published`,
            where(local),
          ),
        );
        continue;
      }
      files.push({
        path: part.prefix ? `${part.prefix}/${local}` : local,
        real,
        kind: isPage ? "page" : "asset",
        size: info.size,
        mtimeMs: info.mtimeMs,
        part: part.prefix,
        local,
      });
    }
  }
}

export function note(level: BuildNote["level"], message: string, file?: string, line?: number): BuildNote {
  return { level, message, ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) };
}
