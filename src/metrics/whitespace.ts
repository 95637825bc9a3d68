// sacreBLEU splits and strips with Python's str.split()/str.strip(), whose whitespace set differs
// from JavaScript's \s: it adds U+001C–U+001F and U+0085 and leaves out U+FEFF.
const PY_SPACE_CLASS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const SPLIT_RE = new RegExp(`[${PY_SPACE_CLASS}]+`, 'u');
const LEADING_RE = new RegExp(`^[${PY_SPACE_CLASS}]+`, 'u');
const TRAILING_RE = new RegExp(`[${PY_SPACE_CLASS}]+$`, 'u');

/** Splits a line into tokens on runs of whitespace, exactly as Python's `str.split()` with no arguments. */
export function splitWhitespace(line: string): string[] {
  const parts = line.split(SPLIT_RE);
  // A leading or trailing run leaves one empty string at that end; Python drops them.
  if (parts.length > 0 && parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Removes trailing whitespace as Python's `str.rstrip()` does. */
export function rstripWhitespace(line: string): string {
  return line.replace(TRAILING_RE, '');
}

/** Removes leading and trailing whitespace as Python's `str.strip()` does. */
export function stripWhitespace(line: string): string {
  return line.replace(LEADING_RE, '').replace(TRAILING_RE, '');
}
