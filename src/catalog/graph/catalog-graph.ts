import type { Entity, RelationEdge, SourcePosition } from "../model/entity.ts";
import { NameIndex } from "./name-index.ts";
import { RELATION } from "./relation-types.ts";

export interface GraphItem {
  ref: string;
  entity: Entity;
  /** Relations this entity emits, both directions (A ownedBy G and G ownerOf A). */
  relations: RelationEdge[];
  source?: SourcePosition;
}

export interface CatalogStats {
  byKind: Record<string, number>;
  /** Distinct edges, each direction counted. */
  relations: number;
  /** Distinct refs that relations point at but no entity answers to. */
  unresolved: number;
}

/** One node of a dependency walk. `repeated` nodes were already shown higher up and are not expanded. */
export interface DependencyNode {
  ref: string;
  resolved: boolean;
  children: DependencyNode[];
  repeated?: boolean;
  /** On the root: the walk stopped at its node limit, so some nodes (and levels) are missing. */
  truncated?: boolean;
}

/**
 * Nodes one dependency walk creates at most. A shared library or database can have thousands of
 * dependents, and five levels of them can be most of the catalog; a chat answer shows 60 lines.
 */
export const MAX_WALK_NODES = 1_000;

/** Adjacency stays a plain array while small (most nodes have one owner, a few parts); big ones get a Set. */
type Targets = string[] | Set<string>;
const SET_THRESHOLD = 32;

/**
 * A node's edges by type as one flat array, [type, targets, type, targets, …]: a node has a handful of
 * relation types, and a Map per node was about a fifth of the heap at 100k entities.
 */
type Relations = Array<string | Targets>;

interface Node {
  /** The interned canonical ref: every edge stores this very string, not a copy. */
  readonly ref: string;
  entity: Entity | undefined;
  source: SourcePosition | undefined;
  rel: Relations | undefined;
  /**
   * The edges this node's entity emitted, so replacing it takes back exactly those: pairs of
   * [type, other end] with this node as the source, or [incoming(type), other end] with it as the target
   * (every derived edge has the emitter at one end; a third of the flat triples this replaced).
   */
  emitted: string[] | undefined;
}

/** Lower-case kind from a canonical `kind:namespace/name` ref. */
export function kindOfRef(ref: string): string {
  const colon = ref.indexOf(":");
  return colon === -1 ? "" : ref.slice(0, colon);
}

/**
 * Every entity and relation in memory, so questions are answered at memory speed. Edges are indexed by
 * the entity that emitted them: replacing or removing an entity takes back exactly its edges, including
 * reverse edges kept on other nodes, and an edge declared by two entities (membership written on both
 * sides) stays while either still declares it.
 */
export class CatalogGraph {
  private readonly nodes = new Map<string, Node>();
  /** Edges whose emitter is at neither end: none are derived so; kept so a withdrawal stays exact. */
  private readonly foreign = new Map<string, string[]>();
  /** Interned `incoming(type)` keys and the type each stands for. */
  private readonly incomingKeys = new Map<string, string>();
  private readonly incomingTypes = new Map<string, string>();
  /** Edges declared by more than one emitter: key to the number of extra declarations. */
  private readonly extra = new Map<string, number>();
  private readonly types = new Map<string, string>();
  private readonly kinds = new Map<string, number>();
  private readonly names = new NameIndex();
  private relationCount = 0;
  private entityCount = 0;
  private changes = 0;
  private readonly listeners = new Set<(refs: readonly string[]) => void>();

