/** The longest an approval may wait: a template asking for more is almost certainly a typo. */
export const MAX_APPROVAL_MS = 90 * 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90s`, `30m`, `2h`, `1d`, `1w`, and runs of them (`1h30m`). */
const SHORT = /^(?:\d{1,6}[smhdw])+$/;
const SHORT_PART = /(\d{1,6})([smhdw])/g;
/** ISO 8601 durations without years and months (their length varies): `PT2H`, `P1DT12H`, `P2W`, `PT1.5H`. */
const ISO =
  /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6}(?:\.\d{1,6})?)H)?(?:(\d{1,6}(?:\.\d{1,6})?)M)?(?:(\d{1,6}(?:\.\d{1,6})?)S)?)?$/;

/**
 * An approval's timeout in milliseconds, from the short form people write (`2h`, `1h30m`) or an ISO 8601
 * duration (`PT2H`, `P1D`). Throws a message that says what is accepted.
 */
export function parseApprovalTimeout(text: string): number {
  const value = text.trim();
  const problem = (why: string) =>
    new Error(
      `timeout "${value.slice(0, 40)}" ${why}; write it like 30m, 2h, 1d, 1h30m or as an ISO 8601 duration (PT2H, P1D).`,
    );
  if (value.length === 0 || value.length > 64) throw problem("is not a duration");
  let ms: number;
  if (SHORT.test(value)) {
    ms = 0;
    for (const [, amount, unit] of value.matchAll(SHORT_PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  } else {
    const iso = ISO.exec(value.toUpperCase());
    if (!iso || value.toUpperCase() === "P" || value.toUpperCase().endsWith("T"))
      throw problem("is not a duration");
    const [, weeks, days, hours, minutes, seconds] = iso.map((part) => Number(part ?? 0));
    ms =
      weeks! * UNIT_MS.w! +
      days! * UNIT_MS.d! +
      hours! * UNIT_MS.h! +
      minutes! * UNIT_MS.m! +
      seconds! * UNIT_MS.s!;
  }
  if (!(ms >= 1000)) throw problem("is shorter than a second");
  if (ms > MAX_APPROVAL_MS) throw problem("is longer than the 90 days an approval may wait");
  return Math.round(ms);
}

/** A duration in words for messages: `2 h`, `1 d 4 h`, `30 min`, `45 s`. */
export function describeDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ["d", 86_400],
    ["h", 3600],
    ["min", 60],
    ["s", 1],
  ] as const) {
    const amount = Math.floor(rest / seconds);
    if (amount > 0) parts.push(`${amount} ${unit}`);
    rest -= amount * seconds;
  }
  return parts.join(" ") || "0 s";
}
