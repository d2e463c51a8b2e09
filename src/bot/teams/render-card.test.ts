import { describe, expect, it } from "vitest";
import { actions, context, divider, header, links, person, reply, section } from "../../message/reply.ts";
import { escapeCardText, toCardMarkdown, toPlainText } from "./card-markdown.ts";
import { cardBytes, renderCard, renderReplyCard, replyRenderer } from "./render-card.ts";
import { adaptiveCardErrors } from "../../../test/fixtures/teams/card-validator.ts";

describe("card markdown", () => {
  it("keeps bold, italic and links, and escapes what would otherwise become markup", () => {
    expect(toCardMarkdown("**Owner**: [team-a](https://x.io/a) _now_")).toBe(
      "**Owner**: [team-a](https://x.io/a) _now_",
    );
    // Two underscores could make italics; so could one beside the author's own `_` markup.
    expect(toCardMarkdown("plain_name_here")).toBe("plain\\_name\\_here");
    expect(toCardMarkdown("_new_ in my_service")).toBe("_new_ in my\\_service");
    expect(toCardMarkdown("**b** a*c")).toBe("**b** a\\*c");
  });

  it("escapes nothing that no card would read as markup: clients that show escapes show backslashes", () => {
    expect(escapeCardText("deps <name> [--depth N]")).toBe("deps <name> [--depth N]");
    expect(escapeCardText("my_service, 2 * 3, C:\\temp\\x, 1.5 million")).toBe(
      "my_service, 2 * 3, C:\\temp\\x, 1.5 million",
    );
    // A backslash before punctuation would escape it and vanish; it is doubled to stay visible.
    expect(escapeCardText("a\\*b")).toBe("a\\\\*b");
  });

  it("shows code as bold, where bold can take", () => {
    expect(toCardMarkdown("`deps <name> [--depth N]`\nWhat it depends on.")).toBe(
      "**deps <name> [--depth N]**\n\nWhat it depends on.",
    );
    expect(toCardMarkdown("Type `help`, or `who owns x`.")).toBe("Type **help**, or **who owns x**.");
    // Emphasis characters inside, bold around it already, or no word boundary: plain, as typed.
    expect(toCardMarkdown("run `pay_api*`")).toBe("run pay_api*");
    expect(toCardMarkdown("**run `x`**")).toBe("**run x**");
    expect(toCardMarkdown("a`-b`")).toBe("a-b");
  });

  it("escapes brackets that would make a link, even across code and text", () => {
    expect(toCardMarkdown("`[x]`(https://evil.example)")).not.toMatch(/(^|[^\\])\[x\]\(/);
    expect(toCardMarkdown("[`a]b`](https://x.io)")).toBe("[**a\\]b**](https://x.io/)");
  });

  it("refuses links that are not http(s) or mailto and encodes parentheses in URLs", () => {
    // markdown-it refuses the javascript: link, so its brackets stay literal text, escaped: no link is made.
    expect(toCardMarkdown("[x](javascript:alert(1))")).toBe("\\[x\\](javascript:alert(1))");
    expect(toCardMarkdown("[w](https://en.wikipedia.org/wiki/A_(b))")).toBe(
      "[w](https://en.wikipedia.org/wiki/A_%28b%29)",
    );
  });

  it("stops lines from turning into lists", () => {
    expect(escapeCardText("1. first\n- second")).toBe("1\\. first\n\\- second");
  });

  it("keeps text that the Reply author escaped literal", () => {
    expect(toCardMarkdown("a \\*literal\\* star")).toBe("a \\*literal\\* star");
    expect(toPlainText("**b** [t](https://x) `c`")).toBe("b t c");
  });
});

describe("people", () => {
  it("shows a person's name, never their Slack id, and links it to a Teams chat when Teams knows them", () => {
    expect(toCardMarkdown(`• ${person("**Alice Ng**", { slack: "U0ALICE" })} · alice@acme.test`)).toBe(
      "• **Alice Ng** · alice@acme.test",
    );
    expect(
      toCardMarkdown(person("**Carol Diaz**", { slack: "U0CAROL", teams: "carol.diaz@acme.test" })),
    ).toBe("[**Carol Diaz**](https://teams.microsoft.com/l/chat/0/0?users=carol.diaz%40acme.test)");
    const card = renderCard(
      reply("Members", section(`**Members**\n• ${person("**Alice Ng**", { slack: "U0ALICE" })}`)),
    );
    expect(JSON.stringify(card)).not.toContain("U0ALICE");
    expect(toPlainText(person("**Alice Ng**", { slack: "U0ALICE" }))).toBe("Alice Ng");
  });
});

describe("renderCard", () => {
  const full = reply(
    "payments-api is owned by team-payments",
    header("payments-api"),
    section("Owned by **team-payments**", [{ label: "Lifecycle", value: "production" }]),
    divider(),
    context("Source: catalog-info.yaml"),
    links([{ title: "Docs", url: "https://docs.example.com/payments" }]),
    actions(
      { label: "Dependencies", command: "deps payments-api", style: "primary" },
      { label: "Open", url: "https://backstage.example.com/x" },
      { label: "Scaffold", form: { id: "new-service" } },
    ),
  );

  it("shows only web and mail links: a descriptor's javascript: link never becomes an OpenUrl action", () => {
    const card = renderCard(
      reply(
        "x",
        links([
          { title: "Bad", url: "javascript:alert(1)" },
          { title: "Runbook", url: "https://runbooks.example.com/p" },
        ]),
        actions({ label: "Evil", url: "file:///etc/passwd" }, { label: "Show", command: "show x" }),
      ),
    );
    const json = JSON.stringify(card);
    expect(json).not.toContain("javascript:");
    expect(json).not.toContain("file:");
    expect(json).toContain("https://runbooks.example.com/p");
    expect(adaptiveCardErrors(card)).toEqual([]);
  });

  it("maps every block type to schema-valid Adaptive Card 1.5 elements", () => {
    const card = renderCard(full);
    expect(adaptiveCardErrors(card)).toEqual([]);
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.5" });
    expect(card.body[0]).toEqual({
      type: "TextBlock",
      text: "payments-api",
      size: "Large",
      weight: "Bolder",
      wrap: true,
    });
    expect(card.body[1]).toMatchObject({ type: "TextBlock", text: "Owned by **team-payments**" });
    expect(card.body[2]).toEqual({ type: "FactSet", facts: [{ title: "Lifecycle", value: "production" }] });
    expect(card.body[3]).toMatchObject({ size: "Small", isSubtle: true, separator: true });
    expect(card.body[4]).toEqual({
      type: "ActionSet",
      actions: [{ type: "Action.OpenUrl", title: "Docs", url: "https://docs.example.com/payments" }],
    });
    expect(card.body[5]!.actions).toEqual([
      {
        type: "Action.Execute",
        title: "Dependencies",
        verb: "command",
        data: { c: "deps payments-api" },
        style: "positive",
      },
      { type: "Action.OpenUrl", title: "Open", url: "https://backstage.example.com/x" },
      {
        type: "Action.Submit",
        title: "Scaffold",
        data: { msteams: { type: "task/fetch" }, f: "new-service" },
      },
    ]);
  });

  it("splits more than six buttons over several action sets", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ label: `b${i}`, command: `show ${i}` }));
    const card = renderCard(reply("x", actions(...many)));
    expect(card.body.map((e) => (e.actions as unknown[]).length)).toEqual([6, 2]);
  });

  it("stays under the byte limit by leaving out blocks, offering 'more' last and saying where it cut", () => {
    const long = reply(
      "long",
      ...Array.from({ length: 200 }, (_, i) => section(`Row ${i} ${"é".repeat(300)}`)),
    );
    for (const limit of [4000, 12_000, 26 * 1024]) {
      const { output: card, cutAt } = renderReplyCard(long, {
        byteLimit: limit,
        more: { label: "Show more", continuation: "00000000-0000-0000-0000-000000000000" },
      });
      expect(cardBytes(card)).toBeLessThanOrEqual(limit);
      expect(adaptiveCardErrors(card)).toEqual([]);
      const last = card.body.at(-1)!;
      expect(last).toEqual({
        type: "ActionSet",
        actions: [
          {
            type: "Action.Execute",
            title: "Show more",
            verb: "more",
            data: { m: "00000000-0000-0000-0000-000000000000" },
          },
        ],
      });
      const shown = card.body.filter((e) => String(e.text ?? "").startsWith("Row")).length;
      expect(cutAt).toBe(shown);
    }
  });

  it("is the renderer 'Show more' takes: no button and no cut when the answer fits", () => {
    const rendered = replyRenderer()(reply("x", section("short")), {
      label: "Show more",
      continuation: "id",
    });
    expect(rendered.cutAt).toBeUndefined();
    expect(JSON.stringify(rendered.output)).not.toContain("Show more");
  });

  it("clips a single giant section instead of failing, and goes on after a block no card can hold", () => {
    const giant = renderCard(reply("summary", section("x".repeat(100_000))), { byteLimit: 5000 });
    expect(cardBytes(giant)).toBeLessThanOrEqual(5000);
    expect(adaptiveCardErrors(giant)).toEqual([]);
    // Facts too big for any card: the summary stands in, and "more" points past them, not back at them.
    const facts = Array.from({ length: 20 }, (_, i) => ({ label: `f${i}`, value: "v".repeat(1500) }));
    const { output, cutAt } = renderReplyCard(reply("summary", section("", facts), section("after")), {
      byteLimit: 5000,
      more: { label: "Show more", continuation: "id" },
    });
    expect(cutAt).toBe(1);
    expect(output.body[0]).toMatchObject({ text: "summary" });
    expect(adaptiveCardErrors(output)).toEqual([]);
  });

  it("notes truncation even with no 'more' handler", () => {
    const card = renderCard(reply("x", ...Array.from({ length: 50 }, () => section("y".repeat(1000)))), {
      byteLimit: 8000,
    });
    expect(String(card.body.at(-1)!.text)).toMatch(/more parts of this answer did not fit/);
  });

  it("falls back to the summary text for a reply with no blocks", () => {
    expect(renderCard(reply("just text")).body).toEqual([
      { type: "TextBlock", text: "just text", wrap: true },
    ]);
  });
});
