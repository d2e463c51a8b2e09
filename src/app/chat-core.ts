import { join } from "node:path";
import type { Logger } from "pino";
import { ChatCore } from "../bot/core/chat-core.ts";
import { Continuations } from "../bot/core/continuations.ts";
import { FormSessions } from "../bot/core/form-sessions.ts";
import type { Router } from "../bot/router.ts";
import { PrismaContinuationStore } from "../db/continuation-store.ts";
import { PrismaFormSessionStore } from "../db/form-session-store.ts";
import type { Database } from "../db/open-database.ts";
import type { Registry } from "../plugins/registry.ts";
import { SecretBox } from "../state/secret-box.ts";
import type { Config } from "./config.ts";

/**
 * The chat core over the database's form sessions and continuations, so any replica can take a form's next
 * page or a "Show more". Secret form fields are sealed with CALLBOARD_SECRET_KEY, which replicas share, or
 * with a key kept in the data directory when one process is all there is.
 */
export function buildChatCore(parts: {
  config: Config;
  db: Database;
  registry: Registry;
  router: Router;
  log: Logger;
}): ChatCore {
  const { config, db, registry, router, log } = parts;
  const secrets = config.CALLBOARD_SECRET_KEY
    ? SecretBox.fromText(config.CALLBOARD_SECRET_KEY)
    : SecretBox.fromKeyFile(join(config.CALLBOARD_DATA_DIR, "secret.key"));
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
