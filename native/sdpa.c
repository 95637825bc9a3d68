/*
 * Fused scaled dot-product attention (the reference is src/backend/js/attention.ts).
 *
 * Matrices (one per batch entry: a head of one sequence, in practice) go to the pool whole; their
 * key and value rows are first copied into contiguous scratch (they are reread for every query
 * row, and strided heads can alias in the cache). Each query row is done start to finish in a row buffer of s floats: its scores (s dot products of
 * length e), the mask, the softmax and the weighted sum of value rows, so the [l, s] scores are
 * never a separate pass over memory; only the weights are stored, for the backward pass.
 * Sums of s or e terms run in float with 8 lanes (exp via att_exp256 when the CPU has AVX2,
 * ~2e-7 relative); tests hold them to the double-precision reference.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "attentive.h"
#include "sdpa.h"
#include "vmath.h"

static float dot_scalar(const float *a, const float *b, long n) {
  float p[4] = {0, 0, 0, 0};
  long c = 0;
  for (; c + 4 <= n; c += 4)
    for (int t = 0; t < 4; t++) p[t] += a[c + t] * b[c + t];
  float d = (p[0] + p[2]) + (p[1] + p[3]);
  for (; c < n; c++) d += a[c] * b[c];
  return d;
}

/* y += a·x */
static void axpy_scalar(float *y, float a, const float *x, long n) {
  for (long c = 0; c < n; c++) y[c] += a * x[c];
}

/* y = exp(y - m) in place; returns the sum */
static float exp_sum_scalar(float *y, long n, float m) {
  float s = 0;
  for (long j = 0; j < n; j++) {
    y[j] = expf(y[j] - m);
    s += y[j];
  }
  return s;
}

#if ATT_HAVE_VMATH_AVX2
ATT_AVX2_TARGET static inline float hsum256(__m256 v) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
  return _mm_cvtss_f32(h);
}

ATT_AVX2_TARGET static float dot_avx2(const float *a, const float *b, long n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  long c = 0;
  for (; c + 16 <= n; c += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + c + 8), _mm256_loadu_ps(b + c + 8), s1);
  }
  for (; c + 8 <= n; c += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c), s0);
  float d = hsum256(_mm256_add_ps(s0, s1));
  for (; c < n; c++) d += a[c] * b[c];
  return d;
}

ATT_AVX2_TARGET static void axpy_avx2(float *y, float a, const float *x, long n) {
  const __m256 va = _mm256_set1_ps(a);
  long c = 0;
  for (; c + 8 <= n; c += 8) _mm256_storeu_ps(y + c, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + c), _mm256_loadu_ps(y + c)));
  for (; c < n; c++) y[c] += a * x[c];
}

ATT_AVX2_TARGET static float exp_sum_avx2(float *y, long n, float m) {
  const __m256 vm = _mm256_set1_ps(m);
  __m256 acc = _mm256_setzero_ps();
  long j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 e = att_exp256(_mm256_sub_ps(_mm256_loadu_ps(y + j), vm));
    _mm256_storeu_ps(y + j, e);
    acc = _mm256_add_ps(acc, e);
  }
  float s = hsum256(acc);
  for (; j < n; j++) {
    y[j] = expf(y[j] - m);
    s += y[j];
  }
  return s;
}
#endif

typedef struct {
  float (*dot)(const float *, const float *, long);
  void (*axpy)(float *, float, const float *, long);
  float (*exp_sum)(float *, long, float);
} vec_ops;

static vec_ops pick_ops(void) {
#if ATT_HAVE_VMATH_AVX2
  if (att_vmath_avx2()) return (vec_ops){dot_avx2, axpy_avx2, exp_sum_avx2};
#endif
  return (vec_ops){dot_scalar, axpy_scalar, exp_sum_scalar};
}

typedef struct {
  const att_sdpa_args *a;
  const att_sdpa_grads *g;
  vec_ops ops;
} job_t;

/* Rows [0, n) of width w at stride `row` as a contiguous block: `row` may be a multiple of 4 KiB
 * (time-major heads: N·3E floats apart), where every row would fall into the same cache set and
 * the rows reread for each query would evict each other. */
static const float *gather_rows(const float *src, long n, long row, long w, float *buf) {
  if (row == w) return src;
  for (long j = 0; j < n; j++) memcpy(buf + j * w, src + j * row, sizeof(float) * (size_t)w);
  return buf;
}

/* Masked, scaled scores of query row qi (matrix b, row i) against contiguous keys kb into
 * row[0..s); returns the max. */
static float score_row(const att_sdpa_args *a, const vec_ops *ops, long b, long i, const float *qi, const float *kb, float *row) {
  const float *mrow = a->mask ? a->mask + a->mask_off[b] + i * a->mask_row : NULL;
  const long jmax = a->causal ? (i + 1 < a->s ? i + 1 : a->s) : a->s;
  float m = -INFINITY;
  for (long j = 0; j < jmax; j++) {
    float v = ops->dot(qi, kb + j * a->e, a->e) * a->scale;
    if (mrow) v += mrow[j * a->mask_col];
    row[j] = v;
    if (v > m) m = v;
  }
  for (long j = jmax; j < a->s; j++) row[j] = -INFINITY;
  return m;
}

