import { randomUUID } from "node:crypto";
import type { FormSessionStore, StoredFormSession } from "../state/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/** Every so many new sessions, expired ones are removed, so the table does not grow for ever. */
const PRUNE_EVERY = 200;

/**
 * Form sessions shared by every replica. Changes are single UPDATE statements guarded by the version, so of
 * two requests racing on one session (a double click, two replicas) exactly one writes. (Prisma's updateMany
 * would wrap this in a transaction, and two SQLite connections in one process then wait on each other.)
 */
export class PrismaFormSessionStore implements FormSessionStore {
  private creates = 0;

  constructor(
    private readonly prisma: PrismaDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(state: string, expiresAt: Date): Promise<string> {
    const id = randomUUID();
    await this.prisma.formSession.create({ data: { id, state, version: 1, expiresAt } });
    if (++this.creates % PRUNE_EVERY === 0) await this.prune();
    return id;
  }

  async get(id: string): Promise<StoredFormSession | undefined> {
    const row = await this.prisma.formSession.findUnique({ where: { id } });
    if (!row || row.expiresAt.getTime() <= this.now().getTime()) return undefined;
    return { state: row.state, version: row.version, expiresAt: row.expiresAt };
  }

  async replace(id: string, version: number, state: string): Promise<boolean> {
    const changed = await this.prisma.$executeRaw`
      UPDATE "FormSession" SET "state" = ${state}, "version" = ${version + 1}
      WHERE "id" = ${id} AND "version" = ${version}`;
    return changed === 1;
  }

  /** Drop expired sessions; returns how many were removed. */
  async prune(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM "FormSession" WHERE "expiresAt" < ${this.now()}`;
  }
}
