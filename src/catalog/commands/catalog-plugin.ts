import type { Plugin } from "../../plugins/api.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import type { EntityResolver } from "../resolver.ts";
import { dependenciesCommand, dependentsCommand } from "./dependencies.ts";
import { myTeamsSection } from "./my-teams.ts";
import { graphOptionsProvider } from "./pickers.ts";
import { showCommand } from "./show.ts";
import { statsCommand } from "./stats.ts";
import { teamCommand } from "./team.ts";
import { GraphUserResolver } from "./user-directory.ts";
import { whoOwnsCommand } from "./who-owns.ts";

export interface CatalogCommandsOptions {
  graph: CatalogGraph;
  /** Called on every command, so a resolver registered later (search's typo-tolerant one) takes over. */
  resolver: () => EntityResolver;
  docsUrl?: (ref: string) => string | undefined;
  catalogUrl?: (ref: string) => string;
}

/** The catalog's chat commands, pickers, user mapping and home section, registered like any plugin. */
export function catalogCommandsPlugin(deps: CatalogCommandsOptions): Plugin {
  return {
    id: "catalog",
    register(api) {
      api.addCommand(whoOwnsCommand(deps));
      api.addCommand(showCommand(deps));
      api.addCommand(dependenciesCommand(deps));
      api.addCommand(dependentsCommand(deps));
      api.addCommand(teamCommand(deps));
      api.addCommand(statsCommand(deps.graph));
      api.addOptionsProvider(graphOptionsProvider(deps.graph, "entity"));
      api.addOptionsProvider(graphOptionsProvider(deps.graph, "owner", ["group", "user"]));
      const users = new GraphUserResolver(deps.graph);
      api.addUserResolver(users);
      api.addHomeSection(myTeamsSection(deps.graph, users));
    },
  };
}
