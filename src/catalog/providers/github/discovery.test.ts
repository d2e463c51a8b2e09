import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushPayload,
  repositoryPayload,
  startDiscoveryHarness,
  type DiscoveryHarness,
} from "../../../../test/fixtures/github/discovery-harness.ts";
import type { Repository } from "../../../../test/fixtures/github/state.ts";

const component = (name: string, owner: string, extra = "") =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n${extra}spec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

const signal = new AbortController().signal;

/** GitHub discovery with a token, against the stand-in: one organisation, a handful of repositories. */
describe("GitHub discovery with a token", () => {
  let h: DiscoveryHarness;
  let payments: Repository;
  let billing: Repository;
  let empty: Repository;
  let archived: Repository;
  let fork: Repository;
  let docs: Repository;

  beforeAll(async () => {
    h = await startDiscoveryHarness({
      async seed(standIn) {
        const { state } = standIn;
        state.addOrganization("acme", { members: ["octo"] });
        const token = state.createToken("octo");
        payments = await state.createRepository("acme", "payments");
        await state.commit(payments, {
          files: {
            "catalog-info.yaml": component(
              "payments-api",
              "team-a",
              "  description: {$text: ./README.md}\n".replace("{$text: ./README.md}", "Payments"),
            ),
            "README.md": "# Payments\n",
          },
        });
        billing = await state.createRepository("acme", "billing");
        await state.commit(billing, {
          files: {
            "catalog-info.yaml":
              "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: billing-all\nspec:\n  targets:\n    - ./services/invoices.yaml\n",
            "services/invoices.yaml": component(
              "invoices",
              "team-b",
              "  annotations:\n    note: {$text: ../notes.txt}\n".replace("{$text: ../notes.txt}", '"x"'),
            ),
            "notes.txt": "notes",
          },
        });
        empty = await state.createRepository("acme", "empty");
        archived = await state.createRepository("acme", "old");
        await state.commit(archived, { files: { "catalog-info.yaml": component("old-thing", "team-a") } });
        archived.archived = true;
        fork = await state.createRepository("acme", "forked");
        await state.commit(fork, { files: { "catalog-info.yaml": component("forked-thing", "team-a") } });
        fork.fork = true;
        docs = await state.createRepository("acme", "docs-site");
        await state.commit(docs, { files: { "README.md": "no catalog file here\n" } });
        return { token };
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const locations = async () =>
    (await h.app.catalog.locations()).map((l) => l.key).filter((k) => k.startsWith("github:"));
  const owner = (ref: string) => h.app.catalog.graph.get(ref)?.spec?.owner;

  it("imports each repository's catalog file as a location, skipping archived repositories and forks", async () => {
    await h.discovery.refresh(signal);
    const host = h.standIn.host;
    expect((await locations()).sort()).toEqual([
      `github:${host}/acme/billing/catalog-info.yaml`,
      `github:${host}/acme/payments/catalog-info.yaml`,
    ]);
    expect(owner("component:default/payments-api")).toBe("team-a");
    // The Location entity in billing was followed inside the repository.
    expect(owner("component:default/invoices")).toBe("team-b");
    expect(h.app.catalog.graph.get("component:default/old-thing")).toBeUndefined();
    expect(h.app.catalog.graph.get("component:default/forked-thing")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a second refresh with nothing changed downloads no file content (304s)", async () => {
    const before = { ...h.discovery.counters };
    const seen = h.standIn.requests.length;
    await h.discovery.refresh(signal);
    const requests = h.standIn.requests.slice(seen);
    expect(h.discovery.counters.contentDownloads - before.contentDownloads).toBe(0);
    expect(requests.filter((r) => r.status === 200 && r.operation?.includes("/contents/"))).toEqual([]);
    expect(requests.some((r) => r.status === 304)).toBe(true);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a push that changes an owner is reflected at once; a push touching an unrelated file reads nothing", async () => {
    const before = await h.standIn.state.commit(payments, {
      files: { "catalog-info.yaml": component("payments-api", "team-c") },
    });
    const response = await h.webhook(
      "push",
      pushPayload(h.standIn, payments, { after: before, modified: ["catalog-info.yaml"] }),
    );
    expect(response.status).toBe(200);
    expect(owner("component:default/payments-api")).toBe("team-c");

    const seen = h.standIn.requests.length;
    const after = await h.standIn.state.commit(payments, { files: { "src/index.ts": "export {};\n" } });
    const unrelated = await h.webhook(
      "push",
      pushPayload(h.standIn, payments, { after, added: ["src/index.ts"] }),
    );
    expect(unrelated.status).toBe(200);
    expect(h.standIn.requests.slice(seen)).toEqual([]);

    // A file the location reads through its Location entity counts as the location's.
    const sha = await h.standIn.state.commit(billing, {
      files: { "services/invoices.yaml": component("invoices", "team-d") },
    });
    await h.webhook(
      "push",
      pushPayload(h.standIn, billing, { after: sha, modified: ["services/invoices.yaml"] }),
    );
    expect(owner("component:default/invoices")).toBe("team-d");
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a catalog file added, changed and removed between refreshes", async () => {
    await h.standIn.state.commit(docs, { files: { "catalog-info.yaml": component("docs-site", "team-a") } });
    await h.discovery.refresh(signal);
    expect(owner("component:default/docs-site")).toBe("team-a");
    await h.standIn.state.commit(docs, { files: { "catalog-info.yaml": component("docs-site", "team-b") } });
    await h.discovery.refresh(signal);
    expect(owner("component:default/docs-site")).toBe("team-b");
    await h.standIn.state.commit(docs, { files: { "catalog-info.yaml": null } });
    await h.discovery.refresh(signal);
    expect(h.app.catalog.graph.get("component:default/docs-site")).toBeUndefined();
    expect(await locations()).not.toContain(`github:${h.standIn.host}/acme/docs-site/catalog-info.yaml`);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });
});
