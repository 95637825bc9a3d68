/* Softmax kernels (softmax.c). */
#ifndef ATTENTIVE_SOFTMAX_H
#define ATTENTIVE_SOFTMAX_H
void att_softmax(const float *x, long rows, long cols, float *out, int log_);
void att_softmax_backward(const float *y, const float *dy, long rows, long cols, float *out, int log_);
#endif
