import type { PrismaDb } from "./open-database.ts";

export interface AuditEntry {
  id: number;
  at: Date;
  /** Who: a catalog ref, a chat user id, or "system". */
  actor: string;
  /** What, as a short verb phrase: "scaffold.run", "catalog.register". */
  action: string;
  detail: string;
}

/** Append-only record of who did what, read back newest first. */
export class AuditLog {
  constructor(private readonly prisma: PrismaDb) {}

  async append(entry: { actor: string; action: string; detail?: string; at?: Date }): Promise<AuditEntry> {
    return this.prisma.auditLog.create({
      data: {
        actor: entry.actor,
        action: entry.action,
        detail: entry.detail ?? "",
        at: entry.at ?? new Date(),
      },
    });
  }

  async recent(options: { limit?: number; actor?: string; action?: string } = {}): Promise<AuditEntry[]> {
    return this.prisma.auditLog.findMany({
      where: {
        ...(options.actor === undefined ? {} : { actor: options.actor }),
        ...(options.action === undefined ? {} : { action: options.action }),
      },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: Math.min(Math.max(options.limit ?? 50, 1), 1000),
    });
  }
}
