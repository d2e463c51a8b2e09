import type { ChatCommand } from "../../plugins/api.ts";
import type { Action, Block, Field } from "../../message/reply.ts";
import { actions, context, escapeText, header, reply, section } from "../../message/reply.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";
import {
  channelMarkdown,
  contactLine,
  displayName,
  entityName,
  profileString,
  refList,
  refMarkdown,
  refPlain,
  summaryLine,
} from "./entity-text.ts";
import type { CatalogCommandDeps } from "./resolve-argument.ts";
import { answerFor, resolveArgument, usageReply } from "./resolve-argument.ts";

/** Members listed in full; a bigger team shows this many and a count, the team command shows the rest. */
const MEMBERS_SHOWN = 10;

export function whoOwnsCommand(deps: CatalogCommandDeps): ChatCommand {
  const command: ChatCommand = {
    name: "who-owns",
    phrases: ["who owns", "owner of", "owner", "owns", "whoowns", "who-owns", "who is the owner of"],
    summary: "Who owns an entity, and how to reach them.",
    usage: "who owns <name>",
    examples: ["who owns payments-api", "owner of payments api"],
    async handler(ctx) {
      if (!ctx.args) return usageReply(command);
      const resolved = await resolveArgument(deps, ctx.args, "who owns");
      if ("reply" in resolved) return resolved.reply;
      return answerFor(deps.graph, resolved, whoOwnsReply(deps, resolved.ref));
    },
  };
  return command;
}

export function whoOwnsReply(deps: CatalogCommandDeps, ref: string) {
  const { graph } = deps;
  const name = displayName(graph, ref);
  const owners = graph.owners(ref).sort();
  const blocks: Block[] = [header(`Who owns ${name}`)];
  const buttons: Action[] = [{ label: `Show ${name}`, command: `show ${ref}` }];
  buttons.push({ label: "Dependencies", command: `deps ${ref}` });

  if (owners.length === 0) {
    blocks.push(section(`${refMarkdown(graph, ref, true)} has no owner in the catalog.`));
    blocks.push(context("Add `spec.owner` to its catalog-info.yaml to record one."));
    blocks.push(actions(...buttons));
    return reply(`${name} has no owner in the catalog.`, ...blocks);
  }

  for (const owner of owners) {
    blocks.push(...ownerBlocks(graph, ref, owner));
    if (kindOfRef(owner) === "group" && graph.has(owner)) {
      buttons.push({ label: `Team ${displayName(graph, owner)}`, command: `team ${owner}` });
    }
  }
  const url = deps.catalogUrl?.(ref);
  if (url) buttons.push({ label: "Open in catalog", url });
  blocks.push(actions(...buttons));
  const ownerNames = owners.map((owner) => refPlain(graph, owner)).join(" and ");
  return reply(`${name} is owned by ${ownerNames}.`, ...blocks);
}

function ownerBlocks(graph: CatalogGraph, ref: string, owner: string): Block[] {
  const subject = refMarkdown(graph, ref, true);
  const entity = graph.get(owner);
  if (!entity) {
    return [
      section(`${subject} is owned by \`${owner}\`, which is not in the catalog (unresolved).`),
      context("The owner ref may be misspelled, or its descriptor has not been imported yet."),
    ];
  }

  // The owner's description is a field labelled as theirs: as a line under "X is owned by Y." it read as X's.
  const about = summaryLine(entity.metadata.description);
  const sentence = `${subject} is owned by ${refMarkdown(graph, owner)}.`;
  const ownerFields: Field[] = [{ label: "Owner", value: ownerMarkdown(graph, owner) }];
  if (entity.kind === "User") {
    if (about) ownerFields.push({ label: "About the owner", value: escapeText(about) });
    ownerFields.push({ label: "Contact", value: contactLine(entity) });
    const teams = graph.related(owner, RELATION.memberOf).sort();
    if (teams.length > 0) ownerFields.push({ label: "Member of", value: refList(graph, teams) });
    return [section(sentence, ownerFields)];
  }

  if (about) ownerFields.push({ label: "About the team", value: escapeText(about) });

  const email = profileString(entity, "email");
  if (email) ownerFields.push({ label: "Email", value: escapeText(email) });
  const channel = channelMarkdown(entity);
  if (channel) ownerFields.push({ label: "Channel", value: channel });
  const parents = graph.parentOf(owner);
  if (parents.length > 0) ownerFields.push({ label: "Parent team", value: refList(graph, parents) });

  const blocks: Block[] = [section(sentence, ownerFields)];
  blocks.push(...memberBlocks(graph, owner));
  return blocks;
}

/**
 * The owner with its kind, and for a group whose title differs its name too: the name is what `team` and
 * descriptor files take, the title alone leaves a newcomer guessing it.
 */
function ownerMarkdown(graph: CatalogGraph, owner: string): string {
  const kind = kindOfRef(owner);
  const name = entityName(graph, owner);
  return kind === "group" && displayName(graph, owner) !== name
    ? `${refMarkdown(graph, owner)} (group \`${name}\`)`
    : refMarkdown(graph, owner, true);
}

/**
 * The people in a group with how to reach each, for who-owns and team: one line a person, led by the
 * person (a mention in Slack), not a field whose label is plain text on every surface.
 */
export function memberBlocks(graph: CatalogGraph, groupRef: string, limit = MEMBERS_SHOWN): Block[] {
  const members = graph.members(groupRef).sort();
  if (members.length === 0) return [context("This team lists no members in the catalog.")];
  const lines = members.slice(0, limit).map((member) => {
    const person = graph.get(member);
    return person
      ? `• ${refMarkdown(graph, member)} · ${contactLine(person)}`
      : `• \`${member}\` _(unresolved: no User entity with this ref)_`;
  });
  const blocks: Block[] = [section([`**Members** (${members.length})`, ...lines].join("\n"))];
  if (members.length > limit) blocks.push(context(`and ${members.length - limit} more`));
  return blocks;
}
