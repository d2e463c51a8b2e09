import { randomUUID } from "node:crypto";
import type { ConversationStore, EventLedger, FormStateStore } from "../../ports.ts";

/** In-memory ports for tests and benchmarks (the app wires database-backed ones). */
export class MemoryLedger implements EventLedger {
  readonly seen = new Set<string>();
  async firstSeen(source: string, eventId: string): Promise<boolean> {
    const key = `${source}:${eventId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

export class MemoryConversations implements ConversationStore {
  readonly saved = new Map<string, unknown>();
  async save(key: string, reference: unknown): Promise<void> {
    this.saved.set(key, JSON.parse(JSON.stringify(reference)));
  }
  async get(key: string): Promise<unknown | undefined> {
    return this.saved.get(key);
  }
}

export class MemoryFormState implements FormStateStore {
  readonly states = new Map<string, string>();
  async put(state: string): Promise<string> {
    const id = randomUUID();
    this.states.set(id, state);
    return id;
  }
  async get(id: string): Promise<string | undefined> {
    return this.states.get(id);
  }
}
