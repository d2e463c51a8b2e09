import { truncate } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  harness,
  writeFixture,
  yamlTemplate,
  type FixtureFile,
  type Harness,
} from "../../../../test/fixtures/scaffold/harness.ts";
import type { WorkspaceEntry } from "../../workspace/list-files.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

async function dryRun(
  input: string,
  files: Record<string, FixtureFile>,
  values: Record<string, unknown> = {},
) {
  h = await harness(
    await writeFixture({
      "template.yaml": yamlTemplate(`    - id: fetch\n      action: fetch:template\n      input:\n${input}`),
      ...files,
    }),
  );
  return h.run(values, { dryRun: true });
}

const byPath = (files: WorkspaceEntry[] | undefined) =>
  Object.fromEntries((files ?? []).map((f) => [f.path, f]));

describe("fetch:template", () => {
  it("renders contents and names, drops empty segments, keeps modes, binaries and inner symlinks", async () => {
    const report = await dryRun(
      `        url: ./skeleton
        values:
          name: \${{ parameters.name }}
          withDocs: \${{ parameters.withDocs }}
`,
      {
        "skeleton/README.md": "# ${{ values.name }}\n{% if values.withDocs %}Docs included.{% endif %}\n",
        "skeleton/${{ values.name }}/index.js": "export const name = '${{ values.name | upper }}';\n",
        "skeleton/{% if values.withDocs %}docs{% endif %}/index.md": "Docs for ${{ values.name }}\n",
        "skeleton/{% if not values.withDocs %}NODOCS{% endif %}": "skipped\n",
        "skeleton/bin/run.sh": { content: "#!/bin/sh\necho ${{ values.name }}\n", mode: 0o755 },
        "skeleton/logo.png": PNG,
        "skeleton/latest": { link: "README.md" },
      },
      { name: "billing", withDocs: true },
    );
    expect(report.status).toBe("completed");
    const files = byPath(report.files);
    expect(Object.keys(files).sort()).toEqual(
      [
        "README.md",
        "billing",
        "billing/index.js",
        "bin",
        "bin/run.sh",
        "docs",
        "docs/index.md",
        "latest",
        "logo.png",
      ].sort(),
    );
    expect(files["README.md"]).toMatchObject({ content: "# billing\nDocs included.\n" });
    expect(files["billing/index.js"]).toMatchObject({ content: "export const name = 'BILLING';\n" });
    expect(files["bin/run.sh"]).toMatchObject({ mode: 0o755, content: "#!/bin/sh\necho billing\n" });
    expect(files["logo.png"]).toMatchObject({ binary: true, size: PNG.length });
    expect(files["latest"]).toEqual({ type: "symlink", path: "latest", target: "README.md" });
  });

  it("copies copyWithoutTemplating matches as they are, still rendering their names", async () => {
    const report = await dryRun(
      `        url: ./skeleton
        copyWithoutTemplating: ["static/**"]
        values: { name: svc }
`,
      {
        "skeleton/static/${{ values.name }}.txt": "keep ${{ values.name }} as is\n",
        "skeleton/app.txt": "app ${{ values.name }}\n",
      },
    );
    const files = byPath(report.files);
    expect(files["static/svc.txt"]).toMatchObject({ content: "keep ${{ values.name }} as is\n" });
    expect(files["app.txt"]).toMatchObject({ content: "app svc\n" });
  });

  it("renders only files with templateFileExtension, dropping the extension", async () => {
    const report = await dryRun(
      `        url: ./skeleton
        templateFileExtension: true
        values: { name: svc }
`,
      { "skeleton/a.txt.njk": "a ${{ values.name }}\n", "skeleton/b.txt": "b ${{ values.name }}\n" },
    );
    const files = byPath(report.files);
    expect(files["a.txt"]).toMatchObject({ content: "a svc\n" });
    expect(files["b.txt"]).toMatchObject({ content: "b ${{ values.name }}\n" });
  });

  it("reads {{ cookiecutter.x }} with cookiecutterCompat, and writes under targetPath", async () => {
    const report = await dryRun(
      `        url: ./skeleton
        targetPath: ./out
        cookiecutterCompat: true
        values: { name: svc }
`,
      { "skeleton/{{ cookiecutter.name }}.md": "Hello {{ cookiecutter.name }}\n" },
    );
    expect(report.error).toBeUndefined();
    expect(byPath(report.files)["out/svc.md"]).toMatchObject({ content: "Hello svc\n" });
  });

  it("keeps files already in the workspace unless replace is set", async () => {
    h = await harness(
      await writeFixture({
        "template.yaml": yamlTemplate(`    - id: one
      action: fetch:template
      input: { url: ./first }
    - id: two
      action: fetch:template
      input: { url: ./second }
    - id: three
      action: fetch:template
      input: { url: ./third, replace: true }
`),
        "first/a.txt": "first\n",
        "first/b.txt": "first\n",
        "second/a.txt": "second\n",
        "third/b.txt": "third\n",
      }),
    );
    const report = await h.run({}, { dryRun: true });
    const files = byPath(report.files);
    expect(files["a.txt"]).toMatchObject({ content: "first\n" });
    expect(files["b.txt"]).toMatchObject({ content: "third\n" });
  });
});

