import type { StepModel } from './step-model.js';

/** Length limits shared by all decoders. Lengths count output tokens plus the `</s>` if emitted. */
export interface LengthOptions {
  /** Most tokens a hypothesis may emit, `</s>` included (default 100). Reaching it cuts the sentence. */
  maxLength?: number;
  /** Fewest tokens before `</s>` may be emitted (default 0): `</s>` is banned until then. */
  minLength?: number;
  /** With `maxLenB`: max length = floor(a·srcLen + b), capped by `maxLength` when that is given. */
  maxLenA?: number;
  /** See `maxLenA`. */
  maxLenB?: number;
  /** Source length per sentence for `maxLenA`/`maxLenB`; defaults to `model.sourceLengths`. */
  sourceLengths?: ArrayLike<number>;
}

export const DEFAULT_MAX_LENGTH = 100;

/** Per-sentence maximum lengths from the options; throws naming `fn` on bad values. */
export function resolveMaxLengths<S>(
  fn: string,
  model: StepModel<S>,
  batch: number,
  opts: LengthOptions,
): Int32Array {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`${fn}: batch must be a positive integer, got ${batch}`);
  const out = new Int32Array(batch);
  const byRatio = opts.maxLenA !== undefined || opts.maxLenB !== undefined;
  const cap = opts.maxLength ?? (byRatio ? Infinity : DEFAULT_MAX_LENGTH);
  if (!(cap >= 1) || (cap !== Infinity && !Number.isInteger(cap))) {
    throw new Error(`${fn}: maxLength must be a positive integer, got ${opts.maxLength}`);
  }
  const src = opts.sourceLengths ?? model.sourceLengths;
  if (byRatio && (src === undefined || src.length < batch)) {
    throw new Error(
      `${fn}: maxLenA/maxLenB need a source length per sentence (${batch}), got ${src === undefined ? 'none' : src.length}`,
    );
  }
  for (let i = 0; i < batch; i++) {
    let m = cap;
    if (byRatio) m = Math.min(m, Math.floor((opts.maxLenA ?? 0) * (src as ArrayLike<number>)[i] + (opts.maxLenB ?? 0)));
    if (!Number.isFinite(m)) throw new Error(`${fn}: max length for sentence ${i} is unbounded; give a finite maxLength or maxLenA/maxLenB`);
    if (!(m >= 1)) throw new Error(`${fn}: max length for sentence ${i} is ${m}; it must be at least 1`);
    out[i] = m;
  }
  return out;
}

/** Validated minimum length. */
export function resolveMinLength(fn: string, opts: LengthOptions): number {
  const m = opts.minLength ?? 0;
  if (!Number.isInteger(m) || m < 0) throw new Error(`${fn}: minLength must be a non-negative integer, got ${m}`);
  return m;
}
