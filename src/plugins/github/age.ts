/** How long ago something happened, as people say it in chat: "3 hours ago", "just now". */

const UNITS: Array<[name: string, seconds: number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `when` relative to `now`; an unreadable date says so rather than "NaN years ago". */
export function ago(when: string | Date | null | undefined, now: Date): string {
  if (when === null || when === undefined) return "at an unknown time";
  const time = new Date(when).getTime();
  if (Number.isNaN(time)) return "at an unknown time";
  const seconds = Math.floor((now.getTime() - time) / 1000);
  // A clock a little behind GitHub's is "just now", not "in 3 seconds".
  if (seconds < 60) return "just now";
  for (const [name, size] of UNITS) {
    if (seconds >= size) return `${plural(Math.floor(seconds / size), name)} ago`;
  }
  return "just now";
}

/** `seconds` from now as "in 12 minutes" or "in 40 seconds". */
export function within(seconds: number): string {
  if (seconds < 60) return `in ${plural(Math.max(Math.ceil(seconds), 1), "second")}`;
  if (seconds < 3600) return `in ${plural(Math.ceil(seconds / 60), "minute")}`;
  return `in ${plural(Math.ceil(seconds / 3600), "hour")}`;
}
