import type { ChatCommand } from "../../plugins/api.ts";
import type { Action, Block, Field, Link, Reply } from "../../message/reply.ts";
import { actions, context, escapeText, fields, header, links, reply, section } from "../../message/reply.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";
import { definedInMarkdown, repositoryLink } from "./entity-source.ts";
import {
  chatHandles,
  contactLine,
  displayName,
  linkMarkdown,
  refList,
  refMarkdown,
  specDetails,
  specString,
} from "./entity-text.ts";
import type { CatalogCommandDeps } from "./resolve-argument.ts";
import { answerFor, resolveArgument, usageReply } from "./resolve-argument.ts";

export function showCommand(deps: CatalogCommandDeps): ChatCommand {
  const command: ChatCommand = {
    name: "show",
    phrases: ["show", "describe"],
    summary: "Everything the catalog knows about one entity.",
    usage: "show <name>",
    examples: ["show payments-api", "show component:default/payments-api"],
    async handler(ctx) {
      if (!ctx.args) return usageReply(command);
      const resolved = await resolveArgument(deps, ctx.args, "show");
      if ("reply" in resolved) return resolved.reply;
      return answerFor(deps.graph, resolved, showReply(deps, resolved.ref));
    },
  };
  return command;
}

/** Kinds whose spec fields this answer lays out one by one; others list their spec's plain values. */
const LAID_OUT_KINDS = new Set([
  "Component",
  "API",
  "Resource",
  "System",
  "Domain",
  "Group",
  "User",
  "Location",
  "Template",
]);
/** Spec fields every answer already shows (or shows as relations). */
const SHOWN_ABOVE = new Set(["type", "lifecycle", "owner", "system", "dependsOn", "skills", "plugins"]);

/**
 * Where an MCP or AI model server API answers: its `remotes` (transport and URL), or `serverUrl`. These
 * APIs have no definition to read, so the endpoint is what a person asking about them needs.
 */
function apiEndpoints(spec: Record<string, unknown>): string | undefined {
  const endpoint = (transport: unknown, url: unknown) =>
    typeof url === "string"
      ? [`${typeof transport === "string" ? `${escapeText(transport)} ` : ""}\`${url.replace(/`/g, "")}\``]
      : [];
  const remotes = Array.isArray(spec.remotes)
    ? (spec.remotes as Array<{ type?: unknown; url?: unknown } | null>)
    : [];
  const shown = [
    ...remotes.flatMap((remote) => endpoint(remote?.type, remote?.url)),
    ...endpoint(spec.serverType, spec.serverUrl),
  ];
  return shown.length > 0 ? shown.join(", ") : undefined;
}

/** Refs of `type` from `ref` whose kind is `kind`. */
function relatedOfKind(graph: CatalogGraph, ref: string, type: string, kind: string): string[] {
  return graph
    .related(ref, type)
    .filter((target) => kindOfRef(target) === kind)
    .sort();
}

