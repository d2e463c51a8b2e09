import { lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { glob } from "tinyglobby";
import { resolveInsideReal } from "../workspace/safe-path.ts";
import { ScaffolderInputError, type ScaffolderAction } from "./action.ts";

/** `fs:delete`: removes files and folders (globs allowed) from the workspace. */
export function fsDeleteAction(): ScaffolderAction<{ files: string[] }> {
  return {
    id: "fs:delete",
    description: "Deletes files and folders from the workspace; entries may be globs.",
    schema: {
      input: {
        type: "object",
        required: ["files"],
        properties: {
          files: { type: "array", items: { type: "string" }, title: "Files and folders (globs) to delete" },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      for (const pattern of ctx.input.files) {
        // Checked first, so a pattern like ../* is refused rather than quietly matching nothing.
        await resolveInsideReal(ctx.workspacePath, pattern.replace(/[*?[{].*$/, "") || ".", "fs:delete path");
        const matches = await glob(pattern, {
          cwd: ctx.workspacePath,
          dot: true,
          onlyFiles: false,
          followSymbolicLinks: false,
          expandDirectories: false,
        });
        for (const match of matches.sort().reverse()) {
          const target = await resolveInsideReal(ctx.workspacePath, match, "fs:delete path");
          await rm(target, { recursive: true, force: true });
          ctx.logger.info(`Deleted ${match}`);
        }
      }
    },
  };
}

/** `fs:rename`: moves files and folders within the workspace. */
export function fsRenameAction(): ScaffolderAction<{
  files: Array<{ from: string; to: string; overwrite?: boolean }>;
}> {
  return {
    id: "fs:rename",
    description: "Renames files and folders within the workspace.",
    schema: {
      input: {
        type: "object",
        required: ["files"],
        properties: {
          files: {
            type: "array",
            items: {
              type: "object",
              required: ["from", "to"],
              properties: {
                from: { type: "string" },
                to: { type: "string" },
                overwrite: { type: "boolean" },
              },
            },
          },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      for (const file of ctx.input.files) {
        const from = await resolveInsideReal(ctx.workspacePath, file.from, "fs:rename from");
        const to = await resolveInsideReal(ctx.workspacePath, file.to, "fs:rename to");
        if (!(await exists(from)))
          throw new ScaffolderInputError(`fs:rename: ${file.from} is not in the workspace.`);
        if ((await exists(to)) && !file.overwrite) {
          throw new ScaffolderInputError(
            `fs:rename: ${file.to} already exists; set overwrite: true to replace it.`,
          );
        }
        if (file.overwrite) await rm(to, { recursive: true, force: true });
        await ensureParent(to, ctx.workspacePath);
        await rename(from, to);
        ctx.logger.info(`Renamed ${file.from} to ${file.to}`);
      }
    },
  };
}

interface DirEntry {
  name: string;
  path: string;
  fullPath: string;
}

/** `fs:readdir`: lists files and folders under paths of the workspace. */
export function fsReadDirAction(): ScaffolderAction<{ paths: string[]; recursive?: boolean }> {
  const entry = {
    type: "object",
    properties: { name: { type: "string" }, path: { type: "string" }, fullPath: { type: "string" } },
  };
  return {
    id: "fs:readdir",
    description: "Reads files and folders from the workspace.",
    schema: {
      input: {
        type: "object",
        required: ["paths"],
        properties: {
          paths: { type: "array", items: { type: "string", minLength: 1 } },
          recursive: { type: "boolean" },
        },
      },
      output: {
        type: "object",
        properties: { files: { type: "array", items: entry }, folders: { type: "array", items: entry } },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      const files: DirEntry[] = [];
      const folders: DirEntry[] = [];
      for (const path of ctx.input.paths) {
        const root = await resolveInsideReal(ctx.workspacePath, path, "fs:readdir path");
        const dirents = await readdir(root, { recursive: ctx.input.recursive === true, withFileTypes: true });
        for (const dirent of dirents) {
          const fullPath = join(dirent.parentPath, dirent.name);
          const item = {
            name: dirent.name,
            path: relative(ctx.workspacePath, fullPath).split(sep).join("/"),
            fullPath,
          };
          (dirent.isDirectory() ? folders : files).push(item);
        }
      }
      ctx.output("files", files);
      ctx.output("folders", folders);
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function ensureParent(path: string, workspace: string): Promise<void> {
  await resolveInsideReal(workspace, relative(workspace, dirname(path)) || ".", "fs:rename to");
  await mkdir(dirname(path), { recursive: true });
}
