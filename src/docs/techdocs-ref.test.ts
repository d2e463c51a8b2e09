import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Entity } from "../catalog/model/entity.ts";
import { declaresDocs, resolveDocsSource } from "./techdocs-ref.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function entity(annotations: Record<string, string>, origin?: string): Entity {
  return {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Component",
    metadata: {
      name: "svc",
      annotations: {
        ...annotations,
        ...(origin ? { "backstage.io/managed-by-origin-location": origin } : {}),
      },
    },
  };
}

describe("resolveDocsSource", () => {
  it("resolves dir: relative to the descriptor file, inside the imported folder", async () => {
    const root = mkdtempSync(join(tmpdir(), "docs-ref-"));
    dirs.push(root);
    mkdirSync(join(root, "repos", "svc", "site"), { recursive: true });
    const file = `file:${join(root, "repos", "svc", "catalog-info.yaml")}`;
    const origin = `file:${join(root, "catalog-info.yaml")}`;
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "dir:." }, origin), file, []),
    ).toEqual({
      type: "dir",
      root: join(root, "repos", "svc"),
    });
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "dir:./site" }, origin), file, []),
    ).toMatchObject({
      root: join(root, "repos", "svc", "site"),
    });
    // Climbing out of the imported folder, by path or by symlink, is refused.
    const escape = await resolveDocsSource(
      entity({ "backstage.io/techdocs-ref": "dir:../../.." }, origin),
      file,
      [],
    );
    expect(escape).toMatchObject({ type: "problem" });
    expect((escape as { message: string }).message).toMatch(/outside/);
    symlinkSync(tmpdir(), join(root, "repos", "svc", "out"));
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "dir:out" }, origin), file, []),
    ).toMatchObject({
      type: "problem",
    });
    // ...unless the operator listed the folder.
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "dir:../../.." }, origin), file, [
        join(root, ".."),
      ]),
    ).toMatchObject({ type: "dir" });
  });

  it("borrows another entity's docs with its path", async () => {
    expect(
      await resolveDocsSource(
        entity({
          "backstage.io/techdocs-entity": "payments-api",
          "backstage.io/techdocs-entity-path": "/guides/api/",
        }),
        undefined,
        [],
      ),
    ).toEqual({ type: "borrow", siteRef: "component:default/payments-api", path: "guides/api/" });
  });

  it("reads url: as a repository folder, and dir: beside a repository descriptor as its tree URL", async () => {
    expect(
      await resolveDocsSource(
        entity({ "backstage.io/techdocs-ref": " url:https://github.com/acme/x/tree/main/docs " }),
        "file:/x/catalog-info.yaml",
        [],
      ),
    ).toEqual({ type: "url", url: "https://github.com/acme/x/tree/main/docs" });
    for (const bad of ["url:", "url:acme/x", "url:file:///etc/passwd", "url:javascript:alert(1)"]) {
      const result = await resolveDocsSource(entity({ "backstage.io/techdocs-ref": bad }), undefined, []);
      expect(result).toMatchObject({ type: "problem" });
      expect((result as { message: string }).message).toMatch(/is not a repository URL/);
    }
    const blob = "url:https://github.com/acme/pay/blob/main/services/api/catalog-info.yaml";
    const beside = (dir: string) => resolveDocsSource(entity({ "backstage.io/techdocs-ref": dir }), blob, []);
    expect(await beside("dir:.")).toEqual({
      type: "url",
      url: "https://github.com/acme/pay/tree/main/services/api",
    });
    expect(await beside("dir:../../handbook")).toEqual({
      type: "url",
      url: "https://github.com/acme/pay/tree/main/handbook",
    });
    // A branch with a slash, as discovery encodes it, and a folder name that needs escaping.
    expect(
      await resolveDocsSource(
        entity({ "backstage.io/techdocs-ref": "dir:my docs" }),
        "url:https://github.com/acme/pay/blob/release%2F2026/catalog-info.yaml",
        [],
      ),
    ).toEqual({ type: "url", url: "https://github.com/acme/pay/tree/release/2026/my%20docs" });
    // Climbing above the repository's root is refused.
    const escape = await beside("dir:../../../..");
    expect(escape).toMatchObject({ type: "problem" });
    expect((escape as { message: string }).message).toMatch(
      /leaves the repository https:\/\/github.com\/acme\/pay/,
    );
    // A descriptor read from a URL that is not a repository file says where it was read.
    const plain = await resolveDocsSource(
      entity({ "backstage.io/techdocs-ref": "dir:." }),
      "url:https://h/x.yaml",
      [],
    );
    expect((plain as { message: string }).message).toMatch(/read from url:https:\/\/h\/x.yaml/);
  });

  it("answers unknown schemes and broken refs with a problem", async () => {
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "git:x" }), undefined, []),
    ).toMatchObject({ type: "problem" });
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-entity": "a:b:c/" }), undefined, []),
    ).toMatchObject({
      type: "problem",
    });
    expect(await resolveDocsSource(entity({}), undefined, [])).toEqual({ type: "none" });
    expect(declaresDocs(entity({}))).toBe(false);
    expect(declaresDocs(entity({ "backstage.io/techdocs-entity": "x" }))).toBe(true);
  });
});
