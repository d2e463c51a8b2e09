import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../model.ts";
import { MkdocsConfigError } from "./mkdocs-config.ts";
import { SiteBuilder, type SiteInput } from "./site-builder.ts";

let builder: SiteBuilder;
const folders: string[] = [];
beforeAll(async () => {
  builder = await SiteBuilder.create();
});
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function site(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "docs-site-"));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const input = (root: string): SiteInput => ({
  entityRef: "component:default/payments-api",
  key: { namespace: "default", kind: "component", name: "payments-api" },
  root,
  owner: "group:default/team-payments",
  entityTitle: "Payments API",
});

describe("SiteBuilder", () => {
  it("builds pages, nav with titles, sections and links, edit links and the mkdocs search index shape", async () => {
    const root = await site({
      "mkdocs.yml":
        "site_name: Payments\nsite_description: How payments work\nrepo_url: https://github.com/acme/payments\n" +
        "nav:\n  - Home: index.md\n  - Guides:\n    - guides/setup.md\n    - Deep:\n      - Deeper: guides/deep/page.md\n  - Status: https://status.example.com\n" +
        "theme:\n  name: material\nplugins:\n  - techdocs-core\n  - awesome-pages\n",
      "docs/index.md": "# Welcome\n\nSee [setup](guides/setup.md#install).\n\n![d](img/d.png)\n",
      "docs/guides/setup.md": "# Setup guide\n\n## Install\n\nRun it. Back [home](../index.md).\n",
      "docs/guides/deep/page.md": "Deep text.\n",
      "docs/img/d.png": "PNG",
      "docs/notes.txt": "plain",
    });
    const { record, changed } = await builder.build(input(root));
    expect(changed).toBe(true);
    const s = record.site;
    expect(s.siteName).toBe("Payments");
    expect(Object.keys(s.pages).sort()).toEqual(["", "guides/deep/page/", "guides/setup/"]);
    expect(s.nav).toEqual([
      { title: "Home", path: "" },
      {
        title: "Guides",
        children: [
          { title: "Setup guide", path: "guides/setup/" },
          { title: "Deep", children: [{ title: "Deeper", path: "guides/deep/page/" }] },
        ],
      },
      { title: "Status", url: "https://status.example.com" },
    ]);
    expect(s.pages[""]!.html).toContain('href="guides/setup/#install"');
    expect(s.pages[""]!.html).toContain('src="img/d.png"');
    expect(s.pages["guides/setup/"]!.html).toContain('href="../../"');
    expect(s.pages["guides/setup/"]!.editUrl).toBe(
      "https://github.com/acme/payments/edit/master/docs/guides/setup.md",
    );
    expect(s.pages["guides/deep/page/"]!.title).toBe("Deeper");
    expect(s.pages["guides/setup/"]!.sections.map((x) => x.anchor)).toEqual(["setup-guide", "install"]);
    expect(s.assets["img/d.png"]).toMatchObject({ contentType: "image/png", size: 3 });
    expect(s.assets["notes.txt"]).toMatchObject({ contentType: "text/plain; charset=utf-8" });
    const ignored = s.notes.filter((n) => n.message.includes("ignored"));
    expect(ignored).toHaveLength(1);
    expect(ignored[0]!.message).toContain("theme");
    expect(ignored[0]!.message).toContain("plugins: awesome-pages");
    expect(ignored[0]!.message).not.toContain("techdocs-core");
  });

  it("orders pages by folder when there is no nav: index first, then by name, folder titles from names", async () => {
    const root = await site({
      "mkdocs.yaml": "site_name: Plain\n",
      "docs/index.md": "Home text",
      "docs/zeta.md": "# Zeta",
      "docs/alpha-guide.md": "no heading",
      "docs/run_books/index.md": "# Runbooks",
      "docs/run_books/db.md": "# DB",
    });
    const { record } = await builder.build(input(root));
    expect(record.site.nav).toEqual([
      { title: "Home", path: "" },
      { title: "Alpha guide", path: "alpha-guide/" },
      {
        title: "Run books",
        children: [
          { title: "Runbooks", path: "run_books/" },
          { title: "DB", path: "run_books/db/" },
        ],
      },
      { title: "Zeta", path: "zeta/" },
    ]);
  });

  it("includes monorepo sub-sites under their site_name, and only from the root file", async () => {
    const root = await site({
      "mkdocs.yml":
        "site_name: Root\nnav:\n  - Home: index.md\n  - Billing: '!include ./billing/mkdocs.yml'\n  - Ledger: !include ledger/mkdocs.yml\n",
      "docs/index.md": "# Root\n\n[bill](../billing/docs/index.md)",
      "billing/mkdocs.yml":
        "site_name: billing\nnav:\n  - Intro: index.md\n  - Nested: '!include ../ledger/mkdocs.yml'\n",
      "billing/docs/index.md": "# Billing\n\n[api](api.md)",
      "billing/docs/api.md": "# Billing API",
      "ledger/mkdocs.yml": "site_name: ledger\n",
      "ledger/docs/index.md": "# Ledger",
    });
    const { record } = await builder.build(input(root));
    expect(Object.keys(record.site.pages).sort()).toEqual(["", "ledger/"]);
    expect(record.site.notes.map((n) => n.message).join("\n")).toMatch(
      /only allowed in the root mkdocs\.yml/,
    );
    const ok = await site({
      "mkdocs.yml":
        "site_name: Root\nnav:\n  - Home: index.md\n  - Billing: '!include ./billing/mkdocs.yml'\n",
      "docs/index.md": "# Root",
      "billing/mkdocs.yml": "site_name: billing\nnav:\n  - Intro: index.md\n  - api.md\n",
      "billing/docs/index.md": "# Billing\n\n[api](api.md)",
      "billing/docs/api.md": "# Billing API",
    });
    const built = (await builder.build(input(ok))).record.site;
    expect(Object.keys(built.pages).sort()).toEqual(["", "billing/", "billing/api/"]);
    expect(built.nav[1]).toEqual({
      title: "Billing",
      children: [
        { title: "Intro", path: "billing/" },
        { title: "Billing API", path: "billing/api/" },
      ],
    });
    expect(built.pages["billing/"]!.html).toContain('href="api/"');
  });

  it("keeps everything inside the docs folder: nav, links, images, includes, docs_dir and symlinks", async () => {
    const outside = await site({ "secret.md": "# Secret", "secret.png": "X" });
    const root = await site({
      "mkdocs.yml":
        "site_name: Hostile\nnav:\n  - ../../etc/passwd\n  - /etc/hosts\n  - Inc: '!include ../../outside/mkdocs.yml'\n  - index.md\n",
      "docs/index.md": "[a](../../../etc/passwd) ![i](../mkdocs.yml) [b](linked/secret.md)\n",
    });
    await symlink(outside, join(root, "docs", "linked"));
    await symlink(join(outside, "secret.md"), join(root, "docs", "leak.md"));
    const { record } = await builder.build(input(root));
    expect(Object.keys(record.site.pages)).toEqual([""]);
    const html = record.site.pages[""]!.html;
    expect(html).not.toContain("passwd");
    expect(html).not.toContain("mkdocs.yml");
    const messages = record.site.notes.map((n) => `${n.file ?? ""}:${n.line ?? ""} ${n.message}`).join("\n");
    expect(messages).toMatch(/mkdocs\.yml:3 nav entry "\.\.\/\.\.\/etc\/passwd" leaves the docs folder/);
    expect(messages).toMatch(/leaves the site's folder/);
    expect(messages).toMatch(/docs\/linked:.*leads outside the docs folder/);
    expect(messages).toMatch(/docs\/leak\.md:.*leads outside the docs folder/);

    const escaping = await site({ "mkdocs.yml": "site_name: X\ndocs_dir: ../..\n" });
    await expect(builder.build(input(escaping))).rejects.toThrow(
      /mkdocs\.yml, line 2: `docs_dir: \.\.\/\.\.` leaves the folder/,
    );
  });

  it("refuses oversized pages and images with a note, and names file and line of a malformed config", async () => {
    const root = await site({
      "mkdocs.yml": "site_name: Big\n",
      "docs/index.md": "# Home",
      "docs/huge.md": "x".repeat(LIMITS.pageBytes + 1),
    });
    const { record } = await builder.build(input(root));
    expect(record.site.pages["huge/"]).toBeUndefined();
    expect(record.site.notes.find((n) => n.file === "docs/huge.md")?.message).toMatch(
      /over the 1024 KiB limit/,
    );

    const bad = await site({ "mkdocs.yml": "site_name: Bad\nnav:\n  - Home: index.md\n   - broken: [\n" });
    const error = await builder.build(input(bad)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MkdocsConfigError);
    expect((error as Error).message).toMatch(/^mkdocs\.yml, line \d+: is not valid YAML/);

    const noName = await site({ "mkdocs.yml": "nav: []\n" });
    await expect(builder.build(input(noName))).rejects.toThrow(
      /mkdocs\.yml, line 1: `site_name` is required/,
    );
    const deep = await site({
      "mkdocs.yml": `site_name: D\nnav:\n${Array.from({ length: 30 }, (_, i) => `${"  ".repeat(i + 1)}- S${i}:`).join("\n")}\n${"  ".repeat(31)}- a.md\n`,
    });
    await expect(builder.build(input(deep))).rejects.toThrow(/nested deeper than 10 levels/);
    const notYaml = await site({ "mkdocs.yml": "- just\n- a list\n" });
    await expect(builder.build(input(notYaml))).rejects.toThrow(/mkdocs\.yml, line 1: should be a mapping/);
  });

  it("skips an unchanged site, renders only a changed page, and the whole site when files come or go", async () => {
    const root = await site({
      "mkdocs.yml": "site_name: Inc\n",
      "docs/index.md": "# Home\n\n[a](a.md)",
      "docs/a.md": "# A\n\nold",
      "docs/b.md": "# B",
    });
    const first = await builder.build(input(root));
    const again = await builder.build(input(root), first.record);
    expect(again.changed).toBe(false);
    expect(again.record.site).toBe(first.record.site);

    // Touched but identical: still unchanged.
    await utimes(join(root, "docs/a.md"), new Date(), new Date(Date.now() + 5000));
    expect((await builder.build(input(root), first.record)).changed).toBe(false);

    await writeFile(join(root, "docs/a.md"), "# A renamed\n\nnew words");
    await utimes(join(root, "docs/a.md"), new Date(), new Date(Date.now() + 10_000));
    const one = await builder.build(input(root), first.record);
    expect(one.changed).toBe(true);
    expect(one.pages).toEqual(["a/"]);
    expect(one.record.site.pages["b/"]).toBe(first.record.site.pages["b/"]);
    expect(one.record.site.nav.find((n) => n.path === "a/")?.title).toBe("A renamed");

    await writeFile(join(root, "docs/c.md"), "# C");
    const added = await builder.build(input(root), one.record);
    expect(added.pages.sort()).toEqual(["", "a/", "b/", "c/"]);
  });

  it("sees an edited mkdocs.yml on the next check though parsed configs are remembered", async () => {
    const config = (a: string, b: string) => `site_name: Cfg\nnav:\n  - ${a}: a.md\n  - ${b}: b.md\n`;
    const root = await site({
      "mkdocs.yml": config("Alpha", "Bravo"),
      "docs/index.md": "# Home",
      "docs/a.md": "# A",
      "docs/b.md": "# B",
    });
    const first = await builder.build(input(root));
    // A second site with the very same config text shares the parsed config; its build must not change it.
    const twin = await site({
      "mkdocs.yml": config("Alpha", "Bravo"),
      "docs/a.md": "# A",
      "docs/b.md": "# B",
    });
    await builder.build(input(twin));
    expect((await builder.build(input(root), first.record)).changed).toBe(false);

    // Same size, same modification time: the text is still read and compared, so the edit is seen.
    const stamp = new Date(Date.now() - 60_000);
    await utimes(join(root, "mkdocs.yml"), stamp, stamp);
    const before = await builder.build(input(root), first.record);
    await writeFile(join(root, "mkdocs.yml"), config("Bravo", "Alpha"));
    await utimes(join(root, "mkdocs.yml"), stamp, stamp);
    const edited = await builder.build(input(root), before.record);
    expect(edited.changed).toBe(true);
    expect(edited.record.site.nav.map((n) => n.title)).toEqual(["Bravo", "Alpha"]);
  });
});
