/*
 * SGEMM driver: C[b] = alpha·op(A[b])·op(B[b]) + beta·C[b] for any transposes, leading
 * dimensions, batch strides (0 broadcasts) and sizes.
 *
 * Large matrices follow the Goto/BLIS scheme: a KC×NC panel of B is packed (it stays in L3 /
 * L2), an MC×KC block of A is packed (it stays in L2), and a register-blocked micro-kernel
 * (gemm_avx2.c, gemm_avx512.c, or the portable one below) runs over MR×NR tiles of C with a
 * KC×NR sliver of B in L1. Packing also turns every transpose case into the same kernel.
 * Tiny matrices (attention scores per sequence, single rows) skip packing: there the copy
 * would cost as much as the arithmetic.
 */
#include <stdlib.h>
#include <string.h>
#include "attentive.h"

/* ---------- portable micro-kernel (4×16; compilers vectorise the inner j loops) ---------- */

#define GEN_MR 4
#define GEN_NR 16

static void sgemm_generic(long kc, const float *restrict a, const float *restrict b, long rsb,
                          float *restrict c, long ldc, float alpha, float beta) {
  float acc[GEN_MR][GEN_NR];
  memset(acc, 0, sizeof acc);
  for (long p = 0; p < kc; p++) {
    for (int r = 0; r < GEN_MR; r++) {
      const float av = a[r];
      for (int j = 0; j < GEN_NR; j++) acc[r][j] += av * b[j];
    }
    a += GEN_MR;
    b += rsb;
  }
  for (int r = 0; r < GEN_MR; r++) {
    float *cr = c + r * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < GEN_NR; j++) cr[j] = alpha * acc[r][j];
    else
      for (int j = 0; j < GEN_NR; j++) cr[j] = alpha * acc[r][j] + beta * cr[j];
  }
}

static const att_gemm_kernel generic_kernel = {
  .name = "generic", .mr = GEN_MR, .nr = GEN_NR, .mc = 128, .kc = 256, .nc = 2048,
  .kernel = sgemm_generic,
};

const att_gemm_kernel *att_gemm_kernel_generic(void) { return &generic_kernel; }

/* The largest mr×nr any kernel uses, for the edge-tile buffer. */
#define MAX_TILE (16 * 64)

static const att_gemm_kernel *active_kernel = NULL;

const att_gemm_kernel *att_gemm_kernel_active(void) {
  if (active_kernel) return active_kernel;
  att_isa isa = att_cpu_isa();
  const char *want = getenv("ATTENTIVE_GEMM_KERNEL");
  if (want && strcmp(want, "generic") == 0) isa = ATT_ISA_GENERIC;
  else if (want && strcmp(want, "avx2") == 0 && isa > ATT_ISA_AVX2) isa = ATT_ISA_AVX2;
  const att_gemm_kernel *k = NULL;
  if (isa == ATT_ISA_AVX512) k = att_gemm_kernel_avx512();
  if (!k && isa >= ATT_ISA_AVX2) k = att_gemm_kernel_avx2();
  if (!k) k = &generic_kernel;
  active_kernel = k;
  return k;
}

/* ---------- per-thread packing buffers (grown on demand, kept for the process) ---------- */

typedef struct {
  float *a, *b;
  size_t a_len, b_len;
} scratch_t;

static scratch_t scratch[ATT_MAX_THREADS];

static float *scratch_get(float **buf, size_t *len, size_t need) {
  if (*len < need) {
    att_aligned_free(*buf);
    *buf = (float *)att_aligned_alloc(need * sizeof(float));
    *len = *buf ? need : 0;
  }
  return *buf;
}

/* ---------- packing ---------- */

static inline long min_l(long a, long b) { return a < b ? a : b; }

/* Packs op(A)[i0:i0+mc, p0:p0+kc] into mr-row slivers, each kc steps of mr values,
 * zero-padding the last sliver. */
