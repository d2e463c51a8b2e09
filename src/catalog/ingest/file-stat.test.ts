/**
 * The stat-based skip (file-stat.ts): a local file whose size, inode, mtime and ctime are what its record has is
 * not read at all; any change to those and it is read and hashed, and parsed only if its content changed.
 */
import * as fsPromises from "node:fs/promises";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcessedEntity } from "../model/entity.ts";
import type { PreviousRead } from "./file-memo.ts";
import { readLocation, type ReadResult } from "./read-location.ts";

// Counts the reads of file contents (read-source.ts reads through node:fs/promises' readFile).
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

/** What the catalog would pass as `previous` after storing `result`. */
function previousOf(result: ReadResult): PreviousRead {
  const records = new Map(result.records.map((r) => [r.file, r]));
  const entities = new Map<string, ProcessedEntity>(result.entities.map((e) => [e.ref, e]));
  return { file: (file) => records.get(file), entity: (ref) => entities.get(ref) };
}

describe("re-reading local files by their stat fingerprint", () => {
  let dir: string;
  let file: string;
  const past = new Date("2026-01-02T03:04:05Z");
  // Fingerprints of files written a moment ago are recorded here; the default waits 2 s for the clock to move.
  const read = (previous?: PreviousRead) =>
    readLocation(file, { parallel: false, statSettleMs: 0, ...(previous ? { previous } : {}) });
  const contentReads = () =>
    vi.mocked(fsPromises.readFile).mock.calls.filter(([path]) => String(path) === file).length;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cb-stat-"));
    file = join(dir, "catalog-info.yaml");
    writeFileSync(file, component("payments", "team-a"));
    utimesSync(file, past, past);
    vi.mocked(fsPromises.readFile).mockClear();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("does not read a file whose fingerprint is unchanged, and gives its entities as they were", async () => {
    const first = await read();
    expect(first.records[0]?.stat).toBeDefined();
    expect(contentReads()).toBe(1);
    const second = await read(previousOf(first));
    expect(contentReads()).toBe(1);
    expect(second.parsedFiles).toBe(0);
    expect(second.records[0]).toBe(first.records[0]);
    expect(second.entities.map((e) => e.ref)).toEqual(["component:default/payments"]);
    expect(second.files).toEqual(first.files);
  });

  it("hashes a file rewritten with the same content (new mtime) and still does not parse it", async () => {
    const first = await read();
    writeFileSync(file, component("payments", "team-a"));
    const second = await read(previousOf(first));
    expect(contentReads()).toBe(2);
    expect(second.parsedFiles).toBe(0);
    // The new fingerprint is recorded, so the next read skips the file again without reading it.
    expect(second.records[0]?.stat).toBeDefined();
    expect(second.records[0]?.stat).not.toBe(first.records[0]?.stat);
    const third = await read(previousOf(second));
    expect(contentReads()).toBe(2);
    expect(third.parsedFiles).toBe(0);
  });

  it("reads a same-size edit whose mtime was put back: its ctime moved", async () => {
    const first = await read();
    const before = statSync(file);
    writeFileSync(file, component("payments", "team-b"));
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).size).toBe(before.size);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    const second = await read(previousOf(first));
    expect(contentReads()).toBe(2);
    expect(second.parsedFiles).toBe(1);
    expect(second.entities[0]?.entity.spec?.owner).toBe("team-b");
  });

  it("records no fingerprint for a file changed too recently to trust it, so it is hashed next time", async () => {
    writeFileSync(file, component("payments", "team-a"));
    const first = await readLocation(file, { parallel: false });
    expect(first.records[0]?.stat).toBeUndefined();
    const second = await readLocation(file, { parallel: false, previous: previousOf(first) });
    expect(contentReads()).toBe(2);
    expect(second.parsedFiles).toBe(0);
  });

  it("a fingerprint matching a file that is gone does not hide that it is gone", async () => {
    const first = await read();
    rmSync(file);
    const second = await read(previousOf(first));
    expect(second.entities).toEqual([]);
    expect(second.problems[0]?.message).toMatch(/does not exist/);
  });
});
