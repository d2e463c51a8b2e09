import { randomUUID } from "node:crypto";
import type { PrismaDb } from "./open-database.ts";

/** A form left open longer than this is abandoned (Slack views and Teams dialogs expire well before). */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Every so many writes, abandoned states are removed, so the table does not grow for ever. */
const PRUNE_EVERY = 200;

/**
 * Form state kept server-side; the id is unguessable because it travels through the chat platform. It serves
 * the adapters' FormStateStore (src/bot/ports.ts) by its shape: src/db imports no chat code. It goes when the
 * last adapter has moved onto the core's form sessions (FormSessionStore).
 */
export class PrismaFormStateStore {
  private writes = 0;

  constructor(private readonly prisma: PrismaDb) {}

  async put(state: string): Promise<string> {
    const id = randomUUID();
    await this.prisma.formState.create({ data: { id, state } });
    if (++this.writes % PRUNE_EVERY === 0) await this.prune(MAX_AGE_MS);
    return id;
  }

  async get(id: string): Promise<string | undefined> {
    const row = await this.prisma.formState.findUnique({ where: { id } });
    return row?.state;
  }

  /** Drop states older than `maxAgeMs` (an abandoned form); returns how many were removed. */
  async prune(maxAgeMs: number, now: Date = new Date()): Promise<number> {
    const { count } = await this.prisma.formState.deleteMany({
      where: { createdAt: { lt: new Date(now.getTime() - maxAgeMs) } },
    });
    return count;
  }
}
