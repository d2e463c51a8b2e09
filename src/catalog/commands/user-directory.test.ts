import { describe, expect, it } from "vitest";
import { CatalogGraph } from "../graph/catalog-graph.ts";
import { GraphUserResolver } from "./user-directory.ts";
import { entity, item } from "../../../test/fixtures/catalog-commands/small-catalog.ts";

function user(name: string, ids: { slack?: string; teams?: string; email?: string; signIn?: string } = {}) {
  const ref = `user:default/${name}`;
  const annotations: Record<string, string> = {};
  if (ids.slack) annotations["slack.com/user-id"] = ids.slack;
  if (ids.teams) annotations["graph.microsoft.com/user-id"] = ids.teams;
  if (ids.signIn) annotations["microsoft.com/email"] = ids.signIn;
  return item(ref, entity(ref, ids.email ? { profile: { email: ids.email } } : {}, { annotations }));
}

const slack = (id: string, email?: string) => ({ surface: "slack" as const, id, email });

describe("GraphUserResolver", () => {
  it("finds a chat user by platform id or email, ignoring case and spaces around the email", () => {
    const graph = new CatalogGraph();
    graph.upsert([
      user("jane", { slack: "U0JANE", email: "Jane@Example.com" }),
      user("omar", { teams: "aad-omar", signIn: "omar@example.com" }),
    ]);
    const users = new GraphUserResolver(graph);
    expect(users.lookup(slack("u0jane"))).toBe("user:default/jane");
    expect(users.lookup(slack("U-UNKNOWN", " jane@example.COM "))).toBe("user:default/jane");
    expect(users.lookup({ surface: "teams", id: "AAD-OMAR" })).toBe("user:default/omar");
    expect(users.lookup({ surface: "teams", id: "x", email: "omar@example.com" })).toBe("user:default/omar");
    expect(users.lookup(slack("U-NOBODY"))).toBeUndefined();
  });

  it("follows every later change: a new user, a changed id (the old one stops matching), a removed user", () => {
    const graph = new CatalogGraph();
    const users = new GraphUserResolver(graph);
    graph.upsert([user("jane", { slack: "U0JANE" })]);
    expect(users.lookup(slack("U0JANE"))).toBe("user:default/jane");
    graph.upsert([user("jane", { slack: "U0JANE2" })]);
    expect(users.lookup(slack("U0JANE"))).toBeUndefined();
    expect(users.lookup(slack("U0JANE2"))).toBe("user:default/jane");
    graph.remove(["user:default/jane"]);
    expect(users.lookup(slack("U0JANE2"))).toBeUndefined();
  });

  it("gives a shared id to the first user in ref order whatever the load order, and to the next when that one goes", () => {
    for (const order of [
      ["zoe", "adam"],
      ["adam", "zoe"],
    ]) {
      const graph = new CatalogGraph();
      const users = new GraphUserResolver(graph);
      for (const name of order) graph.upsert([user(name, { email: "shared@example.com" })]);
      expect(users.lookup(slack("x", "shared@example.com"))).toBe("user:default/adam");
      graph.remove(["user:default/adam"]);
      expect(users.lookup(slack("x", "shared@example.com"))).toBe("user:default/zoe");
    }
  });

  it("ignores annotations that are not strings (YAML gives numbers and nulls too)", () => {
    const graph = new CatalogGraph();
    const ref = "user:default/odd";
    graph.upsert([
      item(
        ref,
        entity(
          ref,
          { profile: { email: 42 } },
          {
            annotations: { "slack.com/user-id": null, "microsoft.com/email": "" } as unknown as Record<
              string,
              string
            >,
          },
        ),
      ),
    ]);
    const users = new GraphUserResolver(graph);
    expect(users.lookup(slack("42", "42"))).toBeUndefined();
    expect(users.lookup(slack("", ""))).toBeUndefined();
  });

  it("answers as a directory built from scratch after many mixed changes", () => {
    let state = 5;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const graph = new CatalogGraph();
    const users = new GraphUserResolver(graph);
    for (let step = 0; step < 800; step++) {
      const name = `u${Math.floor(next() * 60)}`;
      if (next() < 0.3) graph.remove([`user:default/${name}`]);
      else
        graph.upsert([
          user(name, { slack: `S${Math.floor(next() * 40)}`, email: `e${Math.floor(next() * 40)}@x` }),
        ]);
    }
    const fresh = new GraphUserResolver(graph);
    for (let i = 0; i < 40; i++) {
      expect(users.lookup(slack(`S${i}`))).toBe(fresh.lookup(slack(`S${i}`)));
      expect(users.lookup(slack("none", `e${i}@x`))).toBe(fresh.lookup(slack("none", `e${i}@x`)));
    }
  });
});
