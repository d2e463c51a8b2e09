import { describe, expect, it } from "vitest";
import type { Entity, RelationEdge } from "./entity.ts";
import { deriveRelations } from "./relations.ts";

const make = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string): Entity => ({
  apiVersion: kind === "Template" ? "scaffolder.backstage.io/v1beta3" : "backstage.io/v1alpha1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec,
});

const edge = (source: string, type: string, target: string): RelationEdge => ({ source, type, target });
const sorted = (edges: RelationEdge[]) =>
  [...edges].sort((a, b) =>
    `${a.source}${a.type}${a.target}`.localeCompare(`${b.source}${b.type}${b.target}`),
  );

describe("deriveRelations", () => {
  it("emits both directions for every Component field, with each field's default kind", () => {
    const { edges, problems } = deriveRelations(
      make("Component", "web", {
        type: "website",
        lifecycle: "production",
        owner: "team-a",
        system: "shop",
        subcomponentOf: "portal",
        providesApis: ["web-api"],
        consumesApis: ["ledger-api"],
        dependsOn: ["resource:db"],
        dependencyOf: ["component:mobile"],
      }),
    );
    const self = "component:default/web";
    expect(problems).toEqual([]);
    expect(sorted(edges)).toEqual(
      sorted([
        edge(self, "ownedBy", "group:default/team-a"),
        edge("group:default/team-a", "ownerOf", self),
        edge(self, "partOf", "system:default/shop"),
        edge("system:default/shop", "hasPart", self),
        edge(self, "partOf", "component:default/portal"),
        edge("component:default/portal", "hasPart", self),
        edge(self, "providesApi", "api:default/web-api"),
        edge("api:default/web-api", "apiProvidedBy", self),
        edge(self, "consumesApi", "api:default/ledger-api"),
        edge("api:default/ledger-api", "apiConsumedBy", self),
        edge(self, "dependsOn", "resource:default/db"),
        edge("resource:default/db", "dependencyOf", self),
        edge(self, "dependencyOf", "component:default/mobile"),
        edge("component:default/mobile", "dependsOn", self),
      ]),
    );
  });

  it.each([
    [
      "API",
      { owner: "team-a", system: "shop" },
      ["ownedBy group:default/team-a", "partOf system:default/shop"],
    ],
    [
      "Resource",
      { owner: "user:alice", system: "shop", dependsOn: ["component:x"], dependencyOf: ["component:y"] },
      [
        "ownedBy user:default/alice",
        "partOf system:default/shop",
        "dependsOn component:default/x",
        "dependencyOf component:default/y",
      ],
    ],
    [
      "System",
      { owner: "team-a", domain: "commerce" },
      ["ownedBy group:default/team-a", "partOf domain:default/commerce"],
    ],
    [
      "Domain",
      { owner: "team-a", subdomainOf: "everything" },
      ["ownedBy group:default/team-a", "partOf domain:default/everything"],
    ],
    [
      "Group",
      { type: "team", parent: "eng", children: ["sub"], members: ["alice"] },
      ["childOf group:default/eng", "parentOf group:default/sub", "hasMember user:default/alice"],
    ],
    ["User", { memberOf: ["team-a"] }, ["memberOf group:default/team-a"]],
    ["Template", { type: "service", owner: "team-a", steps: [] }, ["ownedBy group:default/team-a"]],
    ["Location", { target: "./x.yaml" }, []],
    ["Environment", { lifecycle: "production", owner: "team-a" }, []],
    [
      "AiResource",
      {
        type: "skill",
        lifecycle: "production",
        owner: "team-a",
        system: "portal",
        dependsOn: ["base-rules"],
      },
      [
        "ownedBy group:default/team-a",
        "partOf system:default/portal",
        "dependsOn airesource:default/base-rules",
      ],
    ],
    [
      "AiResource",
      { type: "plugin", lifecycle: "production", owner: "team-a", skills: ["airesource:default/review"] },
      ["ownedBy group:default/team-a", "hasSkill airesource:default/review"],
    ],
    [
      "AiResource",
      { type: "marketplace", lifecycle: "production", owner: "user:jo", plugins: ["code-review"] },
      ["ownedBy user:default/jo", "hasPlugin airesource:default/code-review"],
    ],
    [
      "AiResource",
      // A rule has no dependsOn of its own: the field is not a relation there.
      { type: "rule", lifecycle: "production", owner: "team-a", dependsOn: ["x"], skills: ["y"] },
      ["ownedBy group:default/team-a"],
    ],
  ])("derives %s relations with their reverses", (kind, spec, outgoing) => {
    const entity = make(kind, "x", spec);
    const self = `${kind.toLowerCase()}:default/x`;
    const { edges } = deriveRelations(entity);
    const out = edges.filter((e) => e.source === self).map((e) => `${e.type} ${e.target}`);
    expect(out.sort()).toEqual([...outgoing].sort());
    expect(edges).toHaveLength(outgoing.length * 2);
    for (const e of edges.filter((x) => x.source !== self)) expect(e.target).toBe(self);
  });

  it("inherits the referring entity's namespace, but keeps an explicit one", () => {
    const { edges } = deriveRelations(
      make("Component", "c", { owner: "team-a", system: "other/shop" }, "payments"),
    );
    expect(edges).toContainEqual(edge("component:payments/c", "ownedBy", "group:payments/team-a"));
    expect(edges).toContainEqual(edge("component:payments/c", "partOf", "system:other/shop"));
  });

  it("reports a kind-less dependsOn ref as a problem and keeps the other relations", () => {
    const { edges, problems } = deriveRelations(
      make("Component", "c", { owner: "team-a", dependsOn: ["payments-db", "resource:ok-db"] }),
    );
    expect(problems).toEqual([
      {
        field: "spec.dependsOn[0]",
        message: expect.stringContaining('spec.dependsOn[0]: Entity reference "payments-db" has no kind'),
      },
    ]);
    expect(edges).toContainEqual(edge("component:default/c", "dependsOn", "resource:default/ok-db"));
    expect(edges).toContainEqual(edge("component:default/c", "ownedBy", "group:default/team-a"));
  });

  it("reports malformed refs with their field", () => {
    const { problems } = deriveRelations(make("Component", "c", { owner: "group:", providesApis: [42] }));
    expect(problems.map((p) => p.field)).toEqual(["spec.owner", "spec.providesApis[0]"]);
  });

  it("keeps dangling targets: a relation does not need its target to exist", () => {
    const { edges } = deriveRelations(make("System", "s", { owner: "nobody-knows" }));
    expect(edges).toContainEqual(edge("system:default/s", "ownedBy", "group:default/nobody-knows"));
  });

  it("de-duplicates repeated refs, including differently cased ones", () => {
    const { edges } = deriveRelations(
      make("User", "u", { memberOf: ["team-a", "Team-A", "group:default/team-a"] }),
    );
    expect(edges).toEqual([
      edge("user:default/u", "memberOf", "group:default/team-a"),
      edge("group:default/team-a", "hasMember", "user:default/u"),
    ]);
  });

  it("gives the same membership edges whether declared on the Group, the User, or both", () => {
    const group = make("Group", "team-a", { type: "team", children: [], members: ["alice"] });
    const user = make("User", "alice", { memberOf: ["team-a"] });
    const key = (e: RelationEdge) => `${e.source} ${e.type} ${e.target}`;
    const fromGroup = new Set(deriveRelations(group).edges.map(key));
    const fromUser = new Set(deriveRelations(user).edges.map(key));
    expect(fromGroup).toEqual(fromUser);
    const union = new Set([...fromGroup, ...fromUser]);
    expect([...union].sort()).toEqual([
      "group:default/team-a hasMember user:default/alice",
      "user:default/alice memberOf group:default/team-a",
    ]);
  });

  it("gives a kind it does not know its owner when spec.owner is a ref, and nothing else", () => {
    expect(deriveRelations(make("Widget", "w", { owner: "team-x", system: "s", dependsOn: ["c"] }))).toEqual({
      edges: [
        edge("widget:default/w", "ownedBy", "group:default/team-x"),
        edge("group:default/team-x", "ownerOf", "widget:default/w"),
      ],
      problems: [],
    });
    // Its owner may not be a ref at all: that is its own business, not a problem to report.
    expect(deriveRelations(make("Widget", "w", { owner: { name: "x" } }))).toEqual({
      edges: [],
      problems: [],
    });
    expect(deriveRelations(make("Widget", "w", { owner: "group:" }))).toEqual({ edges: [], problems: [] });
  });

  it("emits nothing for a missing spec", () => {
    expect(deriveRelations({ apiVersion: "v1", kind: "Component", metadata: { name: "n" } }).edges).toEqual(
      [],
    );
    expect(deriveRelations({ apiVersion: "v1", kind: "Widget", metadata: { name: "n" } }).edges).toEqual([]);
  });
});
