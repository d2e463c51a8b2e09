import type { ChatCommand, CommandContext } from "../../plugins/api.ts";
import type { Action, Block, Reply } from "../../message/reply.ts";
import { actions, context, header, reply, section } from "../../message/reply.ts";
import type { CatalogGraph, DependencyNode } from "../graph/catalog-graph.ts";
import { MAX_WALK_NODES } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";
import { displayName, refMarkdown, refPlain } from "./entity-text.ts";
import type { CatalogCommandDeps } from "./resolve-argument.ts";
import { answerFor, resolveArgument, usageReply } from "./resolve-argument.ts";

export const MAX_DEPTH = 5;
/** Lines in one tree; a wide graph at depth 5 can be thousands of lines nobody reads in chat. */
const MAX_LINES = 60;
/** Names in the plain-text summary (notifications, screen readers). */
const MAX_PLAIN = 20;

type Direction = "deps" | "dependents";

export function dependenciesCommand(deps: CatalogCommandDeps): ChatCommand {
  const command: ChatCommand = {
    name: "deps",
    phrases: ["deps", "deps of", "dependencies", "dependencies of"],
    summary: "What an entity depends on, as a tree.",
    usage: "deps <name> [--depth N]",
    examples: ["deps payments-api", "deps payments-api --depth 3"],
    handler: (ctx) => run(deps, command, "deps", ctx),
  };
  return command;
}

export function dependentsCommand(deps: CatalogCommandDeps): ChatCommand {
  const command: ChatCommand = {
    name: "dependents",
    phrases: ["dependents", "dependents of", "who depends on", "what depends on", "who uses"],
    summary: "What depends on an entity, as a tree.",
    usage: "dependents <name> [--depth N]",
    examples: ["dependents payments-db", "what depends on payments-api --depth 2"],
    handler: (ctx) => run(deps, command, "dependents", ctx),
  };
  return command;
}

/** `--depth` as a number from 1 to MAX_DEPTH; anything else is reported, not guessed at. */
export function parseDepth(flag: string | true | undefined): { depth: number; note?: string } {
  if (flag === undefined) return { depth: 1 };
  const value = flag === true ? NaN : Number(flag);
  if (!Number.isInteger(value) || value < 1) {
    return { depth: 1, note: `--depth takes a whole number from 1 to ${MAX_DEPTH}; showing depth 1.` };
  }
  if (value > MAX_DEPTH) return { depth: MAX_DEPTH, note: `Depth is capped at ${MAX_DEPTH}.` };
  return { depth: value };
}

async function run(
  deps: CatalogCommandDeps,
  command: ChatCommand,
  direction: Direction,
  ctx: CommandContext,
) {
  if (!ctx.args) return usageReply(command);
  const { depth, note } = parseDepth(ctx.flags["depth"]);
  const suffix = depth !== 1 ? `--depth ${depth}` : undefined;
  const resolved = await resolveArgument(deps, ctx.args, direction, suffix ? { suffix } : {});
  if ("reply" in resolved) return resolved.reply;
  return answerFor(deps.graph, resolved, dependencyReply(deps, resolved.ref, direction, depth, note));
}

export function dependencyReply(
  deps: CatalogCommandDeps,
  ref: string,
  direction: Direction,
  depth: number,
  note?: string,
): Reply {
  const { graph } = deps;
  const tree = direction === "deps" ? graph.dependencies(ref, depth) : graph.dependents(ref, depth);
  const name = displayName(graph, ref);
  const title = direction === "deps" ? `Dependencies of ${name}` : `Dependents of ${name}`;
  const blocks: Block[] = [header(title)];

  const lines: string[] = [];
  let entries = 0;
  // The total counts entities, not lines: one reached by two paths is listed twice (the repeat marked), and
  // a cycle back to the entity asked about is not one more thing it depends on.
  const distinct = new Set<string>();
  const visit = (node: DependencyNode, level: number) => {
    for (const child of node.children) {
      entries++;
      if (child.ref !== tree.ref) distinct.add(child.ref);
      if (lines.length < MAX_LINES) lines.push(treeLine(graph, child, level, tree.ref));
      visit(child, level + 1);
    }
  };
  visit(tree, 0);
  const total = distinct.size;

  const direct = graph.relatedCount(ref, direction === "deps" ? RELATION.dependsOn : RELATION.dependencyOf);
  if (direct === 0) {
    blocks.push(
      section(
        direction === "deps"
          ? `${refMarkdown(graph, ref)} depends on nothing in the catalog.`
          : `Nothing in the catalog depends on ${refMarkdown(graph, ref)}.`,
      ),
    );
  } else {
    blocks.push(section(lines.join("\n")));
    if (entries > lines.length) blocks.push(context(`and ${entries - lines.length} more`));
  }
  const scope = depth === 1 ? "direct only" : `depth ${depth}`;
  // A walk cut at its node limit has no true total; it says where it stopped and what to ask instead.
  const counts = tree.truncated
    ? `${direct} direct, ${scope}; only the first ${MAX_WALK_NODES.toLocaleString("en")} entries were walked. ` +
      "Use a smaller --depth, or ask about one of them"
    : entries > total
      ? `${direct} direct, ${total} distinct in total, ${scope}; repeats are marked, not counted`
      : `${direct} direct, ${total} in total, ${scope}`;
  blocks.push(context([counts, note].filter(Boolean).join(". ")));

  const buttons: Action[] = [];
  if (depth < MAX_DEPTH && direct > 0 && !tree.truncated) {
    buttons.push({ label: "Deeper", command: `${direction} ${ref} --depth ${depth + 1}` });
  }
  buttons.push(
    direction === "deps"
      ? { label: "Dependents", command: `dependents ${ref}` }
      : { label: "Dependencies", command: `deps ${ref}` },
  );
  buttons.push({ label: `Show ${name}`, command: `show ${ref}` });
  blocks.push(actions(...buttons));

  const named = tree.children.slice(0, MAX_PLAIN).map((child) => refPlain(graph, child.ref));
  const plain =
    direct > named.length ? `${named.join(", ")} and ${direct - named.length} more` : named.join(", ");
  const text =
    direct === 0
      ? direction === "deps"
        ? `${name} depends on nothing in the catalog.`
        : `Nothing in the catalog depends on ${name}.`
      : `${title}: ${plain}`;
  return reply(text, ...blocks);
}

function treeLine(graph: CatalogGraph, node: DependencyNode, level: number, start: string): string {
  const indent = "    ".repeat(level);
  const label = refMarkdown(graph, node.ref, node.resolved);
  // The walk is breadth-first, so a repeat's full entry may come further down (at a shallower level): the
  // mark says it is elsewhere, not "above"; a repeat of the entity asked about is a cycle back to it.
  const mark = !node.repeated
    ? ""
    : node.ref === start
      ? " _(the entity asked about: a cycle)_"
      : " _(listed elsewhere in this tree)_";
  return `${indent}• ${label}${mark}`;
}
