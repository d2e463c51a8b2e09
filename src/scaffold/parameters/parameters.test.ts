import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Form, FormField } from "../../message/form.ts";
import { loadTemplateFile } from "../template/load-template.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import { checkParameters, conditionHolds } from "./check-parameters.ts";
import { formValuesToParameters } from "./coerce-values.ts";
import { pageErrors } from "./form-errors.ts";
import { templateForm } from "./form-model.ts";
import { parameterPages, type ParameterPage } from "./parameter-pages.ts";
import { splitSecretValues } from "./secret-values.ts";

const FIXTURE = fileURLToPath(
  new URL("../../../test/fixtures/scaffold/forms/template.yaml", import.meta.url),
);

let template: LoadedTemplate;
let pages: ParameterPage[];
let form: Form;
const field = (name: string): FormField => {
  const found = form.pages.flatMap((p) => p.fields).find((f) => f.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
};

const VALID = {
  name: "billing-api",
  owner: "group:default/team-billing",
  repoUrl: "local?owner=acme&repo=billing-api",
};

beforeAll(async () => {
  template = await loadTemplateFile(FIXTURE);
  pages = parameterPages(template.entity.spec);
  form = templateForm(template, "scaffold");
});

describe("the form model", () => {
  it("keeps pages, titles, the create label and page permissions", () => {
    expect(form.title).toBe("Every field");
    expect(form.submitLabel).toBe("Make it");
    expect(form.pages.map((p) => p.title)).toEqual(["Basics", "Wiring", "Where"]);
    expect(form.pages[0]!.permissions).toEqual({ tags: ["basics"] });
  });

  it("chooses each field's kind from ui:field, ui:widget and the JSON type", () => {
    const kinds = Object.fromEntries(form.pages.flatMap((p) => p.fields).map((f) => [f.name, f.kind]));
    expect(kinds).toEqual({
      name: "text",
      owner: "owner",
      language: "select",
      size: "radio",
      replicas: "number",
      description: "textarea",
      public: "boolean",
      origin: "hidden",
      internalNote: "text",
      colour: "text",
      consumers: "multiEntity",
      tags: "tags",
      features: "multiselect",
      system: "entity",
      mine: "entity",
      team: "entity",
      "database.engine": "select",
      "database.size": "number",
      hostname: "text",
      repoUrl: "repoUrl",
      deploy: "select",
      token: "secret",
      password: "secret",
      namespace: "text",
      memory: "number",
    });
  });

  it("carries labels, enumNames, defaults, help, required and picker options", () => {
    expect(field("language")).toMatchObject({
      label: "Language",
      required: true,
      default: "node",
      options: [
        { value: "go", label: "Go" },
        { value: "node", label: "Node.js" },
        { value: "java", label: "Java" },
      ],
    });
    expect(field("description").description).toBe("One or two sentences.");
    expect(field("owner")).toMatchObject({
      entityKinds: ["group"],
      picker: { catalogFilter: [{ kind: ["Group"] }], allowArbitraryValues: false },
    });
    expect(field("system")).toMatchObject({ entityKinds: ["system"], picker: { defaultKind: "System" } });
    expect(field("mine").picker).toEqual({ scope: "owned" });
    expect(field("team")).toMatchObject({ picker: { scope: "myGroups" }, entityKinds: ["group"] });
    expect(field("repoUrl").repo).toEqual({ allowedHosts: ["local"], allowedOwners: ["acme"] });
    expect(field("database.engine").label).toBe("Engine");
  });

  it("shows an unknown field extension as text with its help, and keeps its name", () => {
    expect(field("colour")).toMatchObject({
      kind: "text",
      extension: "ColourWheel",
      description: "Pick with the colour wheel.",
    });
  });

  it("masks secrets on review and keeps review.show: false", () => {
    expect(field("token")).toMatchObject({ secret: true, review: { mask: "******" } });
    expect(field("password")).toMatchObject({ secret: true });
    expect(field("internalNote").review).toEqual({ show: false });
  });

  it("marks fields that appear through dependencies and if/then with the condition that shows them", () => {
    const namespace = field("namespace").visibleWhen;
    const hostname = field("hostname").visibleWhen;
    expect(conditionHolds(namespace, { deploy: "k8s" })).toBe(true);
    expect(conditionHolds(namespace, { deploy: "lambda" })).toBe(false);
    expect(conditionHolds(namespace, {})).toBe(false);
    expect(conditionHolds(field("memory").visibleWhen, { deploy: "lambda" })).toBe(true);
    expect(conditionHolds(hostname, { public: true })).toBe(true);
    expect(conditionHolds(hostname, { public: false })).toBe(false);
    expect(field("name").visibleWhen).toBeUndefined();
  });
});

describe("checking values", () => {
  it("accepts valid values and fills in defaults, nested ones included", () => {
    const result = checkParameters(pages, VALID);
    expect(result.problems).toEqual([]);
    expect(result.values).toMatchObject({
      language: "node",
      replicas: 2,
      origin: "chat",
      database: { engine: "none" },
    });
  });

  it("names every field that is wrong, per page, in words", () => {
    const result = checkParameters(pages, {
      name: "Billing API",
      language: "rust",
      replicas: 9,
      features: ["metrics", "metrics"],
      repoUrl: "github.com?owner=acme&repo=x",
      public: true,
    });
    const byField = Object.fromEntries(result.problems.map((p) => [p.field, `${p.page}: ${p.message}`]));
    expect(byField).toEqual({
      name: '0: "Service name" must match the pattern ^[a-z][a-z0-9-]*$.',
      owner: '0: "Owner" is required.',
      language: '0: "Language" must be one of: Go, Node.js, Java.',
      replicas: '0: "Replicas" must be 5 or less.',
      features: '1: "Features" lists the same value twice (items 1 and 2).',
      hostname: '1: "Hostname" is required.',
      repoUrl: '2: "Repository": the host must be one of local (got "github.com").',
    });
  });

  it("reports the branch of a oneOf dependency that was chosen", () => {
    const result = checkParameters(pages, { ...VALID, deploy: "k8s" });
    expect(result.problems).toEqual([
      { page: 2, pageTitle: "Where", field: "namespace", message: '"Namespace" is required.' },
    ]);
    expect(checkParameters(pages, { ...VALID, deploy: "k8s", namespace: "apps" }).problems).toEqual([]);
  });

  it("checks min/max length, types and tags", () => {
    const result = checkParameters(pages, { ...VALID, name: "ab", replicas: "two", tags: ["Not Valid"] });
    expect(result.problems.map((p) => p.message)).toEqual([
      '"Service name" must be at least 3 characters.',
      '"Replicas" must be a whole number.',
      '"Tags": tag "Not Valid" must be lower-case letters and digits (and + # :), separated by single -, at most 63 characters.',
    ]);
  });

  it("checks entity names by the catalog's rules and refs against the catalog when arbitrary values are off", () => {
    const catalog = { exists: (ref: string) => ref === "group:default/team-billing" };
    expect(checkParameters(pages, VALID, { catalog }).problems).toEqual([]);
    const result = checkParameters(pages, { ...VALID, owner: "group:default/nobody" }, { catalog });
    expect(result.problems.map((p) => p.message)).toEqual([
      '"Owner": group:default/nobody is not in the catalog; pick one that is.',
    ]);
  });

  it("checks one page at a time for a form", () => {
    const result = checkParameters(pages, { name: "ok-name" }, { onlyPage: 2 });
    expect(result.problems.map((p) => p.field)).toEqual(["repoUrl"]);
  });

  it("lists values no page declares", () => {
    expect(checkParameters(pages, { ...VALID, nmae: "typo" }).unknown).toEqual(["nmae"]);
  });
});

describe("secrets and form values", () => {
  it("moves Secret fields to secrets and collects password values for redaction", () => {
    const split = splitSecretValues(pages, { ...VALID, token: "tok-123", password: "hunter22" });
    expect(split.secrets).toEqual({ token: "tok-123" });
    expect(split.parameters).not.toHaveProperty("token");
    expect(split.parameters.password).toBe("hunter22");
    expect(split.redact.sort()).toEqual(["hunter22", "tok-123"]);
  });

  it("turns text from a form into typed, nested parameters", () => {
    expect(
      formValuesToParameters(pages, {
        replicas: "3",
        public: "true",
        consumers: "component:a, component:b",
        "database.engine": "postgres",
        "database.size": "20",
        features: ["metrics"],
        name: "",
        ...(JSON.parse('{"__proto__": {"polluted": "yes"}}') as object),
        "constructor.prototype.polluted": "yes",
        notAField: "dropped",
      }),
    ).toEqual({
      replicas: 3,
      public: true,
      consumers: ["component:a", "component:b"],
      database: { engine: "postgres", size: 20 },
      features: ["metrics"],
    });
  });
});

describe("page errors for a form", () => {
  it("keys each problem by the form's field name, reading the text a surface sent", () => {
    expect(pageErrors(pages, 0, { name: "Bad Name", replicas: "9" })).toEqual({
      name: '"Service name" must match the pattern ^[a-z][a-z0-9-]*$.',
      owner: '"Owner" is required.',
      replicas: '"Replicas" must be 5 or less.',
    });
    expect(pageErrors(pages, 1, { tags: "ok, Not OK", "database.size": "many" })).toEqual({
      tags: '"Tags": tag "Not OK" must be lower-case letters and digits (and + # :), separated by single -, at most 63 characters.',
      "database.size": '"Disk (GB)" must be a number.',
    });
    expect(pageErrors(pages, 2, { repoUrl: "local?owner=acme&repo=x", deploy: "lambda" })).toEqual({});
  });
});
