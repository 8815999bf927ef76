/* ops.h, the quantization family: quantize, dequantize, quantized_matmul, gather_qmm, qqmm,
 * to_fp8, from_fp8. Optional arrays are empty handles; optional ints use has_value; a NULL mode
 * is MLX's default ("affine"; "nvfp4" for qqmm). */
#include "api/api_ops.h"
#include "ops/quant.h"

static int opt_int(mlx_optional_int v) {
  return v.has_value ? v.value : -1;
}

int mlx_quantize(mlx_vector_array *res, const mlx_array w, mlx_optional_int group_size,
                 mlx_optional_int bits, const char *mode, const mlx_array global_scale,
                 const mlx_stream s) {
  const char *op = "quantize";
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  mx_array *in[1];
  if (mlx_api_get_arrays(op, &w, in, 1)) return 1;
  mx_stream st;
  if (mlx_api_stream(op, s, &st)) return 1;
  mx_array *outs[3] = {0};
  int nout = 0;
  if (group_size.has_value && group_size.value <= 0)
    return mlx_api_error("[quantize] The requested group size %d is not supported. The supported "
                         "group sizes are 32, 64, and 128.",
                         group_size.value);
  if (mx_quantize(outs, &nout, in[0], opt_int(group_size), bits.has_value ? bits.value : -1, mode,
                  mlx_api_arr(global_scale), st))
    return mlx_api_fail();
  mlx_array h[3] = {{outs[0]}, {outs[1]}, {outs[2]}};
  int rc = mlx_vector_array_set_data(res, h, (size_t)nout);
  for (int i = 0; i < nout; i++) mx_array_release(outs[i]);
  return rc;
}

int mlx_dequantize(mlx_array *res, const mlx_array w, const mlx_array scales,
                   const mlx_array biases, mlx_optional_int group_size, mlx_optional_int bits,
                   const char *mode, const mlx_array global_scale, mlx_optional_dtype dtype,
                   const mlx_stream s) {
  OP_BEGIN("dequantize", 2, w, scales);
  if (dtype.has_value && mlx_api_check_dtype(op_, dtype.value)) return 1;
  OP_END(mx_dequantize(&out_, in_[0], in_[1], mlx_api_arr(biases), opt_int(group_size),
                       opt_int(bits), mode, mlx_api_arr(global_scale), dtype.has_value,
                       (mx_dtype)dtype.value, st_));
}

int mlx_quantized_matmul(mlx_array *res, const mlx_array x, const mlx_array w,
                         const mlx_array scales, const mlx_array biases, bool transpose,
                         mlx_optional_int group_size, mlx_optional_int bits, const char *mode,
                         const mlx_stream s) {
  OP_BEGIN("quantized_matmul", 3, x, w, scales);
  OP_END(mx_quantized_matmul(&out_, in_[0], in_[1], in_[2], mlx_api_arr(biases), transpose,
                             opt_int(group_size), opt_int(bits), mode, st_));
}

int mlx_gather_qmm(mlx_array *res, const mlx_array x, const mlx_array w, const mlx_array scales,
                   const mlx_array biases, const mlx_array lhs_indices,
                   const mlx_array rhs_indices, bool transpose, mlx_optional_int group_size,
                   mlx_optional_int bits, const char *mode, bool sorted_indices,
                   const mlx_stream s) {
  OP_BEGIN("gather_qmm", 3, x, w, scales);
  OP_END(mx_gather_qmm(&out_, in_[0], in_[1], in_[2], mlx_api_arr(biases),
                       mlx_api_arr(lhs_indices), mlx_api_arr(rhs_indices), transpose,
                       opt_int(group_size), opt_int(bits), mode, sorted_indices, st_));
}

int mlx_qqmm(mlx_array *res, const mlx_array x, const mlx_array w, const mlx_array w_scales,
             mlx_optional_int group_size, mlx_optional_int bits, const char *mode,
             const mlx_array global_scale_x, const mlx_array global_scale_w,
             const mlx_stream s) {
  OP_BEGIN("qqmm", 2, x, w);
  OP_END(mx_qqmm(&out_, in_[0], in_[1], mlx_api_arr(w_scales), opt_int(group_size),
                 opt_int(bits), mode, mlx_api_arr(global_scale_x), mlx_api_arr(global_scale_w),
                 st_));
}

int mlx_to_fp8(mlx_array *res, const mlx_array x, const mlx_stream s) {
  OP_BEGIN("to_fp8", 1, x);
  OP_END(mx_to_fp8(&out_, in_[0], st_));
}

int mlx_from_fp8(mlx_array *res, const mlx_array x, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("from_fp8", 1, x);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_from_fp8(&out_, in_[0], (mx_dtype)dtype, st_));
}
