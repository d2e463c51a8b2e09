import { describe, expect, it } from "vitest";
import { compareCodeUnits, MAX_TYPO_QUERY, typoNeighbours, type TypoWork } from "./typo-neighbours.ts";

/** Optimal string alignment distance, the plain full-table way: the reference the walk must agree with. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function randomWords(count: number, seed: number, letters = "abcdeps"): string[] {
  let state = seed;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const word = () =>
    Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => letters[Math.floor(random() * letters.length)],
    ).join("");
  return [...new Set(Array.from({ length: count }, word))].sort(compareCodeUnits);
}

describe("typoNeighbours", () => {
  it("finds exactly the terms a full edit-distance table finds, with their distances", () => {
    const terms = randomWords(1500, 11);
    for (const query of randomWords(40, 5)) {
      const distances = terms.map((term) => ({ term, distance: osa(query, term) }));
      for (const k of [1, 2, 3]) {
        const expected = distances
          .filter((c) => c.distance > 0 && c.distance <= k)
          .sort((a, b) => a.distance - b.distance || compareCodeUnits(a.term, b.term));
        expect(typoNeighbours(terms, query, k, Number.POSITIVE_INFINITY), `${query} k=${k}`).toEqual(
          expected,
        );
      }
    }
  });

  it("fills at most 2k+1 cells a row, however long the query, and at most a row per character", () => {
    const terms = randomWords(2000, 3);
    const characters = terms.reduce((sum, term) => sum + term.length, 0);
    for (const query of [
      "paymnets",
      "a".repeat(MAX_TYPO_QUERY),
      "abcdeps".repeat(9).slice(0, MAX_TYPO_QUERY),
    ]) {
      const work: TypoWork = { rows: 0, cells: 0 };
      typoNeighbours(terms, query, 2, 16, work);
      expect(work.rows, query).toBeGreaterThan(0);
      expect(work.rows, query).toBeLessThanOrEqual(characters);
      expect(work.cells, query).toBeLessThanOrEqual(work.rows * 5);
    }
  });

  it("does no work for a query longer than any name, and gives nothing for it", () => {
    const terms = ["a".repeat(MAX_TYPO_QUERY), "payments"];
    for (const length of [MAX_TYPO_QUERY + 1, 40_000]) {
      const work: TypoWork = { rows: 0, cells: 0 };
      expect(typoNeighbours(terms, "a".repeat(length), 2, 16, work)).toEqual([]);
      expect(work.cells).toBe(0);
    }
    expect(typoNeighbours(terms, "a".repeat(MAX_TYPO_QUERY - 1), 2)).toEqual([
      { term: "a".repeat(MAX_TYPO_QUERY), distance: 1 },
    ]);
  });

  it("returns at most `limit` candidates, closest first", () => {
    const terms = ["paymentz", "paymants", "payments", "paymnt", "pymnts"].sort(compareCodeUnits);
    expect(typoNeighbours(terms, "paymenst", 2, 2)).toEqual([
      { term: "payments", distance: 1 },
      { term: "paymants", distance: 2 },
    ]);
  });
});
