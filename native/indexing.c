/*
 * Embedding lookups and their gradient: indexSelect gathers rows of [outer, n, inner] and
 * indexAdd scatters them back with accumulation. indexAdd is split across threads by columns
 * (inner), never by index, so repeated indices (the same word twice in a batch) never race.
 */
#include <string.h>
#include "attentive.h"
#include "indexing.h"

typedef struct {
  const float *src;
  float *dst;
  const int32_t *index;
  long outer, n, inner, m, col_chunk;
} ix_job;

static void select_task(void *ctx, long t, int tid) {
  (void)tid;
  const ix_job *J = (const ix_job *)ctx;
  const long o = t / J->m, j = t % J->m;
  memcpy(J->dst + (o * J->m + j) * J->inner, J->src + (o * J->n + J->index[j]) * J->inner,
         (size_t)J->inner * sizeof(float));
}

void att_index_select(const float *x, long outer, long n, long inner, const int32_t *index, long m, float *out) {
  ix_job J = {.src = x, .dst = out, .index = index, .outer = outer, .n = n, .inner = inner, .m = m};
  const long tasks = outer * m;
  if (tasks * inner < 65536) {
    for (long t = 0; t < tasks; t++) select_task(&J, t, 0);
  } else {
    att_parallel_for(tasks, 0, select_task, &J);
  }
}

static void add_task(void *ctx, long t, int tid) {
  (void)tid;
  const ix_job *J = (const ix_job *)ctx;
  const long i0 = t * J->col_chunk;
  const long i1 = i0 + J->col_chunk < J->inner ? i0 + J->col_chunk : J->inner;
  for (long o = 0; o < J->outer; o++) {
    for (long j = 0; j < J->m; j++) {
      const float *s = J->src + (o * J->m + j) * J->inner;
      float *d = J->dst + (o * J->n + J->index[j]) * J->inner;
      for (long i = i0; i < i1; i++) d[i] += s[i];
    }
  }
}

void att_index_add(const float *src, long outer, long n, long inner, const int32_t *index, long m, float *out) {
  ix_job J = {.src = src, .dst = out, .index = index, .outer = outer, .n = n, .inner = inner, .m = m};
  const int threads = outer * m * inner < 65536 || inner < 32 ? 1 : att_num_threads();
  /* column chunks of whole cache lines so threads never share a line */
  long chunk = (inner + threads - 1) / threads;
  chunk = (chunk + 15) / 16 * 16;
  J.col_chunk = chunk;
  const long tasks = (inner + chunk - 1) / chunk;
  if (threads <= 1 || tasks <= 1) {
    J.col_chunk = inner;
    add_task(&J, 0, 0);
  } else {
    att_parallel_for(tasks, threads, add_task, &J);
  }
}

/* ---------- gather / scatterAdd (torch.gather along the middle axis) ---------- */

typedef struct {
  const void *src;
  void *dst;
  const int32_t *index;
  long outer, n, inner, m, col_chunk, col_blocks, rows_per_task;
} gs_job;

/* A task is one `o` slice and one block of columns i: destinations of different o or i never
 * coincide, so scatterAdd needs no atomics, and each destination still receives its
 * contributions in increasing j, the reference's order. */
static void gs_bounds(const gs_job *J, long t, long *o0, long *o1, long *i0, long *i1) {
  const long r = t / J->col_blocks;
  *o0 = r * J->rows_per_task;
  *o1 = *o0 + J->rows_per_task < J->outer ? *o0 + J->rows_per_task : J->outer;
  *i0 = (t % J->col_blocks) * J->col_chunk;
  *i1 = *i0 + J->col_chunk < J->inner ? *i0 + J->col_chunk : J->inner;
}

static void gather_task(void *ctx, long t, int tid) {
  (void)tid;
  const gs_job *J = (const gs_job *)ctx;
  long o0, o1, i0, i1;
  gs_bounds(J, t, &o0, &o1, &i0, &i1);
  uint32_t *out = (uint32_t *)J->dst;
  const long inner = J->inner;
  for (long o = o0; o < o1; o++) {
    const uint32_t *x = (const uint32_t *)J->src + o * J->n * inner;
    for (long j = 0; j < J->m; j++) {
      const long at = (o * J->m + j) * inner;
      const int32_t *ix = J->index + at;
      for (long i = i0; i < i1; i++) out[at + i] = x[(long)ix[i] * inner + i];
    }
  }
}

static void scatter_task(void *ctx, long t, int tid) {
  (void)tid;
  const gs_job *J = (const gs_job *)ctx;
  long o0, o1, i0, i1;
  gs_bounds(J, t, &o0, &o1, &i0, &i1);
  const float *src = (const float *)J->src;
  const long inner = J->inner;
  for (long o = o0; o < o1; o++) {
    float *out = (float *)J->dst + o * J->n * inner;
    for (long j = 0; j < J->m; j++) {
      const long at = (o * J->m + j) * inner;
      const int32_t *ix = J->index + at;
      for (long i = i0; i < i1; i++) out[(long)ix[i] * inner + i] += src[at + i];
    }
  }
}

static void gs_run(gs_job *J, att_task_fn fn) {
  const long total = J->outer * J->m * J->inner;
  const int threads = total < 65536 ? 1 : att_num_threads();
  J->col_blocks = 1;
  J->col_chunk = J->inner;
  J->rows_per_task = threads > 1 ? (J->outer + 4L * threads - 1) / (4L * threads) : J->outer;
  if (threads > 1 && J->outer < 4L * threads && J->inner >= 64) {
    long want = (4L * threads + J->outer - 1) / J->outer;
    long chunk = (J->inner + want - 1) / want;
    chunk = (chunk + 15) / 16 * 16;
    J->col_chunk = chunk;
    J->col_blocks = (J->inner + chunk - 1) / chunk;
    J->rows_per_task = 1;
  }
  const long tasks = (J->outer + J->rows_per_task - 1) / J->rows_per_task * J->col_blocks;
  if (threads <= 1) for (long t = 0; t < tasks; t++) fn(J, t, 0);
  else att_parallel_for(tasks, threads, fn, J);
}

void att_gather(const uint32_t *x, long outer, long n, long inner, const int32_t *index, long m, uint32_t *out) {
  if (outer <= 0 || inner <= 0 || m <= 0) return;
  gs_job J = {.src = x, .dst = out, .index = index, .outer = outer, .n = n, .inner = inner, .m = m};
  gs_run(&J, gather_task);
}

void att_scatter_add(const float *src, long outer, long n, long inner, const int32_t *index, long m, float *out) {
  if (outer <= 0 || inner <= 0 || m <= 0) return;
  gs_job J = {.src = src, .dst = out, .index = index, .outer = outer, .n = n, .inner = inner, .m = m};
  gs_run(&J, scatter_task);
}
