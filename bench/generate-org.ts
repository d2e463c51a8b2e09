/**
 * A seeded, deterministic synthetic organisation for benchmarks: the same seed always yields the same
 * entities, so figures from two runs (or two machines) describe the same catalog.
 *
 * Shape per N entities: ~1 domain per 200, ~1 system per 25, ~1 group per 40 (a tree under one
 * business unit), ~1 user in 4, ~12% APIs, ~6% resources, the rest (~45–50%) components. Names are
 * built from word lists (`payments-ledger-api`, then `payments-ledger-api-0421` once taken) so that
 * search and "did you mean" behave as they would on a real catalog.
 *
 * CLI: npx tsx bench/generate-org.ts <entities> <out-dir> [seed]
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";
import type { Entity } from "../src/catalog/model/entity.ts";
import { count } from "../src/text/grammar.ts";

export interface GenerateOptions {
  entities: number;
  seed?: number;
}

export interface WriteOptions {
  /** Entities per multi-document YAML file (default 100). */
  perFile?: number;
  /** How the root Location names its files: one explicit target each (default) or a single glob. */
  targets?: "explicit" | "glob";
}

const API_VERSION = "backstage.io/v1alpha1";
const ORG = "synthetic-org";
const MAIL_DOMAIN = "example.com";
// No anchors or aliases: each document must stand alone, as hand-written descriptor files do (and
// skipping the shared-object scan makes stringify about 20% faster).
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

const AREAS = words(
  "payments checkout billing ledger payouts merchants identity risk fraud search catalog orders " +
    "inventory shipping pricing notifications messaging analytics reporting onboarding accounts " +
    "subscriptions invoicing settlement compliance support logistics recommendations media content " +
    "marketing loyalty rewards partners treasury lending cards wallets tax audit",
);
const NOUNS = words(
  "gateway router scheduler worker processor reconciler indexer exporter importer validator " +
    "resolver aggregator dispatcher collector publisher consumer adapter proxy cache store engine " +
    "tracker monitor notifier builder planner matcher scorer sync bridge registry vault broker " +
    "calculator renderer uploader archiver auditor manager ledger",
);
const COMPONENT_SUFFIXES = words("service api worker web job lib ui backend");
const API_TYPES: [type: string, suffix: string][] = [
  ["openapi", "api"],
  ["openapi", "api"],
  ["asyncapi", "events"],
  ["grpc", "grpc"],
  ["graphql", "graph"],
];
const RESOURCE_TYPES: [type: string, suffix: string][] = [
  ["database", "db"],
  ["s3-bucket", "bucket"],
  ["cache", "cache"],
  ["kafka-topic", "topic"],
  ["queue", "queue"],
];
const TAGS = words(
  "java kotlin go typescript python rust node react grpc kafka postgresql redis pci pii internal " +
    "public aws gcp kubernetes graphql",
);
const FIRST_NAMES = words(
  "amira ben chloe daniel elena farah george hannah ivan julia kenji lucy marcus nadia oliver priya " +
    "quinn ravi sofia tom uma victor wei xena yusuf zoe aiko bruno carmen dev emeka fatima hugo " +
    "ingrid jonas kwame lars mei noah olga",
);
const LAST_NAMES = words(
  "adeyemi brandt chen dubois eriksen fernandes garcia haddad ito jansen kowalski lindqvist mensah " +
    "nowak okafor petrova quispe rossi schmidt tanaka usman vasquez whitfield xu yilmaz zahra " +
    "achterberg byrne costa dimitrov eze fischer gupta holm iqbal jovanovic kim laurent moreno nair",
);
const VERBS = words(
  "Handles Routes Schedules Validates Publishes Stores Aggregates Reconciles Exports Indexes Tracks " +
    "Renders Collects Enriches Batches Serves",
);
const OBJECTS = [
  "payment events",
  "merchant records",
  "invoices",
  "refunds",
  "customer sessions",
  "ledger entries",
  "card tokens",
  "shipping labels",
  "price quotes",
  "risk scores",
  "audit logs",
  "webhooks",
  "API keys",
  "daily reports",
  "search queries",
  "order updates",
  "payout batches",
  "subscription renewals",
];

function words(list: string): string[] {
  return list.split(/\s+/).filter(Boolean);
}

/** mulberry32: tiny, fast and good enough to make benchmark data look random yet repeatable. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Picker {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = createRandom(seed);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.random() * maxExclusive);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  /** Up to `count` distinct items; `exclude` is never returned. */
  distinct<T>(items: readonly T[], count: number, exclude?: T): T[] {
    const chosen = new Set<T>();
    const want = Math.min(count, items.length - (exclude === undefined ? 0 : 1));
    // Rejection sampling is O(count) here because count is tiny compared with items.length.
    for (let tries = 0; chosen.size < want && tries < want * 20; tries += 1) {
      const item = this.one(items);
      if (item !== exclude) chosen.add(item);
    }
    return [...chosen];
  }
}

