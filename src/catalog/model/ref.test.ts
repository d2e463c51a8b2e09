import { describe, expect, it } from "vitest";
import type { Entity } from "./entity.ts";
import { entityRef, parseEntityRef, stringifyEntityRef } from "./ref.ts";

// Cases follow the semantics of Backstage's own catalog-model ref tests.
describe("parseEntityRef", () => {
  it.each([
    ["a:b/c", {}, { kind: "a", namespace: "b", name: "c" }],
    ["a:c", {}, { kind: "a", namespace: "default", name: "c" }],
    ["b/c", { defaultKind: "x" }, { kind: "x", namespace: "b", name: "c" }],
    ["c", { defaultKind: "x" }, { kind: "x", namespace: "default", name: "c" }],
    ["c", { defaultKind: "x", defaultNamespace: "y" }, { kind: "x", namespace: "y", name: "c" }],
    ["a:c", { defaultKind: "x", defaultNamespace: "y" }, { kind: "a", namespace: "y", name: "c" }],
    ["b/c", { defaultKind: "x", defaultNamespace: "y" }, { kind: "x", namespace: "b", name: "c" }],
    ["a:b/c", { defaultKind: "x", defaultNamespace: "y" }, { kind: "a", namespace: "b", name: "c" }],
    // Only the first ':' and '/' split; the rest belongs to the name.
    ["a:b:c", {}, { kind: "a", namespace: "default", name: "b:c" }],
    ["a:b/c/d", {}, { kind: "a", namespace: "b", name: "c/d" }],
    ["a:b/c:d", {}, { kind: "a", namespace: "b", name: "c:d" }],
    ["component:default/foo:bar", {}, { kind: "component", namespace: "default", name: "foo:bar" }],
    // A '/' before the first ':' means there is no kind at all.
    ["a/b:c", { defaultKind: "x" }, { kind: "x", namespace: "a", name: "b:c" }],
    ["a/b/c", { defaultKind: "x" }, { kind: "x", namespace: "a", name: "b/c" }],
    // Case is preserved by parsing; only stringifying lower-cases.
    ["Group:Default/Team-A", {}, { kind: "Group", namespace: "Default", name: "Team-A" }],
    // An empty default namespace falls back to "default", as in Backstage.
    ["a:c", { defaultNamespace: "" }, { kind: "a", namespace: "default", name: "c" }],
  ] as const)("parses %s with %o", (ref, context, expected) => {
    expect(parseEntityRef(ref, context)).toEqual(expected);
  });

  it.each([
    ["", /must not be empty/],
    [":b/c", /":b\/c" has an empty kind/],
    ["a:/c", /empty namespace/],
    ["a:b/", /empty name/],
    ["a:/", /empty namespace/],
    [":b/", /empty kind/],
    [":/c", /empty kind/],
    [":/", /empty kind/],
    ["/c", /empty namespace/],
    ["b/", /empty name/],
    [":c", /empty kind/],
    ["a:", /empty name/],
  ])("rejects %j", (ref, message) => {
    expect(() => parseEntityRef(ref, { defaultKind: "x" })).toThrow(message);
  });

  it("requires a kind when the field has no default kind, and says how to fix it", () => {
    expect(() => parseEntityRef("payments-db")).toThrow(
      'Entity reference "payments-db" has no kind and this field has no default kind; prefix it with one, e.g. "component:payments-db"',
    );
    expect(() => parseEntityRef("ns/payments-db")).toThrow(/no kind/);
  });

  it("rejects values that are not strings, naming them", () => {
    expect(() => parseEntityRef(7 as unknown as string)).toThrow(/Entity reference 7 must be a string/);
    expect(() => parseEntityRef(null as unknown as string)).toThrow(/null/);
  });
});

describe("stringifyEntityRef and entityRef", () => {
  it("lower-cases every part and fills in the default namespace", () => {
    expect(stringifyEntityRef({ kind: "Component", name: "Payments-API" })).toBe(
      "component:default/payments-api",
    );
    expect(stringifyEntityRef({ kind: "Group", namespace: "Ops", name: "SRE" })).toBe("group:ops/sre");
  });

  it("round-trips through parseEntityRef", () => {
    const canonical = stringifyEntityRef(parseEntityRef("API:Billing/Payments-Rest"));
    expect(canonical).toBe("api:billing/payments-rest");
    expect(stringifyEntityRef(parseEntityRef(canonical))).toBe(canonical);
  });

  it("names an entity by kind, namespace and name", () => {
    const entity: Entity = { apiVersion: "backstage.io/v1alpha1", kind: "User", metadata: { name: "Alice" } };
    expect(entityRef(entity)).toBe("user:default/alice");
    expect(entityRef({ ...entity, metadata: { name: "alice", namespace: "people" } })).toBe(
      "user:people/alice",
    );
  });
});
