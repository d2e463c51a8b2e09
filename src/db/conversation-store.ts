import type { ConversationStore } from "../state/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/** Conversation references for proactive messages, stored as JSON text. */
export class PrismaConversationStore implements ConversationStore {
  constructor(private readonly prisma: PrismaDb) {}

  async save(key: string, reference: unknown): Promise<void> {
    const json = JSON.stringify(reference);
    if (json === undefined) throw new Error(`Conversation reference for ${key} is not JSON-serialisable.`);
    await this.prisma.conversationRef.upsert({
      where: { key },
      create: { key, reference: json },
      update: { reference: json },
    });
  }

  async get(key: string): Promise<unknown | undefined> {
    const row = await this.prisma.conversationRef.findUnique({ where: { key } });
    return row ? (JSON.parse(row.reference) as unknown) : undefined;
  }
}
