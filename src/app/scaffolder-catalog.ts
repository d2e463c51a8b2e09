import type { CatalogService, ImportReport } from "../catalog/catalog-service.ts";
import { RELATION } from "../catalog/graph/relation-types.ts";
import type { CatalogGraph } from "../catalog/graph/catalog-graph.ts";
import type { OptionsProvider } from "../plugins/api.ts";
import type { PickerCatalog } from "../scaffold/chat/catalog-picker.ts";
import type { ScaffolderCatalog } from "../scaffold/scaffolder.ts";
import { transitiveGroups } from "../scaffold/tasks/run-permissions.ts";

/**
 * The scaffolder's view of the catalog: entities from the graph, Template entities for listing, and
 * registration through the same import (and audit entry) as `callboard import`.
 */
export function scaffolderCatalog(
  catalog: CatalogService,
  importLocation: (target: string) => Promise<ImportReport>,
): ScaffolderCatalog {
  const { graph } = catalog;
  return {
    getEntity: (ref) => graph.get(ref),
    groupsOf: (userRef) =>
      transitiveGroups(
        (user) => graph.related(user, RELATION.memberOf),
        (group) => graph.parentOf(group),
        userRef,
      ),
    templates: () =>
      [...graph.refsOfKind("template")].flatMap((ref) => {
        const entity = graph.get(ref);
        return entity ? [{ ref, entity }] : [];
      }),
    async register(target) {
      const report = await importLocation(target);
      if (report.problems.length > 0) {
        const problems = report.problems.map(
          (p) => `${p.location}${p.line ? `:${p.line}` : ""}: ${p.message}`,
        );
        throw new Error(
          `The catalog registered ${report.locationKey}, but reading it reported: ${problems.join("; ")}`,
        );
      }
      const refs = [...report.added, ...report.updated];
      if (refs.length === 0) {
        for (const { ref } of graph.entities())
          if (graph.source(ref)?.location === report.locationKey) refs.push(ref);
      }
      return { entityRefs: refs };
    },
  };
}

/** Candidates listed for an empty query (a dialog that opens with its choices already filled in). */
const BROWSE_LIMIT = 200;

/**
 * What template pickers read: typed text goes to the entity type-ahead the search plugin registers (typo
 * tolerant, ranked), an empty query lists the graph's entities of the wanted kinds; membership and ownership
 * come from the graph's relations.
 */
export function pickerCatalog(
  graph: CatalogGraph,
  entityOptions: () => OptionsProvider | undefined,
): PickerCatalog {
  return {
    async search(query, kinds, limit) {
      const provider = entityOptions();
      if (query.trim() !== "" && provider) {
        const found = await provider.options(query, kinds ? { kinds } : {}, { surface: "cli", id: "picker" });
        return found.map((option) => option.value).slice(0, limit);
      }
      const refs: string[] = [];
      for (const kind of kinds && kinds.length > 0
        ? kinds
        : ["component", "system", "group", "user", "api", "resource"]) {
        for (const ref of graph.refsOfKind(kind.toLowerCase())) {
          refs.push(ref);
          if (refs.length >= Math.min(limit, BROWSE_LIMIT)) return refs;
        }
      }
      return refs;
    },
    entity: (ref) => graph.get(ref),
    groupsOf: (userRef) => graph.related(userRef, RELATION.memberOf),
    ownedBy: (owners) => [...new Set(owners.flatMap((owner) => graph.related(owner, RELATION.ownerOf)))],
  };
}
