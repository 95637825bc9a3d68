/*
 * N-API glue: argument unpacking, bounds checks (a bad offset from JS must become an exception,
 * never a stray write), and the module's exports. Kernels live in the other files.
 */

#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include "attentive.h"
#include "kernels.h"

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "attentive native: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static napi_value throw_fmt(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int get_f64(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

static int get_long(napi_env env, napi_value v, long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (d != d || d < -9.0e15 || d > 9.0e15 || (double)(long)d != d) return 0;
  *out = (long)d;
  return 1;
}

static int get_bool(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_get_value_bool(env, v, &b) == napi_ok) {
    *out = b;
    return 1;
  }
  double d;
  if (napi_get_value_double(env, v, &d) == napi_ok) {
    *out = d != 0;
    return 1;
  }
  return 0;
}

/* A typed array's data pointer and element count; `want` is the expected element type. */
static int get_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, long *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) != napi_ok) return 0;
  if (type != want) return 0;
  *len = (long)length;
  return 1;
}

/* ---------- memory ---------- */

/*
 * alloc(dtype: 0 float32 | 1 int32, size) -> zeroed typed array whose data is 64-byte aligned.
 *
 * The memory is a V8-owned ArrayBuffer (zero-filled by V8, counted by its GC, freed by the GC
 * itself) over-allocated by 64 bytes, viewed from the first aligned byte. An external buffer
 * with a C finalizer was tried first and rejected: Node runs N-API finalizers only when the
 * event loop turns, so a synchronous training loop grew by every tensor it dropped (4 GB after
 * 4000 1-MB allocations, flat at ~100 MB once the loop yields).
 */
static napi_value js_alloc(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long dtype, size;
  if (argc < 2 || !get_long(env, argv[0], &dtype) || !get_long(env, argv[1], &size) || size < 0 ||
      (dtype != 0 && dtype != 1))
    return throw_fmt(env, "alloc: expected (dtype 0|1, size >= 0)");
  void *data = NULL;
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, (size_t)size * 4 + ATT_ALIGN, &data, &ab) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "alloc: cannot allocate %ld elements", size);
    return throw_fmt(env, msg);
  }
  const size_t misalign = (size_t)((uintptr_t)data % ATT_ALIGN);
  const size_t offset = misalign ? ATT_ALIGN - misalign : 0;
  CHECK(napi_create_typedarray(env, dtype == 0 ? napi_float32_array : napi_int32_array, (size_t)size, ab, offset, &arr));
  return arr;
}

/* alignmentOf(typedArray) -> address of its first element modulo 64 (for tests) */
static napi_value js_alignment_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is;
  void *data;
  size_t length;
  napi_typedarray_type type;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok)
    return throw_fmt(env, "alignmentOf: expected a typed array");
  napi_value out;
  CHECK(napi_create_int32(env, (int32_t)((uintptr_t)data % ATT_ALIGN), &out));
  return out;
}

/* ---------- gemm ---------- */

