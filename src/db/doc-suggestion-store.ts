import type { ChannelSetting, DocSuggestionStore } from "../state/doc-suggestion-store.ts";
import type { PrismaDb } from "./open-database.ts";

/** Prisma's error code for a unique constraint violation. */
const UNIQUE_VIOLATION = "P2002";

/**
 * Doc suggestion settings per channel, and the threads that got a suggestion. A thread's claim is an insert
 * on its primary key: exactly one concurrent insert wins, on SQLite and PostgreSQL alike, so two replicas
 * reading the same message cannot both answer it.
 */
export class PrismaDocSuggestionStore implements DocSuggestionStore {
  constructor(
    private readonly prisma: PrismaDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async setting(surface: string, channelId: string): Promise<ChannelSetting | undefined> {
    const row = await this.prisma.docSuggestionChannel.findUnique({
      where: { surface_channelId: { surface, channelId } },
    });
    return row ? { enabled: row.enabled, changedBy: row.changedBy, changedAt: row.changedAt } : undefined;
  }

  async set(surface: string, channelId: string, enabled: boolean, changedBy: string): Promise<void> {
    const changedAt = this.now();
    await this.prisma.docSuggestionChannel.upsert({
      where: { surface_channelId: { surface, channelId } },
      create: { surface, channelId, enabled, changedBy, changedAt },
      update: { enabled, changedBy, changedAt },
    });
  }

  async claimThread(surface: string, channelId: string, threadId: string): Promise<boolean> {
    try {
      await this.prisma.docSuggestionThread.create({
        data: { surface, channelId, threadId, at: this.now() },
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }
}
