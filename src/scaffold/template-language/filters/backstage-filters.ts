import { parseEntityRef as parseRefString } from "../../../catalog/model/ref.ts";
import { RuntimeFault } from "../errors.ts";
import type { Filter } from "../runtime.ts";
import { member } from "../safe-access.ts";

/**
 * The filters Backstage's scaffolder adds to nunjucks: parseRepoUrl, parseEntityRef, pick and projectSlug.
 * parseRepoUrl needs to know which kind of SCM host a host name is, as Backstage's integrations config
 * tells it; `hostType` is that lookup (the engine passes one built from Callboard's configuration).
 */

export type HostType =
  | "github"
  | "gitlab"
  | "bitbucket"
  | "bitbucketCloud"
  | "bitbucketServer"
  | "azure"
  | "gerrit"
  | "gitea"
  | string;

export interface BackstageFilterOptions {
  /** The kind of SCM a host is; undefined means no integration is configured for it (an error, as in Backstage). */
  hostType?: (host: string) => HostType | undefined;
}

const PUBLIC_HOSTS = new Map<string, HostType>([
  ["github.com", "github"],
  ["gitlab.com", "gitlab"],
  ["bitbucket.org", "bitbucketCloud"],
  ["dev.azure.com", "azure"],
]);

export interface RepoSpec {
  host: string;
  repo: string;
  owner?: string;
  organization?: string;
  workspace?: string;
  project?: string;
}

/** Backstage's parseRepoUrl: `host?owner=o&repo=r` (as RepoUrlPicker writes it) into its parts. */
export function parseRepoUrl(
  repoUrl: unknown,
  hostType: BackstageFilterOptions["hostType"] = (host) => PUBLIC_HOSTS.get(host),
): RepoSpec {
  let parsed: URL;
  try {
    parsed = new URL(`https://${String(repoUrl)}`);
  } catch (error) {
    throw new RuntimeFault(
      `parseRepoUrl: ${JSON.stringify(repoUrl)} is not a repository URL like github.com?owner=org&repo=name (${(error as Error).message})`,
    );
  }
  const host = parsed.host;
  const type = hostType(host);
  if (!type) {
    throw new RuntimeFault(
      `parseRepoUrl: no SCM integration is configured for host ${host}; add it to the integrations configuration`,
    );
  }
  const param = (name: string): string | undefined => {
    const value = parsed.searchParams.get(name);
    return value === null ? undefined : value.replace(/^\/+|\/+$/g, "");
  };
  const require = (...names: string[]) => {
    for (const name of names) {
      if (!parsed.searchParams.get(name))
        throw new RuntimeFault(`parseRepoUrl: ${parsed.toString()} is missing ${name}`);
    }
  };
  const project = param("project");
  if (type.startsWith("bitbucket")) {
    if (host === "www.bitbucket.org" || host === "bitbucket.org") require("workspace");
    require("project", "repo");
  } else if (type === "azure") require("project", "repo");
  else if (type === "gitlab") {
    if (!project) require("owner", "repo");
  } else if (type === "gitea" || type === "gerrit") require("repo");
  else require("repo", "owner");
  return {
    host,
    owner: param("owner"),
    repo: param("repo")!,
    organization: param("organization"),
    workspace: param("workspace"),
    project,
  };
}

function parseEntityRef(ref: unknown, context?: unknown): { kind: string; namespace: string; name: string } {
  const defaults = (context ?? {}) as { defaultKind?: string; defaultNamespace?: string };
  try {
    if (ref && typeof ref === "object") {
      const compound = ref as { kind?: string; namespace?: string; name?: string };
      const kind = compound.kind ?? defaults.defaultKind;
      if (!compound.name) throw new Error("an entity reference object needs a name");
      if (!kind)
        throw new Error(`entity reference ${JSON.stringify(ref)} has no kind and no defaultKind was given`);
      return {
        kind,
        namespace: compound.namespace ?? defaults.defaultNamespace ?? "default",
        name: compound.name,
      };
    }
    return parseRefString(ref as string, defaults);
  } catch (error) {
    throw new RuntimeFault(`parseEntityRef: ${(error as Error).message}`);
  }
}

/** lodash `get` paths: `a.b`, `a[0].b`, `a["b.c"]`; a path that is itself a key reads that key. */
function pathParts(value: unknown, path: unknown): unknown[] {
  if (Array.isArray(path)) return path;
  const text = String(path);
  if (value !== null && typeof value === "object" && Object.prototype.hasOwnProperty.call(value, text))
    return [text];
  const parts: string[] = [];
  let current = "";
  let afterBracket = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === ".") {
      if (!afterBracket) parts.push(current);
      current = "";
      afterBracket = false;
    } else if (char === "[") {
      const close = text.indexOf("]", i);
      if (close === -1) {
        current += text.slice(i);
        break;
      }
      if (current !== "") parts.push(current);
      const inner = text.slice(i + 1, close);
      const quoted = /^(["'])(.*)\1$/.exec(inner);
      parts.push(quoted ? quoted[2]! : inner);
      current = "";
      afterBracket = true;
      i = close;
    } else {
      current += char;
      afterBracket = false;
    }
  }
  if (!afterBracket) parts.push(current);
  return parts;
}

export function createBackstageFilters(options: BackstageFilterOptions = {}): Record<string, Filter> {
  return {
    parseRepoUrl: (url: unknown) => parseRepoUrl(url, options.hostType),
    parseEntityRef,
    pick(value: unknown, path: unknown) {
      let current = value;
      for (const part of pathParts(value, path)) {
        if (current === undefined || current === null) return undefined;
        current = member(current, part);
      }
      return current;
    },
    projectSlug(url: unknown) {
      const { owner, repo } = parseRepoUrl(url, options.hostType);
      return `${owner}/${repo}`;
    },
  };
}
