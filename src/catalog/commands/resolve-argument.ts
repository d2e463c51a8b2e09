import type { ChatCommand } from "../../plugins/api.ts";
import type { Action, Reply } from "../../message/reply.ts";
import { actions, context, escapeText, reply, section } from "../../message/reply.ts";
import type { EntityResolver } from "../resolver.ts";
import { parseQuery } from "../resolver.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { entityName, kindName } from "./entity-text.ts";

export interface CatalogCommandDeps {
  graph: CatalogGraph;
  /** Asked on every command, so a better resolver registered later (search) takes over at once. */
  resolver: () => EntityResolver;
  docsUrl?: (ref: string) => string | undefined;
  catalogUrl?: (ref: string) => string;
}

/** A name resolved to one entity. */
export interface Resolved {
  ref: string;
  /** What the person typed, when the ref is a correction of it (a typo, a partial name). */
  correctedFrom?: string;
}

const MAX_CANDIDATES = 5;

/** The answer to a command typed without its argument: how to use it, not an error. */
export function usageReply(command: Pick<ChatCommand, "name" | "usage" | "examples" | "summary">): Reply {
  const blocks = [section(`${command.summary}\nUsage: \`${command.usage}\``)];
  if (command.examples && command.examples.length > 0) {
    blocks.push(context(`Examples: ${command.examples.map((e) => `\`${e}\``).join(", ")}`));
  }
  return reply(`Usage: ${command.usage}`, ...blocks);
}

/**
 * Turn the typed name into one ref, or into the reply that helps the person pick: "which one?" for equal
 * matches, "did you mean" for near misses, with one button per candidate that re-runs `phrase` on it
 * (keeping `suffix`, e.g. "--depth 2").
 */
export async function resolveArgument(
  deps: CatalogCommandDeps,
  query: string,
  phrase: string,
  options: { kinds?: string[]; suffix?: string } = {},
): Promise<Resolved | { reply: Reply }> {
  let resolution = await deps.resolver().resolve(query, options.kinds ? { kinds: options.kinds } : {});
  // A resolver backed by another index (search) may lag behind the graph; never answer from a ref it lacks.
  if (resolution.status === "found" && deps.graph.has(resolution.ref)) {
    const ref = resolution.ref.toLowerCase();
    return resolution.match === "corrected" ? { ref, correctedFrom: query.trim() } : { ref };
  }
  if (resolution.status === "found") resolution = { status: "missing", candidates: [] };

  const typed = parseQuery(query);
  const candidates = resolution.candidates.filter((ref) => deps.graph.has(ref)).slice(0, MAX_CANDIDATES);
  // A typed kind is part of what was not found: "There is no API called petstore".
  const asked = typed.kind ? typed.name : query.trim();
  const quoted = `**${escapeText(asked)}**`;
  const kind = typed.kind ? kindName(typed.kind) : undefined;

  if (candidates.length === 0) {
    return {
      reply: reply(
        kind
          ? `There is no ${kind} called "${asked}". Try: search ${asked}`
          : `Nothing in the catalog is called "${asked}". Try: search ${asked}`,
        section(
          kind
            ? `There is no ${kind} called ${quoted} in the catalog.`
            : `Nothing in the catalog is called ${quoted}.`,
        ),
        context(
          `Try \`search ${escapeText(asked)}\` to look through names and descriptions, ` +
            "or give a full ref such as `component:default/payments-api`.",
        ),
        actions({ label: `Search "${asked}"`, command: `search ${asked}` }),
      ),
    };
  }

  const suffix = options.suffix ? ` ${options.suffix}` : "";
  const labels = candidates.map((ref) => candidateLabel(deps.graph, ref));
  const buttons: Action[] = candidates.map((ref, i) => ({
    label: labels[i]!,
    command: `${phrase} ${ref}${suffix}`,
  }));
  // Only equal matches (one name in several kinds or namespaces) are a "which one"; anything found by
  // spelling or description is a suggestion, and a single suggestion is named.
  if (resolution.status === "ambiguous" && candidates.length > 1) {
    return {
      reply: reply(
        `"${asked}" matches ${labels.join(", ")}. Which one?`,
        section(`${quoted} matches more than one entity. Which one?`),
        actions(...buttons),
      ),
    };
  }
  const lead = kind ? `There is no ${kind} called ${quoted}.` : `I couldn't find ${quoted}.`;
  const plainLead = kind ? `There is no ${kind} called "${asked}".` : `No entity "${asked}".`;
  const only = candidates.length === 1 ? candidates[0]! : undefined;
  return {
    reply: reply(
      only
        ? `${plainLead} Did you mean ${labels[0]}?`
        : `${plainLead} Did you mean one of: ${labels.join(", ")}?`,
      section(
        only
          ? `${lead} Did you mean **${escapeText(entityName(deps.graph, only))}** (${kindName(kindOfRef(only))})?`
          : `${lead} Did you mean one of these?`,
      ),
      actions(...buttons),
    ),
  };
}

/** The reply for a resolved name, led by one line saying so when the name was a correction of the query. */
export function answerFor(graph: CatalogGraph, resolved: Resolved, answer: Reply): Reply {
  if (resolved.correctedFrom === undefined) return answer;
  const name = entityName(graph, resolved.ref);
  const note = context(`Showing **${escapeText(name)}** for "${escapeText(resolved.correctedFrom)}".`);
  return { ...answer, blocks: [note, ...answer.blocks] };
}

/** A candidate by its name, not its title: the person typed a name, and two titles may be alike. */
function candidateLabel(graph: CatalogGraph, ref: string): string {
  return `${entityName(graph, ref)} (${kindName(kindOfRef(ref))})`;
}
