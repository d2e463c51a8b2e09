import { describe, expect, it } from "vitest";
import { editDistance, type EditWork } from "./edit-distance.ts";

describe("editDistance", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("paymnets api", "payments api")).toBe(1);
    expect(editDistance("ledger", "ledger")).toBe(0);
    expect(editDistance("abc", "")).toBe(3);
  });

  it("with a bound, agrees with the full table up to it and says max + 1 beyond", () => {
    let seed = 3;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const word = () =>
      Array.from({ length: Math.floor(random() * 10) }, () => "abcd"[Math.floor(random() * 4)]).join("");
    for (let n = 0; n < 2000; n++) {
      const [a, b] = [word(), word()];
      const full = editDistance(a, b);
      for (const max of [0, 1, 2, 3])
        expect(editDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(full, max + 1));
    }
  });

  it("with a bound, fills at most 2 * max + 1 cells a character, however long the other text", () => {
    const long = "paymnets ".repeat(450);
    const work: EditWork = { cells: 0 };
    expect(editDistance(long, long.replace(/n/g, "m"), 2, work)).toBe(3);
    // Every word has a typo: the walk gives up in the third word, once no cell is within the bound.
    expect(work.cells).toBeLessThanOrEqual(3 * 9 * 5);
    const same: EditWork = { cells: 0 };
    expect(editDistance(long, `${long}x`, 2, same)).toBe(1);
    expect(same.cells).toBeLessThanOrEqual((long.length + 1) * 5);
    const apart: EditWork = { cells: 0 };
    expect(editDistance("a".repeat(40_000), "payments", 20, apart)).toBe(21);
    expect(apart.cells).toBe(0);
  });
});
