/**
 * The sanitiser's policy applied to markdown tokens (page-html.ts applyPolicyToTokens) against the sanitiser
 * itself: on every page it accepts, the HTML must be what sanitising the rendered page gives (the same
 * elements, attributes, text and link notes), with nothing left for the sanitiser to remove; pages with raw
 * HTML, diagrams or anything it is unsure of must go to the sanitiser; hostile input stays harmless.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sanitizeHtml from "sanitize-html";
import { beforeAll, describe, expect, it } from "vitest";
import { generateDocsCorpus } from "../../bench/docs-corpus.ts";
import type { LinkTargets } from "./links.ts";
import { MarkdownRenderer } from "./markdown/markdown-renderer.ts";
import { applyPolicyToTokens, sanitizePage, sanitizeWithPolicy, type PageLinks } from "./page-html.ts";

let renderer: MarkdownRenderer;
beforeAll(async () => {
  renderer = await MarkdownRenderer.create();
});

const targets: LinkTargets = {
  pages: new Map([
    ["index.md", ""],
    ["guides/setup.md", "guides/setup/"],
    ["guides/other.md", "guides/other/"],
  ]),
  assets: new Set(["img/a.png", "guides/b.png"]),
};

function links(notes: string[]): PageLinks {
  return { source: "guides/setup.md", page: "guides/setup/", targets, note: (m) => notes.push(m) };
}

/** Both ways: the token policy (when it takes the page) and the sanitiser over the rendered page. */
function both(source: string) {
  const fastNotes: string[] = [];
  const fast = renderer.render(source, { notes: [] }, (tokens, rules) =>
    applyPolicyToTokens(tokens, rules, links(fastNotes)),
  );
  const slowNotes: string[] = [];
  const slow = sanitizePage(renderer.render(source, { notes: [] }).html, links(slowNotes));
  return { safe: fast.safe, fast: fast.html, fastNotes, slow, slowNotes };
}

/**
 * Parse and write back with nothing removed, attributes sorted: the sanitiser's serialisation, with the order
 * of attributes (which its link transform changes, and the DOM does not care about) taken out.
 */
const reserialise = (html: string) =>
  sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    allowedSchemesAppliedToAttributes: [],
    parser: { lowerCaseAttributeNames: true },
    transformTags: {
      "*": (tagName, attribs) => ({
        tagName,
        attribs: Object.fromEntries(Object.entries(attribs).sort(([a], [b]) => (a < b ? -1 : 1))),
      }),
    },
  });

const VOID_ELEMENTS = new Set(["area", "br", "col", "hr", "img", "input", "wbr", "source", "track"]);

/**
 * Every element the token path writes is closed, in order. The comparisons below re-serialise both sides
 * through a parser, which closes and re-nests what it is given: unbalanced markup would pass them unseen.
 * Escaped text and attribute values hold no `<` or `>`, so a tag is exactly a `<...>` run here.
 */
function expectWellFormed(html: string): void {
  const open: string[] = [];
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>/g)) {
    const tag = name!.toLowerCase();
    if (VOID_ELEMENTS.has(tag)) continue;
    if (!closing) open.push(tag);
    else
      expect(open.pop(), `</${tag}> closes ${open.length ? "the wrong element" : "nothing"} in ${html}`).toBe(
        tag,
      );
  }
  expect(open, `left open in ${html}`).toEqual([]);
}

function expectSameAsSanitiser(source: string): boolean {
  const { safe, fast, fastNotes, slow, slowNotes } = both(source);
  if (safe) {
    expectWellFormed(fast);
    // Nothing in the fast HTML is something the policy would remove...
    expect(reserialise(sanitizeWithPolicy(fast))).toBe(reserialise(fast));
    // ...and it is what the sanitiser made of the page, links rewritten the same way.
    expect(reserialise(fast)).toBe(reserialise(slow));
    expect(fastNotes).toEqual(slowNotes);
  } else {
    expect(fast).not.toBe(slow);
  }
  return safe;
}

const FORBIDDEN =
  /<script|<iframe|<object|<embed|<form|<style|\son[a-z]+=|javascript:|vbscript:|data:|style=/i;
/** The markup of served HTML, text left out (escaped text holds no `<`): refused words may stay as text. */
const markup = (html: string) => (html.match(/<[^>]*>/g) ?? []).join("");

describe("the well-formedness check these tests rely on", () => {
  it("refuses misnested, unclosed and stray closing tags, and takes void elements and escaped text", () => {
    expect(() => expectWellFormed("<div><blockquote>x</div></blockquote>")).toThrow();
    expect(() => expectWellFormed("<p><label>x</p>")).toThrow();
    expect(() => expectWellFormed("x</label>")).toThrow();
    expectWellFormed('<p>a &lt;b&gt; <img src="a.png" alt="x"><br><input type="checkbox" disabled=""></p>');
  });
});

