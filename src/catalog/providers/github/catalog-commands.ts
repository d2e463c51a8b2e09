/**
 * The catalog's location commands in chat: `catalog locations` (each location with its last refresh, its last
 * error and its repository), `catalog register <github url>` (only from the configured GitHub and
 * organisations), `catalog refresh <entity|location>` and `catalog unregister <location>`. Registering and
 * unregistering change what the catalog holds, so only Callboard's admins (CALLBOARD_ADMINS) may; refreshing
 * only brings a location in line with its files, so anyone may.
 */
import type { ChatCommand, ChatUser, CommandContext } from "../../../plugins/api.ts";
import { context, fields, header, reply, section, type Block, type Reply } from "../../../message/reply.ts";
import { count } from "../../../text/grammar.ts";
import type { CatalogImports } from "../../catalog-providers.ts";
import type { ImportReport } from "../../catalog-service.ts";
import { formatProblem } from "../../import-summary.ts";
import type { CatalogProblem } from "../../model/entity.ts";
import { coversAccount, type DiscoverySettings } from "./discovery-settings.ts";
import type { DiscoveryState } from "./discovery-state.ts";
import type { GitHubDiscovery } from "./discovery.ts";
import { isGitHubLocationKey, parseGitHubWebUrl, repositoryOfKey } from "./locations.ts";

export interface LocationCommandsDeps {
  discovery: GitHubDiscovery;
  state: DiscoveryState;
  settings: DiscoverySettings;
  /** https://github.com or the Enterprise Server's origin: the only place `register` accepts URLs from. */
  webOrigin: string;
  imports: () => Promise<CatalogImports>;
  locations(): Promise<
    Array<{ key: string; problems: CatalogProblem[]; importedAt: Date; entityCount: number }>
  >;
  /** The location key an entity (as typed: a ref or a name) came from. */
  entityLocation(text: string): Promise<string | undefined>;
  isAdmin(user: ChatUser): boolean;
}

const MAX_LISTED = 50;

export function locationCommands(deps: LocationCommandsDeps): ChatCommand[] {
  return [
    {
      name: "catalog-locations",
      phrases: ["catalog locations", "catalog location list"],
      summary: "Every catalog location with its last refresh, its last error and its repository.",
      usage: "catalog locations [text to filter by]",
      handler: (ctx) => listLocations(deps, ctx.args),
    },
    {
      name: "catalog-register",
      phrases: ["catalog register"],
      summary: "Register a catalog file from GitHub by its URL (admins only).",
      usage: "catalog register https://github.com/acme/payments/blob/main/catalog-info.yaml",
      handler: (ctx) => adminOnly(deps, ctx, "register locations", () => register(deps, ctx.args)),
    },
    {
      name: "catalog-refresh",
      phrases: ["catalog refresh"],
      summary: "Read a location again now, by the location or by an entity it holds.",
      usage:
        "catalog refresh payments-api | catalog refresh github:github.com/acme/payments/catalog-info.yaml",
      handler: (ctx) => refresh(deps, ctx.args),
    },
    {
      name: "catalog-unregister",
      phrases: ["catalog unregister"],
      summary: "Remove a location and every entity it gave (admins only).",
      usage: "catalog unregister github:github.com/acme/payments/catalog-info.yaml",
      handler: (ctx) => adminOnly(deps, ctx, "unregister locations", () => unregister(deps, ctx.args)),
    },
  ];
}

async function adminOnly(
  deps: LocationCommandsDeps,
  ctx: CommandContext,
  what: string,
  run: () => Promise<Reply>,
): Promise<Reply> {
  if (deps.isAdmin(ctx.user)) return run();
  return reply(
    `Only Callboard's admins may ${what}.` +
      (ctx.user.catalogRef
        ? ` You are ${ctx.user.catalogRef}.`
        : " Callboard does not know which catalog User you are.") +
      " Admins are listed in CALLBOARD_ADMINS.",
  );
}

async function listLocations(deps: LocationCommandsDeps, filter: string): Promise<Reply> {
  const all = (await deps.locations()).filter(
    (l) => !filter || l.key.toLowerCase().includes(filter.toLowerCase()),
  );
  if (all.length === 0) {
    return reply(filter ? `No location matches "${filter}".` : "No locations are registered yet.");
  }
  const blocks: Block[] = [header(`Catalog locations (${all.length})`)];
  const lastPass = await deps.state.lastPass();
  if (all.some((l) => isGitHubLocationKey(l.key))) {
    blocks.push(
      context(
        lastPass
          ? `GitHub locations were all checked at ${lastPass.replace(/\.\d{3}Z$/, "Z")} (full refresh); "last refresh" is when each was last read because it changed.`
          : "GitHub discovery has not finished a full refresh yet.",
      ),
    );
  }
  for (const location of all.slice(0, MAX_LISTED)) {
    const repository = repositoryOfKey(location.key);
    const error = location.problems[0];
    blocks.push(
      section(`\`${location.key}\``, [
        { label: "Last refresh", value: location.importedAt.toISOString().replace(/\.\d{3}Z$/, "Z") },
        { label: "Entities", value: String(location.entityCount) },
        ...(repository ? [{ label: "Repository", value: `${deps.webOrigin}/${repository}` }] : []),
        {
          label: "Last error",
          value: error
            ? formatProblem(error) +
              (location.problems.length > 1 ? ` (and ${location.problems.length - 1} more)` : "")
            : "none",
        },
      ]),
    );
  }
  if (all.length > MAX_LISTED) {
    blocks.push(
      context(`${all.length - MAX_LISTED} more: narrow the list with \`catalog locations <text>\`.`),
    );
  }
  const failing = all.filter((l) => l.problems.length > 0).length;
  return reply(`${count(all.length, "location")}, ${failing} with errors.`, ...blocks);
}

