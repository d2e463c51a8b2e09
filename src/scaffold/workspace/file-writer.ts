import { chmod, mkdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { isInside, PathEscapeError, resolveInsideReal } from "./safe-path.ts";

/**
 * Writes many files under one root quickly and safely: each folder is created once and its real path
 * checked once (a symlink planted in the workspace cannot carry writes out of it), and a file is created
 * without a separate existence check (`wx`), so a skeleton of hundreds of files costs few system calls.
 */
export class FileWriter {
  private readonly folders = new Map<string, Promise<void>>();

  constructor(private readonly root: string) {}

  /** Writes `data`; returns false when the file exists and `replace` is not set (it is kept). */
  async write(path: string, data: string | Uint8Array, mode: number, replace: boolean): Promise<boolean> {
    await this.folder(dirname(path));
    // Replacing removes first: writing through an existing symlink would follow it, wherever it points.
    if (replace) await rm(path, { force: true });
    try {
      await writeFile(path, data, { mode, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    // A mode the umask narrowed is set explicitly.
    if ((mode & 0o022) !== 0) await chmod(path, mode);
    return true;
  }

  /** Creates a symlink; it must resolve inside the root from the folder it really is in. */
  async link(path: string, target: string, replace: boolean): Promise<boolean> {
    await this.folder(dirname(path));
    const [realRoot, realDir] = await Promise.all([realpath(this.root), realpath(dirname(path))]);
    if (!isInside(realRoot, resolve(realDir, target))) {
      throw new PathEscapeError(
        `symbolic link ${relative(this.root, path).split(sep).join("/")} would point outside the workspace (to ${target}).`,
      );
    }
    if (replace) await rm(path, { force: true });
    try {
      await symlink(target, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  async folder(path: string): Promise<void> {
    let done = this.folders.get(path);
    if (!done) {
      done = this.makeFolder(path);
      this.folders.set(path, done);
    }
    return done;
  }

  private async makeFolder(path: string): Promise<void> {
    // Checked before anything is created: mkdir -p through a planted symlink would already have written outside.
    await resolveInsideReal(this.root, relative(this.root, path) || ".", "folder");
    await mkdir(path, { recursive: true });
  }
}

/** Runs `work` on every item, at most `limit` at a time, stopping at the first failure. */
export async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** Writes in flight, at most `limit`; `add` waits for room, `drain` for all, and the first failure is thrown. */
export class WritePipeline {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(write: Promise<void>): Promise<void> {
    const tracked = write.then(
      () => {
        this.inFlight.delete(tracked);
      },
      (error: unknown) => {
        this.inFlight.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.inFlight.add(tracked);
    if (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure.error;
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
  }
}
