/* SGD update with momentum, dampening, weight decay and Nesterov (sgd.c). */
#ifndef ATTENTIVE_SGD_H
#define ATTENTIVE_SGD_H
typedef struct {
  float *param;
  const float *grad;
  float *buf; /* momentum buffer; NULL without momentum */
  long n;
  double lr, momentum, dampening, weight_decay;
  int nesterov, first; /* first: the buffer is empty and takes the gradient as is */
} att_sgd_args;
void att_sgd(const att_sgd_args *a);
#endif
