/* Run-time choice of instruction set, so one binary runs on any x86-64 (and elsewhere). */
#include <stdlib.h>
#include <string.h>
#include "attentive.h"
#if defined(_WIN32)
#include <windows.h>
#else
#include <unistd.h>
#endif

att_isa att_cpu_isa(void) {
#if ATT_X86 && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ATT_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ATT_ISA_AVX2;
#endif
  return ATT_ISA_GENERIC;
}

const char *att_isa_name(att_isa isa) {
  switch (isa) {
    case ATT_ISA_AVX512: return "avx512";
    case ATT_ISA_AVX2: return "avx2";
    default: return "generic";
  }
}

int att_cpu_count(void) {
#if defined(_WIN32)
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwNumberOfProcessors > 0 ? (int)si.dwNumberOfProcessors : 1;
#else
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
#endif
}
