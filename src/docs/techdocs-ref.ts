/**
 * Where an entity's docs come from, from its annotations, as Backstage reads them:
 * - `backstage.io/techdocs-entity: <ref>` borrows another entity's docs (no second build), at
 *   `backstage.io/techdocs-entity-path` when given;
 * - `backstage.io/techdocs-ref: dir:<path>` is the folder holding mkdocs.yml, relative to the entity's own
 *   descriptor file, confined to the folders the catalog may read (as catalog ingestion confines its reads);
 * - `url:<tree url>` is not read yet: it needs the GitHub integration.
 */
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LocalRoots } from "../catalog/ingest/local-roots.ts";
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, type Entity } from "../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";

export const TECHDOCS_REF = "backstage.io/techdocs-ref";
export const TECHDOCS_ENTITY = "backstage.io/techdocs-entity";
export const TECHDOCS_ENTITY_PATH = "backstage.io/techdocs-entity-path";

export type DocsSource =
  | { type: "none" }
  | { type: "dir"; root: string }
  | { type: "borrow"; siteRef: string; path: string }
  /** Declared but not buildable; the message says why and what to do. */
  | { type: "problem"; message: string };

/** Whether the entity declares docs of any kind (cheap: annotations only). */
export function declaresDocs(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return typeof annotations[TECHDOCS_REF] === "string" || typeof annotations[TECHDOCS_ENTITY] === "string";
}

/**
 * Resolve an entity's docs source. `location` is where its descriptor was read (`file:/abs/path` or
 * `url:...`); `extraRoots` are the operator's CALLBOARD_LOCAL_ROOTS.
 */
export async function resolveDocsSource(
  entity: Entity,
  location: string | undefined,
  extraRoots: string[],
): Promise<DocsSource> {
  const annotations = entity.metadata.annotations ?? {};
  const borrowed = annotations[TECHDOCS_ENTITY];
  if (typeof borrowed === "string" && borrowed.trim() !== "") {
    try {
      const siteRef = stringifyEntityRef(
        parseEntityRef(borrowed.trim(), {
          defaultKind: "component",
          defaultNamespace: entity.metadata.namespace ?? "default",
        }),
      );
      const rawPath = annotations[TECHDOCS_ENTITY_PATH] ?? "";
      const path = typeof rawPath === "string" ? rawPath.trim().replace(/^\/+/, "") : "";
      return { type: "borrow", siteRef, path };
    } catch (error) {
      return { type: "problem", message: `${TECHDOCS_ENTITY}: ${(error as Error).message}` };
    }
  }
  const ref = annotations[TECHDOCS_REF];
  if (typeof ref !== "string" || ref.trim() === "") return { type: "none" };
  const value = ref.trim();
  if (value.startsWith("url:")) {
    return {
      type: "problem",
      message: `${TECHDOCS_REF}: ${value} — docs from a repository URL are not supported yet (they will be with the GitHub integration); keep the docs next to the catalog file and use \`dir:.\``,
    };
  }
  if (!value.startsWith("dir:")) {
    return {
      type: "problem",
      message: `${TECHDOCS_REF}: "${value}" should start with dir: or url:, e.g. \`dir:.\``,
    };
  }
  const file = localFile(location ?? annotations[ANNOTATION_LOCATION]);
  if (!file) {
    return {
      type: "problem",
      message: `${TECHDOCS_REF}: ${value} is relative to the entity's descriptor, which was not read from a local file; docs next to URL locations are not supported yet`,
    };
  }
  const root = resolve(dirname(file), value.slice("dir:".length).trim() || ".");
  const originFile = localFile(annotations[ANNOTATION_ORIGIN_LOCATION]);
  const origin = originFile ? await folderOf(originFile) : dirname(file);
  try {
    const roots = await LocalRoots.of([origin, ...extraRoots]);
    return { type: "dir", root: await roots.contain(root) };
  } catch (error) {
    return { type: "problem", message: `${TECHDOCS_REF}: ${value}: ${(error as Error).message}` };
  }
}

/** The path of a `file:<absolute path>` location (as the catalog stores it), undefined for URLs. */
function localFile(location: unknown): string | undefined {
  if (typeof location !== "string" || !location.startsWith("file:")) return undefined;
  return resolve(location.slice("file:".length));
}

/** The imported folder: the origin location itself when it is a folder, else its folder. */
async function folderOf(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}
