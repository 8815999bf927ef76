/* vjp, jvp, value_and_grad through the C API on the foundation primitives: the seed's
 * derivatives, broadcasting and view gradients, finite differences, jvp against vjp, higher
 * order, and errors from inside user closures. */
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static mlx_stream cpu;
static char last_msg[1024];

static void capture_error(const char *msg, void *data) {
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static mlx_array vec(const float *v, int n) {
  return mlx_array_new_data(v, (int[]){n}, 1, MLX_FLOAT32);
}

static mlx_array get(mlx_vector_array v, size_t i) {
  mlx_array a = mlx_array_new();
  mlx_vector_array_get(&a, v, i);
  return a;
}

/* Item i of v flattened (a row-major copy when it is a strided view), so its data reads in
 * logical order. */
static mlx_array result(mlx_vector_array v, size_t i) {
  mlx_array a = get(v, i), flat = mlx_array_new();
  mlx_reshape(&flat, a, (int[]){(int)mlx_array_size(a)}, 1, cpu);
  mlx_array_free(a);
  return flat;
}

static void check_values(mlx_array a, const float *expect, int n, double tol) {
  const float *p = mlx_array_data_float32(a);
  CHECK(p != NULL && (int)mlx_array_size(a) == n);
  for (int i = 0; p && i < n; i++) CHECK_NEAR(p[i], expect[i], tol);
}

/* f(x) = sum(x * x * x) */
static int cube_sum(mlx_vector_array *res, const mlx_vector_array in) {
  mlx_array x = get(in, 0), x2 = mlx_array_new(), x3 = mlx_array_new(), s = mlx_array_new();
  int rc = mlx_multiply(&x2, x, x, cpu) || mlx_multiply(&x3, x2, x, cpu) ||
           mlx_sum(&s, x3, false, cpu) || mlx_vector_array_set_value(res, s);
  mlx_array_free(x), mlx_array_free(x2), mlx_array_free(x3), mlx_array_free(s);
  return rc;
}

/* g(x) = sum(f'(x)), so g'(x) = f''(x) (diagonal) = 6x. */
static int grad_sum(mlx_vector_array *res, const mlx_vector_array in) {
  mlx_closure f = mlx_closure_new_func(cube_sum);
  mlx_closure_value_and_grad vg = mlx_closure_value_and_grad_new();
  mlx_vector_array vals = mlx_vector_array_new(), grads = mlx_vector_array_new();
  int rc = mlx_value_and_grad(&vg, f, (int[]){0}, 1) ||
           mlx_closure_value_and_grad_apply(&vals, &grads, vg, in);
  mlx_array g = rc ? mlx_array_new() : result(grads, 0), s = mlx_array_new();
  if (!rc) rc = mlx_sum(&s, g, false, cpu) || mlx_vector_array_set_value(res, s);
  mlx_array_free(g), mlx_array_free(s);
  mlx_vector_array_free(vals), mlx_vector_array_free(grads);
  mlx_closure_value_and_grad_free(vg), mlx_closure_free(f);
  return rc;
}

static void test_seed_derivatives(void) {
  float xv[3] = {1, 2, 3}, one = 1;
  mlx_array x = vec(xv, 3), seed = mlx_array_new_data(&one, NULL, 0, MLX_FLOAT32);
  mlx_closure f = mlx_closure_new_func(cube_sum);
  mlx_vector_array primals = mlx_vector_array_new_value(x), cots = mlx_vector_array_new_value(seed);
  mlx_vector_array outs = mlx_vector_array_new(), vjps = mlx_vector_array_new();
  CHECK_OK(mlx_vjp(&outs, &vjps, f, primals, cots));
  mlx_array y = result(outs, 0), g = result(vjps, 0);
  float yv = 0;
  CHECK_OK(mlx_array_item_float32(&yv, y));
  CHECK(yv == 36);
  check_values(g, (float[]){3, 12, 27}, 3, 1e-5);

  mlx_closure_value_and_grad vg = mlx_closure_value_and_grad_new();
  mlx_vector_array vals = mlx_vector_array_new(), grads = mlx_vector_array_new();
  CHECK_OK(mlx_value_and_grad(&vg, f, (int[]){0}, 1));
  CHECK_OK(mlx_closure_value_and_grad_apply(&vals, &grads, vg, primals));
  mlx_array g2 = result(grads, 0);
  check_values(g2, (float[]){3, 12, 27}, 3, 1e-5);

  /* Second derivative: the gradient of a function that takes a gradient. */
  mlx_closure gs = mlx_closure_new_func(grad_sum);
  mlx_vector_array outs2 = mlx_vector_array_new(), vjps2 = mlx_vector_array_new();
  CHECK_OK(mlx_vjp(&outs2, &vjps2, gs, primals, cots));
  mlx_array h = result(vjps2, 0);
  check_values(h, (float[]){6, 12, 18}, 3, 1e-4);

  mlx_array arrays[] = {x, seed, y, g, g2, h};
  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) mlx_array_free(arrays[i]);
  mlx_vector_array vs[] = {primals, cots, outs, vjps, vals, grads, outs2, vjps2};
  for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) mlx_vector_array_free(vs[i]);
  mlx_closure_value_and_grad_free(vg);
  mlx_closure_free(f);
  mlx_closure_free(gs);
}

