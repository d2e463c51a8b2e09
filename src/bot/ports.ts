/**
 * State the chat adapters need but may not keep themselves (they never touch Prisma):
 * the composition root hands them these, backed by the database.
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
