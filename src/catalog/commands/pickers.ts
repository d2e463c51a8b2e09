import type { Option } from "../../message/form.ts";
import type { OptionsProvider } from "../../plugins/api.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { displayName } from "./entity-text.ts";

const MAX_OPTIONS = 20;
/** Prefix keys scanned to fill 20 options when a kind filter drops most of them. */
const SCAN = 400;

/**
 * Type-ahead by name prefix straight from the graph's sorted name index. The search plugin registers
 * typo-tolerant providers under the same ids later and replaces these.
 */
export function graphOptionsProvider(
  graph: CatalogGraph,
  id: string,
  defaultKinds?: string[],
): OptionsProvider {
  return {
    id,
    async options(query, filter) {
      const kinds = (filter.kinds ?? defaultKinds)?.map((k) => k.toLowerCase());
      const out: Option[] = [];
      const seen = new Set<string>();
      for (const { refs } of graph.nameIndex.withPrefix(query, SCAN)) {
        for (const ref of refs) {
          if (seen.has(ref) || !graph.has(ref)) continue;
          if (kinds && kinds.length > 0 && !kinds.includes(kindOfRef(ref))) continue;
          seen.add(ref);
          out.push(option(graph, ref));
          if (out.length >= MAX_OPTIONS) return out;
        }
      }
      return out;
    },
  };
}

function option(graph: CatalogGraph, ref: string): Option {
  const entity = graph.get(ref)!;
  const description = entity.metadata.description;
  const label = displayName(graph, ref);
  return {
    value: ref,
    label: label === entity.metadata.name ? label : `${label} (${entity.metadata.name})`,
    description: description ? `${kindOfRef(ref)} · ${description}` : kindOfRef(ref),
  };
}
