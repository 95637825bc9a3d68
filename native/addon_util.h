/* Argument unpacking and bounds checks shared by the N-API glue files (addon_kernels.c, addon_ops.c). */
#ifndef ATTENTIVE_ADDON_UTIL_H
#define ATTENTIVE_ADDON_UTIL_H
#include <node_api.h>
#include <stdint.h>
#include "attentive.h"
#include "elementwise.h"

static inline napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static inline int get_long(napi_env env, napi_value v, long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (d != d || d < -9.0e15 || d > 9.0e15 || (double)(long)d != d) return 0;
  *out = (long)d;
  return 1;
}

static inline int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, long *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) != napi_ok || type != want) return 0;
  *len = (long)length;
  return 1;
}

/* Checks that every element a view of `shape`/`strides` at `off` reaches lies in [0, len). */
static inline int view_in_bounds(long off, int nd, const long *shape, const long *strides, long len) {
  long lo = off, hi = off;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == 0) return 1;
    const long span = (shape[d] - 1) * strides[d];
    if (span < 0) lo += span; else hi += span;
  }
  return lo >= 0 && hi < len;
}

/* Reads the descriptor Int32Array [nd, shape[nd], strides0[nd], (strides1[nd])]. */
static inline int read_desc(napi_env env, napi_value v, int nviews, int *nd, long *shape, long strides[][ATT_MAX_DIMS]) {
  void *data;
  long len;
  if (!get_typed(env, v, napi_int32_array, &data, &len) || len < 1) return 0;
  const int32_t *d = (const int32_t *)data;
  *nd = d[0];
  if (*nd < 0 || *nd > ATT_MAX_DIMS || len < 1 + (long)*nd * (1 + nviews)) return 0;
  for (int i = 0; i < *nd; i++) {
    shape[i] = d[1 + i];
    if (shape[i] < 0) return 0;
    for (int v = 0; v < nviews; v++) strides[v][i] = d[1 + *nd * (1 + v) + i];
  }
  return 1;
}

/* A Float32Array or Int32Array: its data, length, and whether it is the int32 one. */
static inline int get_typed_any(napi_env env, napi_value v, void **data, long *len, int *is_int) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array && type != napi_int32_array) return 0;
  *is_int = type == napi_int32_array;
  *len = (long)length;
  return 1;
}

#endif
