import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { graphCatalogView } from "../../catalog/catalog-view.ts";
import { CatalogGraph } from "../../catalog/graph/catalog-graph.ts";
import { GraphNameResolver } from "../../catalog/graph/graph-resolver.ts";
import type { Entity } from "../../catalog/model/entity.ts";
import { entity, item } from "../../../test/fixtures/catalog-commands/small-catalog.ts";
import {
  addCheckRun,
  addPulls,
  addReview,
  addRun,
  addWorkflow,
  disableActions,
} from "../../../test/fixtures/github/chat-state.ts";
import { GitHubStandIn } from "../../../test/fixtures/github/github-stand-in.ts";
import type { Account, Repository } from "../../../test/fixtures/github/state.ts";
import type { Action, Block, CommandContext, Reply } from "../api.ts";
import { Registry } from "../registry.ts";
import { githubPlugin } from "./github-plugin.ts";

const log = pino({ level: "silent" });
/**
 * The clock the plugin measures ages against, fixed so ages are exact; GitHub's data is dated relative to it.
 * It is the real time at the start, since the stand-in's rate-limit resets are.
 */
const NOW = new Date();
const hoursBefore = (hours: number) => new Date(NOW.getTime() - hours * 3600 * 1000);
const PAYMENTS = "component:default/payments-api";

let github: GitHubStandIn;
let token: string;
let alice: Account;
let bob: Account;
let carol: Account;
let payments: Repository;
let busy: Repository;
let paymentsHead: string;
let registry: Registry;
const answered: Reply[] = [];

function component(
  name: string,
  annotations: Record<string, string>,
  extra: Partial<Entity["metadata"]> = {},
) {
  const ref = `component:default/${name}`;
  // As ingestion writes it: the folder imported (item() puts each file at /org/<name>/catalog-info.yaml).
  const origin = { "backstage.io/managed-by-origin-location": "file:/org/catalog-info.yaml" };
  return item(
    ref,
    entity(
      ref,
      { type: "service", owner: "team-payments" },
      { annotations: { ...origin, ...annotations }, ...extra },
    ),
  );
}

function catalog() {
  const graph = new CatalogGraph();
  graph.upsert([
    component("payments-api", { "github.com/project-slug": "acme/payments-api" }, { title: "Payments API" }),
    component("busy-service", { "github.com/project-slug": "acme/busy" }),
    component("empty-service", { "github.com/project-slug": "acme/empty" }),
    component("monorepo", { "github.com/project-slug": "acme/monorepo" }),
    component("quiet-service", { "github.com/project-slug": "acme/quiet" }),
    component("ghost-service", { "github.com/project-slug": "acme/no-such-repo" }),
    component("other-org", { "github.com/project-slug": "elsewhere/thing" }),
    component("on-gitlab", { "backstage.io/source-location": "url:https://gitlab.example.com/acme/x/" }),
    component("bad-slug", { "github.com/project-slug": "https://github.com/acme/x/tree/main" }),
    component("no-slug", {
      "backstage.io/source-location": `url:${github.urls.web}/acme/no-slug/tree/main/`,
    }),
  ]);
  const resolver = new GraphNameResolver(graph);
  return graphCatalogView({ graph, resolver: () => resolver });
}

async function registryWith(settings: Record<string, unknown>): Promise<Registry> {
  const made = new Registry(log, { catalog: catalog(), sections: new Map([["github", settings]]) });
  await made.use(githubPlugin({ now: () => NOW }));
  return made;
}

async function run(line: string, flags: Record<string, string | true> = {}, on = registry): Promise<Reply> {
  const [name, ...rest] = line.split(" ");
  const ctx: CommandContext = {
    args: rest.join(" "),
    flags,
    text: line,
    user: { surface: "shell", id: "tester" },
    conversation: { surface: "shell" },
    log,
  };
  const answer = await on.commands.get(name!)!.handler(ctx);
  answered.push(answer);
  return answer;
}

const sections = (reply: Reply) =>
  reply.blocks.flatMap((b: Block) => (b.type === "section" && b.text ? [b.text] : []));
const buttons = (reply: Reply): Action[] =>
  reply.blocks.flatMap((b) => (b.type === "actions" ? b.actions : []));
const commands = (reply: Reply) => buttons(reply).flatMap((a) => (a.command ? [a.command] : []));
const all = (reply: Reply) => JSON.stringify(reply);