static void pack_a(const att_gemm_args *g, const float *A, long i0, long mc, long p0, long kc,
                   int mr, float *restrict dst) {
  const long lda = g->lda;
  for (long ir = 0; ir < mc; ir += mr) {
    const int rows = (int)min_l(mr, mc - ir);
    if (!g->trans_a) {
      const float *src[64];
      for (int r = 0; r < mr; r++) src[r] = A + (i0 + ir + (r < rows ? r : 0)) * lda + p0;
      if (rows == mr && mr == 6) {
        /* the common AVX2/AVX-512 case, unrolled by the compiler with mr known */
        for (long p = 0; p < kc; p++)
          for (int r = 0; r < 6; r++) dst[p * 6 + r] = src[r][p];
      } else if (rows == mr) {
        for (long p = 0; p < kc; p++)
          for (int r = 0; r < mr; r++) dst[p * mr + r] = src[r][p];
      } else {
        for (long p = 0; p < kc; p++)
          for (int r = 0; r < mr; r++) dst[p * mr + r] = r < rows ? src[r][p] : 0.0f;
      }
    } else if (rows == mr && mr == 6) {
      /* fixed-size copies: with a variable count GCC calls memmove for every 24 bytes */
      for (long p = 0; p < kc; p++) {
        const float *restrict src = A + (p0 + p) * lda + i0 + ir;
        float *restrict d = dst + p * 6;
        d[0] = src[0]; d[1] = src[1]; d[2] = src[2]; d[3] = src[3]; d[4] = src[4]; d[5] = src[5];
      }
    } else {
      for (long p = 0; p < kc; p++) {
        const float *src = A + (p0 + p) * lda + i0 + ir;
        for (int r = 0; r < mr; r++) dst[p * mr + r] = r < rows ? src[r] : 0.0f;
      }
    }
    dst += (long)mr * kc;
  }
}

/* Packs op(B)[p0:p0+kc, j0:j0+nc] into nr-column slivers, each kc steps of nr values. */
/* Untransposed B with a compile-time sliver width: each source row is read once, left to right,
 * and its full slivers copied with fixed-size (vectorised, unrolled) moves. */
#define DEFINE_PACK_B_ROWS(NR)                                                              \
  static void pack_b_rows_##NR(const float *B, long ldb, long p0, long kc, long j0, long nc, \
                               float *restrict dst) {                                       \
    const long full = nc / NR * NR;                                                         \
    for (long p = 0; p < kc; p++) {                                                         \
      const float *src = B + (p0 + p) * ldb + j0;                                           \
      float *d = dst + p * NR;                                                              \
      for (long jr = 0; jr < full; jr += NR, d += NR * kc)                                  \
        for (int j = 0; j < NR; j++) d[j] = src[jr + j];                                    \
      if (full < nc) {                                                                      \
        int j = 0;                                                                          \
        for (; j < nc - full; j++) d[j] = src[full + j];                                    \
        for (; j < NR; j++) d[j] = 0.0f;                                                    \
      }                                                                                     \
    }                                                                                       \
  }
DEFINE_PACK_B_ROWS(16)
DEFINE_PACK_B_ROWS(32)

static int small_avx2(void);

static void pack_b(const att_gemm_args *g, const float *B, long p0, long kc, long j0, long nc,
                   int nr, float *restrict dst) {
  const long ldb = g->ldb;
  if (g->trans_b && nr == 16 && small_avx2()) {
    /* full slivers by 8×8 register transposes; a partial last sliver below */
    const long full = nc / 16 * 16;
    for (long jr = 0; jr < full; jr += 16) att_pack_bt16_avx2(B, ldb, p0, kc, j0 + jr, dst + jr * kc);
    if (full == nc) return;
    dst += full * kc;
    j0 += full;
    nc -= full;
  }
  if (!g->trans_b && nr == 16) return pack_b_rows_16(B, ldb, p0, kc, j0, nc, dst);
  if (!g->trans_b && nr == 32) return pack_b_rows_32(B, ldb, p0, kc, j0, nc, dst);
  for (long jr = 0; jr < nc; jr += nr) {
    const int cols = (int)min_l(nr, nc - jr);
    if (!g->trans_b) {
      for (long p = 0; p < kc; p++) {
        const float *src = B + (p0 + p) * ldb + j0 + jr;
        float *d = dst + p * nr;
        if (cols == nr) {
          memcpy(d, src, (size_t)nr * sizeof(float));
        } else {
          int j = 0;
          for (; j < cols; j++) d[j] = src[j];
          for (; j < nr; j++) d[j] = 0.0f;
        }
      }
    } else {
      /* B stored as N×K: walk 8 columns at a time along k so reads stay sequential */
      int j = 0;
      for (; j + 8 <= cols; j += 8) {
        const float *s0 = B + (j0 + jr + j) * ldb + p0;
        for (long p = 0; p < kc; p++) {
          float *d = dst + p * nr + j;
          for (int q = 0; q < 8; q++) d[q] = s0[q * ldb + p];
        }
      }
      for (; j < cols; j++) {
        const float *s = B + (j0 + jr + j) * ldb + p0;
        for (long p = 0; p < kc; p++) dst[p * nr + j] = s[p];
      }
      for (; j < nr; j++)
        for (long p = 0; p < kc; p++) dst[p * nr + j] = 0.0f;
    }
    dst += (long)nr * kc;
  }
}

