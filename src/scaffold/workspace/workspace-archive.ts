import { chmod, lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The most a workspace may hold and still be kept for a resume elsewhere (file contents, before gzip). */
export const MAX_ARCHIVED_BYTES = 64 * 1024 * 1024;

/** The workspace holds more than can be kept; the message says how much. */
export class WorkspaceTooLargeError extends Error {
  override name = "WorkspaceTooLargeError";
}

type Entry =
  | { path: string; type: "dir" }
  | { path: string; type: "file"; mode: number; size: number }
  | { path: string; type: "link"; target: string };

const FORMAT = "callboard-workspace-1";

/**
 * A task's workspace as one gzip'd buffer, so a worker on another machine can carry on after the last
 * completed step: a JSON header (paths, modes, symlink targets, sizes), then the file contents in order.
 * Our own format rather than tar: it only ever holds a workspace we wrote and is read back by this module,
 * which refuses any path that would leave the folder it unpacks into.
 */
export async function packWorkspace(root: string, maxBytes = MAX_ARCHIVED_BYTES): Promise<Buffer> {
  const entries: Entry[] = [];
  const contents: Buffer[] = [];
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join("/");
      const stats = await lstat(full);
      if (stats.isSymbolicLink()) entries.push({ path, type: "link", target: await readlink(full) });
      else if (stats.isDirectory()) {
        entries.push({ path, type: "dir" });
        await walk(full);
      } else if (stats.isFile()) {
        total += stats.size;
        if (total > maxBytes) {
          throw new WorkspaceTooLargeError(
            `the workspace holds more than ${Math.round(maxBytes / 1024 / 1024)} MiB of files`,
          );
        }
        const bytes = await readFile(full);
        entries.push({ path, type: "file", mode: stats.mode & 0o777, size: bytes.length });
        contents.push(bytes);
      }
    }
  };
  await walk(root);
  const header = Buffer.from(JSON.stringify({ format: FORMAT, entries }), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return gzipAsync(Buffer.concat([length, header, ...contents]), { level: 1 });
}

/** Unpacks an archive from packWorkspace into `root` (which should be empty). */
export async function unpackWorkspace(archive: Buffer, root: string): Promise<void> {
  const raw = await gunzipAsync(archive);
  const headerLength = raw.readUInt32BE(0);
  const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString("utf8")) as {
    format?: string;
    entries?: Entry[];
  };
  if (header.format !== FORMAT || !Array.isArray(header.entries)) {
    throw new Error("Not a workspace archive Callboard wrote.");
  }
  await mkdir(root, { recursive: true });
  let offset = 4 + headerLength;
  for (const entry of header.entries) {
    const normal = posix.normalize(entry.path);
    if (normal !== entry.path || normal.startsWith("../") || normal === ".." || posix.isAbsolute(normal)) {
      throw new Error(`The workspace archive names a path outside the workspace: ${entry.path}`);
    }
    const full = join(root, ...normal.split("/"));
    if (entry.type === "dir") await mkdir(full, { recursive: true });
    else if (entry.type === "link") await symlink(entry.target, full);
    else {
      await writeFile(full, raw.subarray(offset, offset + entry.size), { flag: "wx" });
      await chmod(full, entry.mode); // exact, whatever the umask
      offset += entry.size;
    }
  }
}
