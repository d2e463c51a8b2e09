/**
 * The docs' settings (callboard.yaml `docs:`): how often every site is checked for changed sources. A check
 * of an unchanged site costs a stat of each of its files, and nothing is rebuilt.
 */
import { z } from "zod";
import { defineConfigSection } from "../plugins/config-section.ts";

export const docsSettings = defineConfigSection({
  id: "docs",
  schema: z.object({
    /** Seconds between checks of every docs site for changed sources; 0 builds at start only. */
    CALLBOARD_DOCS_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
    /**
     * Seconds a `url:` source's commit is trusted before GitHub is asked again (each ask is one to three API
     * requests per site); 0 asks at every check. `docs rebuild` always asks.
     */
    CALLBOARD_DOCS_URL_CHECK_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Largest unpacked `url:` docs folder, in MiB; a bigger one is refused and the last good build kept. */
    CALLBOARD_DOCS_URL_MAX_MB: z.coerce.number().int().min(1).max(4096).default(100),
  }),
  yaml: {
    refreshSeconds: "CALLBOARD_DOCS_REFRESH_SECONDS",
    "url.checkSeconds": "CALLBOARD_DOCS_URL_CHECK_SECONDS",
    "url.maxMb": "CALLBOARD_DOCS_URL_MAX_MB",
  },
});
