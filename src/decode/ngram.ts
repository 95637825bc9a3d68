/**
 * Tokens that would repeat an n-gram of `seq` if appended (Hugging Face `no_repeat_ngram_size`):
 * for every earlier n-gram whose first n-1 tokens equal the last n-1 tokens of `seq`, its last
 * token is banned. Writes 1 into `mask` at banned ids and returns them (so the caller can clear).
 */
export function bannedByNgram(seq: readonly number[], n: number, mask: Uint8Array): number[] {
  const out: number[] = [];
  const len = seq.length;
  if (n <= 0 || len + 1 < n) return out;
  const start = len - (n - 1);
  for (let i = 0; i + n <= len; i++) {
    let match = true;
    for (let j = 0; j < n - 1; j++) {
      if (seq[i + j] !== seq[start + j]) {
        match = false;
        break;
      }
    }
    if (match) {
      const tok = seq[i + n - 1];
      if (mask[tok] === 0) {
        mask[tok] = 1;
        out.push(tok);
      }
    }
  }
  return out;
}
