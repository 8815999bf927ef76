/* Rule cases of the conv family (see rule_cases.h): Convolution in 1 and 2 spatial dims with
 * strides, padding (and cropping), both dilations, groups and flip; the transposed form. vmap
 * over the weight folds the batch into the groups. (Cases have at most 4 dims: no 3D case.) */
#include "ops/conv.h"

static int ccase_conv1d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_nd(out, "conv1d", 1, x[0], x[1], (int[]){2}, (int[]){1}, (int[]){2}, 1, s);
}

static int ccase_general2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_general(out, x[0], x[1], (int[]){2, 1}, 2, (int[]){1, 0}, 2, (int[]){0, 2}, 2,
                         (int[]){1, 2}, 2, (int[]){2, 1}, 2, 2, true, s);
}

static int ccase_crop1d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_general(out, x[0], x[1], (int[]){1}, 1, (int[]){-1}, 1, (int[]){2}, 1,
                         (int[]){1}, 1, (int[]){3}, 1, 1, false, s);
}

static int ccase_transpose2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_conv_transpose_nd(out, "conv_transpose2d", 2, x[0], x[1], (int[]){2, 1},
                              (int[]){1, 0}, (int[]){1, 1}, (int[]){1, 0}, 1, s);
}

static const rule_case rule_cases_conv[] = {
    {MX_PRIM_CONVOLUTION, "conv1d stride 2 pad 1 dilation 2", ccase_conv1d, 2, 1, {3, 3},
     {{2, 9, 3}, {4, 3, 3}}, .lo = -1, .hi = 1},
    {MX_PRIM_CONVOLUTION, "conv_general 2d groups 2 flip input dilation", ccase_general2d, 2, 1,
     {4, 4}, {{2, 5, 4, 4}, {4, 3, 2, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_CONVOLUTION, "conv_general 1d negative padding input dilation", ccase_crop1d, 2, 1,
     {3, 3}, {{1, 4, 2}, {3, 2, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_CONVOLUTION, "conv_transpose2d", ccase_transpose2d, 2, 1, {4, 4},
     {{1, 3, 4, 2}, {3, 3, 2, 2}}, .lo = -1, .hi = 1},
    RULE_END};
