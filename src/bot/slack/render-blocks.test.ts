import { describe, expect, it } from "vitest";
import { checkBlocks, checkView } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { MemoryContinuationStore } from "../../../test/fixtures/memory-ports.ts";
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
  type Reply,
} from "../../message/reply.ts";
import { memberBlocks } from "../../catalog/commands/who-owns.ts";
import { entity, item } from "../../../test/fixtures/catalog-commands/small-catalog.ts";
import { CatalogGraph } from "../../catalog/graph/catalog-graph.ts";
import { decodeActionPayload } from "../core/action-codec.ts";
import { Continuations } from "../core/continuations.ts";
import { splitMrkdwn, toMrkdwn } from "./mrkdwn.ts";
import { homeRenderer, messageRenderer, renderMessage, sizedForSlack } from "./render-blocks.ts";

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
    const out = renderMessage(reply("Members", ...memberBlocks(graph, "group:default/team-a"))).output;
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
    const { output: out } = renderMessage(
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
    const { output: rendered } = renderMessage(
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
    const text = (answer: Reply) => renderMessage(answer).output.text;
    expect(text(reply("", section("From the **section**")))).toBe("From the section");
    expect(text(reply("a < b"))).toBe("a &lt; b");
    expect(text(reply("x".repeat(10_000))).length).toBeLessThanOrEqual(4000);
    expect(text(reply(""))).toBe("Callboard");
  });

  it("keeps a reply with 120 fields and 70 sections within every limit, cut between blocks with Show more last", async () => {
    const blocks: Block[] = [header("H".repeat(400))];
    blocks.push(
      fields(...Array.from({ length: 120 }, (_, i) => ({ label: `Field ${i}`, value: "v".repeat(2500) }))),
    );
    for (let i = 0; i < 70; i++)
      blocks.push(section(`Section ${i} ${"word & <tag> ".repeat(i % 10 === 0 ? 600 : 3)}`));
    blocks.push(
      actions(...Array.from({ length: 30 }, (_, i) => ({ label: "L".repeat(100), command: `show ${i}` }))),
    );
    const answer = sizedForSlack(reply("big", ...blocks));
    const first = renderMessage(answer, { more: { label: "Show more", continuation: "rest-1" } });
    expect(checkBlocks("message", first.output.blocks, 50, false)).toEqual([]);
    expect(first.output.blocks).toHaveLength(50);
    // All 120 fields come first: 12 sections of 10.
    const fieldSections = first.output.blocks.filter((b) => (b as AnyBlock).fields);
    expect(fieldSections.map((b) => (b as AnyBlock).fields.length)).toEqual(Array(12).fill(10));
    const more = first.output.blocks[49] as AnyBlock;
    expect(more.elements).toHaveLength(1);
    expect(decodeActionPayload(more.elements[0].value)).toEqual({ continuation: "rest-1" });
    expect(first.cutAt).toBeGreaterThan(0);

    // Through the core's continuations, the parts together hold every block once, each part within limits.
    const continuations = new Continuations(new MemoryContinuationStore());
    const parts = [];
    let rest: Reply | undefined = answer;
    while (rest) {
      const part = await continuations.fit(rest, messageRenderer());
      expect(checkBlocks("part", part.blocks, 50, false)).toEqual([]);
      parts.push(part);
      const last = part.blocks.at(-1) as AnyBlock;
      const payload = last.type === "actions" ? decodeActionPayload(last.elements.at(-1).value) : undefined;
      rest =
        payload && "continuation" in payload ? await continuations.take(payload.continuation) : undefined;
    }
    const text = JSON.stringify(parts);
    for (let i = 0; i < 70; i++) expect(text).toContain(`Section ${i} `);
    const buttons = parts.flatMap((p) => p.blocks).flatMap((b) => (b as AnyBlock).elements ?? []);
    expect(buttons.filter((b: AnyBlock) => b.text?.text?.startsWith("LLL"))).toHaveLength(30);
  });

  it("says how much was left out when it cannot offer Show more (a link preview)", () => {
    const many = Array.from({ length: 60 }, (_, i) => section(`s${i}`));
    const { output: rendered } = renderMessage(reply("many", ...many));
    expect(rendered.blocks).toHaveLength(50);
    expect((rendered.blocks[49] as AnyBlock).elements[0].text).toBe(
      "11 more parts not shown here; ask a narrower question to see them.",
    );
  });

  it("renders the App Home with up to 100 blocks, Show more last", () => {
    const home = homeRenderer(reply("home", ...Array.from({ length: 150 }, (_, i) => section(`s${i}`))), {
      label: "Show more",
      continuation: "home-rest",
    });
    expect(home.output.blocks).toHaveLength(100);
    expect(home.cutAt).toBe(99);
    expect(checkView("home", home.output)).toEqual([]);
  });

  it("splits long text on line or word boundaries without breaking a link", () => {
    const long = `${"word ".repeat(590)}<https://x.test/a|link text> ${"tail ".repeat(10)}`;
    const chunks = splitMrkdwn(long, 3000);
    expect(chunks.every((c) => c.length <= 3000)).toBe(true);
    expect(chunks.join(" ")).toContain("<https://x.test/a|link text>");
  });

  it("drops a button whose command cannot fit Slack's 2,000-char value, and clips labels to 75", () => {
    const { output: rendered } = renderMessage(
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

  it("gives each button the action codec's payload: a command, a form, a form session, the rest of an answer", () => {
    const { output } = renderMessage(
      reply(
        "b",
        actions(
          { label: "Deps", command: "deps x" },
          { label: "New", form: { id: "new-service", args: "a" } },
          { label: "Open", form: { id: "new-service", session: "s-1" } },
          { label: "Show more", continuation: "c-1" },
        ),
      ),
    );
    const values = (output.blocks[0] as AnyBlock).elements.map((e: AnyBlock) => decodeActionPayload(e.value));
    expect(values).toEqual([
      { command: "deps x" },
      { form: "new-service", args: "a" },
      { form: "new-service", session: "s-1" },
      { continuation: "c-1" },
    ]);
  });
});
