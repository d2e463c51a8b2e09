import { lstat, readFile } from "node:fs/promises";
import { FileWriter, WritePipeline } from "../../workspace/file-writer.ts";
import { resolveInside, resolveInsideReal } from "../../workspace/safe-path.ts";
import type { ScaffolderAction } from "../action.ts";
import {
  checkedLinkTarget,
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
      const writer = new FileWriter(ctx.workspacePath);
      const writes = new WritePipeline(32);
      for (const entry of entries) {
        ctx.signal.throwIfAborted();
        const target = resolveInside(outputDir, entry.path, "copied path");
        if (entry.type === "directory") await writer.folder(target);
        else if (entry.type === "symlink") {
          await writer.link(target, await checkedLinkTarget(entry, source, "fetch:plain"), true);
        } else {
          await writes.add(
            readFile(entry.full).then(async (bytes) => {
              await writer.write(target, bytes, entry.mode, true);
            }),
          );
        }
      }
      await writes.drain();
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
