const SAMPLE = 8000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Whether bytes are binary rather than text: a NUL byte in the first 8,000 (as git decides), or not valid
 * UTF-8. Binary files are copied as they are and shown by size; text is rendered and shown.
 */
export function isBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, SAMPLE);
  if (sample.includes(0)) return true;
  try {
    utf8.decode(bytes);
    return false;
  } catch {
    return true;
  }
}