  /** Grows on every write, so derived indexes (user directory, caches) know when to rebuild. */
  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.entityCount;
  }

  upsert(items: Iterable<GraphItem>): void {
    const changed: string[] = [];
    for (const item of items) {
      const ref = item.ref.toLowerCase();
      this.withdraw(ref);
      const node = this.ensure(ref);
      node.entity = item.entity;
      node.source = item.source;
      this.entityCount++;
      this.countKind(kindOfRef(ref), 1);
      this.names.add(node.ref, item.entity.metadata.name, item.entity.metadata.title);

      const emitted: string[] = [];
      const foreign: string[] = [];
      for (const edge of item.relations) {
        const source = this.ensure(edge.source.toLowerCase()).ref;
        const target = this.ensure(edge.target.toLowerCase()).ref;
        const type = this.intern(edge.type);
        // An entity listing a ref twice is counted like two declarers: withdrawing it takes both back.
        this.addEdge(source, type, target);
        if (source === node.ref) emitted.push(type, target);
        else if (target === node.ref) emitted.push(this.incoming(type), source);
        else foreign.push(source, type, target);
      }
      if (emitted.length > 0) node.emitted = emitted;
      if (foreign.length > 0) this.foreign.set(node.ref, foreign);
      changed.push(node.ref);
    }
    this.changed(changed);
  }

  remove(refs: Iterable<string>): void {
    const changed: string[] = [];
    for (const raw of refs) {
      const ref = raw.toLowerCase();
      this.withdraw(ref);
      this.collect(ref);
      changed.push(ref);
    }
    this.changed(changed);
  }

  /**
   * Call `listener` with the canonical refs of every later upsert or removal, as part of that write, so an
   * index derived from the graph (the user directory) follows it change by change instead of rebuilding
   * over the whole catalog on the next command. Returns a function that stops the calls.
   */
  onChange(listener: (refs: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Merge every change still waiting into the name index: a bulk load calls this at its end, not its reader. */
  settle(): void {
    this.names.settle(true);
  }

  private changed(refs: readonly string[]): void {
    this.changes++;
    this.names.settle();
    for (const listener of this.listeners) listener(refs);
  }

  get(ref: string): Entity | undefined {
    return this.nodes.get(ref.toLowerCase())?.entity;
  }

  has(ref: string): boolean {
    return this.nodes.get(ref.toLowerCase())?.entity !== undefined;
  }

  source(ref: string): SourcePosition | undefined {
    return this.nodes.get(ref.toLowerCase())?.source;
  }

  /**
   * The relation edges `ref`'s entity emitted, as they were given to upsert (in canonical, lower-case refs):
   * what a re-import that reuses the entity unread (file-memo.ts) stores again should its row need writing.
   */
  emittedRelations(ref: string): RelationEdge[] {
    const node = this.nodes.get(ref.toLowerCase());
    if (!node?.entity) return [];
    const edges: RelationEdge[] = [];
    const emitted = node.emitted ?? [];
    for (let i = 0; i < emitted.length; i += 2) {
      const key = emitted[i]!;
      const other = emitted[i + 1]!;
      const incoming = this.incomingTypes.get(key);
      edges.push(
        incoming === undefined
          ? { source: node.ref, type: key, target: other }
          : { source: other, type: incoming, target: node.ref },
      );
    }
    const foreign = this.foreign.get(node.ref) ?? [];
    for (let i = 0; i < foreign.length; i += 3) {
      edges.push({ source: foreign[i]!, type: foreign[i + 1]!, target: foreign[i + 2]! });
    }
    return edges;
  }

  /** Targets of `ref`'s edges of `type`, as canonical refs, including refs no entity answers to. */
  related(ref: string, type: string): string[] {
    const rel = this.nodes.get(ref.toLowerCase())?.rel;
    const targets = rel && relationTargets(rel, type);
    if (!targets) return [];
    return Array.isArray(targets) ? targets.slice() : [...targets];
  }

  /** Every relation type `ref` has edges of. */
  relationTypes(ref: string): string[] {
    const rel = this.nodes.get(ref.toLowerCase())?.rel;
    return rel ? rel.filter((_, i) => i % 2 === 0).map(String) : [];
  }

  /** Canonical refs of entities of a lower-case kind, in no particular order. */
  *refsOfKind(kind: string): Iterable<string> {
    const prefix = kind.toLowerCase() + ":";
    for (const node of this.nodes.values()) {
      if (node.entity && node.ref.startsWith(prefix)) yield node.ref;
    }
  }

  *entities(): Iterable<{ ref: string; entity: Entity }> {
    for (const node of this.nodes.values()) {
      if (node.entity) yield { ref: node.ref, entity: node.entity };
    }
  }

  /** Entities of each kind (lower-case), without the walk over every node that stats() makes. */
  kindCounts(): Record<string, number> {
    return Object.fromEntries(this.kinds);
  }

  stats(): CatalogStats {
    const byKind: Record<string, number> = {};
    for (const [kind, count] of [...this.kinds].sort(([a], [b]) => (a < b ? -1 : 1))) byKind[kind] = count;
    const unresolved = new Set<string>();
    for (const node of this.nodes.values()) {
      if (!node.rel) continue;
      if (!node.entity) unresolved.add(node.ref);
      for (let i = 1; i < node.rel.length; i += 2) {
        for (const target of node.rel[i] as Targets) if (!this.has(target)) unresolved.add(target);
      }
    }
    return { byKind, relations: this.relationCount, unresolved: unresolved.size };
  }

  /** Case-insensitive lookup of metadata.name; several kinds or namespaces may share a name. */
  byName(name: string): string[] {
    return this.names.byName(name).slice();
  }

  /** The name index itself, for resolvers and pickers. */
  get nameIndex(): NameIndex {
    return this.names;
  }

  owners(ref: string): string[] {
    return this.related(ref, RELATION.ownedBy);
  }

  members(groupRef: string): string[] {
    return this.related(groupRef, RELATION.hasMember);
  }

  childrenOf(groupRef: string): string[] {
    return this.related(groupRef, RELATION.parentOf);
  }

  parentOf(groupRef: string): string[] {
    return this.related(groupRef, RELATION.childOf);
  }

  /** What `ownerRef` owns, grouped by lower-case kind, each list sorted. */
  ownedBy(ownerRef: string): Record<string, string[]> {
    const grouped: Record<string, string[]> = {};
    for (const ref of this.related(ownerRef, RELATION.ownerOf)) (grouped[kindOfRef(ref)] ??= []).push(ref);
    for (const list of Object.values(grouped)) list.sort();
    return grouped;
  }

  dependencies(ref: string, depth: number, limit = MAX_WALK_NODES): DependencyNode {
    return this.walk(ref, RELATION.dependsOn, depth, limit);
  }

  dependents(ref: string, depth: number, limit = MAX_WALK_NODES): DependencyNode {
    return this.walk(ref, RELATION.dependencyOf, depth, limit);
  }

  /** How many edges of `type` leave `ref`, without copying them. */
  relatedCount(ref: string, type: string): number {
    const rel = this.nodes.get(ref.toLowerCase())?.rel;
    const targets = rel && relationTargets(rel, type);
    return !targets ? 0 : Array.isArray(targets) ? targets.length : targets.size;
  }

  /**
   * Breadth-first, so each ref is expanded once at the shallowest depth it appears; later sightings
   * (shared dependencies, cycles) are marked `repeated` rather than walked again. At most `limit` nodes:
   * a node's targets past the limit are not even copied, and those taken are sorted among themselves.
   */
  private walk(start: string, type: string, depth: number, limit: number): DependencyNode {
    const rootRef = start.toLowerCase();
    const root: DependencyNode = { ref: rootRef, resolved: this.has(rootRef), children: [] };
    const seen = new Set<string>([rootRef]);
    let frontier = [root];
    let created = 0;
    for (let level = 0; level < depth && frontier.length > 0; level++) {
      const next: DependencyNode[] = [];
      for (const parent of frontier) {
        const targets = this.firstTargets(parent.ref, type, limit - created);
        if (this.relatedCount(parent.ref, type) > targets.length) root.truncated = true;
        created += targets.length;
        for (const target of targets.sort()) {
          const child: DependencyNode = { ref: target, resolved: this.has(target), children: [] };
          if (seen.has(target)) child.repeated = true;
          else {
            seen.add(target);
            next.push(child);
          }
          parent.children.push(child);
        }
      }
      frontier = next;
      if (created >= limit) {
        if (frontier.some((node) => this.relatedCount(node.ref, type) > 0) && level + 1 < depth) {
          root.truncated = true;
        }
        break;
      }
    }
    return root;
  }

  /** Up to `count` of `ref`'s targets of `type`, in the order they were added. */
  private firstTargets(ref: string, type: string, count: number): string[] {
    const rel = this.nodes.get(ref.toLowerCase())?.rel;
    const targets = rel && relationTargets(rel, type);
    if (!targets || count <= 0) return [];
    if (Array.isArray(targets)) return targets.slice(0, count);
    const out: string[] = [];
    for (const target of targets) {
      if (out.length >= count) break;
      out.push(target);
    }
    return out;
  }

  private withdraw(ref: string): void {
    const node = this.nodes.get(ref);
    if (!node?.entity) return;
    this.names.remove(node.ref, node.entity.metadata.name, node.entity.metadata.title);
    this.countKind(kindOfRef(ref), -1);
    this.entityCount--;
    node.entity = undefined;
    node.source = undefined;
    const emitted = node.emitted ?? [];
    node.emitted = undefined;
    for (let i = 0; i < emitted.length; i += 2) {
      const key = emitted[i]!;
      const other = emitted[i + 1]!;
      const incoming = this.incomingTypes.get(key);
      if (incoming === undefined) this.removeEdge(node.ref, key, other);
      else this.removeEdge(other, incoming, node.ref);
      if (other !== node.ref) this.collect(other);
    }
    const foreign = this.foreign.get(ref);
    if (!foreign) return;
    this.foreign.delete(ref);
    for (let i = 0; i < foreign.length; i += 3) {
      this.removeEdge(foreign[i]!, foreign[i + 1]!, foreign[i + 2]!);
      this.collect(foreign[i]!);
      this.collect(foreign[i + 2]!);
    }
  }

  private addEdge(source: string, type: string, target: string): void {
    const node = this.nodes.get(source)!;
    node.rel ??= [];
    const targets = relationTargets(node.rel, type);
    if (!targets) {
      node.rel.push(type, [target]);
    } else if (Array.isArray(targets) ? targets.includes(target) : targets.has(target)) {
      const key = edgeKey(source, type, target);
      this.extra.set(key, (this.extra.get(key) ?? 0) + 1);
      return;
    } else if (Array.isArray(targets)) {
      targets.push(target);
      if (targets.length > SET_THRESHOLD) node.rel[node.rel.indexOf(type) + 1] = new Set(targets);
    } else {
      targets.add(target);
    }
    this.relationCount++;
  }

  private removeEdge(source: string, type: string, target: string): void {
    // Most catalogs have few doubly-declared edges; skip building the key when there are none.
    if (this.extra.size > 0) {
      const key = edgeKey(source, type, target);
      const extra = this.extra.get(key);
      if (extra !== undefined) {
        if (extra <= 1) this.extra.delete(key);
        else this.extra.set(key, extra - 1);
        return;
      }
    }
    const node = this.nodes.get(source);
    const targets = node?.rel && relationTargets(node.rel, type);
    if (!node?.rel || !targets) return;
    if (Array.isArray(targets)) {
      const at = targets.indexOf(target);
      if (at === -1) return;
      targets.splice(at, 1);
    } else if (!targets.delete(target)) {
      return;
    }
    this.relationCount--;
    if ((Array.isArray(targets) ? targets.length : targets.size) === 0) {
      node.rel.splice(node.rel.indexOf(type), 2);
    }
    if (node.rel.length === 0) node.rel = undefined;
  }

  /** Forget a node that has neither an entity nor edges; refs pointing at it still read as unresolved. */
  private collect(ref: string): void {
    const node = this.nodes.get(ref);
    if (node && !node.entity && !node.rel) this.nodes.delete(ref);
  }

  private ensure(ref: string): Node {
    let node = this.nodes.get(ref);
    if (!node) {
      node = { ref, entity: undefined, source: undefined, rel: undefined, emitted: undefined };
      this.nodes.set(ref, node);
    }
    return node;
  }

  /** The interned key that stands for "an edge of `type` pointing at the emitter". */
  private incoming(type: string): string {
    let key = this.incomingKeys.get(type);
    if (key === undefined) {
      key = `\u0000${type}`;
      this.incomingKeys.set(type, key);
      this.incomingTypes.set(key, type);
    }
    return key;
  }

  private intern(type: string): string {
    let interned = this.types.get(type);
    if (interned === undefined) this.types.set(type, (interned = type));
    return interned;
  }

  private countKind(kind: string, delta: number): void {
    const count = (this.kinds.get(kind) ?? 0) + delta;
    if (count === 0) this.kinds.delete(kind);
    else this.kinds.set(kind, count);
  }
}

function relationTargets(rel: Relations, type: string): Targets | undefined {
  for (let i = 0; i < rel.length; i += 2) if (rel[i] === type) return rel[i + 1] as Targets;
  return undefined;
}

function edgeKey(source: string, type: string, target: string): string {
  return `${source}\n${type}\n${target}`;
}
