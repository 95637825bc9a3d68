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

  /** Inserts a hypothesis unless an identical key is present or it ranks past the capacity. */
  add(hyp: Hypothesis, key: number[]): void {
    const items = this.items;
    let i = items.length;
    while (i > 0 && ranksBefore(hyp.score, key, items[i - 1].hyp.score, items[i - 1].key)) i--;
    if (i > 0 && compareTokens(items[i - 1].key, key) === 0) return;
    if (i >= this.capacity) return;
    items.splice(i, 0, { hyp, key });
    if (items.length > this.capacity) items.pop();
  }

  /** The hypotheses, best first. */
  hypotheses(): Hypothesis[] {
    return this.items.map((e) => e.hyp);
  }
}
