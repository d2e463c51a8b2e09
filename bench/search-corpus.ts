/**
 * The search benchmark's corpus and queries: the catalog benchmark's seeded organisation turned into search
 * documents, plus seeded TechDocs-like sections, plus a seeded mix of queries with the answer each expects.
 */
import { entityRef } from "../src/catalog/model/ref.ts";
import { canonicalOwnerRef, entityToDocument } from "../src/catalog/search-source.ts";
import { parseSearchText } from "../src/search/query-text.ts";
import type { SearchDocument, SearchQuery } from "../src/search/search-index.ts";
import { createRandom as random, generateOrganisation } from "./generate-org.ts";

export type QueryType = "exact" | "prefix" | "typo_name" | "typo_word" | "multi_word" | "filtered" | "docs";

export interface BenchQuery {
  type: QueryType;
  text: string;
  query: SearchQuery;
  /** For name queries: the id that should come back (exact first, typo within the top 3). */
  expectId?: string;
  /** For word typos: the word the person meant; a top-3 hit should contain it. */
  expectWord?: string;
}

const HEADINGS = [
  "Getting started",
  "Local development",
  "Deploying",
  "Rotate secrets",
  "On-call runbook",
  "Rollback",
  "Monitoring and alerts",
  "Scaling",
  "Database migrations",
  "Feature flags",
  "Incident response",
  "Architecture overview",
  "Troubleshooting timeouts",
  "Backfilling data",
  "Access control",
];
const PHRASES = [
  "restart the pods one at a time",
  "check the dashboards for error rates",
  "page the owning team",
  "rotate the credentials in the vault",
  "drain the consumer before upgrading",
  "replay the dead letter queue",
  "raise the connection pool size",
  "compare latency before and after",
  "run the migration in a transaction",
  "keep the feature flag off in production",
  "tail the structured logs",
  "confirm idempotency keys are kept",
];

export interface Corpus {
  entities: SearchDocument[];
  docs: SearchDocument[];
}

export function buildCorpus(entityCount: number, docCount: number, seed: number): Corpus {
  const entities = generateOrganisation({ entities: entityCount, seed }).map((entity) =>
    entityToDocument({ ref: entityRef(entity), entity, relations: [] }),
  );
  const rnd = random(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const owners = entities.filter((e) => e.kind === "component" || e.kind === "api");
  const docs: SearchDocument[] = [];
  for (let i = 0; i < docCount; i++) {
    const owner = pick(owners);
    const heading = pick(HEADINGS);
    const anchor = heading.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const page = pick(["index", "runbook", "operations", "architecture"]);
    const text = `${pick(PHRASES)}; then ${pick(PHRASES)}. For ${owner.name}, ${pick(PHRASES)} (section ${i}).`;
    docs.push({
      id: `${owner.ref}#${page}#${anchor}-${i}`,
      type: "doc",
      ref: owner.ref,
      kind: owner.kind,
      name: owner.name,
      title: heading,
      text,
      ...(owner.owner ? { owner: owner.owner } : {}),
      tags: [],
      namespace: owner.namespace,
      url: `http://localhost:7007/docs/default/${owner.kind}/${owner.name}/${page}/#${anchor}`,
      section: anchor,
    });
  }
  return { entities, docs };
}

/**
 * One typo of a kind a person makes: swap neighbours, drop, double or replace a letter (never the first).
 * A drop that leaves fewer than 5 letters becomes a replacement, since below 5 letters no typo is allowed.
 */
export function misspell(word: string, rnd: () => number): string {
  const at = 1 + Math.floor(rnd() * (word.length - 2));
  const choice = Math.floor(rnd() * 4);
  if (choice === 0 && word[at] !== word[at + 1])
    return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  if (choice === 1 && word.length > 5) return word.slice(0, at) + word.slice(at + 1);
  if (choice === 2) return word.slice(0, at) + word[at] + word.slice(at);
  const letters = "abcdefghijklmnopqrstuvwxyz".replace(word[at]!, "");
  return word.slice(0, at) + letters[Math.floor(rnd() * letters.length)] + word.slice(at + 1);
}

export function buildQueries(corpus: Corpus, count: number, seed: number): BenchQuery[] {
  const rnd = random(seed + 2);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const named = corpus.entities.filter((e) => e.kind !== "user");
  const queries: BenchQuery[] = [];
  const types: QueryType[] = ["exact", "prefix", "typo_name", "typo_word", "multi_word", "filtered", "docs"];
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length]!;
    const target = pick(named);
    const words = target.name.split("-");
    let text: string;
    const q: Partial<BenchQuery> = {};
    switch (type) {
      case "exact":
        text = target.name;
        q.expectId = target.id;
        break;
      case "prefix":
        text = target.name.slice(0, 3 + Math.floor(rnd() * 4));
        break;
      case "typo_name": {
        const long = words.map((w, j) => [w, j] as const).filter(([w]) => /^[a-z]{5,}$/.test(w));
        const [word, j] = long.length > 0 ? pick(long) : [words[0]!, 0];
        const typoed = [...words];
        typoed[j] = word.length >= 5 ? misspell(word, rnd) : word;
        text = typoed.join(pick(["-", " "]));
        q.expectId = target.id;
        break;
      }
      case "typo_word": {
        const candidates = target.text.split(/[^A-Za-z]+/).filter((w) => w.length >= 5);
        const word = (candidates.length > 0 ? pick(candidates) : "payments").toLowerCase();
        text = misspell(word, rnd);
        q.expectWord = word;
        break;
      }
      case "multi_word": {
        const descWords = target.text.split(/[^A-Za-z]+/).filter((w) => w.length >= 4);
        text = `${pick(descWords.length > 0 ? descWords : words)} ${pick(words)}`.toLowerCase();
        break;
      }
      case "filtered":
        text = `${pick(words)} kind:${target.kind}${target.owner ? ` owner:${target.owner.split("/")[1]}` : ""}`;
        break;
      case "docs": {
        const doc = pick(corpus.docs);
        text = `${doc.title.toLowerCase()} ${doc.name.split("-")[0]}`;
        break;
      }
    }
    queries.push({
      type,
      text,
      query: { ...parseSearchText(text, { ownerRef: canonicalOwnerRef }), limit: 10 },
      ...q,
    });
  }
  return queries;
}
