import * as fs from "node:fs";
import git from "isomorphic-git";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitHubStandIn } from "../../../../test/fixtures/github/github-stand-in.ts";
import {
  failAction,
  harness,
  writeFixture,
  yamlTemplate,
  type Harness,
} from "../../../../test/fixtures/scaffold/harness.ts";
import { GitHubClient } from "../../../github/github-client.ts";
import { MemoryTaskState } from "../../runner/task-state.ts";
import { githubActions } from "./github-actions.ts";

let github: GitHubStandIn;
let token: string;
let h: Harness | undefined;
const logLines: string[] = [];

beforeAll(async () => {
  github = await new GitHubStandIn().start();
  github.state.addOrganization("acme", { members: ["alice"], teams: ["platform"] });
  github.state.addUser("bob");
  token = github.state.createToken("alice");
});

afterAll(async () => {
  await github.close();
});

afterEach(async () => {
  await h?.cleanup();
  h = undefined;
  expect(github.violations.splice(0)).toEqual([]);
  expect(logLines.join("\n")).not.toContain(token);
});

function client(options: { writePacing?: boolean } = {}) {
  const log = pino({ level: "trace" }, { write: (line: string) => void logLines.push(line) });
  return new GitHubClient(
    { apiUrl: github.urls.api, host: github.host, token },
    { log, writePacing: options.writePacing ?? false },
  );
}

const SKELETON = {
  "skeleton/catalog-info.yaml":
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\n",
  "skeleton/README.md": "# ${{ values.name }}\n",
};

async function setup(steps: string, options: { writePacing?: boolean } = {}) {
  const fetch = `    - id: fetch
      action: fetch:template
      input: { url: ./skeleton, values: { name: "\${{ parameters.name }}" } }
`;
  h = await harness(await writeFixture({ "template.yaml": yamlTemplate(fetch + steps), ...SKELETON }), [
    ...githubActions(client(options)),
    failAction,
  ]);
  return h;
}

async function filesOn(fullName: string, branch: string): Promise<Record<string, string>> {
  const [owner, name] = fullName.split("/") as [string, string];
  const repo = github.state.findRepository(owner, name)!;
  const out: Record<string, string> = {};
  const sha = (await repo.branchSha(branch))!;
  await git.walk({
    fs,
    gitdir: repo.gitDir,
    trees: [git.TREE({ ref: sha })],
    map: async (path, [entry]) => {
      if (entry && (await entry.type()) === "blob")
        out[path] = Buffer.from((await entry.content())!).toString();
      return true;
    },
  });
  return out;
}

const publishStep = (name: string, extra = "") => `    - id: publish
      action: publish:github
      input:
        repoUrl: "${"${{ parameters.host }}"}?owner=acme&repo=${name}"
        description: Payments API
        homepage: https://payments.example.com
        repoVisibility: public
        defaultBranch: main
        deleteBranchOnMerge: true
        topics: [Payments, api]
        collaborators:
          - { user: "user:default/bob", access: push }
          - { team: "group:default/platform", access: admin }
${extra}`;

