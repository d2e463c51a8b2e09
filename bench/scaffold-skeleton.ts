import { SKELETON, SKELETON_VALUES } from "../test/fixtures/scaffold-templates/skeleton.ts";

/**
 * A skeleton of `count` templated files for bench:scaffold, built from the hand-written skeleton in
 * test/fixtures/scaffold-templates: each file is one of its files under its own folder, with a templated
 * header line so every contents is a distinct template (as in a real skeleton, none shares a compiled
 * template with another). `variant` changes every header, so a new variant is new to every cache there is. Kept apart from the benchmark so fetch:template's benchmark can write the
 * same files to disk.
 */
export interface SkeletonFile {
  path: string;
  contents: string;
}

export function buildSkeleton(count: number, variant = 0): SkeletonFile[] {
  const files = Object.entries(SKELETON);
  return Array.from({ length: count }, (_, i) => {
    const [path, contents] = files[i % files.length]!;
    const folder = `module-${Math.floor(i / files.length)}`;
    const header = `${path.endsWith(".json") ? "//" : "#"} ${folder}/${path} for \${{ values.name }} (${variant}.${i})\n`;
    return { path: `${folder}-\${{ values.name | replace("-", "_") }}/${path}`, contents: header + contents };
  });
}

export const SKELETON_CONTEXT = { values: SKELETON_VALUES };
