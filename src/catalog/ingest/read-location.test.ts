import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogProblem } from "../model/entity.ts";
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, readLocation } from "./read-location.ts";

const FIXTURES = resolve(import.meta.dirname, "../../../test/fixtures/ingest");
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
const fileRef = (...parts: string[]) => `file:${fixture(...parts)}`;
const refs = (result: { entities: Array<{ ref: string }> }) => result.entities.map((e) => e.ref);

let temp: string;
beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "callboard-ingest-"));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

const component = (name: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n`;

async function writeTemp(relative: string, content: string | Uint8Array): Promise<string> {
  const path = join(temp, relative);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe("readLocation: one multi-document file", () => {
  it("loads every valid document, reports the bad ones, and skips empty documents", async () => {
    const result = await readLocation(fixture("org/catalog-info.yaml"));
    expect(refs(result)).toEqual([
      "group:default/team-payments",
      "user:default/alice",
      "user:default/bob",
      "component:default/payments-api",
      "resource:default/payments-db",
      "system:default/billing",
      "domain:default/commerce",
    ]);
    expect(result.problems).toEqual([
      {
        location: fileRef("org/catalog-info.yaml"),
        line: 57,
        ref: "component:default/broken-component",
        field: "spec.lifecycle",
        message: "spec.lifecycle is required for a Component",
      },
      {
        location: fileRef("org/catalog-info.yaml"),
        line: 84,
        message: expect.stringContaining("Expected an entity (a YAML mapping"),
      },
    ]);
    expect(result.files).toEqual([fileRef("org/catalog-info.yaml")]);
  });

  it("records where each entity starts, its relations, a hash, and Backstage's location annotations", async () => {
    const result = await readLocation(`file:${fixture("org/catalog-info.yaml")}`);
    const api = result.entities.find((e) => e.ref === "component:default/payments-api");
    expect(api?.source).toEqual({ location: fileRef("org/catalog-info.yaml"), line: 33 });
    expect(api?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(api?.entity.metadata.annotations).toEqual({
      "backstage.io/techdocs-ref": "dir:.",
      [ANNOTATION_LOCATION]: fileRef("org/catalog-info.yaml"),
      [ANNOTATION_ORIGIN_LOCATION]: fileRef("org/catalog-info.yaml"),
    });
    expect(api?.relations).toContainEqual({
      source: "group:default/team-payments",
      type: "ownerOf",
      target: "component:default/payments-api",
    });
    expect(api?.relations).toContainEqual({
      source: "component:default/payments-api",
      type: "dependsOn",
      target: "resource:default/payments-db",
    });
  });

  it("reads a Template", async () => {
    const result = await readLocation(fixture("org/template.yaml"));
    expect(result.problems).toEqual([]);
    expect(refs(result)).toEqual(["template:default/node-service"]);
    expect(result.entities[0]?.relations).toContainEqual({
      source: "template:default/node-service",
      type: "ownedBy",
      target: "group:default/team-payments",
    });
  });
});

describe("readLocation: placeholders", () => {
  // The fixture's notes live in a sibling folder, outside the imported one: the extra local root lets it in.
  const sharedRoot = { localRoots: [fixture("shared")] };

  it("resolves $text, $json and $yaml relative to the file, even one folder up, and leaves $ref alone", async () => {
    const result = await readLocation(fixture("placeholders"), sharedRoot);
    const api = result.entities.find((e) => e.ref === "api:default/payments-rest");
    expect(api?.entity.spec?.definition).toBe(
      "openapi: 3.0.0\ninfo:\n  title: Payments\n  version: 1.0.0\npaths: {}\n",
    );
    const other = result.entities.find((e) => e.ref === "component:default/with-json-and-yaml");
    expect(other?.entity.spec?.settings).toEqual({ retries: 3, regions: ["eu", "us"] });
    expect(other?.entity.spec?.extra).toEqual({ owner: "team-payments", level: 2 });
    expect(other?.entity.spec?.schema).toEqual({ $ref: "#/definitions/left-alone" });
    expect(other?.entity.metadata.annotations?.["example.com/config"]).toBe(
      "Shared notes live one folder up.\n",
    );
    expect(result.files).toContain(fileRef("placeholders/openapi.yaml"));
    expect(result.files).toContain(fileRef("shared/notes.txt"));
  });

  it("reports a missing placeholder file with the file, line and field, and drops only that entity", async () => {
    const result = await readLocation(fixture("placeholders/catalog-info.yaml"), sharedRoot);
    expect(refs(result)).toEqual(["api:default/payments-rest", "component:default/with-json-and-yaml"]);
    expect(result.problems).toEqual([
      {
        location: fileRef("placeholders/catalog-info.yaml"),
        line: 39,
        ref: "api:default/missing-definition",
        field: "spec.definition",
        message: `$text placeholder "./does-not-exist.yaml": ${fixture("placeholders/does-not-exist.yaml")} does not exist`,
      },
    ]);
  });

  it("applies the size cap and parse checks to placeholder files", async () => {
    await writeTemp("ph/big.txt", "x".repeat(5000));
    await writeTemp("ph/bad.json", "{ not json");
    const file = await writeTemp(
      "ph/catalog-info.yaml",
      component("big").replace("owner: team-a", "owner: team-a\n  notes:\n    $text: ./big.txt") +
        "---\n" +
        component("bad-json").replace("owner: team-a", "owner: team-a\n  config:\n    $json: ./bad.json"),
    );
    const result = await readLocation(file, { maxFileBytes: 4096 });
    expect(result.entities).toEqual([]);
    expect(result.problems.map((p) => [p.ref, p.field, p.line])).toEqual([
      ["component:default/big", "spec.notes", 10],
      ["component:default/bad-json", "spec.config", 21],
    ]);
    expect(result.problems[0]?.message).toContain("is 5000 bytes; the limit is 4096 bytes");
    expect(result.problems[1]?.message).toContain("is not valid JSON");
  });
});

describe("readLocation: local files stay inside the imported folder", () => {
  const withText = (name: string, target: string) =>
    component(name).replace("owner: team-a", `owner: team-a\n  notes:\n    $text: ${target}`);
  const location = (name: string, targets: string[], extra = "") =>
    `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: ${name}\nspec:\n${extra}  targets: [${targets.join(", ")}]\n`;
  let root: string;
  let outside: string;

  beforeAll(async () => {
    // contain/cat is imported; contain/elsewhere holds a secret next to it.
    root = join(temp, "contain/cat");
    outside = join(temp, "contain/elsewhere");
    await writeTemp("contain/elsewhere/secret.txt", "s3cret\n");
    await writeTemp("contain/elsewhere/catalog-info.yaml", component("smuggled"));
    await writeTemp("contain/cat/shared/openapi.yaml", "openapi: 3.0.0\n");
    await symlink(join(outside, "secret.txt"), join(root, "link.txt"));
    await symlink(outside, join(root, "linked-folder"));
  });

  it("refuses placeholders that climb out, absolute paths elsewhere and symlinks that lead out, naming file, line and field", async () => {
    const file = await writeTemp(
      "contain/cat/catalog-info.yaml",
      [
        withText("climbs-out", "../../../../../../../../etc/passwd"),
        withText("absolute", join(outside, "secret.txt")),
        withText("through-a-link", "./link.txt"),
        withText("honest", "./shared/openapi.yaml"),
      ].join("---\n"),
    );
    const result = await readLocation(root);
    expect(refs(result)).toEqual(["component:default/honest"]);
    expect(JSON.stringify(result.entities)).not.toContain("s3cret");
    expect(JSON.stringify(result.entities)).not.toContain("root:");
    expect(result.problems.map((p) => [p.location, p.line, p.ref, p.field])).toEqual([
      [`file:${file}`, 10, "component:default/climbs-out", "spec.notes"],
      [`file:${file}`, 21, "component:default/absolute", "spec.notes"],
      [`file:${file}`, 32, "component:default/through-a-link", "spec.notes"],
    ]);
    expect(result.problems[0]?.message).toBe(
      `$text placeholder "../../../../../../../../etc/passwd": /etc/passwd is outside the imported folder ${root}; ` +
        "Callboard reads local files only there. Move the file inside, or list its folder in CALLBOARD_LOCAL_ROOTS",
    );
    expect(result.problems[2]?.message).toContain(
      `${join(root, "link.txt")} (a link to ${join(outside, "secret.txt")}) is outside`,
    );
    expect(result.files).not.toContain(`file:${join(root, "link.txt")}`);
  });

  it("lets a file in a sub-folder climb to a sibling inside the imported folder", async () => {
    await writeTemp("contain/cat/catalog-info.yaml", location("root", ["./svc/catalog-info.yaml"]));
    await writeTemp("contain/cat/svc/catalog-info.yaml", withText("svc", "../shared/openapi.yaml"));
    const result = await readLocation(root);
    expect(result.problems).toEqual([]);
    expect(result.entities.find((e) => e.ref === "component:default/svc")?.entity.spec?.notes).toBe(
      "openapi: 3.0.0\n",
    );
  });

  it("refuses Location targets and globs that lead out, optional or not, and names the field", async () => {
    const file = await writeTemp(
      "contain/cat/catalog-info.yaml",
      location("escapes", [
        "../elsewhere/catalog-info.yaml",
        join(outside, "catalog-info.yaml"),
        "../elsewhere/*.yaml",
        "./linked-folder/catalog-info.yaml",
        "./linked-folder/*.yaml",
      ]) +
        "---\n" +
        location("optional-escape", ["../elsewhere/catalog-info.yaml"], "  presence: optional\n"),
    );
    const result = await readLocation(file);
    expect(refs(result)).toEqual(["location:default/escapes", "location:default/optional-escape"]);
    expect(result.problems.map((p) => [p.line, p.ref, p.field])).toEqual([
      [6, "location:default/escapes", "spec.targets[0]"],
      [6, "location:default/escapes", "spec.targets[1]"],
      [6, "location:default/escapes", "spec.targets[2]"],
      [6, "location:default/escapes", "spec.targets[3]"],
      [6, "location:default/escapes", "spec.targets[4]"],
      [14, "location:default/optional-escape", "spec.targets[0]"],
    ]);
    expect(result.problems[0]?.message).toBe(
      `spec.targets[0] of location:default/escapes points at file:${join(outside, "catalog-info.yaml")}, which is not read: ` +
        `${join(outside, "catalog-info.yaml")} is outside the imported folder ${root}; ` +
        "Callboard reads local files only there. Move the file inside, or list its folder in CALLBOARD_LOCAL_ROOTS",
    );
    expect(result.problems[4]?.message).toContain(
      `${join(root, "linked-folder")} (a link to ${outside}) is outside`,
    );
    expect(result.notes).toEqual([]);
  });

  it("reads from the extra local roots the operator lists", async () => {
    const file = await writeTemp(
      "contain/cat/catalog-info.yaml",
      location("allowed", ["../elsewhere/catalog-info.yaml"]) + "---\n" + withText("noted", "./link.txt"),
    );
    const result = await readLocation(file, { localRoots: [outside] });
    expect(result.problems).toEqual([]);
    expect(refs(result)).toEqual([
      "location:default/allowed",
      "component:default/noted",
      "component:default/smuggled",
    ]);
  });
});

describe("readLocation: Location entities", () => {
  it("follows targets and globs relative to the Location file, honouring presence: optional", async () => {
    const result = await readLocation(fixture("locations/root"));
    expect(refs(result)).toEqual([
      "location:default/root",
      "location:default/optional-extras",
      "location:default/required-but-missing",
      "component:default/checkout",
      "group:default/alpha",
      "group:default/beta",
    ]);
    // Only the required target that is missing is a problem; the optional one is a note, not a problem.
    expect(result.notes).toEqual([
      {
        location: fileRef("locations/root/catalog-info.yaml"),
        line: 17,
        ref: "location:default/optional-extras",
        field: "spec.target",
        severity: "note",
        message: `spec.target of location:default/optional-extras points at ${fileRef(
          "locations/root/not-there-yet/catalog-info.yaml",
        )}, but ${fixture("locations/root/not-there-yet/catalog-info.yaml")} does not exist; skipped, as spec.presence is optional`,
      },
    ]);
    expect(result.problems).toEqual([
      {
        location: fileRef("locations/root/catalog-info.yaml"),
        line: 25,
        ref: "location:default/required-but-missing",
        field: "spec.target",
        message: `spec.target of location:default/required-but-missing points at ${fileRef(
          "locations/root/gone/catalog-info.yaml",
        )}, but ${fixture("locations/root/gone/catalog-info.yaml")} does not exist; fix the target or set spec.presence: optional`,
      },
    ]);
  });

  it("notes an optional glob that matches nothing", async () => {
    const file = await writeTemp(
      "optional-glob/catalog-info.yaml",
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: later\nspec:\n  presence: optional\n  target: ./teams/*/catalog-info.yaml\n",
    );
    const result = await readLocation(file);
    expect(result.problems).toEqual([]);
    expect(result.notes.map((n) => [n.line, n.field, n.message])).toEqual([
      [
        7,
        "spec.target",
        `spec.target of location:default/later points at file:${join(temp, "optional-glob/teams/*/catalog-info.yaml")}, ` +
          `but no file matches ${join(temp, "optional-glob/teams/*/catalog-info.yaml")}; skipped, as spec.presence is optional`,
      ],
    ]);
  });

  it("marks followed entities with their own file and the root as origin", async () => {
    const result = await readLocation(fixture("locations/root"));
    const checkout = result.entities.find((e) => e.ref === "component:default/checkout");
    expect(checkout?.entity.metadata.annotations).toEqual({
      [ANNOTATION_LOCATION]: fileRef("locations/root/services/payments/catalog-info.yaml"),
      [ANNOTATION_ORIGIN_LOCATION]: fileRef("locations/root/catalog-info.yaml"),
    });
  });

  it("reports a cycle once and does not follow it, keeping every entity", async () => {
    const result = await readLocation(fixture("cycle/a.yaml"));
    expect(refs(result)).toEqual([
      "location:default/a",
      "component:default/from-a",
      "location:default/b",
      "component:default/from-b",
    ]);
    expect(result.problems).toEqual([
      {
        location: fileRef("cycle/b.yaml"),
        line: 6,
        ref: "location:default/b",
        field: "spec.target",
        message: `Location cycle: ${fileRef("cycle/a.yaml")} → ${fileRef("cycle/b.yaml")} → ${fileRef(
          "cycle/a.yaml",
        )}; the cycle is not followed again`,
      },
    ]);
  });

  it("reports a Location pointing at itself", async () => {
    const file = await writeTemp(
      "self/catalog-info.yaml",
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: me\nspec:\n  target: ./catalog-info.yaml\n",
    );
    const result = await readLocation(file);
    expect(refs(result)).toEqual(["location:default/me"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(/^Location cycle: /);
  });

  it("keeps the first of two declarations of one ref and names both places", async () => {
    const result = await readLocation(fixture("duplicates"));
    expect(refs(result)).toEqual(["location:default/duplicates", "component:default/twice"]);
    expect(result.entities[1]?.entity.spec?.owner).toBe("team-one");
    expect(result.problems).toEqual([
      {
        location: fileRef("duplicates/two.yaml"),
        line: 2,
        ref: "component:default/twice",
        message: `Duplicate entity component:default/twice: already declared at ${fileRef(
          "duplicates/one.yaml",
        )}:1; this declaration at ${fileRef("duplicates/two.yaml")}:2 is ignored`,
      },
    ]);
  });

  it("reports unsupported location types and non-URL url targets", async () => {
    const file = await writeTemp(
      "types/catalog-info.yaml",
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: odd\nspec:\n  type: github-discovery\n  target: https://github.com/org\n" +
        "---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: relative-url\nspec:\n  type: url\n  target: ./x.yaml\n",
    );
    const result = await readLocation(file);
    expect(result.problems.map((p) => p.message)).toEqual([
      'spec.target "https://github.com/org": location type "github-discovery" is not supported by Callboard (supported: file, url); skipped',
      'spec.target "./x.yaml": a url location needs an absolute http(s) URL here',
    ]);
  });
});

describe("readLocation: folders", () => {
  it("reads every catalog-info.y?(a)ml below a folder without a top-level one", async () => {
    const result = await readLocation(fixture("folder-scan"));
    expect(refs(result)).toEqual(["component:default/scan-a", "component:default/scan-b-deep"]);
    expect(result.entities[0]?.entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION]).toBe(
      `file:${fixture("folder-scan")}/**/catalog-info.y?(a)ml`,
    );
  });

  it("skips node_modules and .git, and other file names", async () => {
    await writeTemp("scan/svc/catalog-info.yaml", component("svc"));
    await writeTemp("scan/node_modules/pkg/catalog-info.yaml", component("vendored"));
    await writeTemp("scan/.git/catalog-info.yaml", component("git-internal"));
    await writeTemp("scan/svc/other.yaml", component("other"));
    const result = await readLocation(join(temp, "scan"));
    expect(refs(result)).toEqual(["component:default/svc"]);
  });

  it("names the Location files at the top of a folder without a catalog-info.yaml", async () => {
    const loc = (name: string, targets: string[]) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: ${name}\nspec:\n  targets: [${targets.join(", ")}]\n`;
    await writeTemp("hinted/all.yaml", loc("all", ["./all-apis.yaml", "./all-components.yaml"]));
    await writeTemp("hinted/all-apis.yaml", loc("apis", ["./apis/a.yaml"]));
    await writeTemp("hinted/all-components.yaml", loc("components", ["./components/c.yaml"]));
    await writeTemp("hinted/notes.yaml", "kind: Component\n");
    await writeTemp("hinted/apis/a.yaml", component("a"));
    const folder = join(temp, "hinted");
    const result = await readLocation(folder);
    expect(result.entities).toEqual([]);
    expect(result.problems).toEqual([
      {
        location: `file:${folder}/**/catalog-info.y?(a)ml`,
        message:
          `${folder} has no catalog-info.yaml, here or in a sub-folder; all.yaml is a Location file ` +
          `(2 more that it points at): import ${join(folder, "all.yaml")}`,
      },
    ]);

    await writeTemp("one-location/everything.yml", loc("everything", ["./x.yaml"]));
    const single = await readLocation(join(temp, "one-location"));
    expect(single.problems[0]?.message).toBe(
      `${join(temp, "one-location")} has no catalog-info.yaml, here or in a sub-folder; everything.yml is a Location file: ` +
        `import ${join(temp, "one-location/everything.yml")}`,
    );

    await writeTemp("no-location/readme.yaml", "title: nothing to see\n");
    const none = await readLocation(join(temp, "no-location"));
    expect(none.problems[0]?.message).toBe(
      `${join(temp, "no-location")} has no catalog-info.yaml, here or in a sub-folder; import a descriptor file by name, or add a catalog-info.yaml`,
    );
  });

  it("reports a path that does not exist", async () => {
    const result = await readLocation(join(temp, "nowhere"));
    expect(result).toEqual({
      entities: [],
      files: [],
      problems: [
        { location: `file:${join(temp, "nowhere")}`, message: `${join(temp, "nowhere")} does not exist` },
      ],
      notes: [],
      records: [],
      parsedFiles: 0,
      uniqueRefs: true,
    });
  });
});