static void forward_rows(void *ctx, long b0, long b1) {
  const job_t *J = (const job_t *)ctx;
  const att_sdpa_args *a = J->a;
  const long l = a->l, s = a->s, e = a->e, ev = a->ev;
  float *row = (float *)malloc(sizeof(float) * (size_t)(s + s * e + s * ev + 1));
  if (!row) abort();
  float *kbuf = row + s, *vbuf = kbuf + s * e;
  for (long b = b0; b < b1; b++) {
    const float *kb = gather_rows(a->k + a->k_off[b], s, a->k_row, e, kbuf);
    const float *vb = gather_rows(a->v + a->v_off[b], s, a->v_row, ev, vbuf);
    for (long i = 0; i < l; i++) {
      float m = score_row(a, &J->ops, b, i, a->q + a->q_off[b] + i * a->q_row, kb, row);
      float *w = a->weights + (b * l + i) * s;
      float *o = a->out + a->out_off[b] + i * a->out_row;
      memset(o, 0, sizeof(float) * (size_t)ev);
      if (m == -INFINITY) { /* every key masked: NaN weights and output, as torch's softmax */
        for (long j = 0; j < s; j++) w[j] = NAN;
        for (long c = 0; c < ev; c++) o[c] = NAN;
        continue;
      }
      const float inv = 1.0f / J->ops.exp_sum(row, s, m);
      const float *d = a->drop ? a->drop + (b * l + i) * s : NULL;
      for (long j = 0; j < s; j++) {
        const float p = row[j] * inv;
        w[j] = p;
        const float pd = d ? p * d[j] : p;
        if (pd != 0.0f) J->ops.axpy(o, pd, vb + j * ev, ev);
      }
    }
  }
  free(row);
}

static void backward_rows(void *ctx, long b0, long b1) {
  const job_t *J = (const job_t *)ctx;
  const att_sdpa_args *a = J->a;
  const att_sdpa_grads *g = J->g;
  const long l = a->l, s = a->s, e = a->e, ev = a->ev;
  /* ds [s], then contiguous K, V and the dK, dV sums of one matrix */
  float *ds = (float *)malloc(sizeof(float) * (size_t)(s + 2 * s * e + 2 * s * ev + 1));
  if (!ds) abort();
  float *kbuf = ds + s, *vbuf = kbuf + s * e, *dk = vbuf + s * ev, *dv = dk + s * e;
  for (long b = b0; b < b1; b++) {
    const float *kb = gather_rows(a->k + a->k_off[b], s, a->k_row, e, kbuf);
    const float *vb = gather_rows(a->v + a->v_off[b], s, a->v_row, ev, vbuf);
    memset(dk, 0, sizeof(float) * (size_t)(s * e + s * ev));
    for (long i = 0; i < l; i++) {
      const float *w = a->weights + (b * l + i) * s;
      const float *d = a->drop ? a->drop + (b * l + i) * s : NULL;
      const float *go = g->dout + g->dout_off[b] + i * g->dout_row;
      const float *qi = a->q + a->q_off[b] + i * a->q_row;
      float *dqi = g->dq + g->dq_off[b] + i * g->dq_row;
      float dot = 0;
      for (long j = 0; j < s; j++) {
        const float p = w[j];
        if (p == 0.0f) { ds[j] = 0; continue; } /* masked keys: nothing flows either way */
        const float dd = d ? d[j] : 1.0f;
        const float pd = p * dd;
        if (pd != 0.0f) J->ops.axpy(dv + j * ev, pd, go, ev);
        const float dp = dd == 0.0f ? 0.0f : J->ops.dot(go, vb + j * ev, ev) * dd;
        ds[j] = dp;
        dot += p * dp;
      }
      memset(dqi, 0, sizeof(float) * (size_t)e);
      for (long j = 0; j < s; j++) {
        const float p = w[j];
        if (p == 0.0f) continue;
        const float x = p * (ds[j] - dot) * a->scale;
        if (x != 0.0f) { /* true for NaN too: a NaN row stays NaN */
          J->ops.axpy(dqi, x, kb + j * e, e);
          J->ops.axpy(dk + j * e, x, qi, e);
        }
      }
    }
    float *dkb = g->dk + g->dk_off[b], *dvb = g->dv + g->dv_off[b];
    for (long j = 0; j < s; j++) {
      memcpy(dkb + j * g->dk_row, dk + j * e, sizeof(float) * (size_t)e);
      memcpy(dvb + j * g->dv_row, dv + j * ev, sizeof(float) * (size_t)ev);
    }
  }
  free(ds);
}

/* Below this many multiply-adds one thread finishes before the pool wakes up. */
#define SDPA_MIN_PARALLEL 32768

void att_sdpa(const att_sdpa_args *a) {
  job_t J = {.a = a, .g = NULL, .ops = pick_ops()};
  att_parallel_rows(a->batch, a->l * a->s * (a->e + a->ev), SDPA_MIN_PARALLEL, forward_rows, &J);
}

void att_sdpa_backward(const att_sdpa_args *a, const att_sdpa_grads *g) {
  job_t J = {.a = a, .g = g, .ops = pick_ops()};
  att_parallel_rows(a->batch, a->l * a->s * (a->e + a->ev), SDPA_MIN_PARALLEL, backward_rows, &J);
}
