/**
 * Keeps GitHub credentials (the token, the App's private key, installation tokens as they are issued) out
 * of every text the GitHub client logs or throws. A PEM key is matched line by line too, since an error
 * may quote a single line of it.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (!secret) return;
    const trimmed = secret.trim();
    if (trimmed.length < 8) return;
    this.secrets.add(trimmed);
    if (trimmed.includes("\n")) {
      for (const line of trimmed.split(/\r?\n/)) {
        if (line.length >= 16 && !line.startsWith("-----")) this.secrets.add(line.trim());
      }
    }
  }

  text(value: string): string {
    let out = value;
    // Longest first, so a key's lines are replaced inside it only when the whole key is not there.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join("***");
    }
    // Installation and user tokens have GitHub's prefixes; one we did not see issued is hidden as well.
    return out.replace(/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/g, "$1***");
  }

  /** An Error with the same kind of message, redacted, and no stack that could quote request options. */
  error(error: unknown): Error {
    const message = this.text(error instanceof Error ? error.message : String(error));
    const copy = new Error(message);
    copy.name = error instanceof Error ? error.name : "Error";
    return copy;
  }
}
