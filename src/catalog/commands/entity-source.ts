import { basename, dirname, isAbsolute, relative, sep } from "node:path";
import type { Link } from "../../message/reply.ts";
import { escapeText } from "../../message/reply.ts";
import type { Entity, SourcePosition } from "../model/entity.ts";
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION } from "../model/entity.ts";
import { isDynamicPattern } from "tinyglobby";
import { globBase } from "../ingest/location-targets.ts";

/**
 * Where an entity comes from, said without the server's own paths: answers go to chat channels, and the
 * folder a catalog sits in on the Callboard host is nobody's business there. The repository comes from the
 * annotations people write (backstage.io/source-location, github.com/project-slug); the descriptor file is
 * named relative to the folder that was imported.
 */
export function repositoryLink(entity: Entity): Link | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const source = annotations["backstage.io/source-location"]?.replace(/^url:/, "");
  if (source && /^https?:\/\//i.test(source) && URL.canParse(source))
    return { title: "Repository", url: source };
  const slug = annotations["github.com/project-slug"];
  if (slug && /^[\w.-]+\/[\w.-]+$/.test(slug))
    return { title: "Repository", url: `https://github.com/${slug}` };
  return undefined;
}

/**
 * The descriptor file and line as markdown: a link for a file read from a URL, else the path relative to the
 * imported folder (only the file name when it lies outside it, in an extra local root).
 */
export function definedInMarkdown(entity: Entity, position: SourcePosition | undefined): string | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const location = position?.location ?? annotations[ANNOTATION_LOCATION];
  if (!location) return undefined;
  const line = position ? `:${position.line}` : "";
  if (location.startsWith("url:")) {
    const url = location.slice("url:".length);
    if (!URL.canParse(url)) return undefined;
    const name = basename(new URL(url).pathname) || url;
    return `[${escapeText(`${name}${line}`)}](${url})`;
  }
  if (!location.startsWith("file:")) return undefined;
  const file = location.slice("file:".length);
  const root = importedFolder(annotations[ANNOTATION_ORIGIN_LOCATION]);
  const inside = root === undefined ? undefined : relative(root, file);
  const shown =
    inside !== undefined && inside !== "" && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)
      ? inside.split(sep).join("/")
      : basename(file);
  return `\`${shown}${line}\``;
}

/** The folder an import started from, from the origin location: a file's folder or where a glob starts. */
function importedFolder(origin: string | undefined): string | undefined {
  if (!origin?.startsWith("file:")) return undefined;
  const target = origin.slice("file:".length);
  return isDynamicPattern(target) ? globBase(target) : dirname(target);
}