/* h(W, x, b) = sum(((W^T reshaped) @ x + b) / (x . x)), with W (3, 2), x (2,), b (3,)
 * broadcast: exercises transpose, reshape, matmul, broadcasting add and divide. */
static int composite(mlx_vector_array *res, const mlx_vector_array in) {
  mlx_array w = get(in, 0), x = get(in, 1), b = get(in, 2);
  mlx_array wt = mlx_array_new(), w2 = mlx_array_new(), y = mlx_array_new(), yb = mlx_array_new();
  mlx_array xx = mlx_array_new(), nrm = mlx_array_new(), q = mlx_array_new(), s = mlx_array_new();
  int rc = mlx_transpose(&wt, w, cpu) || mlx_reshape(&w2, wt, (int[]){3, 2}, 2, cpu) ||
           mlx_matmul(&y, w2, x, cpu) || mlx_add(&yb, y, b, cpu) ||
           mlx_multiply(&xx, x, x, cpu) || mlx_sum(&nrm, xx, false, cpu) ||
           mlx_divide(&q, yb, nrm, cpu) || mlx_sum(&s, q, false, cpu) ||
           mlx_vector_array_set_value(res, s);
  mlx_array all[] = {w, x, b, wt, w2, y, yb, xx, nrm, q, s};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mlx_array_free(all[i]);
  return rc;
}

static double eval_composite(const double *p) {
  /* The same function in doubles: W is p[0..5] (3x2 row-major), x p[6..7], b p[8..10]. */
  double wt[2][3], w2[3][2], nrm = p[6] * p[6] + p[7] * p[7], s = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++) wt[j][i] = p[i * 2 + j];
  for (int k = 0; k < 6; k++) w2[k / 2][k % 2] = wt[k / 3][k % 3];
  for (int i = 0; i < 3; i++) s += (w2[i][0] * p[6] + w2[i][1] * p[7] + p[8 + i]) / nrm;
  return s;
}