/* ---------- the blocked algorithm on one tile of one matrix ---------- */

/* Splits `total` into ceil(total/block) nearly equal chunks, rounded up to `unit`, so the last
 * block is not a sliver (a 300-deep product runs as 2×152 rather than 256 + 44). */
static long balanced_block(long total, long block, long unit) {
  long nblocks = (total + block - 1) / block;
  long size = (total + nblocks - 1) / nblocks;
  return (size + unit - 1) / unit * unit;
}

/* One mr×nr tile of C; partial edge tiles go through a scratch tile so the kernel never
 * writes outside C. */
static inline void micro_tile(const att_gemm_kernel *K, const att_gemm_args *g, const float *ap,
                              const float *bp, long kc, float *cp, int rows, int cols, float beta,
                              float *tmp) {
  const int mr = K->mr, nr = K->nr;
  const long ldc = g->ldc;
  if (rows == mr && cols == nr) {
    K->kernel(kc, ap, bp, nr, cp, ldc, g->alpha, beta);
    return;
  }
  K->kernel(kc, ap, bp, nr, tmp, nr, g->alpha, 0.0f);
  for (int r = 0; r < rows; r++) {
    float *cr = cp + r * ldc;
    const float *tr = tmp + r * nr;
    if (beta == 0.0f)
      for (int j = 0; j < cols; j++) cr[j] = tr[j];
    else
      for (int j = 0; j < cols; j++) cr[j] = tr[j] + beta * cr[j];
  }
}

/* Panel width when A fits in one block: -DSMALL_M_NC=… / -DSMALL_M_NC_T=… (transposed B)
 * override them for tuning runs. Untransposed B packs faster from long rows; a transposed B
 * panel is best kept small enough (256 KB at KC 256) to stay in a 512 KB L2 next to A. */
#ifndef SMALL_M_NC
#define SMALL_M_NC 1024
#endif
#ifndef SMALL_M_NC_T
#define SMALL_M_NC_T 256
#endif

