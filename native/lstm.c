/*
 * Fused LSTM cell: gates [B, 4H] (i, f, g, o pre-activations) and c [B, H] to hc [B, 2H] =
 * [h' | c'] plus saved [B, 5H] = (i, f, g, o, tanh c') for the backward pass.
 *
 * One pass reads each gate once and writes every output once; the five transcendental
 * functions per element are the whole cost, so the AVX2 path evaluates them 8 lanes at a time
 * (vmath.h). Work is split across threads by (row, column block) so a batch of 1 (greedy
 * decoding) still uses every core when H is large.
 */
#include <math.h>
#include "attentive.h"
#include "lstm.h"
#include "vmath.h"

typedef struct {
  const float *gates, *c, *dhc, *saved;
  float *hc, *sv, *dgates, *dc;
  long b, h, col_chunk, col_blocks;
} lstm_job;

static inline float sigmoid1(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

static void fwd_scalar(const lstm_job *J, long r, long j0, long j1) {
  const long h = J->h;
  const float *g = J->gates + r * 4 * h, *c = J->c + r * h;
  float *hc = J->hc + r * 2 * h, *s = J->sv + r * 5 * h;
  for (long j = j0; j < j1; j++) {
    const float i = sigmoid1(g[j]), f = sigmoid1(g[h + j]), gg = tanhf(g[2 * h + j]), o = sigmoid1(g[3 * h + j]);
    const float cn = f * c[j] + i * gg, tc = tanhf(cn);
    hc[j] = o * tc;
    hc[h + j] = cn;
    s[j] = i; s[h + j] = f; s[2 * h + j] = gg; s[3 * h + j] = o; s[4 * h + j] = tc;
  }
}

#if ATT_HAVE_VMATH_AVX2
/* One 8-lane step at column j; `m` masks the lanes past the row's end (all ones inside). */
#define FWD_STEP(LOAD, STORE)                                                             \
  do {                                                                                    \
    const __m256 i = att_sigmoid256(LOAD(g + j)), f = att_sigmoid256(LOAD(g + h + j));    \
    const __m256 gg = att_tanh256(LOAD(g + 2 * h + j)), o = att_sigmoid256(LOAD(g + 3 * h + j)); \
    const __m256 cn = _mm256_fmadd_ps(f, LOAD(c + j), _mm256_mul_ps(i, gg));              \
    const __m256 tc = att_tanh256(cn);                                                    \
    STORE(hc + j, _mm256_mul_ps(o, tc));                                                  \
    STORE(hc + h + j, cn);                                                                \
    STORE(s + j, i); STORE(s + h + j, f); STORE(s + 2 * h + j, gg); STORE(s + 3 * h + j, o); \
    STORE(s + 4 * h + j, tc);                                                             \
  } while (0)
#define LD(p) _mm256_loadu_ps(p)
#define ST(p, v) _mm256_storeu_ps((p), (v))
#define LDM(p) _mm256_maskload_ps((p), m)
#define STM(p, v) _mm256_maskstore_ps((p), m, (v))

ATT_AVX2_TARGET static void fwd_avx2(const lstm_job *J, long r, long j0, long j1) {
  const long h = J->h;
  const float *g = J->gates + r * 4 * h, *c = J->c + r * h;
  float *hc = J->hc + r * 2 * h, *s = J->sv + r * 5 * h;
  long j = j0;
  for (; j + 8 <= j1; j += 8) FWD_STEP(LD, ST);
  if (j < j1) {
    const __m256i m = att_tail_mask(j1 - j);
    FWD_STEP(LDM, STM);
  }
}
#endif

static void bwd_range(const lstm_job *J, long r, long j0, long j1) {
  const long h = J->h;
  const float *dhc = J->dhc + r * 2 * h, *c = J->c + r * h, *s = J->saved + r * 5 * h;
  float *dg = J->dgates + r * 4 * h, *dc = J->dc + r * h;
  /* plain arithmetic on contiguous rows: the compiler vectorises this loop */
  for (long j = j0; j < j1; j++) {
    const float i = s[j], f = s[h + j], g = s[2 * h + j], o = s[3 * h + j], tc = s[4 * h + j];
    const float dh = dhc[j];
    const float dct = dhc[h + j] + dh * o * (1.0f - tc * tc);
    dg[j] = dct * g * i * (1.0f - i);
    dg[h + j] = dct * c[j] * f * (1.0f - f);
    dg[2 * h + j] = dct * i * (1.0f - g * g);
    dg[3 * h + j] = dh * tc * o * (1.0f - o);
    dc[j] = dct * f;
  }
}

static void task_bounds(const lstm_job *J, long t, long *r, long *j0, long *j1) {
  *r = t / J->col_blocks;
  *j0 = (t % J->col_blocks) * J->col_chunk;
  *j1 = *j0 + J->col_chunk < J->h ? *j0 + J->col_chunk : J->h;
}

static void fwd_task(void *ctx, long t, int tid) {
  (void)tid;
  const lstm_job *J = (const lstm_job *)ctx;
  long r, j0, j1;
  task_bounds(J, t, &r, &j0, &j1);
#if ATT_HAVE_VMATH_AVX2
  if (att_vmath_avx2()) { fwd_avx2(J, r, j0, j1); return; }
#endif
  fwd_scalar(J, r, j0, j1);
}

static void bwd_task(void *ctx, long t, int tid) {
  (void)tid;
  const lstm_job *J = (const lstm_job *)ctx;
  long r, j0, j1;
  task_bounds(J, t, &r, &j0, &j1);
  bwd_range(J, r, j0, j1);
}

/* Splits B×H into tasks: whole rows when there are enough of them, else column blocks (whole
 * cache lines) so a small batch still spreads over the pool. `min_parallel` is the element count
 * below which waking a second thread costs more than it saves. */
static void run(lstm_job *J, att_task_fn fn, long min_parallel) {
  const long total = J->b * J->h;
  const int threads = total < min_parallel ? 1 : att_num_threads();
  J->col_blocks = 1;
  J->col_chunk = J->h;
  if (threads > 1 && J->b < 4L * threads) {
    long want = (4L * threads + J->b - 1) / J->b;
    long chunk = (J->h + want - 1) / want;
    chunk = (chunk + 15) / 16 * 16;
    J->col_chunk = chunk;
    J->col_blocks = (J->h + chunk - 1) / chunk;
  }
  const long tasks = J->b * J->col_blocks;
  if (threads <= 1) {
    for (long t = 0; t < tasks; t++) fn(J, t, 0);
  } else {
    att_parallel_for(tasks, threads, fn, J);
  }
}

void att_lstm_cell(const float *gates, const float *c, long b, long h, float *hc, float *saved) {
  if (b <= 0 || h <= 0) return;
  lstm_job J = {.gates = gates, .c = c, .hc = hc, .sv = saved, .b = b, .h = h};
  /* ~5 transcendental evaluations per element: a few thousand elements already pay for a thread */
  run(&J, fwd_task, 4096);
}

void att_lstm_cell_backward(const float *dhc, const float *c, const float *saved, long b, long h, float *dgates,
                            float *dc) {
  if (b <= 0 || h <= 0) return;
  lstm_job J = {.dhc = dhc, .c = c, .saved = saved, .dgates = dgates, .dc = dc, .b = b, .h = h};
  /* memory-bound: 13 floats moved per element */
  run(&J, bwd_task, 32768);
}
