/* Reductions (reduce.c). Op codes match REDUCE_ORDER in src/backend/native/ops.ts. */
#ifndef ATTENTIVE_REDUCE_H
#define ATTENTIVE_REDUCE_H
enum { ROP_SUM, ROP_MAX, ROP_MIN, ROP_PROD, ROP_ARGMAX, ROP_ARGMIN, ROP_LOGSUMEXP, ROP_COUNT };
/* out is float32 [outer, inner], or int32 for argmax/argmin. */
void att_reduce(int op, const float *x, long outer, long r, long inner, void *out);
/* Inclusive prefix sum along the middle axis of [outer, r, inner]. */
void att_cumsum(const float *x, long outer, long r, long inner, float *out);
/* Σ x² accumulated in double over fixed chunks (same result for any thread count). */
double att_sum_squares(const float *x, long n);
#endif
