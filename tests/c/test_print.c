/* mlx_array_tostring against strings printed by the real MLX 0.32. */
#include <complex.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static mlx_stream cpu;

static void check_repr(mlx_array a, const char *expect) {
  mlx_string s = mlx_string_new();
  CHECK_OK(mlx_array_tostring(&s, a));
  const char *got = mlx_string_data(s);
  int same = got && strcmp(got, expect) == 0;
  if (!same) fprintf(stderr, "got:\n%s\nexpected:\n%s\n", got ? got : "(null)", expect);
  CHECK(same);
  mlx_string_free(s);
  mlx_array_free(a);
}

static mlx_array arange_shaped(double stop, mlx_dtype t, const int *shape, int ndim) {
  mlx_array r = mlx_array_new(), out = mlx_array_new();
  mlx_arange(&r, 0, stop, 1, t, cpu);
  mlx_reshape(&out, r, shape, (size_t)ndim, cpu);
  mlx_array_free(r);
  return out;
}

void run_tests(void) {
  cpu = mlx_default_cpu_stream_new();
  check_repr(arange_shaped(8, MLX_INT32, (int[]){2, 2, 2}, 3),
             "array([[[0, 1],\n        [2, 3]],\n       [[4, 5],\n        [6, 7]]], dtype=int32)");
  check_repr(arange_shaped(10, MLX_INT32, (int[]){10}, 1),
             "array([0, 1, 2, ..., 7, 8, 9], dtype=int32)");
  check_repr(arange_shaped(64, MLX_INT32, (int[]){8, 8}, 2),
             "array([[0, 1, 2, ..., 5, 6, 7],\n"
             "       [8, 9, 10, ..., 13, 14, 15],\n"
             "       [16, 17, 18, ..., 21, 22, 23],\n"
             "       ...,\n"
             "       [40, 41, 42, ..., 45, 46, 47],\n"
             "       [48, 49, 50, ..., 53, 54, 55],\n"
             "       [56, 57, 58, ..., 61, 62, 63]], dtype=int32)");

  mlx_array seven = arange_shaped(7, MLX_FLOAT32, (int[]){7}, 1), three = mlx_array_new_float(3);
  mlx_array third = mlx_array_new();
  mlx_divide(&third, seven, three, cpu);
  check_repr(third, "array([0, 0.333333, 0.666667, ..., 1.33333, 1.66667, 2], dtype=float32)");
  mlx_array_free(seven);
  mlx_array_free(three);

  mlx_complex64_t c[2] = {1.0f + 2.0f * I, -1.5f - 0.5f * I};
  check_repr(mlx_array_new_data(c, (int[]){2}, 1, MLX_COMPLEX64),
             "array([1+2j, -1.5-0.5j], dtype=complex64)");
  bool b[2] = {true, false};
  check_repr(mlx_array_new_data(b, (int[]){2}, 1, MLX_BOOL), "array([True, False], dtype=bool)");
  float f[6] = {1e-8f, 1e10f, NAN, INFINITY, -INFINITY, 0.1f};
  check_repr(mlx_array_new_data(f, (int[]){6}, 1, MLX_FLOAT32),
             "array([1e-08, 1e+10, nan, inf, -inf, 0.1], dtype=float32)");
  float neg[2] = {-1, 2};
  check_repr(mlx_array_new_data(neg, (int[]){2}, 1, MLX_FLOAT32),
             "array([-1, 2], dtype=float32)");
  check_repr(mlx_array_new_data(f, (int[]){0, 3}, 2, MLX_FLOAT32), "array([], dtype=float32)");
  check_repr(mlx_array_new_data(f, (int[]){2, 0}, 2, MLX_FLOAT32),
             "array([[],\n       []], dtype=float32)");
  mlx_complex64_t negzero = 1.0f - 0.0f * I;
  check_repr(mlx_array_new_data(&negzero, NULL, 0, MLX_COMPLEX64), "array(1+-0j, dtype=complex64)");
  uint8_t u = 253;
  check_repr(mlx_array_new_data(&u, NULL, 0, MLX_UINT8), "array(253, dtype=uint8)");
  mlx_array half = mlx_array_new_float(2.5f), bf = mlx_array_new();
  mlx_astype(&bf, half, MLX_BFLOAT16, cpu);
  check_repr(bf, "array(2.5, dtype=bfloat16)");
  mlx_array_free(half);

  /* A transposed view prints in logical order. */
  mlx_array m = arange_shaped(6, MLX_INT32, (int[]){2, 3}, 2), t = mlx_array_new();
  mlx_transpose(&t, m, cpu);
  check_repr(t, "array([[0, 3],\n       [1, 4],\n       [2, 5]], dtype=int32)");
  mlx_array_free(m);
  mlx_stream_free(cpu);
}
