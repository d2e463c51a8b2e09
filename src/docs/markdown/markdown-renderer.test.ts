import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateDocsCorpus } from "../../../bench/docs-corpus.ts";
import { collapseWhitespace, MarkdownRenderer, type RenderEnv } from "./markdown-renderer.ts";

let renderer: MarkdownRenderer;
beforeAll(async () => {
  renderer = await MarkdownRenderer.create();
});

function render(source: string) {
  const env: RenderEnv = { notes: [] };
  return { ...renderer.render(source, env), notes: env.notes };
}

describe("MarkdownRenderer", () => {
  it("gives headings mkdocs' anchors, duplicates numbered, explicit ids first, with permalinks", () => {
    const out = render("# Intro\n\n## Setup\n\n## Setup\n\n## Other {#setup_1}\n\n## Crème & brûlée!\n");
    expect(out.toc[0]!.children.map((e) => e.id)).toEqual(["setup", "setup_2", "setup_1", "creme-brulee"]);
    expect(out.html).toContain('<h2 id="setup_2">Setup<a class="headerlink" href="#setup_2"');
    expect(out.h1).toBe("Intro");
  });

  it("splits sections at headings with their plain text, code included", () => {
    const out = render(
      "Before.\n\n## Rotate `db` credentials\n\nRun this:\n\n```bash\nvault rotate\n```\n\n### Check\n\nDone.\n",
    );
    expect(out.sections).toEqual([
      { anchor: "", heading: "", level: 0, text: "Before." },
      {
        anchor: "rotate-db-credentials",
        heading: "Rotate db credentials",
        level: 2,
        text: "Run this: vault rotate",
      },
      { anchor: "check", heading: "Check", level: 3, text: "Done." },
    ]);
    expect(out.summary).toBe("Before.");
  });

  it("renders admonitions, collapsible details (closed and open) and untitled admonitions", () => {
    const out = render(
      '!!! warning "Mind the gap"\n    Body **bold**\n\n??? note\n    Hidden\n\n???+ tip "Shown"\n    Open\n\n!!! danger ""\n    No title\n\nafter\n',
    );
    expect(out.html).toContain(
      '<div class="admonition warning">\n<p class="admonition-title">Mind the gap</p>\n<p>Body <strong>bold</strong></p>\n</div>',
    );
    expect(out.html).toContain('<details class="note">\n<summary>Note</summary>\n<p>Hidden</p>\n</details>');
    expect(out.html).toContain('<details class="tip" open="">');
    expect(out.html).toContain('<div class="admonition danger">\n<p>No title</p>');
    expect(out.html).toContain("<p>after</p>");
  });

  it("groups consecutive tabs into one set, `===!` starts another, `===+` selects", () => {
    const out = render('=== "One"\n    a\n\n=== "Two"\n    b\n\n===! "Three"\n    c\n\n===+ "Four"\n    d\n');
    expect(out.html).toContain('data-tabs="1:2"');
    expect(out.html).toContain('data-tabs="2:2"');
    expect(out.html).toContain('<input checked="checked" type="radio" name="__tabbed_1" id="__tabbed_1_1">');
    expect(out.html).toContain('<input checked="checked" type="radio" name="__tabbed_2" id="__tabbed_2_2">');
    expect(out.html).toContain('<label for="__tabbed_1_2">Two</label>');
  });

  it("nests admonitions in tabs and lists inside admonitions", () => {
    const out = render('=== "Tab"\n    !!! note\n        inner\n\n        - x\n');
    expect(out.html).toMatch(
      /tabbed-block">\n<div class="admonition note">\n<p class="admonition-title">Note<\/p>\n<p>inner<\/p>\n<ul>/,
    );
  });

  it("covers the techdocs-core inline extensions", () => {
    const out = render(
      "==m== ~~d~~ H~2~O x^2^ :rocket: https://example.com <https://x.y>\n\n- [x] done\n\n*[API]: Application\nAPI\n\nT\n:   D\n\n> [!WARNING]\n> careful\n\nText[^n]\n\n[^n]: note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n{: .x }\n",
    );
    for (const part of [
      "<mark>m</mark>",
      "<s>d</s>",
      "<sub>2</sub>",
      "<sup>2</sup>",
      "🚀",
      '<a href="https://example.com">',
      "task-list-item",
      '<abbr title="Application">',
      "<dl>",
      "markdown-alert-warning",
      "footnote-ref",
      '<table class="x">',
    ]) {
      expect(out.html).toContain(part);
    }
  });

  it("highlights known languages on the server and escapes the rest", () => {
    const out = render("```ts\nconst a = 1;\n```\n\n```nosuchlang\n<b>x</b>\n```\n");
    expect(out.html).toContain(
      '<code class="hljs language-typescript"><span class="hljs-keyword">const</span>',
    );
    expect(out.html).toContain("&lt;b&gt;x&lt;/b&gt;");
  });

  it("draws Graphviz fences as SVG, keeps mermaid as code with a note, and notes broken diagrams", () => {
    const out = render(
      "```dot\ndigraph { api -> db }\n```\n\n```mermaid\ngraph TD; A-->B\n```\n\n```dot\ndigraph { \n```\n",
    );
    expect(out.html).toContain('<div class="graphviz"><svg');
    expect(out.html).toContain('class="language-mermaid"');
    expect(out.html).toContain("diagram-note");
    expect(out.notes).toHaveLength(1);
    expect(out.notes[0]).toMatch(/line 9/);
  });

  it("stays linear on hostile input: deep nesting, huge pages, unclosed markers", () => {
    const deep = `${"> ".repeat(5000)}x\n${"    ".repeat(50)}!!! note\n${"!!! note\n    ".repeat(200)}x\n`;
    const out = render(deep + '=== "t"\n'.repeat(2000) + "[".repeat(50_000) + "`".repeat(10_000));
    expect(out.html.length).toBeGreaterThan(0);
    const big = render(`## H\n\n${"word ".repeat(200_000)}`);
    expect(big.sections[0]!.text.length).toBeLessThanOrEqual(4000);
  });
});

