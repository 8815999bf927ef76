/* transforms.h: evaluation. */
#include <stdlib.h>

#include "api/api.h"

static int eval_vector(const mlx_vector_array outputs, bool async) {
  size_t n;
  const mlx_array *handles = mlx_api_vector_array_items(outputs, &n);
  mx_array *stack_arrays[16];
  mx_array **arrays = n <= 16 ? stack_arrays : malloc(n * sizeof *arrays);
  if (!arrays) return mlx_api_error("[eval] Out of memory.");
  for (size_t i = 0; i < n; i++) arrays[i] = mlx_api_arr(handles[i]);
  int rc = mx_eval(arrays, (int)n, async);
  if (arrays != stack_arrays) free(arrays);
  return rc ? mlx_api_fail() : 0;
}

int mlx_eval(const mlx_vector_array outputs) {
  return eval_vector(outputs, false);
}

int mlx_async_eval(const mlx_vector_array outputs) {
  return eval_vector(outputs, true);
}
