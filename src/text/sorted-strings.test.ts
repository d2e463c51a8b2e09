import { describe, expect, it } from "vitest";
import { mergeSorted, SortedStrings } from "./sorted-strings.ts";
import { compareCodeUnits } from "./typo-neighbours.ts";

/** Seeded, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("SortedStrings", () => {
  it("keeps the same order a full sort gives, through thousands of mixed adds and deletes read at random", () => {
    const next = random(11);
    const sorted = new SortedStrings();
    const truth = new Set<string>();
    // Upper case, digits, hyphens and non-ASCII, so code-unit order (not locale order) is what is checked.
    const alphabet = ["a", "b", "B", "-", "0", "é", "z", "ä", "."];
    for (let step = 0; step < 5_000; step++) {
      const word = Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join("");
      if (truth.has(word)) {
        truth.delete(word);
        sorted.delete(word);
      } else {
        truth.add(word);
        sorted.add(word);
      }
      if (next() < 0.05) expect(sorted.view()).toEqual([...truth].sort(compareCodeUnits));
    }
    expect(sorted.view()).toEqual([...truth].sort(compareCodeUnits));
    expect(sorted.pending).toBe(0);
  });

  it("cancels a delete and an add of the same value between two reads", () => {
    const sorted = new SortedStrings();
    sorted.add("payments-api");
    sorted.settle();
    sorted.delete("payments-api");
    sorted.add("payments-api");
    expect(sorted.pending).toBe(0);
    sorted.add("checkout");
    sorted.delete("checkout");
    expect(sorted.view()).toEqual(["payments-api"]);
  });
});

describe("mergeSorted", () => {
  it("merges additions in and leaves removals out, as a new array", () => {
    const before = ["a", "c", "e", "g"];
    const after = mergeSorted(before, ["b", "f", "h"], new Set(["a", "g", "not-there"]));
    expect(after).toEqual(["b", "c", "e", "f", "h"]);
    expect(before).toEqual(["a", "c", "e", "g"]);
    expect(mergeSorted([], ["x"])).toEqual(["x"]);
    expect(mergeSorted(["x"], [], new Set(["x"]))).toEqual([]);
  });
});
