/**
 * The docs service's handling of `url:` sources with a fetcher standing in for GitHub: how often it asks,
 * which hosts it asks about, and what a failing fetch leaves served. (Against the real GitHub stand-in:
 * src/app/docs-url-app.test.ts.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Entity } from "../catalog/model/entity.ts";
import { MemoryDocsLibrary } from "./docs-library.ts";
import { DocsService, type DocsEntity, type DocsSourceFetcher, type FetchedDocs } from "./docs-service.ts";
import { DocsStore } from "./docs-store.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "docs-url-src-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const URL_REF = "https://github.com/acme/pay/tree/main/docs";

function service(fetcher: DocsSourceFetcher | undefined, urlCheckSeconds: number, ref = URL_REF) {
  const entity: Entity = {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Component",
    metadata: { name: "pay", annotations: { "backstage.io/techdocs-ref": `url:${ref}` } },
  };
  const item: DocsEntity = { ref: "component:default/pay", entity };
  const store = new DocsStore(join(folder({}), "docs"));
  const library = new MemoryDocsLibrary(store);
  const docs = new DocsService({
    library,
    store,
    localRoots: [],
    catalog: { entities: () => [item], get: () => item, byName: () => [item.ref] },
    ...(fetcher ? { fetchSource: fetcher } : {}),
    urlCheckSeconds,
  });
  return { docs, library };
}

/** A fetcher that answers from a list of trees (or errors), recording each URL it was asked for. */
function scripted(answers: Array<FetchedDocs | Error>) {
  const asked: string[] = [];
  const fetcher: DocsSourceFetcher = {
    host: "github.com",
    fetch(url) {
      asked.push(url);
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
  return { fetcher, asked };
}

describe("DocsService with url: sources", () => {
  it("trusts a fetched commit for urlCheckSeconds between syncs, and a rebuild always asks", async () => {
    const dir = folder({ "mkdocs.yml": "site_name: Pay\n", "docs/index.md": "# Pay\n" });
    const { fetcher, asked } = scripted([{ dir, commit: "a".repeat(40), cached: false }]);
    const { docs, library } = service(fetcher, 3600);
    expect(await docs.syncAll()).toMatchObject({ built: 1, problems: 0 });
    expect(library.getSite("component:default/pay")?.siteName).toBe("Pay");
    expect(await docs.syncAll()).toMatchObject({ built: 0, unchanged: 1 });
    expect(asked).toEqual([URL_REF]);
    expect(await docs.rebuild("component:default/pay")).toMatchObject({
      kind: "built",
      changed: false,
      commit: "a".repeat(40),
    });
    expect(asked).toEqual([URL_REF, URL_REF]);
  });

  it("asks at every sync with urlCheckSeconds 0, and keeps the last good build when a fetch fails", async () => {
    const dir = folder({ "mkdocs.yml": "site_name: Pay\n", "docs/index.md": "# Pay\n" });
    const { fetcher, asked } = scripted([
      { dir, commit: "a".repeat(40), cached: false },
      new Error(
        `GitHub answered 502 to GET /repos/acme/pay/git/ref/heads%2Fmain while fetching the docs at ${URL_REF}: Bad Gateway`,
      ),
    ]);
    const { docs, library } = service(fetcher, 0);
    await docs.syncAll();
    const built = library.getSite("component:default/pay");
    expect(await docs.syncAll()).toMatchObject({ problems: 1 });
    expect(asked).toHaveLength(2);
    expect(docs.problem("component:default/pay")).toMatch(
      /502 .* while fetching the docs at https:\/\/github.com\/acme\/pay\/tree\/main\/docs/,
    );
    expect(library.getSite("component:default/pay")).toBe(built);
  });

  it("asks no fetcher about another host, and names the settings when there is no fetcher", async () => {
    const { fetcher, asked } = scripted([new Error("not asked")]);
    const other = service(fetcher, 0, "https://ghe.example.com/acme/pay/tree/main/docs");
    expect(await other.docs.rebuild("component:default/pay")).toMatchObject({ kind: "problem", kept: false });
    expect(other.docs.problem("component:default/pay")).toMatch(
      /ghe.example.com is not the configured GitHub \(github.com\).*GITHUB_API_URL/,
    );
    expect(asked).toEqual([]);

    const none = service(undefined, 0);
    await none.docs.rebuild("component:default/pay");
    expect(none.docs.problem("component:default/pay")).toMatch(
      /backstage.io\/techdocs-ref: url:https:\/\/github.com\/acme\/pay\/tree\/main\/docs: GitHub is not configured.*GITHUB_TOKEN/,
    );
  });

  it("a changed source is checked at once, within urlCheckSeconds; others are not asked about", async () => {
    const before = folder({ "mkdocs.yml": "site_name: Pay\n", "docs/index.md": "# Pay\n" });
    const after = folder({ "mkdocs.yml": "site_name: Pay\n", "docs/index.md": "# Pay\n\nNew page text.\n" });
    const { fetcher, asked } = scripted([
      { dir: before, commit: "a".repeat(40), cached: false },
      { dir: after, commit: "b".repeat(40), cached: false },
    ]);
    const { docs, library } = service(fetcher, 3600);
    await docs.syncAll();
    expect(await docs.sourcesChanged((url) => url.includes("/acme/other/"))).toEqual([]);
    expect(asked).toEqual([URL_REF]);

    const outcomes = await docs.sourcesChanged((url) => url === URL_REF);
    expect(outcomes).toMatchObject([{ kind: "built", changed: true, commit: "b".repeat(40) }]);
    expect(asked).toEqual([URL_REF, URL_REF]);
    expect(
      library
        .getSite("component:default/pay")
        ?.pages[""]?.sections.map((x) => x.text)
        .join("\n"),
    ).toContain("New page text.");
    // The check restarted the interval: a sync trusts the commit it just got.
    expect(await docs.syncAll()).toMatchObject({ built: 0, unchanged: 1 });
    expect(asked).toHaveLength(2);
  });

  it("pushes arriving while a check is queued join it: each site is asked about once", async () => {
    const dir = folder({ "mkdocs.yml": "site_name: Pay\n", "docs/index.md": "# Pay\n" });
    const { fetcher, asked } = scripted([{ dir, commit: "a".repeat(40), cached: false }]);
    const { docs } = service(fetcher, 3600);
    await docs.syncAll();
    // A rebuild holds the queue while the pushes come in.
    const running = docs.rebuild("component:default/pay");
    const first = docs.sourcesChanged(() => true);
    const second = docs.sourcesChanged(() => true);
    expect(second).toBe(first);
    await running;
    expect(await first).toMatchObject([{ kind: "built", changed: false }]);
    expect(asked).toHaveLength(3);
    // Once a pass has started, the next push gets a pass of its own.
    expect(await docs.sourcesChanged(() => true)).toHaveLength(1);
    expect(asked).toHaveLength(4);
  });
});
