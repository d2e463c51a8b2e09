import { describe, expect, it } from "vitest";
import { checkBlocks, checkView } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { NEW_SERVICE_FORM } from "../../../test/fixtures/slack/test-plugin.ts";
import type { Form } from "../../message/form.ts";
import {
  actions,
  context,
  escapeText,
  fields,
  header,
  links,
  person,
  reply,
  section,
  type Block,
} from "../../message/reply.ts";
import { memberBlocks } from "../../catalog/commands/who-owns.ts";
import { entity, item } from "../../../test/fixtures/catalog-commands/small-catalog.ts";
import { CatalogGraph } from "../../catalog/graph/catalog-graph.ts";
import { toMrkdwn } from "./mrkdwn.ts";
import {
  decodeButtonValue,
  decodeMetadata,
  encodeButtonValue,
  encodeMetadata,
  modalErrors,
  readModalValues,
  renderHome,
  renderMessage,
  renderModal,
  splitMrkdwn,
} from "./render-blocks.ts";

type AnyBlock = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("markdown subset → mrkdwn", () => {
  it("converts bold, italic, code and links, and escapes Slack's control characters", () => {
    expect(toMrkdwn("**payments-api** is _owned_ by `group:default/payments`")).toBe(
      "*payments-api* is _owned_ by `group:default/payments`",
    );
    expect(toMrkdwn("[Runbook](https://docs.acme.test/a?b=1&c=2) for <api> & co")).toBe(
      "<https://docs.acme.test/a?b=1&amp;c=2|Runbook> for &lt;api&gt; &amp; co",
    );
    expect(toMrkdwn("a \\*literal\\* star and snake_case_name")).toBe("a *literal* star and snake_case_name");
    expect(toMrkdwn("line one\nline **two**")).toBe("line one\nline *two*");
    expect(toMrkdwn("[a|b](https://x.test)")).toBe("<https://x.test|a¦b>");
  });
});

describe("people", () => {
  it("mentions a person by their Slack id and never shows another platform's handle", () => {
    const alice = person("**Alice Ng**", { slack: "U0ALICE", teams: "alice@acme.test" });
    expect(toMrkdwn(`• ${alice} · alice@acme.test`)).toBe("• <@U0ALICE> · alice@acme.test");
    // No Slack id: the name, as written; the Teams name means nothing in Slack.
    expect(toMrkdwn(person("**Carol**", { teams: "carol@acme.test" }))).toBe("*Carol*");
    // A handle that is not a Slack user id never reaches a <@…>.
    expect(toMrkdwn(person("**Eve**", { slack: "U1>|<!channel" }))).toBe("*Eve*");
  });

  it("escapes what it did not produce: a name cannot ping or forge a mention", () => {
    // As a service writes a name from a descriptor: escaped for the markdown subset.
    const name = escapeText("Mallory <@U0BOSS> <!channel> [x](person:?slack=U0BOSS)");
    const out = toMrkdwn(person(`**${name}**`, {}));
    expect(out).toBe("*Mallory &lt;@U0BOSS&gt; &lt;!channel&gt; [x](person:?slack=U0BOSS)*");
  });

  it("renders a team's members from the catalog with mentions, hostile names as text", () => {
    const graph = new CatalogGraph();
    const users: Array<[string, Record<string, unknown>, Record<string, string>]> = [
      [
        "user:default/alice",
        { displayName: "Alice Ng", email: "alice@acme.test" },
        { "slack.com/user-id": "U0ALICE" },
      ],
      ["user:default/mallory", { displayName: "<!channel> <@U0BOSS>" }, {}],
    ];
    graph.upsert([
      item("group:default/team-a", entity("group:default/team-a", { members: ["alice", "mallory"] })),
      ...users.map(([ref, profile, annotations]) => item(ref, entity(ref, { profile }, { annotations }))),
    ]);
    const out = renderMessage(reply("Members", ...memberBlocks(graph, "group:default/team-a")));
    const text = (out.blocks[0] as AnyBlock).text.text as string;
    expect(text).toBe(
      [
        "*Members* (2)",
        "• <@U0ALICE> · alice@acme.test",
        "• *&lt;!channel&gt; &lt;@U0BOSS&gt;* · no contact details in the catalog",
      ].join("\n"),
    );
  });
});

