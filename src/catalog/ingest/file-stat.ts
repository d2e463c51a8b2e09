/**
 * A local file's stat fingerprint, as git's index keeps one: when it is what the last read recorded, the file is
 * taken as unchanged without reading or hashing its bytes. Anything else (or no fingerprint) and the file is
 * read and hashed as usual, so a fingerprint only ever saves work, never decides content on its own.
 *
 * The fingerprint has the size, inode and device, the modification time and the status-change time, all in
 * nanoseconds. ctime is what catches an edit whose mtime was put back (`touch -d`, `cp -p`, an archive tool):
 * no call sets it, every write moves it. A fingerprint is only recorded for a file that was last changed well
 * before it was taken (`settleMs`), as git treats "racily clean" entries: a write in the same clock tick as the
 * read could otherwise leave the fingerprint unchanged with new content.
 */
import { stat } from "node:fs/promises";

/** How long after its last change a file's fingerprint is trusted, allowing for coarse file-system clocks. */
export const DEFAULT_STAT_SETTLE_MS = 2_000;

/** The fingerprint of `path` now, or undefined when it cannot be taken (missing, unreadable, not a file). */
export async function statFingerprint(
  path: string,
): Promise<{ fingerprint: string; changedMs: number } | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    if (!info.isFile()) return undefined;
    const fingerprint = [info.size, info.ino, info.dev, info.mtimeNs, info.ctimeNs].join(":");
    const changedNs = info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs;
    return { fingerprint, changedMs: Number(changedNs / 1_000_000n) };
  } catch {
    return undefined;
  }
}

/** The fingerprint to record for a file read now: none while its last change is too recent to trust. */
export function settledFingerprint(
  taken: { fingerprint: string; changedMs: number } | undefined,
  now: number,
  settleMs: number,
): string | undefined {
  return taken && taken.changedMs <= now - settleMs ? taken.fingerprint : undefined;
}
