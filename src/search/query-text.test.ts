import { describe, expect, it } from "vitest";
import { MAX_FILTER_VALUES, parseSearchText, tokenize, typoBudget } from "./query-text.ts";

describe("parseSearchText", () => {
  it("pulls inline filters out of the words", () => {
    expect(
      parseSearchText("kafka consumer kind:api owner:Team-Payments tag:grpc lifecycle:production"),
    ).toEqual({
      q: "kafka consumer",
      filters: {
        kind: ["api"],
        owner: ["team-payments"],
        tag: ["grpc"],
        lifecycle: ["production"],
      },
    });
  });

  it("accepts lists, and reads owners with the function it is given", () => {
    const ownerRef = (typed: string) => `owner(${typed})`;
    expect(parseSearchText("owner:jane,ops kind:API,Component type:docs", { ownerRef }).filters).toEqual({
      owner: ["owner(jane)", "owner(ops)"],
      kind: ["api", "component"],
      type: ["doc"],
    });
  });

  it("takes at most MAX_FILTER_VALUES values a filter, however they are written", () => {
    const owners = Array.from({ length: 500 }, (_, i) => `t${i}`);
    expect(parseSearchText(`owner:${owners.join(",")} x`).filters?.owner).toHaveLength(MAX_FILTER_VALUES);
    const tags = parseSearchText(owners.map((o) => `tag:${o}`).join(" ")).filters?.tag;
    expect(tags).toEqual(owners.slice(0, MAX_FILTER_VALUES));
  });

  it("leaves unknown prefixes as words, so name: is just text", () => {
    expect(parseSearchText("name:ledger http://x")).toEqual({ q: "name:ledger http://x" });
  });
});

describe("tokenize", () => {
  it("splits on anything but letters and digits, folding case and accents", () => {
    expect(tokenize('Payments-API "NEAR" (x*) Zürich 🚀 -ledger')).toEqual([
      "payments",
      "api",
      "near",
      "x",
      "zurich",
      "ledger",
    ]);
  });

  it("bounds the number and length of terms", () => {
    expect(tokenize("a ".repeat(5_000))).toHaveLength(10);
    expect(tokenize("x".repeat(10_000))[0]).toHaveLength(48);
  });
});

describe("typoBudget", () => {
  it("follows Meilisearch: none below 5 characters, one from 5, two from 9", () => {
    expect([
      typoBudget("ledg"),
      typoBudget("ledge"),
      typoBudget("payments"),
      typoBudget("inventory"),
    ]).toEqual([0, 1, 1, 2]);
  });
});
