import { chmod, copyFile, lstat, mkdir, rm, symlink } from "node:fs/promises";
import { dirname } from "node:path";
import { resolveInsideReal } from "../../workspace/safe-path.ts";
import type { ScaffolderAction } from "../action.ts";
import {
  checkedLinkTarget,
  checkLinkInWorkspace,
  DEFAULT_SKELETON_LIMITS,
  resolveFetchUrl,
  walkSkeleton,
  type SkeletonLimits,
} from "./skeleton.ts";

export interface FetchPlainInput {
  url: string;
  targetPath?: string;
  token?: string;
}

/** `fetch:plain`: copies a folder from the template's folder into the workspace as it is. */
export function fetchPlainAction(
  options: { limits?: SkeletonLimits } = {},
): ScaffolderAction<FetchPlainInput> {
  return {
    id: "fetch:plain",
    description: "Copies a folder from the template's folder into the workspace, without rendering anything.",
    schema: {
      input: {
        type: "object",
        required: ["url"],
        properties: {
          url: { type: "string", description: "Path of the folder, relative to the template's folder." },
          targetPath: {
            type: "string",
            description: "Where in the workspace to copy it. Default: the root.",
          },
          token: { type: "string" },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      const source = await resolveFetchUrl(ctx, ctx.input.url);
      const outputDir = await resolveInsideReal(
        ctx.workspacePath,
        ctx.input.targetPath ?? "./",
        "targetPath",
      );
      const entries = await walkSkeleton(source, options.limits ?? DEFAULT_SKELETON_LIMITS, "fetch:plain");
      for (const entry of entries) {
        ctx.signal.throwIfAborted();
        const target = await resolveInsideReal(outputDir, entry.path, "copied path");
        if (entry.type === "directory") {
          await mkdir(target, { recursive: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        if (entry.type === "symlink") {
          const link = await checkedLinkTarget(entry, source, "fetch:plain");
          checkLinkInWorkspace(target, link, ctx.workspacePath, "fetch:plain");
          await rm(target, { force: true });
          await symlink(link, target);
        } else {
          await copyFile(entry.full, target);
          await chmod(target, entry.mode);
        }
      }
      ctx.logger.info(`Copied ${entries.length} files and folders from ${ctx.input.url}.`);
    },
  };
}

export async function isThere(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
