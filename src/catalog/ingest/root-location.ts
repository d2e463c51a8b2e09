import { realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { isDynamicPattern } from "tinyglobby";
import { globBase, isFile } from "./location-targets.ts";
import type { LocationSpec } from "./read-source.ts";

/** What a folder is read as when it has no catalog-info.yaml of its own: every one below it. */
export const FOLDER_PATTERN = "**/catalog-info.y?(a)ml";

export type RootLocation = { spec: LocationSpec } | { problem: { location: string; message: string } };

/**
 * The location the operator named: a file or folder path, `file:<path>`, `url:<http(s) URL>` or a bare
 * http(s) URL. A folder starts at its top-level catalog-info.yaml if there is one, otherwise at every
 * `**\/catalog-info.y?(a)ml` below it.
 */
export async function rootLocation(target: string): Promise<RootLocation> {
  const trimmed = target.trim();
  if (/^url:/i.test(trimmed) || /^https?:\/\//i.test(trimmed)) {
    const url = trimmed.replace(/^url:/i, "");
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      return {
        problem: {
          location: trimmed,
          message: `"${url}" is not an http(s) URL; write url:https://host/path`,
        },
      };
    }
    return { spec: { type: "url", target: new URL(url).href } };
  }
  const path = resolve(trimmed.replace(/^file:/i, ""));
  if (isDynamicPattern(path)) return { spec: { type: "file", target: path } };
  try {
    if (!(await stat(path)).isDirectory()) return { spec: { type: "file", target: path } };
  } catch {
    return { problem: { location: `file:${path}`, message: `${path} does not exist` } };
  }
  for (const name of ["catalog-info.yaml", "catalog-info.yml"]) {
    const candidate = join(path, name);
    if (await isFile(candidate)) return { spec: { type: "file", target: candidate } };
  }
  return { spec: { type: "file", target: join(path, FOLDER_PATTERN) } };
}

/**
 * The folder the operator imported for a local root (the one given, the folder of the file given, or where
 * a glob starts), and also the file's real folder when the file they named is a symlink.
 */
export async function importedFolders(root: LocationSpec): Promise<string[]> {
  if (isDynamicPattern(root.target)) return [globBase(root.target)];
  const folders = [dirname(root.target)];
  try {
    folders.push(dirname(await realpath(root.target)));
  } catch {
    // Reading it reports what is wrong.
  }
  return folders;
}
