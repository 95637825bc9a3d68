/*
 * Internal interfaces shared by the C sources of the native backend.
 * Nothing here is exported from the addon except through addon.c.
 */
#ifndef ATTENTIVE_H
#define ATTENTIVE_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#define ATT_X86 1
#else
#define ATT_X86 0
#endif

/* Alignment of every buffer handed to JS and of internal packing buffers (one cache line,
 * also what AVX-512 aligned loads want). */
#define ATT_ALIGN 64

/* memory.c */
void *att_aligned_alloc(size_t bytes);
void att_aligned_free(void *p);

/* cpu.c: which instruction set the kernels may use on this machine. */
typedef enum { ATT_ISA_GENERIC = 0, ATT_ISA_AVX2 = 1, ATT_ISA_AVX512 = 2 } att_isa;
att_isa att_cpu_isa(void);
const char *att_isa_name(att_isa isa);
/* Number of online CPUs (at least 1). */
int att_cpu_count(void);

/* threadpool.c: a persistent pool; the calling thread takes part as thread 0. */
typedef void (*att_task_fn)(void *ctx, long task, int tid);
/* Runs fn(ctx, t, tid) for t in [0, ntasks) on up to `max_threads` threads (<= 0: all);
 * returns once every task has finished. Tasks are handed out dynamically. */
void att_parallel_for(long ntasks, int max_threads, att_task_fn fn, void *ctx);
/* Rows [r0, r1) of a row-wise kernel over [rows, cols]: one thread below min_parallel elements, else
 * about four row blocks per thread (rows differ in cost, e.g. ignored targets). */
typedef void (*att_rows_fn)(void *ctx, long r0, long r1);
void att_parallel_rows(long rows, long cols, long min_parallel, att_rows_fn fn, void *ctx);
int att_num_threads(void);
void att_set_num_threads(int n);
/* Upper bound on `tid` values passed to tasks (for sizing per-thread scratch). */
#define ATT_MAX_THREADS 256

/* gemm.c */
typedef struct {
  int trans_a, trans_b;
  long m, n, k;
  float alpha, beta;
  const float *a; long lda, stride_a;
  const float *b; long ldb, stride_b;
  float *c; long ldc, stride_c;
  long batch;
} att_gemm_args;
void att_gemm(const att_gemm_args *g);

/* A register-blocked micro-kernel: C[mr×nr] (row stride ldc) = alpha·(A·B) + beta·C over kc
 * steps of a packed A sliver (mr values per step) and a B sliver (nr values per step, next
 * step `rsb` floats further on). beta == 0 means C is not read. */
typedef void (*att_ukernel_fn)(long kc, const float *a, const float *b, long rsb, float *c,
                               long ldc, float alpha, float beta);
typedef struct {
  const char *name;
  int mr, nr;
  /* cache blocking: rows of A per block (multiple of mr), depth, columns of B per block */
  long mc, kc, nc;
  att_ukernel_fn kernel;
} att_gemm_kernel;
/* NULL when the instruction set is not compiled in. */
const att_gemm_kernel *att_gemm_kernel_avx2(void);
const att_gemm_kernel *att_gemm_kernel_avx512(void);
const att_gemm_kernel *att_gemm_kernel_generic(void);
/* gemm_small_avx2.c: unpacked kernels for few rows of A, columns [j0, j1) of one matrix;
 * `row` is k floats of scratch (used when A is transposed and B is not). Returns 0 when AVX2
 * is not compiled in (the caller checks the CPU). */
int att_gemm_small_avx2(const att_gemm_args *g, const float *A, const float *B, float *C, long j0, long j1, float *row);
/* gemm_avx2.c: packs the full 16-column sliver [j, j+16) × [p0, p0+kc) of op(B) = Bᵀ (B stored
 * N×K) as dst[p·16 + c]; only called when the CPU has AVX2. */
void att_pack_bt16_avx2(const float *B, long ldb, long p0, long kc, long j, float *dst);
/* The kernel chosen for this CPU (ATTENTIVE_GEMM_KERNEL=generic|avx2|avx512 can lower it). */
const att_gemm_kernel *att_gemm_kernel_active(void);

#endif
