import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { noun } from "../../text/grammar.ts";
import { SourceError } from "./read-source.ts";

/** A folder local reads may reach: as named, and where its symlinks really lead. */
interface Root {
  named: string;
  real: string;
}

/**
 * The folders an import may read local files from: the one the operator imported (the folder given, or the
 * folder of the file given) and any listed in CALLBOARD_LOCAL_ROOTS. A descriptor decides which files are
 * read next (Location targets, `$text` placeholders), so without this a catalog file could make Callboard
 * read any file on the host and show it in chat. Backstage lets relative paths climb out; Callboard does not.
 */
export class LocalRoots {
  private constructor(private readonly roots: Root[]) {}

  static async of(folders: string[]): Promise<LocalRoots> {
    const roots: Root[] = [];
    for (const folder of folders) {
      const named = resolve(folder);
      roots.push({ named, real: await realOrNamed(named) });
    }
    return new LocalRoots(roots);
  }

  /** The folders as given, for messages in the operator's terminal. */
  get folders(): string[] {
    return [...new Set(this.roots.map((root) => root.named))];
  }

  /**
   * The real path to read for `path`, when both its spelling and, after following symlinks, its real place
   * lie inside a root. A path that does not exist yet is judged by its nearest existing folder, so a
   * symlinked folder cannot be used to ask whether files exist elsewhere. Throws a SourceError otherwise.
   */
  async contain(path: string): Promise<string> {
    const named = resolve(path);
    if (!this.roots.some((root) => inside(root.named, named) || inside(root.real, named))) {
      throw this.outside(named, named);
    }
    const real = await realOfNearestExisting(named);
    if (!this.roots.some((root) => inside(root.real, real))) throw this.outside(named, real);
    return real;
  }

  private outside(named: string, real: string): SourceError {
    const via = real === named ? "" : ` (a link to ${real})`;
    const folders = this.folders;
    return new SourceError(
      "outside-root",
      `${named}${via} is outside ${noun(folders.length, "the imported folder", "the folders")} ${folders.join(", ")}; ` +
        `Callboard reads local files only there. Move the file inside, or list its folder in CALLBOARD_LOCAL_ROOTS`,
    );
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function realOrNamed(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** realpath of `path`, or of its nearest existing ancestor joined with the rest when it does not exist. */
async function realOfNearestExisting(path: string): Promise<string> {
  let missing = "";
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing ? join(real, missing) : real;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== "ENOENT" && code !== "ENOTDIR") || parent === current) return path;
      missing = missing ? join(basename(current), missing) : basename(current);
      current = parent;
    }
  }
}
