import type { Entity, RelationEdge } from "./entity.ts";
import { DEFAULT_NAMESPACE, entityRef, parseEntityRef, stringifyEntityRef } from "./ref.ts";
import type { FieldProblem } from "./validate.ts";

export const RELATION = {
  ownedBy: "ownedBy",
  ownerOf: "ownerOf",
  partOf: "partOf",
  hasPart: "hasPart",
  providesApi: "providesApi",
  apiProvidedBy: "apiProvidedBy",
  consumesApi: "consumesApi",
  apiConsumedBy: "apiConsumedBy",
  dependsOn: "dependsOn",
  dependencyOf: "dependencyOf",
  memberOf: "memberOf",
  hasMember: "hasMember",
  childOf: "childOf",
  parentOf: "parentOf",
  // Backstage's AiResource kind (catalog-backend-module-ai-model): plugins bundle skills, marketplaces plugins.
  hasSkill: "hasSkill",
  skillOf: "skillOf",
  hasPlugin: "hasPlugin",
  pluginOf: "pluginOf",
} as const;

interface RelationRule {
  field: string;
  /** Undefined means the ref must name its kind (dependsOn/dependencyOf in Backstage). */
  defaultKind: string | undefined;
  outgoing: string;
  incoming: string;
  /** The rule applies only to entities of this spec.type (AiResource's types have fields of their own). */
  specType?: string;
}

const rule = (
  field: string,
  defaultKind: string | undefined,
  outgoing: string,
  incoming: string,
  specType?: string,
): RelationRule => ({ field, defaultKind, outgoing, incoming, ...(specType ? { specType } : {}) });

const R = RELATION;
const owner = rule("owner", "Group", R.ownedBy, R.ownerOf);
const system = rule("system", "System", R.partOf, R.hasPart);
const dependsOn = rule("dependsOn", undefined, R.dependsOn, R.dependencyOf);
const dependencyOf = rule("dependencyOf", undefined, R.dependencyOf, R.dependsOn);

// Mirrors BuiltinKindsEntityProcessor.postProcessEntity (plus the scaffolder's Template owner rule and the
// relation fields of the AiResource kind and the API spec types of catalog-backend-module-ai-model).
const RULES: Record<string, RelationRule[]> = {
  Component: [
    owner,
    rule("subcomponentOf", "Component", R.partOf, R.hasPart),
    rule("providesApis", "API", R.providesApi, R.apiProvidedBy),
    rule("consumesApis", "API", R.consumesApi, R.apiConsumedBy),
    dependsOn,
    dependencyOf,
    system,
  ],
  API: [owner, system],
  Resource: [owner, dependsOn, dependencyOf, system],
  User: [rule("memberOf", "Group", R.memberOf, R.hasMember)],
  Group: [
    rule("parent", "Group", R.childOf, R.parentOf),
    rule("children", "Group", R.parentOf, R.childOf),
    rule("members", "User", R.hasMember, R.memberOf),
  ],
  System: [owner, rule("domain", "Domain", R.partOf, R.hasPart)],
  Domain: [owner, rule("subdomainOf", "Domain", R.partOf, R.hasPart)],
  Template: [owner],
  AiResource: [
    owner,
    system,
    rule("dependsOn", "AiResource", R.dependsOn, R.dependencyOf, "skill"),
    rule("skills", "AiResource", R.hasSkill, R.skillOf, "plugin"),
    rule("plugins", "AiResource", R.hasPlugin, R.pluginOf, "marketplace"),
  ],
  Environment: [],
  Location: [],
};

export interface DerivedRelations {
  /** Both directions of every relation the entity's spec declares, de-duplicated. */
  edges: RelationEdge[];
  /** Refs that could not be parsed; their edges are left out, the rest still stand. */
  problems: FieldProblem[];
}

/**
 * Derives relations from an entity's spec the way Backstage's processors do: for every ref, the
 * outgoing relation on this entity and the reverse one on the target. Targets may not exist
 * (dangling refs are kept, as Backstage does); kind-less refs default per field and namespaces
 * default to the referring entity's.
 */
export function deriveRelations(entity: Entity): DerivedRelations {
  const edges: RelationEdge[] = [];
  const problems: FieldProblem[] = [];
  if (!entity.spec) return { edges, problems };
  const known = RULES[entity.kind];
  // A kind Callboard does not know has no relation fields it can be sure of, but `spec.owner` is near
  // universal (Backstage's own kinds all use it): read it when it is a valid ref, so "who owns" and the
  // owner filter in search work, and say nothing when it is not one.
  const lenient = known === undefined;
  const specType = typeof entity.spec.type === "string" ? entity.spec.type : undefined;
  const rules = (known ?? [owner]).filter((r) => r.specType === undefined || r.specType === specType);

  const self = entityRef(entity);
  const namespace = entity.metadata.namespace || DEFAULT_NAMESPACE;
  const seen = new Set<string>();
  const add = (source: string, type: string, target: string) => {
    const key = `${source}\u0000${type}\u0000${target}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ source, type, target });
  };

  for (const { field, defaultKind, outgoing, incoming } of rules) {
    const value = entity.spec[field];
    if (value === undefined || value === null) continue;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, index) => {
      const path = Array.isArray(value) ? `spec.${field}[${index}]` : `spec.${field}`;
      if (typeof item !== "string") {
        if (!lenient)
          problems.push({ field: path, message: `${path} must be an entity ref string, got ${typeof item}` });
        return;
      }
      let target: string;
      try {
        target = stringifyEntityRef(parseEntityRef(item, { defaultKind, defaultNamespace: namespace }));
      } catch (error) {
        if (!lenient) problems.push({ field: path, message: `${path}: ${(error as Error).message}` });
        return;
      }
      add(self, outgoing, target);
      add(target, incoming, self);
    });
  }
  return { edges, problems };
}
