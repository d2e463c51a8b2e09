import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import type { Entity } from "../../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../../catalog/model/ref.ts";
import { isInside, resolveInsideReal } from "../workspace/safe-path.ts";
import { ScaffolderInputError, type ScaffolderAction } from "./action.ts";

/**
 * What the catalog actions need from the catalog. The app implements it with its catalog service, so the
 * scaffolder never reaches into the app.
 */
export interface CatalogPort {
  getEntity(ref: string): Entity | undefined;
  /** Imports a location (`file:/abs/catalog-info.yaml` or an http(s) URL) and gives the refs it holds. */
  register(target: string): Promise<{ entityRefs: string[] }>;
}

export interface CatalogRegisterOptions {
  /** Folders a `file:` catalog URL may point into (where the local publisher keeps repositories). */
  allowedFileRoots: string[];
}

/** `catalog:write`: writes an entity as catalog-info.yaml (or `filePath`) into the workspace. */
export function catalogWriteAction(): ScaffolderAction<{
  filePath?: string;
  entity: Record<string, unknown>;
}> {
  return {
    id: "catalog:write",
    description: "Writes a catalog descriptor file for an entity into the workspace.",
    schema: {
      input: {
        type: "object",
        required: ["entity"],
        properties: {
          filePath: { type: "string", description: "Default: catalog-info.yaml" },
          entity: { type: "object", description: "The entity, as in a catalog-info.yaml." },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      const path = ctx.input.filePath ?? "catalog-info.yaml";
      const target = await resolveInsideReal(ctx.workspacePath, path, "filePath");
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, toYaml(ctx.input.entity));
      ctx.logger.info(`Wrote ${path}`);
    },
  };
}

type RegisterInput =
  | { catalogInfoUrl: string; optional?: boolean }
  | { repoContentsUrl: string; catalogInfoPath?: string; optional?: boolean };

/**
 * `catalog:register`: adds a location to the catalog and outputs the ref of its main entity (a Component
 * if there is one), as Backstage does. A `file:` location must lie in one of the allowed folders, so a
 * template cannot make the catalog read arbitrary files of the server.
 */
export function catalogRegisterAction(
  port: CatalogPort,
  options: CatalogRegisterOptions,
): ScaffolderAction<RegisterInput> {
  return {
    id: "catalog:register",
    description: "Registers a catalog descriptor file in the catalog.",
    schema: {
      input: {
        oneOf: [
          {
            type: "object",
            required: ["catalogInfoUrl"],
            properties: { catalogInfoUrl: { type: "string" }, optional: { type: "boolean" } },
          },
          {
            type: "object",
            required: ["repoContentsUrl"],
            properties: {
              repoContentsUrl: { type: "string" },
              catalogInfoPath: { type: "string" },
              optional: { type: "boolean" },
            },
          },
        ],
      },
      output: {
        type: "object",
        properties: { entityRef: { type: "string" }, catalogInfoUrl: { type: "string" } },
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const url =
        "catalogInfoUrl" in input
          ? input.catalogInfoUrl
          : joinUrl(input.repoContentsUrl, input.catalogInfoPath ?? "/catalog-info.yaml");
      const target = toTarget(url, options);
      ctx.logger.info(`Registering ${url} in the catalog`);
      try {
        const { entityRefs } = await port.register(target);
        const main =
          entityRefs.find((r) => r.startsWith("component:") && !r.includes("/generated-")) ??
          entityRefs.find((r) => !r.includes("/generated-")) ??
          entityRefs[0];
        if (main) ctx.output("entityRef", main);
      } catch (error) {
        if (!input.optional) throw error;
        ctx.logger.warn(`Could not register ${url}: ${(error as Error).message}`);
      }
      ctx.output("catalogInfoUrl", url);
    },
  };
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

function toTarget(url: string, options: CatalogRegisterOptions): string {
  if (/^https?:\/\//i.test(url)) return url;
  if (!url.startsWith("file:")) {
    throw new ScaffolderInputError(`catalog:register: "${url}" is neither an http(s) URL nor a file: URL.`);
  }
  const path = url.startsWith("file://") ? fileURLToPath(url) : url.slice(5);
  if (!options.allowedFileRoots.some((root) => isInside(root, path))) {
    throw new ScaffolderInputError(
      `catalog:register: ${path} is outside the folders a template may register from (${options.allowedFileRoots.join(", ") || "none"}).`,
    );
  }
  return `file:${path}`;
}

interface FetchInput {
  entityRef?: string;
  entityRefs?: string[];
  optional?: boolean;
  defaultKind?: string;
  defaultNamespace?: string;
}

/** `catalog:fetch`: outputs an entity (or entities) from the catalog by ref. */
export function catalogFetchAction(port: CatalogPort): ScaffolderAction<FetchInput> {
  return {
    id: "catalog:fetch",
    description: "Outputs an entity or entities from the catalog, by ref.",
    schema: {
      input: {
        type: "object",
        properties: {
          entityRef: { type: "string" },
          entityRefs: { type: "array", items: { type: "string" } },
          optional: { type: "boolean" },
          defaultKind: { type: "string" },
          defaultNamespace: { type: "string" },
        },
      },
      output: {
        type: "object",
        properties: {
          entity: { type: ["object", "null"] },
          entities: { type: "array", items: { type: ["object", "null"] } },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      const { entityRef, entityRefs, optional, defaultKind, defaultNamespace } = ctx.input;
      if (!entityRef && !entityRefs) {
        if (optional) return;
        throw new ScaffolderInputError("catalog:fetch: give entityRef or entityRefs.");
      }
      const lookup = (ref: string) => {
        let canonical: string;
        try {
          canonical = stringifyEntityRef(parseEntityRef(ref, { defaultKind, defaultNamespace }));
        } catch (error) {
          throw new ScaffolderInputError(`catalog:fetch: ${(error as Error).message}`);
        }
        const entity = port.getEntity(canonical);
        if (!entity && !optional)
          throw new ScaffolderInputError(`catalog:fetch: ${ref} is not in the catalog.`);
        return entity ?? null;
      };
      if (entityRef) ctx.output("entity", lookup(entityRef));
      if (entityRefs) ctx.output("entities", entityRefs.map(lookup));
    },
  };
}
