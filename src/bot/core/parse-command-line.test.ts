import { describe, expect, it } from "vitest";
import { normaliseLine, parseCommandLine, splitFlags } from "./parse-command-line.ts";

const PHRASES = ["who owns", "owner of", "show", "deps", "dependents", "catalog stats", "help"];

describe("parseCommandLine", () => {
  it.each([
    ["who owns payments-api", "who owns", "payments-api"],
    ["Who Owns payments-api?", "who owns", "payments-api"],
    ["owner of payments api?", "owner of", "payments api"],
    ["/callboard show component:default/payments-api", "show", "component:default/payments-api"],
    ["  catalog   stats  ", "catalog stats", ""],
    ["help", "help", ""],
  ])("%s → %s / %s", (line, phrase, args) => {
    const parsed = parseCommandLine(line, PHRASES);
    expect(parsed.phrase).toBe(phrase);
    expect(parsed.args).toBe(args);
  });

  it("does not match a phrase that is only the start of a word", () => {
    expect(parseCommandLine("shows payments-api", PHRASES).phrase).toBeUndefined();
    expect(parseCommandLine("depsy", PHRASES).phrase).toBeUndefined();
  });

  it("prefers the longest phrase", () => {
    expect(parseCommandLine("dependents payments-api", PHRASES).phrase).toBe("dependents");
  });

  it("pulls out flags in both spellings", () => {
    const parsed = parseCommandLine("deps payments-api --depth 3", PHRASES);
    expect(parsed.args).toBe("payments-api");
    expect(parsed.flags).toEqual({ depth: "3" });
    expect(parseCommandLine("deps payments-api --depth=2 --all", PHRASES).flags).toEqual({
      depth: "2",
      all: true,
    });
  });
});

describe("helpers", () => {
  it("normaliseLine collapses space and strips the prefix and end punctuation", () => {
    expect(normaliseLine("callboard:   who owns   x?!")).toBe("who owns x");
  });
  it("splitFlags keeps non-flag words in order", () => {
    expect(splitFlags("a --x 1 b --y")).toEqual({ rest: "a b", flags: { x: "1", y: true } });
  });
});