beforeAll(async () => {
  github = await new GitHubStandIn().start();
  github.state.addOrganization("acme", { members: ["alice", "bob", "carol"] });
  github.state.addOrganization("elsewhere");
  alice = github.state.findAccount("alice")!;
  bob = github.state.findAccount("bob")!;
  carol = github.state.findAccount("carol")!;
  token = github.state.createToken("alice");

  payments = await github.state.createRepository("acme", "payments-api");
  payments.description = "Takes card payments.";
  payments.topics = ["payments", "java"];
  payments.openIssues = 2;
  await github.state.commit(payments, { files: { "README.md": "# payments" }, message: "Start" });
  paymentsHead = await github.state.commit(payments, {
    files: { "src/app.ts": "x" },
    message: "Refund partial captures\n\nLonger body.",
  });
  const [approved, contested, draft, changedMind] = [
    ...addPulls(github.state, payments, 3, { author: bob, createdAt: hoursBefore(50) }),
    ...addPulls(github.state, payments, 1, { author: carol, createdAt: hoursBefore(2) }),
  ];
  addReview(github.state, approved!, { user: carol, state: "APPROVED" });
  addReview(github.state, approved!, { user: alice, state: "COMMENTED" });
  addReview(github.state, contested!, { user: carol, state: "CHANGES_REQUESTED" });
  addReview(github.state, contested!, { user: alice, state: "APPROVED" });
  draft!.draft = true;
  draft!.reviewers = [alice];
  draft!.teamReviewers = [github.state.addTeam("acme", "platform")];
  draft!.title = "WIP: *bold* [link](javascript:alert(1))";
  addReview(github.state, changedMind!, { user: alice, state: "CHANGES_REQUESTED" });
  addReview(github.state, changedMind!, { user: alice, state: "APPROVED" });
  addCheckRun(github.state, payments, {
    name: "unit tests",
    headSha: approved!.headSha,
    status: "completed",
    conclusion: "failure",
    startedAt: hoursBefore(49),
    completedAt: hoursBefore(48),
  });
  addCheckRun(github.state, payments, {
    name: "lint",
    headSha: approved!.headSha,
    status: "in_progress",
    conclusion: null,
    startedAt: hoursBefore(1),
  });
  addCheckRun(github.state, payments, {
    name: "build",
    headSha: paymentsHead,
    status: "completed",
    conclusion: "success",
    startedAt: hoursBefore(3),
    completedAt: hoursBefore(3),
  });

  const build = addWorkflow(github.state, payments, { name: "Build" });
  const deploy = addWorkflow(github.state, payments, { name: "Deploy" });
  addWorkflow(github.state, payments, { name: "Nightly" });
  addWorkflow(github.state, payments, { name: "Old", state: "disabled_manually" });
  addRun(github.state, payments, build, {
    status: "completed",
    conclusion: "failure",
    createdAt: hoursBefore(30),
  });
  addRun(github.state, payments, build, {
    status: "completed",
    conclusion: "success",
    createdAt: hoursBefore(5),
  });
  // Newer, but on another branch: not the default branch's state.
  addRun(github.state, payments, build, {
    status: "completed",
    conclusion: "failure",
    branch: "feature",
    createdAt: hoursBefore(1),
  });
  addRun(github.state, payments, deploy, {
    status: "completed",
    conclusion: "failure",
    title: "Deploy to production",
    createdAt: hoursBefore(4),
  });

  busy = await github.state.createRepository("acme", "busy");
  addPulls(github.state, busy, 2000, { author: bob, createdAt: hoursBefore(24 * 400) });
  disableActions(await github.state.createRepository("acme", "empty"));
  await github.state.createRepository("acme", "quiet");
  const monorepo = await github.state.createRepository("acme", "monorepo");
  for (let i = 1; i <= 35; i++) {
    const workflow = addWorkflow(github.state, monorepo, { name: `Service ${i}` });
    addRun(github.state, monorepo, workflow, {
      status: "completed",
      conclusion: "success",
      createdAt: hoursBefore(i),
    });
  }

  registry = await registryWith({ GITHUB_TOKEN: token, GITHUB_API_URL: github.urls.api });
});

afterAll(async () => {
  // Whatever was answered, the token never was.
  for (const answer of answered) expect(all(answer)).not.toContain(token);
  await github?.close();
});

afterEach(() => {
  expect(github.violations.splice(0)).toEqual([]);
});

