import { createHash } from "node:crypto";

/**
 * sha256 (hex) of the entity's canonical JSON: object keys sorted at every level, array order kept
 * (reordering tags is a real change, as in Backstage's stitching hash). Lets the store skip rewriting
 * entities whose content did not change.
 */
export function entityHash(entity: unknown): string {
  return createHash("sha256").update(canonicalJson(entity)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    // undefined inside objects is dropped below; at the top level it hashes like null.
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(",")}}`;
}
