import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushPayload,
  startDiscoveryHarness,
  type DiscoveryHarness,
} from "../../../../test/fixtures/github/discovery-harness.ts";
import type { Repository } from "../../../../test/fixtures/github/state.ts";

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

const signal = new AbortController().signal;

/** A glob catalog path: every matching file of a repository is a location of its own. */
describe("GitHub discovery with GITHUB_CATALOG_PATH=**/catalog-info.yaml", () => {
  let h: DiscoveryHarness;
  let mono: Repository;

  beforeAll(async () => {
    h = await startDiscoveryHarness({
      env: { GITHUB_CATALOG_PATH: "**/catalog-info.yaml", GITHUB_CATALOG_REPO_PATTERN: "^mono" },
      async seed(standIn) {
        const { state } = standIn;
        state.addOrganization("acme", { members: ["octo"] });
        const token = state.createToken("octo");
        mono = await state.createRepository("acme", "monorepo");
        await state.commit(mono, {
          files: {
            "catalog-info.yaml": component("mono-root", "team-a"),
            "services/pay/catalog-info.yaml": component("mono-pay", "team-b"),
            "services/pay/other.yaml": component("not-read", "team-b"),
          },
        });
        const skipped = await state.createRepository("acme", "website");
        await state.commit(skipped, { files: { "catalog-info.yaml": component("website", "team-a") } });
        return { token };
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const keys = async () =>
    (await h.app.catalog.locations()).map((l) => l.key).filter((k) => k.startsWith("github:"));

  it("imports one location per matching file, and only from repositories whose name matches", async () => {
    await h.discovery.refresh(signal);
    const host = h.standIn.host;
    expect((await keys()).sort()).toEqual([
      `github:${host}/acme/monorepo/catalog-info.yaml`,
      `github:${host}/acme/monorepo/services/pay/catalog-info.yaml`,
    ]);
    expect(h.app.catalog.graph.get("component:default/not-read")).toBeUndefined();
    expect(h.app.catalog.graph.get("component:default/website")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a push adding a matching file imports it; one removing a file removes its location", async () => {
    const host = h.standIn.host;
    const added = await h.standIn.state.commit(mono, {
      files: { "services/ledger/catalog-info.yaml": component("mono-ledger", "team-c") },
    });
    await h.webhook(
      "push",
      pushPayload(h.standIn, mono, { after: added, added: ["services/ledger/catalog-info.yaml"] }),
    );
    expect(h.app.catalog.graph.get("component:default/mono-ledger")?.spec?.owner).toBe("team-c");
    const removed = await h.standIn.state.commit(mono, { files: { "services/pay/catalog-info.yaml": null } });
    await h.webhook(
      "push",
      pushPayload(h.standIn, mono, { after: removed, removed: ["services/pay/catalog-info.yaml"] }),
    );
    expect(await keys()).not.toContain(`github:${host}/acme/monorepo/services/pay/catalog-info.yaml`);
    expect(h.app.catalog.graph.get("component:default/mono-pay")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a refresh after a push that left the catalog files alone requests and parses none of them", async () => {
    // Settle first: a refresh right after the imports above may read them once more.
    await h.discovery.refresh(signal);
    await h.standIn.state.commit(mono, { files: { "src/index.ts": "export {};\n" } });
    const before = { ...h.discovery.counters };
    const seen = h.standIn.requests.length;
    await h.discovery.refresh(signal);
    const requests = h.standIn.requests.slice(seen);
    // The repository was listed as pushed and its tree read: the blob shas matched the last read's.
    expect(requests.some((r) => r.operation?.includes("/git/trees/"))).toBe(true);
    expect(requests.filter((r) => r.operation?.includes("/contents/"))).toEqual([]);
    expect(h.discovery.counters.contentDownloads - before.contentDownloads).toBe(0);
    expect(h.discovery.counters.filesParsed - before.filesParsed).toBe(0);
    expect(h.app.catalog.graph.get("component:default/mono-root")?.spec?.owner).toBe("team-a");

    // A changed file is requested and parsed, its unchanged sibling still is not.
    await h.standIn.state.commit(mono, { files: { "catalog-info.yaml": component("mono-root", "team-d") } });
    const changed = { ...h.discovery.counters };
    const since = h.standIn.requests.length;
    await h.discovery.refresh(signal);
    const contents = h.standIn.requests.slice(since).filter((r) => r.operation?.includes("/contents/"));
    expect(contents).toHaveLength(1);
    expect(h.discovery.counters.filesParsed - changed.filesParsed).toBe(1);
    expect(h.app.catalog.graph.get("component:default/mono-root")?.spec?.owner).toBe("team-d");
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });
});
