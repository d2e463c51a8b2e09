import * as fs from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import { afterEach, describe, expect, it } from "vitest";
import {
  echoAction,
  harness,
  writeFixture,
  yamlTemplate,
  type FixtureFile,
  type Harness,
} from "../../../test/fixtures/scaffold/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function setup(steps: string, files: Record<string, FixtureFile> = {}) {
  h = await harness(await writeFixture({ "template.yaml": yamlTemplate(steps), ...files }), [echoAction]);
  return h;
}

const paths = (report: { files?: Array<{ path: string }> }) => (report.files ?? []).map((f) => f.path);

describe("fetch:plain and the single-file fetches", () => {
  it("copy folders and files as they are, and render one file with values", async () => {
    const run = await setup(
      `    - id: plain
      action: fetch:plain
      input: { url: ./static, targetPath: assets }
    - id: plain-file
      action: fetch:plain:file
      input: { url: ./static/logo.txt, targetPath: copy/logo.txt }
    - id: one
      action: fetch:template:file
      input: { url: ./files/config.yaml, targetPath: config/app.yaml, values: { port: 8080 } }
`,
      {
        "static/logo.txt": "${{ not rendered }}",
        "static/sub/a.txt": "a",
        "files/config.yaml": "port: ${{ values.port }}\n",
      },
    );
    const report = await run.run({}, { dryRun: true });
    expect(report.status).toBe("completed");
    const files = Object.fromEntries(
      (report.files ?? []).map((f) => [f.path, "content" in f ? f.content : f.type]),
    );
    expect(files).toMatchObject({
      "assets/logo.txt": "${{ not rendered }}",
      "assets/sub/a.txt": "a",
      "copy/logo.txt": "${{ not rendered }}",
      "config/app.yaml": "port: 8080\n",
    });
  });
});

describe("fs actions", () => {
  it("delete by glob, rename, and list the workspace", async () => {
    const run = await setup(
      `    - id: fetch
      action: fetch:plain
      input: { url: ./skel }
    - id: delete
      action: fs:delete
      input: { files: ["**/*.tmp", "junk"] }
    - id: rename
      action: fs:rename
      input: { files: [{ from: a.txt, to: moved/b.txt }] }
    - id: list
      action: fs:readdir
      input: { paths: ["."], recursive: true }
    - id: log
      action: debug:log
      input: { message: "listing", listWorkspace: true }
`,
      {
        "skel/a.txt": "a",
        "skel/x.tmp": "x",
        "skel/deep/y.tmp": "y",
        "skel/junk/z": "z",
        "skel/keep.md": "k",
      },
    );
    const report = await run.run({}, { dryRun: true });
    expect(report.status).toBe("completed");
    expect(paths(report)).toEqual(["deep", "keep.md", "moved", "moved/b.txt"]);
    const listed = report.steps[3]!.output as {
      files: Array<{ path: string }>;
      folders: Array<{ path: string }>;
    };
    expect(listed.files.map((f) => f.path).sort()).toEqual(["keep.md", "moved/b.txt"]);
    expect(listed.folders.map((f) => f.path).sort()).toEqual(["deep", "moved"]);
    expect(report.steps[4]!.log.map((l) => l.message)).toContain("Workspace:\n  - keep.md\n  - moved/b.txt");
  });

  it("refuse paths outside the workspace, and renaming onto an existing file", async () => {
    const run = await setup(
      `    - id: fetch
      action: fetch:plain
      input: { url: ./skel }
    - id: rename
      action: fs:rename
      input: { files: [{ from: a.txt, to: b.txt }] }
    - id: delete
      action: fs:delete
      if: \${{ always() }}
      input: { files: ["../*"] }
`,
      { "skel/a.txt": "a", "skel/b.txt": "b" },
    );
    const report = await run.run({}, { dryRun: true });
    expect(report.steps[1]!.error).toBe(
      "fs:rename: b.txt already exists; set overwrite: true to replace it.",
    );
    expect(report.steps[2]!.error).toMatch(/^fs:delete path "\.\.\/" leads outside/);
  });
});

describe("catalog actions", () => {
  it("write an entity, fetch entities by ref, and register only files the publisher made", async () => {
    const run = await setup(`    - id: write
      action: catalog:write
      input:
        entity:
          apiVersion: backstage.io/v1alpha1
          kind: Component
          metadata: { name: "\${{ parameters.name }}" }
          spec: { type: service, owner: team-a, lifecycle: experimental }
    - id: fetch
      action: catalog:fetch
      input: { entityRef: team-a, defaultKind: Group }
    - id: missing
      action: catalog:fetch
      input: { entityRefs: [group:default/team-a, group:default/nobody], optional: true }
    - id: register
      action: catalog:register
      input: { catalogInfoUrl: "file:///etc/catalog-info.yaml" }
`);
    run.catalog.entities.set("group:default/team-a", {
      apiVersion: "backstage.io/v1alpha1",
      kind: "Group",
      metadata: { name: "team-a" },
    });
    const report = await run.run({ name: "svc" });
    expect(report.steps[1]!.output).toEqual({ entity: expect.objectContaining({ kind: "Group" }) });
    expect(report.steps[2]!.output).toEqual({ entities: [expect.objectContaining({ kind: "Group" }), null] });
    expect(report.steps[3]!.error).toMatch(
      /^catalog:register: \/etc\/catalog-info\.yaml is outside the folders a template may register from/,
    );
    expect(run.catalog.registered).toEqual([]);
  });
});

