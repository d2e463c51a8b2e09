import { parseEntityRef, stringifyEntityRef } from "../model/ref.ts";
import type { EntityResolver, Resolution } from "../resolver.ts";
import { trimEdges } from "../../text/trim-edges.ts";
import type { CatalogGraph } from "./catalog-graph.ts";
import { kindOfRef } from "./catalog-graph.ts";

/** When a bare name belongs to several kinds, people almost always mean the first of these. */
export const KIND_PREFERENCE = ["component", "api", "resource", "system", "domain", "group", "user"];
const MAX_CANDIDATES = 5;

function kindRank(kind: string): number {
  const at = KIND_PREFERENCE.indexOf(kind);
  return at === -1 ? KIND_PREFERENCE.length : at;
}

/**
 * Resolves what a person typed against the graph's names: a full ref, a bare name, a name written with
 * spaces or in another case, and otherwise "did you mean" candidates within two typos or by prefix.
 * The search service's typo-tolerant resolver replaces this one through the same interface.
 */
export class GraphNameResolver implements EntityResolver {
  constructor(private readonly graph: CatalogGraph) {}

  async resolve(query: string, options: { kinds?: string[] } = {}): Promise<Resolution> {
    return this.resolveSync(query, options);
  }

  resolveSync(query: string, options: { kinds?: string[] } = {}): Resolution {
    const kinds = (options.kinds ?? []).map((k) => k.toLowerCase());
    const text = trimEdges(query.trim(), "`'\"", "`'\"?!.").trim();
    if (text.length === 0) return { status: "missing", candidates: [] };

    const looksLikeRef = text.includes(":") || text.includes("/");
    if (looksLikeRef) {
      const byRef = this.resolveRef(text, kinds);
      if (byRef) return byRef;
    }

    const name = looksLikeRef ? text.slice(Math.max(text.lastIndexOf("/"), text.lastIndexOf(":")) + 1) : text;
    const exact = this.pick(this.graph.byName(name), kinds);
    if (exact) return exact;
    const normalised = this.pick([...this.graph.nameIndex.byNormalised(name)], kinds);
    if (normalised) return normalised;

    return { status: "missing", candidates: this.nearMisses(name, kinds) };
  }

  private resolveRef(text: string, kinds: string[]): Resolution | undefined {
    let tries: string[];
    try {
      const hasKind = /^[^/]*:/.test(text);
      const kindsToTry = hasKind ? [undefined] : kinds.length > 0 ? kinds : KIND_PREFERENCE;
      tries = kindsToTry.map((defaultKind) => stringifyEntityRef(parseEntityRef(text, { defaultKind })));
    } catch {
      return undefined;
    }
    const found = tries.filter((ref) => this.graph.has(ref));
    if (found.length === 1) return { status: "found", ref: found[0]! };
    if (found.length > 1) return { status: "found", ref: this.rank(found, kinds)[0]! };
    return undefined;
  }

  /** One clear winner is found; ties of the same kind in different namespaces are ambiguous. */
  private pick(refs: string[], kinds: string[]): Resolution | undefined {
    const existing = refs.filter((ref) => this.graph.has(ref));
    if (existing.length === 0) return undefined;
    const ranked = this.rank(existing, kinds);
    const [first, second] = ranked;
    if (!second || this.score(first!, kinds) < this.score(second, kinds)) {
      return { status: "found", ref: first! };
    }
    return { status: "ambiguous", candidates: ranked.slice(0, MAX_CANDIDATES) };
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
    return [...wanted, ...others].slice(0, MAX_CANDIDATES);
  }

  private rank(refs: string[], kinds: string[]): string[] {
    return refs.slice().sort((a, b) => this.score(a, kinds) - this.score(b, kinds) || (a < b ? -1 : 1));
  }

  /** Lower is better: asked-for kinds first, then the usual kind preference, then the default namespace. */
  private score(ref: string, kinds: string[]): number {
    const kind = kindOfRef(ref);
    const wanted = kinds.length === 0 || kinds.includes(kind) ? 0 : 1;
    const inDefault = ref.startsWith(`${kind}:default/`) ? 0 : 1;
    return wanted * 1000 + kindRank(kind) * 10 + inDefault;
  }
}
