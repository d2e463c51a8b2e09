/**
 * A GitHub push re-checks the TechDocs sites whose `url:` source lies in the pushed repository and branch, at
 * once: the served page shows the pushed content without waiting for CALLBOARD_DOCS_URL_CHECK_SECONDS (here
 * the default, five minutes, and no job or timer runs in this harness). Pushes elsewhere (another
 * repository, another branch, files outside a site's folder) ask GitHub nothing about the docs, and a
 * delivery replayed or sent twice builds nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushPayload,
  startDiscoveryHarness,
  type DiscoveryHarness,
} from "../../test/fixtures/github/discovery-harness.ts";
import type { Repository } from "../../test/fixtures/github/state.ts";

const component = (name: string, ref: string) =>
  [
    "apiVersion: backstage.io/v1alpha1",
    "kind: Component",
    "metadata:",
    `  name: ${name}`,
    "  annotations:",
    `    backstage.io/techdocs-ref: ${JSON.stringify(ref)}`,
    "spec:",
    "  type: service",
    "  lifecycle: production",
    "  owner: team-signing",
  ].join("\n");

const RUNBOOK = "# Runbook\n\n## Rotate the signing keys\n\nRun `keyctl rotate` on the vault host.\n";
const SIGNING = "component:default/signing";
const API_GUIDE = "component:default/api-guide";

describe("TechDocs from GitHub follow pushes (url: sources)", () => {
  let h: DiscoveryHarness;
  let handbook: Repository;
  let services: Repository;

  /** GitHub requests the docs make about the handbook repository: ref lookups and tarballs. */
  const docsRequests = () =>
    h.standIn.requests.filter(
      (r) =>
        r.path.startsWith("/repos/acme/handbook/git/ref/") ||
        r.path.startsWith("/repos/acme/handbook/tarball/"),
    ).length;
  const tarballs = () =>
    h.standIn.requests.filter((r) => r.operation === "/repos/{owner}/{repo}/tarball/{ref}").length;
  const page = async (name: string, path: string) => {
    const response = await fetch(`${h.http.url}/docs/default/component/${name}/${path}`);
    expect(response.status).toBe(200);
    return response.text();
  };
  /** Whatever a delivery started in the docs service is done (it answers GitHub before building). */
  const settled = () => h.app.docs.service.settled(30_000);

  beforeAll(async () => {
    h = await startDiscoveryHarness({
      async seed(standIn) {
        standIn.state.addOrganization("acme", { members: ["octo"] });
        const tree = (path: string) => `${standIn.urls.web}/acme/handbook/tree/main/${path}`;
        services = await standIn.state.createRepository("acme", "services");
        await standIn.state.commit(services, {
          files: {
            "catalog-info.yaml": [
              component("signing", `url:${tree("signing")}`),
              component("api-guide", `url:${tree("api")}`),
            ].join("\n---\n"),
            "src/main.go": "package main\n",
          },
        });
        handbook = await standIn.state.createRepository("acme", "handbook");
        await standIn.state.commit(handbook, {
          files: {
            "README.md": "# Handbook\n",
            "signing/mkdocs.yml":
              "site_name: Signing Handbook\nnav:\n  - Home: index.md\n  - Runbook: runbook.md\n",
            "signing/docs/index.md": "# Signing service\n\nSigns release artefacts.\n",
            "signing/docs/runbook.md": RUNBOOK,
            "api/mkdocs.yml": "site_name: API Guide\n",
            "api/docs/index.md": "# API guide\n\nVersioning rules.\n",
          },
        });
        return { token: standIn.state.createToken("octo") };
      },
    });
    await h.discovery.refresh(new AbortController().signal);
    await h.app.docs.service.syncAll();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("serves both sites from the handbook repository", async () => {
    expect(h.app.docs.service.problem(SIGNING)).toBeUndefined();
    expect(h.app.docs.service.problem(API_GUIDE)).toBeUndefined();
    expect(await page("signing", "runbook/")).toContain("Rotate the signing keys");
    expect(await page("api-guide", "")).toContain("Versioning rules");
  });

  it("a push to the docs' folder shows the new content at once, re-checking only that site", async () => {
    const after = await h.standIn.state.commit(handbook, {
      files: { "signing/docs/runbook.md": `${RUNBOOK}\n## Revoke a leaked key\n\nCall security.\n` },
    });
    // Within CALLBOARD_DOCS_URL_CHECK_SECONDS a sync trusts the commit it has: the page stays as it was.
    expect(await h.app.docs.service.syncAll()).toMatchObject({ built: 0, unchanged: 2 });
    expect(await page("signing", "runbook/")).not.toContain("Revoke a leaked key");

    const asked = docsRequests();
    const downloaded = tarballs();
    const guide = h.app.docs.library.getSite(API_GUIDE);
    const response = await h.webhook(
      "push",
      pushPayload(h.standIn, handbook, { after, modified: ["signing/docs/runbook.md"] }),
    );
    expect(response.status).toBe(200);
    await settled();
    expect(await page("signing", "runbook/")).toContain("Revoke a leaked key");
    // One ref lookup and one tarball: the signing site's; the API guide's folder was not touched.
    expect(docsRequests() - asked).toBe(2);
    expect(tarballs() - downloaded).toBe(1);
    expect(h.app.docs.library.getSite(API_GUIDE)).toBe(guide);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a push to another repository, another branch or outside the docs folders asks nothing about the docs", async () => {
    const signing = h.app.docs.library.getSite(SIGNING);
    const asked = docsRequests();

    const other = await h.standIn.state.commit(services, { files: { "src/main.go": "package main // 2\n" } });
    expect(
      (await h.webhook("push", pushPayload(h.standIn, services, { after: other, modified: ["src/main.go"] })))
        .status,
    ).toBe(200);
    const readme = await h.standIn.state.commit(handbook, { files: { "README.md": "# The handbook\n" } });
    expect(
      (await h.webhook("push", pushPayload(h.standIn, handbook, { after: readme, modified: ["README.md"] })))
        .status,
    ).toBe(200);
    const feature = await h.standIn.state.commit(handbook, {
      branch: "feature",
      files: { "signing/docs/runbook.md": "# Draft\n" },
    });
    expect(
      (
        await h.webhook(
          "push",
          pushPayload(h.standIn, handbook, {
            after: feature,
            branch: "feature",
            modified: ["signing/docs/runbook.md"],
          }),
        )
      ).status,
    ).toBe(200);
    await settled();
    expect(docsRequests()).toBe(asked);
    expect(h.app.docs.library.getSite(SIGNING)).toBe(signing);
    expect(await page("signing", "runbook/")).not.toContain("Draft");
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("a replayed delivery does nothing; the same push delivered again checks the commit and builds nothing", async () => {
    const after = await h.standIn.state.commit(handbook, {
      files: { "signing/docs/index.md": "# Signing service\n\nSigns release artefacts and SBOMs.\n" },
    });
    const payload = pushPayload(h.standIn, handbook, { after, modified: ["signing/docs/index.md"] });
    const first = await h.webhook("push", payload);
    await settled();
    expect(await page("signing", "")).toContain("SBOMs");
    const built = h.app.docs.library.getSite(SIGNING);
    const asked = docsRequests();
    const downloaded = tarballs();

    const replay = await h.webhook("push", payload, { deliveryId: first.deliveryId });
    expect(JSON.parse(replay.body)).toMatchObject({ status: "already handled" });
    await settled();
    expect(docsRequests()).toBe(asked);

    // A second delivery of the same push (another webhook on the organisation, say): the commit is asked
    // for, found unchanged, and nothing is downloaded or rendered.
    expect((await h.webhook("push", payload)).status).toBe(200);
    await settled();
    expect(docsRequests() - asked).toBe(1);
    expect(tarballs()).toBe(downloaded);
    expect(h.app.docs.library.getSite(SIGNING)).toBe(built);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });
});
