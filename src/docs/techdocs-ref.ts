/**
 * Where an entity's docs come from, from its annotations, as Backstage reads them:
 * - `backstage.io/techdocs-entity: <ref>` borrows another entity's docs (no second build), at
 *   `backstage.io/techdocs-entity-path` when given;
 * - `backstage.io/techdocs-ref: dir:<path>` is the folder holding mkdocs.yml, relative to the entity's own
 *   descriptor file, confined to the folders the catalog may read (as catalog ingestion confines its reads);
 * - `url:<tree url>` is a folder of a repository, fetched by the configured source fetcher (GitHub); and
 *   `dir:<path>` of an entity whose descriptor was read from a repository URL (`…/blob/<ref>/<file>`) is that
 *   repository's folder, as Backstage resolves it, so discovered components' `dir:.` works too.
 */
import { stat } from "node:fs/promises";
import { dirname, posix, resolve } from "node:path";
import { LocalRoots } from "../catalog/ingest/local-roots.ts";
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, type Entity } from "../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";

export const TECHDOCS_REF = "backstage.io/techdocs-ref";
export const TECHDOCS_ENTITY = "backstage.io/techdocs-entity";
export const TECHDOCS_ENTITY_PATH = "backstage.io/techdocs-entity-path";

export type DocsSource =
  | { type: "none" }
  | { type: "dir"; root: string }
  /** A repository folder to fetch: a tree URL (`https://github.com/acme/pay/tree/main/docs`). */
  | { type: "url"; url: string }
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
    const url = value.slice("url:".length).trim();
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      return {
        type: "problem",
        message: `${TECHDOCS_REF}: "${value}" is not a repository URL; write url:https://github.com/<owner>/<repo>/tree/<branch>/<folder>`,
      };
    }
    return { type: "url", url };
  }
  if (!value.startsWith("dir:")) {
    return {
      type: "problem",
      message: `${TECHDOCS_REF}: "${value}" should start with dir: or url:, e.g. \`dir:.\``,
    };
  }
  const descriptor = location ?? annotations[ANNOTATION_LOCATION];
  const file = localFile(descriptor);
  if (!file) {
    const tree = treeUrlBeside(descriptor, value.slice("dir:".length).trim());
    if (typeof tree === "string") return { type: "url", url: tree };
    return { type: "problem", message: `${TECHDOCS_REF}: ${value}: ${tree.error}` };
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

/**
 * The tree URL of a folder relative to a descriptor read from a repository URL
 * (`url:https://github.com/acme/pay/blob/main/catalog-info.yaml` and `dir:docs` give
 * `https://github.com/acme/pay/tree/main/docs`). The folder must stay inside the repository.
 */
function treeUrlBeside(location: unknown, dir: string): string | { error: string } {
  const text = typeof location === "string" ? location.replace(/^url:/, "") : "";
  let segments: string[] = [];
  try {
    if (URL.canParse(text)) {
      // Discovery writes a branch with `/` encoded (`release%2F2026`): decoded, it is several segments, and
      // the fetcher works out which leading ones are the ref.
      segments = new URL(text).pathname
        .split("/")
        .filter(Boolean)
        .map(decodeURIComponent)
        .join("/")
        .split("/");
    }
  } catch {
    segments = [];
  }
  const [owner, repo, kind, ...inRepo] = segments;
  if (!owner || !repo || kind !== "blob" || inRepo.length < 2) {
    return {
      error: `it is relative to the entity's descriptor, which was read from ${typeof location === "string" ? location : "an unknown place"}, neither a local file nor a repository file URL (…/blob/<branch>/<file>)`,
    };
  }
  const origin = new URL(text).origin;
  const folder = posix.normalize(posix.join(posix.dirname(inRepo.join("/")), dir || "."));
  // The ref's first segment must stay: above it is outside the repository. (A ref with `/` lets `..` reach a
  // folder of the same repository it did not mean; the fetcher still reads nothing outside the repository.)
  const first = inRepo[0]!;
  if (!(folder === first || folder.startsWith(`${first}/`))) {
    return { error: `the folder leaves the repository ${origin}/${owner}/${repo}` };
  }
  const encoded = folder
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
  return `${origin}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tree/${encoded}`;
}

/** The imported folder: the origin location itself when it is a folder, else its folder. */
async function folderOf(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}
