import { createBackstageFilters, type Filter } from "./template-language/index.ts";

/**
 * The SCM hosts `parseRepoUrl` knows, as Backstage's integrations configuration tells it: the public hosts
 * Backstage configures by default, and `local`, the host name of Callboard's own git publisher.
 */
const HOSTS = new Map([
  ["local", "local"],
  ["github.com", "github"],
  ["gitlab.com", "gitlab"],
  ["bitbucket.org", "bitbucketCloud"],
  ["dev.azure.com", "azure"],
]);

/** The Backstage filters (parseRepoUrl, parseEntityRef, pick, projectSlug) with Callboard's hosts. */
export function scaffolderFilters(): Record<string, Filter> {
  // A Map, so a host named like an object's member (constructor, __proto__) is simply unknown.
  return createBackstageFilters({ hostType: (host) => HOSTS.get(host) });
}
