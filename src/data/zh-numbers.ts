const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const UNITS = ['', '十', '百', '千'];
const DIGIT_VALUE: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const UNIT_VALUE: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** Largest value `toChineseNumber` accepts: 9999 9999. */
export const MAX_CHINESE_NUMBER = 99_999_999;

/** How to write the digit 2. */
export interface ChineseNumberOptions {
  /**
   * `count` (default): the form used before a measure word, 两 for a lone 2 and before 百/千/万
   * (两本书, 两百, 一万两千), 二 elsewhere (十二, 二十). `plain`: always 二 (reading a number).
   */
  style?: 'count' | 'plain';
}

// Writes 1..9999; `leading` means nothing precedes it, so 1x becomes 十x rather than 一十x.
function section(n: number, leading: boolean, liang: boolean): string {
  const digits = [Math.floor(n / 1000), Math.floor(n / 100) % 10, Math.floor(n / 10) % 10, n % 10];
  let out = '';
  let started = false;
  let pendingZero = false;
  for (let k = 0; k < 4; k++) {
    const d = digits[k]!;
    const unit = UNITS[3 - k]!;
    if (d === 0) {
      if (started) pendingZero = true;
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    if (unit === '十' && d === 1 && leading && !started) out += '十';
    else if (d === 2 && liang && (unit === '百' || unit === '千')) out += '两' + unit;
    else out += DIGITS[d]! + unit;
    started = true;
  }
  return out;
}

/**
 * Write a non-negative integer in Chinese numerals: 3050 -> 三千零五十, 12000 -> 一万两千,
 * 15 -> 十五, 108 -> 一百零八.
 */
export function toChineseNumber(n: number, options: ChineseNumberOptions = {}): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_CHINESE_NUMBER) {
    throw new Error(`toChineseNumber: expected an integer in [0, ${MAX_CHINESE_NUMBER}], got ${n}`);
  }
  const liang = (options.style ?? 'count') === 'count';
  if (n === 0) return '零';
  if (n === 2) return liang ? '两' : '二';
  const high = Math.floor(n / 10000);
  const low = n % 10000;
  if (high === 0) return section(low, true, liang);
  let out = high === 2 && liang ? '两' : section(high, true, liang);
  out += '万';
  if (low > 0) out += (low < 1000 ? '零' : '') + section(low, false, liang);
  return out;
}

function parseSection(s: string, whole: string): number {
  let total = 0;
  let digit = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch in DIGIT_VALUE) {
      if (digit > 0) throw new Error(`fromChineseNumber: two digits in a row in ${JSON.stringify(whole)}`);
      digit = DIGIT_VALUE[ch]!;
    } else if (ch in UNIT_VALUE) {
      const unit = UNIT_VALUE[ch]!;
      // 十 may stand alone at the start (十五); other units need a digit.
      const d = digit > 0 ? digit : unit === 10 && i === 0 ? 1 : -1;
      if (d < 0) throw new Error(`fromChineseNumber: ${ch} without a digit in ${JSON.stringify(whole)}`);
      total += d * unit;
      digit = -1;
    } else {
      throw new Error(`fromChineseNumber: unexpected character ${JSON.stringify(ch)} in ${JSON.stringify(whole)}`);
    }
  }
  return total + Math.max(digit, 0);
}

/** Read Chinese numerals back into an integer; accepts 两 and 二, 十五 and 一十五. */
export function fromChineseNumber(s: string): number {
  if (s.length === 0) throw new Error('fromChineseNumber: empty string');
  const parts = s.split('万');
  if (parts.length > 2) throw new Error(`fromChineseNumber: more than one 万 in ${JSON.stringify(s)}`);
  if (parts.length === 1) return parseSection(s, s);
  const [hi, lo] = parts as [string, string];
  if (hi.length === 0) throw new Error(`fromChineseNumber: 万 without a digit in ${JSON.stringify(s)}`);
  return parseSection(hi, s) * 10000 + (lo.length > 0 ? parseSection(lo.replace(/^零/, ''), s) : 0);
}
