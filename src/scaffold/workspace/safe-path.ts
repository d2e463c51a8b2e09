import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ScaffolderInputError } from "../actions/action.ts";

/** A rendered or given path that would leave the folder it must stay in. */
export class PathEscapeError extends ScaffolderInputError {
  override name = "PathEscapeError";
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * `child` resolved inside `root`, by its spelling: an absolute path or `..` that leads out is refused.
 * `what` names the path in the message ("targetPath", "skeleton file").
 */
export function resolveInside(root: string, child: string, what = "path"): string {
  if (child.includes("\0"))
    throw new PathEscapeError(`${what} "${printable(child)}" contains a NUL character.`);
  const resolved = resolve(root, child);
  if (isAbsolute(child) && !isInside(root, resolved)) {
    throw new PathEscapeError(`${what} "${printable(child)}" is absolute; give a path relative to ${root}.`);
  }
  if (!isInside(root, resolved)) {
    throw new PathEscapeError(`${what} "${printable(child)}" leads outside ${root}; remove the "..".`);
  }
  return resolved;
}

/**
 * As `resolveInside`, and also by the file system: the deepest part of the path that exists is resolved
 * through its symlinks, and must still be inside `root` (itself resolved), so a link planted in the
 * workspace or a skeleton cannot carry a write or a read elsewhere.
 */
export async function resolveInsideReal(root: string, child: string, what = "path"): Promise<string> {
  const lexical = resolveInside(root, child, what);
  const [realRoot, realChild] = await Promise.all([realExisting(root), realExisting(lexical)]);
  if (!isInside(realRoot, realChild)) {
    throw new PathEscapeError(
      `${what} "${printable(child)}" goes through a symbolic link that leads outside ${root}.`,
    );
  }
  return lexical;
}

/** The path with the symlinks of its deepest existing ancestor resolved; the rest is kept as spelled. */
async function realExisting(path: string): Promise<string> {
  const rest: string[] = [];
  let existing = path;
  for (;;) {
    try {
      const real = await realpath(existing);
      return rest.length > 0 ? join(real, ...rest.reverse()) : real;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

function printable(path: string): string {
  // Control characters would garble a terminal; show them as "?".
  const clean = [...path].map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? "?" : c)).join("");
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
