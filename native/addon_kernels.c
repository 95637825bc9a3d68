/* N-API glue for the non-GEMM kernels: unpacking, bounds checks, registration. */
#include <node_api.h>
#include <stdio.h>
#include "attentive.h"
#include "elementwise.h"
#include "kernels.h"
#include "softmax.h"
#include "reduce.h"
#include "indexing.h"
#include "adam.h"
#include "sgd.h"
#include "xent.h"
#include "im2col.h"
#include "addon_util.h"

/* unary(op, x, xOffset, desc, out, p) */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value v[6];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 6) return fail(env, "unary: expected 6 arguments");
  long op, xoff, xlen, olen;
  double p;
  void *x, *out;
  int nd;
  long shape[ATT_MAX_DIMS], strides[1][ATT_MAX_DIMS];
  if (!get_long(env, v[0], &op) || op < 0 || op >= UOP_COUNT) return fail(env, "unary: bad op code");
  if (!get_typed(env, v[1], napi_float32_array, &x, &xlen) || !get_long(env, v[2], &xoff) ||
      !read_desc(env, v[3], 1, &nd, shape, strides) || !get_typed(env, v[4], napi_float32_array, &out, &olen) ||
      napi_get_value_double(env, v[5], &p) != napi_ok)
    return fail(env, "unary: bad arguments (expected op, Float32Array, offset, Int32Array descriptor, Float32Array, number)");
  long total = 1;
  for (int d = 0; d < nd; d++) total *= shape[d];
  char msg[200];
  if (total > olen || !view_in_bounds(xoff, nd, shape, strides[0], xlen)) {
    snprintf(msg, sizeof msg, "unary: view out of bounds (op=%ld elements=%ld offset=%ld input length=%ld output length=%ld)",
             op, total, xoff, xlen, olen);
    return fail(env, msg);
  }
  if (total == 0) return NULL;
  att_unary((int)op, (const float *)x + xoff, nd, shape, strides[0], (float *)out, p);
  return NULL;
}

/* binary(op, a, aOffset, b, bOffset, desc, out) */
static napi_value js_binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value v[7];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 7) return fail(env, "binary: expected 7 arguments");
  long op, aoff, boff, alen, blen, olen;
  void *a, *b, *out;
  int nd;
  long shape[ATT_MAX_DIMS], strides[2][ATT_MAX_DIMS];
  if (!get_long(env, v[0], &op) || op < 0 || op >= BOP_COUNT) return fail(env, "binary: bad op code");
  if (!get_typed(env, v[1], napi_float32_array, &a, &alen) || !get_long(env, v[2], &aoff) ||
      !get_typed(env, v[3], napi_float32_array, &b, &blen) || !get_long(env, v[4], &boff) ||
      !read_desc(env, v[5], 2, &nd, shape, strides) || !get_typed(env, v[6], napi_float32_array, &out, &olen))
    return fail(env, "binary: bad arguments (expected op, Float32Array, offset, Float32Array, offset, Int32Array descriptor, Float32Array)");
  long total = 1;
  for (int d = 0; d < nd; d++) total *= shape[d];
  char msg[220];
  if (total > olen || !view_in_bounds(aoff, nd, shape, strides[0], alen) || !view_in_bounds(boff, nd, shape, strides[1], blen)) {
    snprintf(msg, sizeof msg, "binary: view out of bounds (op=%ld elements=%ld aOffset=%ld a length=%ld bOffset=%ld b length=%ld output length=%ld)",
             op, total, aoff, alen, boff, blen, olen);
    return fail(env, msg);
  }
  if (total == 0) return NULL;
  att_binary((int)op, (const float *)a + aoff, strides[0], (const float *)b + boff, strides[1], nd, shape, (float *)out);
  return NULL;
}

