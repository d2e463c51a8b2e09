import type { PrismaDb } from "./open-database.ts";

export interface ChatUserLink {
  /** "slack", "teams", "shell". */
  surface: string;
  /** The platform's user id (Slack U123, Teams AAD object id). */
  platformId: string;
  /** The catalog user this chat user is, e.g. user:default/jane.doe. */
  catalogRef: string;
  email?: string;
  updatedAt: Date;
}

/** Cache of which catalog user a chat user is, so resolution (email lookup) happens once per user. */
export class ChatUserLinks {
  constructor(private readonly prisma: PrismaDb) {}

  async get(surface: string, platformId: string): Promise<ChatUserLink | undefined> {
    const row = await this.prisma.chatUserLink.findUnique({
      where: { surface_platformId: { surface, platformId } },
    });
    if (!row) return undefined;
    return {
      surface: row.surface,
      platformId: row.platformId,
      catalogRef: row.catalogRef,
      ...(row.email === null ? {} : { email: row.email }),
      updatedAt: row.updatedAt,
    };
  }

  async put(link: {
    surface: string;
    platformId: string;
    catalogRef: string;
    email?: string;
  }): Promise<void> {
    const data = { catalogRef: link.catalogRef, email: link.email ?? null };
    await this.prisma.chatUserLink.upsert({
      where: { surface_platformId: { surface: link.surface, platformId: link.platformId } },
      create: { surface: link.surface, platformId: link.platformId, ...data },
      update: data,
    });
  }

  async remove(surface: string, platformId: string): Promise<void> {
    await this.prisma.chatUserLink.deleteMany({ where: { surface, platformId } });
  }
}
