/*
 * N-API glue for the data-movement, recurrent, selection and pooling kernels (copy.c, lstm.c,
 * indexing.c, topk.c, reduce.c, pool.c). As in addon_kernels.c, every size, offset and index
 * that would let a kernel touch memory outside its arrays becomes an exception here.
 */
#include <node_api.h>
#include <stdio.h>
#include "addon_util.h"
#include "copy.h"
#include "indexing.h"
#include "kernels.h"
#include "lstm.h"
#include "pool.h"
#include "reduce.h"
#include "topk.h"

#define ARGS(N, NAME)                                                                      \
  size_t argc = (N);                                                                       \
  napi_value v[(N)];                                                                       \
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < (N))          \
    return fail(env, NAME ": expected " #N " arguments");

static long total_of(int nd, const long *shape) {
  long t = 1;
  for (int d = 0; d < nd; d++) t *= shape[d];
  return t;
}

/* lstmCell(gates, c, b, h, hc, saved) */
static napi_value js_lstm_cell(napi_env env, napi_callback_info info) {
  ARGS(6, "lstmCell");
  void *g, *c, *hc, *sv;
  long glen, clen, hclen, svlen, b, h;
  if (!get_typed(env, v[0], napi_float32_array, &g, &glen) || !get_typed(env, v[1], napi_float32_array, &c, &clen) ||
      !get_long(env, v[2], &b) || !get_long(env, v[3], &h) || !get_typed(env, v[4], napi_float32_array, &hc, &hclen) ||
      !get_typed(env, v[5], napi_float32_array, &sv, &svlen))
    return fail(env, "lstmCell: bad arguments (expected Float32Array gates, c, b, h, Float32Array hc, saved)");
  const double bh = (double)b * (double)h;
  if (b < 0 || h < 0 || 4 * bh > glen || bh > clen || 2 * bh > hclen || 5 * bh > svlen) {
    char msg[200];
    snprintf(msg, sizeof msg, "lstmCell: b=%ld h=%ld exceed the arrays (gates %ld, c %ld, hc %ld, saved %ld)", b, h, glen,
             clen, hclen, svlen);
    return fail(env, msg);
  }
  att_lstm_cell((const float *)g, (const float *)c, b, h, (float *)hc, (float *)sv);
  return NULL;
}

/* lstmCellBackward(dhc, c, saved, b, h, dgates, dc) */
static napi_value js_lstm_cell_backward(napi_env env, napi_callback_info info) {
  ARGS(7, "lstmCellBackward");
  void *dhc, *c, *sv, *dg, *dc;
  long dhclen, clen, svlen, dglen, dclen, b, h;
  if (!get_typed(env, v[0], napi_float32_array, &dhc, &dhclen) || !get_typed(env, v[1], napi_float32_array, &c, &clen) ||
      !get_typed(env, v[2], napi_float32_array, &sv, &svlen) || !get_long(env, v[3], &b) || !get_long(env, v[4], &h) ||
      !get_typed(env, v[5], napi_float32_array, &dg, &dglen) || !get_typed(env, v[6], napi_float32_array, &dc, &dclen))
    return fail(env, "lstmCellBackward: bad arguments (expected Float32Array dhc, c, saved, b, h, Float32Array dgates, dc)");
  const double bh = (double)b * (double)h;
  if (b < 0 || h < 0 || 2 * bh > dhclen || bh > clen || 5 * bh > svlen || 4 * bh > dglen || bh > dclen) {
    char msg[220];
    snprintf(msg, sizeof msg, "lstmCellBackward: b=%ld h=%ld exceed the arrays (dhc %ld, c %ld, saved %ld, dgates %ld, dc %ld)",
             b, h, dhclen, clen, svlen, dglen, dclen);
    return fail(env, msg);
  }
  att_lstm_cell_backward((const float *)dhc, (const float *)c, (const float *)sv, b, h, (float *)dg, (float *)dc);
  return NULL;
}

/* copy(x, xOffset, desc, out): x and out each Float32Array or Int32Array */
static napi_value js_copy(napi_env env, napi_callback_info info) {
  ARGS(4, "copy");
  void *x, *out;
  long xlen, olen, xoff;
  int xint, oint, nd;
  long shape[ATT_MAX_DIMS], strides[1][ATT_MAX_DIMS];
  if (!get_typed_any(env, v[0], &x, &xlen, &xint) || !get_long(env, v[1], &xoff) ||
      !read_desc(env, v[2], 1, &nd, shape, strides) || !get_typed_any(env, v[3], &out, &olen, &oint))
    return fail(env, "copy: bad arguments (expected Float32Array|Int32Array, offset, Int32Array descriptor, Float32Array|Int32Array)");
  const long total = total_of(nd, shape);
  if (total > olen || !view_in_bounds(xoff, nd, shape, strides[0], xlen)) {
    char msg[200];
    snprintf(msg, sizeof msg, "copy: view out of bounds (elements=%ld offset=%ld input length=%ld output length=%ld)", total,
             xoff, xlen, olen);
    return fail(env, msg);
  }
  if (total == 0) return NULL;
  att_copy((const char *)x + 4 * xoff, xint, nd, shape, strides[0], out, oint);
  return NULL;
}

/* where(cond, condOffset, a, aOffset, b, bOffset, desc, out) */
static napi_value js_where(napi_env env, napi_callback_info info) {
  ARGS(8, "where");
  void *c, *a, *b, *out;
  long clen, alen, blen, olen, coff, aoff, boff;
  int cint, nd;
  long shape[ATT_MAX_DIMS], strides[3][ATT_MAX_DIMS];
  if (!get_typed_any(env, v[0], &c, &clen, &cint) || !get_long(env, v[1], &coff) ||
      !get_typed(env, v[2], napi_float32_array, &a, &alen) || !get_long(env, v[3], &aoff) ||
      !get_typed(env, v[4], napi_float32_array, &b, &blen) || !get_long(env, v[5], &boff) ||
      !read_desc(env, v[6], 3, &nd, shape, strides) || !get_typed(env, v[7], napi_float32_array, &out, &olen))
    return fail(env, "where: bad arguments (expected cond Float32Array|Int32Array, offset, Float32Array, offset, Float32Array, offset, Int32Array descriptor, Float32Array)");
  const long total = total_of(nd, shape);
  if (total > olen || !view_in_bounds(coff, nd, shape, strides[0], clen) || !view_in_bounds(aoff, nd, shape, strides[1], alen) ||
      !view_in_bounds(boff, nd, shape, strides[2], blen)) {
    char msg[240];
    snprintf(msg, sizeof msg, "where: view out of bounds (elements=%ld cond %ld+%ld, a %ld+%ld, b %ld+%ld, output length %ld)",
             total, coff, clen, aoff, alen, boff, blen, olen);
    return fail(env, msg);
  }
  if (total == 0) return NULL;
  att_where((const char *)c + 4 * coff, cint, (const float *)a + aoff, (const float *)b + boff, nd, shape,
            (const long(*)[ATT_MAX_DIMS])strides, (float *)out);
  return NULL;
}

/* fill(out, value) */
static napi_value js_fill(napi_env env, napi_callback_info info) {
  ARGS(2, "fill");
  void *out;
  long olen;
  int oint;
  double value;
  if (!get_typed_any(env, v[0], &out, &olen, &oint) || napi_get_value_double(env, v[1], &value) != napi_ok)
    return fail(env, "fill: bad arguments (expected Float32Array|Int32Array, number)");
  att_fill(out, oint, olen, value);
  return NULL;
}

/* gather(x, outer, n, inner, index, m, out) and scatterAdd(src, outer, n, inner, index, m, out) */
static napi_value gather_common(napi_env env, napi_callback_info info, int scatter) {
  const char *name = scatter ? "scatterAdd" : "gather";
  size_t argc = 7;
  napi_value v[7];
  char msg[240];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 7) {
    snprintf(msg, sizeof msg, "%s: expected 7 arguments", name);
    return fail(env, msg);
  }
  void *src, *idx, *out;
  long slen, ilen, olen, outer, n, inner, m;
  int sint = 0, oint = 0;
  int ok = scatter ? get_typed(env, v[0], napi_float32_array, &src, &slen) : get_typed_any(env, v[0], &src, &slen, &sint);
  ok = ok && get_long(env, v[1], &outer) && get_long(env, v[2], &n) && get_long(env, v[3], &inner) &&
       get_typed(env, v[4], napi_int32_array, &idx, &ilen) && get_long(env, v[5], &m);
  ok = ok && (scatter ? get_typed(env, v[6], napi_float32_array, &out, &olen) : get_typed_any(env, v[6], &out, &olen, &oint));
  if (!ok || sint != oint) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected %s, outer, n, inner, Int32Array index, m, same-typed output)", name,
             scatter ? "Float32Array" : "Float32Array|Int32Array");
    return fail(env, msg);
  }
  const double big = (double)outer * n * inner, small = (double)outer * m * inner;
  if (outer < 0 || n < 0 || inner < 0 || m < 0 || small > ilen ||
      (scatter ? (small > slen || big > olen) : (big > slen || small > olen))) {
    snprintf(msg, sizeof msg, "%s: sizes outer=%ld n=%ld inner=%ld m=%ld exceed the arrays (source %ld, index %ld, output %ld)",
             name, outer, n, inner, m, slen, ilen, olen);
    return fail(env, msg);
  }
  const int32_t *index = (const int32_t *)idx;
  const long count = outer * m * inner;
  for (long j = 0; j < count; j++) {
    if (index[j] < 0 || index[j] >= n) {
      snprintf(msg, sizeof msg, "%s: index[%ld] = %d out of range [0, %ld)", name, j, index[j], n);
      return fail(env, msg);
    }
  }
  if (scatter) att_scatter_add((const float *)src, outer, n, inner, index, m, (float *)out);
  else att_gather((const uint32_t *)src, outer, n, inner, index, m, (uint32_t *)out);
  return NULL;
}