/* softmax(x, rows, cols, out, log) and softmaxBackward(y, dy, rows, cols, out, log) */
static napi_value softmax_common(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "softmaxBackward" : "softmax";
  size_t argc = 6;
  napi_value v[6];
  char msg[200];
  const size_t want = backward ? 6 : 5;
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments", name, want);
    return fail(env, msg);
  }
  void *x, *dy = NULL, *out;
  long xlen, dylen = 0, olen, rows, cols;
  bool log_;
  int i = 0;
  int ok = get_typed(env, v[i++], napi_float32_array, &x, &xlen);
  if (backward) ok = ok && get_typed(env, v[i++], napi_float32_array, &dy, &dylen);
  ok = ok && get_long(env, v[i], &rows) && get_long(env, v[i + 1], &cols) &&
       get_typed(env, v[i + 2], napi_float32_array, &out, &olen) && napi_get_value_bool(env, v[i + 3], &log_) == napi_ok;
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected Float32Arrays, rows, cols, boolean)", name);
    return fail(env, msg);
  }
  const double n = (double)rows * (double)cols;
  if (rows < 0 || cols < 0 || n > xlen || n > olen || (backward && n > dylen)) {
    snprintf(msg, sizeof msg, "%s: rows=%ld cols=%ld exceed the arrays (lengths %ld, %ld, out %ld)", name, rows, cols, xlen,
             dylen, olen);
    return fail(env, msg);
  }
  if (n == 0) return NULL;
  if (backward) att_softmax_backward((const float *)x, (const float *)dy, rows, cols, (float *)out, log_);
  else att_softmax((const float *)x, rows, cols, (float *)out, log_);
  return NULL;
}

static napi_value js_softmax(napi_env env, napi_callback_info info) { return softmax_common(env, info, 0); }
static napi_value js_softmax_backward(napi_env env, napi_callback_info info) { return softmax_common(env, info, 1); }

/* crossEntropy(x, rows, cols, targets, ignoreIndex, eps, loss, lse) and
 * crossEntropyBackward(x, rows, cols, targets, ignoreIndex, eps, lse, g, out) */
static napi_value xent_common(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "crossEntropyBackward" : "crossEntropy";
  size_t argc = 9;
  napi_value v[9];
  char msg[240];
  const size_t want = backward ? 9 : 8;
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments", name, want);
    return fail(env, msg);
  }
  void *x, *t, *a, *b, *out = NULL;
  long xlen, tlen, alen, blen, olen = 0, rows, cols;
  double ignore, eps;
  int ok = get_typed(env, v[0], napi_float32_array, &x, &xlen) && get_long(env, v[1], &rows) && get_long(env, v[2], &cols) &&
           get_typed(env, v[3], napi_int32_array, &t, &tlen) && napi_get_value_double(env, v[4], &ignore) == napi_ok &&
           napi_get_value_double(env, v[5], &eps) == napi_ok && get_typed(env, v[6], napi_float32_array, &a, &alen) &&
           get_typed(env, v[7], napi_float32_array, &b, &blen);
  if (backward) ok = ok && get_typed(env, v[8], napi_float32_array, &out, &olen);
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected Float32Array, rows, cols, Int32Array targets, ignoreIndex, eps, %s)", name,
             backward ? "Float32Array lse, g, out" : "Float32Array loss, lse");
    return fail(env, msg);
  }
  const double n = (double)rows * (double)cols;
  /* forward: a = loss, b = lse; backward: a = lse, b = g, all [rows] */
  if (rows < 0 || cols < 0 || n > xlen || rows > tlen || rows > alen || rows > blen || (backward && n > olen)) {
    if (backward)
      snprintf(msg, sizeof msg, "%s: rows=%ld cols=%ld exceed the arrays (x %ld, targets %ld, lse %ld, g %ld, out %ld)", name, rows,
               cols, xlen, tlen, alen, blen, olen);
    else
      snprintf(msg, sizeof msg, "%s: rows=%ld cols=%ld exceed the arrays (x %ld, targets %ld, loss %ld, lse %ld)", name, rows, cols,
               xlen, tlen, alen, blen);
    return fail(env, msg);
  }
  if (!(eps >= 0 && eps <= 1)) {
    snprintf(msg, sizeof msg, "%s: eps must be in [0, 1], got %g", name, eps);
    return fail(env, msg);
  }
  const int32_t *tg = (const int32_t *)t;
  for (long r = 0; r < rows; r++) {
    if ((double)tg[r] != ignore && (tg[r] < 0 || tg[r] >= cols)) {
      snprintf(msg, sizeof msg, "%s: targets[%ld] = %d out of range [0, %ld) and not ignoreIndex %g", name, r, tg[r], cols, ignore);
      return fail(env, msg);
    }
  }
  if (backward) att_cross_entropy_backward((const float *)x, rows, cols, tg, ignore, eps, (const float *)a, (const float *)b, (float *)out);
  else att_cross_entropy((const float *)x, rows, cols, tg, ignore, eps, (float *)a, (float *)b);
  return NULL;
}

