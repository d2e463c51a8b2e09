/**
 * Re-imports with files unchanged: their outcome is taken from the last import's file records instead of being
 * parsed again (file-memo.ts), and every change that matters is still seen: a file's own content, a `$text`
 * target's, a file a Location points at, a file that is gone. Over a real SQLite file, through readLocation.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/open-database.ts";
import { CatalogService, type LocationRead } from "./catalog-service.ts";
import { CatalogGraph } from "./graph/catalog-graph.ts";
import { contentVersion } from "./ingest/file-memo.ts";
import { readLocation } from "./ingest/read-location.ts";
import { PrismaCatalogStore } from "./store/prisma-catalog-store.ts";

const log = pino({ level: "silent" });

const component = (name: string, owner = "team-a", extra = "") =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n${extra}spec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;
const location = (...targets: string[]) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [${targets.join(", ")}]\n`;

describe("re-importing unchanged files", () => {
  let dir: string;
  let db: Database;
  let graph: CatalogGraph;
  let service: CatalogService;
  let last: LocationRead;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "cb-unchanged-"));
    db = await openDatabase({ sqlitePath: join(dir, "data", "callboard.db"), log });
    graph = new CatalogGraph();
    service = new CatalogService({
      store: new PrismaCatalogStore(db),
      graph,
      read: async (target, previous) => {
        last = await readLocation(target, { parallel: false, ...(previous ? { previous } : {}) });
        return last;
      },
      log,
    });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, "cat", name)), { recursive: true });
    writeFileSync(join(dir, "cat", name), text);
  };
  const root = () => join(dir, "cat", "catalog-info.yaml");
  /** The entity objects memory holds now, to tell after an import which the reader took over unparsed. */
  const held = () => new Map([...graph.entities()].map(({ ref, entity }) => [ref, entity]));
  /** Refs of the last read whose entity is the very object memory held before (a parse makes new ones). */
  const reused = (before: Map<string, unknown>) =>
    last.entities.filter((e) => e.entity === before.get(e.ref)).map((e) => e.ref);
  const parsed = (before: Map<string, unknown>) =>
    last.entities.filter((e) => e.entity !== before.get(e.ref)).map((e) => e.ref);

  it("takes every entity of unchanged files over unparsed, with the same problems, notes and files", async () => {
    write("catalog-info.yaml", location("./a.yaml", "./b.yaml"));
    write("a.yaml", [component("payments"), component("ledger")].join("---\n"));
    // A broken document and an entity with a bad relation: their problems must come back without a parse.
    write("b.yaml", [component("billing", "group:"), "kind: [unclosed\n"].join("---\n"));
    const first = await service.importLocation(root());
    expect(first.added).toHaveLength(3);
    expect(first.problems.length).toBeGreaterThan(1);
    const before = held();

    const second = await service.importLocation(root());
    expect(second).toMatchObject({ added: [], updated: [], removed: [], unchanged: 3 });
    expect(second.problems).toEqual(first.problems);
    expect(second.notes).toEqual(first.notes);
    expect(new Set(second.files)).toEqual(new Set(first.files));
    expect(parsed(before)).toEqual([]);
    expect(reused(before).sort()).toEqual([...before.keys()].sort());
  });

  it("sees a changed $text target although the file naming it is unchanged", async () => {
    write("catalog-info.yaml", component("payments", "team-a", "  description:\n    $text: ./desc.txt\n"));
    write("desc.txt", "Takes payments.");
    await service.importLocation(root());
    expect(graph.get("component:default/payments")?.metadata.description).toBe("Takes payments.");

    write("desc.txt", "Takes payments and refunds.");
    const report = await service.importLocation(root());
    expect(report.updated).toEqual(["component:default/payments"]);
    expect(graph.get("component:default/payments")?.metadata.description).toBe("Takes payments and refunds.");

    // A target that disappears is a problem again, not a replayed success.
    unlinkSync(join(dir, "cat", "desc.txt"));
    const gone = await service.importLocation(root());
    expect(gone.problems.map((p) => p.field)).toEqual(["metadata.description"]);
  });

  it("sees a changed file behind an unchanged Location, and re-parses only that file", async () => {
    write("catalog-info.yaml", location("./a.yaml", "./b.yaml"));
    write("a.yaml", component("payments"));
    write("b.yaml", component("billing"));
    await service.importLocation(root());

    write("b.yaml", component("billing", "team-b"));
    const before = held();
    const report = await service.importLocation(root());
    expect(report.updated).toEqual(["component:default/billing"]);
    expect(graph.owners("component:default/billing")).toEqual(["group:default/team-b"]);
    expect(parsed(before)).toEqual(["component:default/billing"]);
    expect(reused(before).sort()).toEqual(["component:default/payments", "location:default/root"]);
  });

  it("removes the entities of a file that is gone, and of a target no longer listed", async () => {
    // A folder without a catalog-info.yaml of its own is read as every catalog-info.yaml below it.
    const folder = join(dir, "org");
    const put = (name: string, text: string) => {
      mkdirSync(dirname(join(folder, name)), { recursive: true });
      writeFileSync(join(folder, name), text);
    };
    put("one/catalog-info.yaml", component("payments"));
    put("two/catalog-info.yaml", [component("billing"), location("./extra.yaml")].join("---\n"));
    put("two/extra.yaml", component("invoices"));
    await service.importLocation(folder);
    expect(graph.has("component:default/invoices")).toBe(true);

    unlinkSync(join(folder, "one", "catalog-info.yaml"));
    const gone = await service.importLocation(folder);
    expect(gone.removed).toEqual(["component:default/payments"]);
    expect(gone.problems).toEqual([]);

    put("two/catalog-info.yaml", [component("billing"), location()].join("---\n"));
    const unlisted = await service.importLocation(folder);
    expect(unlisted.removed).toEqual(["component:default/invoices"]);
    expect(graph.has("component:default/invoices")).toBe(false);
  });

  it("parses a file again when memory no longer holds what its record gave", async () => {
    write("catalog-info.yaml", component("payments"));
    await service.importLocation(root());
    // Another process (or a bug) changed the entity memory holds: its hash no longer matches the record.
    const held = graph.get("component:default/payments")!;
    const fresh = new CatalogGraph();
    const other = new CatalogService({
      store: new PrismaCatalogStore(db),
      graph: fresh,
      read: async (target, previous) => {
        last = await readLocation(target, { parallel: false, ...(previous ? { previous } : {}) });
        return last;
      },
      log,
    });
    // A replica that loaded nothing holds no entity: the record cannot stand in, so the file is read.
    const report = await other.importLocation(root());
    expect(report.problems).toEqual([]);
    expect(last.entities.map((e) => e.entity === held)).toEqual([false]);
    expect(fresh.has("component:default/payments")).toBe(true);
  });

  it("skips reading a file whose version the source vouches for", async () => {
    write("catalog-info.yaml", location("./a.yaml"));
    write("a.yaml", component("payments"));
    await service.importLocation(root());
    const aKey = `file:${join(dir, "cat", "a.yaml")}`;
    const version = contentVersion(component("payments"));
    // The file changes on disk, but the source says its version is the old one: it is not read at all.
    write("a.yaml", component("payments", "team-z"));
    const known = new Map([[aKey, version]]);
    const again = await readLocation(root(), {
      parallel: false,
      knownVersion: (file) => known.get(file),
      previous: {
        file: (file) => (file === aKey ? last.records?.find((r) => r.file === aKey) : undefined),
        entity: (ref) => last.entities.find((e) => e.ref === ref),
      },
    });
    expect(again.entities.find((e) => e.ref === "component:default/payments")?.entity.spec?.owner).toBe(
      "team-a",
    );
  });

  it("removes an entity renamed away although the location declares as many entities as before", async () => {
    write("catalog-info.yaml", location("./a.yaml", "./b.yaml"));
    write("a.yaml", component("payments"));
    write("b.yaml", component("billing"));
    await service.importLocation(root());
    // Same count, one ref swapped for another: the count of what memory holds alone must not hide the removal.
    write("b.yaml", component("invoicing"));
    const report = await service.importLocation(root());
    expect(report.added).toEqual(["component:default/invoicing"]);
    expect(report.removed).toEqual(["component:default/billing"]);
    expect(graph.get("component:default/billing")).toBeUndefined();
    expect(graph.get("component:default/payments")).toBeDefined();
    const again = await service.importLocation(root());
    expect(again).toMatchObject({ added: [], updated: [], removed: [], unchanged: 3 });
  });
});
