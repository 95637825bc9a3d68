/* im2col / col2im (im2col.c). */
#ifndef ATTENTIVE_IM2COL_H
#define ATTENTIVE_IM2COL_H
typedef struct {
  long n, c, h, w, kh, kw, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, out_h, out_w;
} att_conv_geom;
void att_im2col(const float *x, const att_conv_geom *g, float *cols);
/* accumulates into x (the caller zeroes it first) */
void att_col2im(const float *cols, const att_conv_geom *g, float *x);
#endif
