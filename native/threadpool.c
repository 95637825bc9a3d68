/*
 * A small persistent thread pool. Workers spin briefly after finishing a job (kernels tend to
 * come in bursts, and waking a sleeping thread costs tens of microseconds), then sleep on a
 * condition variable so an idle process uses no CPU.
 */
#include <pthread.h>
#include <stdatomic.h>
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

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_cond_t done;
  pthread_t threads[ATT_MAX_THREADS];
  int nworkers;            /* threads besides the caller */
  atomic_long generation;  /* bumped once per job */
  atomic_int stop;
  /* the current job */
  att_task_fn fn;
  void *ctx;
  long ntasks;
  int job_workers;         /* workers taking part in the current job */
  atomic_long next_task;
  atomic_int pending;      /* workers that have not finished the current job */
} pool_t;

static pool_t pool;
static int pool_started = 0;
static int pool_threads = 0; /* total, including the caller */
static pthread_mutex_t pool_admin = PTHREAD_MUTEX_INITIALIZER;

static void run_tasks(int tid) {
  long t;
  while ((t = atomic_fetch_add(&pool.next_task, 1)) < pool.ntasks) pool.fn(pool.ctx, t, tid);
}

static void *worker_main(void *arg) {
  int tid = (int)(intptr_t)arg;
  /* the pool starts at generation 0; reading it here could miss a job posted before this
   * thread first ran */
  long seen = 0;
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
    if (tid <= pool.job_workers) run_tasks(tid);
    if (tid <= pool.job_workers && atomic_fetch_sub(&pool.pending, 1) == 1) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
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
  atomic_store(&pool.stop, 0);
  pool.nworkers = 0;
  for (int i = 1; i < nthreads; i++) {
    if (pthread_create(&pool.threads[pool.nworkers], NULL, worker_main, (void *)(intptr_t)i) != 0) break;
    pool.nworkers++;
  }
  pool_threads = pool.nworkers + 1;
  pool_started = 1;
}

static void ensure_started(void) {
  if (!pool_started) pool_start(pool_threads > 0 ? pool_threads : default_threads());
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
  ensure_started();
  int nthreads = pool_threads;
  if (max_threads > 0 && max_threads < nthreads) nthreads = max_threads;
  if (ntasks < nthreads) nthreads = (int)ntasks;
  if (nthreads <= 1) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
    pthread_mutex_unlock(&pool_admin);
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  pool.ntasks = ntasks;
  pool.job_workers = nthreads - 1;
  atomic_store(&pool.next_task, 0);
  atomic_store(&pool.pending, nthreads - 1);
  pthread_mutex_lock(&pool.lock);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_tasks(0);

  int spins = 0;
  while (atomic_load(&pool.pending) > 0 && spins < SPIN_ITERS * 4) {
    CPU_RELAX();
    spins++;
  }
  if (atomic_load(&pool.pending) > 0) {
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.pending) > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
  }
  pthread_mutex_unlock(&pool_admin);
}
