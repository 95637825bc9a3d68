/* Adam / AdamW update (adam.c). */
#ifndef ATTENTIVE_ADAM_H
#define ATTENTIVE_ADAM_H
typedef struct {
  float *param;
  const float *grad;
  float *m, *v;
  float *amsgrad; /* NULL unless AMSGrad */
  long n;
  double lr, beta1, beta2, eps, weight_decay;
  int decoupled;
  double step;
} att_adam_args;
void att_adam(const att_adam_args *a);
#endif
