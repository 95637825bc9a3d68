/*
 * Strided copies (every contiguous() and transpose materialisation), where, and fill.
 *
 * All of it is memory traffic, so the work is (1) coalescing dimensions so most calls become
 * long contiguous runs, (2) a cache-blocked 2-D transpose when the source's unit-stride axis is
 * not the innermost one (a row-at-a-time walk would touch a new cache line per element), and
 * (3) splitting large calls across the pool by output ranges.
 *
 * Float <-> int conversions follow the reference bit for bit: int32 -> float32 rounds to nearest
 * even (one rounding, as JS's int -> double -> float32), float32 -> int32 is JS ToInt32.
 */
#include <math.h>
#include <string.h>
#include "attentive.h"
#include "copy.h"
#include "elementwise.h"
#if ATT_X86 && defined(__x86_64__)
#include <emmintrin.h>
#endif

int32_t att_to_int32(double v) {
  if (v >= -2147483648.0 && v < 2147483648.0) return (int32_t)v; /* truncates toward zero */
  if (!isfinite(v)) return 0;
  double r = fmod(trunc(v), 4294967296.0);
  if (r < 0) r += 4294967296.0;
  return (int32_t)(uint32_t)r;
}

static inline int32_t f2i(float v) {
  if (v >= -2147483648.0f && v < 2147483648.0f) return (int32_t)v;
  return att_to_int32((double)v);
}

/* conversion modes: bit copy (same type), float -> int, int -> float */
enum { CV_SAME, CV_F2I, CV_I2F };

static void copy_row(int cv, const void *src, long sx, void *dst, long n) {
  if (cv == CV_SAME) {
    const uint32_t *s = (const uint32_t *)src;
    uint32_t *d = (uint32_t *)dst;
    if (sx == 1) memcpy(d, s, (size_t)n * 4);
    else if (sx == 0) { const uint32_t v = s[0]; for (long j = 0; j < n; j++) d[j] = v; }
    else for (long j = 0; j < n; j++) d[j] = s[j * sx];
  } else if (cv == CV_F2I) {
    const float *s = (const float *)src;
    int32_t *d = (int32_t *)dst;
    if (sx == 1) {
      long j = 0;
#if ATT_X86 && defined(__x86_64__)
      /* SSE2 truncation gives INT32_MIN for every out-of-range or NaN lane: only those lanes
       * need the slow ToInt32 path (a true -2^31 takes it too and comes out the same) */
      const __m128i bad = _mm_set1_epi32(INT32_MIN);
      for (; j + 4 <= n; j += 4) {
        const __m128i t = _mm_cvttps_epi32(_mm_loadu_ps(s + j));
        _mm_storeu_si128((__m128i *)(d + j), t);
        if (_mm_movemask_epi8(_mm_cmpeq_epi32(t, bad)))
          for (int q = 0; q < 4; q++) d[j + q] = f2i(s[j + q]);
      }
#endif
      for (; j < n; j++) d[j] = f2i(s[j]);
    } else for (long j = 0; j < n; j++) d[j] = f2i(s[j * sx]);
  } else {
    const int32_t *s = (const int32_t *)src;
    float *d = (float *)dst;
    if (sx == 1) for (long j = 0; j < n; j++) d[j] = (float)s[j];
    else for (long j = 0; j < n; j++) d[j] = (float)s[j * sx];
  }
}

static void where_row(int cond_int, const void *c, long sc, const float *a, long sa, const float *b, long sb,
                      float *o, long n) {
  if (cond_int) {
    const int32_t *ci = (const int32_t *)c;
    for (long j = 0; j < n; j++) o[j] = ci[j * sc] != 0 ? a[j * sa] : b[j * sb];
  } else {
    const float *cf = (const float *)c;
    /* the usual layouts get their own loops so the select vectorises */
    if (sc == 1 && sa == 1 && sb == 1)
      for (long j = 0; j < n; j++) o[j] = cf[j] != 0.0f ? a[j] : b[j];
    else if (sc == 0 && sa == 1 && sb == 1)
      memcpy(o, cf[0] != 0.0f ? a : b, (size_t)n * sizeof(float)); /* a row-broadcast mask */
    else if (sc == 0)
      for (long j = 0; j < n; j++) o[j] = cf[0] != 0.0f ? a[j * sa] : b[j * sb];
    else if (sc == 1 && sa == 0 && sb == 1)
      for (long j = 0; j < n; j++) o[j] = cf[j] != 0.0f ? a[0] : b[j];
    else if (sc == 1 && sa == 1 && sb == 0)
      for (long j = 0; j < n; j++) o[j] = cf[j] != 0.0f ? a[j] : b[0];
    else
      for (long j = 0; j < n; j++) o[j] = cf[j * sc] != 0.0f ? a[j * sa] : b[j * sb];
  }
}

