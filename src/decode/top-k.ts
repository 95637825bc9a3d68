/**
 * The `k` best finite entries of `logProbs[offset .. offset+vocab)`, best first, ties to the smaller
 * index (the shared ranking of order.ts), skipping indices where `banned[v]` is 1.
 * Small `k` keeps a sorted buffer (one pass over the row); large `k` sorts the finite entries.
 */
export function topKRow(
  logProbs: Float32Array,
  offset: number,
  vocab: number,
  k: number,
  banned?: Uint8Array,
): number[] {
  if (k <= 0) return [];
  if (k >= 64) {
    const idx: number[] = [];
    for (let v = 0; v < vocab; v++) {
      if (banned !== undefined && banned[v] === 1) continue;
      if (logProbs[offset + v] > -Infinity) idx.push(v);
    }
    idx.sort((a, b) => logProbs[offset + b] - logProbs[offset + a] || a - b);
    return idx.length > k ? idx.slice(0, k) : idx;
  }
  const best: number[] = [];
  for (let v = 0; v < vocab; v++) {
    if (banned !== undefined && banned[v] === 1) continue;
    const x = logProbs[offset + v];
    if (!(x > -Infinity)) continue;
    // Scanning in index order, an equal value never displaces an earlier (smaller) index.
    if (best.length === k && !(x > logProbs[offset + best[k - 1]])) continue;
    let i = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(v);
    while (i > 0 && x > logProbs[offset + best[i - 1]]) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = v;
  }
  return best;
}
