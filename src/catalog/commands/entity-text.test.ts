import { describe, expect, it } from "vitest";
import { summaryLine } from "./entity-text.ts";

describe("summaryLine", () => {
  it("keeps the first paragraph with words as plain text, headings and marks taken out", () => {
    expect(
      summaryLine(
        "# Payments\n\n## About\n\nOwns **card** acceptance: see [the runbook](https://x.example) and `ledger`.\n\nMore.",
      ),
    ).toBe("Owns card acceptance: see the runbook and ledger.");
    expect(summaryLine("Keeps snake_case_names and *this*.")).toBe("Keeps snake_case_names and this.");
    expect(summaryLine("# Only a heading")).toBeUndefined();
    expect(summaryLine(`${"word ".repeat(100)}`)).toBeUndefined();
    expect(summaryLine(undefined)).toBeUndefined();
    expect(summaryLine(42 as unknown as string)).toBeUndefined();
  });

  it("answers at once for a description full of unclosed marks, as a catalog file from anyone may hold", () => {
    // Each of these made the mark patterns walk to the end of the text from every mark: minutes at this size.
    for (const hostile of [
      "[".repeat(200_000),
      "**a ".repeat(60_000),
      " _x".repeat(60_000),
      "`".repeat(200_000),
    ]) {
      expect(summaryLine(hostile)).toBeUndefined();
      expect(summaryLine(`Short first.\n\n${hostile}`)).toBe("Short first.");
    }
  });
});
