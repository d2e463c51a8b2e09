import { describe, expect, it } from "vitest";
import { withArticle } from "../../text/grammar.ts";
import { KNOWN_KINDS, validateEntity } from "./validate.ts";

const v1 = "backstage.io/v1alpha1";
const entity = (
  kind: string,
  spec: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
) => ({
  apiVersion: v1,
  kind,
  metadata: { name: `a-${kind.toLowerCase()}` },
  ...(spec === undefined ? {} : { spec }),
  ...extra,
});

const VALID: Record<string, ReturnType<typeof entity>> = {
  Component: entity("Component", {
    type: "service",
    lifecycle: "production",
    owner: "team-a",
    system: "billing",
    subcomponentOf: "parent-thing",
    providesApis: ["payments-rest"],
    consumesApis: ["api:ledger"],
    dependsOn: ["resource:db"],
    dependencyOf: ["component:web"],
  }),
  API: entity("API", {
    type: "openapi",
    lifecycle: "production",
    owner: "team-a",
    definition: "openapi: 3.0.0",
  }),
  Resource: entity("Resource", { type: "database", owner: "team-a", dependsOn: [], system: "billing" }),
  System: entity("System", { owner: "team-a", domain: "commerce" }),
  Domain: entity("Domain", { owner: "team-a", subdomainOf: "everything" }),
  Group: entity("Group", {
    type: "team",
    children: [],
    parent: "eng",
    members: ["alice"],
    profile: { displayName: "A", email: "a@example.com" },
  }),
  User: entity("User", { memberOf: [], profile: { email: "alice@example.com" } }),
  Location: entity("Location", { type: "url", targets: ["https://example.com/catalog-info.yaml"] }),
  // Shapes of Backstage's own example organisation (packages/catalog-model/examples), written anew here.
  AiResource: entity("AiResource", {
    type: "skill",
    lifecycle: "production",
    owner: "team-a",
    system: "portal",
    disciplines: ["web"],
    agents: ["claude-code"],
    allowedTools: ["Read"],
    license: "Apache-2.0",
  }),
  Environment: entity("Environment", { lifecycle: "production" }),
  Template: {
    ...entity("Template", {
      type: "service",
      owner: "team-a",
      parameters: [{ title: "Basics", properties: { name: { type: "string" } } }],
      steps: [
        { id: "fetch", action: "fetch:template", input: { url: "./skeleton" }, if: "${{ parameters.x }}" },
      ],
      output: { links: [{ title: "Repo", url: "${{ steps.publish.output.remoteUrl }}" }], extra: "text" },
    }),
    apiVersion: "scaffolder.backstage.io/v1beta3",
  },
};

const MISSING: Record<string, string[]> = {
  Component: ["spec.type", "spec.lifecycle", "spec.owner"],
  API: ["spec.type", "spec.lifecycle", "spec.owner", "spec.definition"],
  Resource: ["spec.type", "spec.owner"],
  System: ["spec.owner"],
  Domain: ["spec.owner"],
  Group: ["spec.type", "spec.children"],
  User: ["spec.memberOf"],
  Location: [],
  Template: ["spec.type", "spec.steps"],
  AiResource: ["spec.type", "spec.lifecycle", "spec.owner"],
  Environment: [],
};

