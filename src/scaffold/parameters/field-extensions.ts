import { parseEntityRef, stringifyEntityRef } from "../../catalog/model/ref.ts";
import type { JsonSchema } from "../actions/action.ts";
import { uiOf } from "./parameter-pages.ts";
import { parseRepoUrl } from "./repo-url.ts";

/** What the checks may ask of the catalog: whether a ref names an entity there. */
export interface EntityLookup {
  exists(ref: string): boolean;
}

const NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const TAG = /^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$/;
const ENTITY_FIELDS = new Set([
  "EntityPicker",
  "OwnerPicker",
  "OwnedEntityPicker",
  "MyGroupsPicker",
  "MultiEntityPicker",
]);

/**
 * The checks Backstage's field extensions make in the browser, which a JSON Schema cannot express:
 * entity names and tags by the catalog's rules, repository locations against `allowed*` lists, and
 * entity refs that must exist when arbitrary values are not allowed. Undefined means the value is fine.
 */
export function checkExtension(
  property: JsonSchema,
  value: unknown,
  label: string,
  catalog?: EntityLookup,
): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const ui = uiOf(property);
  switch (ui.field) {
    case "EntityNamePicker":
      if (typeof value === "string" && (value.length > 63 || !NAME.test(value))) {
        return `"${label}" must be 1-63 letters and digits, separated by single -, _ or . (got "${value}").`;
      }
      return undefined;
    case "EntityTagsPicker": {
      const bad = (Array.isArray(value) ? value : []).find(
        (tag) => typeof tag !== "string" || tag.length > 63 || !TAG.test(tag),
      );
      return bad === undefined
        ? undefined
        : `"${label}": tag "${String(bad)}" must be lower-case letters and digits (and + # :), separated by single -, at most 63 characters.`;
    }
    case "RepoUrlPicker":
      return typeof value === "string" ? checkRepoUrl(value, label, ui.options) : undefined;
    default:
      if (ui.field && ENTITY_FIELDS.has(ui.field)) return checkEntityRefs(value, label, ui.options, catalog);
      return undefined;
  }
}

function checkRepoUrl(value: string, label: string, options: Record<string, unknown>): string | undefined {
  let repo;
  try {
    repo = parseRepoUrl(value);
  } catch (error) {
    return `"${label}": ${(error as Error).message}`;
  }
  const checks: Array<[string, string | undefined, string]> = [
    ["allowedHosts", repo.host, "host"],
    ["allowedOwners", repo.owner, "owner"],
    ["allowedOrganizations", repo.organization, "organization"],
    ["allowedProjects", repo.project, "project"],
    ["allowedRepos", repo.repo, "repository"],
  ];
  for (const [option, actual, word] of checks) {
    const allowed = options[option];
    if (!Array.isArray(allowed) || allowed.length === 0) continue;
    if (actual === undefined || !allowed.map(String).includes(actual)) {
      return `"${label}": the ${word} must be one of ${allowed.map(String).join(", ")}${actual ? ` (got "${actual}")` : ""}.`;
    }
  }
  return undefined;
}

function checkEntityRefs(
  value: unknown,
  label: string,
  options: Record<string, unknown>,
  catalog: EntityLookup | undefined,
): string | undefined {
  if (options.allowArbitraryValues !== false || !catalog) return undefined;
  const defaults = {
    defaultKind: typeof options.defaultKind === "string" ? options.defaultKind : undefined,
    defaultNamespace: typeof options.defaultNamespace === "string" ? options.defaultNamespace : undefined,
  };
  for (const ref of Array.isArray(value) ? value : [value]) {
    if (typeof ref !== "string") continue;
    let canonical: string;
    try {
      canonical = stringifyEntityRef(parseEntityRef(ref, defaults));
    } catch (error) {
      return `"${label}": ${(error as Error).message}`;
    }
    if (!catalog.exists(canonical)) return `"${label}": ${ref} is not in the catalog; pick one that is.`;
  }
  return undefined;
}