describe("renderMessage", () => {
  it("shows only web and mail links: a descriptor's javascript: link never becomes a link or button", () => {
    const out = renderMessage(
      reply(
        "x",
        links([
          { title: "Bad", url: "javascript:alert(1)" },
          { title: "Runbook", url: "https://runbooks.example.com/p" },
        ]),
        actions(
          { label: "Evil", url: "file:///etc/passwd" },
          { label: "Good", url: "mailto:team@example.com" },
        ),
      ),
    );
    const json = JSON.stringify(out.blocks);
    expect(json).not.toContain("javascript:");
    expect(json).not.toContain("file:");
    expect(json).toContain("https://runbooks.example.com/p");
    expect(json).toContain("mailto:team@example.com");
  });

  it("renders each block kind", () => {
    const rendered = renderMessage(
      reply(
        "payments-api is owned by payments",
        header("**payments-api**"),
        section("Owned by [payments](https://x.test/g/payments)", [{ label: "System", value: "`checkout`" }]),
        context("Updated 2 minutes ago"),
        links([{ title: "Runbook", url: "https://x.test/docs/runbook" }]),
        actions(
          { label: "Show deps", command: "deps payments-api", style: "primary" },
          { label: "Docs", url: "https://x.test" },
        ),
        { type: "divider" },
      ),
    );
    expect(rendered.text).toBe("payments-api is owned by payments");
    expect(rendered.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "payments-api", emoji: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: "Owned by <https://x.test/g/payments|payments>" },
        fields: [{ type: "mrkdwn", text: "*System*\n`checkout`" }],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: "Updated 2 minutes ago" }] },
      { type: "section", text: { type: "mrkdwn", text: "• <https://x.test/docs/runbook|Runbook>" } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Show deps", emoji: true },
            action_id: "cb_0",
            value: '{"c":"deps payments-api"}',
            style: "primary",
          },
          {
            type: "button",
            text: { type: "plain_text", text: "Docs", emoji: true },
            action_id: "cb_1",
            url: "https://x.test",
          },
        ],
      },
      { type: "divider" },
    ]);
  });

  it("always sets a fallback text, escaped and bounded", () => {
    expect(renderMessage(reply("", section("From the **section**"))).text).toBe("From the section");
    expect(renderMessage(reply("a < b")).text).toBe("a &lt; b");
    expect(renderMessage(reply("x".repeat(10_000))).text.length).toBeLessThanOrEqual(4000);
    expect(renderMessage(reply("")).text).toBe("Callboard");
  });

  it("keeps a reply with 120 fields and 70 sections within every limit", () => {
    const blocks: Block[] = [header("H".repeat(400))];
    blocks.push(
      fields(...Array.from({ length: 120 }, (_, i) => ({ label: `Field ${i}`, value: "v".repeat(2500) }))),
    );
    for (let i = 0; i < 70; i++)
      blocks.push(section(`Section ${i} ${"word & <tag> ".repeat(i % 10 === 0 ? 600 : 3)}`));
    blocks.push(
      actions(...Array.from({ length: 30 }, (_, i) => ({ label: "L".repeat(100), command: `show ${i}` }))),
    );
    const rendered = renderMessage(reply("big", ...blocks), { moreCommand: "big --all" });
    expect(checkBlocks("message", rendered.blocks, 50, false)).toEqual([]);
    expect(rendered.blocks).toHaveLength(50);
    // All 120 fields are kept: 12 sections of 10.
    const fieldSections = rendered.blocks.filter((b) => (b as AnyBlock).fields);
    expect(fieldSections.map((b) => (b as AnyBlock).fields.length)).toEqual(Array(12).fill(10));
    const note = rendered.blocks[48] as AnyBlock;
    expect(note.type).toBe("context");
    expect(note.elements[0].text).toMatch(/^\d+ more parts not shown here\.$/);
    expect((rendered.blocks[49] as AnyBlock).elements[0].value).toBe('{"c":"big --all"}');
  });

  it("says how much was left out when there is no command to show the rest", () => {
    const many = Array.from({ length: 60 }, (_, i) => section(`s${i}`));
    const rendered = renderMessage(reply("many", ...many));
    expect(rendered.blocks).toHaveLength(50);
    expect((rendered.blocks[49] as AnyBlock).elements[0].text).toBe(
      "11 more parts not shown here; ask a narrower question to see them.",
    );
  });

  it("renders the App Home with up to 100 blocks", () => {
    const home = renderHome(reply("home", ...Array.from({ length: 150 }, (_, i) => section(`s${i}`))));
    expect(home.blocks).toHaveLength(100);
    expect(checkView("home", home)).toEqual([]);
  });

  it("splits long text on line or word boundaries without breaking a link", () => {
    const long = `${"word ".repeat(590)}<https://x.test/a|link text> ${"tail ".repeat(10)}`;
    const chunks = splitMrkdwn(long, 3000);
    expect(chunks.every((c) => c.length <= 3000)).toBe(true);
    expect(chunks.join(" ")).toContain("<https://x.test/a|link text>");
  });

  it("drops a button whose command cannot fit Slack's 2,000-char value, and clips labels to 75", () => {
    const rendered = renderMessage(
      reply(
        "b",
        actions(
          { label: "x".repeat(200), command: "c".repeat(2100) },
          { label: "y".repeat(200), command: "ok" },
        ),
      ),
    );
    const elements = (rendered.blocks[0] as AnyBlock).elements;
    expect(elements).toHaveLength(1);
    expect(elements[0].text.text.length).toBe(75);
  });

  it("round-trips button values", () => {
    expect(decodeButtonValue(encodeButtonValue({ command: "deps x" }))).toEqual({ command: "deps x" });
    expect(decodeButtonValue(encodeButtonValue({ form: "new-service", args: "a" }))).toEqual({
      form: "new-service",
      args: "a",
    });
    expect(decodeButtonValue("not json")).toBeUndefined();
  });
});

