/**
 * Viridis colour scale as a small table: perceptually uniform and monotone in lightness, so
 * darker always means smaller, in colour and in grayscale print alike.
 */

/** An sRGB colour, channels 0..255 (fractional until written out, so interpolation stays monotone). */
export type Rgb = readonly [number, number, number];

// Viridis (matplotlib) sampled at 11 evenly spaced points, t = 0, 0.1, ..., 1.
const VIRIDIS: readonly Rgb[] = [
  [0x44, 0x01, 0x54], [0x48, 0x24, 0x75], [0x41, 0x44, 0x87], [0x35, 0x5f, 0x8d],
  [0x2a, 0x78, 0x8e], [0x21, 0x91, 0x8c], [0x22, 0xa8, 0x84], [0x44, 0xbf, 0x70],
  [0x7a, 0xd1, 0x51], [0xbd, 0xdf, 0x26], [0xfd, 0xe7, 0x25],
];

/** Colour for `t` in [0, 1] (clamped; NaN maps to 0) by linear interpolation in the viridis table. */
export function viridis(t: number): Rgb {
  const c = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  const pos = c * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [
    a[0] + (b[0] - a[0]) * f,
    a[1] + (b[1] - a[1]) * f,
    a[2] + (b[2] - a[2]) * f,
  ];
}

/** `#rrggbb` for an sRGB colour. */
export function rgbHex(c: Rgb): string {
  return '#' + c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}

/** WCAG relative luminance (0 = black, 1 = white) of an sRGB colour. */
export function luminance(c: Rgb): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/** Black or white, whichever reads better on background `c`. */
export function contrastText(c: Rgb): '#000000' | '#ffffff' {
  return luminance(c) > 0.2 ? '#000000' : '#ffffff';
}

/**
 * Map `v` from `[lo, hi]` to [0, 1] for colouring; a zero-width domain maps everything to 0.5
 * so a constant matrix shows as one mid colour rather than dividing by zero.
 */
export function normalize(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 0.5;
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}
