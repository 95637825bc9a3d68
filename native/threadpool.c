/*
 * A small persistent thread pool. Workers spin briefly after finishing a job (kernels tend to
 * come in bursts, and waking a sleeping thread costs tens of microseconds), then sleep on a
 * condition variable so an idle process uses no CPU.
 *
 * Completion is counted in tasks, not in workers: the caller claims tasks too and returns as
 * soon as every task has finished, without waiting for workers that have not woken up yet. On
 * a loaded 2-core machine a worker can be off-CPU for milliseconds; the caller then simply does
 * the work itself instead of stalling. Tasks are claimed through one 64-bit counter holding
 * (job generation, next task), so a worker that wakes late can never claim a task of a newer
 * job with an older job's function.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "attentive.h"
#if ATT_X86
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* about 50 µs of polling at 2–4 GHz (a pause is ~10–140 cycles depending on the core) */
#define SPIN_ITERS 4000
/* task index meaning "job not open yet" */
#define CLOSED 0xffffffffu

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_cond_t done;
  pthread_t threads[ATT_MAX_THREADS];
  int nworkers;              /* threads besides the caller */
  atomic_uint_fast64_t generation; /* bumped once per job */
  atomic_int stop;
  /* the current job: valid while `claim` carries its generation */
  att_task_fn fn;
  void *ctx;
  long ntasks;
  int job_workers;           /* workers allowed to take part (tid <= job_workers) */
  atomic_uint_fast64_t claim; /* (generation << 32) | next task index */
  atomic_long finished;      /* tasks completed in the current job */
} pool_t;

static pool_t pool;
static int pool_started = 0;
static int pool_threads = 0; /* total, including the caller */
static pthread_mutex_t pool_admin = PTHREAD_MUTEX_INITIALIZER;

/* Claims and runs tasks of job `gen` until none are left (or a newer job has replaced it). */
static void run_tasks(uint64_t gen, int tid) {
  const uint64_t tag = (gen & 0xffffffffu) << 32;
  for (;;) {
    uint64_t c = atomic_load(&pool.claim);
    if ((c & ~(uint64_t)0xffffffffu) != tag) return;
    const uint64_t t = c & 0xffffffffu;
    if (t == CLOSED || (long)t >= pool.ntasks) return;
    if (!atomic_compare_exchange_weak(&pool.claim, &c, c + 1)) continue;
    pool.fn(pool.ctx, (long)t, tid);
    if (atomic_fetch_add(&pool.finished, 1) + 1 == pool.ntasks) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
  }
}

static void *worker_main(void *arg) {
  int tid = (int)(intptr_t)arg;
  /* the pool starts at generation 0; reading it here could miss a job posted before this
   * thread first ran */
  uint64_t seen = 0;
  for (;;) {
    int spins = 0;
    while (atomic_load(&pool.generation) == seen && !atomic_load(&pool.stop) && spins < SPIN_ITERS) {
      CPU_RELAX();
      spins++;
    }
    if (atomic_load(&pool.generation) == seen && !atomic_load(&pool.stop)) {
      pthread_mutex_lock(&pool.lock);
      while (atomic_load(&pool.generation) == seen && !atomic_load(&pool.stop))
        pthread_cond_wait(&pool.wake, &pool.lock);
      pthread_mutex_unlock(&pool.lock);
    }
    if (atomic_load(&pool.stop)) break;
    seen = atomic_load(&pool.generation);
    if (tid <= pool.job_workers) run_tasks(seen, tid);
  }
  return NULL;
}

static int default_threads(void) {
  const char *env = getenv("ATTENTIVE_NUM_THREADS");
  if (env && *env) {
    int n = atoi(env);
    if (n >= 1) return n < ATT_MAX_THREADS ? n : ATT_MAX_THREADS;
  }
  int n = att_cpu_count();
  return n < ATT_MAX_THREADS ? n : ATT_MAX_THREADS;
}

