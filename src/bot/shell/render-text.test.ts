import { describe, expect, it } from "vitest";
import { actions, context, fields, header, links, person, reply, section } from "../../message/reply.ts";
import { plainText, renderText } from "./render-text.ts";

describe("renderText", () => {
  it("renders each block kind as readable plain text and numbers command buttons", () => {
    const out = renderText(
      reply(
        "x",
        header("payments-api"),
        section("Owned by **Team Payments** ([channel](https://chat.example.com/c))"),
        fields({ label: "Kind", value: "Component" }, { label: "Lifecycle", value: "production" }),
        links([{ title: "Runbook", url: "https://runbooks.example.com/p" }]),
        actions(
          { label: "Dependencies", command: "deps payments-api" },
          { label: "Repo", url: "https://git/x" },
        ),
        context("component:default/payments-api"),
      ),
    ).output;
    expect(out.text).toBe(
      [
        "payments-api",
        "============",
        "Owned by Team Payments (channel <https://chat.example.com/c>)",
        "Kind:      Component",
        "Lifecycle: production",
        "- Runbook: https://runbooks.example.com/p",
        "[1] Dependencies: deps payments-api",
        "- Repo: https://git/x",
        "(component:default/payments-api)",
      ].join("\n"),
    );
    expect(out.choices).toEqual([{ label: "Dependencies", command: "deps payments-api" }]);
  });

  it("writes a person as their name with every chat handle as plain text", () => {
    const alice = person("**Alice \\[A\\]**", { slack: "U0ALICE", teams: "alice@acme.test" });
    expect(plainText(`• ${alice} · alice@acme.test`)).toBe(
      "• Alice [A] (Slack U0ALICE, Teams alice@acme.test) · alice@acme.test",
    );
    expect(plainText(person("**Bob**", {}))).toBe("Bob");
    // An escaped bracket opens no link, so text cannot pass for a person.
    expect(plainText("\\[x](person:?slack=U1)")).toBe("[x](person:?slack=U1)");
  });

  it("keeps escaped markdown characters literal", () => {
    expect(plainText("a\\*b\\* and `c`")).toBe("a*b* and c");
  });
});
