import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushPayload,
  repositoryPayload,
  startDiscoveryHarness,
  WEBHOOK_SECRET,
  type DiscoveryHarness,
} from "../../../../test/fixtures/github/discovery-harness.ts";
import { deliverWebhook } from "../../../../test/fixtures/github/webhooks.ts";
import type { Repository } from "../../../../test/fixtures/github/state.ts";

const component = (name: string, owner: string, extra = "") =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n${extra}spec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

const signal = new AbortController().signal;

/** GitHub discovery with a token, against the stand-in: one organisation, a handful of repositories. */
describe("GitHub discovery with a token", () => {
  let h: DiscoveryHarness;
  let payments: Repository;
  let billing: Repository;
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
        await state.createRepository("acme", "empty");
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

  it("a refresh after a push that left the catalog file alone downloads and parses nothing", async () => {
    await h.standIn.state.commit(billing, { files: { "docs/index.md": "# Billing\n" } });
    const before = { ...h.discovery.counters };
    const seen = h.standIn.requests.length;
    await h.discovery.refresh(signal);
    const requests = h.standIn.requests.slice(seen);
    // The pushed repository was read again: its files answered 304, and their last read was replayed.
    expect(requests.some((r) => r.status === 304 && r.operation?.includes("/contents/"))).toBe(true);
    expect(requests.filter((r) => r.status === 200 && r.operation?.includes("/contents/"))).toEqual([]);
    expect(h.discovery.counters.contentDownloads - before.contentDownloads).toBe(0);
    expect(h.discovery.counters.filesParsed - before.filesParsed).toBe(0);
    expect(owner("component:default/invoices")).toBe("team-b");
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
    expect((await h.command("who owns payments-api")).text).toMatch(/team-c/);

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
  it("refuses unsigned and wrongly signed webhooks with 401 before any work, and answers a replay once", async () => {
    const sha = await h.standIn.state.commit(payments, {
      files: { "catalog-info.yaml": component("payments-api", "team-e") },
    });
    const payload = pushPayload(h.standIn, payments, { after: sha, modified: ["catalog-info.yaml"] });
    const seen = h.standIn.requests.length;
    expect((await h.webhook("push", payload, { unsigned: true })).status).toBe(401);
    expect((await h.webhook("push", payload, { signature: `sha256=${"0".repeat(64)}` })).status).toBe(401);
    expect((await h.webhook("push", payload, { signature: "sha1=abc" })).status).toBe(401);
    expect(h.standIn.requests.slice(seen)).toEqual([]);
    expect(owner("component:default/payments-api")).toBe("team-c");

    const first = await h.webhook("push", payload);
    expect(first.status).toBe(200);
    expect(owner("component:default/payments-api")).toBe("team-e");
    const afterFirst = h.standIn.requests.length;
    const replay = await h.webhook("push", payload, { deliveryId: first.deliveryId });
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toMatchObject({ status: "already handled" });
    expect(h.standIn.requests.length).toBe(afterFirst);

    // A signed payload that is not what GitHub sends is refused, and never crashes the server.
    const bad = await h.webhook("push", { ref: 42, repository: null });
    expect(bad.status).toBe(400);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("an archived, a renamed and a deleted repository, by webhook and by refresh", async () => {
    const host = h.standIn.host;
    const key = (repo: string) => `github:${host}/acme/${repo}/catalog-info.yaml`;
    // Renamed by webhook: the old key goes, the new one comes.
    await h.standIn.state.renameRepository(payments, "payments-core");
    const renamed = await h.webhook("repository", {
      action: "renamed",
      changes: { repository: { name: { from: "payments" } } },
      repository: repositoryPayload(h.standIn, payments),
    });
    expect(renamed.status).toBe(200);
    expect(await locations()).toContain(key("payments-core"));
    expect(await locations()).not.toContain(key("payments"));
    expect(owner("component:default/payments-api")).toBe("team-e");

    // Archived by webhook: its locations and entities go.
    archived.archived = false;
    await h.discovery.refresh(signal);
    expect(owner("component:default/old-thing")).toBe("team-a");
    archived.archived = true;
    await h.webhook("repository", { action: "archived", repository: repositoryPayload(h.standIn, archived) });
    expect(h.app.catalog.graph.get("component:default/old-thing")).toBeUndefined();

    // Renamed and deleted with no webhook: the next refresh notices.
    await h.standIn.state.renameRepository(billing, "billing-v2");
    await h.discovery.refresh(signal);
    expect(await locations()).toContain(key("billing-v2"));
    expect(await locations()).not.toContain(key("billing"));
    await h.standIn.state.deleteRepository(billing);
    await h.discovery.refresh(signal);
    expect(await locations()).not.toContain(key("billing-v2"));
    expect(h.app.catalog.graph.get("component:default/invoices")).toBeUndefined();

    // Deleted by webhook.
    await h.webhook("repository", { action: "deleted", repository: repositoryPayload(h.standIn, payments) });
    expect(await locations()).not.toContain(key("payments-core"));
    expect(h.app.catalog.graph.get("component:default/payments-api")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a huge, a binary and a malformed catalog file are each reported for their own location only", async () => {
    const { state } = h.standIn;
    const huge = await state.createRepository("acme", "huge");
    await state.commit(huge, { files: { "catalog-info.yaml": `# ${"x".repeat(3 * 1024 * 1024)}\n` } });
    const binary = await state.createRepository("acme", "binary");
    await state.commit(binary, {
      files: { "catalog-info.yaml": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
    });
    const malformed = await state.createRepository("acme", "malformed");
    await state.commit(malformed, {
      files: { "catalog-info.yaml": `${component("fine-one", "team-a")}---\nkind: [unclosed\n` },
    });
    const escape = await state.createRepository("acme", "escape");
    await state.commit(escape, {
      files: {
        "catalog-info.yaml": component(
          "escaper",
          "team-a",
          "  annotations:\n    leaked:\n      $text: ../../other/blob/main/secret.txt\n",
        ),
      },
    });
    const good = await state.createRepository("acme", "good");
    await state.commit(good, { files: { "catalog-info.yaml": component("good-one", "team-a") } });
    await h.discovery.refresh(signal);
    const stored = await h.app.catalog.locations();
    const problems = (repo: string) =>
      stored.find((l) => l.key.endsWith(`/acme/${repo}/catalog-info.yaml`))?.problems ?? [];
    expect(problems("huge")[0]?.message).toMatch(/limit is 2097152 bytes/);
    expect(problems("binary")[0]?.message).toMatch(/binary|UTF-8/);
    expect(problems("malformed")[0]).toMatchObject({ line: expect.any(Number) });
    expect(problems("malformed")[0]?.location).toMatch(/\/acme\/malformed\/blob\/main\/catalog-info\.yaml$/);
    expect(problems("escape")[0]?.message).toMatch(/only files of acme\/escape/);
    expect(problems("good")).toEqual([]);
    expect(owner("component:default/good-one")).toBe("team-a");
    expect(owner("component:default/fine-one")).toBe("team-a");
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("waits out a rate limit's Retry-After and carries on", async () => {
    const repo = await h.standIn.state.createRepository("acme", "limited");
    await h.standIn.state.commit(repo, {
      files: { "catalog-info.yaml": component("limited-one", "team-a") },
    });
    h.standIn.limitNext({
      kind: "secondary",
      retryAfterSeconds: 1,
      match: (_m, path) => path === "/orgs/acme/repos",
    });
    const { stopped } = await h.discovery.refresh(signal);
    expect(stopped).toEqual([]);
    expect(owner("component:default/limited-one")).toBe("team-a");
    expect(h.logs.some((line) => line.includes("secondary rate limit reached; waiting 1 s"))).toBe(true);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("location commands: list with repository and last error, register and unregister for admins only, refresh", async () => {
    const list = await h.command("catalog locations malformed");
    const text = JSON.stringify(list);
    expect(text).toContain("Last refresh");
    expect(text).toContain(`${h.standIn.urls.web}/acme/malformed`);
    expect(text).toMatch(/catalog-info\.yaml:\d+/);

    const repo = await h.standIn.state.createRepository("acme", "manual");
    await h.standIn.state.commit(repo, {
      files: { "catalog/service.yaml": component("manual-one", "team-a") },
    });
    const url = `${h.standIn.urls.web}/acme/manual/blob/main/catalog/service.yaml`;
    expect((await h.command(`catalog register ${url}`)).text).toMatch(/Only Callboard's admins/);
    const admin = { catalogRef: "user:default/admin" };
    expect((await h.command(`catalog register ${url.replace("/acme/", "/other/")}`, admin)).text).toMatch(
      /not one of the configured organisations/,
    );
    expect((await h.command("catalog register https://elsewhere.example/acme/manual", admin)).text).toMatch(
      /not the configured GitHub/,
    );
    expect((await h.command(`catalog register ${url}`, admin)).text).toMatch(/Registered .* 1 added/);
    expect(owner("component:default/manual-one")).toBe("team-a");

    await h.standIn.state.commit(repo, {
      files: { "catalog/service.yaml": component("manual-one", "team-b") },
    });
    expect((await h.command("catalog refresh manual-one")).text).toMatch(/Refreshed .* 1 updated/);
    expect(owner("component:default/manual-one")).toBe("team-b");

    const key = `github:${h.standIn.host}/acme/manual/catalog/service.yaml`;
    expect((await h.command(`catalog unregister ${key}`)).text).toMatch(/Only Callboard's admins/);
    expect((await h.command(`catalog unregister ${key}`, admin)).text).toMatch(
      /Unregistered .* 1 entity removed/,
    );
    expect(h.app.catalog.graph.get("component:default/manual-one")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a repository transferred to an organisation that is not discovered loses its locations", async () => {
    const repo = await h.standIn.state.createRepository("acme", "moving");
    await h.standIn.state.commit(repo, { files: { "catalog-info.yaml": component("moving-one", "team-a") } });
    await h.discovery.refresh(signal);
    expect(owner("component:default/moving-one")).toBe("team-a");
    repo.owner = h.standIn.state.findAccount("elsewhere") ?? h.standIn.state.addOrganization("elsewhere");
    const response = await h.webhook("repository", {
      action: "transferred",
      changes: { owner: { from: { organization: { login: "acme" } } } },
      repository: repositoryPayload(h.standIn, repo),
    });
    expect(response.status).toBe(200);
    expect(h.app.catalog.graph.get("component:default/moving-one")).toBeUndefined();
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a delivery replayed to another replica on the same database is answered once", async () => {
    const replica = await h.replica();
    const repo = await h.standIn.state.createRepository("acme", "replicated");
    await h.discovery.refresh(signal);
    const sha = await h.standIn.state.commit(repo, {
      files: { "catalog-info.yaml": component("replicated-one", "team-r") },
    });
    const payload = pushPayload(h.standIn, repo, { after: sha, added: ["catalog-info.yaml"] });
    const first = await h.webhook("push", payload);
    expect(JSON.parse(first.body)).toMatchObject({ status: "handled" });
    const seen = h.standIn.requests.length;
    const again = await deliverWebhook(replica.webhookUrl, {
      event: "push",
      payload,
      secret: WEBHOOK_SECRET,
      deliveryId: first.deliveryId,
    });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ status: "already handled" });
    expect(h.standIn.requests.length).toBe(seen);
    expect(owner("component:default/replicated-one")).toBe("team-r");

    // One full refresh at a time across replicas: the other skips its turn.
    const [mine, theirs] = await Promise.all([
      h.discovery.refresh(signal),
      replica.discovery.refresh(signal),
    ]);
    expect([mine.skipped ?? false, theirs.skipped ?? false].sort()).toEqual([false, true]);
    // The lease is given back: the next turn runs.
    expect((await replica.discovery.refresh(signal)).skipped).toBeUndefined();
  });

  it("never writes the token to a log line or a reply", async () => {
    expect(h.token).toMatch(/^ghp_/);
    const replies = JSON.stringify([
      await h.command("catalog locations"),
      await h.command("catalog refresh nothing-like-this"),
    ]);
    expect(replies).not.toContain(h.token!);
    expect(h.logs.join("\n")).not.toContain(h.token!);
    expect(h.logs.some((line) => line.includes("GitHub request"))).toBe(true);
  });
});
