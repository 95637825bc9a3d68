import { greedyDecode } from './greedy.js';
import { BinaryHeap } from '../util/heap.js';
import { resolveMaxLengths, resolveMinLength, type LengthOptions } from './lengths.js';
import { ranksBefore, type Hypothesis } from './order.js';
import type { StepModel } from './step-model.js';
import { TopList } from './top-list.js';

/** Options for {@link exactSearch}. */
export interface ExactOptions extends LengthOptions {
  /** Hypotheses returned per sentence (default 1). */
  nBest?: number;
  /** Most nodes scored per sentence (default 100000); past it the best found so far is returned. */
  nodeBudget?: number;
  /** Nodes popped and scored together in one `step` call (default 32). */
  batchSize?: number;
}

/** Exact search output for one sentence. */
export interface ExactResult {
  /** Best first by log-probability; ties to the lexicographically smaller sequence. */
  nBest: Hypothesis[];
  /** True when `nBest` is provably the model's top list; false when the budget ran out. */
  exact: boolean;
  /** Why the result is not exact. */
  reason?: string;
  /** Nodes scored by the search (the initial greedy run not counted). */
  expansions: number;
}

interface Node<S> {
  tokens: number[];
  /** Ranking key: tokens, plus `</s>` when finished. */
  key: number[];
  logProb: number;
  stepLogProbs: number[];
  complete: boolean;
  finished: boolean;
  state: S | null;
  row: number;
  /** A prefix of the greedy result that seeded the bound (see below). */
  onGreedy: boolean;
}

/**
 * Scores `nodes` in as few `step` calls as possible: one when all come from the same state or the
 * model can `concat`, else one per originating state. Returns log-probs in node order and where
 * each node's successor state lives.
 */
function scoreNodes<S>(
  model: StepModel<S>,
  nodes: Node<S>[],
): { logProbs: Float32Array; states: S[]; rows: Int32Array } {
  const V = model.vocabSize;
  const groups = new Map<S, number[]>();
  nodes.forEach((n, i) => {
    const g = groups.get(n.state as S);
    if (g === undefined) groups.set(n.state as S, [i]);
    else g.push(i);
  });
  const lastToken = (n: Node<S>): number => (n.tokens.length === 0 ? model.bos : n.tokens[n.tokens.length - 1]);
  const logProbs = new Float32Array(nodes.length * V);
  const states: S[] = new Array(nodes.length);
  const rows = new Int32Array(nodes.length);
  const batches: number[][] = groups.size === 1 || model.concat !== undefined ? [[...groups.values()].flat()] : [...groups.values()];
  for (const order of batches) {
    const parts: S[] = [];
    for (const [st, idx] of groups) {
      if (!order.includes(idx[0])) continue;
      parts.push(model.select(st, Int32Array.from(idx, (i) => nodes[i].row)));
    }
    const input = parts.length === 1 ? parts[0] : (model.concat as (s: readonly S[]) => S)(parts);
    const out = model.step(input, Int32Array.from(order, (i) => lastToken(nodes[i])));
    if (out.logProbs.length !== order.length * V) {
      throw new Error(`exactSearch: step returned ${out.logProbs.length} log-probs, expected ${order.length}×${V}`);
    }
    order.forEach((i, r) => {
      logProbs.set(out.logProbs.subarray(r * V, (r + 1) * V), i * V);
      states[i] = out.state;
      rows[i] = r;
    });
  }
  return { logProbs, states, rows };
}

/**
 * Exact (best-first, branch-and-bound) search for the most probable outputs. A partial sentence's
 * log-probability only falls as it grows, so nodes come off a priority queue in ranking order and
 * the first complete ones popped are the model's best; nodes ranked behind the n-th best complete
 * sentence found so far (seeded by a greedy run) are pruned. Several nodes are popped and scored
 * per `step` call, but a complete node is only accepted when popped ahead of every partial one.
 * Ties follow the shared ranking (order.ts), so results equal {@link exhaustiveSearch}'s.
 */
