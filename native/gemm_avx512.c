/*
 * AVX-512 single-precision micro-kernel, the AVX2 6×16 kernel widened to 6×32: 12 zmm
 * accumulators, two B loads and six broadcasts per k step. Selected only when the CPU reports
 * avx512f (cpu.c).
 */
#include "attentive.h"

#if ATT_X86 && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f")))

TARGET static inline void store_row(float *c, __m512 lo, __m512 hi, __m512 va, __m512 vb, int mode) {
  if (mode == 0) {
    _mm512_storeu_ps(c, _mm512_mul_ps(va, lo));
    _mm512_storeu_ps(c + 16, _mm512_mul_ps(va, hi));
  } else if (mode == 1) {
    _mm512_storeu_ps(c, _mm512_fmadd_ps(va, lo, _mm512_loadu_ps(c)));
    _mm512_storeu_ps(c + 16, _mm512_fmadd_ps(va, hi, _mm512_loadu_ps(c + 16)));
  } else {
    _mm512_storeu_ps(c, _mm512_fmadd_ps(va, lo, _mm512_mul_ps(vb, _mm512_loadu_ps(c))));
    _mm512_storeu_ps(c + 16, _mm512_fmadd_ps(va, hi, _mm512_mul_ps(vb, _mm512_loadu_ps(c + 16))));
  }
}

TARGET static void sgemm_6x32(long kc, const float *restrict a, const float *restrict b, long rsb,
                              float *restrict c, long ldc, float alpha, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  for (int r = 0; r < 6; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);

#define STEP()                                                              \
  do {                                                                      \
    __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);           \
    __m512 av = _mm512_set1_ps(a[0]);                                       \
    c00 = _mm512_fmadd_ps(av, b0, c00); c01 = _mm512_fmadd_ps(av, b1, c01); \
    av = _mm512_set1_ps(a[1]);                                              \
    c10 = _mm512_fmadd_ps(av, b0, c10); c11 = _mm512_fmadd_ps(av, b1, c11); \
    av = _mm512_set1_ps(a[2]);                                              \
    c20 = _mm512_fmadd_ps(av, b0, c20); c21 = _mm512_fmadd_ps(av, b1, c21); \
    av = _mm512_set1_ps(a[3]);                                              \
    c30 = _mm512_fmadd_ps(av, b0, c30); c31 = _mm512_fmadd_ps(av, b1, c31); \
    av = _mm512_set1_ps(a[4]);                                              \
    c40 = _mm512_fmadd_ps(av, b0, c40); c41 = _mm512_fmadd_ps(av, b1, c41); \
    av = _mm512_set1_ps(a[5]);                                              \
    c50 = _mm512_fmadd_ps(av, b0, c50); c51 = _mm512_fmadd_ps(av, b1, c51); \
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

  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const int mode = beta == 0.0f ? 0 : beta == 1.0f ? 1 : 2;
  store_row(c + 0 * ldc, c00, c01, va, vb, mode);
  store_row(c + 1 * ldc, c10, c11, va, vb, mode);
  store_row(c + 2 * ldc, c20, c21, va, vb, mode);
  store_row(c + 3 * ldc, c30, c31, va, vb, mode);
  store_row(c + 4 * ldc, c40, c41, va, vb, mode);
  store_row(c + 5 * ldc, c50, c51, va, vb, mode);
}

static const att_gemm_kernel kernel = {
  .name = "avx512", .mr = 6, .nr = 32, .mc = 144, .kc = 256, .nc = 4064, .kernel = sgemm_6x32,
};

const att_gemm_kernel *att_gemm_kernel_avx512(void) { return &kernel; }

#else
const att_gemm_kernel *att_gemm_kernel_avx512(void) { return NULL; }
#endif
