import { describe, expect, it } from "vitest";
import { pagePathOf, relativeUrl, resolveLink, type LinkTargets } from "./links.ts";

const targets: LinkTargets = {
  pages: new Map([
    ["index.md", ""],
    ["guides/setup.md", "guides/setup/"],
    ["guides/index.md", "guides/"],
    ["runbooks/rotate-credentials.md", "runbooks/rotate-credentials/"],
    ["sub/index.md", "sub/"],
  ]),
  assets: new Set(["img/diagram.png", "guides/img/shot.png"]),
};

describe("pagePathOf", () => {
  it.each([
    ["index.md", ""],
    ["README.md", ""],
    ["guides/setup.md", "guides/setup/"],
    ["guides/index.md", "guides/"],
    ["a/b/c.markdown", "a/b/c/"],
  ])("%s → %j", (source, page) => expect(pagePathOf(source)).toBe(page));
});

describe("relativeUrl", () => {
  it.each([
    ["", "", "./"],
    ["", "guides/setup/", "guides/setup/"],
    ["guides/setup/", "", "../../"],
    ["guides/setup/", "guides/", "../"],
    ["guides/setup/", "runbooks/rotate-credentials/", "../../runbooks/rotate-credentials/"],
    ["guides/setup/", "guides/img/shot.png", "../img/shot.png"],
    ["", "img/diagram.png", "img/diagram.png"],
    ["a b/", "a b/c d/", "c%20d/"],
  ])("%j → %j = %j", (from, to, url) => expect(relativeUrl(from, to)).toBe(url));
});

describe("resolveLink", () => {
  const from = (href: string) => resolveLink(href, "guides/setup.md", "guides/setup/", targets);

  it("keeps absolute URLs, fragments and site paths", () => {
    for (const href of [
      "https://example.com/x",
      "#anchor",
      "/docs/x",
      "mailto:a@b.c",
      "javascript:alert(1)",
    ]) {
      expect(from(href)).toEqual({ kind: "keep" });
    }
  });

  it("rewrites page links, with ../ and anchors, to directory URLs relative to the page", () => {
    expect(from("../runbooks/rotate-credentials.md#rotate-database-credentials")).toEqual({
      kind: "rewrite",
      url: "../../runbooks/rotate-credentials/#rotate-database-credentials",
    });
    expect(from("index.md")).toEqual({ kind: "rewrite", url: "../" });
    expect(from("../index.md")).toEqual({ kind: "rewrite", url: "../../" });
    expect(from("../sub/")).toEqual({ kind: "rewrite", url: "../../sub/" });
    expect(from("./setup.md#x")).toEqual({ kind: "rewrite", url: "./#x" });
  });

  it("rewrites images relative to the page's directory URL", () => {
    expect(from("img/shot.png")).toEqual({ kind: "rewrite", url: "../img/shot.png" });
    expect(from("../img/diagram.png")).toEqual({ kind: "rewrite", url: "../../img/diagram.png" });
    expect(from("%2E%2E/img/diagram.png")).toEqual({ kind: "rewrite", url: "../../img/diagram.png" });
  });

  it("drops links that leave the docs folder, however spelled", () => {
    for (const href of [
      "../../etc/passwd",
      "../../../x.md",
      "%2e%2e/%2e%2e/secret.md",
      "..\\..\\x.md",
      "a/%00.md",
      "%E0%A4%A",
    ]) {
      expect(from(href).kind).toBe("drop");
    }
  });

  it("reports links to files that are not in the docs", () => {
    expect(from("missing.md")).toMatchObject({ kind: "broken", url: "missing.md" });
  });
});
