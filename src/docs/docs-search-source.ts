/**
 * Doc sections as an index source: one search document per section of every built page, with a deep link to
 * its anchor, so `search` and `docs <question>` find them beside entities. Its fingerprint part is each
 * section's id and a hash of what its document is made of; changes are pushed per site as builds finish.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { IndexSource } from "../search/indexing.ts";
import type { SearchDocument } from "../search/search-index.ts";
import type { MemoryDocsLibrary } from "./docs-library.ts";
import { sitePath, type BuiltPage, type BuiltSite, type DocSection } from "./model.ts";

/** `<entity ref>#<page path>#<anchor>`: unique per section, and readable in logs. */
export function sectionId(site: BuiltSite, page: BuiltPage, section: DocSection): string {
  return `${site.entityRef}#${page.path}#${section.anchor}`;
}

export function sectionUrl(baseUrl: string, site: BuiltSite, page: BuiltPage, anchor: string): string {
  return `${baseUrl}${sitePath(site.key, page.path)}${anchor ? `#${anchor}` : ""}`;
}

export function siteDocuments(site: BuiltSite, baseUrl: string): SearchDocument[] {
  const [kind, rest] = [
    site.entityRef.slice(0, site.entityRef.indexOf(":")),
    site.entityRef.slice(site.entityRef.indexOf(":") + 1),
  ];
  const name = rest.slice(rest.indexOf("/") + 1);
  const documents: SearchDocument[] = [];
  for (const page of Object.values(site.pages)) {
    for (const section of page.sections) {
      const doc: SearchDocument = {
        id: sectionId(site, page, section),
        type: "doc",
        ref: site.entityRef,
        kind,
        name,
        title: section.anchor === "" ? page.title : section.heading,
        text: section.text,
        tags: [],
        namespace: site.key.namespace,
        url: sectionUrl(baseUrl, site, page, section.anchor),
        section: section.anchor,
      };
      if (site.owner) doc.owner = site.owner;
      documents.push(doc);
    }
  }
  return documents;
}

function siteHashes(site: BuiltSite, baseUrl: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const common = `${baseUrl}\0${site.owner ?? ""}\0${site.entityRef}`;
  for (const page of Object.values(site.pages)) {
    // A page's hash covers its source; its title can change with the nav (the config is in the site hash).
    const pageHash = createHash("sha256")
      .update(`${common}\0${page.hash}\0${page.title}\0${site.siteName}`)
      .digest("hex");
    for (const section of page.sections) hashes.set(sectionId(site, page, section), pageHash);
  }
  return hashes;
}

export interface DocsIndexSource extends IndexSource {
  /** Resolves when every change pushed so far is written (shutdown waits for it before closing the index). */
  flush(): Promise<void>;
}

export function docsIndexSource(library: MemoryDocsLibrary, baseUrl: string, log?: Logger): DocsIndexSource {
  const writing = new Set<Promise<void>>();
  /** What the index was last given for each site: document id → hash. */
  const indexed = new Map<string, Map<string, string>>();
  const current = (site: BuiltSite) => {
    let hashes = indexed.get(site.entityRef);
    if (!hashes) {
      hashes = siteHashes(site, baseUrl);
      indexed.set(site.entityRef, hashes);
    }
    return hashes;
  };
  return {
    id: "docs",
    flush: async () => {
      await Promise.all([...writing]);
    },
    documents: () => library.listSites().flatMap((site) => siteDocuments(site, baseUrl)),
    *fingerprintItems() {
      for (const site of library.listSites()) {
        for (const [id, hash] of current(site)) yield { id, hash };
      }
    },
    connect(updates) {
      library.subscribe((change) => {
        const remove: string[] = [];
        const upsert: SearchDocument[] = [];
        for (const ref of change.removed) {
          remove.push(...(indexed.get(ref)?.keys() ?? []));
          indexed.delete(ref);
        }
        for (const ref of change.changed) {
          const site = library.getSite(ref);
          if (!site) continue;
          const before = indexed.get(site.entityRef) ?? new Map<string, string>();
          const after = siteHashes(site, baseUrl);
          indexed.set(site.entityRef, after);
          for (const id of before.keys()) if (!after.has(id)) remove.push(id);
          const changedIds = new Set(
            [...after].filter(([id, hash]) => before.get(id) !== hash).map(([id]) => id),
          );
          if (changedIds.size > 0)
            upsert.push(...siteDocuments(site, baseUrl).filter((d) => changedIds.has(d.id)));
        }
        if (remove.length > 0 || upsert.length > 0) {
          const write = updates
            .apply({ delete: remove, upsert })
            .catch((error: unknown) => log?.error({ err: error }, "doc sections could not be indexed"))
            .finally(() => writing.delete(write));
          writing.add(write);
        }
      });
    },
  };
}
