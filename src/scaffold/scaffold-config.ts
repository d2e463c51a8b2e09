/**
 * The scaffolder's settings (callboard.yaml `scaffold:`): which templates may run, how long a step may take,
 * and how this process takes part in running queued tasks. A section of its own, read with every other.
 */
import { z } from "zod";
import { defineConfigSection } from "../plugins/config-section.ts";
import { parseApprovalChannel } from "./approvals/approval-channel.ts";

export const scaffoldSettings = defineConfigSection({
  id: "scaffold",
  schema: z
    .object({
      /** Folders (or URL prefixes) whose Template entities may run; empty means the example templates only. */
      CALLBOARD_SCAFFOLD_TRUSTED: z
        .string()
        .optional()
        .transform((v) =>
          v === undefined
            ? undefined
            : v
                .split(",")
                .map((entry) => entry.trim())
                .filter(Boolean),
        ),
      CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
      /** Scaffolder tasks this process runs at once; 0: it queues tasks but runs none (other replicas do). */
      CALLBOARD_SCAFFOLD_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
      /** How often a running task's worker marks it alive (and notices a cancel); fractions allowed. */
      CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
      /** A running task not marked alive for this long was abandoned (its process died): another resumes it. */
      CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().min(0.2).max(86_400).default(30),
      /** Where callboard:approval asks when the approving group names no channel: slack:<id> or teams:<id>. */
      CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL: z
        .string()
        .trim()
        .optional()
        .superRefine((value, ctx) => {
          if (!value) return;
          try {
            parseApprovalChannel(value);
          } catch (error) {
            ctx.addIssue({ code: "custom", message: (error as Error).message });
          }
        }),
    })
    .superRefine((config, ctx) => {
      if (
        config.CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS <
        2 * config.CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS"],
          message:
            "must be at least twice CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS, or a slow heartbeat makes a live task look abandoned",
        });
      }
    }),
  yaml: {
    trustedLocations: "CALLBOARD_SCAFFOLD_TRUSTED",
    stepTimeoutSeconds: "CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS",
    concurrency: "CALLBOARD_SCAFFOLD_CONCURRENCY",
    heartbeatSeconds: "CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS",
    heartbeatTimeoutSeconds: "CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS",
    approvalChannel: "CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL",
  },
});
