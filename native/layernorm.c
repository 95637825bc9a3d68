/*
 * Fused layer normalisation over the last axis (the reference is src/backend/js/layer-norm.ts).
 * Composed from primitives, one LayerNorm walked and allocated about nine [rows, cols] arrays
 * forward and fifteen backward; here the forward reads each row twice and writes it once, the
 * backward reads it twice per row and once more per column block for the parameter gradients.
 * Row statistics and column sums run in double.
 */
#include <math.h>
#include "attentive.h"
#include "layernorm.h"

typedef struct {
  const float *x, *dy, *weight, *bias, *mean_in, *rstd_in;
  float *out, *mean, *rstd, *dx, *dweight, *dbias;
  long rows, cols, col_block;
  float eps;
} ln_job;

static void forward_rows(void *ctx, long r0, long r1) {
  const ln_job *J = (const ln_job *)ctx;
  const long n = J->cols;
  for (long r = r0; r < r1; r++) {
    const float *x = J->x + r * n;
    float *y = J->out + r * n;
    double s = 0;
    for (long j = 0; j < n; j++) s += x[j];
    const double m = s / (double)n;
    double v = 0;
    for (long j = 0; j < n; j++) {
      const double d = x[j] - m;
      v += d * d;
    }
    const float rs = (float)(1.0 / sqrt(v / (double)n + (double)J->eps));
    const float mf = (float)m;
    J->mean[r] = mf;
    J->rstd[r] = rs;
    const float *w = J->weight, *b = J->bias;
    if (w && b) for (long j = 0; j < n; j++) y[j] = (x[j] - mf) * rs * w[j] + b[j];
    else if (w) for (long j = 0; j < n; j++) y[j] = (x[j] - mf) * rs * w[j];
    else if (b) for (long j = 0; j < n; j++) y[j] = (x[j] - mf) * rs + b[j];
    else for (long j = 0; j < n; j++) y[j] = (x[j] - mf) * rs;
  }
}

static void backward_rows(void *ctx, long r0, long r1) {
  const ln_job *J = (const ln_job *)ctx;
  const long n = J->cols;
  const float *w = J->weight;
  for (long r = r0; r < r1; r++) {
    const float *x = J->x + r * n, *dy = J->dy + r * n;
    float *dx = J->dx + r * n;
    const float m = J->mean_in[r], rs = J->rstd_in[r];
    double sg = 0, sgx = 0;
    for (long j = 0; j < n; j++) {
      const float xh = (x[j] - m) * rs;
      const float g = w ? dy[j] * w[j] : dy[j];
      sg += g;
      sgx += (double)g * xh;
    }
    const float a = (float)(sg / (double)n), b = (float)(sgx / (double)n);
    for (long j = 0; j < n; j++) {
      const float xh = (x[j] - m) * rs;
      const float g = w ? dy[j] * w[j] : dy[j];
      dx[j] = rs * (g - a - xh * b);
    }
  }
}

/* Parameter gradients for columns [block·col_block, ...): sums down the rows. */
static void param_block(void *ctx, long b0, long b1) {
  const ln_job *J = (const ln_job *)ctx;
  const long n = J->cols;
  enum { W = 64 };
  for (long blk = b0; blk < b1; blk++) {
    const long c0 = blk * J->col_block, c1 = c0 + J->col_block < n ? c0 + J->col_block : n;
    for (long cs = c0; cs < c1; cs += W) {
      const long ce = cs + W < c1 ? cs + W : c1;
      double sw[W] = {0}, sb[W] = {0};
      for (long r = 0; r < J->rows; r++) {
        const float *x = J->x + r * n, *dy = J->dy + r * n;
        const float m = J->mean_in[r], rs = J->rstd_in[r];
        for (long j = cs; j < ce; j++) {
          sw[j - cs] += (double)(dy[j] * ((x[j] - m) * rs));
          sb[j - cs] += dy[j];
        }
      }
      for (long j = cs; j < ce; j++) {
        if (J->dweight) J->dweight[j] = (float)sw[j - cs];
        if (J->dbias) J->dbias[j] = (float)sb[j - cs];
      }
    }
  }
}

/* Below this many elements one thread finishes before the pool wakes up. */
#define LN_MIN_PARALLEL 16384

void att_layer_norm(const float *x, long rows, long cols, const float *weight, const float *bias, float eps, float *out,
                    float *mean, float *rstd) {
  ln_job J = {.x = x, .weight = weight, .bias = bias, .out = out, .mean = mean, .rstd = rstd, .rows = rows, .cols = cols, .eps = eps};
  att_parallel_rows(rows, cols, LN_MIN_PARALLEL, forward_rows, &J);
}

void att_layer_norm_backward(const float *dy, const float *x, long rows, long cols, const float *weight, const float *mean,
                             const float *rstd, float *dx, float *dweight, float *dbias) {
  ln_job J = {.x = x, .dy = dy, .weight = weight, .mean_in = mean, .rstd_in = rstd, .dx = dx, .dweight = dweight,
              .dbias = dbias, .rows = rows, .cols = cols};
  att_parallel_rows(rows, cols, LN_MIN_PARALLEL, backward_rows, &J);
  if (!dweight && !dbias) return;
  J.col_block = 64;
  const long blocks = (cols + J.col_block - 1) / J.col_block;
  att_parallel_rows(blocks, rows * J.col_block, LN_MIN_PARALLEL, param_block, &J);
}
