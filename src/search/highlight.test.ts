import { describe, expect, it } from "vitest";
import { foldWord, highlight, snippetFrom } from "./highlight.ts";

const words =
  (...wanted: string[]) =>
  (folded: string) =>
    wanted.includes(folded);

const marked = (snippet: { text: string; matches: Array<[number, number]> }) =>
  snippet.matches.map(([start, end]) => snippet.text.slice(start, end));

describe("highlight", () => {
  it("gives the text as it is, with the offsets of every matched word", () => {
    const snippet = highlight("Consumes *Kafka* order_events; kafka again.", words("kafka"))!;
    expect(snippet.text).toBe("Consumes *Kafka* order_events; kafka again.");
    expect(marked(snippet)).toEqual(["Kafka", "kafka"]);
  });

  it("matches words whatever their accents and case", () => {
    const snippet = highlight("Runs in Zürich", (w) => w === foldWord("zurich"))!;
    expect(marked(snippet)).toEqual(["Zürich"]);
  });

  it("puts a long text on one line around the first match, marking the cuts", () => {
    const text = `${"Lorem ipsum dolor sit amet.\n".repeat(10)}The ledger settles nightly.\n${"More words here. ".repeat(20)}`;
    const snippet = highlight(text, words("ledger"))!;
    expect(snippet.text.startsWith("…")).toBe(true);
    expect(snippet.text.endsWith("…")).toBe(true);
    expect(snippet.text).not.toMatch(/\s{2}|\n/);
    expect(snippet.text.length).toBeLessThanOrEqual(162);
    expect(marked(snippet)).toEqual(["ledger"]);
  });

  it("says nothing when no word matched", () => {
    expect(highlight("Nothing here", words("ledger"))).toBeUndefined();
  });
});

describe("snippetFrom", () => {
  it("collapses whitespace across parts and trims the ends, keeping the offsets true", () => {
    const snippet = snippetFrom([
      { text: "  a \n\n", match: false },
      { text: "🚀go", match: true },
      { text: "  b  ", match: false },
      { text: " c ", match: true },
    ]);
    expect(snippet.text).toBe("a 🚀go b c");
    expect(marked(snippet)).toEqual(["🚀go", "c"]);
  });
});
