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

  async list(provider: string, prefix: string): Promise<Array<{ key: string; value: string }>> {
    const rows = await this.prisma.providerState.findMany({
      where: { provider, key: { startsWith: prefix } },
      orderBy: { key: "asc" },
    });
    return rows.map((row) => ({ key: row.key, value: row.value }));
  }
}
