/*
 * Reductions over the middle axis of contiguous [outer, r, inner] float32 data, with the
 * reference's semantics: sums and products accumulate in double, NaN propagates through
 * max/min, argmax/argmin return the first index on ties (and of the first NaN).
 */
#include <math.h>
#include <stdlib.h>
#include "attentive.h"
#include "reduce.h"

static void column_sums(const float *x, long outer, long r, long inner, float *out, int running, long parallel_min);

typedef struct {
  int op;
  const float *x;
  void *out;
  long outer, r, inner, per_task;
} rd_job;

static double reduce_one(int op, const float *x, long r, long s, long *arg) {
  switch (op) {
    case ROP_SUM: {
      double acc = 0;
      for (long j = 0; j < r; j++) acc += x[j * s];
      return acc;
    }
    case ROP_PROD: {
      double acc = 1;
      for (long j = 0; j < r; j++) acc *= x[j * s];
      return acc;
    }
    case ROP_MAX:
    case ROP_MIN: {
      float acc = x[0];
      const int is_max = op == ROP_MAX;
      for (long j = 1; j < r; j++) {
        const float v = x[j * s];
        if (v != v) return v;
        if (is_max ? v > acc : v < acc) acc = v;
      }
      return acc;
    }
    case ROP_ARGMAX:
    case ROP_ARGMIN: {
      float best = x[0];
      long bi = 0;
      const int is_max = op == ROP_ARGMAX;
      for (long j = 1; j < r; j++) {
        const float v = x[j * s];
        if (best != best) break;
        if (v != v || (is_max ? v > best : v < best)) { best = v; bi = j; }
      }
      *arg = bi;
      return 0;
    }
    case ROP_LOGSUMEXP: {
      float m = -INFINITY;
      for (long j = 0; j < r; j++) if (x[j * s] > m) m = x[j * s];
      if (m == -INFINITY || m == INFINITY) return m;
      double acc = 0;
      for (long j = 0; j < r; j++) acc += exp((double)x[j * s] - m);
      return m + log(acc);
    }
    default:
      return 0;
  }
}

/* One task = a run of output positions (o, i) in row-major order. */
static void rd_task(void *ctx, long t, int tid) {
  (void)tid;
  const rd_job *J = (const rd_job *)ctx;
  const long total = J->outer * J->inner;
  const long s = t * J->per_task, e = s + J->per_task < total ? s + J->per_task : total;
  const int is_arg = J->op == ROP_ARGMAX || J->op == ROP_ARGMIN;
  for (long q = s; q < e; q++) {
    const long o = q / J->inner, i = q % J->inner;
    long arg = 0;
    const double v = reduce_one(J->op, J->x + o * J->r * J->inner + i, J->r, J->inner, &arg);
    if (is_arg) ((int32_t *)J->out)[q] = (int32_t)arg;
    else ((float *)J->out)[q] = (float)v;
  }
}

void att_reduce(int op, const float *x, long outer, long r, long inner, void *out) {
  rd_job J = {.op = op, .x = x, .out = out, .outer = outer, .r = r, .inner = inner};
  const long total = outer * inner;
  if (total <= 0) return;
  if (op == ROP_SUM && inner >= 16 && r > 1) { /* e.g. a bias gradient: stream rows, not columns */
    column_sums(x, outer, r, inner, (float *)out, 0, 131072);
    return;
  }
  const int threads = total * r < 131072 ? 1 : att_num_threads();
  /* strided (inner > 1) walks touch one float per cache line per step; give each task a
   * contiguous run of i so neighbouring columns share lines */
  long tasks = threads <= 1 ? 1 : threads * 4L;
  if (tasks > total) tasks = total;
  J.per_task = (total + tasks - 1) / tasks;
  if (threads <= 1) rd_task(&J, 0, 0);
  else att_parallel_for((total + J.per_task - 1) / J.per_task, threads, rd_task, &J);
}

/* ---------- column sums: inclusive prefix sums, or totals ---------- */

/* columns of one [r, inner] slice handled together: their running sums stay in a small
 * double array while rows stream past */
