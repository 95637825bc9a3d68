/*
 * Unpacked AVX2 kernels for small products: one or a few rows of A (attention scores and
 * contexts per sequence, a single decoder step) or a tiny matrix, where packing A and B would
 * cost as much as the arithmetic. gemm.c calls them per matrix (and per column range), and
 * spreads a batch of them over the thread pool.
 *
 *  - op(B) = B (B stored K×N): each row of C is a combination of rows of B. Up to 4 rows of C
 *    share every B load; 16 columns live in two ymm accumulators per row.
 *  - op(B) = Bᵀ (B stored N×K): entries of C are dot products along contiguous k. Four columns
 *    are reduced at once (4 accumulators, one A load shared), then summed horizontally.
 *
 * Both round exactly as the portable unpacked loops in gemm.c do (separate multiply and add, no
 * FMA; the same summation order), so a small product gives the same bits with or without AVX2,
 * and exact small sums (averaging windows with weights 1/2, 1/3) stay exact as before. These
 * products are bound by memory traffic, not by the adds.
 *
 * Partial vectors use masked loads and stores, so no read or write goes past a row.
 */
#include "attentive.h"
#include "vmath.h"

#if ATT_HAVE_VMATH_AVX2

#define INLINE __attribute__((always_inline)) inline

ATT_AVX2_TARGET static INLINE __m256 load_part(const float *p, int full, __m256i m) {
  return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m);
}

ATT_AVX2_TARGET static INLINE void store_part(float *c, __m256 acc, int full, __m256i m, __m256 va, float beta) {
  __m256 r = _mm256_mul_ps(va, acc);
  if (beta != 0.0f) r = _mm256_add_ps(r, _mm256_mul_ps(_mm256_set1_ps(beta), load_part(c, full, m)));
  if (full) _mm256_storeu_ps(c, r);
  else _mm256_maskstore_ps(c, m, r);
}

/* C[i0 .. i0+R) × [j, j+16) for op(B) = B; `full` says whether all 16 columns exist, `m0`/`m1`
 * mask the two halves otherwise. */
ATT_AVX2_TARGET static INLINE void nn_block(const att_gemm_args *g, const float *A, const float *B, float *C, long i0,
                                            long j, int R, int full, __m256i m0, __m256i m1, int two) {
  const long k = g->k, lda = g->lda, ldb = g->ldb;
  /* element (i, p) of op(A) is A[ia·i + pa·p] */
  const long ia = g->trans_a ? 1 : lda, pa = g->trans_a ? lda : 1;
  __m256 acc[4][2];
  for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const float *a = A + i0 * ia;
  const float *b = B + j;
  for (long p = 0; p < k; p++) {
    const __m256 b0 = load_part(b + p * ldb, full, m0);
    const __m256 b1 = two ? load_part(b + p * ldb + 8, full, m1) : b0;
    for (int r = 0; r < R; r++) {
      const __m256 x = _mm256_broadcast_ss(a + r * ia + p * pa);
      acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_mul_ps(x, b0));
      if (two) acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_mul_ps(x, b1));
    }
  }
  const __m256 va = _mm256_set1_ps(g->alpha);
  for (int r = 0; r < R; r++) {
    float *c = C + (i0 + r) * g->ldc + j;
    store_part(c, acc[r][0], full, m0, va, g->beta);
    if (two) store_part(c + 8, acc[r][1], full, m1, va, g->beta);
  }
}

/* Instantiates nn_block with compile-time R, full and two, so the accumulators stay in registers. */
#define NN_CASE(R)                                                                              \
  case R:                                                                                       \
    if (full) nn_block(g, A, B, C, i0, j, R, 1, m0, m1, 1);                                     \
    else if (two) nn_block(g, A, B, C, i0, j, R, 0, m0, m1, 1);                                 \
    else nn_block(g, A, B, C, i0, j, R, 0, m0, m1, 0);                                          \
    break;

ATT_AVX2_TARGET static void gemm_nn(const att_gemm_args *g, const float *A, const float *B, float *C, long j0, long j1) {
  for (long i0 = 0; i0 < g->m; i0 += 4) {
    const int R = g->m - i0 < 4 ? (int)(g->m - i0) : 4;
    for (long j = j0; j < j1; j += 16) {
      const long cols = j1 - j < 16 ? j1 - j : 16;
      const int full = cols == 16, two = cols > 8;
      const __m256i m0 = att_tail_mask(cols < 8 ? cols : 8), m1 = att_tail_mask(cols > 8 ? cols - 8 : 0);
      switch (R) { NN_CASE(1) NN_CASE(2) NN_CASE(3) NN_CASE(4) default: break; }
    }
  }
}

