/**
 * Formats `x` with `digits` decimals the way Python's `f'{x:.{digits}f}'` does. JavaScript's
 * `toFixed` rounds exact binary ties (such as 0.125) up, Python rounds them to even; scores printed
 * side by side with sacreBLEU's must agree to the last digit.
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21 || digits > 40) return sign + a.toFixed(Math.min(digits, 100));
  // toFixed(100) is the exact decimal expansion for any value whose binary fraction fits in 100
  // digits, which covers every value that can sit exactly on a tie at <= 40 decimals.
  const exact = a.toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  const isTie = /^50*$/.test(tail);
  if (isTie) {
    const kept = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
    const lastDigit = Number(kept[kept.length - 1]);
    if (lastDigit % 2 === 0) return sign + kept;
  }
  return sign + a.toFixed(digits);
}