static napi_value js_cross_entropy(napi_env env, napi_callback_info info) { return xent_common(env, info, 0); }
static napi_value js_cross_entropy_backward(napi_env env, napi_callback_info info) { return xent_common(env, info, 1); }

/* reduce(op, x, outer, r, inner, out) */
static napi_value js_reduce(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value v[6];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 6) return fail(env, "reduce: expected 6 arguments");
  long op, outer, r, inner, xlen, olen;
  void *x, *out;
  if (!get_long(env, v[0], &op) || op < 0 || op >= ROP_COUNT) return fail(env, "reduce: bad op code");
  const int is_arg = op == ROP_ARGMAX || op == ROP_ARGMIN;
  if (!get_typed(env, v[1], napi_float32_array, &x, &xlen) || !get_long(env, v[2], &outer) || !get_long(env, v[3], &r) ||
      !get_long(env, v[4], &inner) || !get_typed(env, v[5], is_arg ? napi_int32_array : napi_float32_array, &out, &olen))
    return fail(env, "reduce: bad arguments (expected op, Float32Array, outer, r, inner, Float32Array or Int32Array for arg ops)");
  char msg[200];
  if (outer < 0 || r < 1 || inner < 0 || (double)outer * r * inner > xlen || (double)outer * inner > olen) {
    snprintf(msg, sizeof msg, "reduce: bad sizes outer=%ld r=%ld inner=%ld for input length %ld, output length %ld", outer, r,
             inner, xlen, olen);
    return fail(env, msg);
  }
  att_reduce((int)op, (const float *)x, outer, r, inner, out);
  return NULL;
}

/* sumSquares(x) -> Σ x² (double) */
static napi_value js_sum_squares(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value v[1];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 1) return fail(env, "sumSquares: expected 1 argument");
  void *x;
  long n;
  if (!get_typed(env, v[0], napi_float32_array, &x, &n)) return fail(env, "sumSquares: expected a Float32Array");
  napi_value out;
  if (napi_create_double(env, att_sum_squares((const float *)x, n), &out) != napi_ok) return NULL;
  return out;
}

/* indexSelect / indexAdd(src, outer, n, inner, index, out): shared unpacking and checks */
static napi_value index_common(napi_env env, napi_callback_info info, int add) {
  const char *name = add ? "indexAdd" : "indexSelect";
  size_t argc = 6;
  napi_value v[6];
  char msg[220];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 6) {
    snprintf(msg, sizeof msg, "%s: expected 6 arguments", name);
    return fail(env, msg);
  }
  void *src, *idx, *out;
  long slen, ilen, olen, outer, n, inner;
  if (!get_typed(env, v[0], napi_float32_array, &src, &slen) || !get_long(env, v[1], &outer) || !get_long(env, v[2], &n) ||
      !get_long(env, v[3], &inner) || !get_typed(env, v[4], napi_int32_array, &idx, &ilen) ||
      !get_typed(env, v[5], napi_float32_array, &out, &olen)) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected Float32Array, outer, n, inner, Int32Array, Float32Array)", name);
    return fail(env, msg);
  }
  const double big = (double)outer * n * inner, small = (double)outer * ilen * inner;
  if (outer < 0 || n < 0 || inner < 0 || (add ? (small > slen || big > olen) : (big > slen || small > olen))) {
    snprintf(msg, sizeof msg, "%s: sizes outer=%ld n=%ld inner=%ld index length=%ld exceed the arrays (%ld, %ld)", name, outer,
             n, inner, ilen, slen, olen);
    return fail(env, msg);
  }
  const int32_t *index = (const int32_t *)idx;
  for (long j = 0; j < ilen; j++) {
    if (index[j] < 0 || index[j] >= n) {
      snprintf(msg, sizeof msg, "%s: index[%ld] = %d out of range [0, %ld)", name, j, index[j], n);
      return fail(env, msg);
    }
  }
  if (add) att_index_add((const float *)src, outer, n, inner, index, ilen, (float *)out);
  else att_index_select((const float *)src, outer, n, inner, index, ilen, (float *)out);
  return NULL;
}