#define SUM_COLS 256

typedef struct {
  const float *x;
  float *out;
  long outer, r, inner, col_blocks;
  int running; /* 1: out is [outer, r, inner], every running sum; 0: out is [outer, inner], the totals */
} cs_job;

/* Each column adds its rows in order in double, rounded to float32 where written, as in the
 * reference, so results match it exactly; a task is one outer slice and one block of columns. */
static void column_sums_task(void *ctx, long t, int tid) {
  (void)tid;
  const cs_job *J = (const cs_job *)ctx;
  const long o = t / J->col_blocks, i0 = (t % J->col_blocks) * SUM_COLS;
  const long ni = J->inner - i0 < SUM_COLS ? J->inner - i0 : SUM_COLS;
  const long inner = J->inner, base = o * J->r * inner + i0;
  double acc[SUM_COLS];
  for (long i = 0; i < ni; i++) acc[i] = 0;
  for (long j = 0; j < J->r; j++) {
    const float *x = J->x + base + j * inner;
    for (long i = 0; i < ni; i++) acc[i] += x[i];
    if (J->running) {
      float *y = J->out + base + j * inner;
      for (long i = 0; i < ni; i++) y[i] = (float)acc[i];
    }
  }
  if (!J->running) {
    float *y = J->out + o * inner + i0;
    for (long i = 0; i < ni; i++) y[i] = (float)acc[i];
  }
}

static void column_sums(const float *x, long outer, long r, long inner, float *out, int running, long parallel_min) {
  cs_job J = {.x = x, .out = out, .outer = outer, .r = r, .inner = inner, .running = running};
  J.col_blocks = (inner + SUM_COLS - 1) / SUM_COLS;
  const long tasks = outer * J.col_blocks;
  const int threads = outer * r * inner < parallel_min ? 1 : att_num_threads();
  if (threads <= 1) for (long t = 0; t < tasks; t++) column_sums_task(&J, t, 0);
  else att_parallel_for(tasks, threads, column_sums_task, &J);
}

void att_cumsum(const float *x, long outer, long r, long inner, float *out) {
  if (outer <= 0 || r <= 0 || inner <= 0) return;
  column_sums(x, outer, r, inner, out, 1, 65536);
}

/* ---------- sum of squares ---------- */

/* Fixed-size chunks summed in order afterwards: the result does not depend on the thread count. */
#define SQ_CHUNK 32768L

typedef struct {
  const float *x;
  long n;
  double *partial;
} sq_job;

static void sumsq_task(void *ctx, long t, int tid) {
  (void)tid;
  const sq_job *J = (const sq_job *)ctx;
  const long s = t * SQ_CHUNK, e = s + SQ_CHUNK < J->n ? s + SQ_CHUNK : J->n;
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  long i = s;
  for (; i + 4 <= e; i += 4) {
    a0 += (double)J->x[i] * J->x[i];
    a1 += (double)J->x[i + 1] * J->x[i + 1];
    a2 += (double)J->x[i + 2] * J->x[i + 2];
    a3 += (double)J->x[i + 3] * J->x[i + 3];
  }
  for (; i < e; i++) a0 += (double)J->x[i] * J->x[i];
  J->partial[t] = (a0 + a1) + (a2 + a3);
}

double att_sum_squares(const float *x, long n) {
  if (n <= 0) return 0;
  const long tasks = (n + SQ_CHUNK - 1) / SQ_CHUNK;
  double stack_partial[64];
  double *partial = tasks <= 64 ? stack_partial : (double *)malloc((size_t)tasks * sizeof(double));
  if (!partial) return NAN;
  sq_job J = {.x = x, .n = n, .partial = partial};
  const int threads = n < 262144 ? 1 : att_num_threads();
  if (threads <= 1) for (long t = 0; t < tasks; t++) sumsq_task(&J, t, 0);
  else att_parallel_for(tasks, threads, sumsq_task, &J);
  double total = 0;
  for (long t = 0; t < tasks; t++) total += partial[t];
  if (partial != stack_partial) free(partial);
  return total;
}
