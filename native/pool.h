/* 2-D max / average pooling and their gradients (pool.c). */
#ifndef ATTENTIVE_POOL_H
#define ATTENTIVE_POOL_H
#include <stdint.h>
typedef struct {
  long n, c, h, w, kh, kw, stride_h, stride_w, pad_h, pad_w, out_h, out_w;
} att_pool_geom;
void att_max_pool2d(const float *x, const att_pool_geom *g, float *out, int32_t *argmax);
/* dx is accumulated into (the caller zeroes it); argmax entries are already range-checked. */
void att_max_pool2d_backward(const float *dy, const int32_t *argmax, const att_pool_geom *g, float *dx);
void att_avg_pool2d(const float *x, const att_pool_geom *g, int count_include_pad, float *out);
void att_avg_pool2d_backward(const float *dy, const att_pool_geom *g, int count_include_pad, float *dx);
#endif