static napi_value js_index_select(napi_env env, napi_callback_info info) { return index_common(env, info, 0); }
static napi_value js_index_add(napi_env env, napi_callback_info info) { return index_common(env, info, 1); }

/* adam(param, grad, m, v, amsgrad | null, lr, beta1, beta2, eps, weightDecay, decoupled, step) */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value v[12];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 12) return fail(env, "adam: expected 12 arguments");
  void *p, *g, *m, *vv, *ams = NULL;
  long plen, glen, mlen, vlen, alen = 0;
  att_adam_args a;
  napi_valuetype t;
  bool dec;
  if (!get_typed(env, v[0], napi_float32_array, &p, &plen) || !get_typed(env, v[1], napi_float32_array, &g, &glen) ||
      !get_typed(env, v[2], napi_float32_array, &m, &mlen) || !get_typed(env, v[3], napi_float32_array, &vv, &vlen) ||
      napi_typeof(env, v[4], &t) != napi_ok || (t != napi_null && t != napi_undefined && !get_typed(env, v[4], napi_float32_array, &ams, &alen)) ||
      napi_get_value_double(env, v[5], &a.lr) != napi_ok || napi_get_value_double(env, v[6], &a.beta1) != napi_ok ||
      napi_get_value_double(env, v[7], &a.beta2) != napi_ok || napi_get_value_double(env, v[8], &a.eps) != napi_ok ||
      napi_get_value_double(env, v[9], &a.weight_decay) != napi_ok || napi_get_value_bool(env, v[10], &dec) != napi_ok ||
      napi_get_value_double(env, v[11], &a.step) != napi_ok)
    return fail(env, "adam: bad arguments");
  char msg[200];
  if (glen < plen || mlen < plen || vlen < plen || (ams && alen < plen)) {
    snprintf(msg, sizeof msg, "adam: state shorter than param (param %ld, grad %ld, m %ld, v %ld, amsgrad %ld)", plen, glen, mlen,
             vlen, alen);
    return fail(env, msg);
  }
  a.param = (float *)p;
  a.grad = (const float *)g;
  a.m = (float *)m;
  a.v = (float *)vv;
  a.amsgrad = (float *)ams;
  a.n = plen;
  a.decoupled = dec;
  att_adam(&a);
  return NULL;
}

/* sgd(param, grad, buf | null, lr, momentum, dampening, weightDecay, nesterov, first) */
static napi_value js_sgd(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value v[9];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 9) return fail(env, "sgd: expected 9 arguments");
  void *p, *g, *buf = NULL;
  long plen, glen, blen = 0;
  att_sgd_args a;
  napi_valuetype t;
  bool nesterov, first;
  if (!get_typed(env, v[0], napi_float32_array, &p, &plen) || !get_typed(env, v[1], napi_float32_array, &g, &glen) ||
      napi_typeof(env, v[2], &t) != napi_ok || (t != napi_null && t != napi_undefined && !get_typed(env, v[2], napi_float32_array, &buf, &blen)) ||
      napi_get_value_double(env, v[3], &a.lr) != napi_ok || napi_get_value_double(env, v[4], &a.momentum) != napi_ok ||
      napi_get_value_double(env, v[5], &a.dampening) != napi_ok || napi_get_value_double(env, v[6], &a.weight_decay) != napi_ok ||
      napi_get_value_bool(env, v[7], &nesterov) != napi_ok || napi_get_value_bool(env, v[8], &first) != napi_ok)
    return fail(env, "sgd: bad arguments");
  if (glen < plen || (buf && blen < plen)) {
    char msg[160];
    snprintf(msg, sizeof msg, "sgd: state shorter than param (param %ld, grad %ld, buffer %ld)", plen, glen, blen);
    return fail(env, msg);
  }
  a.param = (float *)p;
  a.grad = (const float *)g;
  a.buf = (float *)buf;
  a.n = plen;
  a.nesterov = nesterov;
  a.first = first;
  att_sgd(&a);
  return NULL;
}

