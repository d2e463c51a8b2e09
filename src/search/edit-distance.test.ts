import { describe, expect, it } from "vitest";
import { editDistance } from "./edit-distance.ts";

describe("editDistance", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("paymnets api", "payments api")).toBe(1);
    expect(editDistance("ledger", "ledger")).toBe(0);
    expect(editDistance("abc", "")).toBe(3);
  });
});
