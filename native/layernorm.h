/* Fused layer normalisation over the last axis (layernorm.c); see Backend.layerNorm. */
#ifndef ATTENTIVE_LAYERNORM_H
#define ATTENTIVE_LAYERNORM_H
void att_layer_norm(const float *x, long rows, long cols, const float *weight, const float *bias, float eps, float *out,
                    float *mean, float *rstd);
void att_layer_norm_backward(const float *dy, const float *x, long rows, long cols, const float *weight, const float *mean,
                             const float *rstd, float *dx, float *dweight, float *dbias);
#endif
