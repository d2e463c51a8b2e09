/**
 * The reader for a GitHub location: the same ingestion as any URL location (readLocation: multi-document YAML,
 * validation, errors with file and line, Location entities followed, `$text`/`$json`/`$yaml`), with every
 * read going through the contents API of that one repository at that one branch. A target or placeholder
 * anywhere else, another repository or host included, is refused and reported on the entity that named it.
 */
import type { Octokit } from "octokit";
import { RequestError } from "octokit";
import type { LocationRead } from "../../catalog-service.ts";
import type { PreviousRead } from "../../ingest/file-memo.ts";
import { readLocation } from "../../ingest/read-location.ts";
import { blobUrl } from "./locations.ts";
import { readRepoFile, type FileCache, type RepoRef, type RequestCounters } from "./repo-files.ts";

export interface RepoReadOptions extends RepoRef {
  octokit: Octokit;
  /** https://github.com, or an Enterprise Server's origin. */
  webOrigin: string;
  /** The catalog file the location starts at. */
  path: string;
  maxBytes: number;
  cache: FileCache;
  counters: RequestCounters;
  /** What the last import of this location left: files whose content is unchanged are not parsed again. */
  previous?: PreviousRead;
  /**
   * Blob shas of repository files by path, as the git tree listed them: a file whose sha is the one its last
   * read recorded is not even requested.
   */
  knownShas?: ReadonlyMap<string, string>;
}

export interface RepoLocationRead extends LocationRead {
  /** Repository paths of every file read (the catalog file, Location targets, placeholders). */
  repoFiles: string[];
  /** Whether the catalog file itself exists at the branch. */
  rootFound: boolean;
}

export async function readRepoLocation(options: RepoReadOptions): Promise<RepoLocationRead> {
  const root = blobUrl(options.webOrigin, options.owner, options.repo, options.branch, options.path);
  const prefix = root.slice(0, root.length - encodePath(options.path).length);
  let transportError: unknown;
  let rootFound = true;
  const confined = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const clean = url.split(/[?#]/)[0]!;
    if (!clean.startsWith(prefix)) {
      throw new Error(
        `only files of ${options.owner}/${options.repo} at ${options.branch} are read for this location`,
      );
    }
    const path = clean
      .slice(prefix.length)
      .split("/")
      .map((s) => decodeURIComponent(s))
      .join("/");
    if (path.split("/").some((s) => s === ".." || s === "")) {
      throw new Error(`${path} is not a path inside ${options.owner}/${options.repo}`);
    }
    try {
      const answer = await readRepoFile(options.octokit, options, path, options);
      if (answer.status === "missing") {
        if (path === options.path) rootFound = false;
        return new Response(null, { status: 404, statusText: "Not Found" });
      }
      if (answer.status === "too-large") {
        return new Response("", { status: 200, headers: { "content-length": String(answer.size) } });
      }
      return new Response(answer.bytes, { status: 200 });
    } catch (error) {
      // A rate limit or an outage is not a problem of this file: the import stops instead of storing it.
      transportError ??= error;
      throw new Error(error instanceof RequestError ? `GitHub answered ${error.status}` : "GitHub failed", {
        cause: error,
      });
    }
  };
  const repoPath = (file: string): string | undefined => {
    const url = file.replace(/^url:/, "");
    return url.startsWith(prefix)
      ? url
          .slice(prefix.length)
          .split("/")
          .map((s) => decodeURIComponent(s))
          .join("/")
      : undefined;
  };
  const knownShas = options.knownShas;
  const read = await readLocation(root, {
    fetch: confined as typeof fetch,
    maxFileBytes: options.maxBytes,
    parallel: false,
    ...(options.previous ? { previous: options.previous } : {}),
    // A git blob sha is the very content version readLocation records (file-memo.ts bytesVersion).
    ...(knownShas
      ? {
          knownVersion: (file: string) => {
            const path = repoPath(file);
            return path === undefined ? undefined : knownShas.get(path);
          },
        }
      : {}),
  });
  if (transportError) throw transportError;
  options.counters.filesParsed += read.parsedFiles;
  const repoFiles = read.files.flatMap((file) => {
    const path = repoPath(file);
    return path === undefined ? [] : [path];
  });
  return { ...read, repoFiles, rootFound };
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}
