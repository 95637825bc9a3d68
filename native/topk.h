/* Row-wise top-k (topk.c); order and ties as the reference: see topk.c. */
#ifndef ATTENTIVE_TOPK_H
#define ATTENTIVE_TOPK_H
#include <stdint.h>
/* Returns 0 when scratch memory could not be allocated (nothing written), else 1. */
int att_topk(const float *x, long rows, long cols, long k, int largest, float *values, int32_t *indices);
#endif
