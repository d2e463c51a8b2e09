/**
 * The ports: what the layers above need kept across restarts and replicas, as interfaces. `src/db` implements
 * them over Prisma; tests use the in-memory ones in test/fixtures/memory-ports.ts. Values cross these ports as
 * opaque text (JSON the owner wrote), so nothing here knows chat, catalog or scaffolder types.
 */

export interface EventLedger {
  /**
   * Claim a platform event id for answering, on this replica or any other, before or after a restart. A
   * claim comes back the first time the id is seen, after an earlier attempt released it (its answer could
   * not be delivered), or when an earlier attempt's claim outlived its lease (its process died). Undefined
   * means the event was answered already, or an attempt is answering it now: ignore the delivery.
   */
  claim(source: string, eventId: string): Promise<EventClaim | undefined>;
}

export interface EventClaim {
  /** The answer was delivered or durably queued: from now on every retry is ignored. */
  done(): Promise<void>;
  /** The attempt failed before its answer was delivered: the platform's retry may claim the event again. */
  release(): Promise<void>;
}

/** Where proactive messages go: a platform's conversation reference, stored as JSON. */
export interface ConversationStore {
  save(key: string, reference: unknown): Promise<void>;
  get(key: string): Promise<unknown | undefined>;
}

/** A stored form session: its state as the chat core wrote it, and a version for compare-and-swap. */
export interface StoredFormSession {
  state: string;
  version: number;
  expiresAt: Date;
}

/** Forms in progress. Ids are unguessable: they travel through the chat platform. */
export interface FormSessionStore {
  create(state: string, expiresAt: Date): Promise<string>;
  /** Undefined when there is no such session or it has expired. */
  get(id: string): Promise<StoredFormSession | undefined>;
  /**
   * Replace the state when the session is still at `version`; false when another request (a double click, a
   * second replica) changed it first, in which case nothing is written.
   */
  replace(id: string, version: number, state: string): Promise<boolean>;
}

/** The rest of an answer a renderer had to cut, kept once so "Show more" can fetch it. */
export interface ContinuationStore {
  put(body: string, expiresAt: Date): Promise<string>;
  /** Undefined when there is no such continuation or it has expired. */
  get(id: string): Promise<string | undefined>;
}

/**
 * What a catalog provider keeps between refreshes and across replicas (GitHub discovery: listing ETags, each
 * repository's last-seen state, a stopped discovery's cursor): JSON text under keys of its own.
 */
export interface ProviderStateStore {
  get(provider: string, key: string): Promise<string | undefined>;
  put(provider: string, key: string, value: string): Promise<void>;
  delete(provider: string, key: string): Promise<void>;
  /** Every key (and value) starting with `prefix`. */
  list(provider: string, prefix: string): Promise<Array<{ key: string; value: string }>>;
  /**
   * Take (or renew) a lease on `key` for `holder`: true when no one else holds it, or their lease is older than
   * `ttlMs` (their process died). One replica at a time gets it, on SQLite and PostgreSQL alike.
   */
  lease(provider: string, key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Give a lease back, if `holder` still has it. */
  release(provider: string, key: string, holder: string): Promise<void>;
}