/* im2col(x, geom, out) / col2im(cols, geom, out); geom = Int32Array [n, c, h, w, kh, kw,
 * strideH, strideW, padH, padW, dilationH, dilationW, outH, outW] */
static napi_value conv_common(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "col2im" : "im2col";
  size_t argc = 3;
  napi_value v[3];
  char msg[240];
  void *src, *gd, *dst;
  long slen, glen, dlen;
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < 3 ||
      !get_typed(env, v[0], napi_float32_array, &src, &slen) || !get_typed(env, v[1], napi_int32_array, &gd, &glen) ||
      glen < 14 || !get_typed(env, v[2], napi_float32_array, &dst, &dlen)) {
    snprintf(msg, sizeof msg, "%s: expected (Float32Array, Int32Array geometry[14], Float32Array)", name);
    return fail(env, msg);
  }
  const int32_t *q = (const int32_t *)gd;
  att_conv_geom g = {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13]};
  const double img = (double)g.n * g.c * g.h * g.w, cols = (double)g.n * g.c * g.kh * g.kw * g.out_h * g.out_w;
  int bad = g.n < 0 || g.c < 0 || g.h < 0 || g.w < 0 || g.kh < 1 || g.kw < 1 || g.stride_h < 1 || g.stride_w < 1 ||
            g.dil_h < 1 || g.dil_w < 1 || g.out_h < 0 || g.out_w < 0;
  if (bad || (backward ? (cols > slen || img > dlen) : (img > slen || cols > dlen))) {
    snprintf(msg, sizeof msg, "%s: bad geometry n=%ld c=%ld h=%ld w=%ld k=%ldx%ld out=%ldx%ld for arrays of %ld and %ld", name,
             g.n, g.c, g.h, g.w, g.kh, g.kw, g.out_h, g.out_w, slen, dlen);
    return fail(env, msg);
  }
  if (backward) att_col2im((const float *)src, &g, (float *)dst);
  else att_im2col((const float *)src, &g, (float *)dst);
  return NULL;
}

static napi_value js_im2col(napi_env env, napi_callback_info info) { return conv_common(env, info, 0); }
static napi_value js_col2im(napi_env env, napi_callback_info info) { return conv_common(env, info, 1); }

int att_register_kernels(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"unary", NULL, js_unary, NULL, NULL, NULL, napi_default, NULL},
    {"binary", NULL, js_binary, NULL, NULL, NULL, napi_default, NULL},
    {"reduce", NULL, js_reduce, NULL, NULL, NULL, napi_default, NULL},
    {"sumSquares", NULL, js_sum_squares, NULL, NULL, NULL, napi_default, NULL},
    {"indexSelect", NULL, js_index_select, NULL, NULL, NULL, napi_default, NULL},
    {"indexAdd", NULL, js_index_add, NULL, NULL, NULL, napi_default, NULL},
    {"im2col", NULL, js_im2col, NULL, NULL, NULL, napi_default, NULL},
    {"col2im", NULL, js_col2im, NULL, NULL, NULL, napi_default, NULL},
    {"adam", NULL, js_adam, NULL, NULL, NULL, napi_default, NULL},
    {"sgd", NULL, js_sgd, NULL, NULL, NULL, napi_default, NULL},
    {"softmax", NULL, js_softmax, NULL, NULL, NULL, napi_default, NULL},
    {"softmaxBackward", NULL, js_softmax_backward, NULL, NULL, NULL, napi_default, NULL},
    {"crossEntropy", NULL, js_cross_entropy, NULL, NULL, NULL, napi_default, NULL},
    {"crossEntropyBackward", NULL, js_cross_entropy_backward, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    napi_throw_error(env, NULL, "attentive native: cannot register kernels");
    return 0;
  }
  return att_register_ops(env, exports);
}
