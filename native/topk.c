/*
 * Sorted top-k along the rows of a contiguous [rows, cols] array.
 *
 * The order is the reference's (a stable sort): by key, NaN counting as +inf (so NaN and +inf
 * tie and keep index order), best first, equal keys by ascending index. With s = key for
 * `largest` and -key otherwise, "a before b" is s[a] > s[b] || (s[a] == s[b] && a < b), a strict
 * total order, so any correct selection gives the reference's result exactly.
 *
 * For the usual small k (beam search: k = beam or 2·beam over a vocabulary) a sorted buffer of the
 * k best so far is kept while scanning the row once in index order; an element enters only if
 * strictly better than the current k-th, and the AVX2 path tests 8 elements against that
 * threshold per compare, so the scan runs near memory speed. Large k sorts the whole row.
 */
#include <math.h>
#include <stdlib.h>
#include "attentive.h"
#include "topk.h"
#include "vmath.h"

/* up to this k the insertion buffer beats sorting (worst case O(cols·k), typical O(cols)) */
#define BUFFER_MAX_K 256

typedef struct {
  float s;
  int32_t i;
} entry;

static inline float key_of(float v, int largest) {
  const float k = v != v ? INFINITY : v;
  return largest ? k : -k;
}

/* Inserts (s, j) into buf[0..*n) sorted best first, keeping at most k entries. Callers pass j in
 * increasing order, so an equal key goes after the ones already there. */
static inline void insert(entry *buf, long *n, long k, float s, int32_t j) {
  long pos = *n < k ? *n : k - 1;
  if (*n == k && !(s > buf[k - 1].s)) return;
  /* shift worse entries down one place */
  while (pos > 0 && s > buf[pos - 1].s) {
    buf[pos] = buf[pos - 1];
    pos--;
  }
  buf[pos].s = s;
  buf[pos].i = j;
  if (*n < k) (*n)++;
}

static long scan_scalar(const float *x, long j, long cols, long k, int largest, entry *buf, long *n) {
  for (; j < cols; j++) insert(buf, n, k, key_of(x[j], largest), (int32_t)j);
  return j;
}

#if ATT_HAVE_VMATH_AVX2
/* Skips 8 elements at a time while none beats the current k-th (buffer already full). */
ATT_AVX2_TARGET static long scan_avx2(const float *x, long j, long cols, long k, int largest, entry *buf, long *n) {
  const __m256 inf = _mm256_set1_ps(INFINITY), flip = _mm256_set1_ps(largest ? 0.0f : -0.0f);
  for (; j + 8 <= cols; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    __m256 s = _mm256_blendv_ps(v, inf, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    s = _mm256_xor_ps(s, flip);
    int mask = _mm256_movemask_ps(_mm256_cmp_ps(s, _mm256_set1_ps(buf[k - 1].s), _CMP_GT_OQ));
    while (mask) {
      const int lane = __builtin_ctz(mask);
      mask &= mask - 1;
      insert(buf, n, k, key_of(x[j + lane], largest), (int32_t)(j + lane));
    }
  }
  return j;
}
#endif

static int cmp_entry(const void *pa, const void *pb) {
  const entry *a = (const entry *)pa, *b = (const entry *)pb;
  if (a->s > b->s) return -1;
  if (a->s < b->s) return 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

typedef struct {
  const float *x;
  long rows, cols, k, rows_per_task;
  int largest;
  float *values;
  int32_t *indices;
  entry *sort_buf[ATT_MAX_THREADS]; /* cols entries per thread, large k only */
} topk_job;

static void topk_row(const topk_job *J, long r, entry *sorted) {
  const float *x = J->x + r * J->cols;
  const long cols = J->cols, k = J->k;
  float *vo = J->values + r * k;
  int32_t *io = J->indices + r * k;
  if (k <= BUFFER_MAX_K) {
    entry buf[BUFFER_MAX_K];
    long n = 0;
    long j = scan_scalar(x, 0, k, k, J->largest, buf, &n); /* fill with the first k */
#if ATT_HAVE_VMATH_AVX2
    if (att_vmath_avx2()) j = scan_avx2(x, j, cols, k, J->largest, buf, &n);
#endif
    scan_scalar(x, j, cols, k, J->largest, buf, &n);
    for (long q = 0; q < k; q++) {
      vo[q] = x[buf[q].i];
      io[q] = buf[q].i;
    }
  } else {
    for (long j = 0; j < cols; j++) {
      sorted[j].s = key_of(x[j], J->largest);
      sorted[j].i = (int32_t)j;
    }
    qsort(sorted, (size_t)cols, sizeof(entry), cmp_entry);
    for (long q = 0; q < k; q++) {
      vo[q] = x[sorted[q].i];
      io[q] = sorted[q].i;
    }
  }
}

static void topk_task(void *ctx, long t, int tid) {
  const topk_job *J = (const topk_job *)ctx;
  const long r0 = t * J->rows_per_task, r1 = r0 + J->rows_per_task < J->rows ? r0 + J->rows_per_task : J->rows;
  for (long r = r0; r < r1; r++) topk_row(J, r, J->sort_buf[tid]);
}

int att_topk(const float *x, long rows, long cols, long k, int largest, float *values, int32_t *indices) {
  if (rows <= 0 || k <= 0) return 1;
  topk_job J = {.x = x, .rows = rows, .cols = cols, .k = k, .largest = largest, .values = values, .indices = indices};
  const int threads = rows < 2 || rows * cols < 32768 ? 1 : att_num_threads();
  int ok = 1;
  if (k > BUFFER_MAX_K) {
    for (int t = 0; t < threads; t++) {
      J.sort_buf[t] = (entry *)malloc((size_t)cols * sizeof(entry));
      if (!J.sort_buf[t]) ok = 0;
    }
  }
  if (ok) {
    J.rows_per_task = threads > 1 ? (rows + 4L * threads - 1) / (4L * threads) : rows;
    const long tasks = (rows + J.rows_per_task - 1) / J.rows_per_task;
    if (threads <= 1) topk_task(&J, 0, 0);
    else att_parallel_for(tasks, threads, topk_task, &J);
  }
  for (int t = 0; t < threads; t++) free(J.sort_buf[t]);
  return ok;
}
