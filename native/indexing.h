/* Gather / scatter-add along the middle axis (indexing.c). Indices are already bounds-checked. */
#ifndef ATTENTIVE_INDEXING_H
#define ATTENTIVE_INDEXING_H
#include <stdint.h>
void att_index_select(const float *x, long outer, long n, long inner, const int32_t *index, long m, float *out);
void att_index_add(const float *src, long outer, long n, long inner, const int32_t *index, long m, float *out);
#endif
