import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathEscapeError, resolveInside, resolveInsideReal } from "./safe-path.ts";

let root: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cb-safe-"));
  outside = await mkdtemp(join(tmpdir(), "cb-outside-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("resolveInside", () => {
  it("keeps relative paths and inner .. inside the root", () => {
    expect(resolveInside(root, "a/b/../c.txt")).toBe(join(root, "a/c.txt"));
    expect(resolveInside(root, "./")).toBe(root);
  });

  it("refuses .. that leaves, absolute paths elsewhere and NUL", () => {
    expect(() => resolveInside(root, "../x", "targetPath")).toThrow(/targetPath "..\/x" leads outside/);
    expect(() => resolveInside(root, "a/../../x")).toThrow(PathEscapeError);
    expect(() => resolveInside(root, "/etc/passwd")).toThrow(/is absolute/);
    expect(() => resolveInside(root, "a\0b")).toThrow(/NUL/);
  });
});

describe("resolveInsideReal", () => {
  it("follows symlinks of existing parts and refuses one that leads out", async () => {
    await mkdir(join(root, "inner"));
    await symlink(join(root, "inner"), join(root, "ok"));
    await symlink(outside, join(root, "escape"));
    await expect(resolveInsideReal(root, "ok/new/file.txt")).resolves.toBe(join(root, "ok/new/file.txt"));
    await expect(resolveInsideReal(root, "escape/file.txt")).rejects.toThrow(
      /symbolic link that leads outside/,
    );
    await expect(resolveInsideReal(root, "escape")).rejects.toThrow(PathEscapeError);
  });

  it("accepts paths that do not exist yet", async () => {
    await expect(resolveInsideReal(root, "x/y/z.txt")).resolves.toBe(join(root, "x/y/z.txt"));
  });
});
