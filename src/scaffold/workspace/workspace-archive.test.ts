import { gunzipSync, gzipSync } from "node:zlib";
import { lstat, readFile, readlink } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFixture } from "../../../test/fixtures/scaffold/harness.ts";
import { packWorkspace, unpackWorkspace, WorkspaceTooLargeError } from "./workspace-archive.ts";

describe("workspace archive", () => {
  it("gives back the same files, bytes, modes, folders and symlinks", async () => {
    const from = await writeFixture({
      "README.md": "# hello\n",
      "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
      "assets/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
      "docs/index.md": { link: "../README.md" },
      "empty/.keep": "",
    });
    const to = join(await mkdtemp(join(tmpdir(), "cb-unpack-")), "ws");
    await unpackWorkspace(await packWorkspace(from), to);
    expect(await readFile(join(to, "README.md"), "utf8")).toBe("# hello\n");
    expect((await lstat(join(to, "bin/run.sh"))).mode & 0o777).toBe(0o755);
    expect([...(await readFile(join(to, "assets/logo.png")))]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255,
    ]);
    expect(await readlink(join(to, "docs/index.md"))).toBe("../README.md");
    expect(await readFile(join(to, "empty/.keep"), "utf8")).toBe("");
  });

  it("refuses a workspace over the limit, saying so", async () => {
    const from = await writeFixture({ "a.bin": Buffer.alloc(2048), "b.bin": Buffer.alloc(2048) });
    await expect(packWorkspace(from, 3000)).rejects.toThrow(WorkspaceTooLargeError);
    await expect(packWorkspace(from, 3000)).rejects.toThrow(/the workspace holds more than/);
  });

  it("refuses an archive whose paths would leave the folder", async () => {
    const archive = await packWorkspace(await writeFixture({ "x.txt": "x" }));
    const raw = gunzipSync(archive);
    const length = raw.readUInt32BE(0);
    const header = raw
      .subarray(4, 4 + length)
      .toString("utf8")
      .replace('"x.txt"', '"../x.txt"');
    const bytes = Buffer.from(header);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(bytes.length);
    const evil = gzipSync(Buffer.concat([size, bytes, raw.subarray(4 + length)]));
    const to = join(await mkdtemp(join(tmpdir(), "cb-unpack-")), "ws");
    await expect(unpackWorkspace(evil, to)).rejects.toThrow("outside the workspace: ../x.txt");
  });
});
