/**
 * Built sites persisted as files under the data folder, not in the database: `<dir>/<ns>/<kind>/<name>/`
 * holds `site.json` (the built model and what the next build needs to skip work), `search/search_index.json`
 * (mkdocs' format, for Backstage) and `assets/<sha256>` (images, stored by content). A built site is
 * derived state, rebuilt from its sources when lost; as files it is the static output TechDocs itself
 * publishes, it is read once at start-up (50 sites in milliseconds), and a rebuild writes one file, never a
 * transaction over thousands of rows. Writes go to a temporary file renamed into place, so a crash leaves
 * the previous build, never half of one.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { SiteKey } from "./model.ts";
import type { SiteRecord } from "./site/site-builder.ts";
import { mkdocsSearchIndex } from "./site/search-index-json.ts";

const VERSION = 1;
const HASH = /^[0-9a-f]{64}$/;

export class DocsStore {
  constructor(
    private readonly dir: string,
    private readonly log?: Logger,
  ) {}

  private folder(key: SiteKey): string {
    const seg = (s: string) =>
      encodeURIComponent(s.toLowerCase()).replace(/^\.+$/, (dots) => "%2E".repeat(dots.length));
    return join(this.dir, seg(key.namespace), seg(key.kind), seg(key.name));
  }

  /** Every stored site; one that cannot be read is skipped (and rebuilt from its sources). */
  async loadAll(): Promise<SiteRecord[]> {
    const records: SiteRecord[] = [];
    for (const ns of await list(this.dir)) {
      for (const kind of await list(join(this.dir, ns))) {
        for (const name of await list(join(this.dir, ns, kind))) {
          const file = join(this.dir, ns, kind, name, "site.json");
          try {
            const stored = JSON.parse(await readFile(file, "utf8")) as {
              version: number;
              record: SiteRecord;
            };
            if (stored.version === VERSION && stored.record?.site?.pages) records.push(stored.record);
          } catch (error) {
            this.log?.warn(
              { file, err: (error as Error).message },
              "stored docs site could not be read; it will be rebuilt",
            );
          }
        }
      }
    }
    return records;
  }

  /** Write new assets, the search index, then the site (last, so it never names an asset not yet written). */
  async save(record: SiteRecord, newAssets: Map<string, Buffer>): Promise<void> {
    const folder = this.folder(record.site.key);
    await mkdir(join(folder, "assets"), { recursive: true });
    await mkdir(join(folder, "search"), { recursive: true });
    for (const [hash, body] of newAssets) await atomicWrite(join(folder, "assets", hash), body);
    await atomicWrite(
      join(folder, "search", "search_index.json"),
      JSON.stringify(mkdocsSearchIndex(record.site)),
    );
    await atomicWrite(join(folder, "site.json"), JSON.stringify({ version: VERSION, record }));
    // Assets no page refers to any more.
    const used = new Set(Object.values(record.site.assets).map((a) => a.hash));
    for (const name of await list(join(folder, "assets"))) {
      if (HASH.test(name) && !used.has(name)) await rm(join(folder, "assets", name), { force: true });
    }
  }

  async remove(key: SiteKey): Promise<void> {
    await rm(this.folder(key), { recursive: true, force: true });
  }

  async readAsset(key: SiteKey, hash: string): Promise<Buffer | undefined> {
    if (!HASH.test(hash)) return undefined;
    try {
      return await readFile(join(this.folder(key), "assets", hash));
    } catch {
      return undefined;
    }
  }

  async readSearchIndex(key: SiteKey): Promise<string | undefined> {
    try {
      return await readFile(join(this.folder(key), "search", "search_index.json"), "utf8");
    } catch {
      return undefined;
    }
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

let counter = 0;
async function atomicWrite(path: string, body: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  await writeFile(temp, body);
  await rename(temp, path);
}
