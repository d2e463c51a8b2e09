/**
 * What a plugin may read of the catalog: entities by ref, a name as a person typed it (resolved exactly as the
 * catalog's own commands resolve it, with "did you mean" and "which one?" answers), and lists by filter. It is
 * read-only: every entity handed out is a copy, so a plugin cannot change what the catalog holds.
 */
import type { Entity } from "../catalog/model/entity.ts";
import type { Reply } from "../message/reply.ts";

export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** One entity as a plugin sees it. */
export interface CatalogEntry {
  /** Canonical, lower-case ref: `component:default/payments-api`. */
  readonly ref: string;
  /** A copy of the entity as its descriptor declares it (annotations, spec, links). */
  readonly entity: DeepReadonly<Entity>;
  /** Canonical refs of its owners (from spec.owner), possibly of entities not in the catalog. */
  readonly owners: readonly string[];
  /**
   * The descriptor file and line, as markdown that is safe to show in chat: a link for a file read from a
   * URL, else the path relative to the imported folder. Absent when the catalog does not know it.
   */
  readonly definedIn?: string;
}

export interface CatalogFilter {
  /** Kinds, any case ("component", "API"). */
  kind?: string | readonly string[];
  namespace?: string;
  /** An owner's ref (`group:default/payments`, or `payments`, read as a group in the default namespace). */
  owner?: string;
  /** Entities with this annotation, with any value or with `value`. */
  annotation?: { key: string; value?: string };
  /** spec.type, any case ("service", "website"). */
  type?: string;
  /** At most this many entries, sorted by ref (100; never more than 1,000). */
  limit?: number;
}

export interface CatalogListing {
  entries: CatalogEntry[];
  /** How many entities match, of which `entries` are the first `limit`. */
  total: number;
}

/** A name resolved to one entity, or the answer that helps the person pick or says it is not there. */
export type CatalogLookup = { found: CatalogEntry; correctedFrom?: string } | { reply: Reply };

export interface CatalogLookupOptions {
  /** The phrase the candidate buttons run again with the ref they name ("prs" gives `prs component:default/x`). */
  command: string;
  /** Lower-case kinds the command is about: they win over other kinds of the same name. */
  kinds?: string[];
  /** Kept after the ref on the candidate buttons ("--all"). */
  suffix?: string;
}

export interface CatalogView {
  /** How many entities the catalog holds. */
  readonly size: number;
  /** An entity by its ref (any case; `kind:namespace/name`). */
  get(ref: string): CatalogEntry | undefined;
  /**
   * A name as a person typed it ("payments api", "payments-api", "component:default/payments-api", a typo)
   * resolved as `who owns` and `show` resolve theirs; when it is not one entity, `reply` is the answer to send
   * ("did you mean", "which one?", "nothing is called ...") with buttons that run `command` on each candidate.
   */
  lookup(query: string, options: CatalogLookupOptions): Promise<CatalogLookup>;
  /** `answer`, led by a line saying which entity it is about when the lookup corrected what was typed. */
  answerFor(lookup: { found: CatalogEntry; correctedFrom?: string }, answer: Reply): Reply;
  list(filter?: CatalogFilter): CatalogListing;
}
