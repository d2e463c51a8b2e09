/**
 * Catalog kinds as a person says them ("API", "AI resources"), shared by the catalog's answers and search,
 * which may not import the catalog: `search kind:api` heads its list "APIs" as `catalog stats` does.
 */
const KIND_NAMES: Record<string, [string, string]> = {
  component: ["Component", "Components"],
  api: ["API", "APIs"],
  resource: ["Resource", "Resources"],
  system: ["System", "Systems"],
  domain: ["Domain", "Domains"],
  group: ["Group", "Groups"],
  user: ["User", "Users"],
  template: ["Template", "Templates"],
  location: ["Location", "Locations"],
  airesource: ["AI resource", "AI resources"],
  environment: ["Environment", "Environments"],
};

/** A kind (lower-case, as in refs) as a person says it; a kind Callboard does not know keeps its own name. */
export function kindLabel(kind: string, count: number): string {
  const [one, many] = KIND_NAMES[kind] ?? [kind, kind];
  return count === 1 ? one : many;
}

/** How a kind reads inside a sentence: "component", "API", "AI resource". */
export function kindName(kind: string): string {
  const label = kindLabel(kind, 1);
  return /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}
