/* N-API glue for the Transformer's fused kernels: attention (sdpa.c) and layer normalisation
 * (layernorm.c); unpacking and bounds checks.
 *
 * sdpa(dims, scale, q, qOff, k, kOff, v, vOff, mask|null, maskOff|null, drop|null, weights, out, outOff)
 * sdpaBackward(dims, scale, q, qOff, k, kOff, v, vOff, mask|null, maskOff|null, drop|null, weights,
 *              dout, doutOff, dq, dqOff, dk, dkOff, dv, dvOff)
 * dims = Int32Array [batch, l, s, e, ev, causal, qRow, kRow, vRow, maskRow, maskCol, outRow | doutRow,
 *                    dqRow, dkRow, dvRow] (the last three for the backward only).
 */
#include <node_api.h>
#include <stdio.h>
#include "addon_util.h"
#include "kernels.h"
#include "sdpa.h"
#include "layernorm.h"

typedef struct {
  float *data;
  long len;
  const int32_t *off;
} operand;

static int get_nullable(napi_env env, napi_value v, napi_typedarray_type want, void **data, long *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  return get_typed(env, v, want, data, len);
}

/* Every matrix [rows, cols] at off[b] with row stride `row` lies inside the array. */
static int matrices_in_bounds(const operand *o, long batch, long olen, long rows, long row, long cols) {
  if (olen < batch || row < 0) return 0;
  if (rows == 0 || cols == 0) return 1;
  for (long b = 0; b < batch; b++) {
    const long start = o->off[b];
    if (start < 0 || start + (rows - 1) * row + cols > o->len) return 0;
  }
  return 1;
}

static napi_value sdpa_common(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "sdpaBackward" : "sdpa";
  const size_t want = backward ? 20 : 14;
  size_t argc = 20;
  napi_value v[20];
  char msg[240];
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments", name, want);
    return fail(env, msg);
  }
  void *dp;
  long dlen;
  double scale;
  if (!get_typed(env, v[0], napi_int32_array, &dp, &dlen) || dlen < (backward ? 15 : 12) ||
      napi_get_value_double(env, v[1], &scale) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected Int32Array dims, number scale, ...)", name);
    return fail(env, msg);
  }
  const int32_t *d = (const int32_t *)dp;
  const long batch = d[0], l = d[1], s = d[2], e = d[3], ev = d[4];
  if (batch < 0 || l < 0 || s < 0 || e < 0 || ev < 0) {
    snprintf(msg, sizeof msg, "%s: negative sizes batch=%ld l=%ld s=%ld e=%ld ev=%ld", name, batch, l, s, e, ev);
    return fail(env, msg);
  }
  /* q, k, v, (mask), out|dout, dq, dk, dv: data then offsets */
  operand q, k, vv, mask, out, dq, dk, dvv;
  long ql, kl, vl, ml, ol, dql = 0, dkl = 0, dvl = 0, drl, wl;
  void *p[8], *o[8], *drop, *weights;
  int ok = get_typed(env, v[2], napi_float32_array, &p[0], &q.len) && get_typed(env, v[3], napi_int32_array, &o[0], &ql) &&
           get_typed(env, v[4], napi_float32_array, &p[1], &k.len) && get_typed(env, v[5], napi_int32_array, &o[1], &kl) &&
           get_typed(env, v[6], napi_float32_array, &p[2], &vv.len) && get_typed(env, v[7], napi_int32_array, &o[2], &vl) &&
           get_nullable(env, v[8], napi_float32_array, &p[3], &mask.len) && get_nullable(env, v[9], napi_int32_array, &o[3], &ml) &&
           get_nullable(env, v[10], napi_float32_array, &drop, &drl) && get_typed(env, v[11], napi_float32_array, &weights, &wl) &&
           get_typed(env, v[12], napi_float32_array, &p[4], &out.len) && get_typed(env, v[13], napi_int32_array, &o[4], &ol);
  if (ok && backward)
    ok = get_typed(env, v[14], napi_float32_array, &p[5], &dq.len) && get_typed(env, v[15], napi_int32_array, &o[5], &dql) &&
         get_typed(env, v[16], napi_float32_array, &p[6], &dk.len) && get_typed(env, v[17], napi_int32_array, &o[6], &dkl) &&
         get_typed(env, v[18], napi_float32_array, &p[7], &dvv.len) && get_typed(env, v[19], napi_int32_array, &o[7], &dvl);
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments (expected Float32Array data and Int32Array offsets per operand)", name);
    return fail(env, msg);
  }
  operand *ops[8] = {&q, &k, &vv, &mask, &out, &dq, &dk, &dvv};
  for (int i = 0; i < (backward ? 8 : 5); i++) {
    ops[i]->data = (float *)p[i];
    ops[i]->off = (const int32_t *)o[i];
  }
  const long n = batch * l * s;
  const long mrow = d[9], mcol = d[10];
  int bad = !matrices_in_bounds(&q, batch, ql, l, d[6], e) || !matrices_in_bounds(&k, batch, kl, s, d[7], e) ||
            !matrices_in_bounds(&vv, batch, vl, s, d[8], ev) || !matrices_in_bounds(&out, batch, ol, l, d[11], ev) ||
            wl < n || (drop && drl < n) || (mask.data && (!mask.off || mcol < 0 || !matrices_in_bounds(&mask, batch, ml, l, mrow, s == 0 ? 0 : (s - 1) * mcol + 1)));
  if (backward)
    bad = bad || !matrices_in_bounds(&dq, batch, dql, l, d[12], e) || !matrices_in_bounds(&dk, batch, dkl, s, d[13], e) ||
          !matrices_in_bounds(&dvv, batch, dvl, s, d[14], ev);
  if (bad) {
    snprintf(msg, sizeof msg, "%s: operands out of bounds (batch=%ld l=%ld s=%ld e=%ld ev=%ld)", name, batch, l, s, e, ev);
    return fail(env, msg);
  }
  if (batch == 0 || l == 0) return NULL;
  att_sdpa_args a = {
    .batch = batch, .l = l, .s = s, .e = e, .ev = ev,
    .q = q.data, .q_off = q.off, .q_row = d[6],
    .k = k.data, .k_off = k.off, .k_row = d[7],
    .v = vv.data, .v_off = vv.off, .v_row = d[8],
    .scale = (float)scale,
    .mask = mask.data, .mask_off = mask.data ? mask.off : NULL, .mask_row = mrow, .mask_col = mcol,
    .causal = d[5] != 0, .drop = (const float *)drop, .weights = (float *)weights,
    .out = backward ? NULL : out.data, .out_off = out.off, .out_row = d[11],
  };
  if (!backward) {
    att_sdpa(&a);
    return NULL;
  }
  att_sdpa_grads g = {
    .dout = out.data, .dout_off = out.off, .dout_row = d[11],
    .dq = dq.data, .dq_off = dq.off, .dq_row = d[12],
    .dk = dk.data, .dk_off = dk.off, .dk_row = d[13],
    .dv = dvv.data, .dv_off = dvv.off, .dv_row = d[14],
  };
  att_sdpa_backward(&a, &g);
  return NULL;
}