static void gemm_blocked(const att_gemm_kernel *K, const att_gemm_args *g, const float *A,
                         const float *B, float *C, long m0, long mt, long n0, long nt, int tid) {
  const int mr = K->mr, nr = K->nr;
  const long KC = balanced_block(g->k, K->kc, 1);
  const long MC = balanced_block(mt, K->mc, mr);
  scratch_t *s = &scratch[tid];
  float tmp[MAX_TILE] __attribute__((aligned(ATT_ALIGN)));
  const long ldc = g->ldc;
  /* With few rows (e.g. a 64-row LSTM batch) each packed B panel is reused by few A rows, so
   * keep it small enough to stay in L2 next to A rather than round-tripping through L3. */
  const long NC = balanced_block(nt, mt > K->mc ? K->nc : g->trans_b ? SMALL_M_NC_T : SMALL_M_NC, nr);
  float *pa = scratch_get(&s->a, &s->a_len, (size_t)MC * KC);
  float *pb = scratch_get(&s->b, &s->b_len, (size_t)KC * NC);
  if (!pa || !pb) abort(); /* out of memory for a few MB of scratch: nothing sensible to do */

  if (mt <= MC) {
    /* One A block: loop over k blocks outside the B panels, so A is packed once in all (with
     * the panels outside, it was re-packed for every panel) while each small panel stays in
     * L2. Every element of C still sees the k blocks in the same order. */
    for (long pc = 0; pc < g->k; pc += KC) {
      const long kc = min_l(KC, g->k - pc);
      const float beta = pc == 0 ? g->beta : 1.0f;
      pack_a(g, A, m0, mt, pc, kc, mr, pa);
      for (long jc = 0; jc < nt; jc += NC) {
        const long nc = min_l(NC, nt - jc);
        pack_b(g, B, pc, kc, n0 + jc, nc, nr, pb);
        for (long jr = 0; jr < nc; jr += nr) {
          const int cols = (int)min_l(nr, nc - jr);
          const float *bp = pb + jr * kc;
          for (long ir = 0; ir < mt; ir += mr) {
            const int rows = (int)min_l(mr, mt - ir);
            micro_tile(K, g, pa + ir * kc, bp, kc, C + (m0 + ir) * ldc + n0 + jc + jr, rows, cols, beta, tmp);
          }
        }
      }
    }
    return;
  }

  for (long jc = 0; jc < nt; jc += NC) {
    const long nc = min_l(NC, nt - jc);
    for (long pc = 0; pc < g->k; pc += KC) {
      const long kc = min_l(KC, g->k - pc);
      const float beta = pc == 0 ? g->beta : 1.0f;
      pack_b(g, B, pc, kc, n0 + jc, nc, nr, pb);
      for (long ic = 0; ic < mt; ic += MC) {
        const long mc = min_l(MC, mt - ic);
        pack_a(g, A, m0 + ic, mc, pc, kc, mr, pa);
        for (long jr = 0; jr < nc; jr += nr) {
          const int cols = (int)min_l(nr, nc - jr);
          const float *bp = pb + jr * kc;
          for (long ir = 0; ir < mc; ir += mr) {
            const int rows = (int)min_l(mr, mc - ir);
            const float *ap = pa + ir * kc;
            micro_tile(K, g, ap, bp, kc, C + (m0 + ic + ir) * ldc + n0 + jc + jr, rows, cols, beta, tmp);
          }
        }
      }
    }
  }
}

/* ---------- unpacked path for tiny products ---------- */

#define DIRECT_CHUNK 256

static void gemm_direct(const att_gemm_args *g, const float *A, const float *B, float *C, int tid) {
  const long m = g->m, n = g->n, k = g->k, lda = g->lda, ldb = g->ldb, ldc = g->ldc;
  const float alpha = g->alpha, beta = g->beta;
  if (!g->trans_b) {
    /* row i of C accumulates k scaled rows of B: contiguous, vectorisable */
    float acc[DIRECT_CHUNK];
    for (long i = 0; i < m; i++) {
      float *ci = C + i * ldc;
      for (long j0 = 0; j0 < n; j0 += DIRECT_CHUNK) {
        const long nj = min_l(DIRECT_CHUNK, n - j0);
        for (long j = 0; j < nj; j++) acc[j] = 0.0f;
        for (long p = 0; p < k; p++) {
          const float av = g->trans_a ? A[p * lda + i] : A[i * lda + p];
          const float *bp = B + p * ldb + j0;
          for (long j = 0; j < nj; j++) acc[j] += av * bp[j];
        }
        if (beta == 0.0f)
          for (long j = 0; j < nj; j++) ci[j0 + j] = alpha * acc[j];
        else
          for (long j = 0; j < nj; j++) ci[j0 + j] = alpha * acc[j] + beta * ci[j0 + j];
      }
    }
  } else {
    /* rows of B are columns of op(B): dot products along contiguous k */
    scratch_t *s = &scratch[tid];
    float *row = g->trans_a ? scratch_get(&s->a, &s->a_len, (size_t)k) : NULL;
    if (g->trans_a && !row) abort();
    for (long i = 0; i < m; i++) {
      const float *ai;
      if (g->trans_a) {
        for (long p = 0; p < k; p++) row[p] = A[p * lda + i];
        ai = row;
      } else {
        ai = A + i * lda;
      }
      float *ci = C + i * ldc;
      for (long j = 0; j < n; j++) {
        const float *bj = B + j * ldb;
        float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        long p = 0;
        for (; p + 8 <= k; p += 8)
          for (int q = 0; q < 8; q++) part[q] += ai[p + q] * bj[p + q];
        float dot = ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
        for (; p < k; p++) dot += ai[p] * bj[p];
        ci[j] = beta == 0.0f ? alpha * dot : alpha * dot + beta * ci[j];
      }
    }
  }
}