export function exactSearch<S>(model: StepModel<S>, batch: number, opts: ExactOptions = {}): ExactResult[] {
  const fn = 'exactSearch';
  const maxLens = resolveMaxLengths(fn, model, batch, opts);
  const minLength = resolveMinLength(fn, opts);
  const nBest = opts.nBest ?? 1;
  if (!Number.isInteger(nBest) || nBest < 1) throw new Error(`${fn}: nBest must be a positive integer, got ${nBest}`);
  const budget = opts.nodeBudget ?? 100000;
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`${fn}: nodeBudget must be a positive integer, got ${budget}`);
  const B = opts.batchSize ?? 32;
  if (!Number.isInteger(B) || B < 1) throw new Error(`${fn}: batchSize must be a positive integer, got ${B}`);
  const V = model.vocabSize;
  const eos = model.eos;

  const greedy = greedyDecode(model, batch, opts);
  const start = model.start(batch);
  const results: ExactResult[] = [];
  for (let s = 0; s < batch; s++) {
    const T = maxLens[s];
    const found = new TopList(nBest);
    const g = greedy[s];
    if (g.logProb > -Infinity) found.add(g, g.finished ? [...g.tokens, eos] : g.tokens);
    const pruned = (score: number, key: number[]): boolean => {
      const b = found.bound;
      return b !== undefined && ranksBefore(b.score, b.key, score, key);
    };
    const heap = new BinaryHeap<Node<S>>((a, b) => ranksBefore(a.logProb, a.key, b.logProb, b.key));
    heap.push({
      tokens: [], key: [], logProb: 0, stepLogProbs: [], complete: false, finished: false,
      state: model.select(start, Int32Array.of(s)), row: 0, onGreedy: g.logProb > -Infinity,
    });
    // The greedy sentence is scored again by this search, possibly a rounding error lower than
    // greedy's own batch scored it: its path is never pruned by its own seed, and reaching it
    // replaces the seed's score, so the bound and the heap agree.
    const greedyNext = (n: Node<S>): number => (n.tokens.length < g.tokens.length ? g.tokens[n.tokens.length] : g.finished ? eos : -1);
    const emitted: Hypothesis[] = [];
    let expansions = 0;
    let outOfBudget = false;
    while (emitted.length < nBest && heap.size > 0) {
      const popped: Node<S>[] = [];
      while (heap.size > 0 && popped.length < B && emitted.length < nBest) {
        const top = heap.peek() as Node<S>;
        if (!top.onGreedy && pruned(top.logProb, top.key)) {
          heap.pop();
          continue;
        }
        if (top.complete) {
          // Children of nodes popped in this round may still rank ahead of it.
          if (popped.length > 0) break;
          heap.pop();
          emitted.push({
            tokens: top.tokens, logProb: top.logProb, score: top.logProb,
            stepLogProbs: top.stepLogProbs, finished: top.finished,
          });
          continue;
        }
        if (expansions + popped.length >= budget) {
          outOfBudget = true;
          break;
        }
        popped.push(heap.pop() as Node<S>);
      }
      if (popped.length === 0) {
        if (outOfBudget) break;
        continue;
      }
      const { logProbs, states, rows } = scoreNodes(model, popped);
      expansions += popped.length;
      popped.forEach((p, j) => {
        p.state = null; // the parent's state is no longer needed; let it be collected
        for (let v = 0; v < V; v++) {
          const lp = logProbs[j * V + v];
          if (!(lp > -Infinity)) continue;
          if (v === eos && p.tokens.length < minLength) continue;
          const logProb = p.logProb + lp;
          const onGreedy = p.onGreedy && v === greedyNext(p);
          const b = found.bound;
          if (!onGreedy && b !== undefined && logProb < b.score) continue;
          const finished = v === eos;
          const tokens = finished ? p.tokens : [...p.tokens, v];
          const key = finished ? [...p.tokens, eos] : tokens;
          if (!onGreedy && pruned(logProb, key)) continue;
          const complete = finished || tokens.length === T;
          const stepLogProbs = [...p.stepLogProbs, lp];
          const child: Node<S> = {
            tokens, key, logProb, stepLogProbs, complete, finished,
            state: complete ? null : states[j], row: rows[j], onGreedy,
          };
          if (complete) found.add({ tokens, logProb, score: logProb, stepLogProbs, finished }, key);
          heap.push(child);
        }
      });
    }
    if (outOfBudget && emitted.length < nBest) {
      results.push({
        nBest: found.hypotheses(),
        exact: false,
        reason: `${fn}: nodeBudget ${budget} exhausted for sentence ${s} with ${heap.size} open nodes; returning the best found so far`,
        expansions,
      });
    } else {
      results.push({ nBest: emitted, exact: true, expansions });
    }
  }
  return results;
}
