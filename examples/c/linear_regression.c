/* The seed's linear-regression example in C against libmlxc: gradient descent on the mean
 * squared error, with the gradient 2/N X^T (Xw - y) written out (mlx_grad comes with the
 * transforms issue). Data from a fixed pseudo-random generator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlx/c/mlx.h"

enum { N = 100, D = 10 };

/* Approximately standard normal values (sum of uniforms), reproducible. */
static float normal(unsigned *state) {
  float s = 0;
  for (int i = 0; i < 12; i++) {
    *state = *state * 1664525u + 1013904223u;
    s += (float)(*state >> 8) / (float)(1u << 24);
  }
  return s - 6.0f;
}

static mlx_array random_matrix(unsigned *state, int rows, int cols) {
  float *v = malloc(sizeof(float) * rows * cols);
  for (int i = 0; i < rows * cols; i++) v[i] = normal(state);
  int shape[2] = {rows, cols};
  mlx_array a = mlx_array_new_data(v, shape, 2, MLX_FLOAT32);
  free(v);
  return a;
}

/* r = op(a, b), releasing r's previous value. */
#define APPLY(op, r, a, b, s) op(&(r), (a), (b), (s))

int main(void) {
  mlx_stream s = mlx_default_cpu_stream_new();
  unsigned state = 42;
  mlx_array X = random_matrix(&state, N, D), true_w = random_matrix(&state, D, 1);
  mlx_array noise = random_matrix(&state, N, 1), w = random_matrix(&state, D, 1);
  mlx_array tenth = mlx_array_new_float32(0.1f), lr = mlx_array_new_float32(0.1f);
  mlx_array scale = mlx_array_new_float32(2.0f / N), inv_n = mlx_array_new_float32(1.0f / N);
  mlx_array y = mlx_array_new(), t = mlx_array_new(), Xt = mlx_array_new();
  mlx_array err = mlx_array_new(), g = mlx_array_new(), loss = mlx_array_new();

  APPLY(mlx_matmul, y, X, true_w, s);
  APPLY(mlx_multiply, t, noise, tenth, s);
  APPLY(mlx_add, y, y, t, s);
  mlx_transpose(&Xt, X, s);

  for (int i = 0; i < 100; i++) {
    APPLY(mlx_matmul, err, X, w, s);
    APPLY(mlx_subtract, err, err, y, s);
    APPLY(mlx_matmul, g, Xt, err, s);
    APPLY(mlx_multiply, g, g, scale, s);
    APPLY(mlx_multiply, g, g, lr, s);
    APPLY(mlx_subtract, w, w, g, s);
    if (mlx_array_eval(w) != 0) return 1;
    if (i % 10 == 0) {
      APPLY(mlx_matmul, err, X, w, s);
      APPLY(mlx_subtract, err, err, y, s);
      APPLY(mlx_multiply, loss, err, err, s);
      mlx_sum(&loss, loss, false, s);
      APPLY(mlx_multiply, loss, loss, inv_n, s);
      float value;
      if (mlx_array_item_float32(&value, loss) != 0) return 1;
      printf("Step %d: loss = %.6f\n", i, value);
    }
  }

  /* Correlation of learned and true weights. */
  const float *lw = mlx_array_data_float32(w), *tw = mlx_array_data_float32(true_w);
  double ml = 0, mt = 0, cov = 0, vl = 0, vt = 0;
  for (int i = 0; i < D; i++) ml += lw[i] / D, mt += tw[i] / D;
  for (int i = 0; i < D; i++) {
    cov += (lw[i] - ml) * (tw[i] - mt);
    vl += (lw[i] - ml) * (lw[i] - ml);
    vt += (tw[i] - mt) * (tw[i] - mt);
  }
  printf("\nLearned vs True correlation: %.4f\n", cov / sqrt(vl * vt));

  mlx_array all[] = {X, true_w, noise, w, tenth, lr, scale, inv_n, y, t, Xt, err, g, loss};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mlx_array_free(all[i]);
  mlx_stream_free(s);
  return 0;
}