/* Whether every element a batched matrix touches lies inside an array of `len` elements. */
static int span_ok(long off, long batch, long stride, long rows, long cols, long ld, long len) {
  if (off < 0 || stride < 0 || ld < cols || ld < 1) return 0;
  double last = (double)off + (double)(batch - 1) * stride + (double)(rows - 1) * ld + (double)(cols - 1);
  return last < (double)len;
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 20;
  napi_value v[20];
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 20) return throw_fmt(env, "gemm: expected 20 arguments");
  att_gemm_args g;
  double alpha, beta;
  long a_off, b_off, c_off, a_len, b_len, c_len;
  void *a, *b, *c;
  if (!get_bool(env, v[0], &g.trans_a) || !get_bool(env, v[1], &g.trans_b) ||
      !get_long(env, v[2], &g.m) || !get_long(env, v[3], &g.n) || !get_long(env, v[4], &g.k) ||
      !get_f64(env, v[5], &alpha) || !get_array(env, v[6], napi_float32_array, &a, &a_len) ||
      !get_long(env, v[7], &a_off) || !get_long(env, v[8], &g.lda) || !get_long(env, v[9], &g.stride_a) ||
      !get_array(env, v[10], napi_float32_array, &b, &b_len) || !get_long(env, v[11], &b_off) ||
      !get_long(env, v[12], &g.ldb) || !get_long(env, v[13], &g.stride_b) || !get_f64(env, v[14], &beta) ||
      !get_array(env, v[15], napi_float32_array, &c, &c_len) || !get_long(env, v[16], &c_off) ||
      !get_long(env, v[17], &g.ldc) || !get_long(env, v[18], &g.stride_c) || !get_long(env, v[19], &g.batch))
    return throw_fmt(env, "gemm: bad argument types (expected booleans, integers, numbers and Float32Arrays)");
  char msg[320];
  if (g.m < 0 || g.n < 0 || g.k < 0 || g.batch < 0) {
    snprintf(msg, sizeof msg, "gemm: negative size m=%ld n=%ld k=%ld batch=%ld", g.m, g.n, g.k, g.batch);
    return throw_fmt(env, msg);
  }
  if (g.m == 0 || g.n == 0 || g.batch == 0) return NULL;
  if (!span_ok(c_off, g.batch, g.stride_c, g.m, g.n, g.ldc, c_len)) {
    snprintf(msg, sizeof msg, "gemm: C out of bounds or bad layout (m=%ld n=%ld ldc=%ld offset=%ld strideC=%ld batch=%ld length=%ld)",
             g.m, g.n, g.ldc, c_off, g.stride_c, g.batch, c_len);
    return throw_fmt(env, msg);
  }
  if (g.batch > 1 && g.stride_c < (g.m - 1) * g.ldc + g.n) {
    snprintf(msg, sizeof msg, "gemm: batch outputs overlap (strideC=%ld < (m-1)*ldc+n with m=%ld n=%ld ldc=%ld)",
             g.stride_c, g.m, g.n, g.ldc);
    return throw_fmt(env, msg);
  }
  if (g.k > 0) {
    long ar = g.trans_a ? g.k : g.m, ac = g.trans_a ? g.m : g.k;
    long br = g.trans_b ? g.n : g.k, bc = g.trans_b ? g.k : g.n;
    if (!span_ok(a_off, g.batch, g.stride_a, ar, ac, g.lda, a_len)) {
      snprintf(msg, sizeof msg, "gemm: A out of bounds or bad layout (transA=%d rows=%ld cols=%ld lda=%ld offset=%ld strideA=%ld batch=%ld length=%ld)",
               g.trans_a, ar, ac, g.lda, a_off, g.stride_a, g.batch, a_len);
      return throw_fmt(env, msg);
    }
    if (!span_ok(b_off, g.batch, g.stride_b, br, bc, g.ldb, b_len)) {
      snprintf(msg, sizeof msg, "gemm: B out of bounds or bad layout (transB=%d rows=%ld cols=%ld ldb=%ld offset=%ld strideB=%ld batch=%ld length=%ld)",
               g.trans_b, br, bc, g.ldb, b_off, g.stride_b, g.batch, b_len);
      return throw_fmt(env, msg);
    }
  }
  g.alpha = (float)alpha;
  g.beta = (float)beta;
  g.a = (const float *)a + a_off;
  g.b = (const float *)b + b_off;
  g.c = (float *)c + c_off;
  att_gemm(&g);
  return NULL;
}

/* ---------- threads and introspection ---------- */

static napi_value js_set_num_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long n;
  if (argc < 1 || !get_long(env, argv[0], &n) || n < 1 || n > ATT_MAX_THREADS) {
    char msg[96];
    snprintf(msg, sizeof msg, "setNumThreads: expected an integer in [1, %d]", ATT_MAX_THREADS);
    return throw_fmt(env, msg);
  }
  att_set_num_threads((int)n);
  return NULL;
}

static napi_value js_num_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, att_num_threads(), &out));
  return out;
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, isa, kernel, threads, cpus;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, att_isa_name(att_cpu_isa()), NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_create_string_utf8(env, att_gemm_kernel_active()->name, NAPI_AUTO_LENGTH, &kernel));
  CHECK(napi_create_int32(env, att_num_threads(), &threads));
  CHECK(napi_create_int32(env, att_cpu_count(), &cpus));
  CHECK(napi_set_named_property(env, obj, "isa", isa));
  CHECK(napi_set_named_property(env, obj, "gemmKernel", kernel));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  CHECK(napi_set_named_property(env, obj, "cpus", cpus));
  return obj;
}

/* ---------- registration ---------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"alloc", NULL, js_alloc, NULL, NULL, NULL, napi_default, NULL},
    {"alignmentOf", NULL, js_alignment_of, NULL, NULL, NULL, napi_default, NULL},
    {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
    {"setNumThreads", NULL, js_set_num_threads, NULL, NULL, NULL, napi_default, NULL},
    {"numThreads", NULL, js_num_threads, NULL, NULL, NULL, napi_default, NULL},
    {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  if (!att_register_kernels(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
