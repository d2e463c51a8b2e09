import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSource, SourceError, type SourceOptions } from "./read-source.ts";

const options = (fetchImpl: typeof fetch, maxBytes = 1024): SourceOptions => ({
  maxBytes,
  fetch: fetchImpl,
  timeoutMs: 1000,
  allowHost: (host) => host === "example.com" || host.endsWith(".example.com"),
});
const respond =
  (body: string, init: ResponseInit = {}): typeof fetch =>
  async () =>
    new Response(body, init);

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error("expected a SourceError");
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "callboard-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readSource", () => {
  it("reads UTF-8 files and strips a byte-order mark", async () => {
    const path = join(dir, "bom.yaml");
    await writeFile(path, "\uFEFFkind: Component\n");
    expect(await readSource({ type: "file", target: path }, options(fetch))).toBe("kind: Component\n");
  });

  it("classifies missing files, folders and oversized files", async () => {
    const big = join(dir, "big.yaml");
    await writeFile(big, "x".repeat(2000));
    const missing = await failure(
      readSource({ type: "file", target: join(dir, "nope.yaml") }, options(fetch)),
    );
    const folder = await failure(readSource({ type: "file", target: dir }, options(fetch)));
    const tooBig = await failure(readSource({ type: "file", target: big }, options(fetch)));
    expect([missing.code, folder.code, tooBig.code]).toEqual(["not-found", "unreadable", "too-large"]);
    expect(folder.message).toBe(`${dir} is a folder, not a file`);
  });

  it("maps HTTP answers: 404 is not-found, other errors name the status, declared length is capped", async () => {
    const url = { type: "url" as const, target: "https://example.com/c.yaml" };
    expect(await readSource(url, options(respond("kind: A\n")))).toBe("kind: A\n");
    expect((await failure(readSource(url, options(respond("", { status: 404 }))))).code).toBe("not-found");
    const forbidden = await failure(
      readSource(url, options(respond("", { status: 403, statusText: "Forbidden" }))),
    );
    expect(forbidden.message).toBe("https://example.com/c.yaml could not be fetched: HTTP 403 Forbidden");
    const declared = await failure(
      readSource(url, options(respond("x".repeat(10), { headers: { "content-length": "999999" } }))),
    );
    expect(declared.message).toContain("is 999999 bytes; the limit is 1024 bytes");
  });

  it("reports a timeout in words", async () => {
    const slow: typeof fetch = async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    };
    const error = await failure(
      readSource({ type: "url", target: "https://slow.example.com/" }, options(slow)),
    );
    expect(error.message).toBe("https://slow.example.com/ could not be fetched: no answer within 1000 ms");
  });
});
