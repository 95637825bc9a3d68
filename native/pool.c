/*
 * 2-D pooling over [n, c, h, w] planes, split across threads by plane (planes never share an
 * input or output element, so the backward passes need no atomics and keep the reference's
 * accumulation order).
 *
 * Results match the reference exactly: max pooling repeats its scan order and NaN rule (a NaN
 * wins and ends the scan of its window row; a later row's NaN replaces it), average pooling sums
 * in double and divides in double before rounding once, and the backward passes add a double
 * share to each float32 gradient and round once, as a JS `Float32Array` `+=` does.
 */
#include <math.h>
#include "attentive.h"
#include "pool.h"

typedef struct {
  const att_pool_geom *g;
  const float *x, *dy;
  const int32_t *am_in;
  float *out, *dx;
  int32_t *argmax;
  int include_pad;
  long planes_per_task;
} pool_job;

/* The reference's scan of one window, NaN rule included. */
static float max_window_exact(const att_pool_geom *g, const float *x, long oy, long ox, long *bi_out) {
  float best = -INFINITY;
  long bi = -1;
  for (long ki = 0; ki < g->kh; ki++) {
    const long iy = oy * g->stride_h - g->pad_h + ki;
    if (iy < 0 || iy >= g->h) continue;
    for (long kj = 0; kj < g->kw; kj++) {
      const long ix = ox * g->stride_w - g->pad_w + kj;
      if (ix < 0 || ix >= g->w) continue;
      const float v = x[iy * g->w + ix];
      if (v > best || v != v || bi < 0) {
        best = v;
        bi = iy * g->w + ix;
        if (v != v) break;
      }
    }
  }
  *bi_out = bi;
  return best;
}

/* Windows without NaN (the normal case) take a branch-free running maximum: on random data
 * the reference's `v > best` branch mispredicts about once per window, which cost more than
 * the loads. A window holding a NaN is redone with the exact scan. */
static void max_plane(const pool_job *J, long p) {
  const att_pool_geom *g = J->g;
  const float *x = J->x + p * g->h * g->w;
  float *out = J->out + p * g->out_h * g->out_w;
  int32_t *am = J->argmax + p * g->out_h * g->out_w;
  for (long oy = 0; oy < g->out_h; oy++) {
    const long y0 = oy * g->stride_h - g->pad_h;
    const long ys = y0 > 0 ? y0 : 0, ye = y0 + g->kh < g->h ? y0 + g->kh : g->h;
    for (long ox = 0; ox < g->out_w; ox++) {
      const long x0 = ox * g->stride_w - g->pad_w;
      const long xs = x0 > 0 ? x0 : 0, xe = x0 + g->kw < g->w ? x0 + g->kw : g->w;
      float best = -INFINITY;
      long bi = -1;
      int nan = 0;
      if (ys < ye && xs < xe) {
        best = x[ys * g->w + xs];
        bi = ys * g->w + xs;
        for (long iy = ys; iy < ye; iy++) {
          for (long ix = xs; ix < xe; ix++) {
            const float v = x[iy * g->w + ix];
            const int gt = v > best;
            nan |= v != v;
            best = gt ? v : best;
            bi = gt ? iy * g->w + ix : bi;
          }
        }
      }
      if (nan) best = max_window_exact(g, x, oy, ox, &bi);
      out[oy * g->out_w + ox] = best;
      am[oy * g->out_w + ox] = (int32_t)bi;
    }
  }
}

#if defined(__SSE2__)
#include <emmintrin.h>
/* Kernel 2, stride 2, no padding (the CNN encoders' pooling), four windows per step with SSE2
 * (part of every x86-64): the generic loop spends ~4 cycles per input on window bounds and
 * selects. Same scan order (a, b on the first row, then c, d) and strict `>` as the reference,
 * so ties and argmax match it; a row of windows holding a NaN, and the partial windows of ceil
 * mode or odd sizes, are redone with the exact scan. */
