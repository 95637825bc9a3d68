/* Fused scaled dot-product attention (sdpa.c); layouts as SdpaArgs in src/backend/backend.ts. */
#ifndef ATTENTIVE_SDPA_H
#define ATTENTIVE_SDPA_H
#include <stdint.h>

typedef struct {
  long batch, l, s, e, ev;
  const float *q; const int32_t *q_off; long q_row;
  const float *k; const int32_t *k_off; long k_row;
  const float *v; const int32_t *v_off; long v_row;
  float scale;
  const float *mask; const int32_t *mask_off; long mask_row, mask_col; /* mask NULL: none */
  int causal;
  const float *drop; /* [batch, l, s] or NULL */
  float *weights;    /* [batch, l, s] */
  float *out; const int32_t *out_off; long out_row;
} att_sdpa_args;

typedef struct {
  const float *dout; const int32_t *dout_off; long dout_row;
  float *dq; const int32_t *dq_off; long dq_row;
  float *dk; const int32_t *dk_off; long dk_row;
  float *dv; const int32_t *dv_off; long dv_row;
} att_sdpa_grads;

void att_sdpa(const att_sdpa_args *a);
void att_sdpa_backward(const att_sdpa_args *a, const att_sdpa_grads *g);

#endif
