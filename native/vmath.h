/*
 * Vectorised exp / sigmoid / tanh for float32 (vmath.c), shared by the element-wise kernels and
 * the fused LSTM cell. libm's tanhf/expf are scalar calls of ~20–40 ns each; these run 8 lanes
 * per AVX2 instruction with a relative error of about 2e-7 (Cephes' minimax polynomials),
 * well inside the 1e-6 the kernels promise against the double-precision reference.
 *
 * The __m256 versions are `static inline` with an AVX2 target attribute so that callers compiled
 * for the same target (lstm.c) can keep intermediate values in registers; every caller must
 * check att_vmath_avx2() at run time before using them.
 */
#ifndef ATTENTIVE_VMATH_H
#define ATTENTIVE_VMATH_H
#include "attentive.h"

/* Whether the AVX2 paths may run on this CPU (cached). */
int att_vmath_avx2(void);

/* y[i] = f(x[i]) over n contiguous floats (x == y allowed); vector code when available. */
void att_vsigmoid(const float *x, float *y, long n);
void att_vtanh(const float *x, float *y, long n);

#if ATT_X86 && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ATT_HAVE_VMATH_AVX2 1
#include <immintrin.h>
#define ATT_AVX2_TARGET __attribute__((target("avx2,fma")))

/* e^x. Inputs are clamped to [-87.3, 88.0] so 2^n stays a normal float; the operand order of
 * min/max makes a NaN input come out as NaN (those instructions return the second operand
 * when either is NaN). */
ATT_AVX2_TARGET static inline __m256 att_exp256(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-87.3f), x);
  const __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  /* x - n·ln2 in two pieces so the reduction is exact to float precision */
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i n = _mm256_cvtps_epi32(fx);
  const __m256i pow2 = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(pow2));
}

/* 1 / (1 + e^-x), evaluated from e^-|x| on both sides (as the reference does) so nothing
 * overflows and small results keep their relative accuracy. */
ATT_AVX2_TARGET static inline __m256 att_sigmoid256(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 e = att_exp256(_mm256_or_ps(x, sign)); /* e^-|x| */
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 inv = _mm256_div_ps(one, _mm256_add_ps(one, e));
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  return _mm256_blendv_ps(inv, _mm256_mul_ps(e, inv), neg);
}

/* tanh: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would cancel), else the
 * exponential form; |x| >= 9 rounds to ±1 in float32. */
ATT_AVX2_TARGET static inline __m256 att_tanh256(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 s = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-3.33332819422e-1f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, s), x, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = att_exp256(_mm256_add_ps(_mm256_min_ps(_mm256_set1_ps(9.0f), ax), _mm256_min_ps(_mm256_set1_ps(9.0f), ax)));
  const __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  /* a NaN lane fails the compare and takes `big`, which is NaN as well */
  const __m256 use_small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);
  const __m256 bigs = _mm256_or_ps(big, _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(bigs, small, use_small);
}

/* Lanes [0, n) of a mask for maskload/maskstore (n in 0..8). */
ATT_AVX2_TARGET static inline __m256i att_tail_mask(long n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}
#else
#define ATT_HAVE_VMATH_AVX2 0
#endif

#endif