static void pool_stop(void) {
  if (!pool_started) return;
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.stop, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < pool.nworkers; i++) pthread_join(pool.threads[i], NULL);
  pthread_mutex_destroy(&pool.lock);
  pthread_cond_destroy(&pool.wake);
  pthread_cond_destroy(&pool.done);
  pool_started = 0;
}

static void pool_start(int nthreads) {
  memset(&pool, 0, sizeof pool);
  pthread_mutex_init(&pool.lock, NULL);
  pthread_cond_init(&pool.wake, NULL);
  pthread_cond_init(&pool.done, NULL);
  atomic_store(&pool.generation, 0);
  atomic_store(&pool.claim, CLOSED);
  atomic_store(&pool.stop, 0);
  pool.nworkers = 0;
  for (int i = 1; i < nthreads; i++) {
    if (pthread_create(&pool.threads[pool.nworkers], NULL, worker_main, (void *)(intptr_t)i) != 0) break;
    pool.nworkers++;
  }
  pool_threads = pool.nworkers + 1;
  pool_started = 1;
}

int att_num_threads(void) {
  pthread_mutex_lock(&pool_admin);
  if (pool_threads == 0) pool_threads = default_threads();
  int n = pool_threads;
  pthread_mutex_unlock(&pool_admin);
  return n;
}

void att_set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > ATT_MAX_THREADS) n = ATT_MAX_THREADS;
  pthread_mutex_lock(&pool_admin);
  if (pool_started && n != pool_threads) pool_stop();
  pool_threads = n;
  pthread_mutex_unlock(&pool_admin);
}

void att_parallel_for(long ntasks, int max_threads, att_task_fn fn, void *ctx) {
  if (ntasks <= 0) return;
  pthread_mutex_lock(&pool_admin);
  if (!pool_started) pool_start(pool_threads > 0 ? pool_threads : default_threads());
  int nthreads = pool_threads;
  if (max_threads > 0 && max_threads < nthreads) nthreads = max_threads;
  if (ntasks < nthreads) nthreads = (int)ntasks;
  if (nthreads <= 1 || ntasks >= (long)CLOSED) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
    pthread_mutex_unlock(&pool_admin);
    return;
  }
  const uint64_t gen = atomic_load(&pool.generation) + 1;
  const uint64_t tag = (gen & 0xffffffffu) << 32;
  /* close the counter for late workers of the previous job before touching the job fields */
  atomic_store(&pool.claim, tag | CLOSED);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.ntasks = ntasks;
  pool.job_workers = nthreads - 1;
  atomic_store(&pool.finished, 0);
  atomic_store(&pool.claim, tag);
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.generation, gen);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_tasks(gen, 0);

  int spins = 0;
  while (atomic_load(&pool.finished) < ntasks && spins < SPIN_ITERS * 4) {
    CPU_RELAX();
    spins++;
  }
  if (atomic_load(&pool.finished) < ntasks) {
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.finished) < ntasks) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
  }
  pthread_mutex_unlock(&pool_admin);
}

typedef struct {
  att_rows_fn fn;
  void *ctx;
  long rows, per_task;
} rows_job;

static void rows_task(void *ctx, long t, int tid) {
  (void)tid;
  const rows_job *J = (const rows_job *)ctx;
  const long r0 = t * J->per_task;
  J->fn(J->ctx, r0, r0 + J->per_task < J->rows ? r0 + J->per_task : J->rows);
}

void att_parallel_rows(long rows, long cols, long min_parallel, att_rows_fn fn, void *ctx) {
  if (rows <= 0) return;
  const int threads = (double)rows * cols < min_parallel ? 1 : att_num_threads();
  if (threads <= 1 || rows < 2) {
    fn(ctx, 0, rows);
    return;
  }
  const long tasks = threads * 4L < rows ? threads * 4L : rows;
  rows_job J = {.fn = fn, .ctx = ctx, .rows = rows, .per_task = (rows + tasks - 1) / tasks};
  att_parallel_for((rows + J.per_task - 1) / J.per_task, threads, rows_task, &J);
}
