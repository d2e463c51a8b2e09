import { describe, expect, it } from "vitest";
import { suggestionCorpus } from "../../../test/fixtures/docs/suggestion-corpus.ts";
import { SUGGESTION_MESSAGES } from "../../../test/fixtures/docs/suggestion-messages.ts";
import { SectionIndex } from "../web/section-index.ts";
import { asksSomething } from "./question.ts";
import { measure, suggestSections } from "./suggest.ts";

describe("which messages ask something", () => {
  it("takes questions, with or without a question mark", () => {
    for (const text of [
      "How do I rotate the database password?",
      "anyone know where the runbook is",
      "deploy failed. how do I roll back",
      "is there a runbook for refunds",
    ]) {
      expect(asksSomething(text), text).toBe(true);
    }
  });

  it("leaves statements, chatter, links and hostile input alone", () => {
    for (const text of [
      "I rotated it.",
      "ok",
      "thanks!",
      "https://example.com/x?y",
      "",
      "?".repeat(10_000),
      "how ".repeat(1000),
    ]) {
      expect(asksSomething(text), text.slice(0, 20)).toBe(false);
    }
  });
});

describe("doc suggestions on the labelled messages", () => {
  const index = new SectionIndex(suggestionCorpus());

  it("suggests at most three sections, on different pages, for a strong match", () => {
    const hits = suggestSections(index, "How do I rotate the database credentials for payments?");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(hits[0]!.section.pagePath).toBe("runbooks/rotate-database-credentials/");
    expect(new Set(hits.map((h) => h.section.pagePath)).size).toBe(hits.length);
  });

  it("keeps precision and recall at the measured level (bench/RESULTS.md)", () => {
    const result = measure(index, SUGGESTION_MESSAGES);
    expect(result.precision, JSON.stringify(result.wrong)).toBeGreaterThanOrEqual(0.9);
    expect(result.recall, JSON.stringify(result.wrong)).toBeGreaterThanOrEqual(0.85);
  });
});
