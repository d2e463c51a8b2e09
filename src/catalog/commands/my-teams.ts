import type { ChatUser, HomeSection } from "../../plugins/api.ts";
import type { Action, Block } from "../../message/reply.ts";
import { actions, context, fields, header, reply, section } from "../../message/reply.ts";
import { count } from "../../text/grammar.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { RELATION } from "../graph/relation-types.ts";
import { displayName, refMarkdown } from "./entity-text.ts";
import { ownedFields } from "./team.ts";
import type { GraphUserResolver } from "./user-directory.ts";

/** Teams shown on a home view; someone in more has the team command for the rest. */
const TEAMS_SHOWN = 5;

/** "My teams" on a person's home view: each of their groups and what it owns. */
export function myTeamsSection(graph: CatalogGraph, users: GraphUserResolver): HomeSection {
  return {
    id: "my-teams",
    async render(user: ChatUser) {
      const userRef = user.catalogRef ?? users.lookup(user);
      if (!userRef || !graph.has(userRef)) return undefined;
      const teams = graph
        .related(userRef, RELATION.memberOf)
        .filter((team) => graph.has(team))
        .sort();
      const blocks: Block[] = [header("Your teams")];
      if (teams.length === 0) {
        blocks.push(context(`${refMarkdown(graph, userRef)} is not a member of any team in the catalog.`));
        return reply("You are not a member of any team in the catalog.", ...blocks);
      }
      const buttons: Action[] = [];
      for (const team of teams.slice(0, TEAMS_SHOWN)) {
        const owned = ownedFields(graph, team, 5);
        blocks.push(section(refMarkdown(graph, team)));
        blocks.push(owned.length > 0 ? fields(...owned) : context("Owns nothing in the catalog yet."));
        buttons.push({ label: `Team ${displayName(graph, team)}`, command: `team ${team}` });
      }
      if (teams.length > TEAMS_SHOWN)
        blocks.push(context(`and ${count(teams.length - TEAMS_SHOWN, "more team")}`));
      blocks.push(actions(...buttons));
      return reply(`Your teams: ${teams.map((t) => displayName(graph, t)).join(", ")}`, ...blocks);
    },
  };
}
