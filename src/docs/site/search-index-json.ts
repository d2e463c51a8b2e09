/**
 * `search/search_index.json` in the format mkdocs' search plugin writes, so a built site is useful to a
 * Backstage instance too (its TechDocs collator reads exactly this): one entry for each page (`path`) with
 * the page's text, and one for each heading (`path#anchor`) with the section's text.
 */
import type { BuiltSite } from "../model.ts";

export interface MkdocsSearchIndex {
  config: { lang: string[]; separator: string; pipeline: string[] };
  docs: Array<{ location: string; title: string; text: string }>;
}

export function mkdocsSearchIndex(site: BuiltSite): MkdocsSearchIndex {
  const docs: MkdocsSearchIndex["docs"] = [];
  for (const page of Object.values(site.pages)) {
    docs.push({
      location: page.path,
      title: page.title,
      text: page.sections
        .map((s) => s.text)
        .join(" ")
        .trim(),
    });
    for (const section of page.sections) {
      if (section.anchor === "") continue;
      docs.push({ location: `${page.path}#${section.anchor}`, title: section.heading, text: section.text });
    }
  }
  return { config: { lang: ["en"], separator: "[\\s\\-]+", pipeline: ["stopWordFilter"] }, docs };
}
