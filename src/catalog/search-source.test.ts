import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../db/open-database.ts";
import { EmbeddedSearchIndex } from "../search/embedded-index.ts";
import { SearchIndexing } from "../search/indexing.ts";
import { parseSearchText } from "../search/query-text.ts";
import { CatalogService } from "./catalog-service.ts";
import { CatalogGraph } from "./graph/catalog-graph.ts";
import { readLocation } from "./ingest/read-location.ts";
import { canonicalOwnerRef, catalogIndexSource } from "./search-source.ts";
import { PrismaCatalogStore } from "./store/prisma-catalog-store.ts";

const log = pino({ level: "silent" });

describe("owners typed in a search, read as catalog refs", () => {
  const owners = (text: string) => parseSearchText(text, { ownerRef: canonicalOwnerRef }).filters?.owner;

  it("takes a bare name for a group in the default namespace", () => {
    expect(owners("kafka owner:team-payments")).toEqual(["group:default/team-payments"]);
  });

  it("keeps owners that name their kind or namespace", () => {
    expect(owners("owner:user:jane")).toEqual(["user:default/jane"]);
    expect(owners("owner:group:ops/sre")).toEqual(["group:ops/sre"]);
  });
});

describe("the catalog as an index source", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("gives the index every entity, and each import's and removal's change as it is stored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-source-"));
    dirs.push(dir);
    const db = await openDatabase({ sqlitePath: join(dir, "callboard.db"), log });
    const index = new EmbeddedSearchIndex(":memory:");
    try {
      const catalog = new CatalogService({
        store: new PrismaCatalogStore(db),
        graph: new CatalogGraph(),
        read: (target) => readLocation(target),
        log,
      });
      const file = join(dir, "catalog-info.yaml");
      writeFileSync(
        file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: zeppelin-booking\n" +
          "  description: Books airships.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-air\n",
      );
      await catalog.importLocation(file);
      await catalog.load();

      const indexing = new SearchIndexing(index, () => [catalogIndexSource(catalog)]);
      expect(await indexing.start()).toBe(1);
      const hit = (await index.search({ q: "airships" })).hits[0];
      expect([hit?.id, hit?.owner]).toEqual(["component:default/zeppelin-booking", "group:default/team-air"]);

      writeFileSync(file, readFileSync(file, "utf8").replace("airships", "blimps"));
      await catalog.importLocation(file);
      expect((await index.search({ q: "blimps" })).hits.map((h) => h.id)).toEqual([
        "component:default/zeppelin-booking",
      ]);
      expect((await index.search({ q: "airships" })).hits).toEqual([]);
      // What the index records is what a restart expects: it will not rebuild.
      expect(await index.fingerprint()).toBe(indexing.fingerprint());

      await catalog.removeLocation(file);
      expect((await index.search({ q: "blimps" })).hits).toEqual([]);
      expect(await index.fingerprint()).toBe(indexing.fingerprint());
    } finally {
      await index.close();
      await db.close();
    }
  });
});
