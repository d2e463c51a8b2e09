import { ConnectorFactory, type ConnectorClient } from "botframework-connector";

/**
 * CloudAdapter asks for a ConnectorClient on every turn, and botbuilder 4.23 builds a new one each time: a
 * new credentials object and a new @azure/core-client request pipeline, which profiling showed to be about a
 * tenth of a turn's CPU. A client holds no per-turn state (its credentials fetch and refresh their own
 * token), so one per bot app id, service URL and audience is reused, as the older BotFrameworkAdapter did.
 */
export class ConnectorClientCache {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  constructor(private readonly maxEntries = 256) {}

  /** A factory that answers from this cache and builds through `inner` on a miss. */
  wrap(inner: ConnectorFactory, appId: string): ConnectorFactory {
    return new CachingConnectorFactory(this, inner, appId);
  }

  get size(): number {
    return this.clients.size;
  }

  /** @internal */
  client(key: string, build: () => Promise<ConnectorClient>): Promise<ConnectorClient> {
    const cached = this.clients.get(key);
    if (cached) return cached;
    // Service URLs are a handful per cloud region; a flood of distinct ones is not worth keeping.
    if (this.clients.size >= this.maxEntries) this.clients.clear();
    const building = build();
    this.clients.set(key, building);
    // A failed build (credentials) is not kept: the next turn tries again.
    building.catch(() => {
      if (this.clients.get(key) === building) this.clients.delete(key);
    });
    return building;
  }
}

class CachingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly cache: ConnectorClientCache,
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = JSON.stringify([this.appId, serviceUrl, audience ?? ""]);
    return this.cache.client(key, () => this.inner.create(serviceUrl, audience));
  }
}