static void max_plane_2x2(const pool_job *J, long p) {
  const att_pool_geom *g = J->g;
  const long w = g->w, ow = g->out_w;
  const float *x = J->x + p * g->h * w;
  float *out = J->out + p * g->out_h * ow;
  int32_t *am = J->argmax + p * g->out_h * ow;
  const long full_h = g->h / 2 < g->out_h ? g->h / 2 : g->out_h;
  const long full_w = w / 2 < ow ? w / 2 : ow;
  const __m128i one = _mm_set1_epi32(1), wv = _mm_set1_epi32((int)w), step = _mm_set1_epi32(8);
  for (long oy = 0; oy < g->out_h; oy++) {
    const float *r0 = x + 2 * oy * w, *r1 = r0 + w;
    float *o = out + oy * ow;
    int32_t *a = am + oy * ow;
    long ox = 0;
    if (oy < full_h) {
      __m128i base = _mm_add_epi32(_mm_set1_epi32((int)(2 * oy * w)), _mm_setr_epi32(0, 2, 4, 6));
      int nan = 0;
      for (; ox + 4 <= full_w; ox += 4) {
        const __m128 a0 = _mm_loadu_ps(r0 + 2 * ox), a1 = _mm_loadu_ps(r0 + 2 * ox + 4);
        const __m128 b0 = _mm_loadu_ps(r1 + 2 * ox), b1 = _mm_loadu_ps(r1 + 2 * ox + 4);
        const __m128 va = _mm_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0)), vb = _mm_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1));
        const __m128 vc = _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), vd = _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1));
        nan |= _mm_movemask_ps(_mm_or_ps(_mm_cmpunord_ps(va, vb), _mm_cmpunord_ps(vc, vd)));
        __m128 best = va;
        __m128i bi = base;
        __m128 m = _mm_cmpgt_ps(vb, best);
        best = _mm_or_ps(_mm_and_ps(m, vb), _mm_andnot_ps(m, best));
        bi = _mm_or_si128(_mm_and_si128(_mm_castps_si128(m), _mm_add_epi32(base, one)), _mm_andnot_si128(_mm_castps_si128(m), bi));
        m = _mm_cmpgt_ps(vc, best);
        best = _mm_or_ps(_mm_and_ps(m, vc), _mm_andnot_ps(m, best));
        bi = _mm_or_si128(_mm_and_si128(_mm_castps_si128(m), _mm_add_epi32(base, wv)), _mm_andnot_si128(_mm_castps_si128(m), bi));
        m = _mm_cmpgt_ps(vd, best);
        best = _mm_or_ps(_mm_and_ps(m, vd), _mm_andnot_ps(m, best));
        bi = _mm_or_si128(_mm_and_si128(_mm_castps_si128(m), _mm_add_epi32(base, _mm_add_epi32(wv, one))), _mm_andnot_si128(_mm_castps_si128(m), bi));
        _mm_storeu_ps(o + ox, best);
        _mm_storeu_si128((__m128i *)(a + ox), bi);
        base = _mm_add_epi32(base, step);
      }
      if (nan) ox = 0; /* the row holds a NaN: all of it by the exact scan */
    }
    for (; ox < ow; ox++) {
      long e;
      o[ox] = max_window_exact(g, x, oy, ox, &e);
      a[ox] = (int32_t)e;
    }
  }
}
#endif

static void max_back_plane(const pool_job *J, long p) {
  const att_pool_geom *g = J->g;
  const long q_n = g->out_h * g->out_w;
  const float *dy = J->dy + p * q_n;
  const int32_t *am = J->am_in + p * q_n;
  float *dx = J->dx + p * g->h * g->w;
  for (long q = 0; q < q_n; q++)
    if (am[q] >= 0) dx[am[q]] += dy[q];
}

/* The window of output (oy, ox) clipped to the image, and its divisor (PyTorch's rule: the
 * window is first clipped to the padded image, then to the image unless padding counts). */
static inline void window(const att_pool_geom *g, long oy, long ox, int include_pad, long *ys, long *ye, long *xs,
                          long *xe, double *count) {
  const long y0 = oy * g->stride_h - g->pad_h, x0 = ox * g->stride_w - g->pad_w;
  const long y1 = y0 + g->kh < g->h + g->pad_h ? y0 + g->kh : g->h + g->pad_h;
  const long x1 = x0 + g->kw < g->w + g->pad_w ? x0 + g->kw : g->w + g->pad_w;
  *ys = y0 > 0 ? y0 : 0;
  *xs = x0 > 0 ? x0 : 0;
  *ye = y1 < g->h ? y1 : g->h;
  *xe = x1 < g->w ? x1 : g->w;
  *count = include_pad ? (double)((y1 - y0) * (x1 - x0)) : (double)((*ye - *ys) * (*xe - *xs));
}

