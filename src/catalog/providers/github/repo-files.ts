/**
 * Reading files of one repository at one branch through the contents API, conditionally: every answer's ETag
 * is kept with its bytes, and the next read of the same file sends If-None-Match, so an unchanged file is a
 * 304 (no content downloaded, no request budget spent). The reader counts what it downloads.
 */
import { RequestError, type Octokit } from "octokit";

export interface FileCacheEntry {
  etag: string;
  bytes: Uint8Array;
}

/** The last answer for each file, shared by every read; bounded so an organisation's files cannot grow it forever. */
export class FileCache {
  private readonly entries = new Map<string, FileCacheEntry>();

  constructor(private readonly maxEntries = 20_000) {}

  get(key: string): FileCacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last, so the oldest is dropped first.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: FileCacheEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** Requests made and file contents downloaded, for logs and the benchmark. */
export interface RequestCounters {
  requests: number;
  contentDownloads: number;
  notModified: number;
  /** Catalog files parsed; an unchanged file is replayed from its last read instead (file-memo.ts). */
  filesParsed: number;
}

export function newCounters(): RequestCounters {
  return { requests: 0, contentDownloads: 0, notModified: 0, filesParsed: 0 };
}

export type FileAnswer =
  | { status: "found"; bytes: Uint8Array; size: number }
  | { status: "too-large"; size: number }
  | { status: "missing" };

export interface RepoRef {
  owner: string;
  repo: string;
  branch: string;
}

/** One file at a branch: from the cache when GitHub says it has not changed, otherwise downloaded. */
export async function readRepoFile(
  octokit: Octokit,
  at: RepoRef,
  path: string,
  options: { cache: FileCache; counters: RequestCounters; maxBytes: number },
): Promise<FileAnswer> {
  const cacheKey = `${at.owner}/${at.repo}@${at.branch}:${path}`.toLowerCase();
  const cached = options.cache.get(cacheKey);
  options.counters.requests++;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: at.owner,
      repo: at.repo,
      path,
      ref: at.branch,
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
    const data = response.data;
    if (Array.isArray(data) || data.type !== "file") return { status: "missing" };
    options.counters.contentDownloads++;
    if (data.size > options.maxBytes) return { status: "too-large", size: data.size };
    // Files over 1 MB come without content from this endpoint; the size check above keeps them out unless
    // the limit was raised past it, and then their content is absent: say so rather than read it empty.
    if (data.encoding !== "base64" || (data.size > 0 && !data.content)) {
      return { status: "too-large", size: data.size };
    }
    const bytes = new Uint8Array(Buffer.from(data.content, "base64"));
    const etag = response.headers.etag;
    if (etag) options.cache.set(cacheKey, { etag, bytes });
    return { status: "found", bytes, size: data.size };
  } catch (error) {
    if (error instanceof RequestError && error.status === 304 && cached) {
      options.counters.notModified++;
      return { status: "found", bytes: cached.bytes, size: cached.bytes.byteLength };
    }
    if (error instanceof RequestError && error.status === 404) {
      options.cache.delete(cacheKey);
      return { status: "missing" };
    }
    throw error;
  }
}
