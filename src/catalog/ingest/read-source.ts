import { readFile, stat } from "node:fs/promises";

/** Where descriptor data lives: an absolute file path (maybe a glob) or an absolute http(s) URL. */
export interface LocationSpec {
  type: "file" | "url";
  target: string;
}

export type SourceErrorCode =
  "not-found" | "too-large" | "binary" | "unreadable" | "host-not-allowed" | "outside-root";

export class SourceError extends Error {
  readonly code: SourceErrorCode;
  constructor(code: SourceErrorCode, message: string) {
    super(message);
    this.name = "SourceError";
    this.code = code;
  }
}

export interface SourceOptions {
  maxBytes: number;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Hosts (host or host:port) that URL reads may reach; anything else is refused, as in Backstage. */
  allowHost: (host: string) => boolean;
}

const MAX_REDIRECTS = 5;

export function stringifyLocation(spec: LocationSpec): string {
  return `${spec.type}:${spec.target}`;
}

/** Reads a file or URL as UTF-8 text, refusing oversized and binary content before parsing it. */
export async function readSource(spec: LocationSpec, options: SourceOptions): Promise<string> {
  return decodeText(await readSourceBytes(spec, options), spec.target);
}

/** Reads a file or URL's bytes, refusing oversized content; decodeText makes them text. */
export async function readSourceBytes(spec: LocationSpec, options: SourceOptions): Promise<Uint8Array> {
  return spec.type === "file" ? readLocalFile(spec.target, options) : readUrl(spec.target, options);
}

async function readLocalFile(path: string, options: SourceOptions): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new SourceError("unreadable", `${path} is a folder, not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new SourceError("not-found", `${path} does not exist`);
    throw new SourceError("unreadable", `${path} could not be read: ${(error as Error).message}`);
  }
  // Checked before reading so a huge file never lands in memory.
  if (size > options.maxBytes) throw tooLarge(path, size, options.maxBytes);
  try {
    const data = await readFile(path);
    if (data.byteLength > options.maxBytes) throw tooLarge(path, data.byteLength, options.maxBytes);
    return data;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError("unreadable", `${path} could not be read: ${(error as Error).message}`);
  }
}

/**
 * Descriptor content decides which URLs are read next (Location targets, $text placeholders), so every
 * host, including each redirect hop, must be one the operator allowed; otherwise a descriptor could
 * make Callboard fetch internal services or cloud metadata and show the answer in chat.
 */
function checkHost(url: string, options: SourceOptions): void {
  const host = new URL(url).host.toLowerCase();
  if (!options.allowHost(host)) {
    throw new SourceError(
      "host-not-allowed",
      `${url}: reading from ${host} is not allowed; add it to CALLBOARD_READ_ALLOW (Backstage's backend.reading.allow)`,
    );
  }
}

async function readUrl(url: string, options: SourceOptions): Promise<Uint8Array> {
  let response: Response;
  let current = url;
  for (let hop = 0; ; hop++) {
    checkHost(current, options);
    try {
      response = await options.fetch(current, {
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: "manual",
      });
    } catch (error) {
      const reason =
        (error as Error).name === "TimeoutError"
          ? `no answer within ${options.timeoutMs} ms`
          : (error as Error).message;
      throw new SourceError("unreadable", `${url} could not be fetched: ${reason}`);
    }
    const next = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !next) break;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS)
      throw new SourceError("unreadable", `${url}: more than ${MAX_REDIRECTS} redirects`);
    current = new URL(next, current).href;
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw new SourceError("not-found", `${url} does not exist (HTTP ${response.status})`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SourceError(
      "unreadable",
      `${url} could not be fetched: HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(url, declared, options.maxBytes);
  }
  if (!response.body) return new Uint8Array();

  // Servers may omit or understate Content-Length, so count while streaming and stop at the cap.
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        await reader.cancel();
        throw tooLarge(url, total, options.maxBytes, true);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError("unreadable", `${url} could not be read: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, total);
}

/** UTF-8 text of a descriptor's bytes; binary content (NUL bytes, invalid UTF-8) is refused. */
export function decodeText(bytes: Uint8Array, where: string): string {
  if (bytes.includes(0)) {
    throw new SourceError(
      "binary",
      `${where} looks like a binary file (it contains NUL bytes); descriptors must be UTF-8 text`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SourceError("binary", `${where} is not valid UTF-8 text; save it as UTF-8`);
  }
}

function tooLarge(where: string, size: number, limit: number, atLeast = false): SourceError {
  return new SourceError(
    "too-large",
    `${where} is ${atLeast ? "more than " : ""}${size} bytes; the limit is ${limit} bytes. ` +
      `Split it into smaller files or raise CALLBOARD_MAX_FILE_BYTES (catalog.maxFileBytes)`,
  );
}
