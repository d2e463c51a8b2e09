import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import git from "isomorphic-git";
import * as fs from "node:fs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubStandIn } from "../../test/fixtures/github/github-stand-in.ts";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";
import {
  blockActionsBody,
  sendSigned,
  SIGNING_SECRET,
  slashCommandBody,
  viewSubmissionBody,
  type Actor,
} from "../../test/fixtures/slack/slack-requests.ts";
import { buildApp, EXAMPLES_DIR, type App } from "./build-app.ts";
import { enabledAdapters, loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

async function fileAt(gitdir: string, oid: string, path: string): Promise<string> {
  const { blob } = await git.readBlob({ fs, gitdir, oid, filepath: path });
  return Buffer.from(blob).toString("utf8");
}

/** Sofia is in team-payments in the example organisation; her Slack id is on her User entity. */
const SOFIA: Actor = { userId: "U035D88AC0F", userName: "sofia" };
const SOFIA_REF = { id: "user:default/sofia.marchetti", userRef: "user:default/sofia.marchetti" };
const FORM = "application/x-www-form-urlencoded";
const CHANNEL = "C0PLATFORM";
const TEMPLATE_DIR = fileURLToPath(new URL("../../test/fixtures/scaffold/github-service", import.meta.url));

type View = {
  private_metadata: string;
  blocks: Array<Record<string, unknown> & { block_id?: string; element?: Record<string, unknown> }>;
  submit?: { text: string };
};
interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

/**
 * A template that publishes to GitHub, run from Slack as a person does it: `/scaffold github-service`, the
 * form over signed HTTP, Create; the repository is created in the GitHub stand-in (REST checked against
 * GitHub's OpenAPI description) and the first commit pushed over git's smart HTTP into its bare repository;
 * the catalog file is read back through GitHub's API and registered, so `who owns` answers. A failed publish
 * shows Retry on the same progress message; pressing it resumes from the failed step.
 */
describe("scaffolding to GitHub from Slack, end to end", () => {
  const slack = new FakeSlackApi();
  const github = new GitHubStandIn();
  const dataDir = mkdtempSync(join(tmpdir(), "cb-scaffold-github-"));
  let app: App;
  let serving: Serving;
  let base = "";
  let trigger = 0;

  const send = (body: string) => sendSigned(base, body, FORM);
  const nextTrigger = () => `13345224609.${++trigger}`;

  beforeAll(async () => {
    await slack.start();
    await github.start();
    github.state.addOrganization("acme", { members: ["alice"] });
    const token = github.state.createToken("alice");
    slack.addPerson({ id: SOFIA.userId, name: "sofia", email: "sofia.marchetti@acmepayments.example" });
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: dataDir,
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CALLBOARD_BASE_URL: "http://callboard.test",
        GITHUB_TOKEN: token,
        GITHUB_API_URL: github.urls.api,
        CALLBOARD_SCAFFOLD_TRUSTED: `${EXAMPLES_DIR},${TEMPLATE_DIR}`,
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.5",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "5",
      },
      { cwd: dataDir },
    );
    app = await buildApp(config, pino({ level: "silent" }));
    const imported = await app.importLocation(join(TEMPLATE_DIR, "template.yaml"), "test");
    expect(imported.problems).toEqual([]);
    serving = await serve(app, enabledAdapters(config));
    app.startTaskWorker();
    base = serving.http!.url;
  }, 60_000);

  afterAll(async () => {
    await serving?.stop();
    await app?.close();
    await slack.stop();
    await github.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `/scaffold github-service`, the one page filled in, then Create: how many Slack calls came before. */
  async function runFromSlack(name: string): Promise<number> {
    const before = slack.calls.length;
    const opened = slack.waitFor(
      (call) => call.method === "views.open" && slack.calls.indexOf(call) >= before,
    );
    await send(
      slashCommandBody("/scaffold", "github-service", slack.responseUrl(name), nextTrigger(), SOFIA),
    );
    let view = (await opened).args.view as View;
    const owner = view.blocks.find((b) => b.block_id === "owner")!;
    const submit = async (values: Record<string, Record<string, Record<string, unknown>>>) => {
      const sent = await send(viewSubmissionBody({ view, values, triggerId: nextTrigger(), actor: SOFIA }));
      expect(sent.status).toBe(200);
      return sent.body ? (JSON.parse(sent.body) as Record<string, unknown>) : {};
    };
    const review = await submit({
      name: { value: { type: "plain_text_input", value: name } },
      owner: {
        [String(owner.element!.action_id)]: {
          type: "external_select",
          selected_option: { value: "group:default/team-payments" },
        },
      },
      repoUrl: {
        value: { type: "plain_text_input", value: `${github.host}?owner=acme&repo=${name}` },
      },
    });
    expect(review.response_action).toBe("update");
    view = review.view as View;
    const after = slack.calls.length;
    expect((await submit({})).response_action).toBe("clear");
    return after;
  }

  /** The progress message (posted after call `after`) once an update says `status`: its ts and blocks. */
  async function progressEnds(after: number, status: RegExp): Promise<{ ts: string; blocks: string }> {
    const update = await slack
      .waitFor(
        (call) =>
          call.method === "chat.update" &&
          slack.calls.indexOf(call) >= after &&
          /^Service on GitHub\b/.test(String(call.args.text)) &&
          status.test(String(call.args.text)),
        30_000,
      )
      .catch((error: unknown) => {
        const seen = slack.calls
          .slice(after)
          .filter((c) => c.method === "chat.update" || c.method === "chat.postMessage")
          .map((c) => `${c.method} ${String(c.args.ts)}: ${String(c.args.text)}`);
        throw new Error(`${(error as Error).message}; the progress said: ${seen.join(" | ")}`);
      });
    const ts = String(update.args.ts);
    return { ts, blocks: JSON.stringify(slack.message(ts)!.blocks) };
  }

  /** How often each step began, from the task's log. */
  async function beginnings(taskId: string): Promise<Record<string, number>> {
    const log = await app.tasks.log(taskId, SOFIA_REF);
    if ("refused" in log) throw new Error(log.refused);
    const counts: Record<string, number> = {};
    for (const entry of log.entries) {
      const begun = /^Beginning step (.+)$/.exec(entry.message);
      if (begun) counts[begun[1]!] = (counts[begun[1]!] ?? 0) + 1;
    }
    return counts;
  }

  it("creates the repository in GitHub, pushes the first commit, shows its link and registers the entity", async () => {
    const after = await runFromSlack("ledger-export");
    const { blocks: final } = await progressEnds(after, /completed/);

    const repo = github.state.findRepository("acme", "ledger-export")!;
    expect(repo).toBeDefined();
    expect(repo.visibility).toBe("private");
    const head = await repo.branchSha(repo.defaultBranch());
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const { commit } = await git.readCommit({ fs, gitdir: repo.gitDir, oid: head! });
    expect(commit.message.trim()).toBe("Create ledger-export from the github-service template");
    const pushed = await git.listFiles({ fs, gitdir: repo.gitDir, ref: head! });
    expect(pushed.sort()).toEqual(["README.md", "catalog-info.yaml"]);
    expect(
      github.requests.some((r) => r.git && r.method === "POST" && r.path.endsWith("git-receive-pack")),
    ).toBe(true);

    // The output's links: the repository as publish:github gave it, and the registered entity.
    expect(final).toContain("Publish to GitHub");
    expect(final).toContain(`${github.urls.web}/acme/ledger-export.git`);
    expect(final).toContain("http://callboard.test/catalog/default/component/ledger-export");
    expect(
      slack.calls.filter((c) => c.method === "chat.postMessage" && c.args.channel === CHANNEL),
    ).toHaveLength(1);

    const owned = slack.waitForResponse("owns");
    await send(
      slashCommandBody("/whoowns", "ledger-export", slack.responseUrl("owns"), nextTrigger(), SOFIA),
    );
    expect(JSON.stringify((await owned).args)).toContain("Payments Team");

    // The catalog's refresh reads the registered file through GitHub's API too, and follows a change to it.
    const branch = repo.defaultBranch();
    await github.state.commit(repo, {
      branch,
      files: {
        "catalog-info.yaml": (await fileAt(repo.gitDir, head!, "catalog-info.yaml")).replace(
          "The ledger-export service.",
          "Exports the ledger nightly.",
        ),
      },
    });
    const configured = app.registry.catalogProviders.get("configured")!;
    const stored = (await configured.locations({ signal: new AbortController().signal, log: app.log })).find(
      (location) =>
        location.target === `url:${github.urls.web}/acme/ledger-export/blob/${branch}/catalog-info.yaml`,
    )!;
    expect(stored.read).toBeDefined();
    const refreshed = await app.importLocation(stored.target, "refresh", stored.read);
    expect(refreshed.problems).toEqual([]);
    expect(app.catalog.graph.get("component:default/ledger-export")?.metadata.description).toBe(
      "Exports the ledger nightly.",
    );
    expect(slack.violations).toEqual([]);
    expect(github.violations.splice(0)).toEqual([]);
  }, 60_000);

  it("shows a failed publish with Retry on its progress message; pressing it resumes from the failed step", async () => {
    // Someone else's repository of that name: publish:github refuses to push into it.
    const theirs = await github.state.createRepository("acme", "payouts-sync");
    const after = await runFromSlack("payouts-sync");
    const failed = await progressEnds(after, /failed/);
    expect(failed.blocks).toContain("Publish to GitHub");
    expect(failed.blocks).toContain("acme/payouts-sync already exists and was not created by this task");
    const blocks = slack.message(failed.ts)!.blocks as Array<{ type: string; elements?: SlackButton[] }>;
    const retry = blocks
      .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
      .find((button) => button.text.text === "Retry")!;
    expect(retry).toBeDefined();
    const taskId = /scaffold retry ([0-9a-f-]{36})/.exec(retry.value)![1]!;
    expect(await beginnings(taskId)).toEqual({ "Render the skeleton": 1, "Publish to GitHub": 1 });

    // The name freed, the person presses Retry on the progress message itself.
    await github.state.deleteRepository(theirs);
    const pressedAt = slack.calls.length;
    const sent = await send(
      blockActionsBody({
        actionId: retry.action_id,
        value: retry.value,
        label: retry.text.text,
        channel: CHANNEL,
        messageTs: failed.ts,
        triggerId: nextTrigger(),
        responseUrl: slack.responseUrl("retry"),
        actor: SOFIA,
      }),
    );
    expect(sent.status).toBe(200);
    const done = await progressEnds(pressedAt, /completed/);
    // The same message, edited in place; the skeleton was not rendered again, the failed step was run again.
    expect(done.ts).toBe(failed.ts);
    expect(done.blocks).toContain(`${github.urls.web}/acme/payouts-sync.git`);
    expect(done.blocks).not.toContain('"Retry"');
    expect(await beginnings(taskId)).toEqual({
      "Render the skeleton": 1,
      "Publish to GitHub": 2,
      "Register in the catalog": 1,
    });
    const repo = github.state.findRepository("acme", "payouts-sync")!;
    expect(await repo.branchSha(repo.defaultBranch())).toMatch(/^[0-9a-f]{40}$/);
    expect(
      slack.calls.filter(
        (c) =>
          c.method === "chat.postMessage" && c.args.channel === CHANNEL && slack.calls.indexOf(c) >= after,
      ),
    ).toHaveLength(1);
    expect(slack.violations).toEqual([]);
    expect(github.violations.splice(0)).toEqual([]);
  }, 60_000);
});
