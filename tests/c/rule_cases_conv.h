/* Rule cases of the conv family (see rule_cases.h): Convolution in 1 and 2 spatial dims with
 * strides, padding (and cropping), both dilations, groups and flip; the transposed form. vmap
 * over the weight folds the batch into the groups. The weight-gradient form (MX_CONV_WGRAD,
 * inputs x and the cotangent y) is a case of its own, so its rules (second derivatives of a
 * convolution) are checked too. (Cases have at most 4 dims: no 3D case.) */
#include <string.h>

#include "ops/conv.h"

static int ccase_conv1d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_nd(out, "conv1d", 1, x[0], x[1], (int[]){2}, (int[]){1}, (int[]){2}, 1, s);
}

static int ccase_general2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_general(out, x[0], x[1], (int[]){2, 1}, 2, (int[]){1, 0}, 2, (int[]){0, 2}, 2,
                         (int[]){1, 2}, 2, (int[]){2, 1}, 2, 2, true, s);
}

static int ccase_crop1d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_general(out, x[0], x[1], (int[]){1}, 1, (int[]){-1}, 1, (int[]){2}, 1, (int[]){1},
                         1, (int[]){3}, 1, 1, false, s);
}

static int ccase_transpose2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_transpose_nd(out, "conv_transpose2d", 2, x[0], x[1], (int[]){2, 1}, (int[]){1, 0},
                              (int[]){1, 1}, (int[]){1, 0}, 1, s);
}

/* The weight's gradient of a convolution with nsp spatial dims, kernel size ksz. */
static int ccase_wgrad(mx_array *const *x, mx_array **out, mx_stream s, int nsp, const int *stride,
                       const int *lo, const int *hi, const int *kdil, const int *idil, int groups,
                       int flip, const int *ksz) {
  mx_conv_params p;
  memset(&p, 0, sizeof p);
  p.nsp = nsp, p.groups = groups, p.flip = flip;
  int32_t k[MX_CONV_MAX_SPATIAL];
  for (int d = 0; d < nsp; d++) {
    p.stride[d] = stride[d], p.pad_lo[d] = lo[d], p.pad_hi[d] = hi[d];
    p.kdil[d] = kdil[d], p.idil[d] = idil[d], k[d] = ksz[d];
  }
  return mx_conv_wgrad_make(out, x[0], x[1], &p, k, s);
}

static int ccase_wgrad1d(mx_array *const *x, mx_array **out, mx_stream s) {
  return ccase_wgrad(x, out, s, 1, (int[]){2}, (int[]){1}, (int[]){1}, (int[]){2}, (int[]){1}, 1, 0,
                     (int[]){3});
}

static int ccase_wgrad2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return ccase_wgrad(x, out, s, 2, (int[]){2, 1}, (int[]){1, 0}, (int[]){0, 2}, (int[]){1, 2},
                     (int[]){2, 1}, 2, 1, (int[]){3, 2});
}

static int ccase_wgrad_crop(mx_array *const *x, mx_array **out, mx_stream s) {
  return ccase_wgrad(x, out, s, 1, (int[]){1}, (int[]){-1}, (int[]){2}, (int[]){1}, (int[]){3}, 1,
                     0, (int[]){2});
}

static const rule_case rule_cases_conv[] = {{MX_PRIM_CONVOLUTION,
                                             "conv1d stride 2 pad 1 dilation 2",
                                             ccase_conv1d,
                                             2,
                                             1,
                                             {3, 3},
                                             {{2, 9, 3}, {4, 3, 3}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "conv_general 2d groups 2 flip input dilation",
                                             ccase_general2d,
                                             2,
                                             1,
                                             {4, 4},
                                             {{2, 5, 4, 4}, {4, 3, 2, 2}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "conv_general 1d negative padding input dilation",
                                             ccase_crop1d,
                                             2,
                                             1,
                                             {3, 3},
                                             {{1, 4, 2}, {3, 2, 2}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "conv_transpose2d",
                                             ccase_transpose2d,
                                             2,
                                             1,
                                             {4, 4},
                                             {{1, 3, 4, 2}, {3, 3, 2, 2}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "weight gradient 1d stride 2 pad 1 dilation 2",
                                             ccase_wgrad1d,
                                             2,
                                             1,
                                             {3, 3},
                                             {{2, 9, 3}, {2, 4, 4}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "weight gradient 2d groups 2 flip input dilation",
                                             ccase_wgrad2d,
                                             2,
                                             1,
                                             {4, 4},
                                             {{2, 5, 4, 4}, {2, 4, 4, 4}},
                                             .lo = -1,
                                             .hi = 1},
                                            {MX_PRIM_CONVOLUTION,
                                             "weight gradient 1d negative padding input dilation",
                                             ccase_wgrad_crop,
                                             2,
                                             1,
                                             {3, 3},
                                             {{1, 4, 2}, {1, 10, 3}},
                                             .lo = -1,
                                             .hi = 1},
                                            RULE_END};
