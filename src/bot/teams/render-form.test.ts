import { describe, expect, it } from "vitest";
import type { Form } from "../../message/form.ts";
import { adaptiveCardErrors } from "../../../test/fixtures/teams/card-validator.ts";
import { decodeFieldDataset, readFormSubmit, renderFormCard, renderInput } from "./render-form.ts";

describe("renderFormCard", () => {
  const form: Form = {
    id: "f",
    title: "New service",
    pages: [
      {
        title: "Basics",
        description: "About the **service**",
        fields: [
          {
            name: "name",
            label: "Name",
            kind: "text",
            required: true,
            placeholder: "orders-api",
            description: "Lower case",
          },
          { name: "about", label: "About", kind: "textarea" },
          { name: "secret", label: "Token", kind: "text", secret: true, default: "s3cret" },
          { name: "repo", label: "Repository", kind: "repoUrl" },
        ],
      },
      {
        title: "More",
        fields: [
          { name: "n", label: "Replicas", kind: "number", default: 2 },
          { name: "t", label: "Public", kind: "boolean", default: true },
          { name: "s", label: "Language", kind: "select", options: [{ value: "go", label: "Go" }] },
          {
            name: "m",
            label: "Tags",
            kind: "multiselect",
            options: [
              { value: "a", label: "A" },
              { value: "b", label: "B" },
            ],
          },
          { name: "e", label: "System", kind: "entity", entityKinds: ["system"] },
          { name: "o", label: "Owner", kind: "owner" },
        ],
      },
    ],
  };

  it("renders each field kind as its Adaptive Card input, valid against the 1.5 schema", () => {
    const page1 = renderFormCard(form, { pageIndex: 0, session: "sess-1" });
    expect(adaptiveCardErrors(page1)).toEqual([]);
    const byId = (card: typeof page1, id: string) => card.body.find((e) => e.id === id);
    expect(byId(page1, "name")).toEqual({
      type: "Input.Text",
      id: "name",
      label: "Name",
      isRequired: true,
      errorMessage: "Name is required.",
      placeholder: "orders-api",
    });
    expect(byId(page1, "about")).toMatchObject({ isMultiline: true, isRequired: false });
    expect(byId(page1, "secret")).toMatchObject({ style: "password" });
    expect(byId(page1, "secret")).not.toHaveProperty("value");
    expect(byId(page1, "repo")).toMatchObject({ style: "url" });
    expect(page1.actions).toEqual([
      {
        type: "Action.Submit",
        title: "Next",
        style: "positive",
        data: { callboard: { session: "sess-1", page: 0, intent: "next" } },
      },
    ]);

    const page2 = renderFormCard(form, {
      pageIndex: 1,
      session: "sess-2",
      values: { m: ["a", "b"] },
      pickerChoices: { e: [{ value: "system:default/payments", label: "payments" }] },
    });
    expect(adaptiveCardErrors(page2)).toEqual([]);
    expect(byId(page2, "n")).toMatchObject({ type: "Input.Number", value: 2 });
    expect(byId(page2, "t")).toMatchObject({
      type: "Input.Toggle",
      title: "Public",
      value: "true",
      valueOn: "true",
      valueOff: "false",
    });
    expect(byId(page2, "s")).toMatchObject({
      type: "Input.ChoiceSet",
      style: "compact",
      choices: [{ title: "Go", value: "go" }],
    });
    expect(byId(page2, "m")).toMatchObject({ isMultiSelect: true, value: "a,b" });
    expect(byId(page2, "e")).toMatchObject({
      choices: [{ title: "payments", value: "system:default/payments" }],
    });
    expect(page2.actions!.map((a) => a.title)).toEqual(["Submit", "Back"]);
    // Back sends the page, so what was typed on it is kept; Teams would refuse it while a required input
    // is empty, so on a page with Back no input is required in the card (the core checks on Next).
    expect(page2.actions![1]).toEqual({
      type: "Action.Submit",
      title: "Back",
      data: { callboard: { session: "sess-2", page: 1, intent: "back" } },
    });
    expect(page2.body.filter((e) => e.isRequired === true)).toEqual([]);
  });

  it("shows server-side errors under their fields and for the whole form", () => {
    const card = renderFormCard(form, {
      pageIndex: 0,
      session: "s",
      errors: { name: "Taken.", _form: "Try again." },
      values: { name: "x" },
    });
    expect(adaptiveCardErrors(card)).toEqual([]);
    const i = card.body.findIndex((e) => e.id === "name");
    expect(card.body[i]!.value).toBe("x");
    expect(card.body[i + 2]).toMatchObject({ text: "Taken.", color: "Attention" });
    expect(card.body.some((e) => e.text === "Try again." && e.color === "Attention")).toBe(true);
  });

  it("adds Data.Query typeahead to pickers only when asked (it is outside the 1.5 schema)", () => {
    const field = form.pages[1]!.fields[5]!;
    expect(renderInput(field, { pageIndex: 1, session: "s" })).not.toHaveProperty("choices.data");
    const withTypeahead = renderInput(field, { pageIndex: 1, session: "s", typeahead: true });
    // The dataset names the session, page and field, so the typeahead asks the field's own provider.
    expect(withTypeahead["choices.data"]).toEqual({ type: "Data.Query", dataset: `field|1|s|${field.name}` });
    expect(decodeFieldDataset(`field|1|s|${field.name}`)).toEqual({
      session: "s",
      page: 1,
      name: field.name,
    });
    expect(decodeFieldDataset("owner")).toBeUndefined();
    expect(decodeFieldDataset("field|x|s|n")).toBeUndefined();
    expect(decodeFieldDataset("field|1||n")).toBeUndefined();
  });

  it("names the missing page", () => {
    expect(() => renderFormCard(form, { pageIndex: 5, session: "s" })).toThrow(/Form "f" has no page 6/);
  });

  it("never fills a secret back, and never has Teams require it (left empty, it keeps what was typed)", () => {
    const card = renderFormCard(form, { pageIndex: 0, session: "s", values: { secret: "leaked?" } });
    const input = card.body.find((e) => e.id === "secret")!;
    expect(input).toMatchObject({ type: "Input.Text", style: "password", isRequired: false });
    expect(JSON.stringify(card)).not.toContain("leaked?");
    expect(JSON.stringify(card)).not.toContain("s3cret");
  });
});

describe("readFormSubmit", () => {
  it("reads the button's session, page and intent, and the inputs as strings", () => {
    expect(
      readFormSubmit({
        msteams: { type: "task/submit" },
        callboard: { session: "s-1", page: 1, intent: "back" },
        owner: "group:default/a",
        public: "true",
        tags: "java,go",
      }),
    ).toEqual({
      session: "s-1",
      page: 1,
      intent: "back",
      raw: { owner: "group:default/a", public: "true", tags: "java,go" },
    });
  });

  it("refuses data no dialog of ours sent", () => {
    for (const data of [
      undefined,
      null,
      "x",
      [],
      {},
      { callboard: "s" },
      { callboard: { session: "", page: 0, intent: "next" } },
      { callboard: { session: "s", page: -1, intent: "next" } },
      { callboard: { session: "s", page: 0, intent: "submit-twice" } },
      { formAction: "next", page: 0, session: "old-card" },
    ]) {
      expect(readFormSubmit(data)).toBeUndefined();
    }
  });
});
