/**
 * What reading one descriptor file gave, remembered by the file's content version so the next read of the same
 * location can skip parsing, validating and hashing it: with nothing changed, a 100k-entity re-import reads
 * and hashes its files and records the entities it already holds.
 *
 * A record is only replayed when everything its outcome was made from is the same: the file's content, the
 * content of every placeholder target (`$text`, `$json`, `$yaml`) its documents read, the reader's settings and
 * code, and each entity still held from this very file with the same content hash. Anything else and the
 * file is read as if for the first time. Location entities are followed again on every read, so a changed,
 * added or removed target file is seen whatever its referrer's record says.
 *
 * Keyed by location and file (a file's outcome depends on its root location, which is in every entity's
 * origin annotation). A catalog provider whose source knows a file's version without downloading it (a GitHub
 * tree's blob sha, which is this same git blob sha) can pass it as `ReadOptions.knownVersion` and skip the
 * download as well.
 */
import { createHash } from "node:crypto";
import type { CatalogProblem, ProcessedEntity } from "../model/entity.ts";

/**
 * Bump when the same text would now read differently (validation, relations, annotations, the content hash),
 * so records from older code are not replayed after an upgrade.
 */
export const READER_CODE_VERSION = "1";

/** Git's blob sha1 of a file's bytes: the version GitHub reports for a file without sending it. */
export function bytesVersion(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}

/** bytesVersion of the text's UTF-8 bytes. */
export function contentVersion(text: string): string {
  return bytesVersion(Buffer.from(text, "utf8"));
}

/** One document of a file as it was read: its problems (nothing recorded), or the entity it gave. */
export type DocumentOutcome =
  | { problems: CatalogProblem[] }
  | {
      ref: string;
      /** The entity's content hash: replayed only while the entity held from this file still has it. */
      hash: string;
      line: number;
      /** Problems with relation fields, reported while the entity still loads. */
      relationProblems?: CatalogProblem[];
      /** A Location's target fields' lines (`spec/target`, `spec/targets/0`), to name them when a target fails. */
      lines?: Record<string, number>;
    };

export interface FileRecord {
  /** The file's location ref: `file:/abs/path`, `url:https://...`. */
  file: string;
  /** contentVersion of the file's text. */
  version: string;
  /** The reader's code version and settings the outcome was worked out under. */
  reader: string;
  /**
   * A local file's stat fingerprint when it was read (file-stat.ts): the same fingerprint next time and the
   * file is not even read. Absent for URLs and for files changed too recently to trust it.
   */
  stat?: string;
  /** Placeholder targets the documents read, each with its version then, or `!<error code>` if it failed. */
  reads: Array<[file: string, version: string]>;
  documents: DocumentOutcome[];
}

/** What the last read of a location left, for the next one to reuse. */
export interface PreviousRead {
  file(file: string): FileRecord | undefined;
  /** The entity as last stored, if it is still held by this location. */
  entity(ref: string): ProcessedEntity | undefined;
}

/** The reader's part of a record's validity: its code version and the settings that change outcomes. */
export function readerTag(settings: { maxAliases: number; maxBytes: number }): string {
  return `${READER_CODE_VERSION}/${settings.maxAliases}/${settings.maxBytes}`;
}

/** A record as stored (its file is the row's key), and back. Bad stored JSON reads as no record. */
export function encodeRecord(record: FileRecord): { file: string; version: string; record: string } {
  const { file, version, ...rest } = record;
  return { file, version, record: JSON.stringify(rest) };
}

export function decodeRecord(row: { file: string; version: string; record: string }): FileRecord | undefined {
  try {
    const rest = JSON.parse(row.record) as Omit<FileRecord, "file" | "version">;
    if (typeof rest.reader !== "string" || !Array.isArray(rest.reads) || !Array.isArray(rest.documents)) {
      return undefined;
    }
    return { file: row.file, version: row.version, ...rest };
  } catch {
    return undefined;
  }
}
