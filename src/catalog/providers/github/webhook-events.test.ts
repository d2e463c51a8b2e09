/**
 * What WebhookEvents hands `onPush` (the docs' follower of pushes): every push, whether or not discovery reads
 * its repository or branch, with the files only when GitHub's payload lists the whole change. Discovery's
 * own handling of pushes is tested against the GitHub stand-in in discovery.test.ts.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { githubConfigSection } from "../../../github/github-config.ts";
import { readSettings } from "../../../plugins/config-section.ts";
import { catalogSettings } from "../../catalog-config.ts";
import { discoverySettings } from "./discovery-settings.ts";
import type { DiscoveryState } from "./discovery-state.ts";
import type { GitHubDiscovery } from "./discovery.ts";
import type { RepoPush } from "./docs-tree.ts";
import { WebhookEvents } from "./webhook-events.ts";

const settings = discoverySettings(
  readSettings([githubConfigSection, catalogSettings], { GITHUB_CATALOG_ORGS: "acme" }).values as Parameters<
    typeof discoverySettings
  >[0],
);

/** Discovery and its state are never reached by the pushes below (another account, another branch). */
const untouched = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`discovery was used (${String(name)})`);
    },
  },
);

function events(onPush?: (push: RepoPush) => void) {
  return new WebhookEvents({
    discovery: untouched as GitHubDiscovery,
    state: untouched as DiscoveryState,
    settings,
    log: pino({ level: "silent" }),
    ...(onPush ? { onPush } : {}),
  });
}

const commit = (files: { added?: string[]; modified?: string[]; removed?: string[] }) => ({
  id: "c".repeat(40),
  added: files.added ?? [],
  modified: files.modified ?? [],
  removed: files.removed ?? [],
});

const payload = (over: Record<string, unknown> = {}) => ({
  ref: "refs/heads/main",
  before: "a".repeat(40),
  after: "b".repeat(40),
  created: false,
  deleted: false,
  forced: false,
  commits: [commit({ modified: ["docs/index.md"] }), commit({ added: ["mkdocs.yml"], removed: ["old.md"] })],
  repository: {
    id: 7,
    name: "Handbook",
    owner: { login: "Elsewhere" },
    default_branch: "trunk",
    fork: false,
    private: true,
  },
  ...over,
});

describe("WebhookEvents hands every push to onPush", () => {
  it("with its ref, default branch and files, for a repository discovery does not read", async () => {
    const pushes: RepoPush[] = [];
    const outcome = await events((p) => pushes.push(p)).handle("push", payload());
    expect(outcome.summary).toBe("Elsewhere is not discovered");
    expect(pushes).toEqual([
      {
        owner: "Elsewhere",
        repo: "Handbook",
        ref: "refs/heads/main",
        defaultBranch: "trunk",
        paths: ["docs/index.md", "mkdocs.yml", "old.md"],
      },
    ]);
  });

  it("on a branch or tag discovery does not read, too", async () => {
    const pushes: RepoPush[] = [];
    const handler = events((p) => pushes.push(p));
    const acme = { ...payload().repository, owner: { login: "acme" } };
    await handler.handle("push", payload({ ref: "refs/heads/feature/x", repository: acme }));
    await handler.handle("push", payload({ ref: "refs/tags/v1", repository: acme, commits: [] }));
    expect(pushes.map((p) => [p.ref, p.paths])).toEqual([
      ["refs/heads/feature/x", ["docs/index.md", "mkdocs.yml", "old.md"]],
      ["refs/tags/v1", []],
    ]);
  });

  it("without files when the payload does not list the whole change", async () => {
    const pushes: RepoPush[] = [];
    const handler = events((p) => pushes.push(p));
    await handler.handle("push", payload({ forced: true }));
    await handler.handle("push", payload({ created: true }));
    await handler.handle("push", payload({ deleted: true, commits: [] }));
    await handler.handle("push", payload({ commits: Array.from({ length: 20 }, () => commit({})) }));
    expect(pushes).toHaveLength(4);
    for (const push of pushes) expect(push).not.toHaveProperty("paths");
  });

  it("not for other events or a malformed push, and a failing follower does not fail the delivery", async () => {
    const pushes: RepoPush[] = [];
    await events((p) => pushes.push(p)).handle("ping", {});
    await expect(events((p) => pushes.push(p)).handle("push", { ref: 42 })).rejects.toThrow();
    expect(pushes).toEqual([]);
    const outcome = await events(() => {
      throw new Error("follower broke");
    }).handle("push", payload());
    expect(outcome.summary).toBe("Elsewhere is not discovered");
  });
});
