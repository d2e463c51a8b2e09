/**
 * Strip quotes and punctuation from the ends of what a person typed. A regular expression such as
 * /[?!.]+$/ retries its run from every position where one starts, so "a....…b" costs time quadratic in the
 * run's length (1.5 s for 40,000 dots); this walks each end once.
 */
export function trimEdges(text: string, leading: string, trailing: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && leading.includes(text[start]!)) start++;
  while (end > start && trailing.includes(text[end - 1]!)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
