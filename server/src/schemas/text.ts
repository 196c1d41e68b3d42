// The shared rule for text that reaches the database: Postgres cannot store a NUL character
// (0x00) in text, and a lone UTF-16 surrogate has no UTF-8 encoding, so either would end in a
// database error. Applied to every request (http/validation.ts), to multipart field values and
// file names (uploads).

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why this string cannot be stored, or null when it can. */
function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'contains an invalid character (a lone UTF-16 surrogate)';
  return null;
}

/** The first string (or object key) anywhere in `value` that cannot be stored, with its path. */
export function findUnstorableText(value: unknown, path: string[] = [], depth = 0): { path: string[]; message: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, message: problem } : null;
  }
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  if (Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = textProblem(k);
    if (keyProblem) return { path: [...path, k.replaceAll('\u0000', '\\0')], message: `field name ${keyProblem}` };
    const found = findUnstorableText(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}
