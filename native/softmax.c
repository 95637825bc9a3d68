/*
 * Row-wise softmax / log-softmax and their gradients over contiguous [rows, cols], split across
 * threads by rows. Sums accumulate in double, as the reference does, so wide rows (a 6000-word
 * vocabulary) lose no precision.
 */
#include <math.h>
#include "attentive.h"
#include "softmax.h"

typedef struct {
  const float *x, *dy;
  float *out;
  long rows, cols, rows_per_task;
  int log;
} sm_job;

static void softmax_rows(const sm_job *J, long r0, long r1) {
  const long cols = J->cols;
  for (long r = r0; r < r1; r++) {
    const float *x = J->x + r * cols;
    float *o = J->out + r * cols;
    float m = -INFINITY;
    for (long j = 0; j < cols; j++) if (x[j] > m) m = x[j];
    if (m == -INFINITY) m = 0; /* a fully masked row: NaN for softmax, -inf for log-softmax, as torch */
    double s = 0;
    if (J->log) {
      for (long j = 0; j < cols; j++) s += expf(x[j] - m);
      const double lse = m + log(s);
      for (long j = 0; j < cols; j++) o[j] = (float)(x[j] - lse);
    } else {
      for (long j = 0; j < cols; j++) {
        const float e = expf(x[j] - m);
        o[j] = e;
        s += e;
      }
      const float inv = (float)(1.0 / s);
      for (long j = 0; j < cols; j++) o[j] *= inv;
    }
  }
}

static void softmax_backward_rows(const sm_job *J, long r0, long r1) {
  const long cols = J->cols;
  for (long r = r0; r < r1; r++) {
    const float *y = J->x + r * cols, *dy = J->dy + r * cols;
    float *o = J->out + r * cols;
    double s = 0;
    if (J->log) {
      for (long j = 0; j < cols; j++) s += dy[j];
      const float sf = (float)s;
      for (long j = 0; j < cols; j++) o[j] = dy[j] - expf(y[j]) * sf;
    } else {
      for (long j = 0; j < cols; j++) s += (double)dy[j] * y[j];
      const float sf = (float)s;
      for (long j = 0; j < cols; j++) o[j] = y[j] * (dy[j] - sf);
    }
  }
}

static void sm_task(void *ctx, long t, int tid) {
  (void)tid;
  const sm_job *J = (const sm_job *)ctx;
  const long r0 = t * J->rows_per_task;
  const long r1 = r0 + J->rows_per_task < J->rows ? r0 + J->rows_per_task : J->rows;
  if (J->dy) softmax_backward_rows(J, r0, r1);
  else softmax_rows(J, r0, r1);
}

/* exp-bound: worth a second thread from about 16K elements */
#define SOFTMAX_PARALLEL_MIN 16384

static void sm_run(sm_job *J) {
  const long total = J->rows * J->cols;
  const int threads = total < SOFTMAX_PARALLEL_MIN ? 1 : att_num_threads();
  if (threads <= 1 || J->rows < 2) {
    sm_task(&(sm_job){.x = J->x, .dy = J->dy, .out = J->out, .rows = J->rows, .cols = J->cols,
                      .rows_per_task = J->rows, .log = J->log}, 0, 0);
    return;
  }
  long tasks = threads * 4L < J->rows ? threads * 4L : J->rows;
  J->rows_per_task = (J->rows + tasks - 1) / tasks;
  att_parallel_for((J->rows + J->rows_per_task - 1) / J->rows_per_task, threads, sm_task, J);
}

void att_softmax(const float *x, long rows, long cols, float *out, int log_) {
  sm_job J = {.x = x, .dy = NULL, .out = out, .rows = rows, .cols = cols, .log = log_};
  sm_run(&J);
}

void att_softmax_backward(const float *y, const float *dy, long rows, long cols, float *out, int log_) {
  sm_job J = {.x = y, .dy = dy, .out = out, .rows = rows, .cols = cols, .log = log_};
  sm_run(&J);
}
