/*
 * AVX2 + FMA single-precision micro-kernel: a 6×16 tile of C lives in 12 ymm registers, each
 * k step loads two B vectors and broadcasts six A values (12 FMAs, 8 loads), which keeps both
 * FMA pipes of Haswell-to-Zen cores busy. Compiled with a per-function target so the addon
 * still loads on CPUs without AVX2; cpu.c decides whether it is called.
 */
#include "attentive.h"

#if ATT_X86 && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma")))

TARGET static inline void store_row(float *c, __m256 lo, __m256 hi, __m256 va, __m256 vb, int mode) {
  if (mode == 0) {
    _mm256_storeu_ps(c, _mm256_mul_ps(va, lo));
    _mm256_storeu_ps(c + 8, _mm256_mul_ps(va, hi));
  } else if (mode == 1) {
    _mm256_storeu_ps(c, _mm256_fmadd_ps(va, lo, _mm256_loadu_ps(c)));
    _mm256_storeu_ps(c + 8, _mm256_fmadd_ps(va, hi, _mm256_loadu_ps(c + 8)));
  } else {
    _mm256_storeu_ps(c, _mm256_fmadd_ps(va, lo, _mm256_mul_ps(vb, _mm256_loadu_ps(c))));
    _mm256_storeu_ps(c + 8, _mm256_fmadd_ps(va, hi, _mm256_mul_ps(vb, _mm256_loadu_ps(c + 8))));
  }
}

TARGET static void sgemm_6x16(long kc, const float *restrict a, const float *restrict b, long rsb,
                              float *restrict c, long ldc, float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int r = 0; r < 6; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);

#define STEP()                                                              \
  do {                                                                      \
    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);            \
    __m256 av = _mm256_broadcast_ss(a + 0);                                 \
    c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01); \
    av = _mm256_broadcast_ss(a + 1);                                        \
    c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11); \
    av = _mm256_broadcast_ss(a + 2);                                        \
    c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21); \
    av = _mm256_broadcast_ss(a + 3);                                        \
    c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31); \
    av = _mm256_broadcast_ss(a + 4);                                        \
    c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41); \
    av = _mm256_broadcast_ss(a + 5);                                        \
    c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51); \
    a += 6;                                                                 \
    b += rsb;                                                               \
  } while (0)

  long k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch((const char *)(a + 48), _MM_HINT_T0);
    STEP(); STEP(); STEP(); STEP();
  }
  for (; k < kc; k++) STEP();
#undef STEP

  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const int mode = beta == 0.0f ? 0 : beta == 1.0f ? 1 : 2;
  store_row(c + 0 * ldc, c00, c01, va, vb, mode);
  store_row(c + 1 * ldc, c10, c11, va, vb, mode);
  store_row(c + 2 * ldc, c20, c21, va, vb, mode);
  store_row(c + 3 * ldc, c30, c31, va, vb, mode);
  store_row(c + 4 * ldc, c40, c41, va, vb, mode);
  store_row(c + 5 * ldc, c50, c51, va, vb, mode);
}

static const att_gemm_kernel kernel = {
  .name = "avx2", .mr = 6, .nr = 16, .mc = 144, .kc = 256, .nc = 4080, .kernel = sgemm_6x16,
};

const att_gemm_kernel *att_gemm_kernel_avx2(void) { return &kernel; }

#else
const att_gemm_kernel *att_gemm_kernel_avx2(void) { return NULL; }
#endif