describe("publish:github", () => {
  it("creates the repository with its settings, pushes the workspace over git, and protects the branch", async () => {
    const run = await setup(publishStep("payments"));
    const report = await run.run({ name: "payments", host: github.host });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe("completed");

    const repo = github.state.findRepository("acme", "payments")!;
    expect(repo).toMatchObject({
      description: "Payments API",
      homepage: "https://payments.example.com",
      visibility: "public",
      deleteBranchOnMerge: true,
      topics: ["payments", "api"],
    });
    expect(Object.fromEntries(repo.collaborators)).toEqual({ bob: "push" });
    expect(Object.fromEntries(repo.teams)).toEqual({ platform: "admin" });
    expect(repo.defaultBranch()).toBe("main");
    expect(repo.protection.get("main")).toMatchObject({
      enforce_admins: true,
      required_status_checks: { strict: true, contexts: [] },
      required_pull_request_reviews: {
        required_approving_review_count: 1,
        require_code_owner_reviews: false,
      },
      restrictions: null,
    });
    expect(await filesOn("acme/payments", "main")).toEqual({
      "catalog-info.yaml":
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n",
      "README.md": "# payments\n",
    });
    const output = report.steps.find((s) => s.id === "publish")!.output!;
    expect(output).toEqual({
      remoteUrl: `${github.urls.web}/acme/payments.git`,
      repoContentsUrl: `${github.urls.web}/acme/payments/blob/main`,
      commitHash: await repo.branchSha("main"),
    });
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it("reuses the repository it created when the task is retried, and pushes nothing twice", async () => {
    const run = await setup(
      publishStep("retried") +
        `    - id: boom
      action: test:fail
`,
    );
    const state = new MemoryTaskState();
    const first = await run.run({ name: "retried", host: github.host }, { taskId: "task-1", state });
    expect(first.status).toBe("failed");
    const creates = () =>
      github.requests.filter((r) => r.method === "POST" && r.path === "/orgs/acme/repos").length;
    const pushes = () => github.requests.filter((r) => r.git && r.path.endsWith("/git-receive-pack")).length;
    const [createsBefore, pushesBefore] = [creates(), pushes()];

    const second = await run.run({ name: "retried", host: github.host }, { taskId: "task-1", state });
    expect(second.steps.find((s) => s.id === "publish")).toMatchObject({ status: "completed" });
    expect(second.steps.find((s) => s.id === "publish")!.output).toEqual(
      first.steps.find((s) => s.id === "publish")!.output,
    );
    expect([creates(), pushes()]).toEqual([createsBefore, pushesBefore]);
    expect(second.log.map((l) => l.message)).toContain(
      "Reusing acme/retried, which this task created earlier.",
    );
    expect(github.state.repositories.filter((r) => r.name === "retried")).toHaveLength(1);
  });

  it("refuses, on a retry, a repository that someone else put under the name since", async () => {
    const run = await setup(publishStep("replaced") + "    - id: boom\n      action: test:fail\n");
    const state = new MemoryTaskState();
    await run.run({ name: "replaced", host: github.host }, { taskId: "task-2", state });
    const mine = github.state.findRepository("acme", "replaced")!;
    await github.state.deleteRepository(mine);
    await github.state.createRepository("acme", "replaced");

    const second = await run.run({ name: "replaced", host: github.host }, { taskId: "task-2", state });
    expect(second.status).toBe("failed");
    expect(second.error).toContain("acme/replaced already exists and was not created by this task.");
  });

  it("fails clearly when the name is taken by a repository this task did not create", async () => {
    await github.state.createRepository("acme", "taken");
    const run = await setup(publishStep("taken"));
    const report = await run.run({ name: "taken", host: github.host });
    expect(report.status).toBe("failed");
    expect(report.error).toContain(
      "acme/taken already exists and was not created by this task. Choose another name, or delete that repository first.",
    );
    expect(github.state.findRepository("acme", "taken")!.pushedAt).toBeNull();
  });

  it("waits out a rate limit on creating the repository (Retry-After), then goes on", async () => {
    const run = await setup(publishStep("patient"));
    github.limitNext({
      kind: "secondary",
      retryAfterSeconds: 1,
      match: (method, path) => method === "post" && path === "/orgs/acme/repos",
    });
    const report = await run.run({ name: "patient", host: github.host });
    expect(report.status).toBe("completed");
    const statuses = github.requests
      .filter((r) => r.method === "POST" && r.path === "/orgs/acme/repos")
      .slice(-2);
    expect(statuses.map((r) => r.status)).toEqual([403, 201]);
    expect(
      logLines.some((l) => l.includes("GitHub secondary rate limit reached; waiting 1 s before retrying")),
    ).toBe(true);
  });

  it("calls nothing in a dry run and says what the outputs would be", async () => {
    const run = await setup(publishStep("dry"));
    const before = github.requests.length;
    const report = await run.run({ name: "dry", host: github.host }, { dryRun: true });
    expect(report.status).toBe("completed");
    expect(github.requests.length).toBe(before);
    expect(report.steps.find((s) => s.id === "publish")!.output).toEqual({
      remoteUrl: `${github.urls.web}/acme/dry.git`,
      repoContentsUrl: `${github.urls.web}/acme/dry/blob/main`,
      commitHash: "0000000000000000000000000000000000000000",
    });
  });

  it("refuses a repoUrl on a host that is not the configured GitHub", async () => {
    const run = await setup(publishStep("elsewhere"));
    const report = await run.run({ name: "elsewhere", host: "gitlab.com" });
    expect(report.error).toContain(
      `publish:github: "gitlab.com" in repoUrl is not the configured GitHub host; Callboard reaches GitHub at ${github.host} (GITHUB_API_URL).`,
    );
  });
});

describe("github:repo:create and github:repo:push", () => {
  it("create the repository, then push the workspace into it", async () => {
    const run = await setup(`    - id: create
      action: github:repo:create
      input:
        repoUrl: "\${{ parameters.host }}?owner=acme&repo=two-step"
        repoVisibility: private
        topics: [two]
    - id: push
      action: github:repo:push
      input:
        repoUrl: "\${{ parameters.host }}?owner=acme&repo=two-step"
        defaultBranch: trunk
        protectDefaultBranch: false
        gitCommitMessage: first of all
`);
    const report = await run.run({ name: "two-step", host: github.host });
    expect(report.error).toBeUndefined();
    const repo = github.state.findRepository("acme", "two-step")!;
    expect(repo.visibility).toBe("private");
    expect(repo.topics).toEqual(["two"]);
    expect(repo.protection.size).toBe(0);
    expect(Object.keys(await filesOn("acme/two-step", "trunk")).sort()).toEqual([
      "README.md",
      "catalog-info.yaml",
    ]);
    const { commit } = await git.readCommit({
      fs,
      gitdir: repo.gitDir,
      oid: (await repo.branchSha("trunk"))!,
    });
    expect(commit.message).toBe("first of all\n");
    expect(report.steps.find((s) => s.id === "create")!.output).toEqual({
      remoteUrl: `${github.urls.web}/acme/two-step.git`,
      repoContentsUrl: `${github.urls.web}/acme/two-step/blob/master`,
    });
  });
});

describe("publish:github:pull-request", () => {
  it("pushes the workspace as a branch on top of the target and opens a pull request with reviewers", async () => {
    const repo = await github.state.createRepository("acme", "platform-config");
    await github.state.commit(repo, { files: { "README.md": "config\n", "services/old.yaml": "old\n" } });
    const run = await setup(`    - id: pr
      action: publish:github:pull-request
      input:
        repoUrl: "\${{ parameters.host }}?owner=acme&repo=platform-config"
        branchName: \${{ parameters.branch }}
        title: Add \${{ parameters.name }}
        description: Registers the new service.
        targetPath: services/\${{ parameters.name }}
        reviewers: [bob]
        teamReviewers: [platform]
`);
    const report = await run.run({ name: "billing", branch: "add-billing", host: github.host });
    expect(report.error).toBeUndefined();
    expect(report.steps.find((s) => s.id === "pr")!.output).toEqual({
      remoteUrl: `${github.urls.web}/acme/platform-config/pull/1`,
      pullRequestNumber: 1,
      targetBranchName: "main",
    });
    const pr = repo.pulls[0]!;
    expect(pr).toMatchObject({
      title: "Add billing",
      body: "Registers the new service.",
      head: "add-billing",
      base: "main",
    });
    expect(pr.reviewers.map((r) => r.login)).toEqual(["bob"]);
    expect(pr.teamReviewers.map((t) => t.slug)).toEqual(["platform"]);
    expect(await filesOn("acme/platform-config", "add-billing")).toEqual({
      "README.md": "config\n",
      "services/old.yaml": "old\n",
      "services/billing/README.md": "# billing\n",
      "services/billing/catalog-info.yaml":
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing\n",
    });

    // Another task with other files for the same branch: it says so rather than overwrite the branch.
    const again = await run.run({ name: "invoices", branch: "add-billing", host: github.host });
    expect(again.error).toContain(
      "the branch add-billing already exists in acme/platform-config; choose another branchName, or set update: true to add to it.",
    );
  });
});

describe("publish:github:pull-request on a retry", () => {
  it("reuses the branch and the pull request it made", async () => {
    const repo = await github.state.createRepository("acme", "retry-pr");
    await github.state.commit(repo, { files: { "README.md": "base\n" } });
    const run = await setup(`    - id: pr
      action: publish:github:pull-request
      input:
        repoUrl: "\${{ parameters.host }}?owner=acme&repo=retry-pr"
        branchName: add-\${{ parameters.name }}
        title: Add \${{ parameters.name }}
        description: Again and again.
    - id: boom
      action: test:fail
`);
    const state = new MemoryTaskState();
    const first = await run.run({ name: "svc", host: github.host }, { taskId: "task-pr", state });
    const second = await run.run({ name: "svc", host: github.host }, { taskId: "task-pr", state });
    expect(second.steps.find((s) => s.id === "pr")).toMatchObject({
      status: "completed",
      output: first.steps.find((s) => s.id === "pr")!.output,
    });
    expect(repo.pulls).toHaveLength(1);
  });
});

describe("credentials", () => {
  it("push as a GitHub App's installation on the owner, with an installation token", async () => {
    const app = github.state.addApp("callboard-app");
    github.state.addOrganization("appco");
    github.state.addInstallation(app.id, "appco");
    const log = pino({ level: "trace" }, { write: (line: string) => void logLines.push(line) });
    const viaApp = new GitHubClient(
      { apiUrl: github.urls.api, host: github.host, app: { appId: app.id, privateKey: app.privateKey } },
      { log, writePacing: false },
    );
    h = await harness(
      await writeFixture({
        "template.yaml": yamlTemplate(`    - id: fetch
      action: fetch:template
      input: { url: ./skeleton, values: { name: app-made } }
    - id: publish
      action: publish:github
      input: { repoUrl: "\${{ parameters.host }}?owner=appco&repo=app-made", defaultBranch: main }
`),
        ...SKELETON,
      }),
      githubActions(viaApp),
    );
    const report = await h.run({ host: github.host });
    expect(report.error).toBeUndefined();
    expect(await filesOn("appco/app-made", "main")).toHaveProperty("catalog-info.yaml");
    expect(report.log.map((l) => l.message).join("\n")).toMatch(
      /Created the repository appco\/app-made .* as installation \d+ of the GitHub App/,
    );
    const logged = logLines.join("\n");
    for (const line of app.privateKey.split("\n").filter((l) => l.length > 20))
      expect(logged).not.toContain(line);
    expect(logged).not.toMatch(/ghs_[A-Za-z0-9_]{16,}/);
  });

  it("a refused push says why, and names no token", async () => {
    const repo = await github.state.createRepository("acme", "busy");
    await github.state.commit(repo, { files: { "README.md": "someone else's\n" } });
    const run = await setup(`    - id: push
      action: github:repo:push
      input: { repoUrl: "\${{ parameters.host }}?owner=acme&repo=busy", defaultBranch: main }
`);
    const report = await run.run({ name: "busy", host: github.host });
    expect(report.status).toBe("failed");
    expect(report.error).toContain(
      "acme/busy already has commits on main; push into an empty repository or another branch",
    );
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it("acts with a token given to the step, and shows neither it nor the configured one", async () => {
    const bobToken = github.state.createToken("bob");
    const run = await setup(`    - id: publish
      action: publish:github
      input:
        repoUrl: "\${{ parameters.host }}?owner=acme&repo=bobs"
        token: \${{ secrets.userToken }}
`);
    const report = await run.run({ name: "bobs", host: github.host }, { secrets: { userToken: bobToken } });
    expect(report.status).toBe("failed");
    expect(report.error).toContain("GitHub answered 403 to POST /orgs/acme/repos while creating acme/bobs");
    const everything = `${JSON.stringify(report)}\n${logLines.join("\n")}`;
    expect(everything).not.toContain(bobToken);
    expect(everything).not.toContain(token);
  });
});
