/**
 * The catalog's settings: what is imported at start, how often stored locations are read again, and what
 * a reader may reach. A section of its own (callboard.yaml `catalog:`), read with every other section.
 */
import { isAbsolute } from "node:path";
import { z } from "zod";
import { commaList, defineConfigSection, optionalText } from "../plugins/config-section.ts";

export const catalogSettings = defineConfigSection({
  id: "catalog",
  schema: z.object({
    /** Folder, file or URL imported at start. */
    CALLBOARD_CATALOG: optionalText,
    /** Re-import stored locations on this interval; 0 is off. */
    CALLBOARD_REFRESH_SECONDS: z.coerce.number().int().min(0).default(0),
    /**
     * Seconds between a replica's reads of the catalog change log, so changes other replicas write reach its
     * graph and search. On PostgreSQL a notification wakes it at once and this is the safety net.
     */
    CALLBOARD_FOLLOW_SECONDS: z.coerce.number().min(0.1).max(3600).default(2),
    /** Hosts descriptor URLs may be read from besides the imported URL's own (comma-separated). */
    CALLBOARD_READ_ALLOW: commaList(
      z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d+)?$/i, "each entry is a host, host:port or *.domain"),
    ),
    /**
     * Folders besides the imported one that local catalogs may read (Location targets, $text/$json/$yaml),
     * comma-separated absolute paths. Nothing else on the host is read.
     */
    CALLBOARD_LOCAL_ROOTS: commaList(
      z.string().refine((p) => isAbsolute(p), "each entry is an absolute path, e.g. /srv/shared-specs"),
    ),
    /** Largest descriptor or placeholder file an import reads, in bytes. */
    CALLBOARD_MAX_FILE_BYTES: z.coerce
      .number()
      .int()
      .min(1024, "must be at least 1024 bytes")
      .max(256 * 1024 * 1024, "must be at most 268435456 bytes (256 MiB)")
      .default(2 * 1024 * 1024),
  }),
  yaml: {
    location: "CALLBOARD_CATALOG",
    refreshSeconds: "CALLBOARD_REFRESH_SECONDS",
    followSeconds: "CALLBOARD_FOLLOW_SECONDS",
    readAllow: "CALLBOARD_READ_ALLOW",
    localRoots: "CALLBOARD_LOCAL_ROOTS",
    maxFileBytes: "CALLBOARD_MAX_FILE_BYTES",
  },
});
