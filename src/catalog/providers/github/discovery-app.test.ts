import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDiscoveryHarness,
  type DiscoveryHarness,
} from "../../../../test/fixtures/github/discovery-harness.ts";

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

const signal = new AbortController().signal;
const ACME_REPOS = 105;

/**
 * Discovery as a GitHub App over every installation it can see: two organisations, one of them with more
 * repositories than a listing page holds; a rate limit that outlasts the retries stops the pass, and the next
 * pass resumes at the page it stopped on.
 */
describe("GitHub discovery as an App, every installation", () => {
  let h: DiscoveryHarness;
  let globexInstallation = 0;

  beforeAll(async () => {
    h = await startDiscoveryHarness({
      env: { GITHUB_CATALOG_ORGS: "*" },
      async seed(standIn) {
        const { state } = standIn;
        state.addOrganization("acme");
        state.addOrganization("globex");
        const app = state.addApp();
        state.addInstallation(app.id, "acme");
        globexInstallation = state.addInstallation(app.id, "globex").id;
        for (let i = 0; i < ACME_REPOS; i++) {
          const repo = await state.createRepository("acme", `svc-${String(i).padStart(3, "0")}`);
          // Every third repository has no catalog file.
          const files: Record<string, string> =
            i % 3 === 2
              ? { "README.md": "nothing\n" }
              : { "catalog-info.yaml": component(`svc-${i}`, "team-a") };
          await state.commit(repo, { files });
        }
        for (const name of ["web", "mobile"]) {
          const repo = await state.createRepository("globex", name);
          await state.commit(repo, { files: { "catalog-info.yaml": component(`globex-${name}`, "team-g") } });
        }
        return { appId: app.id, privateKey: app.privateKey };
      },
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const githubLocations = async () =>
    (await h.app.catalog.locations()).filter((l) => l.key.startsWith("github:")).map((l) => l.key);

  it("a rate limit that outlasts the retries stops one account's pass; the next pass resumes at that page", async () => {
    let listings = 0;
    h.standIn.limitNext({
      kind: "secondary",
      retryAfterSeconds: 1,
      times: 4,
      // The second listing request is acme's page 2: it and each retry of it are refused.
      match: (_method, path) => path === "/installation/repositories" && ++listings >= 2,
    });
    const first = await h.discovery.refresh(signal);
    expect(first.stopped).toEqual(["acme"]);
    // The job resumes when the limit says GitHub's budget is back (Retry-After: 1), not an interval later.
    expect(first.resumeAfterMs).toBe(1000);
    // Page 1 (100 repositories, two thirds with a catalog file) and globex were read.
    expect((await githubLocations()).filter((k) => k.includes("/acme/"))).toHaveLength(67);
    expect(h.app.catalog.graph.get("component:default/globex-web")).toBeDefined();
    expect(h.logs.some((l) => l.includes("stopped at page 2; the next refresh resumes there"))).toBe(true);

    const seen = h.standIn.requests.length;
    const second = await h.discovery.refresh(signal);
    expect(second.stopped).toEqual([]);
    const requests = h.standIn.requests.slice(seen);
    expect(h.logs.some((l) => l.includes("GitHub discovery of acme resumes at page 2"))).toBe(true);
    // acme's page 2 and globex's page 1 (a 304): page 1 of acme is not listed again.
    expect(requests.filter((r) => r.path === "/installation/repositories")).toHaveLength(2);
    // Only page 2's repositories (svc-100 … svc-104) were read.
    const read = requests.filter((r) => r.operation === "/repos/{owner}/{repo}/contents/{path}");
    expect(read.every((r) => /\/acme\/svc-10[0-4]\//.test(r.path))).toBe(true);
    expect(read).toHaveLength(5);
    expect((await githubLocations()).filter((k) => k.includes("/acme/"))).toHaveLength(70);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  }, 60_000);

  it("a refresh with nothing changed lists every page conditionally and downloads nothing", async () => {
    const before = { ...h.discovery.counters };
    const seen = h.standIn.requests.length;
    await h.discovery.refresh(signal);
    const requests = h.standIn.requests.slice(seen).filter((r) => r.path !== "/app/installations");
    expect(h.discovery.counters.contentDownloads).toBe(before.contentDownloads);
    // Two pages of acme, one of globex; installation tokens are cached.
    expect(requests.filter((r) => r.path === "/installation/repositories").map((r) => r.status)).toEqual([
      304, 304, 304,
    ]);
    expect(h.standIn.violations.splice(0)).toEqual([]);
  });

  it("an installation removed from an organisation removes its locations", async () => {
    const response = await h.webhook("installation", {
      action: "deleted",
      installation: { id: globexInstallation, account: { login: "globex" } },
    });
    expect(response.status).toBe(200);
    expect((await githubLocations()).filter((k) => k.includes("/globex/"))).toEqual([]);
    expect(h.app.catalog.graph.get("component:default/globex-web")).toBeUndefined();
  });

  it("repositories removed from an installation lose their locations", async () => {
    const acme = h.standIn.state.installations;
    const installation = [...acme.values()].find((i) => i.account.login === "acme")!;
    const repo = h.standIn.state.findRepository("acme", "svc-000")!;
    const response = await h.webhook("installation_repositories", {
      action: "removed",
      installation: { id: installation.id, account: { login: "acme" } },
      repository_selection: "selected",
      repositories_added: [],
      repositories_removed: [{ id: repo.id, name: repo.name, full_name: repo.fullName, private: true }],
    });
    expect(response.status).toBe(200);
    expect(await githubLocations()).not.toContain(`github:${h.standIn.host}/acme/svc-000/catalog-info.yaml`);
    expect(h.app.catalog.graph.get("component:default/svc-0")).toBeUndefined();
    expect(h.app.catalog.graph.get("component:default/svc-1")).toBeDefined();
  });

  it("never writes the App's private key to a log line", () => {
    const keyLine = h.privateKey!.split("\n")[1]!;
    expect(keyLine.length).toBeGreaterThan(16);
    expect(h.logs.join("\n")).not.toContain(keyLine);
  });
});