static void avg_plane(const pool_job *J, long p) {
  const att_pool_geom *g = J->g;
  const float *x = J->x + p * g->h * g->w;
  float *out = J->out + p * g->out_h * g->out_w;
  for (long oy = 0; oy < g->out_h; oy++) {
    for (long ox = 0; ox < g->out_w; ox++) {
      long ys, ye, xs, xe;
      double count;
      window(g, oy, ox, J->include_pad, &ys, &ye, &xs, &xe, &count);
      double s = 0;
      for (long iy = ys; iy < ye; iy++)
        for (long ix = xs; ix < xe; ix++) s += x[iy * g->w + ix];
      out[oy * g->out_w + ox] = (float)(s / count);
    }
  }
}

static void avg_back_plane(const pool_job *J, long p) {
  const att_pool_geom *g = J->g;
  const float *dy = J->dy + p * g->out_h * g->out_w;
  float *dx = J->dx + p * g->h * g->w;
  for (long oy = 0; oy < g->out_h; oy++) {
    for (long ox = 0; ox < g->out_w; ox++) {
      long ys, ye, xs, xe;
      double count;
      window(g, oy, ox, J->include_pad, &ys, &ye, &xs, &xe, &count);
      const double v = dy[oy * g->out_w + ox] / count;
      for (long iy = ys; iy < ye; iy++)
        for (long ix = xs; ix < xe; ix++) dx[iy * g->w + ix] = (float)(dx[iy * g->w + ix] + v);
    }
  }
}

typedef void (*plane_fn)(const pool_job *J, long p);
typedef struct {
  const pool_job *J;
  plane_fn fn;
} plane_task_ctx;

static void plane_task(void *ctx, long t, int tid) {
  (void)tid;
  const plane_task_ctx *c = (const plane_task_ctx *)ctx;
  const long planes = c->J->g->n * c->J->g->c;
  const long p0 = t * c->J->planes_per_task;
  const long p1 = p0 + c->J->planes_per_task < planes ? p0 + c->J->planes_per_task : planes;
  for (long p = p0; p < p1; p++) c->fn(c->J, p);
}

static void run_planes(pool_job *J, plane_fn fn) {
  const att_pool_geom *g = J->g;
  const long planes = g->n * g->c;
  if (planes <= 0) return;
  /* work per plane: one window per output, kh·kw reads each */
  const double work = (double)planes * (double)(g->out_h * g->out_w) * (double)(g->kh * g->kw);
  const int threads = work < 65536 || planes < 2 ? 1 : att_num_threads();
  J->planes_per_task = threads > 1 ? (planes + 4L * threads - 1) / (4L * threads) : planes;
  plane_task_ctx ctx = {J, fn};
  const long tasks = (planes + J->planes_per_task - 1) / J->planes_per_task;
  if (threads <= 1) plane_task(&ctx, 0, 0);
  else att_parallel_for(tasks, threads, plane_task, &ctx);
}

void att_max_pool2d(const float *x, const att_pool_geom *g, float *out, int32_t *argmax) {
  pool_job J = {.g = g, .x = x, .out = out, .argmax = argmax};
#if defined(__SSE2__)
  if (g->kh == 2 && g->kw == 2 && g->stride_h == 2 && g->stride_w == 2 && g->pad_h == 0 && g->pad_w == 0) {
    run_planes(&J, max_plane_2x2);
    return;
  }
#endif
  run_planes(&J, max_plane);
}

void att_max_pool2d_backward(const float *dy, const int32_t *argmax, const att_pool_geom *g, float *dx) {
  pool_job J = {.g = g, .dy = dy, .am_in = argmax, .dx = dx};
  run_planes(&J, max_back_plane);
}

void att_avg_pool2d(const float *x, const att_pool_geom *g, int count_include_pad, float *out) {
  pool_job J = {.g = g, .x = x, .out = out, .include_pad = count_include_pad};
  run_planes(&J, avg_plane);
}

void att_avg_pool2d_backward(const float *dy, const att_pool_geom *g, int count_include_pad, float *dx) {
  pool_job J = {.g = g, .dy = dy, .dx = dx, .include_pad = count_include_pad};
  run_planes(&J, avg_back_plane);
}
