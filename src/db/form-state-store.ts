import { randomUUID } from "node:crypto";
import type { FormStateStore } from "../bot/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/** Form state kept server-side; the id is unguessable because it travels through the chat platform. */
export class PrismaFormStateStore implements FormStateStore {
  constructor(private readonly prisma: PrismaDb) {}

  async put(state: string): Promise<string> {
    const id = randomUUID();
    await this.prisma.formState.create({ data: { id, state } });
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
