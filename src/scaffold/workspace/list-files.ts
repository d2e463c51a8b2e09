import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { isBinary } from "./binary.ts";

/** A file a task produced, as a dry run reports it. */
export type WorkspaceEntry =
  | { type: "file"; path: string; size: number; mode: number; binary: false; content: string }
  | { type: "file"; path: string; size: number; mode: number; binary: true }
  | { type: "symlink"; path: string; target: string }
  | { type: "directory"; path: string };

/** Every entry under `root`, sorted by path (`/`-separated), without following symbolic links. */
export async function listWorkspace(root: string): Promise<WorkspaceEntry[]> {
  const out: WorkspaceEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join("/");
      const stats = await lstat(full);
      if (stats.isSymbolicLink()) {
        out.push({ type: "symlink", path, target: await readlink(full) });
      } else if (stats.isDirectory()) {
        out.push({ type: "directory", path });
        await walk(full);
      } else if (stats.isFile()) {
        const bytes = await readFile(full);
        const mode = stats.mode & 0o777;
        out.push(
          isBinary(bytes)
            ? { type: "file", path, size: stats.size, mode, binary: true }
            : { type: "file", path, size: stats.size, mode, binary: false, content: bytes.toString("utf8") },
        );
      }
    }
  };
  await walk(root);
  return out;
}
