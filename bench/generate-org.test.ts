import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Entity } from "../src/catalog/model/entity.ts";
import { generateOrganisation, writeOrganisation } from "./generate-org.ts";

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const TAG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Spec fields that hold refs, with Backstage's default kind (null: the ref must name its kind). */
const REF_FIELDS: Record<string, Record<string, string | null>> = {
  Component: {
    owner: "group",
    system: "system",
    subcomponentOf: "component",
    providesApis: "api",
    consumesApis: "api",
    dependsOn: null,
  },
  API: { owner: "group", system: "system" },
  Resource: { owner: "group", system: "system", dependsOn: null },
  System: { owner: "group", domain: "domain" },
  Domain: { owner: "group" },
  Group: { parent: "group", children: "group", members: "user" },
  User: { memberOf: "group" },
};

function keyOf(kind: string, name: string): string {
  return `${kind.toLowerCase()}:${name.toLowerCase()}`;
}

function refsOf(entity: Entity): { field: string; key: string }[] {
  const out: { field: string; key: string }[] = [];
  for (const [field, defaultKind] of Object.entries(REF_FIELDS[entity.kind] ?? {})) {
    const value = entity.spec?.[field];
    if (value === undefined) continue;
    for (const ref of Array.isArray(value) ? value : [value]) {
      expect(typeof ref).toBe("string");
      const colon = (ref as string).indexOf(":");
      const kind = colon >= 0 ? (ref as string).slice(0, colon) : defaultKind;
      expect(kind, `${entity.kind} ${entity.metadata.name} ${field} ${ref} needs a kind`).not.toBeNull();
      out.push({ field, key: keyOf(kind as string, (ref as string).slice(colon + 1)) });
    }
  }
  return out;
}

function countKinds(entities: Entity[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entity of entities) counts[entity.kind] = (counts[entity.kind] ?? 0) + 1;
  return counts;
}