/* ---------- job description and row-range walk ---------- */

enum { JOB_COPY, JOB_WHERE };

/* edge of a transpose tile: 32×32 floats = 4 KB, so both sides of a tile sit in L1 */
#define TILE 32

typedef struct {
  int kind, nviews, nd, cv, cond_int;
  long shape[ATT_MAX_DIMS];
  long strides[3][ATT_MAX_DIMS];
  const char *in[3]; /* byte pointers: every element is 4 bytes */
  char *out;
  long total, chunk;
  /* tiled transpose (copy only): axis `tdim` has source stride ±1 */
  int tdim;
  long ostr[ATT_MAX_DIMS], tblocks;
} mv_job;

static void mv_range(const mv_job *J, long start, long end) {
  const int nd = J->nd;
  if (nd == 0) {
    if (J->kind == JOB_COPY) copy_row(J->cv, J->in[0], 0, J->out, 1);
    else where_row(J->cond_int, J->in[0], 0, (const float *)J->in[1], 0, (const float *)J->in[2], 0, (float *)J->out, 1);
    return;
  }
  long idx[ATT_MAX_DIMS];
  long off[3] = {0, 0, 0};
  att_nd_seek(nd, J->nviews, J->shape, (const long (*)[ATT_MAX_DIMS])J->strides, start, idx, off);
  const long inner = J->shape[nd - 1];
  long pos = start;
  while (pos < end) {
    long n = inner - idx[nd - 1];
    if (n > end - pos) n = end - pos;
    if (J->kind == JOB_COPY) {
      copy_row(J->cv, J->in[0] + 4 * off[0], J->strides[0][nd - 1], J->out + 4 * pos, n);
    } else {
      where_row(J->cond_int, J->in[0] + 4 * off[0], J->strides[0][nd - 1], (const float *)(J->in[1] + 4 * off[1]),
                J->strides[1][nd - 1], (const float *)(J->in[2] + 4 * off[2]), J->strides[2][nd - 1],
                (float *)J->out + pos, n);
    }
    pos += n;
    att_nd_step(nd, J->nviews, J->shape, (const long (*)[ATT_MAX_DIMS])J->strides, n, idx, off);
  }
}

static void mv_task(void *ctx, long t, int tid) {
  (void)tid;
  const mv_job *J = (const mv_job *)ctx;
  const long s = t * J->chunk;
  mv_range(J, s, s + J->chunk < J->total ? s + J->chunk : J->total);
}

/* One task of the tiled transpose: a TILE-row band of axis `tdim` within one combination of
 * the other outer axes, swept across the innermost axis tile by tile. Reads run along the
 * source's unit stride, writes along the output's; a tile keeps both in cache. */
static void tiled_task(void *ctx, long t, int tid) {
  (void)tid;
  const mv_job *J = (const mv_job *)ctx;
  const int nd = J->nd, td = J->tdim;
  const long band = t % J->tblocks;
  long rem = t / J->tblocks, soff = 0, doff = 0;
  for (int d = nd - 2; d >= 0; d--) {
    if (d == td) continue;
    const long i = rem % J->shape[d];
    rem /= J->shape[d];
    soff += i * J->strides[0][d];
    doff += i * J->ostr[d];
  }
  const long i0 = band * TILE, i1 = i0 + TILE < J->shape[td] ? i0 + TILE : J->shape[td];
  const long si = J->strides[0][td], sj = J->strides[0][nd - 1], di = J->ostr[td];
  const long ncols = J->shape[nd - 1];
  for (long j0 = 0; j0 < ncols; j0 += TILE) {
    const long j1 = j0 + TILE < ncols ? j0 + TILE : ncols;
    for (long j = j0; j < j1; j++) {
      const long s = soff + j * sj, d = doff + j;
      if (J->cv == CV_SAME) {
        const uint32_t *src = (const uint32_t *)J->in[0];
        uint32_t *dst = (uint32_t *)J->out;
        for (long i = i0; i < i1; i++) dst[d + i * di] = src[s + i * si];
      } else if (J->cv == CV_F2I) {
        const float *src = (const float *)J->in[0];
        int32_t *dst = (int32_t *)J->out;
        for (long i = i0; i < i1; i++) dst[d + i * di] = f2i(src[s + i * si]);
      } else {
        const int32_t *src = (const int32_t *)J->in[0];
        float *dst = (float *)J->out;
        for (long i = i0; i < i1; i++) dst[d + i * di] = (float)src[s + i * si];
      }
    }
  }
}

/* Below these many elements a call stays on one thread. Strided gathers are latency-bound and
 * gain from a second core sooner than streaming copies, which one core nearly saturates. */
#define PARALLEL_MIN_STRIDED 32768
#define PARALLEL_MIN_STREAM 262144