describe("prs", () => {
  it("lists open pull requests newest first with review state, author and age, each with its checks", async () => {
    const answer = await run("prs payments api");
    expect(answer.text).toBe("4 open pull requests in acme/payments-api.");
    const [newest, draft, contested, approved] = sections(answer);
    expect(newest).toContain("#4 Change 4");
    expect(newest).toContain("**approved** (@alice) · by @carol · opened 2 hours ago");
    expect(draft).toContain(
      "**draft, review required** from @alice, team platform · by @bob · opened 2 days ago",
    );
    // A title is the author's text: shown as written, never as markup or a link of its own.
    expect(draft).toContain("WIP: \\*bold\\* \\[link\\](javascript:alert(1))");
    expect(contested).toContain("**changes requested** (@carol)");
    // A comment after an approval leaves the approval standing.
    expect(approved).toContain("**approved** (@carol)");
    expect(commands(answer)).toEqual([
      `checks ${PAYMENTS} #4`,
      `checks ${PAYMENTS} #3`,
      `checks ${PAYMENTS} #2`,
      `checks ${PAYMENTS} #1`,
      `ci ${PAYMENTS}`,
      `repo ${PAYMENTS}`,
    ]);
    expect(buttons(answer).at(-1)).toEqual({
      label: "All on GitHub",
      url: `${github.urls.web}/acme/payments-api/pulls`,
    });
  });

  it("shows a repository of thousands a page at a time, with the next page a button away", async () => {
    const before = github.requests.length;
    const answer = await run("prs busy-service");
    const made = github.requests.slice(before);
    // One list and one reviews request per pull request shown: never a walk through all two thousand.
    expect(made.filter((r) => r.operation === "/repos/{owner}/{repo}/pulls")).toHaveLength(1);
    expect(made.filter((r) => r.operation?.endsWith("/reviews"))).toHaveLength(30);
    expect(answer.text).toBe("Open pull requests 1–30 in acme/busy, more on the next page.");
    expect(sections(answer)).toHaveLength(30);
    expect(sections(answer)[0]).toContain("#2000 ");
    expect(commands(answer)).toContain("prs component:default/busy-service --page 2");

    const next = await run("prs busy-service", { page: "2" });
    expect(next.text).toBe("Open pull requests 31–60 in acme/busy, more on the next page.");
    expect(sections(next)[0]).toContain("#1970 ");
    const last = await run("prs busy-service", { page: "67" });
    expect(last.text).toBe("2000 open pull requests in acme/busy.");
    expect(sections(last)).toHaveLength(20);
    expect(commands(last)).not.toContain("prs component:default/busy-service --page 68");
    const beyond = await run("prs busy-service", { page: "68" });
    expect(beyond.text).toBe("No more open pull requests in acme/busy.");
  });

  it("refuses a page that is not a number in range before asking GitHub", async () => {
    const before = github.requests.length;
    for (const page of ["0", "abc", "101", "9".repeat(5000)]) {
      expect((await run("prs payments-api", { page })).text).toBe("--page must be a number from 1 to 100.");
    }
    expect((await run("prs payments-api", { page: true })).text).toContain("--page must be");
    expect(github.requests.length).toBe(before);
  });
});

