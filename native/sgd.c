/*
 * In-place SGD over flat parameter arrays, as torch.optim.SGD. Arithmetic is in double per
 * element, as in the reference backend, so both backends take the same steps.
 */
#include "attentive.h"
#include "sgd.h"

typedef struct {
  const att_sgd_args *a;
  long chunk;
} sgd_job;

static void sgd_task(void *ctx, long t, int tid) {
  (void)tid;
  const sgd_job *J = (const sgd_job *)ctx;
  const att_sgd_args *A = J->a;
  const long s = t * J->chunk, e = s + J->chunk < A->n ? s + J->chunk : A->n;
  const double lr = A->lr, mu = A->momentum, damp = A->dampening, wd = A->weight_decay;
  for (long i = s; i < e; i++) {
    const double gi = (double)A->grad[i] + wd * A->param[i];
    if (!A->buf) {
      A->param[i] = (float)(A->param[i] - lr * gi);
      continue;
    }
    const double b = A->first ? gi : mu * A->buf[i] + (1 - damp) * gi;
    A->buf[i] = (float)b;
    A->param[i] = (float)(A->param[i] - lr * (A->nesterov ? gi + mu * b : b));
  }
}

void att_sgd(const att_sgd_args *a) {
  if (a->n <= 0) return;
  sgd_job J = {.a = a};
  const int threads = a->n < 65536 ? 1 : att_num_threads();
  long chunk = (a->n + threads * 4 - 1) / (threads * 4);
  J.chunk = (chunk + 15) / 16 * 16;
  if (threads <= 1) {
    J.chunk = a->n;
    sgd_task(&J, 0, 0);
  } else {
    att_parallel_for((a->n + J.chunk - 1) / J.chunk, threads, sgd_task, &J);
  }
}
