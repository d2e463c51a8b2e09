import { lstat, readdir, readlink, realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ScaffolderInputError, type ActionContext } from "../action.ts";
import { isInside, resolveInsideReal } from "../../workspace/safe-path.ts";

/** Caps on what one fetch may copy, so a skeleton cannot fill the disk or hold the task for long. */
export interface SkeletonLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_SKELETON_LIMITS: SkeletonLimits = {
  maxFileBytes: 10 * 1024 * 1024,
  maxTotalBytes: 200 * 1024 * 1024,
  maxEntries: 20_000,
};

export interface SkeletonEntry {
  /** `/`-separated, relative to the skeleton's root. */
  path: string;
  full: string;
  type: "directory" | "file" | "symlink";
  size: number;
  mode: number;
}

/**
 * Where a fetch `url` points: relative to the template's own folder, and never outside it (after symlinks
 * are resolved). Skeletons are read from the template's folder only; remote URLs are not fetched.
 */
export async function resolveFetchUrl(
  ctx: Pick<ActionContext, "templateInfo">,
  url: string,
  what = "url",
): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file:")) {
    throw new ScaffolderInputError(
      `${what} "${url}" is remote; Callboard reads skeletons from the template's own folder. Use a path relative to ${ctx.templateInfo.baseDir}.`,
    );
  }
  const local = url.startsWith("file:") ? new URL(url).pathname : url;
  return resolveInsideReal(
    ctx.templateInfo.baseDir,
    local,
    `${what} "${url}" (relative to the template's folder)`,
  );
}

/** Every entry of a skeleton folder, sorted, symlinks not followed; throws when a limit is passed. */
export async function walkSkeleton(
  root: string,
  limits: SkeletonLimits,
  label: string,
): Promise<SkeletonEntry[]> {
  const rootStats = await stat(root).catch(() => undefined);
  if (!rootStats?.isDirectory()) throw new ScaffolderInputError(`${label}: ${root} is not a folder.`);
  let count = 0;
  let total = 0;
  // Folders are read in parallel (the disk answers many requests at once); the result keeps sorted order.
  const walk = async (dir: string, prefix: string): Promise<SkeletonEntry[]> => {
    const names = (await readdir(dir)).sort();
    count += names.length;
    if (count > limits.maxEntries) {
      throw new ScaffolderInputError(
        `${label}: the skeleton has more than ${limits.maxEntries} files and folders.`,
      );
    }
    const stats = await Promise.all(names.map((name) => lstat(join(dir, name))));
    const parts = await Promise.all(
      names.map(async (name, i): Promise<SkeletonEntry[]> => {
        const full = join(dir, name);
        const path = prefix ? `${prefix}/${name}` : name;
        const entry = stats[i]!;
        if (entry.isSymbolicLink()) return [{ path, full, type: "symlink", size: 0, mode: 0 }];
        if (entry.isDirectory()) {
          return [
            { path, full, type: "directory", size: 0, mode: entry.mode & 0o777 },
            ...(await walk(full, path)),
          ];
        }
        if (!entry.isFile()) return [];
        checkSize(entry.size, path, limits, label);
        total += entry.size;
        if (total > limits.maxTotalBytes) {
          throw new ScaffolderInputError(
            `${label}: the skeleton is larger than ${megabytes(limits.maxTotalBytes)} in all.`,
          );
        }
        return [{ path, full, type: "file", size: entry.size, mode: entry.mode & 0o777 }];
      }),
    );
    return parts.flat();
  };
  return walk(root, "");
}

export function checkSize(size: number, path: string, limits: SkeletonLimits, label: string): void {
  if (size > limits.maxFileBytes) {
    throw new ScaffolderInputError(
      `${label}: ${path} is ${megabytes(size)}, over the ${megabytes(limits.maxFileBytes)} limit for one skeleton file. Keep large files out of skeletons.`,
    );
  }
}

/**
 * The target of a skeleton's symlink, checked: it must point inside the skeleton (resolved through any
 * further links), so copying it cannot expose a file outside the template.
 */
export async function checkedLinkTarget(
  entry: SkeletonEntry,
  skeletonRoot: string,
  label: string,
): Promise<string> {
  const target = await readlink(entry.full);
  const realRoot = await realpath(skeletonRoot);
  const lexical = resolve(dirname(entry.full), target);
  let real = lexical;
  try {
    real = await realpath(lexical);
  } catch {
    // A dangling link is copied as it is, if it points inside.
  }
  if (!isInside(skeletonRoot, lexical) && !isInside(realRoot, real)) {
    throw new ScaffolderInputError(
      `${label}: symbolic link ${entry.path} points outside the skeleton (to ${target}).`,
    );
  }
  if (!isInside(realRoot, real)) {
    throw new ScaffolderInputError(
      `${label}: symbolic link ${entry.path} leads outside the skeleton (to ${real}).`,
    );
  }
  return target;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
}