describe("generateOrganisation", () => {
  it("is deterministic: the same seed gives the same entities, another seed different ones", () => {
    const a = generateOrganisation({ entities: 2_000, seed: 42 });
    const b = generateOrganisation({ entities: 2_000, seed: 42 });
    const c = generateOrganisation({ entities: 2_000, seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it("gives exactly the requested number of entities in realistic proportions", () => {
    const total = 10_000;
    const counts = countKinds(generateOrganisation({ entities: total, seed: 1 }));
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(total);
    expect(counts).toEqual({
      Domain: 50,
      System: 400,
      Group: 250,
      User: 2_500,
      API: 1_200,
      Resource: 600,
      Component: 5_000,
    });
  });

  it("still holds one of each kind when small, and refuses sizes that cannot", () => {
    const counts = countKinds(generateOrganisation({ entities: 10 }));
    for (const kind of ["Domain", "System", "Group", "User", "API", "Resource", "Component"]) {
      expect(counts[kind], kind).toBeGreaterThanOrEqual(1);
    }
    expect(() => generateOrganisation({ entities: 5 })).toThrow(/too few/);
    expect(() => generateOrganisation({ entities: 1.5 })).toThrow(/whole number/);
  });

  it("names every entity validly and uniquely, with lower-case tags", () => {
    const entities = generateOrganisation({ entities: 5_000, seed: 3 });
    const seen = new Set<string>();
    for (const entity of entities) {
      const { name, tags } = entity.metadata;
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name, name).toMatch(NAME);
      const key = keyOf(entity.kind, name);
      expect(seen.has(key), `duplicate ${key}`).toBe(false);
      seen.add(key);
      for (const tag of tags ?? []) expect(tag).toMatch(TAG);
    }
    // Word-built names, not opaque ids: search and typo suggestions need something to match.
    expect(
      entities.some((e) => e.kind === "Component" && /^[a-z]+-[a-z]+-[a-z]+$/.test(e.metadata.name)),
    ).toBe(true);
    expect(entities.some((e) => e.kind === "Component" && /-\d{4,}$/.test(e.metadata.name))).toBe(true);
  });

  it("points every generated ref at an entity that exists, with kinds on dependsOn", () => {
    const entities = generateOrganisation({ entities: 5_000, seed: 9 });
    const keys = new Set(entities.map((e) => keyOf(e.kind, e.metadata.name)));
    let refs = 0;
    for (const entity of entities) {
      for (const { field, key } of refsOf(entity)) {
        refs += 1;
        expect(keys.has(key), `${entity.kind} ${entity.metadata.name} ${field} -> ${key}`).toBe(true);
      }
      if (entity.spec?.dependsOn) {
        for (const ref of entity.spec.dependsOn as string[]) expect(ref).toMatch(/^(component|resource):/);
      }
    }
    expect(refs).toBeGreaterThan(entities.length);
  });

  it("wires relations with realistic density", () => {
    const entities = generateOrganisation({ entities: 5_000, seed: 11 });
    const components = entities.filter((e) => e.kind === "Component");
    const apis = entities.filter((e) => e.kind === "API");
    const groups = entities.filter((e) => e.kind === "Group");

    for (const component of components) {
      const deps = component.spec?.dependsOn as string[];
      expect(deps.length).toBeGreaterThanOrEqual(1);
      expect(deps.length).toBeLessThanOrEqual(3);
      expect(component.spec?.owner).toBeTruthy();
      expect(component.spec?.system).toBeTruthy();
    }
    expect(
      components.some((c) => (c.spec?.dependsOn as string[]).some((d) => d.startsWith("component:"))),
    ).toBe(true);
    expect(
      components.some((c) => (c.spec?.dependsOn as string[]).some((d) => d.startsWith("resource:"))),
    ).toBe(true);

    const providers = new Map<string, number>();
    const consumers = new Map<string, number>();
    for (const component of components) {
      for (const api of (component.spec?.providesApis as string[] | undefined) ?? []) {
        providers.set(api, (providers.get(api) ?? 0) + 1);
      }
      for (const api of (component.spec?.consumesApis as string[] | undefined) ?? []) {
        consumers.set(api, (consumers.get(api) ?? 0) + 1);
      }
    }
    for (const api of apis) {
      expect(providers.get(api.metadata.name), api.metadata.name).toBe(1);
      const consumed = consumers.get(api.metadata.name) ?? 0;
      expect(consumed).toBeGreaterThanOrEqual(1);
      expect(consumed).toBeLessThanOrEqual(4);
    }

    // One root; every other group has a parent, and parents list their children.
    const roots = groups.filter((g) => !g.spec?.parent);
    expect(roots).toHaveLength(1);
    const byName = new Map(groups.map((g) => [g.metadata.name, g]));
    for (const group of groups) {
      const parent = group.spec?.parent as string | undefined;
      if (parent) expect(byName.get(parent)?.spec?.children).toContain(group.metadata.name);
    }
    const teams = new Set(groups.filter((g) => g.spec?.type === "team").map((g) => g.metadata.name));
    for (const user of entities.filter((e) => e.kind === "User")) {
      const memberOf = user.spec?.memberOf as string[];
      expect(memberOf.length).toBeGreaterThanOrEqual(1);
      for (const group of memberOf) expect(teams.has(group), group).toBe(true);
    }
  });
});

describe("writeOrganisation", () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "generate-org-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function readBack(
    rootFile: string,
  ): Promise<{ location: Entity; entities: Entity[]; files: string[] }> {
    const [locationDoc, ...rest] = parseAllDocuments(await readFile(rootFile, "utf8"));
    expect(rest).toHaveLength(0);
    const location = locationDoc!.toJS() as Entity;
    const entityDir = path.join(path.dirname(rootFile), "entities");
    const files = (await readdir(entityDir)).sort();
    const entities: Entity[] = [];
    for (const file of files) {
      const text = await readFile(path.join(entityDir, file), "utf8");
      for (const doc of parseAllDocuments(text)) {
        expect(doc.errors, file).toEqual([]);
        // Each document stands alone: no anchors or aliases shared across entities.
        expect(text).not.toMatch(/^\s*[^#\n]*[&*]a\d+/m);
        entities.push(doc.toJS() as Entity);
      }
    }
    return { location, entities, files };
  }

  it("writes multi-document files that parse back to the same entities, named by the root Location", async () => {
    const entities = generateOrganisation({ entities: 1_050, seed: 5 });
    const dir = await freshDir();
    const rootFile = await writeOrganisation(entities, dir, { perFile: 100 });
    expect(rootFile).toBe(path.join(dir, "catalog-info.yaml"));

    const { location, entities: readBackEntities, files } = await readBack(rootFile);
    expect(files).toHaveLength(11);
    expect(readBackEntities).toEqual(entities);
    expect(location.kind).toBe("Location");
    expect(location.metadata.name).toMatch(NAME);
    expect(location.spec?.targets).toEqual(files.map((f) => `./entities/${f}`));
  });

  it("can name its files with one glob target instead", async () => {
    const entities = generateOrganisation({ entities: 300, seed: 5 });
    const dir = await freshDir();
    const rootFile = await writeOrganisation(entities, dir, { perFile: 50, targets: "glob" });
    const { location, entities: readBackEntities, files } = await readBack(rootFile);
    expect(files).toHaveLength(6);
    expect(location.spec).toEqual({ target: "./entities/*.yaml" });
    expect(readBackEntities).toEqual(entities);
  });

  it("refuses a directory that already holds files, and a nonsensical perFile", async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, "keep-me.txt"), "mine");
    const entities = generateOrganisation({ entities: 50 });
    await expect(writeOrganisation(entities, dir)).rejects.toThrow(/not empty/);
    await expect(readFile(path.join(dir, "keep-me.txt"), "utf8")).resolves.toBe("mine");
    await expect(writeOrganisation(entities, await freshDir(), { perFile: 0 })).rejects.toThrow(/perFile/);
  });
});
