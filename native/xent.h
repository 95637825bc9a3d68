/* Fused softmax cross-entropy with label smoothing (xent.c); layouts as Backend.crossEntropy /
 * crossEntropyBackward in backend.ts. Targets must already be in [0, cols) or equal `ignore`. */
#ifndef ATTENTIVE_XENT_H
#define ATTENTIVE_XENT_H
#include <stdint.h>
void att_cross_entropy(const float *x, long rows, long cols, const int32_t *targets, double ignore, double eps,
                       float *loss, float *lse);
void att_cross_entropy_backward(const float *x, long rows, long cols, const int32_t *targets, double ignore, double eps,
                                const float *lse, const float *g, float *out);
#endif
