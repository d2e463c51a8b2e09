import type { AdapterModule } from "./core/adapter.ts";
import { shellModule } from "./shell/shell-module.ts";
import { slackModule } from "./slack/slack-module.ts";
import { teamsModule } from "./teams/teams-module.ts";

/**
 * Every chat adapter Callboard has. The composition root reads their settings, runs those whose settings ask
 * for them (or the terminal when none do), and knows none of them by name: a new platform is one folder
 * under src/bot and one line here.
 */
export const ADAPTER_MODULES: readonly AdapterModule[] = [slackModule, teamsModule, shellModule];
