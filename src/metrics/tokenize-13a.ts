import { tokenizeRegexp } from './tokenize-regexp.js';

/**
 * The mteval-v13a tokenizer used by WMT and sacreBLEU's default `13a`: removes `<skipped>`, joins
 * lines, unescapes `&quot; &amp; &lt; &gt;` (in that order, so `&amp;lt;` becomes `<`), pads the line
 * with spaces (which is why a final `.` after a digit is split off) and applies the 13a rules.
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  return tokenizeRegexp(` ${s} `);
}