describe("ci", () => {
  it("gives the latest run of each active workflow on the default branch, with links", async () => {
    const answer = await run("ci payments-api");
    expect(answer.text).toBe("CI for acme/payments-api on main: Deploy failing.");
    const [build, deploy, nightly] = sections(answer);
    expect(build).toMatch(
      /^\*\*Build\*\* · \*\*passed\*\* · \[run #2\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/payments-api\/actions\/runs\/\d+\) 5 hours ago/,
    );
    expect(deploy).toContain("**Deploy** · **failed** · [run #1]");
    expect(deploy).toContain("4 hours ago\nDeploy to production");
    expect(nightly).toBe("**Nightly** · no runs on `main`");
    expect(all(answer)).not.toContain("Old");
    expect(commands(answer)).toEqual([`checks ${PAYMENTS}`, `prs ${PAYMENTS}`, `repo ${PAYMENTS}`]);
  });

  it("shows the first 30 workflows of a repository with more, one runs request each", async () => {
    const before = github.requests.length;
    const answer = await run("ci monorepo");
    const runsRequests = github.requests
      .slice(before)
      .filter((r) => r.operation === "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs");
    expect(runsRequests).toHaveLength(30);
    expect(sections(answer)).toHaveLength(30);
    expect(answer.blocks).toContainEqual({
      type: "context",
      text: "and 5 more workflows: see them on GitHub.",
    });
    expect(answer.text).toBe("CI for acme/monorepo on main: 30 workflows, none failing.");
  });

  it("says when a repository has no workflows, or GitHub Actions is off for it", async () => {
    expect((await run("ci quiet-service")).text).toBe("acme/quiet has no GitHub Actions workflows.");
    expect((await run("ci empty-service")).text).toBe("GitHub Actions is not available for acme/empty.");
  });
});

describe("repo", () => {
  it("gives the default branch, last commit, open issues, topics and where to go next", async () => {
    const answer = await run("repo payments-api");
    const section = answer.blocks.find((b) => b.type === "section");
    expect(section).toMatchObject({ type: "section", text: "Takes card payments." });
    const fields = Object.fromEntries(
      (section as { fields: { label: string; value: string }[] }).fields.map((f) => [f.label, f.value]),
    );
    expect(fields["Default branch"]).toBe("`main`");
    expect(fields["Last commit"]).toMatch(
      new RegExp(
        `^\\[Refund partial captures\\]\\(${github.urls.web}/acme/payments-api/commit/${paymentsHead}\\) by Stand-in, `,
      ),
    );
    expect(fields["Open issues and pull requests"]).toBe("6");
    expect(fields.Topics).toBe("`payments` `java`");
    expect(fields["Owner in the catalog"]).toBe("group:default/team-payments");
    expect(commands(answer)).toEqual([`prs ${PAYMENTS}`, `ci ${PAYMENTS}`, `who owns ${PAYMENTS}`]);
    expect(buttons(answer).at(-1)?.url).toBe(`${github.urls.web}/acme/payments-api`);
  });

  it("says an empty repository has no commits yet", async () => {
    const answer = await run("repo empty-service");
    expect(answer.text).toContain("no commits yet");
  });
});

describe("checks", () => {
  it("lists a pull request's checks with outcome and link, and the default branch's by default", async () => {
    const pr = await run(`checks ${PAYMENTS} #1`);
    expect(pr.text).toBe("Checks on #1 Change 1: unit tests failed.");
    expect(sections(pr)).toEqual([
      expect.stringMatching(/^\[lint\]\(.+\) · \*\*in progress\*\* · 1 hour ago$/),
      expect.stringMatching(/^\[unit tests\]\(.+\) · \*\*failed\*\* · 2 days ago$/),
    ]);
    const main = await run("checks payments-api");
    expect(main.text).toBe("Checks on main: 1 check, none failed.");
    expect((await run("checks payments-api", { ref: "main" })).text).toBe(main.text);
    expect((await run("checks payments-api #99")).text).toBe("acme/payments-api has no pull request #99.");
  });

  it("refuses a --ref or --pr that is not one before asking GitHub", async () => {
    const before = github.requests.length;
    expect((await run("checks payments-api", { ref: "../../etc" })).text).toContain(
      "--ref takes a branch name",
    );
    expect((await run("checks payments-api", { ref: "x".repeat(5000) })).text).toContain("--ref takes");
    expect((await run("checks payments-api", { pr: "forty" })).text).toContain(
      "--pr takes a pull request number",
    );
    expect(github.requests.length).toBe(before);
  });
});

describe("answers when the question cannot be answered", () => {
  it("offers the entities a mistyped name may mean, as the catalog's commands do", async () => {
    const answer = await run("prs paymnts-api");
    expect(answer.text).toContain("Did you mean");
    expect(commands(answer)).toContain(`prs ${PAYMENTS}`);
    const checks = await run("checks paymnts-api #4");
    expect(commands(checks)).toContain(`checks ${PAYMENTS} #4`);
    const nothing = await run(`repo ${"zz".repeat(1900)}`);
    expect(nothing.text).toContain("Nothing in the catalog is called");
    expect((await run("prs")).text).toBe("Usage: prs <component> [--page N]");
  });

  it("names the annotation to add and the file to add it to, guessing the value from the source location", async () => {
    const answer = await run("repo no-slug");
    expect(answer.text).toBe(
      "no-slug has no github.com/project-slug annotation: add one to its catalog-info.yaml.",
    );
    expect(all(answer)).toContain(
      "Add `github.com/project-slug: acme/no-slug` under `metadata.annotations` in its descriptor, `no-slug/catalog-info.yaml:1`",
    );
    // A source location elsewhere than the configured GitHub is no guess.
    expect(all(await run("prs on-gitlab"))).toContain("Add `github.com/project-slug: <owner>/<repository>`");
    const bad = await run("repo bad-slug");
    expect(bad.text).toBe("bad-slug's github.com/project-slug annotation is not owner/repository.");
  });

  it("says a repository is missing or not visible, naming the annotation and its file", async () => {
    const answer = await run("repo ghost-service");
    expect(answer.text).toBe("GitHub has no repository acme/no-such-repo, or the token cannot see it.");
    expect(all(answer)).toContain("in `ghost-service/catalog-info.yaml:1`");
  });

  it("answers a rate limit at once with when to ask again, primary or secondary", async () => {
    github.limitNext({ kind: "primary", retryAfterSeconds: 600 });
    const primary = await run("repo payments-api");
    expect(primary.text).toMatch(
      /^GitHub's rate limit is reached; ask again in 1[01] minutes \(\d\d:\d\d UTC\)\.$/,
    );
    github.limitNext({ kind: "secondary", retryAfterSeconds: 30 });
    const secondary = await run("prs payments-api");
    expect(secondary.text).toMatch(/^GitHub's rate limit is reached; ask again in 30 seconds/);
  });

  it("says which settings to set when GitHub is not configured, or the App is not installed", async () => {
    const bare = await registryWith({});
    expect((await run("prs payments-api", {}, bare)).text).toBe(
      "GitHub is not configured: set GITHUB_TOKEN, or GITHUB_APP_ID and its private key.",
    );
    const app = github.state.addApp("callboard-chat");
    const asApp = await registryWith({
      GITHUB_APP_ID: app.id,
      GITHUB_APP_PRIVATE_KEY: app.privateKey,
      GITHUB_API_URL: github.urls.api,
    });
    const answer = await run("repo payments-api", {}, asApp);
    expect(answer.text).toBe(
      `The GitHub App ${app.id} is not installed on acme. Install it on that account, or set GITHUB_APP_INSTALLATION_ID.`,
    );
    expect(all(answer)).not.toContain("PRIVATE KEY");
    github.state.addInstallation(app.id, "acme");
    const installed = await registryWith({
      GITHUB_APP_ID: app.id,
      GITHUB_APP_PRIVATE_KEY: app.privateKey,
      GITHUB_API_URL: github.urls.api,
    });
    expect((await run("repo payments-api", {}, installed)).text).toContain(
      "acme/payments-api: default branch main",
    );
  });

  it("says refused credentials are refused, without showing them", async () => {
    const revoked = await registryWith({
      GITHUB_TOKEN: "ghp_revokedrevokedrevoked0000",
      GITHUB_API_URL: github.urls.api,
    });
    const answer = await run("ci payments-api", {}, revoked);
    expect(answer.text).toBe("GitHub refused Callboard's credentials.");
    expect(all(answer)).not.toContain("ghp_revoked");
  });
});

describe("the github form", () => {
  it("opens with what was typed, checks the component has a repository, and answers as the command chosen", async () => {
    const opened = await run("github payments api");
    expect(opened.form?.id).toBe("github-repository");
    expect(opened.form?.pages[0]?.fields.map((f) => [f.name, f.kind, f.default])).toEqual([
      ["component", "entity", "payments api"],
      ["view", "radio", "prs"],
    ]);
    const definition = registry.forms.get("github-repository")!;
    const form = opened.form!;
    expect(await definition.validate(form, 0, { component: "", view: "prs" })).toEqual({
      component: "Pick a component.",
    });
    expect(await definition.validate(form, 0, { component: "no-slug", view: "everything" })).toEqual({
      component:
        "no-slug has no github.com/project-slug annotation: add one to no-slug/catalog-info.yaml:1, or pick another component.",
      view: "Pick pull requests, CI or the repository.",
    });
    const missing = await definition.validate(form, 0, { component: "nothing-like-it", view: "ci" });
    expect(missing.component).toContain('Nothing in the catalog is called "nothing-like-it"');
    expect(await definition.validate(form, 0, { component: { not: "text" }, view: "ci" })).toEqual({
      component: "Pick a component.",
    });
    const values = { component: PAYMENTS, view: "ci" };
    expect(await definition.validate(form, 0, values)).toEqual({});
    const ctx: CommandContext = {
      args: "",
      flags: {},
      text: "",
      user: { surface: "shell", id: "tester" },
      conversation: { surface: "shell" },
      log,
    };
    const answer = await definition.submit(form, values, ctx);
    answered.push(answer);
    expect(answer.text).toBe("CI for acme/payments-api on main: Deploy failing.");
  });
});
