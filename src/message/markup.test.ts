import { describe, expect, it } from "vitest";
import { parseMarkup, plainText } from "./markup.ts";
import { escapeText, person } from "./reply.ts";

describe("parseMarkup", () => {
  it("reads the subset: bold, italic, code, links, line breaks", () => {
    expect(
      parseMarkup("**payments-api** is _owned_ by `team-a`, see [docs](https://d.example/x)\nnext"),
    ).toEqual([
      { type: "strong", children: [{ type: "text", text: "payments-api" }] },
      { type: "text", text: " is " },
      { type: "em", children: [{ type: "text", text: "owned" }] },
      { type: "text", text: " by " },
      { type: "code", text: "team-a" },
      { type: "text", text: ", see " },
      { type: "link", url: "https://d.example/x", children: [{ type: "text", text: "docs" }] },
      { type: "break" },
      { type: "text", text: "next" },
    ]);
  });

  it("keeps the spaces that indent a line (a dependency tree) and drops those that end one", () => {
    expect(parseMarkup("• **a**  \n    • _b_\n        • c")).toEqual([
      { type: "text", text: "• " },
      { type: "strong", children: [{ type: "text", text: "a" }] },
      { type: "break" },
      { type: "text", text: "    • " },
      { type: "em", children: [{ type: "text", text: "b" }] },
      { type: "break" },
      { type: "text", text: "        • c" },
    ]);
  });

  it("keeps text that only looks like markup as typed when it was escaped", () => {
    const name = "my_service*[x](https://evil.example)";
    expect(parseMarkup(escapeText(name))).toEqual([{ type: "text", text: name }]);
  });

  it("keeps a link to anything but the web or mail as its label only, and never links script", () => {
    expect(parseMarkup("[get](ftp://files.example/x) it")).toEqual([{ type: "text", text: "get it" }]);
    // markdown-it refuses these targets outright: the text stays as typed, with no link in it.
    const script = "[click](javascript:alert(1)) and [f](file:///etc/passwd)";
    expect(parseMarkup(script)).toEqual([{ type: "text", text: script }]);
  });

  it("reads a person with its handles, and a name that tries to forge one stays text", () => {
    const text = person(escapeText("Ada [x](person:?slack=U0EVIL)"), {
      slack: "U012ABC",
      teams: "ada@example.com",
    });
    const nodes = parseMarkup(text);
    expect(nodes).toEqual([
      {
        type: "person",
        handles: { slack: "U012ABC", teams: "ada@example.com" },
        children: [{ type: "text", text: "Ada [x](person:?slack=U0EVIL)" }],
      },
    ]);
    expect(plainText(nodes)).toBe("Ada [x](person:?slack=U0EVIL)");
  });

  it("returns plain text at once for text with no markup, and leaves huge text unparsed", () => {
    expect(parseMarkup("plain words")).toEqual([{ type: "text", text: "plain words" }]);
    expect(parseMarkup("")).toEqual([]);
    const huge = "**a** ".repeat(10_000);
    expect(parseMarkup(huge)).toEqual([{ type: "text", text: huge }]);
  });
});
