/*
 * In-place Adam / AdamW over flat parameter arrays, with PyTorch's bias correction and epsilon
 * placement. Arithmetic is in double per element, as in the reference, so both backends take
 * the same steps; the loop is memory-bound either way.
 */
#include <math.h>
#include "attentive.h"
#include "adam.h"

typedef struct {
  const att_adam_args *a;
  double step_size, sqrt_bc2;
  long chunk;
} adam_job;

static void adam_task(void *ctx, long t, int tid) {
  (void)tid;
  const adam_job *J = (const adam_job *)ctx;
  const att_adam_args *A = J->a;
  const long s = t * J->chunk, e = s + J->chunk < A->n ? s + J->chunk : A->n;
  const double b1 = A->beta1, b2 = A->beta2, lr = A->lr, wd = A->weight_decay, eps = A->eps;
  for (long i = s; i < e; i++) {
    double g = A->grad[i], p = A->param[i];
    if (wd != 0) {
      if (A->decoupled) p *= 1 - lr * wd;
      else g += wd * p;
    }
    const float mi = (float)(b1 * A->m[i] + (1 - b1) * g);
    const float vi = (float)(b2 * A->v[i] + (1 - b2) * g * g);
    A->m[i] = mi;
    A->v[i] = vi;
    double v_hat = vi;
    if (A->amsgrad) {
      if (vi > A->amsgrad[i]) A->amsgrad[i] = vi;
      v_hat = A->amsgrad[i];
    }
    A->param[i] = (float)(p - J->step_size * (mi / (sqrt(v_hat) / J->sqrt_bc2 + eps)));
  }
}

void att_adam(const att_adam_args *a) {
  if (a->n <= 0) return;
  adam_job J = {.a = a};
  J.step_size = a->lr / (1 - pow(a->beta1, a->step));
  J.sqrt_bc2 = sqrt(1 - pow(a->beta2, a->step));
  const int threads = a->n < 65536 ? 1 : att_num_threads();
  long chunk = (a->n + threads * 4 - 1) / (threads * 4);
  J.chunk = (chunk + 15) / 16 * 16;
  if (threads <= 1) {
    J.chunk = a->n;
    adam_task(&J, 0, 0);
  } else {
    att_parallel_for((a->n + J.chunk - 1) / J.chunk, threads, adam_task, &J);
  }
}
