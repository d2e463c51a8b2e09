import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Entity } from "../../catalog/model/entity.ts";
import { FakeCatalog } from "../../../test/fixtures/scaffold/harness.ts";
import { Scaffolder } from "../scaffolder.ts";
import type { ScaffoldTasks } from "../tasks/scaffold-tasks.ts";
import { loadTemplateFile } from "../template/load-template.ts";
import { TrustedLocations } from "../template/trusted-locations.ts";
import { CATALOG_PICKER } from "./catalog-picker.ts";
import type { ProgressReporter } from "./progress-reporter.ts";
import { chatForm, scaffoldForm } from "./scaffold-form.ts";

const FORMS = fileURLToPath(new URL("../../../test/fixtures/scaffold/forms", import.meta.url));

async function setUp() {
  const loaded = await loadTemplateFile(`${FORMS}/template.yaml`);
  const entity = {
    ...(loaded.entity as unknown as Entity),
    metadata: {
      ...loaded.entity.metadata,
      annotations: { "backstage.io/managed-by-location": `file:${FORMS}/template.yaml` },
    },
  };
  class Catalog extends FakeCatalog {
    templates() {
      return [{ ref: "template:default/every-field", entity }];
    }
  }
  const scaffolder = new Scaffolder({
    // The owner field refuses values the catalog does not hold (allowArbitraryValues: false).
    catalog: new Catalog(
      new Map([
        [
          "group:default/team-payments",
          { apiVersion: "backstage.io/v1alpha1", kind: "Group", metadata: { name: "team-payments" } },
        ],
      ]),
    ),
    actions: () => [],
    trusted: new TrustedLocations([FORMS]),
    dataDir: "/tmp/unused",
  });
  const definition = scaffoldForm({
    scaffolder,
    // Opening and submitting are the e2e tests' part; pages, checks and the review need neither.
    tasks: {} as ScaffoldTasks,
    progress: {} as ProgressReporter,
    renderProgress: async () => undefined,
  });
  return { template: await scaffolder.catalogTemplate("every-field"), definition };
}

describe("a template's form in chat", () => {
  it("has a page per parameters page, a review page, the template's Create label, pickers on the catalog", async () => {
    const { template } = await setUp();
    const form = chatForm(template);
    expect(form.pages.map((p) => p.title)).toEqual(["Basics", "Wiring", "Where", "Review"]);
    expect(form.submitLabel).toBe("Make it");
    const pickers = form.pages.flatMap((p) => p.fields).filter((f) => f.picker);
    expect(pickers.map((f) => [f.name, f.optionsProvider])).toEqual([
      ["owner", CATALOG_PICKER],
      ["consumers", CATALOG_PICKER],
      ["system", CATALOG_PICKER],
      ["mine", CATALOG_PICKER],
      ["team", CATALOG_PICKER],
    ]);
  });

  it("checks a page with the template's schema, and reviews with secrets masked and hidden fields left out", async () => {
    const { template, definition } = await setUp();
    const form = chatForm(template);
    const basics = {
      name: "Bad Name",
      owner: "group:default/team-payments",
      language: "go",
      internalNote: "psst",
    };
    expect(Object.keys(await definition.validate(form, 0, basics))).toEqual(["name"]);
    expect(await definition.validate(form, 0, { ...basics, name: "billing" })).toEqual({});
    // Hostname (on Wiring) is asked only when Basics said the service is public, and then it is required.
    const wiring = { ...basics, name: "billing", features: ["metrics"] };
    expect(await definition.validate(form, 1, { ...wiring, public: true })).toEqual({
      hostname: expect.stringContaining("Hostname"),
    });
    expect(await definition.validate(form, 1, { ...wiring, public: false })).toEqual({});
    expect(await definition.validate(form, 1, { ...wiring, features: ["metrics", "colour"] })).toEqual({
      features: expect.stringContaining("must be one of"),
    });
    expect(await definition.validate(form, 3, {})).toEqual({});
    expect(definition.page!(form, 0, {})).toBeUndefined();

    // What the session holds by the review: secret fields are never among its values.
    const values = {
      ...basics,
      name: "billing",
      features: ["metrics"],
      origin: "chat",
      repoUrl: "local?owner=acme&repo=billing",
    };
    const review = definition.page!(form, 3, values)!;
    expect(review.fields).toEqual([]);
    const text = review.description!;
    expect(text).toContain("Service name: billing");
    expect(text).toContain("Language: Go");
    expect(text).toContain("Features: metrics");
    expect(text).toContain("Token: ******");
    expect(text).toContain("Admin password: ******");
    expect(text).toContain("Repository: local?owner=acme&repo=billing");
    expect(text).not.toContain("Internal note");
    expect(text).not.toContain("psst");
    expect(text).not.toMatch(/^Origin/m);
  });
});
