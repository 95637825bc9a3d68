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

/* Output columns [lo, hi) of one kernel tap read inside the image row (ix = ox·stride + off in
 * [0, w)); the rest read padding. Found once per tap, so the copy loops carry no bounds test. */
static void inside_range(long off, long stride, long w, long out_w, long *lo, long *hi) {
  long l = off >= 0 ? 0 : (-off + stride - 1) / stride;
  long h = w - 1 - off < 0 ? 0 : (w - 1 - off) / stride + 1;
  if (h > out_w) h = out_w;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

static void plane(const att_conv_geom *g, const float *x, float *cols, long b, long c, int backward) {
  const long L = g->out_h * g->out_w, rows = g->c * g->kh * g->kw;
  const long sw = g->stride_w, ow = g->out_w;
  const float *xp = x + (b * g->c + c) * g->h * g->w;
  float *xw = (float *)xp; /* col2im writes the image plane */
  for (long ki = 0; ki < g->kh; ki++) {
    for (long kj = 0; kj < g->kw; kj++) {
      float *row = cols + (b * rows + (c * g->kh + ki) * g->kw + kj) * L;
      const long off = kj * g->dil_w - g->pad_w;
      long lo, hi;
      inside_range(off, sw, g->w, ow, &lo, &hi);
      for (long oy = 0; oy < g->out_h; oy++) {
        const long iy = oy * g->stride_h - g->pad_h + ki * g->dil_h;
        float *restrict r = row + oy * ow;
        if (iy < 0 || iy >= g->h) {
          if (!backward)
            for (long ox = 0; ox < ow; ox++) r[ox] = 0.0f;
          continue;
        }
        const long base = iy * g->w + off; /* + ox·sw: the input column of output ox */
        if (backward) {
          /* distinct ox reach distinct ix, so the order of the additions is the reference's */
          float *restrict d = xw + base + lo * sw;
          if (sw == 1)
            for (long ox = lo; ox < hi; ox++) d[ox - lo] += r[ox];
          else
            for (long ox = lo; ox < hi; ox++) d[(ox - lo) * sw] += r[ox];
        } else {
          const float *restrict s = xp + base + lo * sw;
          for (long ox = 0; ox < lo; ox++) r[ox] = 0.0f;
          if (sw == 1)
            for (long ox = lo; ox < hi; ox++) r[ox] = s[ox - lo];
          else
            for (long ox = lo; ox < hi; ox++) r[ox] = s[(ox - lo) * sw];
          for (long ox = hi; ox < ow; ox++) r[ox] = 0.0f;
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