/** Hands out unique names: the first use of a base keeps it bare, later ones get a numeric suffix. */
class NameBook {
  private readonly taken = new Set<string>();
  private counter = 0;
  claim(base: string): string {
    this.counter += 1;
    let name = base;
    if (this.taken.has(name)) name = `${base}-${String(this.counter).padStart(4, "0")}`;
    // A suffixed name can only collide with another suffixed one of the same base and counter,
    // which the ever-increasing counter rules out; the loop is a guard, not a path taken.
    while (this.taken.has(name)) name = `${base}-${String(++this.counter).padStart(4, "0")}`;
    this.taken.add(name);
    return name;
  }
}

interface Counts {
  domains: number;
  systems: number;
  groups: number;
  users: number;
  apis: number;
  resources: number;
  components: number;
}

function plan(total: number): Counts {
  const at = (ratio: number) => Math.max(1, Math.round(total * ratio));
  const counts = {
    domains: at(1 / 200),
    systems: at(1 / 25),
    groups: at(1 / 40),
    users: at(1 / 4),
    apis: at(0.12),
    resources: at(0.06),
  };
  const components = total - Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (components < 2) {
    throw new RangeError(
      `generateOrganisation: ${count(total, "entity is", "entities are")} too few to hold one of each kind and two components; ask for at least 10`,
    );
  }
  return { ...counts, components };
}

function sentence(pick: Picker, area: string, noun: string): string {
  return `${pick.one(VERBS)} ${pick.one(OBJECTS)} for the ${area} ${noun}.`;
}

function envelope(kind: string, metadata: Entity["metadata"], spec: Record<string, unknown>): Entity {
  return { apiVersion: API_VERSION, kind, metadata, spec };
}

interface Named {
  name: string;
  area: string;
}

/**
 * Builds a synthetic organisation of exactly `options.entities` entities. Refs in spec fields use the
 * field's default kind where Backstage has one (owner, system, domain, parent, memberOf,
 * providesApis, consumesApis) and always carry a kind in dependsOn, which has no default.
 */
