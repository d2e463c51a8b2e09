import { describe, expect, it } from "vitest";
import { editDistance } from "./edit-distance.ts";
import { TypoVocabulary } from "./typo-vocabulary.ts";

describe("TypoVocabulary", () => {
  const vocabulary = new TypoVocabulary();
  vocabulary.replace(["payments", "payment", "payouts", "ledger", "ledgers", "inventory", "invent", "api"]);

  it("finds terms within the distance, a swap of neighbours counting once", () => {
    expect(vocabulary.near("paymnets", 1)).toEqual([{ term: "payments", distance: 1 }]);
    expect(vocabulary.near("inevntroy", 2).map((c) => c.term)).toEqual(["inventory"]);
    expect(vocabulary.near("ledger", 1).map((c) => c.term)).toEqual(["ledgers"]);
  });

  it("agrees with a plain edit distance on every term", () => {
    const terms = ["payments", "payment", "payouts", "ledger", "ledgers", "inventory", "invent", "api"];
    for (const query of ["paymnt", "ldeger", "invnetory", "apii", "payoust"]) {
      const expected = terms
        .map((t) => ({ term: t, distance: editDistance(query, t) }))
        .filter((c) => c.distance > 0 && c.distance <= 2)
        .map((c) => c.term)
        .sort();
      expect(
        vocabulary
          .near(query, 2, 100)
          .map((c) => c.term)
          .sort(),
        query,
      ).toEqual(expected);
    }
  });

  it("adds terms in order and ignores a zero budget", () => {
    const v = new TypoVocabulary();
    v.add(["zeta", "alpha", "alpha"]);
    expect(v.size).toBe(2);
    expect(v.has("alpha")).toBe(true);
    expect(v.near("alpah", 0)).toEqual([]);
  });

  it("merges a large batch of new terms (an import) into the sorted ones, repeats and known terms once", () => {
    const v = new TypoVocabulary();
    v.replace(["kafka", "ledger", "payments"]);
    const batch = Array.from({ length: 300 }, (_, i) => `term${(i * 37) % 150}`);
    v.add([...batch, "ledger", "Zulu", "ärger"]);
    expect(v.size).toBe(3 + 150 + 2);
    for (const term of ["kafka", "ledger", "payments", "term0", "term149", "Zulu", "ärger"])
      expect(v.has(term)).toBe(true);
    expect(v.near("paymnets", 2).map((c) => c.term)).toEqual(["payments"]);
    expect(v.near("term14", 1, 200).map((c) => c.term)).toContain("term140");
  });
});
