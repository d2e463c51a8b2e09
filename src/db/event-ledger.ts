import { randomUUID } from "node:crypto";
import type { EventClaim, EventLedger } from "../state/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/** Platforms retry for minutes, not days: ids older than this are pruned. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * An attempt still "processing" after this long is taken to have died with its process, and a retry may
 * claim the event. Longer than any answer takes (outbound calls give up after seconds) and than Teams waits
 * for a turn (15 s), so a retry that arrives while the first attempt still runs is ignored; shorter than
 * Slack's last retry (about 5 minutes after the first delivery), so an event a crash interrupted is answered.
 */
export const CLAIM_LEASE_MS = 60 * 1000;
/** Prune on roughly one call in this many, so the table stays small without a scheduler. */
const PRUNE_EVERY = 500;

/** Prisma's error code for a unique constraint violation. */
const UNIQUE_VIOLATION = "P2002";

/**
 * Platform event de-duplication shared by every replica. The insert itself is the test: the primary key on
 * (source, eventId) lets exactly one concurrent insert win, on SQLite and PostgreSQL alike, so there is no
 * read-then-write race. Taking over an abandoned claim is a conditional update, so again one replica wins.
 * Each claim carries a token, so an attempt that releases or finishes late never touches a newer claim.
 */
export class PrismaEventLedger implements EventLedger {
  private calls = 0;

  constructor(
    private readonly prisma: PrismaDb,
    private readonly now: () => Date = () => new Date(),
    private readonly leaseMs: number = CLAIM_LEASE_MS,
  ) {}

  async claim(source: string, eventId: string): Promise<EventClaim | undefined> {
    if (++this.calls % PRUNE_EVERY === 0) await this.prune();
    const token = randomUUID();
    const now = this.now();
    try {
      await this.prisma.processedEvent.create({
        data: { source, eventId, state: "processing", token, createdAt: now },
      });
      return this.claimHandle(source, eventId, token);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    // Released claims are deleted (the insert above then succeeds), so only an abandoned one can be taken:
    // a compare-and-swap on the abandoned attempt's token, so of several replicas exactly one wins.
    const row = await this.prisma.processedEvent.findUnique({
      where: { source_eventId: { source, eventId } },
    });
    if (!row || row.state !== "processing" || row.createdAt.getTime() > now.getTime() - this.leaseMs) {
      return undefined;
    }
    const taken = await this.prisma.$executeRaw`
      UPDATE "ProcessedEvent" SET "token" = ${token}, "createdAt" = ${now}
      WHERE "source" = ${source} AND "eventId" = ${eventId} AND "token" = ${row.token} AND "state" = 'processing'`;
    return taken === 1 ? this.claimHandle(source, eventId, token) : undefined;
  }

  // Single statements rather than updateMany/deleteMany: Prisma wraps those in a transaction, and two SQLite
  // connections in one process (replicas in tests) then wait on each other's write lock until a timeout.
  private claimHandle(source: string, eventId: string, token: string): EventClaim {
    return {
      done: async () => {
        await this.prisma.$executeRaw`
          UPDATE "ProcessedEvent" SET "state" = 'done'
          WHERE "source" = ${source} AND "eventId" = ${eventId} AND "token" = ${token}`;
      },
      release: async () => {
        await this.prisma.$executeRaw`
          DELETE FROM "ProcessedEvent"
          WHERE "source" = ${source} AND "eventId" = ${eventId} AND "token" = ${token} AND "state" = 'processing'`;
      },
    };
  }

  /** Forget ids older than the retention window; returns how many were removed. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - EVENT_RETENTION_MS);
    const { count } = await this.prisma.processedEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }
}
