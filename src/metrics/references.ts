import type { NumRefs } from './signature.js';

/**
 * Reference streams: `references[stream][segment]`, each stream parallel to the hypotheses. A `null`
 * entry means that stream has no reference for that segment (sacreBLEU's variable references).
 */
export type ReferenceStreams = ReadonlyArray<ReadonlyArray<string | null>>;

/** References regrouped per segment, with nulls dropped, and the signature's reference count. */
export interface SegmentReferences {
  perSegment: string[][];
  nrefs: NumRefs;
}

/**
 * Checks that every stream is parallel to the hypotheses and every segment has a reference, then
 * regroups the references per segment. `fn` names the caller in error messages.
 */
export function groupReferences(
  fn: string,
  hypotheses: ReadonlyArray<string>,
  references: ReferenceStreams,
): SegmentReferences {
  if (!Array.isArray(hypotheses)) throw new Error(`${fn}: hypotheses must be an array of strings`);
  if (!Array.isArray(references) || references.length === 0) {
    throw new Error(`${fn}: need at least one reference stream (got ${JSON.stringify(references)})`);
  }
  if (hypotheses.length === 0) throw new Error(`${fn}: empty corpus (0 hypotheses); the score is undefined`);
  references.forEach((stream, s) => {
    if (!Array.isArray(stream)) throw new Error(`${fn}: reference stream ${s} is not an array`);
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `${fn}: reference stream ${s} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`,
      );
    }
  });
  const perSegment: string[][] = [];
  const counts = new Set<number>();
  for (let i = 0; i < hypotheses.length; i++) {
    if (typeof hypotheses[i] !== 'string') {
      throw new Error(`${fn}: hypothesis ${i} is ${JSON.stringify(hypotheses[i])}, not a string`);
    }
    const refs: string[] = [];
    references.forEach((stream, s) => {
      const r = stream[i];
      if (r === null || r === undefined) return;
      if (typeof r !== 'string') throw new Error(`${fn}: reference ${s}/${i} is ${JSON.stringify(r)}, not a string`);
      refs.push(r);
    });
    if (refs.length === 0) throw new Error(`${fn}: segment ${i} has no reference in any of the ${references.length} streams`);
    counts.add(refs.length);
    perSegment.push(refs);
  }
  const nrefs: NumRefs = counts.size === 1 ? [...counts][0] : 'var';
  return { perSegment, nrefs };
}
