/*
 * Element-wise unary and binary kernels over strided (possibly broadcast) views, writing a
 * contiguous output. Dimensions are coalesced first, so most calls reduce to one contiguous
 * run, which the compiler vectorises; the general case walks rows with the innermost strides.
 * Large calls are split across the thread pool by flat output index.
 */
#include <math.h>
#include <string.h>
#include "attentive.h"
#include "elementwise.h"
#include "vmath.h"

/* ---------- dimension coalescing ---------- */

/* Drops size-1 dims and merges neighbours that are contiguous in every view. Returns the new
 * rank (0 when the result is a single element). */
int att_coalesce(int nd, long *shape, long strides[][ATT_MAX_DIMS], int nviews) {
  int out = 0;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == 1) continue;
    if (out > 0) {
      int merge = 1;
      for (int v = 0; v < nviews; v++)
        if (strides[v][out - 1] != strides[v][d] * shape[d]) merge = 0;
      if (merge) {
        shape[out - 1] *= shape[d];
        for (int v = 0; v < nviews; v++) strides[v][out - 1] = strides[v][d];
        continue;
      }
    }
    shape[out] = shape[d];
    for (int v = 0; v < nviews; v++) strides[v][out] = strides[v][d];
    out++;
  }
  return out;
}

/* ---------- per-op row loops ---------- */

