import type { Entity } from "../../catalog/model/entity.ts";
import { parseEntityRef } from "../../catalog/model/ref.ts";
import type { EntityPickerOptions, Option } from "../../message/form.ts";
import type { OptionsProvider } from "../../plugins/api.ts";

/** The options provider template pickers name (FormField.optionsProvider). */
export const CATALOG_PICKER = "scaffold-catalog";

/** What the pickers read from the catalog; the app wires it to the graph and the search index. */
export interface PickerCatalog {
  /** Refs of entities whose names match typed text (typo-tolerant where the search allows), of these kinds. */
  search(query: string, kinds: string[] | undefined, limit: number): Promise<string[]>;
  entity(ref: string): Entity | undefined;
  /** The groups a User is a direct member of (MyGroupsPicker). */
  groupsOf(userRef: string): string[];
  /** What these owners own (OwnedEntityPicker: the person and their groups). */
  ownedBy(ownerRefs: string[]): string[];
}

const MAX_OPTIONS = 20;
const CANDIDATES = 50;
/** Slack caps an option's text at 75 characters. */
const OPTION_TEXT = 75;

/**
 * Type-ahead for Backstage's EntityPicker family in template forms: EntityPicker, OwnerPicker and
 * MultiEntityPicker offer catalog entities matching the typed text and the field's `catalogFilter` (any one of
 * its filters; `kind`, `spec.type`, `metadata.tags`, relations…, values compared case-insensitively, `{exists}`
 * honoured); OwnedEntityPicker offers what the person or their groups own; MyGroupsPicker the groups they are
 * in. Those two need the person's catalog User: someone Callboard cannot match gets no choices. Labels leave
 * out the field's `defaultKind` and `defaultNamespace`, as Backstage shows them; values are full refs.
 */
export function catalogPicker(catalog: PickerCatalog): OptionsProvider {
  return {
    id: CATALOG_PICKER,
    async options(query, filter, user) {
      const picker = filter.picker ?? {};
      const typed = query.trim().toLowerCase();
      let refs: string[];
      if (picker.scope === "myGroups" || picker.scope === "owned") {
        if (!user.catalogRef) return [];
        const groups = catalog.groupsOf(user.catalogRef);
        refs = picker.scope === "myGroups" ? groups : catalog.ownedBy([user.catalogRef, ...groups]);
      } else {
        refs = await catalog.search(query, filter.kinds, CANDIDATES);
      }
      const out: Option[] = [];
      for (const ref of new Set(refs)) {
        const entity = catalog.entity(ref);
        if (!entity || !matchesAnyFilter(entity, picker.catalogFilter)) continue;
        if (picker.scope && typed && !nameMatches(entity, ref, typed)) continue;
        out.push(option(ref, entity, picker));
        if (out.length >= MAX_OPTIONS) break;
      }
      return out;
    },
  };
}

type CatalogFilter = NonNullable<EntityPickerOptions["catalogFilter"]>[number];

/** Whether `entity` passes one of `filters` (none: every entity does). */
export function matchesAnyFilter(entity: Entity, filters: CatalogFilter[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  const fields = flatten(entity);
  return filters.some((filter) =>
    Object.entries(filter).every(([key, wanted]) => {
      const values = fields.get(key.toLowerCase());
      if (wanted && typeof wanted === "object" && !Array.isArray(wanted)) {
        return (values !== undefined) === (wanted as { exists: boolean }).exists;
      }
      const choices = (Array.isArray(wanted) ? wanted : [wanted]).map((v) => String(v).toLowerCase());
      return values !== undefined && values.some((value) => choices.includes(value));
    }),
  );
}

/**
 * An entity as Backstage's catalog filters see it: dotted keys (`metadata.name`, `spec.type`), every value
 * of a list under its list's key, annotation and label keys kept whole (`metadata.annotations.backstage.io/x`),
 * relations as `relations.<type>` with their target refs. Keys and values lower-cased.
 */
function flatten(entity: Entity): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (key: string, value: unknown) => {
    if (value === null || value === undefined || typeof value === "object") return;
    const list = fields.get(key) ?? [];
    list.push(String(value).toLowerCase());
    fields.set(key, list);
  };
  const walk = (prefix: string, value: unknown, depth: number) => {
    if (depth > 6) return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 200)) walk(prefix, item, depth + 1);
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (prefix === "relations") continue;
        walk(prefix ? `${prefix}.${key.toLowerCase()}` : key.toLowerCase(), inner, depth + 1);
      }
    } else add(prefix, value);
  };
  walk(
    "",
    { apiVersion: entity.apiVersion, kind: entity.kind, metadata: entity.metadata, spec: entity.spec },
    0,
  );
  for (const relation of entity.relations ?? [])
    add(`relations.${relation.type.toLowerCase()}`, relation.targetRef);
  return fields;
}

function nameMatches(entity: Entity, ref: string, typed: string): boolean {
  return (
    ref.includes(typed) ||
    entity.metadata.name.toLowerCase().includes(typed) ||
    (entity.metadata.title ?? "").toLowerCase().includes(typed)
  );
}

function option(ref: string, entity: Entity, picker: EntityPickerOptions): Option {
  const short = shortRef(ref, picker);
  const title = entity.metadata.title;
  const label = title && title !== entity.metadata.name ? `${title} (${short})` : short;
  const description = [entity.kind, entity.metadata.description].filter(Boolean).join(" · ");
  return {
    value: ref,
    label: clip(label, OPTION_TEXT),
    ...(description ? { description: clip(description, OPTION_TEXT) } : {}),
  };
}

/** The ref as Backstage's pickers show it: without the field's default kind and namespace. */
function shortRef(ref: string, picker: EntityPickerOptions): string {
  try {
    const { kind, namespace, name } = parseEntityRef(ref);
    const sameKind = picker.defaultKind?.toLowerCase() === kind.toLowerCase();
    const sameNamespace = (picker.defaultNamespace ?? "default").toLowerCase() === namespace.toLowerCase();
    return `${sameKind ? "" : `${kind}:`}${sameNamespace ? "" : `${namespace}/`}${name}`;
  } catch {
    return ref;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