describe("validateEntity: kinds", () => {
  it("knows exactly the built-in kinds", () => {
    expect(KNOWN_KINDS).toEqual([
      "API",
      "AiResource",
      "Component",
      "Domain",
      "Environment",
      "Group",
      "Location",
      "Resource",
      "System",
      "Template",
      "User",
    ]);
  });

  it.each(Object.keys(VALID))("accepts a valid %s", (kind) => {
    expect(validateEntity(VALID[kind])).toEqual([]);
  });

  it.each(Object.keys(MISSING))("names every missing required spec field of a %s", (kind) => {
    const problems = validateEntity({ ...VALID[kind], spec: {} });
    expect(problems.map((p) => p.field).sort()).toEqual([...(MISSING[kind] ?? [])].sort());
    for (const p of problems) expect(p.message).toBe(`${p.field} is required for ${withArticle(kind)}`);
  });

  it.each(Object.keys(VALID))("requires a spec on a %s", (kind) => {
    const { spec: _spec, ...withoutSpec } = VALID[kind] as Record<string, unknown>;
    expect(validateEntity(withoutSpec)).toContainEqual({
      field: "spec",
      message: `spec is required for ${withArticle(kind)}`,
    });
  });

  it("says an API and an AiResource, not a API", () => {
    const { spec: _spec, ...withoutSpec } = VALID.API as Record<string, unknown>;
    expect(validateEntity(withoutSpec)).toEqual([{ field: "spec", message: "spec is required for an API" }]);
    expect(validateEntity({ ...VALID.Component, spec: { type: "service", owner: "a" } })).toEqual([
      { field: "spec.lifecycle", message: "spec.lifecycle is required for a Component" },
    ]);
  });

  it("accepts backstage.io/v1beta1 where Backstage does, and rejects other versions with the allowed ones", () => {
    expect(validateEntity({ ...VALID.Component, apiVersion: "backstage.io/v1beta1" })).toEqual([]);
    expect(validateEntity({ ...VALID.Template, apiVersion: "backstage.io/v1beta2" })).toEqual([
      {
        field: "apiVersion",
        message:
          'apiVersion "backstage.io/v1beta2" is not supported for kind Template; use "scaffolder.backstage.io/v1beta3"',
      },
    ]);
  });

  it("keeps a kind it does not know on the envelope rules alone, but refuses a known kind in the wrong case", () => {
    // Backstage installations add kinds of their own (Capability, Pipeline...): their spec is theirs.
    expect(validateEntity(entity("Capability", { identifier: "x", anything: [1, { deep: true }] }))).toEqual(
      [],
    );
    expect(validateEntity(entity("Widget", undefined))).toEqual([]);
    expect(validateEntity({ ...entity("Widget", {}), metadata: { name: "Bad Name" } })).toEqual([
      expect.objectContaining({ field: "metadata.name" }),
    ]);
    expect(validateEntity({ ...entity("Widget", {}), apiVersion: "not a version" })).toEqual([
      expect.objectContaining({ field: "apiVersion" }),
    ]);
    expect(validateEntity({ ...VALID.Component, kind: "component" })).toEqual([
      {
        field: "kind",
        message: 'Unknown kind "component": kinds are case-sensitive; did you mean "Component"?',
      },
    ]);
  });

  it("reads an API's spec by its type, as Backstage's catalog model and its ai-model module do", () => {
    const api = (spec: Record<string, unknown>, apiVersion = v1) => ({ ...entity("API", spec), apiVersion });
    const base = { lifecycle: "experimental", owner: "team-a" };
    const remotes = [{ type: "streamable-http", url: "http://localhost:7007/api/mcp/v1" }];
    // An MCP server lists its endpoints instead of a definition.
    expect(validateEntity(api({ ...base, type: "mcp-server", remotes }))).toEqual([]);
    expect(validateEntity(api({ ...base, type: "mcp-server", remotes }, "backstage.io/v1beta2"))).toEqual([]);
    expect(validateEntity(api({ ...base, type: "mcp-server" }))).toEqual([
      { field: "spec.remotes", message: "spec.remotes is required for an API" },
    ]);
    expect(validateEntity(api({ ...base, type: "mcp-server", remotes: [{ type: "sse" }] }))).toEqual([
      { field: "spec.remotes[0].url", message: "spec.remotes[0].url is required for an API" },
    ]);
    // An AI model server: endpoints as remotes, or as serverType with serverUrl.
    expect(validateEntity(api({ ...base, type: "ai-model-server", remotes }))).toEqual([]);
    expect(
      validateEntity(
        api({
          ...base,
          type: "ai-model-server",
          serverType: "openai-v1",
          serverUrl: "http://localhost:11434/v1",
          models: { discoverable: true, available: ["llama3"], default: "llama3" },
        }),
      ),
    ).toEqual([]);
    expect(validateEntity(api({ ...base, type: "ai-model-server" }))).toEqual([
      { field: "spec.remotes", message: "spec.remotes is required for an API" },
    ]);
    // Every other type still needs its definition, whatever the apiVersion.
    expect(validateEntity(api({ ...base, type: "openapi" }, "backstage.io/v1alpha2"))).toEqual([
      { field: "spec.definition", message: "spec.definition is required for an API" },
    ]);
  });

  it("reads an AiResource's spec by its type: skill, rule, plugin, marketplace, or the base fields", () => {
    const ai = (spec: Record<string, unknown>) => entity("AiResource", spec);
    const base = { lifecycle: "production", owner: "team-a" };
    expect(
      validateEntity(
        ai({
          ...base,
          type: "rule",
          category: "architecture",
          rationale: "One way to call services",
          activation: [
            { harness: "claude", paths: ["src/**"] },
            { harness: "cursor", alwaysApply: false },
          ],
        }),
      ),
    ).toEqual([]);
    expect(validateEntity(ai({ ...base, type: "rule" })).map((p) => p.field)).toEqual([
      "spec.category",
      "spec.rationale",
    ]);
    expect(
      validateEntity(ai({ ...base, type: "plugin", skills: ["airesource:x"], version: "1.0.0" })),
    ).toEqual([]);
    expect(validateEntity(ai({ ...base, type: "plugin" }))).toEqual([
      { field: "spec.skills", message: "spec.skills is required for an AiResource" },
    ]);
    expect(validateEntity(ai({ ...base, type: "marketplace", plugins: ["airesource:p"] }))).toEqual([]);
    expect(validateEntity(ai({ ...base, type: "marketplace" })).map((p) => p.field)).toEqual([
      "spec.plugins",
    ]);
    expect(validateEntity(ai({ ...base, type: "prompt-library", extra: { free: "form" } }))).toEqual([]);
    expect(validateEntity(ai({ ...base, type: "skill", agents: "claude-code" }))).toEqual([
      { field: "spec.agents", message: 'spec.agents must be a list, got the string "claude-code"' },
    ]);
  });

  it("checks spec field types and emptiness with readable messages", () => {
    const problems = validateEntity({
      ...VALID.Component,
      spec: {
        type: "",
        lifecycle: "production",
        owner: 5,
        providesApis: "payments-rest",
        dependsOn: ["ok", ""],
      },
    });
    expect(problems).toEqual([
      { field: "spec.type", message: "spec.type must not be empty" },
      { field: "spec.owner", message: "spec.owner must be a string, got number 5" },
      {
        field: "spec.providesApis",
        message: 'spec.providesApis must be a list, got the string "payments-rest"',
      },
      { field: "spec.dependsOn[1]", message: "spec.dependsOn[1] must not be empty" },
    ]);
  });

  it("checks Location presence and Template steps", () => {
    expect(validateEntity({ ...VALID.Location, spec: { presence: "maybe" } })).toEqual([
      {
        field: "spec.presence",
        message: 'spec.presence is "maybe"; it must be one of "required", "optional"',
      },
    ]);
    const template = VALID.Template as { spec: Record<string, unknown> };
    expect(
      validateEntity({ ...template, spec: { ...template.spec, steps: [{ id: "x" }], parameters: "oops" } }),
    ).toEqual([
      expect.objectContaining({ field: "spec.parameters" }),
      { field: "spec.steps[0].action", message: "spec.steps[0].action is required for a Template" },
    ]);
  });
});