describe("markdown-it-attrs and -emoji skipped on pages with nothing for them", () => {
  it("renders exactly as with the plugin run on every page (tables, lists, fences, attributes, entities)", async () => {
    const reference = await MarkdownRenderer.create({ everyRuleOnEveryPage: true });
    const pages = [
      "# Title\n\nText with *em* and `code`.\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\n- x\n- y\n",
      "## Head {#custom .cls data-x=1}\n\nPara {.lead}\n\n- item {.li}\n- other\n{.list}\n",
      "| a | b | c |\n|---|---|---|\n| 1 {rowspan=2} | 2 | 3 |\n| 4 | 5 |\n\n{.table}\n",
      "```python {.cls #code}\nx = {1: 2}\n```\n\n```ts\nconst a = { b: 1 };\n```\n",
      "Entity &#123;.cls} and \\{.esc} and `code`{.c} and ![i](a.png){width=10}\n\n--- {#rule}\n",
      '!!! note "Title {x}"\n    Body\n\n=== "Tab"\n    content\n\n- [x] done\n- [ ] todo\n',
      "*em*{.a} **strong**{#b} ==mark== ~~del~~ ^sup^ ~sub~ :rocket: www.example.com\n",
      "Term\n: Definition\n\n*[HTML]: Hyper Text\n\nHTML here[^1].\n\n[^1]: Note.\n",
      "no braces at all\n\n| x |\n|---|\n| y |\n\n1. one\n2. two\n",
      "Braces only in code:\n\n```ts\nconst a = { b: 1 };\n```\n\n    indented { code }\n\nand `{inline}` code\n",
      "- list with code `x{y}`\n- item\n{.not-code}\n",
      ":rocket: and :smile: and :not_an_emoji: and `:code:` and http://x.example:80/a and \\:rocket:\n",
      "Time 10:30, ratio 1:2, no emoji here\n\n```\n:rocket:\n```\n",
    ];
    // And the generated bench corpus: realistic pages, most of them with no attribute list at all.
    const dir = mkdtempSync(join(tmpdir(), "callboard-attrs-"));
    try {
      for (const site of generateDocsCorpus(dir, { sites: 2, pagesPerSite: 12, sectionsPerPage: 8, seed: 7 }))
        for (const page of site.pages) pages.push(readFileSync(join(site.root, "docs", page), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const source of pages) {
      const fast = render(source);
      const envRef: RenderEnv = { notes: [] };
      const slow = { ...reference.render(source, envRef), notes: envRef.notes };
      expect(fast).toEqual(slow);
    }
  });
});

describe("collapseWhitespace", () => {
  it("makes each whitespace run one space, exactly as replacing /\\s+/g does", () => {
    const alphabet = ["a", "b", " ", " ", "\n", "\t", "\r", "\u00a0", "\u2003", "\ufeff"];
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: n % 40 }, () => alphabet[next()]).join("");
      expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, " "));
    }
  });
});
