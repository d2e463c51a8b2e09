import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeCatalog, writeFixture } from "../../../test/fixtures/scaffold/harness.ts";
import { builtinActions } from "../actions/builtin-actions.ts";
import { Scaffolder } from "../scaffolder.ts";
import { TrustedLocations } from "../template/trusted-locations.ts";
import { runScaffoldCli } from "./scaffold-cli.ts";

const TEMPLATE = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: secretive
spec:
  type: service
  parameters:
    - title: Values
      required: [name]
      properties:
        name: { type: string, title: Name }
        token: { type: string, title: Token, ui:field: Secret }
        password: { type: string, title: Password, ui:widget: password }
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: \${{ parameters.name }}
          password: \${{ parameters.password }}
    - id: log
      action: debug:log
      input:
        message: "token \${{ secrets.token }}, password \${{ parameters.password }}"
`;

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function cli(values: string, dryRun: boolean) {
  const root = await writeFixture({
    "template.yaml": TEMPLATE,
    "skeleton/README.md": "# ${{ values.name }}\n",
    "skeleton/secret.txt": "pw=${{ values.password }}\n",
  });
  const data = await writeFixture({});
  dirs.push(root, data);
  const catalog = Object.assign(new FakeCatalog(), { templates: () => [] });
  const scaffolder = new Scaffolder({
    catalog,
    actions: () => builtinActions({ catalog, publishRoot: join(data, "repositories") }),
    trusted: new TrustedLocations([]),
    dataDir: data,
  });
  await writeFile(join(data, "values.yaml"), values);
  let out = "";
  const audited: Array<{ action: string; detail: string }> = [];
  const code = await runScaffoldCli(
    {
      template: join(root, "template.yaml"),
      valuesFile: join(data, "values.yaml"),
      dryRun,
      audit: async (entry) => audited.push(entry),
    },
    scaffolder,
    (text) => (out += text),
  );
  return { code, out, audited };
}

describe("callboard scaffold, printing", () => {
  it("masks Secret and password values everywhere, and writes values holding ${{ }} or {% %} as text", async () => {
    const { code, out } = await cli(
      'name: "${{ parameters.password }}{% raw %}x{% endraw %}"\ntoken: tok-SECRET-1\npassword: pw-SECRET-2\n',
      false,
    );
    expect(code).toBe(0);
    expect(out).not.toContain("SECRET");
    expect(out).toContain('token: "******"');
    expect(out).toContain('password: "******"');
    // A string made from a secret is redacted whole, as Backstage does.
    expect(out).toContain('message: "***"');
    expect(out).toContain("name: ${{ parameters.password }}{% raw %}x{% endraw %}");
  });

  it("audits the run: the template, the values with secrets masked, the outcome", async () => {
    const { audited } = await cli("name: svc\ntoken: tok-SECRET-1\npassword: pw-SECRET-2\n", false);
    expect(audited).toHaveLength(1);
    expect(audited[0]!.action).toBe("scaffold.completed");
    expect(JSON.parse(audited[0]!.detail)).toMatchObject({
      template: "template:default/secretive",
      parameters: { name: "svc", token: "******", password: "******" },
      dryRun: false,
      outcome: "completed",
      via: "cli",
    });
  });

  it("shows a dry run's files with the values as they were typed", async () => {
    const { out } = await cli('name: "{% for i in range(10) %}{{ i }}{% endfor %}"\n', true);
    expect(out).toContain("    | # {% for i in range(10) %}{{ i }}{% endfor %}");
  });

  it("refuses a values file that is not a mapping", async () => {
    await expect(cli("- just\n- a list\n", true)).rejects.toThrow(
      /values\.yaml: the values file must hold a mapping/,
    );
  });
});
