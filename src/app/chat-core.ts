import type { Logger } from "pino";
import { ChatCore } from "../bot/core/chat-core.ts";
import { Continuations } from "../bot/core/continuations.ts";
import { FormSessions } from "../bot/core/form-sessions.ts";
import type { Router } from "../bot/core/router.ts";
import { PrismaContinuationStore } from "../db/continuation-store.ts";
import { PrismaFormSessionStore } from "../db/form-session-store.ts";
import type { Database } from "../db/open-database.ts";
import type { Registry } from "../plugins/registry.ts";
import type { SecretBox } from "../state/secret-box.ts";

/**
 * The chat core over the database's form sessions and continuations, so any replica can take a form's next
 * page or a "Show more". Secret form fields are sealed with `secrets` (CALLBOARD_SECRET_KEY, which replicas
 * share, or a key kept in the data directory when one process is all there is).
 */
export function buildChatCore(parts: {
  db: Database;
  registry: Registry;
  router: Router;
  secrets: SecretBox;
  log: Logger;
}): ChatCore {
  const { db, registry, router, secrets, log } = parts;
  const forms = new FormSessions({
    store: new PrismaFormSessionStore(db.prisma),
    secrets,
    definition: (id) => registry.forms.get(id),
    contextFor: async (origin, user) => ({
      args: "",
      flags: {},
      text: origin.text,
      user: await router.identify(user),
      conversation: origin.conversation,
      log,
    }),
    log,
  });
  return new ChatCore(router, forms, new Continuations(new PrismaContinuationStore(db.prisma)), log);
}
