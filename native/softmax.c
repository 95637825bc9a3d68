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
  long rows, cols;
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

static void sm_rows(void *ctx, long r0, long r1) {
  const sm_job *J = (const sm_job *)ctx;
  if (J->dy) softmax_backward_rows(J, r0, r1);
  else softmax_rows(J, r0, r1);
}

/* exp-bound: worth a second thread from about 16K elements */
#define SOFTMAX_PARALLEL_MIN 16384

static void sm_run(sm_job *J) { att_parallel_rows(J->rows, J->cols, SOFTMAX_PARALLEL_MIN, sm_rows, J); }

void att_softmax(const float *x, long rows, long cols, float *out, int log_) {
  sm_job J = {.x = x, .dy = NULL, .out = out, .rows = rows, .cols = cols, .log = log_};
  sm_run(&J);
}

void att_softmax_backward(const float *y, const float *dy, long rows, long cols, float *out, int log_) {
  sm_job J = {.x = y, .dy = dy, .out = out, .rows = rows, .cols = cols, .log = log_};
  sm_run(&J);
}
