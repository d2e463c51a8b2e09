import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { count, noun } from "../../text/grammar.ts";
import { parseDescriptorYaml } from "./descriptor-yaml.ts";

/** A folder of a few hundred files is already unusual for a catalog's top level; stop looking after that. */
const MAX_FILES_LOOKED_AT = 200;
const LOCATION_KIND = /^kind:[ \t]*(["']?)Location\1[ \t]*(?:#.*)?\r?$/m;

/**
 * What to say when a folder has no catalog-info.yaml anywhere below it. Backstage's own example catalog
 * (and many others) keep Location files such as all.yaml at the top instead, which a person meant to
 * import: name them, starting with those no other Location file here points at.
 */
export async function missingCatalogInfoMessage(
  folder: string,
  limits: { maxBytes: number; maxAliases: number },
): Promise<string> {
  const lead = `${folder} has no catalog-info.yaml, here or in a sub-folder`;
  const locations = await locationFilesIn(folder, limits);
  if (locations.length === 0) {
    return `${lead}; import a descriptor file by name, or add a catalog-info.yaml`;
  }
  const pointedAt = new Set(locations.flatMap((file) => file.targets));
  const roots = locations.filter((file) => !pointedAt.has(file.name));
  // The Location that points at the most files is most likely the one meant to be imported (all.yaml).
  const entryPoints = (roots.length > 0 ? roots : locations).sort(
    (a, b) => b.targets.length - a.targets.length || (a.name < b.name ? -1 : 1),
  );
  const named = entryPoints.slice(0, 3).map((file) => file.name);
  const more = locations.length - named.length;
  const list = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named.at(-1)}` : named[0];
  const unnamedRoots = Math.max(0, roots.length - named.length);
  const targets = more - unnamedRoots;
  const rest = [
    unnamedRoots > 0 ? count(unnamedRoots, "other") : "",
    targets > 0
      ? `${count(targets, "more", "more")} that ${noun(named.length, "it points", "they point")} at`
      : "",
  ].filter(Boolean);
  const restText = rest.length > 0 ? ` (${rest.join(", ")})` : "";
  return `${lead}; ${list} ${noun(named.length, "is a Location file", "are Location files")}${restText}: import ${join(folder, entryPoints[0]!.name)}`;
}

interface LocationFile {
  name: string;
  /** File names in the same folder that this Location points at. */
  targets: string[];
}

async function locationFilesIn(
  folder: string,
  limits: { maxBytes: number; maxAliases: number },
): Promise<LocationFile[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  // Regular files only: a symlink here could lead out of the folder the operator named.
  const yamlFiles = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .slice(0, MAX_FILES_LOOKED_AT);
  const found: LocationFile[] = [];
  for (const name of yamlFiles) {
    const path = join(folder, name);
    try {
      if ((await stat(path)).size > limits.maxBytes) continue;
      const text = await readFile(path, "utf8");
      if (!LOCATION_KIND.test(text)) continue;
      found.push({ name, targets: localTargets(text, path, limits.maxAliases) });
    } catch {
      // Unreadable files are not a hint; the import reports nothing about them.
    }
  }
  return found;
}

/** Names of files in the same folder that the file's Location documents point at. */
function localTargets(text: string, path: string, maxAliases: number): string[] {
  const names: string[] = [];
  for (const doc of parseDescriptorYaml(text, { maxAliases })) {
    if (!doc.ok || typeof doc.value !== "object" || doc.value === null) continue;
    const entity = doc.value as { kind?: unknown; spec?: { target?: unknown; targets?: unknown } };
    if (entity.kind !== "Location") continue;
    const targets = [
      entity.spec?.target,
      ...(Array.isArray(entity.spec?.targets) ? entity.spec.targets : []),
    ];
    for (const target of targets) {
      if (typeof target !== "string" || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) continue;
      const resolved = resolve(dirname(path), target.replace(/^file:/i, ""));
      if (dirname(resolved) === dirname(path)) names.push(basename(resolved));
    }
  }
  return names;
}
