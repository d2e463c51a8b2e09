import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Seals values that must be stored but never read back in clear from the database or a backup: secret form
 * fields while a form is open (and, later, a scaffolder task's secrets for the task's life). AES-256-GCM, so a
 * sealed value that was altered or sealed with another key fails to open instead of yielding garbage.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("SecretBox needs a 32-byte key.");
    this.key = key;
  }

  /**
   * The key from text: 32 bytes in base64 or hex (CALLBOARD_SECRET_KEY), or any other text, which is hashed to
   * 32 bytes so a passphrase works too.
   */
  static fromText(text: string): SecretBox {
    const trimmed = text.trim();
    const base64 = Buffer.from(trimmed, "base64");
    if (base64.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(trimmed)) return new SecretBox(base64);
    if (/^[0-9a-f]{64}$/i.test(trimmed)) return new SecretBox(Buffer.from(trimmed, "hex"));
    return new SecretBox(createHash("sha256").update(trimmed).digest());
  }

  /**
   * The key kept in `path` (created with mode 0600 on first use). Right for one process on SQLite; replicas
   * that share a database must share a key, through CALLBOARD_SECRET_KEY.
   */
  static fromKeyFile(path: string): SecretBox {
    if (existsSync(path)) return SecretBox.fromText(readFileSync(path, "utf8"));
    mkdirSync(dirname(path), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [
      "v1",
      iv.toString("base64"),
      cipher.getAuthTag().toString("base64"),
      body.toString("base64"),
    ].join(".");
  }

  /** Throws when `sealed` was altered or sealed with another key. */
  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Not a sealed value.");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
  }
}