describe("renderModal", () => {
  const meta = encodeMetadata({ stateId: "state-1", page: 0, channel: "C1", thread: "1.2" });

  it("renders each page as a valid modal with a ≤24-char title and Next/submit labels", () => {
    const first = renderModal(NEW_SERVICE_FORM, 0, meta);
    const second = renderModal(NEW_SERVICE_FORM, 1, meta);
    expect(checkView("page 1", first)).toEqual([]);
    expect(checkView("page 2", second)).toEqual([]);
    expect(first.title.text).toBe("Create a new service fr…");
    expect(first.title.text.length).toBeLessThanOrEqual(24);
    expect(first.submit?.text).toBe("Next");
    expect(second.submit?.text).toBe("Create");
    expect(first.private_metadata).toBe(meta);
  });

  it("maps every field kind to its Block Kit input", () => {
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
    const view = renderModal(form, 0, meta);
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
    expect(elements.r.element.type).toBe("plain_text_input");

    const values = readModalValues(form, 0, {
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
    expect(values).toEqual({
      t: "hi",
      n: 4.5,
      b: false,
      s: "x".repeat(100),
      m: ["a"],
      e: "component:default/x",
      r: "github.com?owner=acme&repo=x",
    });
  });

  it("keeps a page with 150 fields within the 100-block modal limit and says what did not fit", () => {
    const form: Form = {
      id: "huge",
      title: "Huge",
      pages: [
        {
          title: "p",
          description: "d",
          fields: Array.from({ length: 150 }, (_, i) => ({
            name: `f${i}`,
            label: `F${i}`,
            kind: "text" as const,
          })),
        },
      ],
    };
    const view = renderModal(form, 0, meta);
    expect(view.blocks).toHaveLength(100);
    expect(checkView("huge", view)).toEqual([]);
    expect((view.blocks[99] as AnyBlock).elements[0].text).toContain("more fields do not fit");
  });

  it("keys errors by block_id and puts form-level errors on the first field", () => {
    expect(modalErrors(NEW_SERVICE_FORM, 0, { name: "Bad name", _form: "Template gone" })).toEqual({
      name: "Bad name Template gone",
    });
  });

  it("carries only the state id, page and origin in private_metadata", () => {
    expect(decodeMetadata(meta)).toEqual({ stateId: "state-1", page: 0, channel: "C1", thread: "1.2" });
    expect(meta.length).toBeLessThan(100);
    expect(decodeMetadata("{}")).toBeUndefined();
    expect(() => encodeMetadata({ stateId: "x".repeat(3000), page: 0 })).toThrow(/3,000/);
  });
});
