import type { ChatCommand } from "../../plugins/api.ts";
import type { Action, Block, Field, Reply } from "../../message/reply.ts";
import { actions, context, escapeText, fields, header, reply, section } from "../../message/reply.ts";
import { count, withArticle } from "../../text/grammar.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";
import { KIND_PREFERENCE } from "../graph/graph-resolver.ts";
import {
  channelMarkdown,
  displayName,
  kindLabel,
  kindName,
  profileString,
  refList,
  refMarkdown,
} from "./entity-text.ts";
import type { CatalogCommandDeps } from "./resolve-argument.ts";
import { answerFor, resolveArgument, usageReply } from "./resolve-argument.ts";
import { memberBlocks } from "./who-owns.ts";

/** Names listed per kind before "and N more". */
const OWNED_SHOWN = 10;
/** Members listed in a team reply; Slack allows ten fields a section. */
const TEAM_MEMBERS_SHOWN = 10;

export function teamCommand(deps: CatalogCommandDeps): ChatCommand {
  const command: ChatCommand = {
    name: "team",
    phrases: ["team", "team of"],
    summary: "A team: its members, parent and child teams, and everything it owns.",
    usage: "team <group>",
    examples: ["team team-payments"],
    async handler(ctx) {
      if (!ctx.args) return usageReply(command);
      const resolved = await resolveArgument(deps, ctx.args, "team", { kinds: ["group"] });
      if ("reply" in resolved) return resolved.reply;
      return answerFor(deps.graph, resolved, teamReply(deps, resolved.ref));
    },
  };
  return command;
}

/** Owned refs grouped by kind as fields, kinds in the usual order of interest, long lists cut with a count. */
export function ownedFields(graph: CatalogGraph, ownerRef: string, perKind = OWNED_SHOWN): Field[] {
  const owned = graph.ownedBy(ownerRef);
  const order = (kind: string) => {
    const at = KIND_PREFERENCE.indexOf(kind);
    return at === -1 ? KIND_PREFERENCE.length : at;
  };
  return Object.keys(owned)
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1))
    .map((kind) => {
      const refs = owned[kind]!;
      return {
        label: `${kindLabel(kind, refs.length)} (${refs.length})`,
        value: refList(graph, refs, perKind),
      };
    });
}

export function teamReply(deps: CatalogCommandDeps, ref: string): Reply {
  const { graph } = deps;
  const name = displayName(graph, ref);
  const entity = graph.get(ref)!;
  const kind = kindOfRef(ref);

  if (kind !== "group") {
    return notAGroup(graph, ref, name);
  }

  const about: Field[] = [];
  const email = profileString(entity, "email");
  if (email) about.push({ label: "Email", value: escapeText(email) });
  const channel = channelMarkdown(entity);
  if (channel) about.push({ label: "Channel", value: channel });
  const parents = graph.parentOf(ref).sort();
  about.push({ label: "Parent team", value: parents.length > 0 ? refList(graph, parents) : "none" });
  const children = graph.childrenOf(ref).sort();
  if (children.length > 0) about.push({ label: "Child teams", value: refList(graph, children) });

  const type =
    typeof entity.spec?.["type"] === "string" ? ` (${escapeText(entity.spec["type"] as string)})` : "";
  const description = entity.metadata.description ? `\n${escapeText(entity.metadata.description)}` : "";
  const blocks: Block[] = [
    header(`Team ${name}`),
    section(`${refMarkdown(graph, ref)}${type}${description}`, about),
    ...memberBlocks(graph, ref, TEAM_MEMBERS_SHOWN),
  ];

  const owned = ownedFields(graph, ref);
  const ownedCount = graph.related(ref, RELATION.ownerOf).length;
  if (owned.length > 0) {
    blocks.push(section(`**Owns** (${ownedCount})`));
    blocks.push(fields(...owned));
  } else {
    blocks.push(context(`${name} owns nothing in the catalog.`));
  }

  const buttons: Action[] = [];
  for (const parent of parents.filter((p) => graph.has(p)).slice(0, 1)) {
    buttons.push({ label: `Parent: ${displayName(graph, parent)}`, command: `team ${parent}` });
  }
  for (const child of children.filter((c) => graph.has(c)).slice(0, 3)) {
    buttons.push({ label: `Team ${displayName(graph, child)}`, command: `team ${child}` });
  }
  buttons.push({ label: `Show ${name}`, command: `show ${ref}` });
  blocks.push(actions(...buttons));

  return reply(
    `Team ${name}: ${count(graph.members(ref).length, "member")}, owns ${count(ownedCount, "entity", "entities")}.`,
    ...blocks,
  );
}

/** The resolver may land on a non-group when nothing else fits: say so and point at the right team. */
function notAGroup(graph: CatalogGraph, ref: string, name: string): Reply {
  const teams =
    kindOfRef(ref) === "user"
      ? graph.related(ref, RELATION.memberOf)
      : graph.owners(ref).filter((owner) => kindOfRef(owner) === "group");
  const relation = kindOfRef(ref) === "user" ? "is a member of" : "is owned by";
  const kind = withArticle(kindName(kindOfRef(ref)));
  const lead = `${refMarkdown(graph, ref)} is ${kind}, not a team.`;
  const existing = teams.filter((team) => graph.has(team)).sort();
  const text = existing.length > 0 ? `${lead} It ${relation} ${refList(graph, existing)}.` : lead;
  const buttons: Action[] = existing
    .slice(0, 3)
    .map((team) => ({ label: `Team ${displayName(graph, team)}`, command: `team ${team}` }));
  buttons.push({ label: `Show ${name}`, command: `show ${ref}` });
  return reply(`${name} is ${kind}, not a team.`, section(text), actions(...buttons));
}
