import { describe, expect, it } from "vitest";
import { parseDescriptorYaml, parsePlainDocuments } from "./descriptor-yaml.ts";

const limits = { maxAliases: 100 };

describe("parseDescriptorYaml", () => {
  it("gives each document the line its content starts on, past comments and markers", () => {
    const docs = parseDescriptorYaml("# heading\n\nkind: A\n---\n# note\nkind: B\n---\n", limits);
    expect(docs.map((d) => d.line)).toEqual([3, 6, 7]);
    expect(docs.map((d) => (d.ok ? d.value : d.message))).toEqual([{ kind: "A" }, { kind: "B" }, null]);
  });

  it("points at the deepest existing node for a field path", () => {
    const [doc] = parseDescriptorYaml("kind: A\nspec:\n  type: x\n  owners:\n    - a\n    - b\n", limits);
    if (!doc?.ok) throw new Error("expected a parsed document");
    expect(doc.lineOf(["spec", "owners", 1])).toBe(6);
    expect(doc.lineOf(["spec", "missing"])).toBe(3);
    expect(doc.lineOf(["nothing", "here"])).toBe(1);
  });

  it("reports a syntax error with its own line and keeps the other documents", () => {
    const docs = parseDescriptorYaml("a: 1\n---\nb: x: y\n---\nc: 3\n", limits);
    expect(docs.map((d) => d.ok)).toEqual([true, false, true]);
    const bad = docs[1];
    expect(bad?.line).toBe(3);
    if (bad && !bad.ok) expect(bad.message).toMatch(/^YAML syntax error: /);
  });

  it("names the over-indented line, on the main thread and on a parsing worker alike", () => {
    // yaml places this error at "x" on line 2: it reads line 4 (after a blank line) as the rest of that value.
    const text = "metadata:\n  name: x\n\n     title: y\n";
    const [main] = parseDescriptorYaml(text, limits);
    const [worker] = parsePlainDocuments(text, limits);
    for (const doc of [main, worker]) {
      expect(doc?.ok).toBe(false);
      expect(doc?.line).toBe(4);
      if (doc && !doc.ok)
        expect(doc.message).toMatch(/^YAML syntax error: line 4 is indented deeper than line 2 /);
    }
  });

  it("keeps yaml's own line when the next line is not indented deeper", () => {
    // A missing space after the colon: the mistake is on line 2 itself.
    const [doc] = parseDescriptorYaml("metadata:\n  name:x\n  title: y\n", limits);
    expect(doc?.line).toBe(2);
    if (doc && !doc.ok)
      expect(doc.message).toBe(
        "YAML syntax error: Implicit keys need to be on a single line at line 2, column 3",
      );
  });

  it("rejects duplicate keys, as yaml (and so Backstage) does", () => {
    const [doc] = parseDescriptorYaml("kind: A\nkind: B\n", limits);
    expect(doc?.ok).toBe(false);
  });

  it("keeps merge keys as plain keys", () => {
    const [doc] = parseDescriptorYaml("base: &b {x: 1}\nspec:\n  <<: *b\n", limits);
    expect(doc?.ok && doc.value).toEqual({ base: { x: 1 }, spec: { "<<": { x: 1 } } });
  });

  it("honours the alias limit", () => {
    const text = "a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]\n";
    expect(parseDescriptorYaml(text, { maxAliases: 100 })[0]?.ok).toBe(true);
    const [capped] = parseDescriptorYaml(text, { maxAliases: 1 });
    expect(capped?.ok).toBe(false);
    if (capped && !capped.ok) expect(capped.message).toContain("alias bomb");
  });
});
