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
