import type { EventLedger } from "../bot/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/** Platforms retry for minutes, not days: ids older than this are pruned. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Prune on roughly one call in this many, so the table stays small without a scheduler. */
const PRUNE_EVERY = 500;

/** Prisma's error code for a unique constraint violation. */
const UNIQUE_VIOLATION = "P2002";

/**
 * Platform event de-duplication shared by every replica. The insert itself is the test: the primary key on
 * (source, eventId) lets exactly one concurrent insert win, on SQLite and PostgreSQL alike, so there is no
 * read-then-write race.
 */
export class PrismaEventLedger implements EventLedger {
  private calls = 0;

  constructor(
    private readonly prisma: PrismaDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async firstSeen(source: string, eventId: string): Promise<boolean> {
    if (++this.calls % PRUNE_EVERY === 0) await this.prune();
    try {
      await this.prisma.processedEvent.create({ data: { source, eventId, createdAt: this.now() } });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  /** Forget ids older than the retention window; returns how many were removed. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - EVENT_RETENTION_MS);
    const { count } = await this.prisma.processedEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }
}
