/**
 * Whether a channel message asks something: a question mark, or a sentence that opens the way questions do
 * ("how do I…", "where is…", "anyone know…", "is there a…"). Statements, thanks, greetings and pasted links are
 * not questions, and a doc suggestion under them would be noise.
 */

/** Longest message read for a question, in characters; longer ones are discussions, not questions. */
export const MAX_QUESTION_CHARS = 600;

const OPENERS =
  /^(how|what|what's|whats|where|where's|wheres|why|when|who|who's|which|can|could|does|do|did|is|are|was|should|would|will|has|have|any|anyone|anybody|somebody|someone|pls|please)\b/;
const INSIDE =
  /\b(how (do|does|can|should|would|to)|where (do|does|can|is|are)|what (is|are|does)|is there (a|an|any)|does anyone|anyone know|any idea|any docs|know how|need help|help with|looking for|not sure how|wondering)\b/;

/** The words of a message, without mentions, links, code and emoji shortcodes. */
function plainWords(text: string): string {
  return text
    .replace(/<[^>\s]{1,200}>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/`[^`]*`/g, " ")
    .replace(/:[a-z0-9_+-]{1,40}:/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

export function asksSomething(text: string): boolean {
  if (text.length === 0 || text.length > MAX_QUESTION_CHARS) return false;
  const words = plainWords(text);
  if (words.split(" ").filter((w) => /[a-z]/.test(w)).length < 3) return false;
  if (/\?\s*$/.test(words) || /\?\s/.test(words)) return true;
  // Sentences: a question often starts the second one ("Deploy failed. How do I roll back").
  return words.split(/[.!;]\s+/).some((sentence) => OPENERS.test(sentence) || INSIDE.test(sentence));
}
