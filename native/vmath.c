/* Array versions of the vector transcendental functions (see vmath.h), with scalar libm
 * fallbacks for CPUs without AVX2. */
#include <math.h>
#include "vmath.h"

static int avx2_state = -1;

int att_vmath_avx2(void) {
  if (avx2_state < 0) avx2_state = ATT_HAVE_VMATH_AVX2 && att_cpu_isa() >= ATT_ISA_AVX2;
  return avx2_state;
}

static inline float sigmoid1(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

#if ATT_HAVE_VMATH_AVX2
/* The tail goes through masked loads so every element gets the same approximation: results
 * never depend on where an element falls relative to a vector boundary. */
#define DEFINE_ARRAY_FN(NAME, F256)                                        \
  ATT_AVX2_TARGET static void NAME##_avx2(const float *x, float *y, long n) { \
    long i = 0;                                                            \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F256(_mm256_loadu_ps(x + i))); \
    if (i < n) {                                                           \
      const __m256i m = att_tail_mask(n - i);                              \
      _mm256_maskstore_ps(y + i, m, F256(_mm256_maskload_ps(x + i, m)));   \
    }                                                                      \
  }
DEFINE_ARRAY_FN(sigmoid, att_sigmoid256)
DEFINE_ARRAY_FN(tanh, att_tanh256)
#endif

void att_vsigmoid(const float *x, float *y, long n) {
#if ATT_HAVE_VMATH_AVX2
  if (att_vmath_avx2()) { sigmoid_avx2(x, y, n); return; }
#endif
  for (long i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

void att_vtanh(const float *x, float *y, long n) {
#if ATT_HAVE_VMATH_AVX2
  if (att_vmath_avx2()) { tanh_avx2(x, y, n); return; }
#endif
  for (long i = 0; i < n; i++) y[i] = tanhf(x[i]);
}