static void test_finite_differences(void) {
  float w[6] = {0.5f, -1, 2, 0.25f, -0.75f, 1.5f}, x[2] = {1.5f, -0.5f}, b[3] = {0.1f, 0.2f, -0.3f};
  mlx_array aw = mlx_array_new_data(w, (int[]){3, 2}, 2, MLX_FLOAT32), ax = vec(x, 2), ab = vec(b, 3);
  mlx_array ins[3] = {aw, ax, ab};
  mlx_vector_array primals = mlx_vector_array_new_data(ins, 3);
  mlx_closure f = mlx_closure_new_func(composite);
  mlx_closure_value_and_grad vg = mlx_closure_value_and_grad_new();
  mlx_vector_array vals = mlx_vector_array_new(), grads = mlx_vector_array_new();
  CHECK_OK(mlx_value_and_grad(&vg, f, (int[]){0, 1, 2}, 3));
  CHECK_OK(mlx_closure_value_and_grad_apply(&vals, &grads, vg, primals));
  double p[11];
  for (int i = 0; i < 6; i++) p[i] = w[i];
  p[6] = x[0], p[7] = x[1];
  for (int i = 0; i < 3; i++) p[8 + i] = b[i];
  int offsets[3] = {0, 6, 8}, sizes[3] = {6, 2, 3};
  for (int a = 0; a < 3; a++) {
    mlx_array g = result(grads, (size_t)a);
    const float *gp = mlx_array_data_float32(g);
    CHECK(gp != NULL);
    for (int i = 0; gp && i < sizes[a]; i++) {
      double h = 1e-5, q[11];
      memcpy(q, p, sizeof q);
      q[offsets[a] + i] += h;
      double up = eval_composite(q);
      q[offsets[a] + i] -= 2 * h;
      double fd = (up - eval_composite(q)) / (2 * h);
      CHECK_NEAR(gp[i], fd, 1e-3);
    }
    mlx_array_free(g);
  }

  /* jvp against vjp: <J u, 1> == <u, J^T 1> for a random direction u. */
  float u[6] = {0.3f, -0.2f, 0.1f, 0.7f, -0.4f, 0.05f}, uxv[2] = {0.2f, 0.9f}, ubv[3] = {1, -1, 0.5f};
  mlx_array tu[3] = {mlx_array_new_data(u, (int[]){3, 2}, 2, MLX_FLOAT32), vec(uxv, 2), vec(ubv, 3)};
  mlx_vector_array tangents = mlx_vector_array_new_data(tu, 3);
  mlx_vector_array outs = mlx_vector_array_new(), jvps = mlx_vector_array_new();
  CHECK_OK(mlx_jvp(&outs, &jvps, f, primals, tangents));
  mlx_array jv = result(jvps, 0);
  float jvp_value = 0;
  CHECK_OK(mlx_array_item_float32(&jvp_value, jv));
  double dot = 0;
  for (int a = 0; a < 3; a++) {
    mlx_array g = result(grads, (size_t)a);
    const float *gp = mlx_array_data_float32(g), *up = mlx_array_data_float32(tu[a]);
    for (int i = 0; gp && up && i < sizes[a]; i++) dot += (double)gp[i] * up[i];
    mlx_array_free(g);
  }
  CHECK_NEAR(jvp_value, dot, 1e-4);

  mlx_array all[] = {aw, ax, ab, tu[0], tu[1], tu[2], jv};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mlx_array_free(all[i]);
  mlx_vector_array vs[] = {primals, vals, grads, tangents, outs, jvps};
  for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) mlx_vector_array_free(vs[i]);
  mlx_closure_value_and_grad_free(vg);
  mlx_closure_free(f);
}

static int failing(mlx_vector_array *res, const mlx_vector_array in) {
  mlx_array x = get(in, 0), y = mlx_array_new();
  int rc = mlx_reshape(&y, x, (int[]){7}, 1, cpu); /* size 3 into 7: fails */
  mlx_array_free(x), mlx_array_free(y);
  return rc;
}

static int returns_vector(mlx_vector_array *res, const mlx_vector_array in) {
  return mlx_vector_array_set(res, in);
}

static void test_errors(void) {
  float xv[3] = {1, 2, 3};
  mlx_array x = vec(xv, 3);
  mlx_vector_array primals = mlx_vector_array_new_value(x), cots = mlx_vector_array_new_value(x);
  mlx_vector_array outs = mlx_vector_array_new(), vjps = mlx_vector_array_new();
  mlx_closure bad = mlx_closure_new_func(failing), id = mlx_closure_new_func(returns_vector);
  CHECK_FAIL(mlx_vjp(&outs, &vjps, bad, primals, cots));
  CHECK(strstr(last_msg, "[reshape]") != NULL);

  mlx_closure_value_and_grad vg = mlx_closure_value_and_grad_new();
  CHECK_OK(mlx_value_and_grad(&vg, id, (int[]){0}, 1));
  CHECK_FAIL(mlx_closure_value_and_grad_apply(&outs, &vjps, vg, primals));
  CHECK(strstr(last_msg, "scalar") != NULL);
  CHECK_OK(mlx_value_and_grad(&vg, id, (int[]){3}, 1));
  CHECK_FAIL(mlx_closure_value_and_grad_apply(&outs, &vjps, vg, primals));
  CHECK(strstr(last_msg, "argument") != NULL);
  CHECK_FAIL(mlx_vjp(&outs, &vjps, mlx_closure_new(), primals, cots));

  /* Identity: the vjp passes the cotangent through. */
  CHECK_OK(mlx_vjp(&outs, &vjps, id, primals, cots));
  mlx_array g = result(vjps, 0);
  check_values(g, xv, 3, 0);
  mlx_array_free(g);
  mlx_array_free(x);
  mlx_vector_array vs[] = {primals, cots, outs, vjps};
  for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) mlx_vector_array_free(vs[i]);
  mlx_closure_value_and_grad_free(vg);
  mlx_closure_free(bad);
  mlx_closure_free(id);
}

