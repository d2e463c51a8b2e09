import { describe, expect, it } from "vitest";
import { slugify, uniqueId } from "./slugify.ts";

describe("slugify (Python-Markdown toc)", () => {
  it.each([
    ["Rotate database credentials", "rotate-database-credentials"],
    ["Hello, World!", "hello-world"],
    ["  Leading and trailing  ", "leading-and-trailing"],
    ["Crème brûlée", "creme-brulee"],
    ["日本語", ""],
    ["snake_case stays", "snake_case-stays"],
    ["a -- b", "a-b"],
    ["-dash-", "-dash-"],
    ["Step 1: `kubectl apply`", "step-1-kubectl-apply"],
    ["C++ & C#", "c-c"],
    ["What's new?", "whats-new"],
    ["Tab\tand\nnewline", "tab-and-newline"],
    ["ﬁ ligature", "fi-ligature"],
  ])("%j → %j", (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });
});

describe("uniqueId", () => {
  it("numbers duplicates _1, _2 and empty ids from _1", () => {
    const used = new Set<string>();
    expect(uniqueId("setup", used)).toBe("setup");
    expect(uniqueId("setup", used)).toBe("setup_1");
    expect(uniqueId("setup", used)).toBe("setup_2");
    expect(uniqueId("", used)).toBe("_1");
    expect(uniqueId("", used)).toBe("_2");
  });

  it("bumps an existing number as Python-Markdown does", () => {
    const used = new Set(["step_1"]);
    expect(uniqueId("step_1", used)).toBe("step_2");
    expect(uniqueId("step", used)).toBe("step");
    expect(uniqueId("step", used)).toBe("step_3");
  });
});
