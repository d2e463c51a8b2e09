import type { ChatUser, UserResolver } from "../../plugins/api.ts";
import { kindOfRef, type CatalogGraph } from "../graph/catalog-graph.ts";
import { profileString } from "./entity-text.ts";

/** Annotations that carry a platform's id (or sign-in email) for a User entity. */
const ID_ANNOTATIONS = ["slack.com/user-id", "graph.microsoft.com/user-id", "microsoft.com/email"];

/**
 * Chat user to catalog User ref, by platform id or email: two Map hits a message.
 *
 * The index follows the graph change by change (CatalogGraph.onChange): it used to be rebuilt over every
 * User on the first message after any catalog change, which held the event loop for a quarter of a second
 * with 20,000 users, once per webhook. The whole catalog is walked once, when the resolver is made at start.
 */
export class GraphUserResolver implements UserResolver {
  /** id or email (lower case) to the refs of the users that carry it, in ref order. */
  private readonly byKey = new Map<string, string[]>();
  /** What each indexed user was filed under, so a change takes back exactly that. */
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly graph: CatalogGraph) {
    this.update(graph.refsOfKind("user"));
    graph.onChange((refs) => this.update(refs));
  }

  async resolve(user: ChatUser): Promise<string | undefined> {
    return this.lookup(user);
  }

  lookup(user: ChatUser): string | undefined {
    // The first user in ref order keeps a shared id, so the answer does not depend on load order.
    const byId = user.id ? this.byKey.get(user.id.toLowerCase())?.[0] : undefined;
    if (byId) return byId;
    return user.email ? this.byKey.get(user.email.trim().toLowerCase())?.[0] : undefined;
  }

  private update(refs: Iterable<string>): void {
    for (const ref of refs) {
      if (kindOfRef(ref) !== "user") continue;
      for (const key of this.keysOf.get(ref) ?? []) this.unfile(key, ref);
      this.keysOf.delete(ref);
      const entity = this.graph.get(ref);
      if (!entity) continue;
      const keys = new Set<string>();
      for (const value of [
        ...ID_ANNOTATIONS.map((a) => entity.metadata.annotations?.[a]),
        profileString(entity, "email"),
      ]) {
        // Annotations come from YAML: anything but a non-empty string is not an id.
        if (typeof value === "string" && value.trim() !== "") keys.add(value.trim().toLowerCase());
      }
      if (keys.size === 0) continue;
      this.keysOf.set(ref, [...keys]);
      for (const key of keys) this.file(key, ref);
    }
  }

  private file(key: string, ref: string): void {
    const refs = this.byKey.get(key);
    if (!refs) {
      this.byKey.set(key, [ref]);
      return;
    }
    let at = 0;
    while (at < refs.length && refs[at]! < ref) at++;
    if (refs[at] !== ref) refs.splice(at, 0, ref);
  }

  private unfile(key: string, ref: string): void {
    const refs = this.byKey.get(key);
    if (!refs) return;
    const at = refs.indexOf(ref);
    if (at !== -1) refs.splice(at, 1);
    if (refs.length === 0) this.byKey.delete(key);
  }
}
