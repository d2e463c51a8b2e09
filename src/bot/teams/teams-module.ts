import { z } from "zod";
import { defineConfigSection, optionalText } from "../../plugins/config-section.ts";
import { defineAdapterModule } from "../core/adapter.ts";
import { createTeamsAdapter } from "./teams-adapter.ts";

/** Teams' settings (callboard.yaml `teams:`); the client secret only from the environment. */
export const teamsSettings = defineConfigSection({
  id: "teams",
  schema: z.object({
    MICROSOFT_APP_ID: optionalText,
    MICROSOFT_APP_PASSWORD: optionalText,
    MICROSOFT_APP_TENANT_ID: optionalText,
    MICROSOFT_APP_TYPE: z.enum(["MultiTenant", "SingleTenant"]).default("MultiTenant"),
    /** Serve Teams without an app id: development only, unauthenticated. */
    TEAMS_ENABLED: z
      .enum(["true", "false", ""])
      .transform((v) => v === "true")
      .optional(),
  }),
  yaml: { enabled: "TEAMS_ENABLED", appType: "MICROSOFT_APP_TYPE", tenantId: "MICROSOFT_APP_TENANT_ID" },
  secrets: ["MICROSOFT_APP_PASSWORD"],
});

export const teamsModule = defineAdapterModule({
  name: "teams",
  label: "Microsoft Teams",
  settings: teamsSettings,
  public: true,
  enabled: (values) => Boolean(values.MICROSOFT_APP_ID) || values.TEAMS_ENABLED === true,
  howToEnable: "for Teams set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (README: Connect to Teams)",
  describe: () => "Teams at /api/messages",
  create: (values, services) =>
    createTeamsAdapter(
      {
        appId: values.MICROSOFT_APP_ID,
        appPassword: values.MICROSOFT_APP_PASSWORD,
        tenantId: values.MICROSOFT_APP_TENANT_ID,
        appType: values.MICROSOFT_APP_TYPE,
      },
      services,
    ),
});