/* ---------- scheduling ---------- */

/* Below this many flops per call, a second thread costs more (wake-up, cache traffic) than it
 * saves; on a 2-core Zen 3, 64³ (0.5 MFLOP) ran faster on one thread and 128³ (4 MFLOP) on two. */
#define PARALLEL_MIN_FLOPS (1.5e6)
/* Batches of unpacked products share no packed panel, so splitting them costs only the
 * wake-up: W1's 64 attention products of 1×512×20 (1.3 MFLOP, ~100 µs) gain from two threads. */
#define PARALLEL_MIN_FLOPS_DIRECT (2.0e5)

/* Whether the unpacked AVX2 kernels of gemm_small_avx2.c may run (not when a lower kernel was
 * forced with ATTENTIVE_GEMM_KERNEL=generic). */
static int small_avx2(void) {
  static int state = -1;
  if (state < 0) state = att_gemm_kernel_active() != &generic_kernel && att_cpu_isa() >= ATT_ISA_AVX2;
  return state;
}

static int use_direct(const att_gemm_args *g) {
  const double work = (double)g->m * (double)g->n * (double)g->k;
  if (g->m <= 2 || g->n <= 2 || work <= 24.0 * 24.0 * 24.0) return 1;
  /* with up to 4 rows the AVX2 kernel reads each element of B exactly once, as packing would */
  return small_avx2() && g->m <= 4 && !g->trans_b;
}

typedef struct {
  const att_gemm_kernel *K;
  const att_gemm_args *g;
  int direct, avx2;
  long tiles_m, tiles_n; /* tiles per matrix */
  long tile_m, tile_n;   /* tile size (multiples of mr / nr; for direct products, of 16 columns) */
  long batch_per_task;   /* direct products: whole matrices per task */
} plan_t;

static void run_matrix_tile(const plan_t *pl, long b, long tm, long tn, int tid) {
  const att_gemm_args *g = pl->g;
  const float *A = g->a + b * g->stride_a;
  const float *B = g->b + b * g->stride_b;
  float *C = g->c + b * g->stride_c;
  if (pl->direct) {
    if (pl->avx2) {
      const long j0 = tn * pl->tile_n, j1 = min_l(j0 + pl->tile_n, g->n);
      float *row = NULL;
      if (g->trans_a && g->trans_b) {
        scratch_t *s = &scratch[tid];
        row = scratch_get(&s->a, &s->a_len, (size_t)g->k);
        if (!row) abort();
      }
      if (j0 < j1) att_gemm_small_avx2(g, A, B, C, j0, j1, row);
    } else {
      gemm_direct(g, A, B, C, tid);
    }
    return;
  }
  const long m0 = tm * pl->tile_m, n0 = tn * pl->tile_n;
  const long mt = min_l(pl->tile_m, g->m - m0), nt = min_l(pl->tile_n, g->n - n0);
  if (mt > 0 && nt > 0) gemm_blocked(pl->K, g, A, B, C, m0, mt, n0, nt, tid);
}

static void gemm_task(void *ctx, long task, int tid) {
  const plan_t *pl = (const plan_t *)ctx;
  const long per = pl->tiles_m * pl->tiles_n;
  const long first = task * pl->batch_per_task;
  const long last = min_l(first + pl->batch_per_task, pl->g->batch * per);
  for (long t = first; t < last; t++) {
    const long b = t / per, r = t % per;
    run_matrix_tile(pl, b, r / pl->tiles_n, r % pl->tiles_n, tid);
  }
}

static void scale_c(const att_gemm_args *g) {
  for (long b = 0; b < g->batch; b++) {
    float *C = g->c + b * g->stride_c;
    for (long i = 0; i < g->m; i++) {
      float *ci = C + i * g->ldc;
      if (g->beta == 0.0f)
        for (long j = 0; j < g->n; j++) ci[j] = 0.0f;
      else
        for (long j = 0; j < g->n; j++) ci[j] *= g->beta;
    }
  }
}

/* Chooses a tiles_m × tiles_n grid of about `parts` tiles, preferring whole-width splits of
 * the dimension with more micro-tiles (fewer duplicated packs). */
