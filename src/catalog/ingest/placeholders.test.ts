import { describe, expect, it } from "vitest";
import { resolvePlaceholders, type PlaceholderContext } from "./placeholders.ts";
import type { LocationSpec } from "./read-source.ts";

function context(
  base: LocationSpec,
  files: Record<string, string>,
): PlaceholderContext & { asked: string[] } {
  const asked: string[] = [];
  return {
    base,
    maxAliases: 100,
    asked,
    read: async (spec) => {
      const key = `${spec.type}:${spec.target}`;
      asked.push(key);
      const text = files[key];
      if (text === undefined) throw new Error(`${spec.target} does not exist`);
      return text;
    },
  };
}

describe("resolvePlaceholders", () => {
  it("resolves relative to a file, including parent folders", async () => {
    const ctx = context(
      { type: "file", target: "/repo/svc/catalog-info.yaml" },
      {
        "file:/repo/svc/a.txt": "A",
        "file:/repo/shared/b.json": '{"b":1}',
        "file:/repo/svc/c.yaml": "c: [1]",
      },
    );
    const { value, problems } = await resolvePlaceholders(
      { x: { $text: "./a.txt" }, list: [{ $json: "../shared/b.json" }], deep: { y: { $yaml: "c.yaml" } } },
      ctx,
    );
    expect(problems).toEqual([]);
    expect(value).toEqual({ x: "A", list: [{ b: 1 }], deep: { y: { c: [1] } } });
  });

  it("resolves relative to a URL and passes absolute URLs through", async () => {
    const ctx = context(
      { type: "url", target: "https://git.example.com/org/repo/blob/main/catalog-info.yaml" },
      {
        "url:https://git.example.com/org/repo/blob/main/docs/api.yaml": "openapi",
        "url:https://specs.example.com/x.json": "[1]",
      },
    );
    const { value } = await resolvePlaceholders(
      { a: { $text: "./docs/api.yaml" }, b: { $json: "https://specs.example.com/x.json" } },
      ctx,
    );
    expect(value).toEqual({ a: "openapi", b: [1] });
  });

  it("leaves lookalikes alone: $ref, extra keys, non-string targets", async () => {
    const ctx = context({ type: "file", target: "/r/c.yaml" }, {});
    const input = { a: { $ref: "#/x" }, b: { $text: "./x", other: 1 }, c: { $json: 5 } };
    const { value, problems } = await resolvePlaceholders(input, ctx);
    expect(problems).toEqual([]);
    expect(value).toBe(input);
    expect(ctx.asked).toEqual([]);
  });

  it("reports failures with the path of the placeholder", async () => {
    const ctx = context({ type: "file", target: "/r/c.yaml" }, { "file:/r/bad.yaml": "a: [" });
    const { problems } = await resolvePlaceholders(
      {
        spec: {
          definition: { $text: "./gone.txt" },
          list: [{ $yaml: "./bad.yaml" }],
          u: { $text: "ftp://x/y" },
        },
      },
      ctx,
    );
    expect(problems).toEqual([
      { path: ["spec", "definition"], message: '$text placeholder "./gone.txt": /r/gone.txt does not exist' },
      { path: ["spec", "list", 0], message: expect.stringContaining("/r/bad.yaml is not valid YAML") },
      {
        path: ["spec", "u"],
        message:
          '$text placeholder "ftp://x/y": only relative paths, absolute paths and http(s) URLs are supported',
      },
    ]);
  });
});