export function generateOrganisation(options: GenerateOptions): Entity[] {
  const total = options.entities;
  if (!Number.isInteger(total) || total < 0) {
    throw new RangeError(`generateOrganisation: entities must be a whole number, got ${total}`);
  }
  const counts = plan(total);
  const pick = new Picker(options.seed ?? 1);
  const names = new NameBook();
  const out: Entity[] = [];

  // Groups: a tree under one business unit; fan-out 8 gives product areas, then teams below them.
  const groups: (Named & { parent?: string; children: string[]; type: string })[] = [];
  for (let i = 0; i < counts.groups; i += 1) {
    const area = pick.one(AREAS);
    const parentIndex = i === 0 ? -1 : Math.floor((i - 1) / 8);
    const depth = i === 0 ? 0 : i <= 8 ? 1 : 2;
    const type = depth === 0 ? "business-unit" : depth === 1 ? "product-area" : "team";
    const base =
      depth === 0 ? "engineering" : depth === 1 ? `area-${area}` : `team-${area}-${pick.one(NOUNS)}`;
    const group = {
      name: names.claim(base),
      area,
      type,
      children: [] as string[],
    } as (typeof groups)[number];
    const parent = groups[parentIndex];
    if (parent) {
      group.parent = parent.name;
      parent.children.push(group.name);
    }
    groups.push(group);
  }
  // People sit in teams; in an organisation too small to have teams, in whatever groups there are.
  const leafTypes = groups.some((g) => g.type === "team") ? ["team"] : ["product-area", "business-unit"];
  const teams = groups.filter((g) => leafTypes.includes(g.type));
  const areas = groups.filter((g) => g.type === "product-area");
  const topGroups = areas.length > 0 ? areas : groups;

  const users: { name: string; displayName: string; memberOf: string[] }[] = [];
  for (let i = 0; i < counts.users; i += 1) {
    const first = pick.one(FIRST_NAMES);
    const last = pick.one(LAST_NAMES);
    const team = teams[i % teams.length] as Named;
    const memberOf = [team.name];
    if (pick.chance(0.1)) {
      const second = pick.one(teams).name;
      if (second !== team.name) memberOf.push(second);
    }
    users.push({
      name: names.claim(`${first}.${last}`),
      displayName: `${cap(first)} ${cap(last)}`,
      memberOf,
    });
  }

  const domains: Named[] = [];
  for (let i = 0; i < counts.domains; i += 1) {
    const area = AREAS[i % AREAS.length] as string;
    const domain = { name: names.claim(area), area };
    domains.push(domain);
    out.push(
      envelope(
        "Domain",
        { name: domain.name, title: cap(area), description: `Everything to do with ${area}.` },
        { owner: pick.one(topGroups).name },
      ),
    );
  }

  for (const group of groups) {
    const spec: Record<string, unknown> = {
      type: group.type,
      profile: { displayName: titleOf(group.name), email: `${group.name}@${MAIL_DOMAIN}` },
    };
    if (group.parent) spec.parent = group.parent;
    spec.children = group.children;
    out.push(
      envelope(
        "Group",
        {
          name: group.name,
          title: titleOf(group.name),
          description: `The ${group.area} ${group.type.replace("-", " ")}.`,
          annotations: { "slack.com/channel-id": `C${hashId(group.name)}` },
        },
        spec,
      ),
    );
  }

  for (const user of users) {
    const annotations: Record<string, string> = {};
    if (pick.chance(0.6)) annotations["slack.com/user-id"] = `U${hashId(user.name)}`;
    if (pick.chance(0.3)) annotations["microsoft.com/email"] = `${user.name}@${MAIL_DOMAIN}`;
    out.push(
      envelope(
        "User",
        { name: user.name, annotations },
        {
          profile: { displayName: user.displayName, email: `${user.name}@${MAIL_DOMAIN}` },
          memberOf: user.memberOf,
        },
      ),
    );
  }

  const systems: (Named & { owner: string })[] = [];
  for (let i = 0; i < counts.systems; i += 1) {
    const domain = domains[i % domains.length] as Named;
    const noun = pick.one(NOUNS);
    const system = {
      name: names.claim(`${domain.area}-${noun}`),
      area: domain.area,
      owner: pick.one(teams).name,
    };
    systems.push(system);
    out.push(
      envelope(
        "System",
        { name: system.name, description: sentence(pick, domain.area, noun) },
        { owner: system.owner, domain: domain.name },
      ),
    );
  }

  const resources: string[] = [];
  for (let i = 0; i < counts.resources; i += 1) {
    const system = pick.one(systems);
    const [type, suffix] = pick.one(RESOURCE_TYPES);
    const noun = pick.one(NOUNS);
    const name = names.claim(`${system.area}-${noun}-${suffix}`);
    resources.push(name);
    const spec: Record<string, unknown> = { type, owner: system.owner };
    if (pick.chance(0.8)) spec.system = system.name;
    out.push(
      envelope(
        "Resource",
        { name, description: sentence(pick, system.area, noun), tags: pick.distinct(TAGS, 2) },
        spec,
      ),
    );
  }

  // Components are built first as plain records so APIs can attach providers and consumers to them.
  const components: {
    name: string;
    area: string;
    system: string;
    owner: string;
    metadata: Entity["metadata"];
    spec: Record<string, unknown>;
  }[] = [];
  for (let i = 0; i < counts.components; i += 1) {
    const system = pick.one(systems);
    const noun = pick.one(NOUNS);
    const name = names.claim(`${system.area}-${noun}-${pick.one(COMPONENT_SUFFIXES)}`);
    const owner = pick.chance(0.85) ? system.owner : pick.one(teams).name;
    const roll = pick.random();
    const type = roll < 0.7 ? "service" : roll < 0.8 ? "website" : roll < 0.95 ? "library" : "data-pipeline";
    const life = pick.random();
    const lifecycle = life < 0.8 ? "production" : life < 0.92 ? "experimental" : "deprecated";
    const metadata: Entity["metadata"] = {
      name,
      description: sentence(pick, system.area, noun),
      tags: pick.distinct(TAGS, pick.between(1, 3)),
      annotations: {
        "github.com/project-slug": `${ORG}/${name}`,
        "backstage.io/source-location": `url:https://github.com/${ORG}/${name}/tree/main/`,
      },
    };
    if (pick.chance(0.3))
      metadata.links = [{ url: `https://runbooks.${MAIL_DOMAIN}/${name}`, title: "Runbook" }];
    components.push({
      name,
      area: system.area,
      system: system.name,
      owner,
      metadata,
      spec: { type, lifecycle, owner, system: system.name },
    });
  }
  const componentNames = components.map((c) => c.name);

  for (let i = 0; i < components.length; i += 1) {
    const component = components[i]!;
    const dependsOn: string[] = [];
    const edges = pick.between(1, 3);
    for (let e = 0; e < edges; e += 1) {
      const ref =
        pick.chance(0.45) || componentNames.length < 2
          ? `resource:${pick.one(resources)}`
          : `component:${pick.distinct(componentNames, 1, component.name)[0]}`;
      if (!dependsOn.includes(ref)) dependsOn.push(ref);
    }
    component.spec.dependsOn = dependsOn;
    // A few components are parts of an earlier one, never a later one, so subcomponentOf has no cycles.
    if (i > 0 && pick.chance(0.02)) component.spec.subcomponentOf = components[pick.int(i)]!.name;
  }

  const apis: Entity[] = [];
  for (let i = 0; i < counts.apis; i += 1) {
    const provider = pick.one(components);
    const [type, suffix] = pick.one(API_TYPES);
    const noun = pick.one(NOUNS);
    const name = names.claim(`${provider.area}-${noun}-${suffix}`);
    appendRef(provider.spec, "providesApis", name);
    for (const consumer of pick.distinct(components, pick.between(1, 4), provider)) {
      appendRef(consumer.spec, "consumesApis", name);
    }
    apis.push(
      envelope(
        "API",
        { name, description: sentence(pick, provider.area, noun), tags: [type] },
        {
          type,
          lifecycle: "production",
          owner: provider.owner,
          system: provider.system,
          definition: definitionFor(type, name),
        },
      ),
    );
  }

  for (const component of components) out.push(envelope("Component", component.metadata, component.spec));
  out.push(...apis);
  return out;
}

