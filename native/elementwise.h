/* Element-wise kernels (elementwise.c). Op codes must match OP order in src/backend/native/ops.ts. */
#ifndef ATTENTIVE_ELEMENTWISE_H
#define ATTENTIVE_ELEMENTWISE_H

#define ATT_MAX_DIMS 16

enum {
  UOP_NEG, UOP_EXP, UOP_LOG, UOP_SQRT, UOP_RSQRT, UOP_ABS, UOP_SIGN, UOP_SIGMOID, UOP_TANH, UOP_RELU,
  UOP_GELU, UOP_SOFTPLUS, UOP_SIN, UOP_COS, UOP_RECIPROCAL, UOP_SQUARE, UOP_FLOOR, UOP_CEIL, UOP_ROUND,
  UOP_ERF, UOP_LOG1P, UOP_EXPM1, UOP_POW_SCALAR, UOP_ADD_SCALAR, UOP_MUL_SCALAR, UOP_LEAKY_RELU, UOP_ELU,
  UOP_CLAMP_MIN, UOP_CLAMP_MAX, UOP_RSUB_SCALAR, UOP_RDIV_SCALAR, UOP_GT_SCALAR, UOP_GE_SCALAR,
  UOP_LT_SCALAR, UOP_LE_SCALAR, UOP_EQ_SCALAR, UOP_NE_SCALAR, UOP_COUNT
};

enum {
  BOP_ADD, BOP_SUB, BOP_MUL, BOP_DIV, BOP_POW, BOP_MINIMUM, BOP_MAXIMUM, BOP_EQ, BOP_NE, BOP_LT, BOP_LE,
  BOP_GT, BOP_GE, BOP_RELU_BACKWARD, BOP_SIGMOID_BACKWARD, BOP_TANH_BACKWARD, BOP_COUNT
};

/* out[i] = op(x[...]) over a view of rank nd (strides in elements, x already offset). */
void att_unary(int op, const float *x, int nd, const long *shape, const long *strides, float *out, double p);
/* out[i] = op(a[...], b[...]) with both views expanded to `shape`. */
void att_binary(int op, const float *a, const long *sa, const float *b, const long *sb, int nd, const long *shape,
                float *out);

/* Drops size-1 dims and merges neighbours contiguous in all `nviews` views; returns the new rank. */
int att_coalesce(int nd, long *shape, long strides[][ATT_MAX_DIMS], int nviews);


/* Walking an n-d strided iteration space row by row, shared by the element-wise, copy and where
 * kernels: att_nd_seek positions idx/off at flat element `start`; att_nd_step advances them by `n`
 * elements of the innermost row, carrying into outer axes at a row's end. */
static inline void att_nd_seek(int nd, int nviews, const long *shape, const long (*strides)[ATT_MAX_DIMS], long start,
                               long *idx, long *off) {
  long rem = start;
  for (int d = nd - 1; d >= 0; d--) {
    idx[d] = rem % shape[d];
    rem /= shape[d];
    for (int v = 0; v < nviews; v++) off[v] += idx[d] * strides[v][d];
  }
}

static inline void att_nd_step(int nd, int nviews, const long *shape, const long (*strides)[ATT_MAX_DIMS], long n,
                               long *idx, long *off) {
  for (int v = 0; v < nviews; v++) off[v] += n * strides[v][nd - 1];
  idx[nd - 1] += n;
  for (int d = nd - 1; d > 0 && idx[d] == shape[d]; d--) {
    for (int v = 0; v < nviews; v++) off[v] += strides[v][d - 1] - shape[d] * strides[v][d];
    idx[d] = 0;
    idx[d - 1]++;
  }
}


#endif
