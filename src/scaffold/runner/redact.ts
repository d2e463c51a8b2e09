/** Secret values replaced by `***` wherever they appear in text meant for people or logs. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(values: Iterable<unknown>): void {
    for (const value of values) {
      if (typeof value === "string" && value.length > 0) this.secrets.add(value);
    }
  }

  text(text: string): string {
    if (this.secrets.size === 0) return text;
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join("***");
    }
    return out;
  }

  /** A copy of a JSON value with every string redacted. */
  value<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)])) as T;
    }
    return value;
  }
}