describe("validateEntity: envelope", () => {
  const base = VALID.Component as Record<string, unknown> & { metadata: Record<string, unknown> };
  const withMetadata = (metadata: Record<string, unknown>) => ({
    ...base,
    metadata: { ...base.metadata, ...metadata },
  });

  it("requires apiVersion, kind and metadata.name", () => {
    expect(validateEntity({ metadata: {} }).map((p) => p.field)).toEqual([
      "apiVersion",
      "kind",
      "metadata.name",
    ]);
  });

  it("rejects things that are not mappings", () => {
    expect(validateEntity(["a"])).toEqual([
      { field: "", message: "An entity must be a YAML mapping, got a list" },
    ]);
    expect(validateEntity("x")[0]?.message).toContain('got the string "x"');
  });

  it.each([
    ["a", true],
    ["payments-api", true],
    ["Payments_API.v2", true],
    ["x".repeat(63), true],
    ["x".repeat(64), false],
    ["-leading", false],
    ["trailing.", false],
    ["has space", false],
    ["", false],
    ["slash/name", false],
  ])("metadata.name %j valid=%s", (name, valid) => {
    const problems = validateEntity(withMetadata({ name }));
    expect(problems.length === 0).toBe(valid);
    if (!valid) expect(problems[0]?.field).toBe("metadata.name");
  });

  it("explains why a name is invalid", () => {
    expect(validateEntity(withMetadata({ name: "Bad Name" }))).toEqual([
      {
        field: "metadata.name",
        message:
          'metadata.name "Bad Name" is not valid: a name is 1-63 characters: letters and digits, separated by single -, _ or .',
      },
    ]);
    expect(validateEntity(withMetadata({ name: "x".repeat(64) }))[0]?.message).toBe(
      "metadata.name is 64 characters long; at most 63 are allowed",
    );
  });

  it.each([
    ["default", true],
    ["team-a", true],
    ["Team-A", false],
    ["team_a", false],
    ["-a", false],
  ])("metadata.namespace %j valid=%s", (namespace, valid) => {
    expect(validateEntity(withMetadata({ namespace })).length === 0).toBe(valid);
  });

  it("checks labels, annotations, tags and links", () => {
    const problems = validateEntity(
      withMetadata({
        labels: { "example.com/tier": "gold", "bad key!": "x", ok: "bad value!" },
        annotations: {
          "backstage.io/techdocs-ref": "dir:.",
          "github.com/project-slug": "org/repo",
          count: 5,
        },
        tags: ["java", "c++", "c#", "Java"],
        links: [{ url: "https://example.com", title: "Home" }, { url: "not a url" }, { title: "no url" }],
      }),
    );
    expect(problems).toEqual([
      {
        field: 'metadata.labels["bad key!"]',
        message: expect.stringContaining('metadata.labels key "bad key!" is not valid'),
      },
      {
        field: "metadata.labels.ok",
        message: expect.stringContaining('metadata.labels.ok "bad value!" is not valid'),
      },
      {
        field: "metadata.annotations.count",
        message:
          "metadata.annotations.count must be a string, got number 5 (annotation values are strings; quote numbers and booleans)",
      },
      { field: "metadata.tags[3]", message: expect.stringContaining('metadata.tags[3] "Java" is not valid') },
      { field: "metadata.links[1].url", message: 'metadata.links[1].url "not a url" is not a valid URL' },
      { field: "metadata.links[2].url", message: "metadata.links[2].url is required" },
    ]);
  });

  it("keeps unknown metadata keys and tolerates relations/status on output entities", () => {
    expect(validateEntity({ ...withMetadata({ custom: { x: 1 } }), relations: [], status: {} })).toEqual([]);
  });
});
