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

  it("borrows another entity's docs with its path, and says url: is not supported yet", async () => {
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
    const url = await resolveDocsSource(
      entity({ "backstage.io/techdocs-ref": "url:https://github.com/acme/x/tree/main" }),
      "file:/x/catalog-info.yaml",
      [],
    );
    expect((url as { message: string }).message).toMatch(/not supported yet/);
    expect(
      await resolveDocsSource(entity({ "backstage.io/techdocs-ref": "dir:." }), "url:https://h/x.yaml", []),
    ).toMatchObject({
      type: "problem",
    });
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
