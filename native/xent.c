/*
 * Fused softmax cross-entropy: the forward pass reads each logit row twice while it sits in
 * cache (max, then Σ e^{x-m} and Σ x) and keeps one lse per row; the backward pass writes the
 * gradient in one sweep. Composed from log-softmax, gather and sums, the same loss walked and
 * allocated several [rows, cols] arrays, with a scalar expf per element.
 *
 * exp runs 8 lanes at a time (att_exp256, ~2e-7 relative) when the CPU has AVX2; row sums
 * accumulate in double as in the reference. The target element of each gradient row is
 * recomputed in double: there e^{x-lse} - (1-ε) cancels when the model is confident, and a
 * float approximation of e^{x-lse} would leave only noise.
 */
#include <math.h>
#include <string.h>
#include "attentive.h"
#include "vmath.h"
#include "xent.h"

typedef struct {
  const float *x, *lse_in, *g;
  const int32_t *t;
  float *loss, *lse, *out;
  long rows, cols;
  double ignore, eps;
} xent_job;

/* The row's max, Σ e^{x-max} and (when `smooth`) Σ x, scalar. */
static float row_stats_scalar(const float *x, long cols, int smooth, double *s, double *sx) {
  float m = -INFINITY;
  for (long j = 0; j < cols; j++) if (x[j] > m) m = x[j];
  if (m == -INFINITY) m = 0; /* no finite logit: lse = -inf or NaN and the loss NaN, as the reference */
  double a = 0, b = 0;
  for (long j = 0; j < cols; j++) a += expf(x[j] - m);
  if (smooth) for (long j = 0; j < cols; j++) b += x[j];
  *s = a;
  *sx = b;
  return m;
}

static void grad_row_scalar(const float *x, long cols, float lse, float u, float g, float *o) {
  for (long j = 0; j < cols; j++) o[j] = (expf(x[j] - lse) - u) * g;
}

#if ATT_HAVE_VMATH_AVX2
ATT_AVX2_TARGET static inline double hsum_pd(__m256d v) {
  const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

ATT_AVX2_TARGET static inline __m256d add_widened(__m256d acc, __m128 v) { return _mm256_add_pd(acc, _mm256_cvtps_pd(v)); }

ATT_AVX2_TARGET static float row_stats_avx2(const float *x, long cols, int smooth, double *s, double *sx) {
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  __m256 vm = ninf;
  long j = 0;
  /* max_ps returns its second operand when the first is NaN: NaN logits are skipped as `x > m` skips them */
  for (; j + 8 <= cols; j += 8) vm = _mm256_max_ps(_mm256_loadu_ps(x + j), vm);
  const long tail = cols - j;
  const __m256i tm = att_tail_mask(tail);
  if (tail) vm = _mm256_max_ps(_mm256_blendv_ps(ninf, _mm256_maskload_ps(x + j, tm), _mm256_castsi256_ps(tm)), vm);
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(vm), _mm256_extractf128_ps(vm, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
  const float m = _mm_cvtss_f32(h);
  /* no finite logit: the scalar sums give e^-inf = 0 exactly, where att_exp256 clamps its input */
  if (m == -INFINITY) return row_stats_scalar(x, cols, smooth, s, sx);
  const __m256 vmx = _mm256_set1_ps(m);
  __m256d e0 = _mm256_setzero_pd(), e1 = e0, x0 = e0, x1 = e0;
  for (j = 0; j + 8 <= cols; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    const __m256 e = att_exp256(_mm256_sub_ps(v, vmx));
    e0 = add_widened(e0, _mm256_castps256_ps128(e));
    e1 = add_widened(e1, _mm256_extractf128_ps(e, 1));
    if (smooth) {
      x0 = add_widened(x0, _mm256_castps256_ps128(v));
      x1 = add_widened(x1, _mm256_extractf128_ps(v, 1));
    }
  }
  if (tail) {
    const __m256 v = _mm256_maskload_ps(x + j, tm); /* zeros past the end: nothing added to Σ x */
    const __m256 e = _mm256_and_ps(att_exp256(_mm256_sub_ps(v, vmx)), _mm256_castsi256_ps(tm));
    e0 = add_widened(e0, _mm256_castps256_ps128(e));
    e1 = add_widened(e1, _mm256_extractf128_ps(e, 1));
    if (smooth) {
      x0 = add_widened(x0, _mm256_castps256_ps128(v));
      x1 = add_widened(x1, _mm256_extractf128_ps(v, 1));
    }
  }
  *s = hsum_pd(_mm256_add_pd(e0, e1));
  *sx = hsum_pd(_mm256_add_pd(x0, x1));
  return m;
}

ATT_AVX2_TARGET static void grad_row_avx2(const float *x, long cols, float lse, float u, float g, float *o) {
  const __m256 vl = _mm256_set1_ps(lse), vu = _mm256_set1_ps(u), vg = _mm256_set1_ps(g);
  long j = 0;
  for (; j + 8 <= cols; j += 8) {
    const __m256 p = att_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + j), vl));
    _mm256_storeu_ps(o + j, _mm256_mul_ps(_mm256_sub_ps(p, vu), vg));
  }
  if (j < cols) {
    const __m256i tm = att_tail_mask(cols - j);
    const __m256 p = att_exp256(_mm256_sub_ps(_mm256_maskload_ps(x + j, tm), vl));
    _mm256_maskstore_ps(o + j, tm, _mm256_mul_ps(_mm256_sub_ps(p, vu), vg));
  }
}
#endif

