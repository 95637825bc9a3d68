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

#if !defined(_WIN32)
#include <string.h>
#include <sys/mman.h>
/* From here on mmap's fresh zero pages beat malloc + memset (and the memory returns to the
 * OS on free instead of fragmenting the heap). */
#define MMAP_MIN_BYTES (256 * 1024)

void *att_zalloc(size_t bytes) {
  if (bytes >= MMAP_MIN_BYTES) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
  }
  void *p = att_aligned_alloc(bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

void att_zfree(void *p, size_t bytes) {
  if (!p) return;
  if (bytes >= MMAP_MIN_BYTES) munmap(p, bytes);
  else att_aligned_free(p);
}
#else
#include <string.h>
void *att_zalloc(size_t bytes) {
  void *p = att_aligned_alloc(bytes);
  if (p) memset(p, 0, bytes);
  return p;
}
void att_zfree(void *p, size_t bytes) { (void)bytes; att_aligned_free(p); }
#endif