describe("readLocation: bad input", () => {
  it("reports malformed YAML with file and line, and keeps the documents around it", async () => {
    const file = await writeTemp(
      "malformed.yaml",
      component("before") +
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: broken\n  description: a colon: inside a plain scalar\n" +
        "---\n" +
        component("after"),
    );
    const result = await readLocation(file);
    expect(refs(result)).toEqual(["component:default/before", "component:default/after"]);
    expect(result.problems).toEqual([
      {
        location: `file:${file}`,
        line: 14,
        message:
          "YAML syntax error: Nested mappings are not allowed in compact mappings at line 14, column 16",
      },
    ]);
  });

  it("points at the line indented too deep, not at the line above it that yaml names", async () => {
    const file = await writeTemp(
      "indented.yaml",
      "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: indented\n   description: one space too many\nspec:\n  type: service\n",
    );
    const result = await readLocation(file);
    expect(result.problems).toEqual([
      {
        location: `file:${file}`,
        line: 5,
        message:
          "YAML syntax error: line 5 is indented deeper than line 4 above it, so it reads as the rest of line 4's value " +
          "(Nested mappings are not allowed in compact mappings at line 4, column 9); indent it like the lines around it",
      },
    ]);
  });

  it("refuses an alias bomb instead of expanding it", async () => {
    const result = await readLocation(fixture("bad/alias-bomb.yaml"));
    expect(result.entities).toEqual([]);
    expect(result.problems).toEqual([
      {
        location: fileRef("bad/alias-bomb.yaml"),
        line: 1,
        message:
          "YAML aliases expand too far (more than 100 alias references): refusing a possible alias bomb",
      },
    ]);
  });

  it("refuses one absurdly nested entity and keeps its sibling", async () => {
    const deep = "[".repeat(1500) + "]".repeat(1500);
    await writeTemp("deep/deep.json", deep);
    const file = await writeTemp(
      "deep/catalog-info.yaml",
      `${component("shallow")}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deep\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  config:\n    $json: ./deep.json\n`,
    );
    const result = await readLocation(file);
    expect(refs(result)).toEqual(["component:default/shallow"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ ref: "component:default/deep", line: 19 });
    expect(result.problems[0]?.field).toMatch(/^spec\.config\[0\]/);
    expect(result.problems[0]?.message).toContain("nested more than 64 levels deep");
  });

  it("allows a few honest aliases", async () => {
    const file = await writeTemp(
      "aliases.yaml",
      "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: aliased\n  tags: &tags [a, b]\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  keywords: *tags\n",
    );
    const result = await readLocation(file);
    expect(result.problems).toEqual([]);
    expect(result.entities[0]?.entity.spec?.keywords).toEqual(["a", "b"]);
  });

  it("leaves YAML merge keys off, as Backstage does", async () => {
    const result = await readLocation(fixture("bad/merge-key.yaml"));
    expect(result.entities).toEqual([]);
    expect(result.problems.map((p) => p.field)).toEqual(["spec.type", "spec.lifecycle", "spec.owner"]);
  });

  it("refuses a 10 MB file without reading it", async () => {
    const file = await writeTemp("huge.yaml", Buffer.alloc(10 * 1024 * 1024, "a"));
    const result = await readLocation(file);
    expect(result.entities).toEqual([]);
    expect(result.files).toEqual([]);
    expect(result.problems).toEqual([
      {
        location: `file:${file}`,
        message: `${file} is 10485760 bytes; the limit is 2097152 bytes. Split it into smaller files or raise CALLBOARD_MAX_FILE_BYTES (catalog.maxFileBytes)`,
      },
    ]);
  });

  it("refuses binary files and invalid UTF-8", async () => {
    const nul = await writeTemp("binary.yaml", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    const latin1 = await writeTemp("latin1.yaml", Buffer.from("name: caf\xe9\n", "latin1"));
    const [binary, invalid] = await Promise.all([readLocation(nul), readLocation(latin1)]);
    expect(binary.problems[0]?.message).toBe(
      `${nul} looks like a binary file (it contains NUL bytes); descriptors must be UTF-8 text`,
    );
    expect(invalid.problems[0]?.message).toBe(`${latin1} is not valid UTF-8 text; save it as UTF-8`);
  });

  it("reports invalid names, invalid refs and missing spec fields, keeping the valid sibling and kinds it does not know", async () => {
    const result = await readLocation(fixture("bad/invalid-entities.yaml"));
    // bad-refs is kept: its refs are reported, its other data is fine (lenient, like status.items). A kind
    // Callboard does not know is an installation's own: kept on the envelope rules.
    expect(refs(result)).toEqual([
      "widget:default/unknown-kind",
      "component:default/bad-refs",
      "component:default/valid-sibling",
    ]);
    const summary = result.problems.map((p: CatalogProblem) => [p.line, p.ref, p.field]);
    expect(summary).toEqual([
      [10, "component:default/not a valid name", "metadata.name"],
      [23, "component:default/bad-refs", "spec.owner"],
      [24, "component:default/bad-refs", "spec.dependsOn[0]"],
      [31, "resource:default/missing-owner", "spec.owner"],
    ]);
    expect(result.problems[2]?.message).toContain("has no kind");
  });

  it("rejects targets that are not paths or http(s) URLs", async () => {
    const result = await readLocation("url:ftp://example.com/catalog-info.yaml");
    expect(result.problems).toEqual([
      {
        location: "url:ftp://example.com/catalog-info.yaml",
        message: '"ftp://example.com/catalog-info.yaml" is not an http(s) URL; write url:https://host/path',
      },
    ]);
  });
});

describe("readLocation: URLs over real HTTP", () => {
  let server: Server;
  let base: string;
  const served: Record<string, string> = {
    "/repo/catalog-info.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: remote-root\nspec:\n  targets: [./svc/catalog-info.yaml, ./missing.yaml]\n" +
      "---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: sneaky\nspec:\n  type: file\n  target: /etc/passwd\n",
    "/repo/svc/catalog-info.yaml":
      "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: remote-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ../specs/openapi.yaml\n",
    "/repo/specs/openapi.yaml": "openapi: 3.0.0\n",
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? "/";
      if (path === "/hop.yaml") {
        // A redirect to another host: each hop must be an allowed host too.
        res
          .writeHead(302, {
            location: `${base.replace("127.0.0.1", "localhost")}/repo/svc/catalog-info.yaml`,
          })
          .end();
        return;
      }
      if (path === "/elsewhere.yaml") {
        const other = base.replace("127.0.0.1", "localhost");
        res
          .writeHead(200, { "content-type": "text/yaml" })
          .end(
            `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: elsewhere\nspec:\n  type: url\n  target: ${other}/repo/svc/catalog-info.yaml\n`,
          );
        return;
      }
      if (path === "/optional.yaml") {
        const other = base.replace("127.0.0.1", "localhost");
        res
          .writeHead(200, { "content-type": "text/yaml" })
          .end(
            `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: maybe\nspec:\n  type: url\n  presence: optional\n` +
              `  targets: [${other}/repo/svc/catalog-info.yaml, ./repo/later.yaml]\n`,
          );
        return;
      }
      if (path === "/stream-big.yaml") {
        // No Content-Length: the reader must count while streaming.
        res.writeHead(200, { "content-type": "text/yaml" });
        for (let i = 0; i < 100; i++) res.write("#".repeat(1023) + "\n");
        res.end();
        return;
      }
      const body = served[path];
      if (body === undefined) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": "text/yaml" }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it("follows relative URL targets and placeholders, and refuses local files from remote content", async () => {
    const result = await readLocation(`url:${base}/repo/catalog-info.yaml`);
    expect(refs(result)).toEqual([
      "location:default/remote-root",
      "location:default/sneaky",
      "api:default/remote-api",
    ]);
    const api = result.entities.find((e) => e.ref === "api:default/remote-api");
    expect(api?.entity.spec?.definition).toBe("openapi: 3.0.0\n");
    expect(api?.entity.metadata.annotations).toEqual({
      [ANNOTATION_LOCATION]: `url:${base}/repo/svc/catalog-info.yaml`,
      [ANNOTATION_ORIGIN_LOCATION]: `url:${base}/repo/catalog-info.yaml`,
    });
    expect(result.problems.map((p) => p.message)).toEqual([
      `spec.targets[1] of location:default/remote-root points at url:${base}/repo/missing.yaml, but ${base}/repo/missing.yaml does not exist (HTTP 404); fix the target or set spec.presence: optional`,
      'spec.target "/etc/passwd": a Location read from a URL cannot point at local files',
    ]);
    expect(result.files).toEqual([
      `url:${base}/repo/catalog-info.yaml`,
      `url:${base}/repo/svc/catalog-info.yaml`,
      `url:${base}/repo/specs/openapi.yaml`,
    ]);
  });

  it("notes an optional target on a host it may not read, or not there, instead of dropping it silently", async () => {
    const result = await readLocation(`${base}/optional.yaml`);
    expect(result.problems).toEqual([]);
    expect(result.notes.map((n) => [n.line, n.ref, n.field, n.severity])).toEqual([
      [8, "location:default/maybe", "spec.targets[0]", "note"],
      [8, "location:default/maybe", "spec.targets[1]", "note"],
    ]);
    expect(result.notes[0]?.message).toMatch(
      /reading from localhost:\d+ is not allowed; add it to CALLBOARD_READ_ALLOW .*; skipped, as spec\.presence is optional$/,
    );
    expect(result.notes[1]?.message).toContain("/repo/later.yaml does not exist (HTTP 404)");
  });

  it("reads only from the root's host unless the operator allows more, redirects included", async () => {
    const refused = await readLocation(`${base}/elsewhere.yaml`);
    expect(refs(refused)).toEqual(["location:default/elsewhere"]);
    expect(refused.problems.map((p) => p.message).join("\n")).toMatch(
      /reading from localhost:\d+ is not allowed; add it to CALLBOARD_READ_ALLOW/,
    );
    const redirected = await readLocation(`${base}/hop.yaml`);
    expect(redirected.entities).toEqual([]);
    expect(redirected.problems[0]?.message).toMatch(/reading from localhost:\d+ is not allowed/);

    const allowed = await readLocation(`${base}/elsewhere.yaml`, { allowedHosts: ["localhost"] });
    expect(allowed.problems).toEqual([]);
    expect(refs(allowed)).toEqual(["location:default/elsewhere", "api:default/remote-api"]);
  });

  it("accepts a bare http URL and caps a response that does not declare its length", async () => {
    const result = await readLocation(`${base}/stream-big.yaml`, { maxFileBytes: 50_000 });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(
      /stream-big\.yaml is more than \d+ bytes; the limit is 50000 bytes/,
    );
  });

  it("uses an injected fetch and turns its failures into problems", async () => {
    const failing: typeof fetch = async () => {
      throw new Error("connection refused");
    };
    const result = await readLocation("https://example.invalid/catalog-info.yaml", { fetch: failing });
    expect(result.problems).toEqual([
      {
        location: "url:https://example.invalid/catalog-info.yaml",
        message: "https://example.invalid/catalog-info.yaml could not be fetched: connection refused",
      },
    ]);
  });
});
