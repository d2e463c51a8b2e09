import type { Entity } from "./entity.ts";

export const DEFAULT_NAMESPACE = "default";

export interface CompoundEntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface EntityRefContext {
  /** Kind to use when the ref has none, e.g. "Group" for `spec.owner`. Without it a kind-less ref is an error. */
  defaultKind?: string;
  /** Namespace to use when the ref has none; usually the referring entity's. Falls back to "default". */
  defaultNamespace?: string;
}

/**
 * Parses `[<kind>:][<namespace>/]<name>` the way Backstage's catalog-model does: the first `:` ends the
 * kind unless a `/` comes before it, the first `/` ends the namespace, and everything after is the name
 * (so `component:default/foo:bar` names `foo:bar`). Empty parts and a missing kind without a default
 * are errors, because silently guessing would point relations at the wrong entity.
 */
export function parseEntityRef(ref: string, context: EntityRefContext = {}): CompoundEntityRef {
  if (typeof ref !== "string") {
    throw new Error(`Entity reference ${describe(ref)} must be a string like "component:default/name"`);
  }
  if (ref === "") {
    throw new Error(`Entity reference must not be empty; write it as [<kind>:][<namespace>/]<name>`);
  }

  let colon = ref.indexOf(":");
  const slash = ref.indexOf("/");
  if (slash !== -1 && slash < colon) colon = -1;

  const kind = colon === -1 ? undefined : ref.slice(0, colon);
  const namespace = slash === -1 ? undefined : ref.slice(colon + 1, slash);
  const name = ref.slice(Math.max(colon + 1, slash + 1));

  const empty = kind === "" ? "kind" : namespace === "" ? "namespace" : name === "" ? "name" : undefined;
  if (empty) {
    throw new Error(
      `Entity reference "${ref}" has an empty ${empty}; write it as [<kind>:][<namespace>/]<name>`,
    );
  }

  const resolvedKind = kind ?? context.defaultKind;
  if (!resolvedKind) {
    throw new Error(
      `Entity reference "${ref}" has no kind and this field has no default kind; ` +
        `prefix it with one, e.g. "component:${ref}"`,
    );
  }
  return {
    kind: resolvedKind,
    namespace: namespace ?? (context.defaultNamespace || DEFAULT_NAMESPACE),
    name,
  };
}

/** The canonical, lower-cased `kind:namespace/name` form used as a key everywhere. */
export function stringifyEntityRef(ref: { kind: string; namespace?: string; name: string }): string {
  const namespace = ref.namespace || DEFAULT_NAMESPACE;
  // toLowerCase equals Backstage's toLocaleLowerCase("en-US") (only tr/az/lt differ) and is far faster.
  return `${ref.kind}:${namespace}/${ref.name}`.toLowerCase();
}

export function entityRef(entity: Entity): string {
  return stringifyEntityRef({
    kind: entity.kind,
    namespace: entity.metadata.namespace,
    name: entity.metadata.name,
  });
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
