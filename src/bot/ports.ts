/**
 * State the chat adapters need but may not keep themselves (they never touch Prisma):
 * the composition root hands them these, backed by the database.
 */
export interface EventLedger {
  /**
   * Record a platform event id. True the first time the id is seen (process it); false on a retry or
   * a replay, on this replica or any other, before or after a restart.
   */
  firstSeen(source: string, eventId: string): Promise<boolean>;
}

/** Where proactive messages go: a platform's conversation reference, stored as JSON. */
export interface ConversationStore {
  save(key: string, reference: unknown): Promise<void>;
  get(key: string): Promise<unknown | undefined>;
}

/** Large form state kept server-side, so only its id travels through the platform (Slack: 3,000 chars). */
export interface FormStateStore {
  put(state: string): Promise<string>;
  get(id: string): Promise<string | undefined>;
}
