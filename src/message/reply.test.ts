import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { hasMarkup, person, personHandles, webUrl } from "./reply.ts";

// The renderers' parser configuration: the markdown subset's rules and nothing else.
const parser = new MarkdownIt("zero").enable(["emphasis", "link", "backticks", "escape", "newline"]);

describe("hasMarkup", () => {
  it("is false only where the parser would hand the text back unchanged (the renderers' fast path)", () => {
    const alphabet = "abcXYZ019 .,;:!?()-/@#$%^&+=<>|~'\"{}]éß漢😀\t";
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const samples = [
      "payments-api",
      "team-payments@acme.example",
      "Takes card payments & refunds <fast>.",
      "1. first",
    ];
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 40);
      samples.push(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(""));
    }
    for (const text of samples) {
      expect(hasMarkup(text), text).toBe(false);
      const tokens = parser.parseInline(text, {})[0]?.children ?? [];
      const content = tokens.map((t) => (t.type === "text" ? t.content : `<${t.type}>`)).join("");
      expect(content, text).toBe(text);
    }
  });

  it("is true for every character the subset interprets", () => {
    for (const text of ["**b**", "_i_", "`c`", "[t](https://x)", "a\\*b", "two\nlines", "cr\rlf", "nul\0"]) {
      expect(hasMarkup(text), JSON.stringify(text)).toBe(true);
    }
  });
});

describe("webUrl", () => {
  it("keeps web and mail links as written and refuses other schemes", () => {
    expect(webUrl("https://x.test")).toBe("https://x.test");
    expect(webUrl("mailto:team@example.com")).toBe("mailto:team@example.com");
    expect(webUrl("javascript:alert(1)")).toBeUndefined();
    expect(webUrl("file:///etc/passwd")).toBeUndefined();
    expect(webUrl("not a url")).toBeUndefined();
  });
});

describe("person", () => {
  it("survives the renderers' parser with any handle, and is no web link", () => {
    const handles = { slack: "U0ALICE", teams: "a (b)&c=d+e@acme.test" };
    const tokens = parser.parseInline(person("**A**", handles), {})[0]?.children ?? [];
    expect(tokens.filter((t) => t.type !== "text" || t.content).map((t) => t.type)).toEqual([
      "link_open",
      "strong_open",
      "text",
      "strong_close",
      "link_close",
    ]);
    const href = String(tokens[0]!.attrGet("href"));
    expect(personHandles(href)).toEqual(handles);
    expect(webUrl(href)).toBeUndefined();
    expect(person("**A**", {})).toBe("**A**");
    expect(personHandles("https://x.test/?slack=U1")).toBeUndefined();
  });
});
