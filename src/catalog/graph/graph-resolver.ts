import type { EntityResolver, Resolution } from "../resolver.ts";
import { parseQuery } from "../resolver.ts";
import type { CatalogGraph } from "./catalog-graph.ts";
import { kindOfRef } from "./catalog-graph.ts";

/**
 * The usual order of interest of the kinds, for listing candidates and owned entities. It never picks
 * one of several entities of the same name: that is the person's choice.
 */
export const KIND_PREFERENCE = ["component", "api", "resource", "system", "domain", "group", "user"];
const MAX_CANDIDATES = 5;

function kindRank(kind: string): number {
  const at = KIND_PREFERENCE.indexOf(kind);
  return at === -1 ? KIND_PREFERENCE.length : at;
}

function namespaceOfRef(ref: string): string {
  return ref.slice(ref.indexOf(":") + 1, ref.indexOf("/"));
}

/**
 * Resolves what a person typed against the graph's names: a full ref, a bare name, a name written with
 * spaces or in another case, or a title. Anything else is "missing" with near misses (within two typos
 * or by prefix) as candidates: this resolver never guesses; the search service's typo-tolerant one does.
 */
export class GraphNameResolver implements EntityResolver {
  constructor(private readonly graph: CatalogGraph) {}

  async resolve(query: string, options: { kinds?: string[] } = {}): Promise<Resolution> {
    return this.resolveSync(query, options);
  }

  resolveSync(query: string, options: { kinds?: string[] } = {}): Resolution {
    const kinds = (options.kinds ?? []).map((k) => k.toLowerCase());
    const typed = parseQuery(query);
    if (typed.name.length === 0) return { status: "missing", candidates: [] };
    // A kind or namespace the person typed is a filter; the command's kinds are only a preference.
    const fits = (ref: string) =>
      (!typed.kind || kindOfRef(ref) === typed.kind) &&
      (!typed.namespace || namespaceOfRef(ref) === typed.namespace);

    const named = this.existing(this.graph.byName(typed.name));
    const normalised = this.existing(this.graph.nameIndex.byNormalised(typed.name));
    for (const refs of [named, normalised]) {
      const fitting = refs.filter(fits);
      if (fitting.length > 0) return this.choose(fitting, kinds);
    }

    // Nothing of the typed kind: the same name in another kind is the first suggestion after near
    // misses of the typed kind, never the answer.
    const sameName = this.rank([...new Set([...named, ...normalised])], kinds);
    const near = this.nearMisses(typed.name, kinds);
    const candidates = [...near.filter(fits), ...sameName, ...near.filter((ref) => !fits(ref))];
    return { status: "missing", candidates: [...new Set(candidates)].slice(0, MAX_CANDIDATES) };
  }

  private existing(refs: readonly string[]): string[] {
    return refs.filter((ref) => this.graph.has(ref));
  }

  /**
   * One match is the answer; several are a question, unless the command's kinds or the default namespace
   * single one out (Backstage reads a ref without a namespace as `default/`).
   */
  private choose(refs: string[], kinds: string[]): Resolution {
    const ofWantedKind = refs.filter((ref) => kinds.includes(kindOfRef(ref)));
    const pool = ofWantedKind.length > 0 ? ofWantedKind : refs;
    const inDefault = (ref: string) => namespaceOfRef(ref) === "default";
    const preferred = pool.filter(
      (ref) =>
        inDefault(ref) || !pool.some((other) => kindOfRef(other) === kindOfRef(ref) && inDefault(other)),
    );
    if (preferred.length === 1) return { status: "found", ref: preferred[0]!, match: "exact" };
    return { status: "ambiguous", candidates: this.rank(preferred, kinds).slice(0, MAX_CANDIDATES) };
  }

  private nearMisses(name: string, kinds: string[]): string[] {
    const refs: string[] = [];
    const seen = new Set<string>();
    for (const near of this.graph.nameIndex.near(name, MAX_CANDIDATES * 2)) {
      for (const ref of this.rank([...near.refs], kinds)) {
        if (seen.has(ref) || !this.graph.has(ref)) continue;
        seen.add(ref);
        refs.push(ref);
      }
    }
    // Within the distance order, the kinds the command asked for come first.
    const wanted = refs.filter((ref) => kinds.length === 0 || kinds.includes(kindOfRef(ref)));
    const others = refs.filter((ref) => !wanted.includes(ref));
    return [...wanted, ...others];
  }

  private rank(refs: string[], kinds: string[]): string[] {
    return refs.slice().sort((a, b) => this.score(a, kinds) - this.score(b, kinds) || (a < b ? -1 : 1));
  }

  /** Lower is better: asked-for kinds first, then the usual kind order, then the default namespace. */
  private score(ref: string, kinds: string[]): number {
    const kind = kindOfRef(ref);
    const wanted = kinds.length === 0 || kinds.includes(kind) ? 0 : 1;
    const inDefault = namespaceOfRef(ref) === "default" ? 0 : 1;
    return wanted * 1000 + kindRank(kind) * 10 + inDefault;
  }
}
