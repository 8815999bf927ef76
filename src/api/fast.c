/* fast.h: the fused ops (rms_norm, layer_norm, rope, scaled_dot_product_attention). Optional
 * arrays are empty handles. Custom Metal / CUDA kernels do not exist on this device: their
 * handles are empty and every call reports so. */
#include <string.h>

#include "api/api_ops.h"
#include "ops/fast.h"

#pragma GCC visibility push(default)
#include "mlx/c/fast.h"
#pragma GCC visibility pop

int mlx_fast_rms_norm(mlx_array *res, const mlx_array x, const mlx_array weight, float eps,
                      const mlx_stream s) {
  OP_BEGIN("rms_norm", 1, x);
  OP_END(mx_fast_rms_norm(&out_, in_[0], mlx_api_arr(weight), eps, st_));
}

int mlx_fast_layer_norm(mlx_array *res, const mlx_array x, const mlx_array weight,
                        const mlx_array bias, float eps, const mlx_stream s) {
  OP_BEGIN("layer_norm", 1, x);
  OP_END(mx_fast_layer_norm(&out_, in_[0], mlx_api_arr(weight), mlx_api_arr(bias), eps, st_));
}

int mlx_fast_rope(mlx_array *res, const mlx_array x, int dims, bool traditional,
                  mlx_optional_float base, float scale, int offset, const mlx_array freqs,
                  const mlx_stream s) {
  OP_BEGIN("rope", 1, x);
  OP_END(mx_fast_rope(&out_, in_[0], dims, traditional, base.has_value, base.value, scale, offset,
                      NULL, mlx_api_arr(freqs), st_));
}

int mlx_fast_rope_dynamic(mlx_array *res, const mlx_array x, int dims, bool traditional,
                          mlx_optional_float base, float scale, const mlx_array offset,
                          const mlx_array freqs, const mlx_stream s) {
  OP_BEGIN("rope", 2, x, offset);
  OP_END(mx_fast_rope(&out_, in_[0], dims, traditional, base.has_value, base.value, scale, 0,
                      in_[1], mlx_api_arr(freqs), st_));
}

int mlx_fast_scaled_dot_product_attention(mlx_array *res, const mlx_array queries,
                                          const mlx_array keys, const mlx_array values,
                                          float scale, const char *mask_mode,
                                          const mlx_array mask_arr, const mlx_array sinks,
                                          const mlx_stream s) {
  OP_BEGIN("scaled_dot_product_attention", 3, queries, keys, values);
  mx_array *m = mlx_api_arr(mask_arr);
  /* mlx-c passes "array" with the mask array; "" means no mask */
  const char *mode = mask_mode ? mask_mode : "";
  OP_END(mx_fast_sdpa(&out_, in_[0], in_[1], in_[2], scale, mode, m, mlx_api_arr(sinks), st_));
}

/* ------------------------------------------------------------------ custom kernels */

static int no_kernels(void) {
  return mlx_api_error("[fast] Custom kernels are not available on this device.");
}

mlx_fast_cuda_kernel_config mlx_fast_cuda_kernel_config_new(void) {
  return (mlx_fast_cuda_kernel_config){NULL}; /* empty: using it reports the error */
}

void mlx_fast_cuda_kernel_config_free(mlx_fast_cuda_kernel_config cls) {
  (void)cls;
}

int mlx_fast_cuda_kernel_config_add_output_arg( mlx_fast_cuda_kernel_config cls, const int* shape, size_t size, mlx_dtype dtype) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_set_grid( mlx_fast_cuda_kernel_config cls, int grid1, int grid2, int grid3) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_set_thread_group( mlx_fast_cuda_kernel_config cls, int thread1, int thread2, int thread3) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_set_init_value( mlx_fast_cuda_kernel_config cls, float value) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_set_verbose( mlx_fast_cuda_kernel_config cls, bool verbose) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_add_template_arg_dtype( mlx_fast_cuda_kernel_config cls, const char* name, mlx_dtype dtype) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_add_template_arg_int( mlx_fast_cuda_kernel_config cls, const char* name, int value) {
  return no_kernels();
}

int mlx_fast_cuda_kernel_config_add_template_arg_bool( mlx_fast_cuda_kernel_config cls, const char* name, bool value) {
  return no_kernels();
}

mlx_fast_cuda_kernel mlx_fast_cuda_kernel_new( const char* name, const mlx_vector_string input_names, const mlx_vector_string output_names, const char* source, const char* header, bool ensure_row_contiguous, int shared_memory) {
  return (mlx_fast_cuda_kernel){NULL}; /* empty: using it reports the error */
}

void mlx_fast_cuda_kernel_free(mlx_fast_cuda_kernel cls) {
  (void)cls;
}

int mlx_fast_cuda_kernel_apply( mlx_vector_array* outputs, mlx_fast_cuda_kernel cls, const mlx_vector_array inputs, const mlx_fast_cuda_kernel_config config, const mlx_stream stream) {
  return no_kernels();
}

mlx_fast_metal_kernel_config mlx_fast_metal_kernel_config_new(void) {
  return (mlx_fast_metal_kernel_config){NULL}; /* empty: using it reports the error */
}

void mlx_fast_metal_kernel_config_free(mlx_fast_metal_kernel_config cls) {
  (void)cls;
}

int mlx_fast_metal_kernel_config_add_output_arg( mlx_fast_metal_kernel_config cls, const int* shape, size_t size, mlx_dtype dtype) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_set_grid( mlx_fast_metal_kernel_config cls, int grid1, int grid2, int grid3) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_set_thread_group( mlx_fast_metal_kernel_config cls, int thread1, int thread2, int thread3) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_set_init_value( mlx_fast_metal_kernel_config cls, float value) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_set_verbose( mlx_fast_metal_kernel_config cls, bool verbose) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_add_template_arg_dtype( mlx_fast_metal_kernel_config cls, const char* name, mlx_dtype dtype) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_add_template_arg_int( mlx_fast_metal_kernel_config cls, const char* name, int value) {
  return no_kernels();
}

int mlx_fast_metal_kernel_config_add_template_arg_bool( mlx_fast_metal_kernel_config cls, const char* name, bool value) {
  return no_kernels();
}

mlx_fast_metal_kernel mlx_fast_metal_kernel_new( const char* name, const mlx_vector_string input_names, const mlx_vector_string output_names, const char* source, const char* header, bool ensure_row_contiguous, bool atomic_outputs) {
  return (mlx_fast_metal_kernel){NULL}; /* empty: using it reports the error */
}

void mlx_fast_metal_kernel_free(mlx_fast_metal_kernel cls) {
  (void)cls;
}

int mlx_fast_metal_kernel_apply( mlx_vector_array* outputs, mlx_fast_metal_kernel cls, const mlx_vector_array inputs, const mlx_fast_metal_kernel_config config, const mlx_stream stream) {
  return no_kernels();
}