static napi_value js_gather(napi_env env, napi_callback_info info) { return gather_common(env, info, 0); }
static napi_value js_scatter_add(napi_env env, napi_callback_info info) { return gather_common(env, info, 1); }

/* topk(x, rows, cols, k, largest, values, indices) */
static napi_value js_topk(napi_env env, napi_callback_info info) {
  ARGS(7, "topk");
  void *x, *vals, *idx;
  long xlen, vlen, ilen, rows, cols, k;
  bool largest;
  if (!get_typed(env, v[0], napi_float32_array, &x, &xlen) || !get_long(env, v[1], &rows) || !get_long(env, v[2], &cols) ||
      !get_long(env, v[3], &k) || napi_get_value_bool(env, v[4], &largest) != napi_ok ||
      !get_typed(env, v[5], napi_float32_array, &vals, &vlen) || !get_typed(env, v[6], napi_int32_array, &idx, &ilen))
    return fail(env, "topk: bad arguments (expected Float32Array, rows, cols, k, boolean, Float32Array, Int32Array)");
  if (rows < 0 || cols < 0 || k < 0 || k > cols || cols > INT32_MAX || (double)rows * cols > xlen || (double)rows * k > vlen ||
      (double)rows * k > ilen) {
    char msg[220];
    snprintf(msg, sizeof msg, "topk: rows=%ld cols=%ld k=%ld do not fit (k <= cols; arrays %ld, %ld, %ld)", rows, cols, k, xlen,
             vlen, ilen);
    return fail(env, msg);
  }
  if (!att_topk((const float *)x, rows, cols, k, largest, (float *)vals, (int32_t *)idx))
    return fail(env, "topk: out of memory for the sort buffer");
  return NULL;
}

