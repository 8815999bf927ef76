/* ops.h, the conv family: conv1d/2d/3d, conv_general, conv_transpose1d/2d/3d. */
#include "api/api_ops.h"
#include "ops/conv.h"

int mlx_conv1d(mlx_array *res, const mlx_array input, const mlx_array weight, int stride,
               int padding, int dilation, int groups, const mlx_stream s) {
  OP_BEGIN("conv1d", 2, input, weight);
  OP_END(mx_conv_nd(&out_, op_, 1, in_[0], in_[1], &stride, &padding, &dilation, groups, st_));
}

int mlx_conv2d(mlx_array *res, const mlx_array input, const mlx_array weight, int stride_0,
               int stride_1, int padding_0, int padding_1, int dilation_0, int dilation_1,
               int groups, const mlx_stream s) {
  OP_BEGIN("conv2d", 2, input, weight);
  OP_END(mx_conv_nd(&out_, op_, 2, in_[0], in_[1], (int[]){stride_0, stride_1},
                    (int[]){padding_0, padding_1}, (int[]){dilation_0, dilation_1}, groups, st_));
}

int mlx_conv3d(mlx_array *res, const mlx_array input, const mlx_array weight, int stride_0,
               int stride_1, int stride_2, int padding_0, int padding_1, int padding_2,
               int dilation_0, int dilation_1, int dilation_2, int groups, const mlx_stream s) {
  OP_BEGIN("conv3d", 2, input, weight);
  OP_END(mx_conv_nd(&out_, op_, 3, in_[0], in_[1], (int[]){stride_0, stride_1, stride_2},
                    (int[]){padding_0, padding_1, padding_2},
                    (int[]){dilation_0, dilation_1, dilation_2}, groups, st_));
}

int mlx_conv_general(mlx_array *res, const mlx_array input, const mlx_array weight,
                     const int *stride, size_t stride_num, const int *padding_lo,
                     size_t padding_lo_num, const int *padding_hi, size_t padding_hi_num,
                     const int *kernel_dilation, size_t kernel_dilation_num,
                     const int *input_dilation, size_t input_dilation_num, int groups, bool flip,
                     const mlx_stream s) {
  OP_BEGIN("conv_general", 2, input, weight);
  if (mlx_api_check_shape(op_, stride, stride_num) ||
      mlx_api_check_shape(op_, padding_lo, padding_lo_num) ||
      mlx_api_check_shape(op_, padding_hi, padding_hi_num) ||
      mlx_api_check_shape(op_, kernel_dilation, kernel_dilation_num) ||
      mlx_api_check_shape(op_, input_dilation, input_dilation_num))
    return 1;
  OP_END(mx_conv_general(&out_, in_[0], in_[1], stride, (int)stride_num, padding_lo,
                         (int)padding_lo_num, padding_hi, (int)padding_hi_num, kernel_dilation,
                         (int)kernel_dilation_num, input_dilation, (int)input_dilation_num, groups,
                         flip, st_));
}

int mlx_conv_transpose1d(mlx_array *res, const mlx_array input, const mlx_array weight, int stride,
                         int padding, int dilation, int output_padding, int groups,
                         const mlx_stream s) {
  OP_BEGIN("conv_transpose1d", 2, input, weight);
  OP_END(mx_conv_transpose_nd(&out_, op_, 1, in_[0], in_[1], &stride, &padding, &dilation,
                              &output_padding, groups, st_));
}

int mlx_conv_transpose2d(mlx_array *res, const mlx_array input, const mlx_array weight,
                         int stride_0, int stride_1, int padding_0, int padding_1, int dilation_0,
                         int dilation_1, int output_padding_0, int output_padding_1, int groups,
                         const mlx_stream s) {
  OP_BEGIN("conv_transpose2d", 2, input, weight);
  OP_END(mx_conv_transpose_nd(&out_, op_, 2, in_[0], in_[1], (int[]){stride_0, stride_1},
                              (int[]){padding_0, padding_1}, (int[]){dilation_0, dilation_1},
                              (int[]){output_padding_0, output_padding_1}, groups, st_));
}

int mlx_conv_transpose3d(mlx_array *res, const mlx_array input, const mlx_array weight,
                         int stride_0, int stride_1, int stride_2, int padding_0, int padding_1,
                         int padding_2, int dilation_0, int dilation_1, int dilation_2,
                         int output_padding_0, int output_padding_1, int output_padding_2,
                         int groups, const mlx_stream s) {
  OP_BEGIN("conv_transpose3d", 2, input, weight);
  OP_END(mx_conv_transpose_nd(
      &out_, op_, 3, in_[0], in_[1], (int[]){stride_0, stride_1, stride_2},
      (int[]){padding_0, padding_1, padding_2}, (int[]){dilation_0, dilation_1, dilation_2},
      (int[]){output_padding_0, output_padding_1, output_padding_2}, groups, st_));
}
