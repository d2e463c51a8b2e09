import type { ChatUser, UserResolver } from "../../plugins/api.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { profileString } from "./entity-text.ts";

/** Annotations that carry a platform's id (or sign-in email) for a User entity. */
const ID_ANNOTATIONS = ["slack.com/user-id", "graph.microsoft.com/user-id", "microsoft.com/email"];

/**
 * Chat user to catalog User ref, by platform id or email. The index is rebuilt only when the graph
 * has changed since the last lookup, so a message costs two Map hits, not a walk over every user.
 */
export class GraphUserResolver implements UserResolver {
  private byKey = new Map<string, string>();
  private builtAt = -1;

  constructor(private readonly graph: CatalogGraph) {}

  async resolve(user: ChatUser): Promise<string | undefined> {
    return this.lookup(user);
  }

  lookup(user: ChatUser): string | undefined {
    if (this.builtAt !== this.graph.version) this.rebuild();
    const byId = user.id ? this.byKey.get(`id:${user.id.toLowerCase()}`) : undefined;
    if (byId) return byId;
    return user.email ? this.byKey.get(`id:${user.email.trim().toLowerCase()}`) : undefined;
  }

  private rebuild(): void {
    const byKey = new Map<string, string>();
    for (const ref of [...this.graph.refsOfKind("user")].sort()) {
      const entity = this.graph.get(ref)!;
      const keys = ID_ANNOTATIONS.map((key) => entity.metadata.annotations?.[key]);
      keys.push(profileString(entity, "email"));
      for (const key of keys) {
        // The first user (in ref order) keeps a shared id, so the answer does not depend on load order.
        if (key && !byKey.has(`id:${key.toLowerCase()}`)) byKey.set(`id:${key.toLowerCase()}`, ref);
      }
    }
    this.byKey = byKey;
    this.builtAt = this.graph.version;
  }
}
