/**
 * The two bits of English grammar messages get wrong when built from numbers and names: "1 entities" and
 * "a API". Kept in one place so every sentence, in chat or in the terminal, gets them right the same way.
 */

/** "1 entity", "3 entities", "0 problems". Give the plural when adding "s" would be wrong. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The noun alone, singular or plural by `n`: "entity" or "entities". */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
  return n === 1 ? singular : plural;
}

/** Letters whose spoken name starts with a vowel sound, for acronyms read letter by letter ("an API"). */
const VOWEL_SOUND_LETTERS = new Set("AEFHILMNORSX");

/**
 * "a Component", "an API", "an AiResource", "a User", "an Environment": the indefinite article by how the
 * word is spoken, close enough for the kind names and nouns Callboard writes.
 */
export function withArticle(word: string): string {
  return `${startsWithVowelSound(word) ? "an" : "a"} ${word}`;
}

function startsWithVowelSound(word: string): boolean {
  const first = word.charAt(0);
  // An acronym (API, SQL, URL) is read letter by letter.
  const acronym = /^[A-Z]{2,}(?:[^a-z]|$)/.test(word);
  if (acronym) return VOWEL_SOUND_LETTERS.has(first);
  // "user", "unit", "URL" style words start with a "you" sound; "one" with a "w".
  if (/^(?:u(?:ni|s[eu]|r[aeiu]|t[ei])|eu|one\b)/i.test(word)) return false;
  // A silent h: "an hour", "an honest".
  if (/^(?:hour|honest|honou?r|heir)/i.test(word)) return true;
  return /^[aeiou]/i.test(word);
}
