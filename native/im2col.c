/*
 * im2col / col2im for convolution as GEMM: images [n, c, h, w] <-> columns
 * [n, c·kh·kw, outH·outW], zero padding and dilation. Both split across threads by (image,
 * channel) plane: each plane owns its rows of the column matrix, so col2im's accumulation never
 * races.
 */
#include "attentive.h"
#include "im2col.h"

typedef struct {
  const att_conv_geom *g;
  const float *src;
  float *dst;
  int backward;
} ic_job;

static void plane(const att_conv_geom *g, const float *x, float *cols, long b, long c, int backward) {
  const long L = g->out_h * g->out_w, rows = g->c * g->kh * g->kw;
  const float *xp = x + (b * g->c + c) * g->h * g->w;
  float *xw = (float *)xp; /* col2im writes the image plane */
  for (long ki = 0; ki < g->kh; ki++) {
    for (long kj = 0; kj < g->kw; kj++) {
      float *row = cols + (b * rows + (c * g->kh + ki) * g->kw + kj) * L;
      for (long oy = 0; oy < g->out_h; oy++) {
        const long iy = oy * g->stride_h - g->pad_h + ki * g->dil_h;
        float *r = row + oy * g->out_w;
        if (iy < 0 || iy >= g->h) {
          if (!backward)
            for (long ox = 0; ox < g->out_w; ox++) r[ox] = 0.0f;
          continue;
        }
        for (long ox = 0; ox < g->out_w; ox++) {
          const long ix = ox * g->stride_w - g->pad_w + kj * g->dil_w;
          const int inside = ix >= 0 && ix < g->w;
          if (backward) {
            if (inside) xw[iy * g->w + ix] += r[ox];
          } else {
            r[ox] = inside ? xp[iy * g->w + ix] : 0.0f;
          }
        }
      }
    }
  }
}

static void ic_task(void *ctx, long t, int tid) {
  (void)tid;
  const ic_job *J = (const ic_job *)ctx;
  const long b = t / J->g->c, c = t % J->g->c;
  if (J->backward) plane(J->g, J->dst, (float *)J->src, b, c, 1);
  else plane(J->g, J->src, J->dst, b, c, 0);
}

static void run(const att_conv_geom *g, const float *src, float *dst, int backward) {
  ic_job J = {.g = g, .src = src, .dst = dst, .backward = backward};
  const long planes = g->n * g->c;
  const double work = (double)planes * g->kh * g->kw * g->out_h * g->out_w;
  if (work < 65536 || planes < 2) {
    for (long t = 0; t < planes; t++) ic_task(&J, t, 0);
  } else {
    att_parallel_for(planes, 0, ic_task, &J);
  }
}

void att_im2col(const float *x, const att_conv_geom *g, float *cols) { run(g, x, cols, 0); }
void att_col2im(const float *cols, const att_conv_geom *g, float *x) { run(g, cols, x, 1); }