static napi_value js_sdpa(napi_env env, napi_callback_info info) { return sdpa_common(env, info, 0); }
static napi_value js_sdpa_backward(napi_env env, napi_callback_info info) { return sdpa_common(env, info, 1); }

/* layerNorm(x, rows, cols, weight|null, bias|null, eps, out, mean, rstd) and
 * layerNormBackward(dy, x, rows, cols, weight|null, mean, rstd, dx, dWeight|null, dBias|null) */
static napi_value layer_norm_common(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "layerNormBackward" : "layerNorm";
  size_t argc = 10;
  napi_value v[10];
  char msg[220];
  const size_t want = backward ? 10 : 9;
  if (napi_get_cb_info(env, info, &argc, v, NULL, NULL) != napi_ok || argc < want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments", name, want);
    return fail(env, msg);
  }
  long rows, cols, n0, n1, wl, bl = 0, ol, ml, rl, dxl = 0, dwl = 0, dbl = 0;
  void *a0, *a1 = NULL, *w, *b = NULL, *out = NULL, *mean, *rstd, *dx = NULL, *dw = NULL, *db = NULL;
  double eps = 0;
  int ok;
  if (!backward) {
    ok = get_typed(env, v[0], napi_float32_array, &a0, &n0) && get_long(env, v[1], &rows) && get_long(env, v[2], &cols) &&
         get_nullable(env, v[3], napi_float32_array, &w, &wl) && get_nullable(env, v[4], napi_float32_array, &b, &bl) &&
         napi_get_value_double(env, v[5], &eps) == napi_ok && get_typed(env, v[6], napi_float32_array, &out, &ol) &&
         get_typed(env, v[7], napi_float32_array, &mean, &ml) && get_typed(env, v[8], napi_float32_array, &rstd, &rl);
    n1 = n0;
  } else {
    ok = get_typed(env, v[0], napi_float32_array, &a0, &n0) && get_typed(env, v[1], napi_float32_array, &a1, &n1) &&
         get_long(env, v[2], &rows) && get_long(env, v[3], &cols) && get_nullable(env, v[4], napi_float32_array, &w, &wl) &&
         get_typed(env, v[5], napi_float32_array, &mean, &ml) && get_typed(env, v[6], napi_float32_array, &rstd, &rl) &&
         get_typed(env, v[7], napi_float32_array, &dx, &dxl) && get_nullable(env, v[8], napi_float32_array, &dw, &dwl) &&
         get_nullable(env, v[9], napi_float32_array, &db, &dbl);
    ol = dxl;
  }
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: bad arguments", name);
    return fail(env, msg);
  }
  const double n = (double)rows * (double)cols;
  if (rows < 0 || cols < 1 || n > n0 || n > n1 || n > ol || rows > ml || rows > rl || (w && wl < cols) || (b && bl < cols) ||
      (dw && dwl < cols) || (db && dbl < cols)) {
    snprintf(msg, sizeof msg, "%s: rows=%ld cols=%ld exceed the arrays", name, rows, cols);
    return fail(env, msg);
  }
  if (backward)
    att_layer_norm_backward((const float *)a0, (const float *)a1, rows, cols, (const float *)w, (const float *)mean, (const float *)rstd,
                            (float *)dx, (float *)dw, (float *)db);
  else
    att_layer_norm((const float *)a0, rows, cols, (const float *)w, (const float *)b, (float)eps, (float *)out, (float *)mean, (float *)rstd);
  return NULL;
}

static napi_value js_layer_norm(napi_env env, napi_callback_info info) { return layer_norm_common(env, info, 0); }
static napi_value js_layer_norm_backward(napi_env env, napi_callback_info info) { return layer_norm_common(env, info, 1); }

int att_register_transformer(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"layerNorm", NULL, js_layer_norm, NULL, NULL, NULL, napi_default, NULL},
    {"layerNormBackward", NULL, js_layer_norm_backward, NULL, NULL, NULL, napi_default, NULL},
    {"sdpa", NULL, js_sdpa, NULL, NULL, NULL, napi_default, NULL},
    {"sdpaBackward", NULL, js_sdpa_backward, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    napi_throw_error(env, NULL, "attentive native: cannot register the attention kernels");
    return 0;
  }
  return 1;
}
