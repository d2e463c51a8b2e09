/**
 * Which doc sections, if any, answer a question asked in a channel. Only a strong match is suggested: the
 * sections must hold most of the question's weight (its topic words, rarer ones counting more), at least two
 * of its words, and one of them in the section's heading or page title. The thresholds were chosen on a
 * labelled set of messages (test/fixtures/docs/suggestion-messages.ts) and are measured in bench/docs.ts,
 * which reports precision and recall in bench/RESULTS.md.
 */
import type { SectionHit, SectionIndex } from "../web/section-index.ts";
import { termsOf } from "../web/section-index.ts";
import { asksSomething } from "./question.ts";

export interface Thresholds {
  /** Share of the question's weight the best section must match. */
  minCoverage: number;
  /** Distinct question words the section must match. */
  minTerms: number;
  /** Further sections must reach this share of the best one's coverage. */
  relative: number;
}

export const THRESHOLDS: Thresholds = { minCoverage: 0.4, minTerms: 2, relative: 0.85 };

/** Sections suggested at most. */
export const MAX_SUGGESTIONS = 3;

const strong = (hit: SectionHit, t: Thresholds) =>
  hit.coverage >= t.minCoverage && new Set(hit.matched).size >= t.minTerms && hit.inHeading.length > 0;

/** Up to three sections for `text`, or none when it asks nothing or nothing matches strongly. */
export function suggestSections(index: SectionIndex, text: string, t: Thresholds = THRESHOLDS): SectionHit[] {
  if (!asksSomething(text)) return [];
  if (new Set(termsOf(text, 24)).size < t.minTerms) return [];
  const hits = index.search(text, { limit: 10 });
  const best = hits[0];
  if (!best || !strong(best, t)) return [];
  const chosen: SectionHit[] = [];
  const pages = new Set<string>();
  for (const hit of hits) {
    if (chosen.length >= MAX_SUGGESTIONS) break;
    if (!strong(hit, t) || hit.coverage < best.coverage * t.relative) continue;
    // One section a page: three links into one page say less than one.
    const page = `${hit.section.entityRef}|${hit.section.pagePath}`;
    if (pages.has(page)) continue;
    pages.add(page);
    chosen.push(hit);
  }
  return chosen;
}

export interface Labelled {
  text: string;
  /** Whether a person would want a suggestion under this message. */
  suggest: boolean;
  /** For those that should: the page (served path within its site, "<entity ref>|<path>") a good one links to. */
  expects?: string;
}

export interface Measured {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number;
  recall: number;
  /** Messages that went the wrong way, for the report. */
  wrong: { text: string; suggested: boolean }[];
}

/**
 * Precision and recall of the suggestions on a labelled set. A suggestion for a message that should get one
 * counts as right only when it links the expected page (when one is given).
 */
export function measure(index: SectionIndex, labelled: Labelled[], t: Thresholds = THRESHOLDS): Measured {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const wrong: Measured["wrong"] = [];
  for (const item of labelled) {
    const hits = suggestSections(index, item.text, t);
    const suggested = hits.length > 0;
    const right =
      !item.expects || hits.some((h) => `${h.section.entityRef}|${h.section.pagePath}` === item.expects);
    if (item.suggest && suggested && right) tp++;
    else if (suggested && (!item.suggest || !right)) {
      fp++;
      wrong.push({ text: item.text, suggested });
    } else if (item.suggest) {
      fn++;
      wrong.push({ text: item.text, suggested });
    } else tn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    wrong,
  };
}
