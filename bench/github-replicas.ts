/**
 * bench:github's two figures that need replicas and nothing-changed re-imports (the catalog-engine work):
 * - push to answer: two Callboard processes on one PostgreSQL database, both with GitHub discovery on the
 *   stand-in; a commit changes a component's owner, its push webhook is delivered to replica A, and `who owns`
 *   is asked of replica B until the answer names the new owner (p50/p99 over many pushes);
 * - the 100k local re-import with nothing changed (bench/generate-org.ts, seed 1; bench/catalog-import.ts in a
 *   process of its own, as bench:catalog runs it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { postgresAnswers, testTarget } from "../src/db/test-database.ts";
import { spawnReplica, timeChangeToAnswer, type Replica } from "../test/fixtures/catalog/replicas.ts";
import { pushPayload, WEBHOOK_SECRET } from "../test/fixtures/github/discovery-harness.ts";
import { GitHubStandIn } from "../test/fixtures/github/github-stand-in.ts";
import type { Repository } from "../test/fixtures/github/state.ts";
import { deliverWebhook } from "../test/fixtures/github/webhooks.ts";
import { generateOrganisation, writeOrganisation } from "./generate-org.ts";

const run = promisify(execFile);

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

export async function measurePushToAnswer(options: {
  pushes: number;
  repos: number;
}): Promise<{ samples: number[] } | { skipped: string }> {
  if (!(await postgresAnswers())) return { skipped: "PostgreSQL is not reachable at 127.0.0.1:5432" };
  const target = testTarget("postgresql");
  const standIn = await new GitHubStandIn().start();
  const replicas: Replica[] = [];
  try {
    const { state } = standIn;
    state.addOrganization("acme", { members: ["bench"] });
    const token = state.createToken("bench");
    const repos: Repository[] = [];
    for (let i = 0; i < options.repos; i++) {
      const repo = await state.createRepository("acme", `svc-${i}`);
      await state.commit(repo, { files: { "catalog-info.yaml": component(`svc-${i}`, "team-start") } });
      repos.push(repo);
    }
    // Migrated once, before two processes start on it.
    await (await target.open()).close();
    const settings = {
      GITHUB_API_URL: standIn.urls.api,
      GITHUB_TOKEN: token,
      GITHUB_CATALOG_ORGS: "acme",
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GITHUB_CATALOG_REFRESH_SECONDS: "0",
    };
    const a = await spawnReplica(target.url, settings);
    replicas.push(a);
    const b = await spawnReplica(target.url, settings);
    replicas.push(b);
    // Both discover at start; wait until B answers for the last repository.
    await timeChangeToAnswer({
      change: async () => undefined,
      ask: () => b.ask(`who owns svc-${options.repos - 1}`),
      seen: (answer) => answer.includes("team-start"),
      everyMs: 200,
      timeoutMs: 120_000,
    });
    const samples: number[] = [];
    for (let i = 0; i < options.pushes; i++) {
      const repo = repos[i % repos.length]!;
      const owner = `team-${String(i).padStart(4, "0")}`;
      const sha = await state.commit(repo, { files: { "catalog-info.yaml": component(repo.name, owner) } });
      const payload = pushPayload(standIn, repo, { after: sha, modified: ["catalog-info.yaml"] });
      samples.push(
        await timeChangeToAnswer({
          change: async () => {
            const answer = await deliverWebhook(`${a.url}/github/webhook`, {
              event: "push",
              payload,
              secret: WEBHOOK_SECRET,
            });
            if (answer.status !== 200)
              throw new Error(`the webhook was answered ${answer.status}: ${answer.body}`);
          },
          ask: () => b.ask(`who owns ${repo.name}`),
          seen: (answer) => answer.includes(owner),
          everyMs: 10,
          timeoutMs: 30_000,
        }),
      );
    }
    return { samples };
  } finally {
    for (const replica of replicas) await replica.stop();
    await standIn.close();
    await target.drop();
  }
}

/** Import the 100k organisation, then import it again with nothing changed; returns the second's seconds. */
export async function measureReimportUnchanged(entities: number): Promise<{ first: number; second: number }> {
  const work = mkdtempSync(join(tmpdir(), "cb-bench-github-reimport-"));
  try {
    const root = await writeOrganisation(generateOrganisation({ entities, seed: 1 }), join(work, "org"));
    const once = async () => {
      const script = join(import.meta.dirname, "catalog-import.ts");
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", script, root, join(work, "data"), ""],
        {
          maxBuffer: 1 << 20,
        },
      );
      return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { seconds: number }).seconds;
    };
    const first = await once();
    const second = await once();
    return { first, second };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
