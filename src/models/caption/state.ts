import * as F from '../../autograd/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';

/** What a captioning decoder needs for its next step, one row per hypothesis. */
export interface CaptionState {
  h: Tensor; // (R, H)
  c: Tensor; // (R, H)
  /** The image's 9 region vectors (R, 9, D), row-major from the top-left cell. */
  regions: Tensor;
  /** Their attention keys U_k·regions (R, 9, A); null for Show-and-Tell. */
  keys: Tensor | null;
  /** Mean region vector (R, D), fed at every step by Show-and-Tell with imageEveryStep; else null. */
  pooled: Tensor | null;
  /** Attention weights (R, 9) of the step that produced this state; null before the first step or without attention. */
  attention: Tensor | null;
  /** Gate β (R, 1) of that step; null without a gate. */
  beta: Tensor | null;
}

const FIELDS = ['h', 'c', 'regions', 'keys', 'pooled', 'attention', 'beta'] as const;

/** The state whose row r is row rows[r] of `state` (rows may repeat). */
export function selectCaptionState(state: CaptionState, rows: Int32Array): CaptionState {
  const idx = new Tensor(Int32Array.from(rows), [rows.length]);
  const out = { ...state };
  for (const k of FIELDS) {
    const t = state[k];
    (out as Record<string, Tensor | null>)[k] = t ? F.indexSelect(t, 0, idx) : null;
  }
  return out;
}

/** The rows of `states` one after another. Attention weights are a record of one step only: mixing a start state drops them. */
export function concatCaptionStates(states: readonly CaptionState[]): CaptionState {
  if (states.length === 1) return states[0];
  const out = { ...states[0] };
  for (const k of FIELDS) {
    const parts = states.map((s) => s[k]);
    const present = parts.filter((t): t is Tensor => t !== null);
    let v: Tensor | null = null;
    if (present.length === parts.length) v = F.concat(present, 0);
    else if (present.length > 0 && k !== 'attention' && k !== 'beta') throw new Error(`concatCaptionStates: ${k} is missing from some states`);
    (out as Record<string, Tensor | null>)[k] = v;
  }
  return out;
}