/* A custom vjp that returns 10 * cotangent * primal (not the true gradient 3x^2 of cube_sum's
 * elementwise part), so the test sees which rule ran. */
static int custom_vjp_rule(mlx_vector_array *res, const mlx_vector_array primals,
                           const mlx_vector_array cotangents, const mlx_vector_array outputs) {
  mlx_array x = get(primals, 0), c = get(cotangents, 0), ten = mlx_array_new_float(10);
  mlx_array t = mlx_array_new(), g = mlx_array_new();
  int rc = mlx_multiply(&t, c, x, cpu) || mlx_multiply(&g, t, ten, cpu) ||
           mlx_vector_array_set_value(res, g);
  mlx_array_free(x), mlx_array_free(c), mlx_array_free(ten), mlx_array_free(t), mlx_array_free(g);
  return rc;
}

static void test_custom_function_and_checkpoint(void) {
  float xv[3] = {1, 2, 3}, one = 1;
  mlx_array x = vec(xv, 3), seed = mlx_array_new_data(&one, NULL, 0, MLX_FLOAT32);
  mlx_vector_array primals = mlx_vector_array_new_value(x), cots = mlx_vector_array_new_value(seed);
  mlx_vector_array outs = mlx_vector_array_new(), vjps = mlx_vector_array_new();
  mlx_closure f = mlx_closure_new_func(cube_sum), custom = mlx_closure_new(),
              ckpt = mlx_closure_new();
  mlx_closure_custom rule = mlx_closure_custom_new_func(custom_vjp_rule);
  CHECK_OK(mlx_custom_vjp(&custom, f, rule));
  CHECK_OK(mlx_vjp(&outs, &vjps, custom, primals, cots));
  mlx_array y = result(outs, 0), g = result(vjps, 0);
  check_values(y, (float[]){36}, 1, 0);
  check_values(g, (float[]){10, 20, 30}, 3, 1e-5);
  mlx_array_free(y), mlx_array_free(g);

  /* jvp falls back to the function's own derivative. */
  mlx_vector_array tangents = mlx_vector_array_new_value(x), jvps = mlx_vector_array_new();
  CHECK_OK(mlx_jvp(&outs, &jvps, custom, primals, tangents));
  mlx_array jv = result(jvps, 0);
  check_values(jv, (float[]){3 * 1 + 12 * 2 + 27 * 3}, 1, 1e-4);
  mlx_array_free(jv);

  /* checkpoint: same gradient as the plain function, recomputed. */
  CHECK_OK(mlx_checkpoint(&ckpt, f));
  CHECK_OK(mlx_vjp(&outs, &vjps, ckpt, primals, cots));
  g = result(vjps, 0);
  check_values(g, (float[]){3, 12, 27}, 3, 1e-5);
  mlx_array_free(g);

  mlx_array_free(x), mlx_array_free(seed);
  mlx_vector_array vs[] = {primals, cots, outs, vjps, tangents, jvps};
  for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) mlx_vector_array_free(vs[i]);
  mlx_closure_free(f), mlx_closure_free(custom), mlx_closure_free(ckpt);
  mlx_closure_custom_free(rule);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_seed_derivatives();
  test_finite_differences();
  test_errors();
  test_custom_function_and_checkpoint();
  mlx_stream_free(cpu);
}
