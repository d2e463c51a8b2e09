import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "./build-app.ts";
import { loadConfig } from "./config.ts";

/** Every log line as an object, so a test can see what the app did (an index rebuild, a staged write). */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A location large enough (over 2,000 entities) that its search index write is staged on the writer thread. */
function largeCatalog(dir: string, components: number): string {
  const docs = [
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-bulk\nspec:\n  type: team\n  children: []\n",
  ];
  for (let i = 0; i < components; i++) {
    docs.push(
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bulk-service-${i}\n` +
        `  description: Settles ledger batch ${i}.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-bulk\n`,
    );
  }
  const file = join(dir, "catalog-info.yaml");
  writeFileSync(file, docs.join("---\n"));
  return file;
}

describe("buildApp: the catalog and its search index", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("stages a large import's index write, commits it with the store, and records a fingerprint start-up trusts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-app-"));
    dirs.push(dir);
    const file = largeCatalog(dir, 2_100);
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data") }, { cwd: dir });

    const first = recordingLogger();
    const app = await buildApp(config, first.log, { skipImport: true });
    try {
      const report = await app.importLocation(file, "test");
      expect(report.added).toHaveLength(2_101);
      const imported = first.lines.find((l) => l.msg === "location imported");
      expect(imported?.staged).toBe("committed");
      const hits = await app.search.search({ q: "bulk-service-2050" });
      expect(hits.hits[0]?.id).toBe("component:default/bulk-service-2050");
      expect(hits.hits[0]?.owner).toBe("group:default/team-bulk");
    } finally {
      await app.close();
    }

    // A restart finds the index current: no rebuild, and the import's documents are there.
    const second = recordingLogger();
    const again = await buildApp(config, second.log, { skipImport: true });
    try {
      expect(second.lines.some((l) => l.msg === "search index rebuilt")).toBe(false);
      expect((await again.search.search({ q: "bulk-service-7" })).hits[0]?.id).toBe(
        "component:default/bulk-service-7",
      );
    } finally {
      await again.close();
    }
  });
});