describe("publish:local", () => {
  const steps = `    - id: fetch
      action: fetch:template
      input: { url: ./skel, values: { name: "\${{ parameters.name }}" } }
    - id: publish
      action: publish:local
      input:
        repoUrl: local?owner=acme&repo=\${{ parameters.name }}
        description: The \${{ parameters.name }} service
    - id: register
      action: catalog:register
      input:
        repoContentsUrl: \${{ steps.publish.output.repoContentsUrl }}
        catalogInfoPath: /catalog-info.yaml
`;
  const skeleton = {
    "skel/catalog-info.yaml": "metadata:\n  name: ${{ values.name }}\n",
    "skel/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
    "skel/.gitignore": "*.log\n",
    "skel/debug.log": "not committed\n",
  };

  it("commits the workspace into a bare repository under the data folder, with a checkout to register", async () => {
    const run = await setup(steps, skeleton);
    const report = await run.run({ name: "billing" });
    expect(report.status).toBe("completed");
    const bare = join(run.publishRoot, "local/acme/billing.git");
    const checkout = join(run.publishRoot, "local/acme/billing");
    expect(report.steps[1]!.output).toEqual({
      remoteUrl: `file://${bare}`,
      repoContentsUrl: `file://${checkout}`,
      commitHash: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const [commit] = await git.log({ fs, gitdir: bare, ref: "main" });
    expect(commit!.commit.message).toBe("initial commit\n");
    const tree = await git.listFiles({ fs, gitdir: bare, ref: "main" });
    expect(tree.sort()).toEqual([".gitignore", "catalog-info.yaml", "run.sh"]);
    expect(await readdir(bare)).not.toContain("index");
    expect(await readFile(join(checkout, "catalog-info.yaml"), "utf8")).toBe("metadata:\n  name: billing\n");
    expect(fs.statSync(join(checkout, "run.sh")).mode & 0o777).toBe(0o755);
    expect(run.catalog.registered).toEqual([`file:${checkout}/catalog-info.yaml`]);
    expect(report.steps[2]!.output).toEqual({
      entityRef: "component:default/registered",
      catalogInfoUrl: `file://${checkout}/catalog-info.yaml`,
    });
  });

  it("refuses to overwrite a repository that exists, leaving it as it was", async () => {
    const run = await setup(steps, skeleton);
    const first = await run.run({ name: "billing" });
    const second = await run.run({ name: "billing" });
    expect(second.status).toBe("failed");
    expect(second.steps[1]!.error).toMatch(
      /^publish:local: the repository acme\/billing already exists .*; choose another name\.$/,
    );
    const [commit] = await git.log({
      fs,
      gitdir: join(run.publishRoot, "local/acme/billing.git"),
      ref: "main",
    });
    expect(commit!.oid).toBe(first.steps[1]!.output!.commitHash);
    expect((await readdir(join(run.publishRoot, "local/acme"))).sort()).toEqual(["billing", "billing.git"]);
  });

  it("knows a repository its own task made before the checkpoint was kept, and reuses it", async () => {
    const run = await setup(steps, skeleton);
    const first = await run.run({ name: "billing" }, { taskId: "task-1" });
    const checkout = join(run.publishRoot, "local/acme/billing");
    // As if the task stopped between making the repository and keeping its checkpoint (and its checkout).
    await rm(checkout, { recursive: true });
    const again = await run.run({ name: "billing" }, { taskId: "task-1" });
    expect(again.status).toBe("completed");
    expect(again.steps[1]!.output!.commitHash).toBe(first.steps[1]!.output!.commitHash);
    expect(await readFile(join(checkout, "catalog-info.yaml"), "utf8")).toBe("metadata:\n  name: billing\n");
    expect((await readdir(join(run.publishRoot, "local/acme"))).sort()).toEqual(["billing", "billing.git"]);
    const other = await run.run({ name: "billing" }, { taskId: "task-2" });
    expect(other.steps[1]!.error).toMatch(/already exists .*; choose another name\.$/);
  });

  it("refuses names that cannot be folders", async () => {
    const run = await setup(steps, skeleton);
    const report = await run.run({ name: ".." });
    expect(report.steps[1]!.error).toMatch(
      /^publish:local: "\.\." in local\?owner=acme&repo=\.\. cannot name a folder/,
    );
  });
});
