import { VERSION } from '../version.js';
import { formatFixed } from './format.js';
import type { SmoothMethod } from './bleu-compute.js';

/** 'var' when segments have different numbers of references, else that number. */
export type NumRefs = number | 'var';

/** BLEU's signature in sacreBLEU's form: `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:0.1.0`. */
export function bleuSignature(p: {
  nrefs: NumRefs;
  lowercase: boolean;
  effectiveOrder: boolean;
  tokenize: string;
  smoothMethod: SmoothMethod;
  smoothValue: number | null;
}): string {
  const smooth = p.smoothValue === null ? p.smoothMethod : `${p.smoothMethod}[${formatFixed(p.smoothValue, 2)}]`;
  return [
    `nrefs:${p.nrefs}`,
    `case:${p.lowercase ? 'lc' : 'mixed'}`,
    `eff:${p.effectiveOrder ? 'yes' : 'no'}`,
    `tok:${p.tokenize}`,
    `smooth:${smooth}`,
    `version:${VERSION}`,
  ].join('|');
}

/** chrF's signature in sacreBLEU's form: `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:0.1.0`. */
export function chrfSignature(p: {
  nrefs: NumRefs;
  lowercase: boolean;
  epsSmoothing: boolean;
  charOrder: number;
  wordOrder: number;
  whitespace: boolean;
}): string {
  return [
    `nrefs:${p.nrefs}`,
    `case:${p.lowercase ? 'lc' : 'mixed'}`,
    // sacreBLEU reports eps smoothing as "no effective order"
    `eff:${p.epsSmoothing ? 'no' : 'yes'}`,
    `nc:${p.charOrder}`,
    `nw:${p.wordOrder}`,
    `space:${p.whitespace ? 'yes' : 'no'}`,
    `version:${VERSION}`,
  ].join('|');
}
