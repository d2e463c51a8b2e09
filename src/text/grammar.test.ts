import { describe, expect, it } from "vitest";
import { count, noun, withArticle } from "./grammar.ts";

describe("count and noun", () => {
  it("uses the singular for exactly one", () => {
    expect(count(1, "entity", "entities")).toBe("1 entity");
    expect(count(0, "entity", "entities")).toBe("0 entities");
    expect(count(2, "problem")).toBe("2 problems");
    expect(noun(1, "is a Location file", "are Location files")).toBe("is a Location file");
    expect(noun(3, "is a Location file", "are Location files")).toBe("are Location files");
  });
});

describe("withArticle", () => {
  it.each([
    ["API", "an API"],
    ["AiResource", "an AiResource"],
    ["Environment", "an Environment"],
    ["Component", "a Component"],
    ["User", "a User"],
    ["Group", "a Group"],
    ["Location", "a Location"],
    ["SQL database", "an SQL database"],
    ["URL", "a URL"],
    ["owner", "an owner"],
    ["hour", "an hour"],
  ])("%s → %s", (word, expected) => {
    expect(withArticle(word)).toBe(expected);
  });
});