static void mv_run(mv_job *J) {
  J->nd = att_coalesce(J->nd, J->shape, J->strides, J->nviews);
  if (J->total <= 0) return;
  const int nd = J->nd;
  const int unit = nd == 0 || J->strides[0][nd - 1] == 1;
  /* a plain memcpy runs at memory speed on one core; splitting it only adds a hand-off */
  const int plain = J->kind == JOB_COPY && J->cv == CV_SAME && nd == 1 && unit;
  const int threads = plain || J->total < (unit ? PARALLEL_MIN_STREAM : PARALLEL_MIN_STRIDED) ? 1 : att_num_threads();

  if (J->kind == JOB_COPY && nd >= 2 && !unit && J->shape[nd - 1] >= 8) {
    /* look for the axis the source walks with unit stride */
    int td = -1;
    for (int d = 0; d < nd - 1; d++)
      if ((J->strides[0][d] == 1 || J->strides[0][d] == -1) && J->shape[d] >= 8) td = d;
    if (td >= 0) {
      J->tdim = td;
      long s = 1;
      for (int d = nd - 1; d >= 0; d--) { J->ostr[d] = s; s *= J->shape[d]; }
      J->tblocks = (J->shape[td] + TILE - 1) / TILE;
      const long tasks = J->total / (J->shape[td] * J->shape[nd - 1]) * J->tblocks;
      if (threads <= 1) for (long t = 0; t < tasks; t++) tiled_task(J, t, 0);
      else att_parallel_for(tasks, threads, tiled_task, J);
      return;
    }
  }
  if (threads <= 1) {
    mv_range(J, 0, J->total);
    return;
  }
  long chunk = (J->total + threads * 4 - 1) / (threads * 4);
  chunk = (chunk + 15) / 16 * 16; /* whole cache lines of output per task */
  J->chunk = chunk;
  att_parallel_for((J->total + chunk - 1) / chunk, threads, mv_task, J);
}

void att_copy(const void *src, int src_int, int nd, const long *shape, const long *strides, void *out, int dst_int) {
  mv_job J;
  memset(&J, 0, sizeof J);
  J.kind = JOB_COPY;
  J.nviews = 1;
  J.nd = nd;
  J.cv = src_int == dst_int ? CV_SAME : src_int ? CV_I2F : CV_F2I;
  J.total = 1;
  for (int d = 0; d < nd; d++) {
    J.shape[d] = shape[d];
    J.strides[0][d] = strides[d];
    J.total *= shape[d];
  }
  J.in[0] = (const char *)src;
  J.out = (char *)out;
  mv_run(&J);
}

void att_where(const void *cond, int cond_int, const float *a, const float *b, int nd, const long *shape,
               const long strides[3][ATT_MAX_DIMS], float *out) {
  mv_job J;
  memset(&J, 0, sizeof J);
  J.kind = JOB_WHERE;
  J.nviews = 3;
  J.nd = nd;
  J.cond_int = cond_int;
  J.total = 1;
  for (int d = 0; d < nd; d++) {
    J.shape[d] = shape[d];
    for (int v = 0; v < 3; v++) J.strides[v][d] = strides[v][d];
    J.total *= shape[d];
  }
  J.in[0] = (const char *)cond;
  J.in[1] = (const char *)a;
  J.in[2] = (const char *)b;
  J.out = (char *)out;
  mv_run(&J);
}

typedef struct {
  void *out;
  long n, chunk;
  uint32_t bits;
} fill_job;

static void fill_task(void *ctx, long t, int tid) {
  (void)tid;
  const fill_job *J = (const fill_job *)ctx;
  const long s = t * J->chunk, e = s + J->chunk < J->n ? s + J->chunk : J->n;
  uint32_t *o = (uint32_t *)J->out;
  const uint32_t v = J->bits;
  if (v == 0) memset(o + s, 0, (size_t)(e - s) * 4);
  else for (long i = s; i < e; i++) o[i] = v;
}

void att_fill(void *out, int is_int, long n, double value) {
  if (n <= 0) return;
  fill_job J = {.out = out, .n = n};
  if (is_int) {
    const int32_t v = att_to_int32(value);
    memcpy(&J.bits, &v, 4);
  } else {
    const float v = (float)value;
    memcpy(&J.bits, &v, 4);
  }
  const int threads = n < 4 * PARALLEL_MIN_STREAM ? 1 : att_num_threads();
  long chunk = (n + threads - 1) / threads;
  J.chunk = (chunk + 15) / 16 * 16;
  const long tasks = (n + J.chunk - 1) / J.chunk;
  if (threads <= 1 || tasks <= 1) fill_task(&J, 0, 0) /* chunk >= n */;
  else att_parallel_for(tasks, threads, fill_task, &J);
}
