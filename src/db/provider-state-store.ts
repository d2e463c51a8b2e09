import type { ProviderStateStore } from "../state/ports.ts";
import type { PrismaDb } from "./open-database.ts";

/**
 * Catalog providers' remembered state in the shared database, so every replica resumes from the same cursor
 * and trusts the same ETags. Writes are single statements (an upsert), never Prisma's transactional
 * upsert, which deadlocks two SQLite connections in one process.
 */
export class PrismaProviderStateStore implements ProviderStateStore {
  constructor(private readonly prisma: PrismaDb) {}

  async get(provider: string, key: string): Promise<string | undefined> {
    const row = await this.prisma.providerState.findUnique({ where: { provider_key: { provider, key } } });
    return row?.value;
  }

  async put(provider: string, key: string, value: string): Promise<void> {
    const now = new Date();
    await this.prisma.$executeRaw`
      INSERT INTO "ProviderState" ("provider", "key", "value", "updatedAt") VALUES (${provider}, ${key}, ${value}, ${now})
      ON CONFLICT ("provider", "key") DO UPDATE SET "value" = ${value}, "updatedAt" = ${now}`;
  }

  async delete(provider: string, key: string): Promise<void> {
    await this.prisma
      .$executeRaw`DELETE FROM "ProviderState" WHERE "provider" = ${provider} AND "key" = ${key}`;
  }

  async lease(provider: string, key: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const cutoff = new Date(now.getTime() - ttlMs);
    // One statement: the insert, or the update of a lease that is ours or has lapsed, decides who holds it.
    const taken = await this.prisma.$executeRaw`
      INSERT INTO "ProviderState" ("provider", "key", "value", "updatedAt") VALUES (${provider}, ${key}, ${holder}, ${now})
      ON CONFLICT ("provider", "key") DO UPDATE SET "value" = ${holder}, "updatedAt" = ${now}
      WHERE "ProviderState"."value" = ${holder} OR "ProviderState"."updatedAt" < ${cutoff}`;
    return taken === 1;
  }

  async release(provider: string, key: string, holder: string): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM "ProviderState" WHERE "provider" = ${provider} AND "key" = ${key} AND "value" = ${holder}`;
  }

  async list(provider: string, prefix: string): Promise<Array<{ key: string; value: string }>> {
    const rows = await this.prisma.providerState.findMany({
      where: { provider, key: { startsWith: prefix } },
      orderBy: { key: "asc" },
    });
    // Prisma's startsWith is a LIKE that leaves `_` a wildcard: keep only the literal prefix's rows.
    return rows
      .filter((row) => row.key.startsWith(prefix))
      .map((row) => ({ key: row.key, value: row.value }));
  }
}