async function register(deps: LocationCommandsDeps, args: string): Promise<Reply> {
  const text = args.trim().replace(/^<|>$/g, "");
  if (!text)
    return reply(
      "Give the catalog file's URL: `catalog register https://github.com/acme/payments/blob/main/catalog-info.yaml`.",
    );
  const parsed = parseGitHubWebUrl(text, deps.webOrigin);
  if ("error" in parsed) return reply(`Cannot register that: ${parsed.error}.`);
  if (!coversAccount(deps.settings, parsed.owner)) {
    return reply(
      `Cannot register that: ${parsed.owner} is not one of the configured organisations (${deps.settings.orgs.join(", ") || "none"}). ` +
        "Add it to GITHUB_CATALOG_ORGS (github.catalog.orgs) first.",
    );
  }
  if (parsed.kind === "tree")
    return reply("That URL is a folder; register the catalog file in it (…/blob/<branch>/<file>).");
  let branch: string | undefined;
  let path = deps.settings.catalogPath;
  if (parsed.kind === "blob") {
    // The branch is the first segment: a branch with a slash in its name cannot be told apart from a folder.
    [branch] = parsed.rest;
    path = parsed.rest.slice(1).join("/");
    if (!path) return reply(`${text} names a branch but no file.`);
  } else if (/[*?{[]/.test(path)) {
    return reply(
      "Give the catalog file's URL (…/blob/<branch>/<file>): the configured catalog path is a pattern.",
    );
  }
  const key = deps.discovery.locationKey(parsed.owner, parsed.repo, path);
  await deps.state.putRegistered({
    key,
    owner: parsed.owner,
    repo: parsed.repo,
    path,
    ...(branch ? { branch } : {}),
  });
  const report = await deps.discovery.importKey(key);
  if (!report) {
    await deps.state.deleteRegistered(key);
    return reply(
      `Nothing registered: ${parsed.owner}/${parsed.repo} has no ${path}${branch ? ` on ${branch}` : ""}.`,
    );
  }
  return importReply(`Registered ${key}`, report);
}

async function refresh(deps: LocationCommandsDeps, args: string): Promise<Reply> {
  const text = args.trim();
  if (!text)
    return reply(
      "Say what to refresh: an entity (`catalog refresh payments-api`) or a location key from `catalog locations`.",
    );
  const stored = await deps.locations();
  const key = stored.some((l) => l.key === text) ? text : await deps.entityLocation(text);
  if (!key) return reply(`No location or entity "${text}". \`catalog locations\` lists the locations.`);
  if (isGitHubLocationKey(key)) {
    const report = await deps.discovery.importKey(key);
    if (!report) return reply(`Removed ${key}: its catalog file is gone.`);
    return importReply(`Refreshed ${key}`, report);
  }
  const report = await (await deps.imports()).importLocation({ target: key });
  return importReply(`Refreshed ${key}`, report);
}

async function unregister(deps: LocationCommandsDeps, args: string): Promise<Reply> {
  const key = args.trim();
  const stored = await deps.locations();
  const location = stored.find((l) => l.key === key);
  if (!location) return reply(`No location "${key}". \`catalog locations\` lists them with their keys.`);
  await (await deps.imports()).removeLocation(key);
  await deps.state.deleteRegistered(key);
  const discovered = (await deps.state.repos()).some((r) => key in r.locations);
  return reply(
    `Unregistered ${key}: ${count(location.entityCount, "entity", "entities")} removed.` +
      (discovered
        ? " Discovery reads it again when its repository changes; to keep it out, exclude the repository (GITHUB_CATALOG_EXCLUDE_TOPICS, GITHUB_CATALOG_REPO_PATTERN)."
        : ""),
  );
}

function importReply(title: string, report: ImportReport): Reply {
  const blocks: Block[] = [
    header(title),
    fields(
      { label: "Added", value: String(report.added.length) },
      { label: "Updated", value: String(report.updated.length) },
      { label: "Removed", value: String(report.removed.length) },
      { label: "Unchanged", value: String(report.unchanged) },
    ),
  ];
  for (const problem of report.problems.slice(0, 10)) blocks.push(context(`⚠ ${formatProblem(problem)}`));
  return reply(
    `${title}: ${report.added.length} added, ${report.updated.length} updated, ${report.removed.length} removed, ${count(report.problems.length, "problem")}.`,
    ...blocks,
  );
}
