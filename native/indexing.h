/* Gather / scatter-add along the middle axis (indexing.c). Indices are already bounds-checked. */
#ifndef ATTENTIVE_INDEXING_H
#define ATTENTIVE_INDEXING_H
#include <stdint.h>
void att_index_select(const float *x, long outer, long n, long inner, const int32_t *index, long m, float *out);
void att_index_add(const float *src, long outer, long n, long inner, const int32_t *index, long m, float *out);
/* torch.gather / its adjoint along the middle axis: x [outer, n, inner], index [outer, m, inner].
 * gather moves 4-byte elements (float32 or int32 alike); scatterAdd accumulates float32. */
void att_gather(const uint32_t *x, long outer, long n, long inner, const int32_t *index, long m, uint32_t *out);
void att_scatter_add(const float *src, long outer, long n, long inner, const int32_t *index, long m, float *out);
#endif