static inline float sigmoidf_(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

#define ALWAYS_INLINE __attribute__((always_inline)) inline

/* Scalar parameters stay double, as in the reference (JS numbers), so x + 0.3 rounds once
 * from the exact double sum and matches it bit for bit. */
static ALWAYS_INLINE void unary_row_impl(int op, const float *restrict x, long sx, float *restrict o,
                                         long n, double p) {
#define U(EXPR)                                      \
  for (long j = 0; j < n; j++) {                     \
    const float v = x[j * sx];                       \
    o[j] = (EXPR);                                   \
  }                                                  \
  break;
  switch (op) {
    case UOP_NEG: U(-v)
    case UOP_EXP: U(expf(v))
    case UOP_LOG: U(logf(v))
    case UOP_SQRT: U(sqrtf(v))
    case UOP_RSQRT: U(1.0f / sqrtf(v))
    case UOP_ABS: U(fabsf(v))
    case UOP_SIGN: U(v > 0 ? 1.0f : v < 0 ? -1.0f : v)
    case UOP_SIGMOID: U(sigmoidf_(v))
    case UOP_TANH: U(tanhf(v))
    case UOP_RELU: U(v > 0 ? v : 0.0f)
    case UOP_GELU: U(0.5f * v * (1.0f + erff(v * 0.70710678118654752f)))
    case UOP_SOFTPLUS: U(v > 20.0f ? v : log1pf(expf(v)))
    case UOP_SIN: U(sinf(v))
    case UOP_COS: U(cosf(v))
    case UOP_RECIPROCAL: U(1.0f / v)
    case UOP_SQUARE: U(v * v)
    case UOP_FLOOR: U(floorf(v))
    case UOP_CEIL: U(ceilf(v))
    case UOP_ROUND: U(rintf(v)) /* default rounding mode: half to even, as torch.round */
    case UOP_ERF: U(erff(v))
    case UOP_LOG1P: U(log1pf(v))
    case UOP_EXPM1: U(expm1f(v))
    case UOP_POW_SCALAR: U(p == 2.0 ? v * v : (float)pow(v, p))
    case UOP_ADD_SCALAR: U((float)(v + p))
    case UOP_MUL_SCALAR: U((float)(v * p))
    case UOP_LEAKY_RELU: U(v > 0 ? v : (float)(v * p))
    case UOP_ELU: U(v > 0 ? v : (float)(p * expm1f(v)))
    case UOP_CLAMP_MIN: U(v < p ? (float)p : v)
    case UOP_CLAMP_MAX: U(v > p ? (float)p : v)
    case UOP_RSUB_SCALAR: U((float)(p - v))
    case UOP_RDIV_SCALAR: U((float)(p / v))
    case UOP_GT_SCALAR: U(v > p ? 1.0f : 0.0f)
    case UOP_GE_SCALAR: U(v >= p ? 1.0f : 0.0f)
    case UOP_LT_SCALAR: U(v < p ? 1.0f : 0.0f)
    case UOP_LE_SCALAR: U(v <= p ? 1.0f : 0.0f)
    case UOP_EQ_SCALAR: U(v == p ? 1.0f : 0.0f)
    case UOP_NE_SCALAR: U(v != p ? 1.0f : 0.0f)
    default: break;
  }
#undef U
}

/* sigmoid and tanh (every LSTM gate and attention energy that is not fused) go through the
 * vector approximations of vmath.c; the rest use libm, which the compiler vectorises or not. */
static void unary_row_unit(int op, const float *x, float *o, long n, double p) {
  if (op == UOP_TANH) att_vtanh(x, o, n);
  else if (op == UOP_SIGMOID) att_vsigmoid(x, o, n);
  else unary_row_impl(op, x, 1, o, n, p);
}
static void unary_row_strided(int op, const float *x, long sx, float *o, long n, double p) {
  if (op == UOP_TANH || op == UOP_SIGMOID) {
    /* gather into the output first, then transform it in place */
    for (long j = 0; j < n; j++) o[j] = x[j * sx];
    unary_row_unit(op, o, o, n, p);
    return;
  }
  unary_row_impl(op, x, sx, o, n, p);
}

static ALWAYS_INLINE void binary_row_impl(int op, const float *restrict a, long sa, const float *restrict b,
                                          long sb, float *restrict o, long n) {
#define B(EXPR)                                      \
  for (long j = 0; j < n; j++) {                     \
    const float x = a[j * sa], y = b[j * sb];        \
    o[j] = (EXPR);                                   \
  }                                                  \
  break;
  switch (op) {
    case BOP_ADD: B(x + y)
    case BOP_SUB: B(x - y)
    case BOP_MUL: B(x * y)
    case BOP_DIV: B(x / y)
    case BOP_POW: B(powf(x, y))
    case BOP_MINIMUM: B((x < y || x != x) ? x : y)
    case BOP_MAXIMUM: B((x > y || x != x) ? x : y)
    case BOP_EQ: B(x == y ? 1.0f : 0.0f)
    case BOP_NE: B(x != y ? 1.0f : 0.0f)
    case BOP_LT: B(x < y ? 1.0f : 0.0f)
    case BOP_LE: B(x <= y ? 1.0f : 0.0f)
    case BOP_GT: B(x > y ? 1.0f : 0.0f)
    case BOP_GE: B(x >= y ? 1.0f : 0.0f)
    case BOP_RELU_BACKWARD: B(y > 0 ? x : 0.0f)
    case BOP_SIGMOID_BACKWARD: B(x * y * (1.0f - y))
    case BOP_TANH_BACKWARD: B(x * (1.0f - y * y))
    default: break;
  }
#undef B
}

/* The common stride patterns get their own copies so the compiler vectorises them. */
static void binary_row(int op, const float *a, long sa, const float *b, long sb, float *o, long n) {
  if (sa == 1 && sb == 1) binary_row_impl(op, a, 1, b, 1, o, n);
  else if (sa == 1 && sb == 0) binary_row_impl(op, a, 1, b, 0, o, n);
  else if (sa == 0 && sb == 1) binary_row_impl(op, a, 0, b, 1, o, n);
  else binary_row_impl(op, a, sa, b, sb, o, n);
}

/* ---------- range iteration and threading ---------- */

typedef struct {
  int op, nviews, nd;
  double p;
  long shape[ATT_MAX_DIMS];
  long strides[2][ATT_MAX_DIMS];
  const float *in[2];
  float *out;
  long total, chunk;
} ew_job;

/* Processes output elements [start, end) of the job, one innermost-row piece at a time. */
static void ew_range(const ew_job *J, long start, long end) {
  const int nd = J->nd;
  if (nd == 0) {
    if (J->nviews == 1) unary_row_unit(J->op, J->in[0], J->out, 1, J->p);
    else binary_row(J->op, J->in[0], 0, J->in[1], 0, J->out, 1);
    return;
  }
  long idx[ATT_MAX_DIMS];
  long off[2] = {0, 0};
  att_nd_seek(nd, J->nviews, J->shape, (const long (*)[ATT_MAX_DIMS])J->strides, start, idx, off);
  const long inner = J->shape[nd - 1];
  long pos = start;
  while (pos < end) {
    long n = inner - idx[nd - 1];
    if (n > end - pos) n = end - pos;
    if (J->nviews == 1) {
      const long sx = J->strides[0][nd - 1];
      if (sx == 1) unary_row_unit(J->op, J->in[0] + off[0], J->out + pos, n, J->p);
      else unary_row_strided(J->op, J->in[0] + off[0], sx, J->out + pos, n, J->p);
    } else {
      binary_row(J->op, J->in[0] + off[0], J->strides[0][nd - 1], J->in[1] + off[1], J->strides[1][nd - 1],
                 J->out + pos, n);
    }
    pos += n;
    att_nd_step(nd, J->nviews, J->shape, (const long (*)[ATT_MAX_DIMS])J->strides, n, idx, off);
  }
}

static void ew_task(void *ctx, long t, int tid) {
  (void)tid;
  const ew_job *J = (const ew_job *)ctx;
  const long s = t * J->chunk;
  const long e = s + J->chunk < J->total ? s + J->chunk : J->total;
  ew_range(J, s, e);
}

/* Elements per task, and below how many elements a call stays on one thread: transcendental
 * ops cost ~10–20× an add, so they are worth splitting much earlier. */
static int op_is_cheap(int nviews, int op) {
  if (nviews == 2) return op != BOP_POW;
  switch (op) {
    case UOP_EXP: case UOP_LOG: case UOP_SIGMOID: case UOP_TANH: case UOP_GELU: case UOP_SOFTPLUS:
    case UOP_SIN: case UOP_COS: case UOP_ERF: case UOP_LOG1P: case UOP_EXPM1: case UOP_POW_SCALAR:
    case UOP_ELU:
      return 0;
    default:
      return 1;
  }
}

static void ew_run(ew_job *J) {
  J->nd = att_coalesce(J->nd, J->shape, J->strides, J->nviews);
  if (J->total <= 0) return;
  const long min_parallel = op_is_cheap(J->nviews, J->op) ? 200000 : 16000;
  const int threads = J->total < min_parallel ? 1 : att_num_threads();
  if (threads <= 1) {
    ew_range(J, 0, J->total);
    return;
  }
  long chunk = (J->total + threads * 4 - 1) / (threads * 4);
  chunk = (chunk + 15) / 16 * 16; /* whole cache lines of output per task */
  J->chunk = chunk;
  att_parallel_for((J->total + chunk - 1) / chunk, threads, ew_task, J);
}

void att_unary(int op, const float *x, int nd, const long *shape, const long *strides, float *out, double p) {
  ew_job J;
  memset(&J, 0, sizeof J);
  J.op = op;
  J.nviews = 1;
  J.nd = nd;
  J.p = p;
  J.total = 1;
  for (int d = 0; d < nd; d++) {
    J.shape[d] = shape[d];
    J.strides[0][d] = strides[d];
    J.total *= shape[d];
  }
  J.in[0] = x;
  J.out = out;
  ew_run(&J);
}

void att_binary(int op, const float *a, const long *sa, const float *b, const long *sb, int nd, const long *shape,
                float *out) {
  ew_job J;
  memset(&J, 0, sizeof J);
  J.op = op;
  J.nviews = 2;
  J.nd = nd;
  J.total = 1;
  for (int d = 0; d < nd; d++) {
    J.shape[d] = shape[d];
    J.strides[0][d] = sa[d];
    J.strides[1][d] = sb[d];
    J.total *= shape[d];
  }
  J.in[0] = a;
  J.in[1] = b;
  J.out = out;
  ew_run(&J);
}
