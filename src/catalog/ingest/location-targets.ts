import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import type { LocationSpec } from "./read-source.ts";

const GLOB_IGNORE = ["**/node_modules/**", "**/.git/**"];

/**
 * Resolves a Location target like Backstage's LocationEntityProcessor: relative targets resolve against
 * the Location's own file or URL. A URL-hosted descriptor may not point at local files: remote content
 * must never make the bot read its own disk. (Local targets are held inside the imported folder later,
 * when they are read: see LocalRoots.)
 */
export function resolveTarget(
  type: string,
  target: string,
  base: LocationSpec,
): LocationSpec | { error: string } {
  if (type === "file") {
    if (base.type !== "file") return { error: "a Location read from a URL cannot point at local files" };
    const path = target.replace(/^file:/i, "");
    return { type: "file", target: isAbsolute(path) ? path : resolve(dirname(base.target), path) };
  }
  if (type === "url") {
    if (isDynamicPattern(target)) return { error: "glob targets are only supported for file locations" };
    if (base.type === "url") {
      return URL.canParse(target, base.target)
        ? { type: "url", target: new URL(target, base.target).href }
        : { error: `cannot be resolved against ${base.target}` };
    }
    if (/^https?:\/\//i.test(target) && URL.canParse(target))
      return { type: "url", target: new URL(target).href };
    return { error: "a url location needs an absolute http(s) URL here" };
  }
  return { error: `location type "${type}" is not supported by Callboard (supported: file, url); skipped` };
}

/** The folder a glob starts from: its path up to the first segment with a wildcard. */
export function globBase(pattern: string): string {
  return splitGlob(pattern).cwd;
}

function splitGlob(pattern: string): { cwd: string; relative: string } {
  const segments = pattern.split(sep);
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  if (firstDynamic === -1) return { cwd: dirname(pattern), relative: segments.at(-1) ?? "" };
  return {
    cwd: segments.slice(0, firstDynamic).join(sep) || sep,
    relative: segments.slice(firstDynamic).join("/"),
  };
}

/** Expands an absolute glob from its longest static folder, skipping node_modules and .git. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const { cwd, relative } = splitGlob(pattern);
  const matches = await glob(relative, {
    cwd,
    absolute: true,
    onlyFiles: true,
    ignore: GLOB_IGNORE,
    expandDirectories: false,
  });
  return matches.map((match) => resolve(match)).sort();
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `example.com` matches itself (any port unless one is given); `*.example.com` matches its subdomains. */
export function hostMatches(pattern: string, host: string): boolean {
  const hostname = host.replace(/:\d+$/, "");
  if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
  return pattern.includes(":") ? pattern === host : pattern === hostname;
}