function appendRef(spec: Record<string, unknown>, field: string, ref: string): void {
  const list = (spec[field] as string[] | undefined) ?? [];
  list.push(ref);
  spec[field] = list;
}

function definitionFor(type: string, name: string): string {
  switch (type) {
    case "openapi":
      return `openapi: 3.0.3\ninfo:\n  title: ${name}\n  version: 1.0.0\npaths: {}\n`;
    case "asyncapi":
      return `asyncapi: 2.6.0\ninfo:\n  title: ${name}\n  version: 1.0.0\nchannels: {}\n`;
    case "grpc":
      return `syntax = "proto3";\n\nservice ${pascal(name)} {}\n`;
    default:
      return `type Query {\n  ping: String\n}\n`;
  }
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pascal(name: string): string {
  return name.split(/[-_.]/).map(cap).join("");
}

function titleOf(name: string): string {
  return name.split(/[-.]/).map(cap).join(" ");
}

/** Stable Slack-looking id (upper-case alphanumerics) derived from a name, no randomness needed. */
function hashId(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36).toUpperCase().padStart(8, "0");
}

/**
 * Writes the entities as multi-document YAML files under `<dir>/entities/` plus a root Location at
 * `<dir>/catalog-info.yaml`, and returns that root file's absolute path. `dir` must be new or empty,
 * so a glob target never picks up files from an earlier, larger run.
 */
export async function writeOrganisation(
  entities: Entity[],
  dir: string,
  options: WriteOptions = {},
): Promise<string> {
  const perFile = options.perFile ?? 100;
  if (!Number.isInteger(perFile) || perFile < 1) {
    throw new RangeError(`writeOrganisation: perFile must be a positive whole number, got ${perFile}`);
  }
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const existing = await readdir(root);
  if (existing.length > 0) {
    throw new Error(
      `writeOrganisation: ${root} is not empty (${existing.length} entries); give it a fresh directory`,
    );
  }
  const entityDir = path.join(root, "entities");
  await mkdir(entityDir);

  const files: string[] = [];
  const width = String(Math.max(0, Math.ceil(entities.length / perFile) - 1)).length;
  for (let start = 0, index = 0; start < entities.length; start += perFile, index += 1) {
    files.push(`part-${String(index).padStart(Math.max(4, width), "0")}.yaml`);
  }

  // A handful of writes in flight keeps the disk busy without opening a thousand files at once.
  let next = 0;
  const writeOne = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const chunk = entities.slice(index * perFile, (index + 1) * perFile);
      const text = chunk.map((entity) => stringify(entity, YAML_OPTIONS)).join("---\n");
      await writeFile(path.join(entityDir, files[index]!), text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, writeOne));

  const targets =
    options.targets === "glob"
      ? { target: "./entities/*.yaml" }
      : { targets: files.map((f) => `./entities/${f}`) };
  const location: Entity = {
    apiVersion: API_VERSION,
    kind: "Location",
    metadata: { name: "generated-organisation", description: `${entities.length} generated entities.` },
    spec: targets,
  };
  const rootFile = path.join(root, "catalog-info.yaml");
  await writeFile(rootFile, stringify(location, YAML_OPTIONS));
  return rootFile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count, out, seed] = process.argv.slice(2);
  if (!count || !out) {
    console.error("usage: npx tsx bench/generate-org.ts <entities> <out-dir> [seed]");
    process.exit(2);
  }
  const t0 = performance.now();
  const entities = generateOrganisation({ entities: Number(count), seed: seed ? Number(seed) : undefined });
  const t1 = performance.now();
  const rootFile = await writeOrganisation(entities, out);
  const t2 = performance.now();
  console.log(
    `generated ${entities.length} entities in ${(t1 - t0).toFixed(0)} ms, wrote them in ${(t2 - t1).toFixed(0)} ms: ${rootFile}`,
  );
}
