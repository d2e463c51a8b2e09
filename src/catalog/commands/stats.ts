import type { ChatCommand } from "../../plugins/api.ts";
import type { Field, Reply } from "../../message/reply.ts";
import { context, fields, header, reply, section } from "../../message/reply.ts";
import { count } from "../../text/grammar.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindLabel } from "./entity-text.ts";

export function statsCommand(graph: CatalogGraph): ChatCommand {
  return {
    name: "catalog-stats",
    phrases: ["catalog stats", "catalog statistics"],
    summary: "How many entities of each kind the catalog holds, and how many refs point nowhere.",
    usage: "catalog stats",
    handler: () => statsReply(graph),
  };
}

export function statsReply(graph: CatalogGraph): Reply {
  const stats = graph.stats();
  const kinds: Field[] = Object.entries(stats.byKind)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([kind, count]) => ({ label: kindLabel(kind, 2), value: String(count) }));
  const totals: Field[] = [
    { label: "Entities", value: String(graph.size) },
    { label: "Relations", value: String(stats.relations) },
    { label: "Unresolved refs", value: String(stats.unresolved) },
  ];
  const blocks = [header("Catalog"), fields(...totals)];
  if (kinds.length > 0) blocks.push(section("**By kind**", kinds));
  else
    blocks.push(context("The catalog is empty. Import descriptor files with `callboard import <folder>`."));
  if (stats.unresolved > 0) {
    blocks.push(
      context("Unresolved refs are relations whose target is not in the catalog, e.g. a misspelt owner."),
    );
  }
  return reply(
    `Catalog: ${count(graph.size, "entity", "entities")}, ${count(stats.relations, "relation")}, ` +
      `${count(stats.unresolved, "unresolved ref")}.`,
    ...blocks,
  );
}
