import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";
import type { Entity, RelationEdge } from "../catalog/model/entity.ts";
import type { SearchDocument } from "./search-index.ts";

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