static void choose_grid(plan_t *pl, long parts) {
  const att_gemm_args *g = pl->g;
  const long um = (g->m + pl->K->mr - 1) / pl->K->mr, un = (g->n + pl->K->nr - 1) / pl->K->nr;
  long best_tm = 1, best_tn = 1;
  double best_cost = 1e300;
  for (long tm = 1; tm <= parts; tm++) {
    if (parts % tm) continue;
    const long tn = parts / tm;
    if (tm > um || tn > un) continue;
    /* imbalance of micro-tile counts plus a mild penalty for re-packing the shared operand */
    const double rows = (double)((um + tm - 1) / tm), cols = (double)((un + tn - 1) / tn);
    const double cost = rows * cols * pl->K->mr * pl->K->nr + 0.05 * (rows * pl->K->mr * tn + cols * pl->K->nr * tm) * 16;
    if (cost < best_cost) { best_cost = cost; best_tm = tm; best_tn = tn; }
  }
  pl->tiles_m = best_tm;
  pl->tiles_n = best_tn;
  pl->tile_m = (um + best_tm - 1) / best_tm * pl->K->mr;
  pl->tile_n = (un + best_tn - 1) / best_tn * pl->K->nr;
}

void att_gemm(const att_gemm_args *g) {
  if (g->m <= 0 || g->n <= 0 || g->batch <= 0) return;
  if (g->k <= 0 || g->alpha == 0.0f) {
    scale_c(g);
    return;
  }
  if (g->n == 1 && g->m > 1 && g->ldc == 1) {
    /* A matrix-vector product C = op(A)·b with a contiguous column C: run it as the row
     * product Cᵀ = bᵀ·op(A)ᵀ, which the unpacked kernels do with contiguous rows of A (dot
     * products along k, or scaled rows of A summed) instead of one strided column. */
    const att_gemm_args t = {
      .trans_a = !g->trans_b, .trans_b = !g->trans_a, .m = 1, .n = g->m, .k = g->k,
      .alpha = g->alpha, .beta = g->beta,
      .a = g->b, .lda = g->ldb, .stride_a = g->stride_b,
      .b = g->a, .ldb = g->lda, .stride_b = g->stride_a,
      .c = g->c, .ldc = g->m, .stride_c = g->stride_c, .batch = g->batch,
    };
    att_gemm(&t);
    return;
  }
  plan_t pl;
  pl.K = att_gemm_kernel_active();
  pl.g = g;
  pl.direct = use_direct(g);
  pl.avx2 = pl.direct && small_avx2();
  pl.tiles_m = pl.tiles_n = 1;
  pl.tile_m = g->m;
  pl.tile_n = g->n;
  pl.batch_per_task = 1;
  const double flops = 2.0 * (double)g->m * (double)g->n * (double)g->k * (double)g->batch;
  const int threads = flops < (pl.direct ? PARALLEL_MIN_FLOPS_DIRECT : PARALLEL_MIN_FLOPS) ? 1 : att_num_threads();
  if (threads > 1 && pl.direct) {
    /* a few tasks per thread: whole matrices when the batch is large, else column ranges
     * (multiples of 16, the kernels' block width) so one big row-vector product splits too */
    const long want = 4L * threads;
    if (g->batch >= want || !pl.avx2) {
      pl.batch_per_task = (g->batch + want - 1) / want;
    } else {
      const long parts = (want + g->batch - 1) / g->batch;
      long cols = (g->n + parts - 1) / parts;
      cols = cols < 64 ? 64 : (cols + 15) / 16 * 16;
      pl.tile_n = cols;
      pl.tiles_n = (g->n + cols - 1) / cols;
    }
  } else if (threads > 1 && g->batch < threads) {
    choose_grid(&pl, (threads + g->batch - 1) / g->batch);
  }
  const long units = g->batch * pl.tiles_m * pl.tiles_n;
  const long ntasks = (units + pl.batch_per_task - 1) / pl.batch_per_task;
  if (threads <= 1 || ntasks <= 1) {
    for (long t = 0; t < ntasks; t++) gemm_task(&pl, t, 0);
  } else {
    att_parallel_for(ntasks, threads, gemm_task, &pl);
  }
}
