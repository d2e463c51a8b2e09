import { describe, expect, it } from "vitest";
import { checkView } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { NEW_SERVICE_FORM } from "../../../test/fixtures/slack/test-plugin.ts";
import type { Form } from "../../message/form.ts";
import { decodePageValues } from "../core/form-values.ts";
import {
  BACK_ACTION_ID,
  decodeMetadata,
  encodeMetadata,
  modalErrors,
  readModalValues,
  renderModal,
} from "./render-modal.ts";

type AnyBlock = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("renderModal", () => {
  const meta = encodeMetadata({ session: "session-1", page: 0 });

  it("renders each page as a valid modal with a ≤24-char title, Next/submit labels, Back after the first page", () => {
    const first = renderModal(NEW_SERVICE_FORM, 0, meta);
    const second = renderModal(NEW_SERVICE_FORM, 1, encodeMetadata({ session: "session-1", page: 1 }));
    expect(checkView("page 1", first)).toEqual([]);
    expect(checkView("page 2", second)).toEqual([]);
    expect(first.title.text).toBe("Create a new service fr…");
    expect(first.title.text.length).toBeLessThanOrEqual(24);
    expect(first.submit?.text).toBe("Next");
    expect(second.submit?.text).toBe("Create");
    expect(first.private_metadata).toBe(meta);
    // Cancel is reported (view_closed), so the session ends with the view.
    expect(first.notify_on_close).toBe(true);
    expect(JSON.stringify(first)).not.toContain(BACK_ACTION_ID);
    expect(second.blocks.at(-1)).toMatchObject({
      type: "actions",
      elements: [{ type: "button", action_id: BACK_ACTION_ID, text: { text: "Back" } }],
    });
  });

  it("maps every field kind to its Block Kit input, filled with the session's values, and reads them back", () => {
    const form: Form = {
      id: "all",
      title: "All kinds",
      pages: [
        {
          title: "Kinds",
          fields: [
            { name: "t", label: "Text", kind: "text", default: "hello", required: true },
            { name: "ta", label: "Textarea", kind: "textarea" },
            { name: "n", label: "Number", kind: "number", default: 3 },
            { name: "b", label: "Boolean", kind: "boolean", default: true, required: true },
            {
              name: "s",
              label: "Select",
              kind: "select",
              options: [
                { value: "a", label: "A" },
                { value: "x".repeat(100), label: "Long" },
              ],
              default: "a",
            },
            {
              name: "m",
              label: "Multi",
              kind: "multiselect",
              options: [{ value: "a", label: "A" }],
              default: ["a"],
            },
            { name: "e", label: "Entity", kind: "entity", entityKinds: ["component", "api"] },
            { name: "o", label: "Owner", kind: "owner" },
            { name: "r", label: "Repo", kind: "repoUrl" },
          ],
        },
      ],
    };
    // The values a new session starts with: the fields' defaults.
    const view = renderModal(form, 0, meta, { t: "hello", n: 3, b: true, s: "a", m: ["a"], o: "group:x" });
    expect(checkView("all", view)).toEqual([]);
    const elements = Object.fromEntries((view.blocks as AnyBlock[]).map((b) => [b.block_id, b]));
    expect(elements.t.element).toMatchObject({
      type: "plain_text_input",
      multiline: false,
      initial_value: "hello",
    });
    expect(elements.t.optional).toBe(false);
    expect(elements.ta.element).toMatchObject({ type: "plain_text_input", multiline: true });
    expect(elements.n.element).toMatchObject({
      type: "number_input",
      is_decimal_allowed: true,
      initial_value: "3",
    });
    expect(elements.b.element.type).toBe("checkboxes");
    expect(elements.b.optional).toBe(true);
    expect(elements.b.element.initial_options).toHaveLength(1);
    expect(elements.s.element.options.map((o: AnyBlock) => o.value)).toEqual(["a", "#1"]);
    expect(elements.s.element.initial_option.value).toBe("a");
    expect(elements.m.element).toMatchObject({
      type: "multi_static_select",
      initial_options: [{ value: "a" }],
    });
    expect(elements.e.element).toMatchObject({
      type: "external_select",
      action_id: "pick|entity|component,api",
      min_query_length: 1,
    });
    expect(elements.o.element.action_id).toBe("pick|owner");
    expect(elements.o.element.initial_option).toMatchObject({ value: "group:x" });
    expect(elements.r.element.type).toBe("plain_text_input");

    const raw = readModalValues(form, 0, {
      t: { value: { type: "plain_text_input", value: "hi" } },
      ta: { value: { type: "plain_text_input", value: null } },
      n: { value: { type: "number_input", value: "4.5" } },
      b: { value: { type: "checkboxes", selected_options: [] } },
      s: { value: { type: "static_select", selected_option: { value: "#1" } } },
      m: { value: { type: "multi_static_select", selected_options: [{ value: "a" }] } },
      e: {
        "pick|entity|component,api": {
          type: "external_select",
          selected_option: { value: "component:default/x" },
        },
      },
      o: { "pick|owner": { type: "external_select", selected_option: null } },
      r: { value: { type: "plain_text_input", value: "github.com?owner=acme&repo=x" } },
    });
    // Raw, as Slack sent it (a long option's position mapped back to its value); the core types it.
    expect(raw).toEqual({
      t: "hi",
      n: "4.5",
      b: false,
      s: "x".repeat(100),
      m: ["a"],
      e: "component:default/x",
      r: "github.com?owner=acme&repo=x",
    });
    expect(decodePageValues(form.pages[0]!, raw)).toEqual({
      values: {
        t: "hi",
        n: 4.5,
        b: false,
        s: "x".repeat(100),
        m: ["a"],
        e: "component:default/x",
        r: "github.com?owner=acme&repo=x",
      },
      errors: {},
    });
  });

  it("reads nothing from a hostile or empty state", () => {
    expect(readModalValues(NEW_SERVICE_FORM, 0, undefined)).toEqual({});
    expect(
      readModalValues(NEW_SERVICE_FORM, 0, { name: "x", owner: [1], description: { value: 7 } }),
    ).toEqual({});
    expect(readModalValues(NEW_SERVICE_FORM, 9, {})).toEqual({});
  });

  it("renders a secret field as a text input that is never filled back", () => {
    const form: Form = {
      id: "secret",
      title: "Token",
      pages: [
        {
          title: "p",
          fields: [{ name: "token", label: "Token", kind: "text", secret: true, default: "default-secret" }],
        },
      ],
    };
    const view = renderModal(form, 0, meta, { token: "hunter2" });
    expect((view.blocks[0] as AnyBlock).element).toEqual({ type: "plain_text_input", action_id: "value" });
    expect(JSON.stringify(view)).not.toContain("hunter2");
    expect(JSON.stringify(view)).not.toContain("default-secret");
  });

  it("keeps a page with 150 fields within the 100-block modal limit and says what did not fit", () => {
    const form: Form = {
      id: "huge",
      title: "Huge",
      pages: ["p", "q"].map((title) => ({
        title,
        description: "d",
        fields: Array.from({ length: 150 }, (_, i) => ({
          name: `f${i}`,
          label: `F${i}`,
          kind: "text" as const,
        })),
      })),
    };
    const view = renderModal(form, 0, meta);
    expect(view.blocks).toHaveLength(100);
    expect(checkView("huge", view)).toEqual([]);
    expect((view.blocks[99] as AnyBlock).elements[0].text).toContain("more fields do not fit");
    // A later page keeps its Back button within the limit.
    const later = renderModal(form, 1, meta);
    expect(later.blocks).toHaveLength(100);
    expect(checkView("huge 2", later)).toEqual([]);
    expect((later.blocks[99] as AnyBlock).elements[0].action_id).toBe(BACK_ACTION_ID);
  });

  it("keys errors by block_id and puts form-level errors on the first field", () => {
    expect(modalErrors(NEW_SERVICE_FORM, 0, { name: "Bad name", _form: "Template gone" })).toEqual({
      name: "Bad name Template gone",
    });
  });

  it("carries only the session id and page in private_metadata, and trusts nothing else there", () => {
    expect(decodeMetadata(meta)).toEqual({ session: "session-1", page: 0 });
    expect(meta.length).toBeLessThan(100);
    for (const forged of [
      "{}",
      "not json",
      '{"s":"x","p":-1}',
      '{"s":"x","p":"0"}',
      '{"s":5,"p":0}',
      "[1]",
    ]) {
      expect(decodeMetadata(forged), forged).toBeUndefined();
    }
    expect(decodeMetadata(undefined)).toBeUndefined();
    expect(() => encodeMetadata({ session: "x".repeat(3000), page: 0 })).toThrow(/3,000/);
  });
});
