/**
 * The catalog as an index source: one search document per entity, its part of the index's fingerprint (each
 * entity's content hash), and every change an import or a removal makes, pushed as it is stored.
 */
import type { IndexSource } from "../search/indexing.ts";
import type { SearchDocument } from "../search/search-index.ts";
import type { CatalogService } from "./catalog-service.ts";
import type { CatalogGraph } from "./graph/catalog-graph.ts";
import { RELATION } from "./graph/relation-types.ts";
import type { Entity, RelationEdge } from "./model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "./model/ref.ts";

export interface IndexableEntity {
  ref: string;
  entity: Entity;
  relations: RelationEdge[];
}

/** The search document for one stored entity. Relations are authoritative for the owner; spec.owner is the fallback. */
export function entityToDocument(stored: IndexableEntity): SearchDocument {
  const { ref, entity, relations } = stored;
  const meta = entity.metadata;
  const spec = entity.spec ?? {};
  const namespace = meta.namespace ?? "default";
  const doc: SearchDocument = {
    id: ref,
    type: "entity",
    ref,
    kind: entity.kind.toLowerCase(),
    name: meta.name,
    title: meta.title ?? meta.name,
    text: typeof meta.description === "string" ? meta.description : "",
    tags: Array.isArray(meta.tags) ? meta.tags.filter((t): t is string => typeof t === "string") : [],
    namespace,
  };
  const owner = ownerOf(ref, relations, spec.owner, namespace);
  if (owner) doc.owner = owner;
  if (typeof spec.lifecycle === "string") doc.lifecycle = spec.lifecycle;
  return doc;
}

function ownerOf(
  ref: string,
  relations: RelationEdge[],
  specOwner: unknown,
  namespace: string,
): string | undefined {
  const edge = relations.find((r) => r.type === "ownedBy" && r.source === ref);
  if (edge) return edge.target;
  if (typeof specOwner !== "string" || specOwner.trim() === "") return undefined;
  return canonicalOwnerRef(specOwner, namespace);
}

/** "team-a" → "group:default/team-a"; "user:jane" → "user:default/jane"; parsed as Backstage parses refs. */
export function canonicalOwnerRef(owner: string, namespace = "default"): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), { defaultKind: "group", defaultNamespace: namespace }),
    );
  } catch {
    // Not a ref at all (the reader reports it); index the text as written so it can still be found.
    return owner.trim().toLowerCase();
  }
}

/** A search document for every entity in the graph, which holds exactly what is stored once loaded. */
export function graphDocuments(graph: CatalogGraph): SearchDocument[] {
  const documents: SearchDocument[] = [];
  for (const { ref, entity } of graph.entities()) {
    const relations = graph.owners(ref).map((target) => ({ source: ref, type: RELATION.ownedBy, target }));
    documents.push(entityToDocument({ ref, entity, relations }));
  }
  return documents;
}

/** Catalog entities as an index source; load the catalog (CatalogService.load) before the index starts. */
export function catalogIndexSource(catalog: CatalogService): IndexSource {
  return {
    id: "catalog",
    documents: () => graphDocuments(catalog.graph),
    fingerprintItems: () => catalog.contentHashes(),
    connect(updates) {
      catalog.onChange({
        changed: (change) =>
          updates.apply({ delete: change.removed, upsert: change.upserted.map(entityToDocument) }),
        // A large import's index write runs while the store commits it (on 2 cores, ~6 s of a 100k import).
        stage: (expected) =>
          updates.stage({ upsert: expected.upserted.map(entityToDocument), delete: expected.removed }),
      });
    },
  };
}
