/** RepoUrlPicker's value, `github.com?owner=acme&repo=payments`, and Backstage's `parseRepoUrl` shape. */
export interface RepoUrl {
  host: string;
  owner?: string;
  repo: string;
  organization?: string;
  workspace?: string;
  project?: string;
}

/** Parses `host?owner=…&repo=…`; throws an Error saying what is missing. */
export function parseRepoUrl(value: string): RepoUrl {
  const question = value.indexOf("?");
  const host = (question === -1 ? value : value.slice(0, question)).trim();
  if (!host || /[\s/\\]/.test(host)) {
    throw new Error(`"${value}" is not a repository location; write it as host?owner=<owner>&repo=<name>.`);
  }
  const params = new URLSearchParams(question === -1 ? "" : value.slice(question + 1));
  const repo = params.get("repo") ?? "";
  if (!repo) throw new Error(`"${value}" names no repository; add &repo=<name>.`);
  const out: RepoUrl = { host, repo };
  for (const key of ["owner", "organization", "workspace", "project"] as const) {
    const v = params.get(key);
    if (v) out[key] = v;
  }
  return out;
}