export function showReply(deps: CatalogCommandDeps, ref: string): Reply {
  const { graph } = deps;
  const entity = graph.get(ref)!;
  const kind = kindOfRef(ref);
  const name = displayName(graph, ref);
  const spec = entity.spec ?? {};
  const add = (list: Field[], label: string, refs: string[]) => {
    if (refs.length > 0) list.push({ label, value: refList(graph, refs) });
  };

  const about: Field[] = [{ label: "Kind", value: entity.kind }];
  const type = specString(entity, "type");
  if (type) about.push({ label: "Type", value: escapeText(type) });
  const lifecycle = specString(entity, "lifecycle");
  if (lifecycle) about.push({ label: "Lifecycle", value: escapeText(lifecycle) });
  const endpoints = apiEndpoints(spec);
  if (endpoints) about.push({ label: "Endpoints", value: endpoints });
  if ("owner" in spec || graph.owners(ref).length > 0) {
    about.push({ label: "Owner", value: refList(graph, graph.owners(ref).sort()) });
  }
  const systems = relatedOfKind(graph, ref, RELATION.partOf, "system");
  add(about, "System", systems);
  const domainsOf = kind === "domain" ? [ref] : kind === "system" ? [ref] : systems;
  const domains = [...new Set(domainsOf.flatMap((r) => relatedOfKind(graph, r, RELATION.partOf, "domain")))];
  add(about, kind === "domain" ? "Parent domain" : "Domain", domains);
  add(about, "Part of", relatedOfKind(graph, ref, RELATION.partOf, "component"));

  const relations: Field[] = [];
  add(relations, "APIs provided", graph.related(ref, RELATION.providesApi).sort());
  add(relations, "APIs consumed", graph.related(ref, RELATION.consumesApi).sort());
  add(relations, "Depends on", graph.related(ref, RELATION.dependsOn).sort());
  add(relations, "Provided by", graph.related(ref, RELATION.apiProvidedBy).sort());
  add(relations, "Consumed by", graph.related(ref, RELATION.apiConsumedBy).sort());
  add(relations, "Has parts", graph.related(ref, RELATION.hasPart).sort());
  add(relations, "Skills", graph.related(ref, RELATION.hasSkill).sort());
  add(relations, "In plugins", graph.related(ref, RELATION.skillOf).sort());
  add(relations, "Plugins", graph.related(ref, RELATION.hasPlugin).sort());
  add(relations, "In marketplaces", graph.related(ref, RELATION.pluginOf).sort());
  if (kind === "group") {
    add(relations, "Parent team", graph.parentOf(ref).sort());
    add(relations, "Child teams", graph.childrenOf(ref).sort());
    add(relations, "Members", graph.members(ref).sort());
  }
  if (kind === "user") {
    // The person first, so Slack mentions them; other surfaces show the name, never a Slack id.
    const handles = chatHandles(entity);
    const contact = contactLine(entity);
    const chat = handles.slack || handles.teams ? `${refMarkdown(graph, ref)} · ${contact}` : contact;
    relations.push({ label: "Contact", value: chat });
    add(relations, "Member of", graph.related(ref, RELATION.memberOf).sort());
  }
  const tags = entity.metadata.tags ?? [];
  if (tags.length > 0) relations.push({ label: "Tags", value: tags.map((t) => `\`${t}\``).join(" ") });

  // Where it comes from, without the server's paths: this answer may go to a whole channel.
  const repository = repositoryLink(entity);
  const definedIn = definedInMarkdown(entity, graph.source(ref));
  // Labelled with where it is (acme/payments-api), not "Repository" again beside the field's own label.
  if (repository)
    relations.push({
      label: "Repository",
      value: linkMarkdown({ ...repository, title: repositoryName(repository.url) }),
    });
  if (definedIn) relations.push({ label: "Defined in", value: definedIn });

  // A kind Callboard has no layout for (AiResource, or one an installation added) shows its spec as is.
  if (!LAID_OUT_KINDS.has(entity.kind)) about.push(...specDetails(entity, SHOWN_ABOVE));

  const blocks: Block[] = [header(name)];
  const description = entity.metadata.description
    ? escapeText(entity.metadata.description)
    : "_No description in the catalog._";
  blocks.push(section(description, about));
  if (relations.length > 0) blocks.push(fields(...relations));

  const linkList: Link[] = (entity.metadata.links ?? []).map((link) => ({
    title: link.title ?? link.url,
    url: link.url,
  }));
  if (repository) linkList.push(repository);
  const docs = deps.docsUrl?.(ref);
  if (docs) linkList.push({ title: "Docs", url: docs });
  const catalog = deps.catalogUrl?.(ref);
  if (catalog) linkList.push({ title: "Catalog", url: catalog });
  if (linkList.length > 0) blocks.push(links(linkList));
  blocks.push(context(`\`${ref}\``));

  const buttons: Action[] = [{ label: "Who owns", command: `who owns ${ref}` }];
  if (kind === "component" || kind === "resource") {
    buttons.push({ label: "Dependencies", command: `deps ${ref}` });
    buttons.push({ label: "Dependents", command: `dependents ${ref}` });
  }
  if (kind === "group") buttons.push({ label: `Team ${name}`, command: `team ${ref}` });
  blocks.push(actions(...buttons));

  const summary = [entity.kind, type, lifecycle].filter(Boolean).join(", ");
  return reply(
    `${name} (${summary})${entity.metadata.description ? `: ${entity.metadata.description}` : ""}`,
    ...blocks,
  );
}

/** A repository URL as people say it: owner/repo on a known host path, else host and path. */
function repositoryName(url: string): string {
  const parsed = new URL(url);
  const [owner, repo] = parsed.pathname.split("/").filter(Boolean);
  const path = owner && repo ? `${owner}/${repo.replace(/\.git$/, "")}` : parsed.pathname.replace(/\/+$/, "");
  return parsed.hostname === "github.com"
    ? path
    : `${parsed.hostname}${path.startsWith("/") ? "" : "/"}${path}`;
}
