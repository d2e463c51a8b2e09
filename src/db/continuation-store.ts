import { randomUUID } from "node:crypto";
import type { ContinuationStore } from "../state/ports.ts";
import type { PrismaDb } from "./open-database.ts";

const PRUNE_EVERY = 200;

/** The rest of cut answers, shared by every replica so "Show more" works whichever one gets the press. */
export class PrismaContinuationStore implements ContinuationStore {
  private puts = 0;

  constructor(
    private readonly prisma: PrismaDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(body: string, expiresAt: Date): Promise<string> {
    const id = randomUUID();
    await this.prisma.continuation.create({ data: { id, body, expiresAt } });
    if (++this.puts % PRUNE_EVERY === 0) await this.prune();
    return id;
  }

  async get(id: string): Promise<string | undefined> {
    const row = await this.prisma.continuation.findUnique({ where: { id } });
    return row && row.expiresAt.getTime() > this.now().getTime() ? row.body : undefined;
  }

  /** Drop expired continuations; returns how many were removed. */
  async prune(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM "Continuation" WHERE "expiresAt" < ${this.now()}`;
  }
}