/* cumsum(x, outer, r, inner, out) */
static napi_value js_cumsum(napi_env env, napi_callback_info info) {
  ARGS(5, "cumsum");
  void *x, *out;
  long xlen, olen, outer, r, inner;
  if (!get_typed(env, v[0], napi_float32_array, &x, &xlen) || !get_long(env, v[1], &outer) || !get_long(env, v[2], &r) ||
      !get_long(env, v[3], &inner) || !get_typed(env, v[4], napi_float32_array, &out, &olen))
    return fail(env, "cumsum: bad arguments (expected Float32Array, outer, r, inner, Float32Array)");
  const double total = (double)outer * r * inner;
  if (outer < 0 || r < 0 || inner < 0 || total > xlen || total > olen) {
    char msg[200];
    snprintf(msg, sizeof msg, "cumsum: sizes outer=%ld r=%ld inner=%ld exceed the arrays (%ld, %ld)", outer, r, inner, xlen, olen);
    return fail(env, msg);
  }
  att_cumsum((const float *)x, outer, r, inner, (float *)out);
  return NULL;
}

/* Pool geometry: Int32Array [n, c, h, w, kh, kw, strideH, strideW, padH, padW, outH, outW]. */
static int read_pool_geom(napi_env env, napi_value v, att_pool_geom *g) {
  void *d;
  long len;
  if (!get_typed(env, v, napi_int32_array, &d, &len) || len < 12) return 0;
  const int32_t *q = (const int32_t *)d;
  *g = (att_pool_geom){q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11]};
  return g->n >= 0 && g->c >= 0 && g->h >= 0 && g->w >= 0 && g->kh >= 1 && g->kw >= 1 && g->stride_h >= 1 &&
         g->stride_w >= 1 && g->pad_h >= 0 && g->pad_w >= 0 && g->out_h >= 0 && g->out_w >= 0;
}

enum { POOL_MAX, POOL_MAX_BACK, POOL_AVG, POOL_AVG_BACK };

/* maxPool2d(x, geom, out, argmax), maxPool2dBackward(dy, argmax, geom, dx),
 * avgPool2d(x, geom, countIncludePad, out), avgPool2dBackward(dy, geom, countIncludePad, dx) */
