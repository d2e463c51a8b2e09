import type { CatalogService, ImportReport } from "../catalog/catalog-service.ts";
import { RELATION } from "../catalog/graph/relation-types.ts";
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
