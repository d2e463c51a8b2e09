import { readFileSync } from "node:fs";
import { join } from "node:path";
import { glob } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments } from "yaml";
import { generateOrganisation } from "../../../bench/generate-org.ts";
import { stringify } from "yaml";
import { parsePlainYaml } from "./plain-yaml.ts";

/** What `yaml` (the reference, as in Backstage) makes of a file: each document's value and line. */
function reference(text: string) {
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, { lineCounter, merge: false }).map((doc) => ({
    line: lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line,
    value: doc.toJS() as unknown,
  }));
}

function expectSameAsYaml(text: string): void {
  const fast = parsePlainYaml(text);
  expect(fast, `fast path refused:\n${text}`).toBeDefined();
  expect(fast).toEqual(reference(text));
}

describe("parsePlainYaml", () => {
  it("reads every file of the example organisation exactly as yaml does", async () => {
    const root = join(import.meta.dirname, "../../../examples");
    const files = await glob("**/*.y?(a)ml", { cwd: root, absolute: true });
    expect(files.length).toBeGreaterThan(20);
    let fastFiles = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const fast = parsePlainYaml(text);
      if (fast === undefined) continue;
      fastFiles++;
      expect(fast, file).toEqual(reference(text));
    }
    // The example is written as organisations write descriptors: nearly all of it is plain YAML.
    expect(fastFiles).toBeGreaterThan(files.length * 0.8);
  });

  it("reads generated multi-document files exactly as yaml does", () => {
    const entities = generateOrganisation({ entities: 400, seed: 3 });
    const text = entities.map((e) => stringify(e, { lineWidth: 0 })).join("---\n");
    expectSameAsYaml(text);
    expect(parsePlainYaml(text)).toHaveLength(entities.length);
  });

  it("resolves scalars by the YAML 1.2 core schema, as yaml does", () => {
    expectSameAsYaml(
      [
        "a: 1_000",
        "b: 0b101",
        "c: 0o17",
        "d: 0x1F",
        "e: 012",
        "f: +12",
        "g: -1.5e3",
        "h: .inf",
        "i: -.Inf",
        "j: .NaN",
        "k: 2024-01-01",
        "l: yes",
        "m: off",
        "n: True",
        "o: FALSE",
        "p: ~",
        "q: Null",
        "r:",
        "s: '1'",
        '"t": "x\\ty\\u00e9"',
        "u: 1.",
        "v: .5",
        "w: <<",
        "<<: merge-key-is-a-plain-key",
        "x: 3:25:45",
        "y: 9007199254740993",
      ].join("\n"),
    );
  });

  it("keeps block scalars, flow collections, quoting and comments as yaml does", () => {
    expectSameAsYaml(
      [
        "# leading comment",
        "",
        "apiVersion: backstage.io/v1alpha1   # trailing",
        "kind: Component",
        "metadata:",
        "  name: payments-api",
        "  description: >-",
        "    Folded text",
        "    across lines.",
        "",
        "    New paragraph: with a colon, a 'quote' and # not a comment",
        "  notes: |",
        "    keep",
        "      indentation",
        "  tags: [java, 'pci', \"grpc\"]",
        "  annotations: { a/b: c, 'd': 'it''s' }",
        "spec:",
        "  dependsOn:",
        "  - resource:db",
        "  -   component:x",
        "  empty: []",
        "  none: {}",
        "---",
        "",
        "# comment only between markers, then content",
        "kind: B",
        "---",
        "---   # marker with a comment",
        "kind: C",
        "---",
      ].join("\n"),
    );
  });

  it("counts lines through CRLF files", () => {
    expectSameAsYaml("a: 1\r\n---\r\n\r\nb: two\r\n");
  });

  it("leaves anchors, aliases, tags, directives and odd markers to yaml", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "list:\n  - *x\n",
      "a: !!str 1\n",
      "a: !Ref x\n",
      "%YAML 1.2\n---\na: 1\n",
      "a: 1\n...\nb: 2\n",
      "--- a: 1\n",
      "? complex\n: key\n",
      "\uFEFFa: 1\n",
      "a:\t1\n",
      "a: [*x]\n",
      // Found in review: each of these read differently by js-yaml than by yaml, or errors only in yaml.
      "---#foo\n",
      "~: x\n",
      "null: x\n",
      "[a, b]: 1\n",
      "{a: 1}: x\n",
      "a: foo\u2028---\nb: 1\n",
      "a: 1\r---\rb: 2\r",
      "a: 1\n---\n\u00a0\n",
      'a: "x\ny"\n',
      "a: 'x\ny'\n",
      'a:\n  b: "x\n  y"\n',
      "a:\n  b: [x,\n  y]\n",
      "a: [a\n, b]\n",
    ]) {
      expect(parsePlainYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it("still takes quotes and brackets that stay on their line, and apostrophes in plain text", () => {
    expectSameAsYaml("a: \"x # y\"\nb: 'it''s'\nc: it's fine\nd: [x, \"y, z\", 'w']\ne: see [1] and \"q\"\n");
  });

  it("gives up on anything js-yaml cannot read, so yaml reports it", () => {
    expect(parsePlainYaml("a: 1\na: 2\n")).toBeUndefined();
    expect(parsePlainYaml("a: b: c\n")).toBeUndefined();
    expect(parsePlainYaml("a: 'unclosed\n")).toBeUndefined();
    expect(parsePlainYaml("a: 1\n---\n- x\n  bad: indent\n")).toBeUndefined();
  });
});
