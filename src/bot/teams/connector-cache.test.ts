import { ConnectorFactory, type ConnectorClient } from "botframework-connector";
import { describe, expect, it } from "vitest";
import { ConnectorClientCache } from "./connector-cache.ts";

class CountingFactory extends ConnectorFactory {
  created: string[] = [];
  failNext = false;
  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    this.created.push(`${serviceUrl} ${audience ?? ""}`);
    if (this.failNext) {
      this.failNext = false;
      throw new Error("credentials unavailable");
    }
    return { serviceUrl, audience } as unknown as ConnectorClient;
  }
}

describe("ConnectorClientCache", () => {
  it("builds one client per app id, service URL and audience, shared across turns", async () => {
    const cache = new ConnectorClientCache();
    const inner = new CountingFactory();
    const turn = () => cache.wrap(inner, "app-1");
    const [a, b] = await Promise.all([
      turn().create("https://smba.example/emea/", "aud"),
      turn().create("https://smba.example/emea/", "aud"),
    ]);
    expect(a).toBe(b);
    await turn().create("https://smba.example/amer/", "aud");
    await turn().create("https://smba.example/emea/");
    await cache.wrap(inner, "app-2").create("https://smba.example/emea/", "aud");
    expect(inner.created).toEqual([
      "https://smba.example/emea/ aud",
      "https://smba.example/amer/ aud",
      "https://smba.example/emea/ ",
      "https://smba.example/emea/ aud",
    ]);
  });

  it("does not keep a failed build, so the next turn tries again", async () => {
    const cache = new ConnectorClientCache();
    const inner = new CountingFactory();
    inner.failNext = true;
    await expect(cache.wrap(inner, "app").create("https://smba.example/", "aud")).rejects.toThrow(
      "credentials unavailable",
    );
    await expect(cache.wrap(inner, "app").create("https://smba.example/", "aud")).resolves.toBeDefined();
    expect(inner.created).toHaveLength(2);
    expect(cache.size).toBe(1);
  });

  it("starts over instead of growing past its bound", async () => {
    const cache = new ConnectorClientCache(2);
    const inner = new CountingFactory();
    for (const url of ["https://a/", "https://b/", "https://c/"]) await cache.wrap(inner, "app").create(url);
    expect(cache.size).toBe(1);
  });
});
