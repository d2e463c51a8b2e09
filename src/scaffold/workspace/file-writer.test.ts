import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileWriter, WritePipeline } from "./file-writer.ts";

let root: string;
let outside: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cb-writer-"));
  outside = await mkdtemp(join(tmpdir(), "cb-writer-out-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("FileWriter", () => {
  it("writes files with their mode and keeps an existing file unless replacing", async () => {
    const writer = new FileWriter(root);
    expect(await writer.write(join(root, "a/b/run.sh"), "#!/bin/sh\n", 0o755, false)).toBe(true);
    expect((await lstat(join(root, "a/b/run.sh"))).mode & 0o777).toBe(0o755);
    expect(await writer.write(join(root, "a/b/run.sh"), "other", 0o644, false)).toBe(false);
    expect(await readFile(join(root, "a/b/run.sh"), "utf8")).toBe("#!/bin/sh\n");
    expect(await writer.write(join(root, "a/b/run.sh"), "other", 0o644, true)).toBe(true);
    expect(await readFile(join(root, "a/b/run.sh"), "utf8")).toBe("other");
  });

  it("creates nothing through a symlinked folder that leads outside", async () => {
    await symlink(outside, join(root, "planted"));
    const writer = new FileWriter(root);
    await expect(writer.write(join(root, "planted/new/file.txt"), "x", 0o644, false)).rejects.toThrow(
      /goes through a symbolic link that leads outside/,
    );
    expect(await readdir(outside)).toEqual([]);
  });

  it("replaces a planted symlink instead of writing through it", async () => {
    await writeFile(join(outside, "target.txt"), "precious");
    await symlink(join(outside, "target.txt"), join(root, "file.txt"));
    const writer = new FileWriter(root);
    await writer.write(join(root, "file.txt"), "new", 0o644, true);
    expect(await readFile(join(outside, "target.txt"), "utf8")).toBe("precious");
    expect((await lstat(join(root, "file.txt"))).isSymbolicLink()).toBe(false);
  });

  it("refuses a link that is inside by its spelling but leads out from the folder it really is in", async () => {
    await mkdir(join(root, "deep/er"), { recursive: true });
    // deep/er/up is the workspace root itself, so ../x from inside it is outside the workspace.
    await symlink(root, join(root, "deep/er/up"));
    const writer = new FileWriter(root);
    await expect(writer.link(join(root, "deep/er/up/lnk"), "../x", false)).rejects.toThrow(
      /symbolic link deep\/er\/up\/lnk would point outside the workspace/,
    );
    await expect(writer.link(join(root, "deep/ok"), "er", false)).resolves.toBe(true);
  });
});

describe("WritePipeline", () => {
  it("bounds writes in flight and reports the first failure", async () => {
    const pipeline = new WritePipeline(2);
    let running = 0;
    let most = 0;
    const job = (fail = false) =>
      new Promise<void>((resolve, reject) => {
        running++;
        most = Math.max(most, running);
        setTimeout(() => {
          running--;
          if (fail) reject(new Error("disk full"));
          else resolve();
        }, 5);
      });
    for (let i = 0; i < 6; i++) await pipeline.add(job());
    await pipeline.drain();
    expect(most).toBeLessThanOrEqual(2);
    await pipeline.add(job(true)).catch(() => undefined);
    await expect(pipeline.drain()).rejects.toThrow("disk full");
  });
});