static void forward_rows(const xent_job *J, long r0, long r1) {
  const long cols = J->cols;
  const double eps = J->eps;
  const int smooth = eps != 0; /* ε = 0 must not touch Σ x: an infinite logit would make the unused term NaN */
#if ATT_HAVE_VMATH_AVX2
  const int avx2 = att_vmath_avx2();
#endif
  for (long r = r0; r < r1; r++) {
    const int32_t t = J->t[r];
    if ((double)t == J->ignore) {
      J->loss[r] = 0;
      J->lse[r] = 0;
      continue;
    }
    const float *x = J->x + r * cols;
    double s, sx;
#if ATT_HAVE_VMATH_AVX2
    const float m = avx2 ? row_stats_avx2(x, cols, smooth, &s, &sx) : row_stats_scalar(x, cols, smooth, &s, &sx);
#else
    const float m = row_stats_scalar(x, cols, smooth, &s, &sx);
#endif
    const double logs = log(s);
    /* (m - x) + log s: both non-negative, so a confident row's small loss does not cancel */
    double l = ((double)m - x[t]) + logs;
    if (smooth) l = (1 - eps) * l + eps * (((double)m - sx / cols) + logs);
    J->loss[r] = (float)l;
    J->lse[r] = (float)(m + logs);
  }
}

static void backward_rows(const xent_job *J, long r0, long r1) {
  const long cols = J->cols;
  const double eps = J->eps, u = eps / cols;
#if ATT_HAVE_VMATH_AVX2
  const int avx2 = att_vmath_avx2();
#endif
  for (long r = r0; r < r1; r++) {
    const int32_t t = J->t[r];
    float *o = J->out + r * cols;
    if ((double)t == J->ignore) {
      memset(o, 0, (size_t)cols * sizeof(float));
      continue;
    }
    const float *x = J->x + r * cols;
    const float lse = J->lse_in[r], g = J->g[r];
#if ATT_HAVE_VMATH_AVX2
    if (avx2) grad_row_avx2(x, cols, lse, (float)u, g, o);
    else grad_row_scalar(x, cols, lse, (float)u, g, o);
#else
    grad_row_scalar(x, cols, lse, (float)u, g, o);
#endif
    o[t] = (float)((exp((double)x[t] - lse) - (1 - eps) - u) * g);
  }
}

static void xent_rows(void *ctx, long r0, long r1) {
  const xent_job *J = (const xent_job *)ctx;
  if (J->out) backward_rows(J, r0, r1);
  else forward_rows(J, r0, r1);
}

/* exp-bound like softmax: worth a second thread from about 16K elements */
#define XENT_PARALLEL_MIN 16384

static void xent_run(xent_job *J) { att_parallel_rows(J->rows, J->cols, XENT_PARALLEL_MIN, xent_rows, J); }

void att_cross_entropy(const float *x, long rows, long cols, const int32_t *targets, double ignore, double eps,
                       float *loss, float *lse) {
  xent_job J = {.x = x, .t = targets, .loss = loss, .lse = lse, .rows = rows, .cols = cols, .ignore = ignore, .eps = eps};
  xent_run(&J);
}

void att_cross_entropy_backward(const float *x, long rows, long cols, const int32_t *targets, double ignore, double eps,
                                const float *lse, const float *g, float *out) {
  xent_job J = {.x = x, .t = targets, .lse_in = lse, .g = g, .out = out, .rows = rows, .cols = cols, .ignore = ignore,
                .eps = eps};
  xent_run(&J);
}
