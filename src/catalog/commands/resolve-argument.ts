import type { ChatCommand } from "../../plugins/api.ts";
import type { Action, Reply } from "../../message/reply.ts";
import { actions, context, escapeText, reply, section } from "../../message/reply.ts";
import type { EntityResolver } from "../resolver.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { displayName } from "./entity-text.ts";

export interface CatalogCommandDeps {
  graph: CatalogGraph;
  /** Asked on every command, so a better resolver registered later (search) takes over at once. */
  resolver: () => EntityResolver;
  docsUrl?: (ref: string) => string | undefined;
  catalogUrl?: (ref: string) => string;
}

/** The answer to a command typed without its argument: how to use it, not an error. */
export function usageReply(command: Pick<ChatCommand, "name" | "usage" | "examples" | "summary">): Reply {
  const blocks = [section(`${command.summary}\nUsage: \`${command.usage}\``)];
  if (command.examples && command.examples.length > 0) {
    blocks.push(context(`Examples: ${command.examples.map((e) => `\`${e}\``).join(", ")}`));
  }
  return reply(`Usage: ${command.usage}`, ...blocks);
}

/**
 * Turn the typed name into one ref, or into the reply that helps the person pick: "did you mean" with
 * one button per candidate that re-runs `phrase` on it (keeping `suffix`, e.g. "--depth 2").
 */
export async function resolveArgument(
  deps: CatalogCommandDeps,
  query: string,
  phrase: string,
  options: { kinds?: string[]; suffix?: string } = {},
): Promise<{ ref: string } | { reply: Reply }> {
  let resolution = await deps.resolver().resolve(query, options.kinds ? { kinds: options.kinds } : {});
  // A resolver backed by another index (search) may lag behind the graph; never answer from a ref it lacks.
  if (resolution.status === "found" && deps.graph.has(resolution.ref))
    return { ref: resolution.ref.toLowerCase() };
  if (resolution.status === "found") resolution = { status: "missing", candidates: [] };

  const suffix = options.suffix ? ` ${options.suffix}` : "";
  const quoted = `**${escapeText(query)}**`;
  const candidates = resolution.candidates.filter((ref) => deps.graph.has(ref)).slice(0, 5);
  if (candidates.length === 0) {
    return {
      reply: reply(
        `Nothing in the catalog is called "${query}". Try: search ${query}`,
        section(`Nothing in the catalog is called ${quoted}.`),
        context(
          `Try \`search ${escapeText(query)}\` to look through names and descriptions, ` +
            "or give a full ref such as `component:default/payments-api`.",
        ),
        actions({ label: `Search "${query}"`, command: `search ${query}` }),
      ),
    };
  }
  const names = candidates.map((ref) => candidateLabel(deps.graph, ref));
  const lead =
    resolution.status === "ambiguous"
      ? `${quoted} matches more than one entity. Which one?`
      : `I couldn't find ${quoted}. Did you mean:`;
  const buttons: Action[] = candidates.map((ref, i) => ({
    label: names[i]!,
    command: `${phrase} ${ref}${suffix}`,
  }));
  return {
    reply: reply(
      resolution.status === "ambiguous"
        ? `"${query}" matches: ${names.join(", ")}`
        : `No entity "${query}". Did you mean: ${names.join(", ")}?`,
      section(lead),
      actions(...buttons),
    ),
  };
}

function candidateLabel(graph: CatalogGraph, ref: string): string {
  return `${displayName(graph, ref)} (${kindOfRef(ref)})`;
}
