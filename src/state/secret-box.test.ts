import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.ts";

describe("SecretBox", () => {
  it("opens what it sealed, and the sealed text does not contain the secret", () => {
    const box = SecretBox.fromText("a passphrase");
    const sealed = box.seal("ghp_supersecret");
    expect(sealed).not.toContain("ghp_supersecret");
    expect(sealed).not.toBe(box.seal("ghp_supersecret"));
    expect(box.open(sealed)).toBe("ghp_supersecret");
  });

  it("refuses a sealed value that was altered or sealed with another key", () => {
    const box = SecretBox.fromText("one");
    const sealed = box.seal("value");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64");
    body[0] = body[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString("base64")].join("."))).toThrow();
    expect(() => SecretBox.fromText("two").open(sealed)).toThrow();
    expect(() => box.open("not sealed")).toThrow(/Not a sealed value/);
  });

  it("keeps a generated key in a file only its owner can read, and reads the same key back", () => {
    const path = join(mkdtempSync(join(tmpdir(), "cb-key-")), "keys", "secret.key");
    const sealed = SecretBox.fromKeyFile(path).seal("x");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, "utf8").trim(), "base64")).toHaveLength(32);
    expect(SecretBox.fromKeyFile(path).open(sealed)).toBe("x");
  });

  it("takes a 32-byte key as base64 or hex", () => {
    const key = Buffer.alloc(32, 7);
    const sealed = SecretBox.fromText(key.toString("base64")).seal("y");
    expect(SecretBox.fromText(key.toString("hex")).open(sealed)).toBe("y");
  });
});
