import { describe, expect, it } from "vitest";
import type { LinkTargets } from "./links.ts";
import { sanitizePage } from "./page-html.ts";

const targets: LinkTargets = {
  pages: new Map([
    ["index.md", ""],
    ["guides/setup.md", "guides/setup/"],
  ]),
  assets: new Set(["img/a.png"]),
};

function clean(html: string, notes: string[] = []) {
  return sanitizePage(html, {
    source: "guides/setup.md",
    page: "guides/setup/",
    targets,
    note: (m) => notes.push(m),
  });
}

describe("sanitizePage", () => {
  it("removes scripts, event handlers, javascript: links, iframes, styles and forms", () => {
    const out = clean(
      `<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:alert(1)">j</a>` +
        `<a href="JaVaScRiPt:alert(1)">k</a><iframe src="https://evil"></iframe><style>p{}</style>` +
        `<img src="x.png" onerror="alert(1)"><form><input type="text" name="q"><button>go</button></form>` +
        `<svg onload="alert(1)"><script>alert(2)</script><a xlink:href="javascript:alert(3)">s</a></svg>` +
        `<img src="data:image/png;base64,AAAA"><object data="x"></object><p style="color:red">s</p>`,
    );
    expect(out).not.toMatch(
      /script|onclick|onerror|onload|javascript|iframe|<style|<form|type="text"|data:|<object|style=/i,
    );
    expect(out).toContain("<p>hi</p>");
  });

  it("keeps TechDocs markup: anchors, admonitions, details, tabs, task lists, SVG", () => {
    const html =
      `<h2 id="setup">Setup<a class="headerlink" href="#setup" title="Permanent link">¶</a></h2>` +
      `<div class="admonition note"><p class="admonition-title">Note</p></div>` +
      `<details class="tip" open=""><summary>Open</summary><p>x</p></details>` +
      `<div class="tabbed-set tabbed-alternate" data-tabs="1:2"><input checked="checked" type="radio" name="__tabbed_1" id="__tabbed_1_1">` +
      `<div class="tabbed-labels"><label for="__tabbed_1_1">A</label></div></div>` +
      `<input class="task-list-item-checkbox" checked="" disabled="" type="checkbox">` +
      `<svg width="62pt" viewBox="0 0 62 116"><g id="graph0" class="graph"><polygon fill="white" points="1,2 3,4"/><text text-anchor="middle" x="27">a</text></g></svg>`;
    const out = clean(html);
    for (const part of [
      'id="setup"',
      'href="#setup"',
      'class="admonition note"',
      "<details",
      "open",
      "<summary>",
      'data-tabs="1:2"',
      'type="radio"',
      'name="__tabbed_1"',
      'for="__tabbed_1_1"',
      'type="checkbox"',
      "<svg",
      "viewbox",
      "<polygon",
      'points="1,2 3,4"',
      "<text",
    ]) {
      expect(out).toContain(part);
    }
  });

  it("rewrites links and images, raw HTML included, and drops escaping ones with a note", () => {
    const notes: string[] = [];
    const out = clean(
      `<a href="../index.md#top">home</a><img src="../img/a.png" alt="a"><a href="../../../etc/passwd">x</a>` +
        `<img src="../../secret.png"><a href="nope.md">n</a>`,
      notes,
    );
    expect(out).toContain('<a href="../../#top">home</a>');
    expect(out).toContain('<img alt="a" src="../../img/a.png" />');
    expect(out).not.toContain("<img />");
    expect(out).toContain("<a>x</a>");
    expect(out).not.toContain("passwd");
    expect(out).not.toContain("secret.png");
    expect(notes).toHaveLength(3);
    expect(notes.join("\n")).toMatch(/outside the docs folder/);
    expect(notes.join("\n")).toMatch(/nope\.md/);
  });
});
