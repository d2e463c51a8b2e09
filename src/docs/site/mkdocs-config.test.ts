import { describe, expect, it } from "vitest";
import { MkdocsConfigError, parseMkdocsConfig } from "./mkdocs-config.ts";

const parse = (text: string, allowIncludes = true) =>
  parseMkdocsConfig(text, "mkdocs.yml", { allowIncludes });

describe("parseMkdocsConfig", () => {
  it("reads nav entries of every form, includes as strings and as a tag, and tolerates Python tags", () => {
    const config = parse(
      [
        "site_name: Docs",
        "docs_dir: ./content/",
        "edit_uri: edit/main/content/",
        "nav:",
        "  - index.md",
        "  - Guide: guide.md",
        "  - Web: https://example.com",
        "  - Section:",
        "      - Deep: a/b.md",
        "  - Sub: '!include ./sub/mkdocs.yml'",
        "  - Tagged: !include other/mkdocs.yml",
        "  - '*include ./components/*/mkdocs.yml'",
        "markdown_extensions:",
        "  - pymdownx.emoji:",
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji",
        "extra:",
        "  token: !ENV [TOKEN, none]",
        "plugins:",
        "  - techdocs-core",
        "  - mermaid2:",
        "      version: 10",
      ].join("\n"),
    );
    expect(config.docsDir).toBe("content");
    expect(config.nav).toEqual([
      { type: "page", file: "index.md", line: 5 },
      { type: "page", title: "Guide", file: "guide.md", line: 6 },
      { type: "link", title: "Web", url: "https://example.com", line: 7 },
      {
        type: "section",
        title: "Section",
        line: 8,
        children: [{ type: "page", title: "Deep", file: "a/b.md", line: 9 }],
      },
      { type: "include", title: "Sub", pattern: "./sub/mkdocs.yml", glob: false, line: 10 },
      { type: "include", title: "Tagged", pattern: "other/mkdocs.yml", glob: false, line: 11 },
      { type: "include", pattern: "./components/*/mkdocs.yml", glob: true, line: 12 },
    ]);
    expect(config.ignored).toEqual(["markdown_extensions", "extra", "plugins: mermaid2"]);
  });

  it("names the file, line and field of what is wrong", () => {
    const cases: Array<[string, RegExp]> = [
      ["site_name: [unclosed\n", /^mkdocs\.yml, line \d+: is not valid YAML/],
      ["nav: []\n", /line 1: `site_name` is required/],
      ["site_name: X\nnav: index.md\n", /line 2: `nav` should be a list/],
      ["site_name: X\nnav:\n  - a: b\n    c: d\n", /line 3: a `nav` entry should be/],
      ["site_name: X\nnav:\n  - Home:\n", /line 3: a `nav` entry names no page/],
      ["site_name: X\ndocs_dir: /etc\n", /line 2: `docs_dir: \/etc` leaves the folder/],
      ["site_name: X\nsite_description: [1]\n", /line 2: `site_description` should be text/],
      [
        "site_name: X\nnav:\n  - S: '!include ./a/mkdocs.yml'\n",
        /line 3: `!include` is only allowed in the root mkdocs\.yml/,
      ],
      ["just text", /should be a mapping/],
      ["", /should be a mapping/],
    ];
    for (const [text, message] of cases) {
      const error = (() => {
        try {
          parse(text, !text.includes("!include"));
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(MkdocsConfigError);
      expect((error as Error).message, text).toMatch(message);
    }
  });

  it("refuses huge configs, alias bombs and endless nav without hanging", () => {
    expect(() => parse(`site_name: X\nextra: "${"x".repeat(300 * 1024)}"\n`)).toThrow(/larger than 256 KiB/);
    const bomb = ["site_name: X", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    expect(parse(bomb.join("\n")).siteName).toBe("X");
    const many = `site_name: X\nnav:\n${"  - a.md\n".repeat(6000)}`;
    expect(() => parse(many)).toThrow(/more than 5000 entries/);
  });
});
