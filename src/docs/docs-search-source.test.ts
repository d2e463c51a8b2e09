import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IndexChange } from "../search/search-index.ts";
import { MemoryDocsLibrary } from "./docs-library.ts";
import { docsIndexSource } from "./docs-search-source.ts";
import { DocsStore } from "./docs-store.ts";
import { BuildPool } from "./site/build-pool.ts";
import { MkdocsConfigError } from "./site/mkdocs-config.ts";
import { SiteBuilder, type SiteInput } from "./site/site-builder.ts";

let builder: SiteBuilder;
const dirs: string[] = [];
beforeAll(async () => {
  builder = await SiteBuilder.create();
});
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "docs-src-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const input = (root: string): SiteInput => ({
  entityRef: "component:default/svc",
  key: { namespace: "default", kind: "component", name: "svc" },
  root,
  owner: "group:default/team-a",
  entityTitle: "Svc",
});

describe("docs store and library", () => {
  it("persists a site with its assets and search index, reads it back, and skips a corrupt file", async () => {
    const root = tree({
      "mkdocs.yml": "site_name: Svc\n",
      "docs/index.md": "# Svc\n\n![x](img/x.png)\n\n## Rotate keys\n\nMonthly.\n",
      "docs/img/x.png": "PNG",
    });
    const data = tree({});
    const store = new DocsStore(join(data, "docs"));
    const result = await builder.build(input(root));
    await store.save(result.record, result.newAssets);
    const library = new MemoryDocsLibrary(store);
    for (const record of await store.loadAll()) library.put(record, true);
    const key = { namespace: "default", kind: "component", name: "svc" };
    expect(library.getPage(key, "")?.title).toBe("Svc");
    expect(library.getPage(key, "index.html")?.title).toBe("Svc");
    const asset = await library.getAsset(key, "img/x.png");
    expect(asset?.body.toString()).toBe("PNG");
    expect(asset?.asset.contentType).toBe("image/png");
    expect(await library.getAsset(key, "../../site.json")).toBeUndefined();
    const index = JSON.parse(
      readFileSync(join(data, "docs/default/component/svc/search/search_index.json"), "utf8"),
    );
    expect(index.config.lang).toEqual(["en"]);
    expect(index.docs).toContainEqual({ location: "#rotate-keys", title: "Rotate keys", text: "Monthly." });
    expect(JSON.parse(library.getSearchIndex(key)!)).toEqual(index);

    writeFileSync(join(data, "docs/default/component/svc/site.json"), "{ not json");
    expect(await store.loadAll()).toEqual([]);
  });
});

describe("docs index source", () => {
  it("indexes one document per section with deep links, and pushes only the changed page's sections", async () => {
    const root = tree({
      "mkdocs.yml": "site_name: Svc\n",
      "docs/index.md": "# Svc\n\nIntro.\n\n## Rotate keys\n\nMonthly.\n",
      "docs/other.md": "# Other\n\n## Alpha\n\nA.\n\n## Beta\n\nB.\n",
    });
    const store = new DocsStore(join(tree({}), "docs"));
    const library = new MemoryDocsLibrary(store);
    const first = await builder.build(input(root));
    library.put(first.record, true);
    const source = docsIndexSource(library, "https://cb.example");
    const docs = source.documents() as Array<{
      id: string;
      url?: string;
      title: string;
      owner?: string;
      type: string;
    }>;
    expect(docs.map((d) => d.id).sort()).toEqual([
      "component:default/svc##rotate-keys",
      "component:default/svc##svc",
      "component:default/svc#other/#alpha",
      "component:default/svc#other/#beta",
      "component:default/svc#other/#other",
    ]);
    expect(docs.find((d) => d.id.endsWith("#rotate-keys"))).toMatchObject({
      type: "doc",
      url: "https://cb.example/docs/default/component/svc/#rotate-keys",
      owner: "group:default/team-a",
      title: "Rotate keys",
    });
    const fingerprint = [...source.fingerprintItems()];
    expect(fingerprint).toHaveLength(5);

    const changes: IndexChange[] = [];
    source.connect!({ apply: async (change) => void changes.push(change), stage: () => undefined });
    writeFileSync(join(root, "docs/other.md"), "# Other\n\n## Alpha\n\nA changed.\n");
    utimesSync(join(root, "docs/other.md"), new Date(), new Date(Date.now() + 5000));
    const second = await builder.build(input(root), first.record);
    library.put(second.record);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.delete).toEqual(["component:default/svc#other/#beta"]);
    expect(changes[0]!.upsert.map((d) => d.id).sort()).toEqual([
      "component:default/svc#other/#alpha",
      "component:default/svc#other/#other",
    ]);
    library.remove("component:default/svc");
    expect(changes[1]!.delete).toHaveLength(4);
  });
});

describe("BuildPool", () => {
  it("builds on a worker thread and brings back config errors as the builder's own", async () => {
    const pool = new BuildPool(1);
    try {
      const ok = tree({ "mkdocs.yml": "site_name: Svc\n", "docs/index.md": "# Svc\n", "docs/a.png": "PNG" });
      const result = await pool.build(input(ok));
      expect(result.record.site.pages[""]?.title).toBe("Svc");
      expect([...result.newAssets.values()][0]?.toString()).toBe("PNG");
      const bad = tree({ "mkdocs.yml": "site_name: X\ndocs_dir: /etc\n" });
      const error = await pool.build(input(bad)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MkdocsConfigError);
      expect((error as Error).message).toMatch(/^mkdocs\.yml, line 2:/);
    } finally {
      await pool.close();
    }
  });
});