describe("fetch:template refuses what would escape or overwhelm", () => {
  it("a value containing ../ that would put a file outside the workspace", async () => {
    const report = await dryRun(
      `        url: ./skeleton\n        values: { name: "\${{ parameters.name }}" }\n`,
      {
        "skeleton/${{ values.name }}/x.txt": "x\n",
      },
      { name: "../../escaped" },
    );
    expect(report.status).toBe("failed");
    expect(report.steps[0]!.error).toMatch(
      /^fetch:template: skeleton entry "\$\{\{ values\.name \}\}" renders to "\.\.\/\.\.\/escaped", which is outside the workspace\. Check the values it uses/,
    );
    expect(report.files).toEqual([]);
  });

  it("a url that leaves the template's folder", async () => {
    const report = await dryRun(`        url: ../../etc\n`, {});
    expect(report.steps[0]!.error).toMatch(
      /^url "\.\.\/\.\.\/etc" \(relative to the template's folder\) "\.\.\/\.\.\/etc" leads outside/,
    );
  });

  it("a remote url", async () => {
    const report = await dryRun(`        url: https://github.com/acme/skeletons/tree/main/node\n`, {});
    expect(report.steps[0]!.error).toMatch(
      /is remote; Callboard reads skeletons from the template's own folder/,
    );
  });

  it("a symlink in the skeleton that points outside it", async () => {
    const report = await dryRun(`        url: ./skeleton\n`, {
      "skeleton/passwd": { link: "/etc/passwd" },
      "skeleton/ok.txt": "ok",
    });
    expect(report.steps[0]!.error).toBe(
      "fetch:template: symbolic link passwd points outside the skeleton (to /etc/passwd).",
    );
  });

  it("a skeleton folder that is itself a symlink out of the template's folder", async () => {
    const report = await dryRun(`        url: ./skeleton\n`, { skeleton: { link: "/etc" } });
    expect(report.steps[0]!.error).toMatch(/goes through a symbolic link that leads outside/);
  });

  it("a 50 MB file", async () => {
    h = await harness(
      await writeFixture({
        "template.yaml": yamlTemplate(
          `    - id: fetch\n      action: fetch:template\n      input: { url: ./skeleton }\n`,
        ),
        "skeleton/huge.bin": "",
      }),
    );
    await truncate(join(h.root, "skeleton/huge.bin"), 50 * 1024 * 1024);
    const report = await h.run({}, { dryRun: true });
    expect(report.steps[0]!.error).toBe(
      "fetch:template: huge.bin is 50 MB, over the 10 MB limit for one skeleton file. Keep large files out of skeletons.",
    );
  });

  it("a skeleton whose loop would run forever is stopped by the iteration cap", async () => {
    const report = await dryRun(`        url: ./skeleton\n`, {
      "skeleton/loop.txt": "{% for i in range(100000000000) %}{{ i }}{% endfor %}",
    });
    expect(report.status).toBe("failed");
    expect(report.steps[0]!.error).toMatch(/^\.\/skeleton\/loop\.txt:1:\d+: .*1,?000,?000/);
  });

  it("a syntax error in a skeleton file names the file, line and column", async () => {
    const report = await dryRun(`        url: ./skeleton\n`, {
      "skeleton/app.js": "line one\nconst x = ${{ values.name | }};\n",
    });
    expect(report.steps[0]!.error).toMatch(/^\.\/skeleton\/app\.js:2:\d+: expected a filter name/);
  });
});
