/* Aligned allocation for tensors and packing buffers. */
#include <stdlib.h>
#include "attentive.h"

void *att_aligned_alloc(size_t bytes) {
  /* round up so aligned_alloc's size rule holds and SIMD tails never cross the allocation */
  size_t size = (bytes + ATT_ALIGN - 1) / ATT_ALIGN * ATT_ALIGN;
  if (size == 0) size = ATT_ALIGN;
#if defined(_WIN32)
  return _aligned_malloc(size, ATT_ALIGN);
#else
  void *p = NULL;
  if (posix_memalign(&p, ATT_ALIGN, size) != 0) return NULL;
  return p;
#endif
}

void att_aligned_free(void *p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  free(p);
#endif
}