/* {Σa, Σb, Σc, Σd}, each summed as ((0+4)+(1+5)) + ((2+6)+(3+7)): the order of the portable
 * kernel, so both give the same bits. */
ATT_AVX2_TARGET static INLINE __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m128 xa = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  const __m128 xb = _mm_add_ps(_mm256_castps256_ps128(b), _mm256_extractf128_ps(b, 1));
  const __m128 xc = _mm_add_ps(_mm256_castps256_ps128(c), _mm256_extractf128_ps(c, 1));
  const __m128 xd = _mm_add_ps(_mm256_castps256_ps128(d), _mm256_extractf128_ps(d, 1));
  return _mm_hadd_ps(_mm_hadd_ps(xa, xb), _mm_hadd_ps(xc, xd));
}

/* op(B) = Bᵀ: C[i][j] = Σ_p a[p]·B[j·ldb + p] with `a` the contiguous row i of op(A): eight
 * lane sums over whole vectors of k, then the remaining k % 8 terms one by one. */
ATT_AVX2_TARGET static void gemm_nt_row(const att_gemm_args *g, const float *a, const float *B, float *c, long j0, long j1) {
  const long k = g->k, ldb = g->ldb;
  const long kfull = k / 8 * 8;
  const float alpha = g->alpha, beta = g->beta;
  long j = j0;
  for (; j + 4 <= j1; j += 4) {
    const float *b0 = B + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (long p = 0; p < kfull; p += 8) {
      const __m256 x = _mm256_loadu_ps(a + p);
      s0 = _mm256_add_ps(s0, _mm256_mul_ps(x, _mm256_loadu_ps(b0 + p)));
      s1 = _mm256_add_ps(s1, _mm256_mul_ps(x, _mm256_loadu_ps(b1 + p)));
      s2 = _mm256_add_ps(s2, _mm256_mul_ps(x, _mm256_loadu_ps(b2 + p)));
      s3 = _mm256_add_ps(s3, _mm256_mul_ps(x, _mm256_loadu_ps(b3 + p)));
    }
    __m128 r = hsum4(s0, s1, s2, s3);
    for (long p = kfull; p < k; p++)
      r = _mm_add_ps(r, _mm_mul_ps(_mm_set1_ps(a[p]), _mm_setr_ps(b0[p], b1[p], b2[p], b3[p])));
    r = _mm_mul_ps(_mm_set1_ps(alpha), r);
    if (beta != 0.0f) r = _mm_add_ps(r, _mm_mul_ps(_mm_set1_ps(beta), _mm_loadu_ps(c + j)));
    _mm_storeu_ps(c + j, r);
  }
  for (; j < j1; j++) {
    const float *bj = B + j * ldb;
    __m256 s = _mm256_setzero_ps();
    for (long p = 0; p < kfull; p += 8) s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_loadu_ps(a + p), _mm256_loadu_ps(bj + p)));
    float dot = _mm_cvtss_f32(hsum4(s, s, s, s));
    for (long p = kfull; p < k; p++) dot += a[p] * bj[p];
    c[j] = beta == 0.0f ? alpha * dot : alpha * dot + beta * c[j];
  }
}

ATT_AVX2_TARGET static void gemm_nt(const att_gemm_args *g, const float *A, const float *B, float *C, long j0, long j1,
                                    float *row) {
  for (long i = 0; i < g->m; i++) {
    const float *a;
    if (g->trans_a) {
      for (long p = 0; p < g->k; p++) row[p] = A[p * g->lda + i];
      a = row;
    } else {
      a = A + i * g->lda;
    }
    gemm_nt_row(g, a, B, C + i * g->ldc, j0, j1);
  }
}

int att_gemm_small_avx2(const att_gemm_args *g, const float *A, const float *B, float *C, long j0, long j1, float *row) {
  if (g->trans_b) gemm_nt(g, A, B, C, j0, j1, row);
  else gemm_nn(g, A, B, C, j0, j1);
  return 1;
}

#else
int att_gemm_small_avx2(const att_gemm_args *g, const float *A, const float *B, float *C, long j0, long j1, float *row) {
  (void)g; (void)A; (void)B; (void)C; (void)j0; (void)j1; (void)row;
  return 0;
}
#endif
