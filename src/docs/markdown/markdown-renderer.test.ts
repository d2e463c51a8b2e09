import { beforeAll, describe, expect, it } from "vitest";
import { MarkdownRenderer, type RenderEnv } from "./markdown-renderer.ts";

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