describe("the sanitiser's policy on markdown tokens", () => {
  it("takes the generated bench corpus and gives exactly what the sanitiser gives", () => {
    const dir = mkdtempSync(join(tmpdir(), "callboard-policy-"));
    try {
      const sites = generateDocsCorpus(dir, { sites: 2, pagesPerSite: 16, sectionsPerPage: 8, seed: 3 });
      for (const site of sites)
        for (const page of site.pages)
          expect(expectSameAsSanitiser(readFileSync(join(site.root, "docs", page), "utf8"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes every TechDocs feature without raw HTML, with the same output and notes", () => {
    const pages = [
      "# T\n\n| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\nTerm\n: Def\n\n*[API]: Application interface\n\nAn API.\n",
      "Links: [home](../index.md#top), [other](other.md), [gone](nope.md), [out](../../../etc/passwd), " +
        "[web](https://example.com/a?b=1&c=2), [mail](mailto:a@example.com), <https://auto.example>, " +
        'www.linkify.example, [frag](#here), [abs](/abs/path)\n\n![img](../img/a.png "t") ![b](b.png)\n',
      '!!! note "Title"\n    Body with `code`{.c} and *em*{#e .x data-x=1 title="" width=3}\n\n' +
        '??? warning "Closed"\n    Hidden\n\n???+ tip\n    Open\n',
      '=== "One"\n    ```ts\n    const a = { b: 1 };\n    ```\n\n=== "Two"\n    text\n',
      "- [x] done\n- [ ] todo\n\n1. one\n2. two\n\n> [!NOTE]\n> Alert body\n\n> [!WARNING] Custom title\n> body\n",
      "Footnote[^1] and another[^long].\n\n[^1]: First.\n[^long]: Second with [link](other.md).\n",
      "==mark== ~~del~~ ^sup^ ~sub~ :rocket: :+1:\n\n---\n\n    indented code\n\n```mermaid\ngraph TD\n```\n",
      "## Heading {#custom .cls align=center}\n\nParagraph {.lead}\n\n![i](../img/a.png){width=10 height=20}\n",
      '```"><img src=x onerror=alert(1)>\ncode\n```\n\nQuotes "double" and \'single\' & ampersand < > in text.\n',
    ];
    for (const page of pages) expect(expectSameAsSanitiser(page)).toBe(true);
  });

  it("sends pages with raw HTML or a Graphviz diagram to the sanitiser", () => {
    for (const page of [
      '<div onclick="x()">raw block</div>\n\ntext\n',
      "Inline <kbd>Ctrl</kbd> key.\n",
      '```dot\ndigraph { a [URL="javascript:alert(1)"]; a -> b }\n```\n',
      '!!! note "<img src=x onerror=alert(1)>"\n    body\n',
      '=== "<b>Tab</b>"\n    body\n',
    ]) {
      const { safe, slow } = both(page);
      expect(safe).toBe(false);
      expect(markup(slow)).not.toMatch(FORBIDDEN);
    }
  });

  it("hands hostile links, images and alert titles to the sanitiser, and nothing harmful comes out", () => {
    const hostile = [
      "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:x) [d](&#106;avascript:alert(1))",
      "[e](data:text/html;base64,PHNjcmlwdD4=) ![f](data:image/png;base64,AAAA) ![g](javascript:alert(1))",
      "[h](//evil.example/x) [i](ftp://files.example/x) [j](tel:123) ![k](//evil.example/x.png)",
      "<javascript:alert(1)> [l](java%0Ascript:alert(1)) [m](<java script:alert(1)>)",
      "> [!NOTE] <img src=x onerror=alert(1)>\n> body\n",
      '> [!TIP] Q&A "quoted"\n> body\n',
      "## H {onclick=alert(1) style=color:red}\n\n[n](other.md){onmouseover=alert(1) href=javascript:alert(1)}\n",
      "![o](../img/a.png){onerror=alert(1) src=javascript:alert(1)}\n",
    ];
    for (const page of hostile) {
      const { safe, fast, slow } = both(page);
      const served = safe ? fast : slow;
      expect(markup(served)).not.toMatch(FORBIDDEN);
      if (safe) expect(reserialise(fast)).toBe(reserialise(slow));
    }
    // A data: image, a protocol-relative link and a markup alert title each need the sanitiser's judgement.
    expect(both("![f](data:image/png;base64,AAAA)").safe).toBe(false);
    expect(both("[h](//evil.example/x)").safe).toBe(false);
    expect(both("> [!NOTE] <b>x</b>\n> body\n").safe).toBe(false);
  });

  it("sends raw HTML in inline footnotes to the sanitiser, task-list look-alikes included", () => {
    // Inline footnotes are parsed into the footnote list, not the page's tokens: their HTML must still count
    // as the author's. An unclosed <label> here would otherwise be served as it is (the sanitiser closes it).
    for (const page of [
      "Foot^[<label>] more\n",
      "Foot^[</label>] more\n",
      'x^[<input class="task-list-item-checkbox" checked="" disabled="" type="checkbox">] y\n',
      "x^[<img src=x onerror=alert(1)>] y\n",
    ]) {
      const { safe, slow } = both(page);
      expect(safe).toBe(false);
      expect(markup(slow)).not.toMatch(FORBIDDEN);
    }
    // Task lists' own checkboxes and labels still take the token path.
    expect(both("- [x] done\n- [ ] todo\n").safe).toBe(true);
  });

  it("sends pages whose elements do not nest to the sanitiser", () => {
    // markdown-it-github-alerts pairs an alert's opening blockquote with the first blockquote_close after it,
    // an inner quote's: rendered as it is, the alert's </div> would close inside the inner <blockquote>.
    for (const page of ["> [!NOTE] ok\n> > inner\n> outer\n", "> [!TIP]\n> - > inner\n> outer\n"]) {
      expect(both(page).safe).toBe(false);
    }
    expect(both("> [!NOTE] ok\n> body\n\n> quote\n> > inner\n").safe).toBe(true);
  });

  it("sends images whose source is empty to the sanitiser, which drops them", () => {
    for (const page of ["![x]()\n", "![x](<>)\n"]) {
      const { safe, slow } = both(page);
      expect(safe).toBe(false);
      expect(slow).not.toContain("<img");
    }
  });
});
