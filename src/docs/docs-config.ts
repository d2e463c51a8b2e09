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
  }),
  yaml: { refreshSeconds: "CALLBOARD_DOCS_REFRESH_SECONDS" },
});
