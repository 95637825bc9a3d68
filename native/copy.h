/* Data movement (copy.c): strided copy with float32 <-> int32 conversion, where, fill. */
#ifndef ATTENTIVE_COPY_H
#define ATTENTIVE_COPY_H
#include <stdint.h>
#include "elementwise.h"

/* Copies a view (rank nd, element strides, src already offset) into contiguous out. src_int /
 * dst_int say whether each side is int32 (else float32); float -> int32 follows JS ToInt32
 * (truncate toward zero, wrap modulo 2^32, NaN and ±inf to 0), as the reference does. */
void att_copy(const void *src, int src_int, int nd, const long *shape, const long *strides, void *out, int dst_int);

/* out = cond != 0 ? a : b over three views expanded to `shape` (strides[0..2] = cond, a, b). */
void att_where(const void *cond, int cond_int, const float *a, const float *b, int nd, const long *shape,
               const long strides[3][ATT_MAX_DIMS], float *out);

/* out[0..n) = value, rounded to float32 or converted with ToInt32. */
void att_fill(void *out, int is_int, long n, double value);

/* JS ToInt32 of a double (used by fill and by float -> int copies). */
int32_t att_to_int32(double v);
#endif