static napi_value pool_common(napi_env env, napi_callback_info info, int kind) {
  static const char *names[] = {"maxPool2d", "maxPool2dBackward", "avgPool2d", "avgPool2dBackward"};
  const char *name = names[kind];
  size_t argc = 4;
  napi_value v[4];
  char msg[260];
  void *src, *dst, *am = NULL;
  long slen, dlen, alen = 0;
  att_pool_geom g;
  bool cip = false;
  int ok = napi_get_cb_info(env, info, &argc, v, NULL, NULL) == napi_ok && argc >= 4 &&
           get_typed(env, v[0], napi_float32_array, &src, &slen);
  if (ok && kind == POOL_MAX)
    ok = read_pool_geom(env, v[1], &g) && get_typed(env, v[2], napi_float32_array, &dst, &dlen) &&
         get_typed(env, v[3], napi_int32_array, &am, &alen);
  else if (ok && kind == POOL_MAX_BACK)
    ok = get_typed(env, v[1], napi_int32_array, &am, &alen) && read_pool_geom(env, v[2], &g) &&
         get_typed(env, v[3], napi_float32_array, &dst, &dlen);
  else if (ok)
    ok = read_pool_geom(env, v[1], &g) && napi_get_value_bool(env, v[2], &cip) == napi_ok &&
         get_typed(env, v[3], napi_float32_array, &dst, &dlen);
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments or geometry", name);
    return fail(env, msg);
  }
  const double img = (double)g.n * g.c * g.h * g.w, pooled = (double)g.n * g.c * g.out_h * g.out_w;
  const int backward = kind == POOL_MAX_BACK || kind == POOL_AVG_BACK;
  if ((backward ? (pooled > slen || img > dlen) : (img > slen || pooled > dlen)) || (am && pooled > alen)) {
    snprintf(msg, sizeof msg, "%s: geometry n=%ld c=%ld h=%ld w=%ld out=%ldx%ld exceeds the arrays (%ld, %ld, argmax %ld)", name,
             g.n, g.c, g.h, g.w, g.out_h, g.out_w, slen, dlen, alen);
    return fail(env, msg);
  }
  if (kind == POOL_MAX_BACK) {
    const int32_t *a = (const int32_t *)am;
    const long hw = g.h * g.w;
    for (long q = 0; q < (long)pooled; q++) {
      if (a[q] < -1 || a[q] >= hw) {
        snprintf(msg, sizeof msg, "%s: argmax[%ld] = %d out of range [-1, %ld)", name, q, a[q], hw);
        return fail(env, msg);
      }
    }
  }
  switch (kind) {
    case POOL_MAX: att_max_pool2d((const float *)src, &g, (float *)dst, (int32_t *)am); break;
    case POOL_MAX_BACK: att_max_pool2d_backward((const float *)src, (const int32_t *)am, &g, (float *)dst); break;
    case POOL_AVG: att_avg_pool2d((const float *)src, &g, cip, (float *)dst); break;
    default: att_avg_pool2d_backward((const float *)src, &g, cip, (float *)dst); break;
  }
  return NULL;
}

static napi_value js_max_pool(napi_env env, napi_callback_info info) { return pool_common(env, info, POOL_MAX); }
static napi_value js_max_pool_back(napi_env env, napi_callback_info info) { return pool_common(env, info, POOL_MAX_BACK); }
static napi_value js_avg_pool(napi_env env, napi_callback_info info) { return pool_common(env, info, POOL_AVG); }
static napi_value js_avg_pool_back(napi_env env, napi_callback_info info) { return pool_common(env, info, POOL_AVG_BACK); }

int att_register_ops(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"lstmCell", NULL, js_lstm_cell, NULL, NULL, NULL, napi_default, NULL},
    {"lstmCellBackward", NULL, js_lstm_cell_backward, NULL, NULL, NULL, napi_default, NULL},
    {"copy", NULL, js_copy, NULL, NULL, NULL, napi_default, NULL},
    {"where", NULL, js_where, NULL, NULL, NULL, napi_default, NULL},
    {"fill", NULL, js_fill, NULL, NULL, NULL, napi_default, NULL},
    {"gather", NULL, js_gather, NULL, NULL, NULL, napi_default, NULL},
    {"scatterAdd", NULL, js_scatter_add, NULL, NULL, NULL, napi_default, NULL},
    {"topk", NULL, js_topk, NULL, NULL, NULL, napi_default, NULL},
    {"cumsum", NULL, js_cumsum, NULL, NULL, NULL, napi_default, NULL},
    {"maxPool2d", NULL, js_max_pool, NULL, NULL, NULL, napi_default, NULL},
    {"maxPool2dBackward", NULL, js_max_pool_back, NULL, NULL, NULL, napi_default, NULL},
    {"avgPool2d", NULL, js_avg_pool, NULL, NULL, NULL, napi_default, NULL},
    {"avgPool2dBackward", NULL, js_avg_pool_back, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    napi_throw_error(env, NULL, "attentive native: cannot register kernels");
    return 0;
  }
  return att_register_transformer(env, exports);
}
