import { describe, expect, it } from "vitest";
import { trimEdges } from "./trim-edges.ts";

describe("trimEdges", () => {
  it("strips the leading and trailing characters asked for, and only at the ends", () => {
    expect(trimEdges("`payments-api`?!", "`'\"", "`'\"?!.")).toBe("payments-api");
    expect(trimEdges("who owns x.y?", "", "?!.")).toBe("who owns x.y");
    expect(trimEdges("...", "", ".")).toBe("");
    expect(trimEdges("plain", "'", "'")).toBe("plain");
  });

  it("looks at each character at most once: a long run inside the text is left alone", () => {
    let reads = 0;
    const counting = {
      includes(character: string) {
        reads++;
        return character === ".";
      },
    } as unknown as string;
    const text = `a${".".repeat(40_000)}b`;
    expect(trimEdges(text, counting, counting)).toBe(text);
    expect(reads).toBe(2);
  });
});
