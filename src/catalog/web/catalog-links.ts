import type { IncomingMessage, ServerResponse } from "node:http";
import { context, fields, header, reply, section, type Field, type Reply } from "../../message/reply.ts";
import type { Plugin } from "../../plugins/api.ts";
import { displayName } from "../commands/entity-text.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";

/**
 * Every entity has an address, `<base>/catalog/<namespace>/<kind>/<name>` (Backstage's own shape), so
 * answers can link to it and a pasted link unfurls in Slack and Teams with title, owner and summary.
 */
export function entityPath(ref: string): string {
  const colon = ref.indexOf(":");
  const slash = ref.indexOf("/", colon);
  const [kind, namespace, name] = [ref.slice(0, colon), ref.slice(colon + 1, slash), ref.slice(slash + 1)];
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
}

/** The entity ref a catalog URL points at, when it is one of ours; undefined otherwise. */
export function refFromUrl(url: URL, base: URL): string | undefined {
  if (url.origin !== base.origin) return undefined;
  const prefix = base.pathname.replace(/\/$/, "");
  if (!url.pathname.startsWith(`${prefix}/catalog/`)) return undefined;
  const parts = url.pathname
    .slice(prefix.length + "/catalog/".length)
    .split("/")
    .filter(Boolean);
  if (parts.length !== 3) return undefined;
  try {
    const [namespace, kind, name] = parts.map((p) => decodeURIComponent(p).toLowerCase());
    return `${kind}:${namespace}/${name}`;
  } catch {
    return undefined;
  }
}

/** The preview a pasted link gets: title, kind, owner and the description. */
export function entityPreview(graph: CatalogGraph, ref: string): Reply | undefined {
  const entity = graph.get(ref);
  if (!entity) return undefined;
  const title = entity.metadata.title ?? entity.metadata.name;
  const owners = graph.related(ref, RELATION.ownedBy).map((owner) => displayName(graph, owner));
  const summary: Field[] = [{ label: "Kind", value: entity.kind }];
  if (owners.length > 0) summary.push({ label: "Owner", value: owners.join(", ") });
  if (typeof entity.spec?.lifecycle === "string")
    summary.push({ label: "Lifecycle", value: entity.spec.lifecycle });
  return reply(
    `${title} (${entity.kind.toLowerCase()})${owners.length ? `, owned by ${owners.join(", ")}` : ""}`,
    header(title),
    ...(entity.metadata.description ? [section(entity.metadata.description)] : []),
    fields(...summary),
    context(ref),
  );
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** A plain page for the entity: what a person lands on when they click a link in chat. */
function entityPage(graph: CatalogGraph, ref: string): string | undefined {
  const preview = entityPreview(graph, ref);
  const entity = graph.get(ref);
  if (!preview || !entity) return undefined;
  const rows = preview.blocks.flatMap((b) => (b.type === "section" && b.fields ? b.fields : []));
  const links = (entity.metadata.links ?? []).filter((l) => /^https?:\/\//i.test(l.url));
  const title = escapeHtml(entity.metadata.title ?? entity.metadata.name);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Callboard</title>
<meta property="og:title" content="${title}">
<meta property="og:description" content="${escapeHtml(entity.metadata.description ?? "")}">
</head><body>
<h1>${title}</h1>
${entity.metadata.description ? `<p>${escapeHtml(entity.metadata.description)}</p>` : ""}
<dl>${rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd>${escapeHtml(r.value)}</dd>`).join("")}</dl>
${links.length ? `<ul>${links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.title ?? l.url)}</a></li>`).join("")}</ul>` : ""}
<p><code>${escapeHtml(ref)}</code></p>
</body></html>
`;
}

export function catalogLinksPlugin(deps: { graph: CatalogGraph; baseUrl: string }): Plugin {
  const base = new URL(deps.baseUrl);
  const prefix = base.pathname.replace(/\/$/, "");
  return {
    id: "catalog-links",
    register(api) {
      api.addHttpRoute({
        method: "GET",
        path: `${prefix}/catalog/*`,
        handler(req: IncomingMessage, res: ServerResponse) {
          const ref = refFromUrl(new URL(req.url ?? "/", base), base);
          const page = ref ? entityPage(deps.graph, ref) : undefined;
          if (!page) {
            res
              .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
              .end("No such entity in the catalog.\n");
            return;
          }
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
        },
      });
      api.addLinkUnfurler({
        id: "catalog",
        async unfurl(url) {
          const ref = refFromUrl(url, base);
          return ref ? entityPreview(deps.graph, ref) : undefined;
        },
      });
    },
  };
}

/** Where answers link an entity to, for the catalog commands. */
export function catalogUrlFor(baseUrl: string): (ref: string) => string {
  const base = baseUrl.replace(/\/$/, "");
  return (ref) => `${base}${entityPath(ref)}`;
}
