/**
 * The catalog's read view for plugins (src/plugins/catalog-view.ts), over the in-memory graph: lookups go
 * through the same resolver and the same "did you mean" answers as the catalog's own commands.
 */
import type {
  CatalogEntry,
  CatalogFilter,
  CatalogListing,
  CatalogView,
  DeepReadonly,
} from "../plugins/catalog-view.ts";
import { definedInMarkdown } from "./commands/entity-source.ts";
import { answerFor, resolveArgument, type CatalogCommandDeps } from "./commands/resolve-argument.ts";
import type { CatalogGraph } from "./graph/catalog-graph.ts";
import { kindOfRef } from "./graph/catalog-graph.ts";
import type { Entity } from "./model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "./model/ref.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

export function graphCatalogView(deps: Pick<CatalogCommandDeps, "graph" | "resolver">): CatalogView {
  const { graph } = deps;
  const entry = (ref: string): CatalogEntry | undefined => {
    const entity = graph.get(ref);
    if (!entity) return undefined;
    const canonical = ref.toLowerCase();
    const definedIn = definedInMarkdown(entity, graph.source(canonical));
    return {
      ref: canonical,
      // A copy: a plugin that changed it would otherwise change the catalog's own answers.
      entity: structuredClone(entity) as DeepReadonly<Entity>,
      owners: graph.owners(canonical).sort(),
      ...(definedIn ? { definedIn } : {}),
    };
  };
  return {
    get size() {
      return graph.size;
    },
    get: (ref) => (typeof ref === "string" ? entry(ref) : undefined),
    async lookup(query, options) {
      const resolved = await resolveArgument(deps, query, options.command, {
        ...(options.kinds ? { kinds: options.kinds } : {}),
        ...(options.suffix ? { suffix: options.suffix } : {}),
      });
      if ("reply" in resolved) return { reply: resolved.reply };
      // resolveArgument answers only with refs the graph holds.
      const found = entry(resolved.ref)!;
      return resolved.correctedFrom === undefined
        ? { found }
        : { found, correctedFrom: resolved.correctedFrom };
    },
    answerFor: (lookup, answer) =>
      answerFor(
        graph,
        {
          ref: lookup.found.ref,
          ...(lookup.correctedFrom !== undefined ? { correctedFrom: lookup.correctedFrom } : {}),
        },
        answer,
      ),
    list: (filter = {}) => listEntries(graph, filter, entry),
  };
}

function listEntries(
  graph: CatalogGraph,
  filter: CatalogFilter,
  entry: (ref: string) => CatalogEntry | undefined,
): CatalogListing {
  const kinds =
    filter.kind === undefined
      ? undefined
      : new Set((typeof filter.kind === "string" ? [filter.kind] : filter.kind).map((k) => k.toLowerCase()));
  const namespace = filter.namespace?.toLowerCase();
  const owner = filter.owner === undefined ? undefined : ownerRef(filter.owner);
  const type = filter.type?.toLowerCase();
  const limit = Math.min(Math.max(Math.floor(filter.limit ?? DEFAULT_LIMIT), 0), MAX_LIMIT);
  const refs: string[] = [];
  for (const { ref, entity } of graph.entities()) {
    if (kinds && !kinds.has(kindOfRef(ref))) continue;
    if (namespace !== undefined && (entity.metadata.namespace ?? "default").toLowerCase() !== namespace)
      continue;
    if (filter.annotation) {
      const value = entity.metadata.annotations?.[filter.annotation.key];
      if (value === undefined) continue;
      if (filter.annotation.value !== undefined && value !== filter.annotation.value) continue;
    }
    if (type !== undefined) {
      const specType = entity.spec?.type;
      if (typeof specType !== "string" || specType.toLowerCase() !== type) continue;
    }
    if (owner !== undefined && !graph.owners(ref).includes(owner)) continue;
    refs.push(ref);
  }
  refs.sort();
  return { entries: refs.slice(0, limit).map((ref) => entry(ref)!), total: refs.length };
}

/**
 * An owner as a canonical ref; a bare name is a group in the default namespace, as spec.owner reads it. A
 * malformed one matches nothing.
 */
function ownerRef(owner: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(owner.trim(), { defaultKind: "group" })).toLowerCase();
  } catch {
    return "";
  }
}
