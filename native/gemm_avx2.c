/*
 * AVX2 + FMA single-precision micro-kernel: a 6×16 tile of C lives in 12 ymm registers, each
 * k step loads two B vectors and broadcasts six A values (12 FMAs, 8 loads), which keeps both
 * FMA pipes of Haswell-to-Zen cores busy. Compiled with a per-function target so the addon
 * still loads on CPUs without AVX2; cpu.c decides whether it is called.
 */
#include "attentive.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
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

/* One k step: two B vectors, six broadcasts of A, twelve FMAs into ymm4..ymm15. */
#define STEP                                    \
  "vmovups (%[b]), %%ymm0\n\t"                  \
  "vmovups 32(%[b]), %%ymm1\n\t"                \
  "vbroadcastss 0(%[a]), %%ymm2\n\t"            \
  "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"      \
  "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"      \
  "vbroadcastss 4(%[a]), %%ymm3\n\t"            \
  "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"      \
  "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"      \
  "vbroadcastss 8(%[a]), %%ymm2\n\t"            \
  "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"      \
  "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"      \
  "vbroadcastss 12(%[a]), %%ymm3\n\t"           \
  "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"     \
  "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"     \
  "vbroadcastss 16(%[a]), %%ymm2\n\t"           \
  "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"     \
  "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"     \
  "vbroadcastss 20(%[a]), %%ymm3\n\t"           \
  "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"     \
  "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"     \
  "add $24, %[a]\n\t"                           \
  "add %[rsb], %[b]\n\t"

/* The k loop is written in assembly: with 12 accumulators, 2 B vectors and a broadcast the
 * kernel needs all 16 ymm registers, and compilers spill some of them once the loop is
 * unrolled (measured: 78% of peak from GCC 12's intrinsics version, vs. ~95% here). */
TARGET static void sgemm_6x16(long kc, const float *restrict a, const float *restrict b, long rsb,
                              float *restrict c, long ldc, float alpha, float beta) {
  float acc[96] __attribute__((aligned(32)));
  for (int r = 0; r < 6; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
  long k4 = kc / 4, kl = kc % 4, rsb_bytes = rsb * 4;
  __asm__ volatile(
      "vxorps %%ymm4, %%ymm4, %%ymm4\n\t"
      "vxorps %%ymm5, %%ymm5, %%ymm5\n\t"
      "vxorps %%ymm6, %%ymm6, %%ymm6\n\t"
      "vxorps %%ymm7, %%ymm7, %%ymm7\n\t"
      "vxorps %%ymm8, %%ymm8, %%ymm8\n\t"
      "vxorps %%ymm9, %%ymm9, %%ymm9\n\t"
      "vxorps %%ymm10, %%ymm10, %%ymm10\n\t"
      "vxorps %%ymm11, %%ymm11, %%ymm11\n\t"
      "vxorps %%ymm12, %%ymm12, %%ymm12\n\t"
      "vxorps %%ymm13, %%ymm13, %%ymm13\n\t"
      "vxorps %%ymm14, %%ymm14, %%ymm14\n\t"
      "vxorps %%ymm15, %%ymm15, %%ymm15\n\t"
      "test %[k4], %[k4]\n\t"
      "jz 2f\n\t"
      "1:\n\t"
      "prefetcht0 384(%[a])\n\t"
      STEP STEP STEP STEP
      "dec %[k4]\n\t"
      "jnz 1b\n\t"
      "2:\n\t"
      "test %[kl], %[kl]\n\t"
      "jz 4f\n\t"
      "3:\n\t"
      STEP
      "dec %[kl]\n\t"
      "jnz 3b\n\t"
      "4:\n\t"
      "vmovaps %%ymm4, 0(%[acc])\n\t"
      "vmovaps %%ymm5, 32(%[acc])\n\t"
      "vmovaps %%ymm6, 64(%[acc])\n\t"
      "vmovaps %%ymm7, 96(%[acc])\n\t"
      "vmovaps %%ymm8, 128(%[acc])\n\t"
      "vmovaps %%ymm9, 160(%[acc])\n\t"
      "vmovaps %%ymm10, 192(%[acc])\n\t"
      "vmovaps %%ymm11, 224(%[acc])\n\t"
      "vmovaps %%ymm12, 256(%[acc])\n\t"
      "vmovaps %%ymm13, 288(%[acc])\n\t"
      "vmovaps %%ymm14, 320(%[acc])\n\t"
      "vmovaps %%ymm15, 352(%[acc])\n\t"
      : [a] "+r"(a), [b] "+r"(b), [k4] "+r"(k4), [kl] "+r"(kl)
      : [rsb] "r"(rsb_bytes), [acc] "r"(acc)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");

  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const int mode = beta == 0.0f ? 0 : beta == 1.0f ? 1 : 2;
  for (int r = 0; r < 6; r++)
    store_row(c + r * ldc, _mm256_load_ps(acc + 16 * r), _mm256_load_ps(acc + 16 * r + 8), va, vb, mode);
}
#undef STEP

/* 8×8 transpose: on return r[q] holds column q of the input rows. */
TARGET static inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* Packs one full 16-column sliver of op(B) = Bᵀ (B stored N×K): columns [j, j+16) are rows
 * j.. of B, read along k 8 at a time and transposed in registers (the scalar gather reads
 * 16 rows one float at a time). dst[p·16 + c] = B[(j + c)·ldb + p0 + p]. */
TARGET void att_pack_bt16_avx2(const float *B, long ldb, long p0, long kc, long j, float *restrict dst) {
  const long k8 = kc / 8 * 8;
  for (int h = 0; h < 2; h++) {
    const float *src = B + (j + 8 * h) * ldb + p0;
    float *d = dst + 8 * h;
    long p = 0;
    for (; p < k8; p += 8) {
      __m256 r[8];
      for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + q * ldb + p);
      transpose8(r);
      for (int q = 0; q < 8; q++) _mm256_storeu_ps(d + (p + q) * 16, r[q]);
    }
    for (; p < kc; p++)
      for (int q = 0; q < 8; q++) d[p * 16 + q] = src[q * ldb + p];
  }
}

/* blocking; -DAVX2_MC=… / -DAVX2_KC=… / -DAVX2_NC=… override it for tuning runs */
#ifndef AVX2_MC
#define AVX2_MC 144
#endif
#ifndef AVX2_NC
#define AVX2_NC 4080
#endif
#ifndef AVX2_KC
#define AVX2_KC 256
#endif
static const att_gemm_kernel kernel = {
  .name = "avx2", .mr = 6, .nr = 16, .mc = AVX2_MC, .kc = AVX2_KC, .nc = AVX2_NC, .kernel = sgemm_6x16,
};

const att_gemm_kernel *att_gemm_kernel_avx2(void) { return &kernel; }

#else
const att_gemm_kernel *att_gemm_kernel_avx2(void) { return NULL; }
void att_pack_bt16_avx2(const float *B, long ldb, long p0, long kc, long j, float *dst) {
  (void)B; (void)ldb; (void)p0; (void)kc; (void)j; (void)dst;
}
#endif
