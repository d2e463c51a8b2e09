import { describe, expect, it } from "vitest";
import { canonicalJson, entityHash } from "./hash.ts";

describe("entityHash", () => {
  const a = {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Component",
    metadata: { name: "x", tags: ["a", "b"] },
  };

  it("ignores key order at every level", () => {
    const b = {
      metadata: { tags: ["a", "b"], name: "x" },
      kind: "Component",
      apiVersion: "backstage.io/v1alpha1",
    };
    expect(entityHash(b)).toBe(entityHash(a));
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it("changes when content or array order changes", () => {
    expect(entityHash({ ...a, metadata: { ...a.metadata, name: "y" } })).not.toBe(entityHash(a));
    expect(entityHash({ ...a, metadata: { ...a.metadata, tags: ["b", "a"] } })).not.toBe(entityHash(a));
  });

  it("is a sha256 hex digest and drops undefined keys like JSON does", () => {
    expect(entityHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(entityHash({ ...a, spec: undefined })).toBe(entityHash(a));
  });

  it("writes the same text JSON.stringify would for sorted keys, odd keys and values included", () => {
    const odd = {
      'quo"te': 1,
      "back\\slash": [null, true, 1.5, "tab\t", { ünï: "côdé" }],
      "new\nline": { b: 2, a: [] },
      "backstage.io/managed-by-location": "url:https://x/y?z=1",
      "": {},
      $ref: "#/x",
    };
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(canonicalJson(odd)).toBe(JSON.stringify(sorted(odd)));
  });
});
