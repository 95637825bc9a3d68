import { compareTokens, ranksBefore, type Hypothesis } from './order.js';

/** The `capacity` best distinct hypotheses seen so far, under the shared ranking of order.ts. */
export class TopList {
  readonly items: { hyp: Hypothesis; key: number[] }[] = [];

  constructor(readonly capacity: number) {}

  /** Whether the list is full, so its last item bounds what can still enter. */
  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** The last (worst) item, when the list is full. */
  get bound(): { score: number; key: number[] } | undefined {
    if (!this.full) return undefined;
    const last = this.items[this.items.length - 1];
    return { score: last.hyp.score, key: last.key };
  }

  /** True when (score, key) could enter, i.e. ranks ahead of the bound or the list is not full. */
  admits(score: number, key: ArrayLike<number>): boolean {
    const b = this.bound;
    return b === undefined || ranksBefore(score, key, b.score, b.key);
  }

  /**
   * Inserts a hypothesis unless it ranks past the capacity. A key already present is replaced:
   * the same sentence may come back scored a rounding error apart (a native backend's matrix
   * products can differ in the last bit with the batch a row is computed in), and two copies
   * would push a distinct hypothesis out.
   */
  add(hyp: Hypothesis, key: number[]): void {
    const items = this.items;
    const same = items.findIndex((e) => compareTokens(e.key, key) === 0);
    if (same >= 0) items.splice(same, 1);
    let i = items.length;
    while (i > 0 && ranksBefore(hyp.score, key, items[i - 1].hyp.score, items[i - 1].key)) i--;
    if (i >= this.capacity) return;
    items.splice(i, 0, { hyp, key });
    if (items.length > this.capacity) items.pop();
  }

  /** The hypotheses, best first. */
  hypotheses(): Hypothesis[] {
    return this.items.map((e) => e.hyp);
  }
}
