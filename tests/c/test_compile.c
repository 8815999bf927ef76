/* compile.h through the C API: compiled == plain on values and gradients, the trace cache (no
 * retrace on a second call, retrace on a new shape / dtype / constant, erase, 10,000 entries),
 * modes (disabled, no-simplify), common subexpressions merged, and errors from inside the
 * function or from evaluating during a trace. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/compile.h"
#include "core/primitives.h"
#include "harness.h"
#include "mlx/c/mlx.h"

static mlx_stream cpu;
static int calls; /* times the traced function ran */
static char last_msg[1024];

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static mlx_array get(mlx_vector_array v, size_t i) {
  mlx_array a = mlx_array_new();
  mlx_vector_array_get(&a, v, i);
  return a;
}

/* f(x, y) = exp(x) * exp(x) + y  (exp(x) twice: one node after simplification) */
static int f_body(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  (void)payload;
  calls++;
  mlx_array x = get(in, 0), y = get(in, 1), e1 = mlx_array_new(), e2 = mlx_array_new(),
            p = mlx_array_new(), s = mlx_array_new();
  int rc = mlx_exp(&e1, x, cpu) || mlx_exp(&e2, x, cpu) || mlx_multiply(&p, e1, e2, cpu) ||
           mlx_add(&s, p, y, cpu) || mlx_vector_array_set_value(res, s);
  mlx_array_free(x), mlx_array_free(y), mlx_array_free(e1), mlx_array_free(e2);
  mlx_array_free(p), mlx_array_free(s);
  return rc;
}

static int fails(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  (void)res, (void)in, (void)payload;
  calls++;
  return 1;
}

static int evals_inside(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  (void)payload;
  mlx_array x = get(in, 0);
  int rc = mlx_array_eval(x) || mlx_vector_array_set_value(res, x);
  mlx_array_free(x);
  return rc;
}

static mlx_vector_array inputs(int n, float scale) {
  float xs[8], ys[8];
  for (int i = 0; i < n; i++) xs[i] = scale * (float)i / 4.0f, ys[i] = (float)i;
  mlx_array x = mlx_array_new_data(xs, (int[]){n}, 1, MLX_FLOAT32);
  mlx_array y = mlx_array_new_data(ys, (int[]){n}, 1, MLX_FLOAT32);
  mlx_vector_array v = mlx_vector_array_new();
  mlx_vector_array_append_value(v, x);
  mlx_vector_array_append_value(v, y);
  mlx_array_free(x), mlx_array_free(y);
  return v;
}

/* Applies cl to in and checks the result against f computed in double. */
static void check_apply(mlx_closure cl, int n, float scale) {
  mlx_vector_array in = inputs(n, scale), out = mlx_vector_array_new();
  CHECK_OK(mlx_closure_apply(&out, cl, in));
  mlx_array r = get(out, 0);
  CHECK_OK(mlx_array_eval(r));
  const float *p = mlx_array_data_float32(r);
  CHECK(p && (int)mlx_array_size(r) == n);
  for (int i = 0; p && i < n; i++) {
    double x = scale * i / 4.0;
    CHECK_NEAR(p[i], exp(x) * exp(x) + i, 1e-4 * (1 + exp(2 * x)));
  }
  mlx_array_free(r);
  mlx_vector_array_free(in), mlx_vector_array_free(out);
}

static void test_cache(void) {
  mlx_closure f = mlx_closure_new_func_payload(f_body, NULL, NULL), cf = mlx_closure_new();
  CHECK_OK(mlx_compile(&cf, f, false));
  calls = 0;
  check_apply(cf, 4, 1.0f);
  check_apply(cf, 4, 2.0f); /* same shapes: replayed */
  CHECK(calls == 1);
  check_apply(cf, 6, 1.0f); /* new shape: traced again */
  CHECK(calls == 2);
  check_apply(cf, 4, 3.0f);
  CHECK(calls == 2);
  /* constants are part of the key; erase drops a function's traces */
  mlx_closure d1 = mlx_closure_new(), d2 = mlx_closure_new();
  CHECK_OK(mlx_detail_compile(&d1, f, 777, false, (uint64_t[]){1}, 1));
  CHECK_OK(mlx_detail_compile(&d2, f, 777, false, (uint64_t[]){2}, 1));
  calls = 0;
  check_apply(d1, 4, 1.0f), check_apply(d2, 4, 1.0f), check_apply(d1, 4, 1.0f);
  CHECK(calls == 2);
  CHECK_OK(mlx_detail_compile_erase(777));
  check_apply(d1, 4, 1.0f);
  CHECK(calls == 3);
  mlx_closure_free(d1), mlx_closure_free(d2), mlx_closure_free(cf), mlx_closure_free(f);
}

/* 10,000 entries of one function (different constants): each looks up without a retrace. */
static void test_many_entries(void) {
  mlx_closure f = mlx_closure_new_func_payload(f_body, NULL, NULL);
  mlx_vector_array in = inputs(2, 1.0f), out = mlx_vector_array_new();
  int64_t before = mx_compile_cache_size();
  calls = 0;
  for (int round = 0; round < 2; round++)
    for (uint64_t k = 0; k < 10000; k++) {
      mlx_closure c = mlx_closure_new();
      mlx_detail_compile(&c, f, 4242, false, &k, 1);
      mlx_closure_apply(&out, c, in);
      mlx_closure_free(c);
    }
  CHECK(calls == 10000);
  CHECK(mx_compile_cache_size() == before + 10000);
  mlx_detail_compile_erase(4242);
  CHECK(mx_compile_cache_size() == before);
  mlx_vector_array_free(in), mlx_vector_array_free(out), mlx_closure_free(f);
}

static void test_modes_and_simplify(void) {
  mlx_closure f = mlx_closure_new_func_payload(f_body, NULL, NULL), cf = mlx_closure_new();
  CHECK_OK(mlx_compile(&cf, f, false));
  CHECK_OK(mlx_disable_compile());
  calls = 0;
  check_apply(cf, 4, 1.0f), check_apply(cf, 4, 1.0f);
  CHECK(calls == 2); /* disabled: the function runs every time */
  CHECK_OK(mlx_set_compile_mode(MLX_COMPILE_MODE_NO_SIMPLIFY));
  check_apply(cf, 4, 1.0f);
  CHECK_OK(mlx_enable_compile());
  check_apply(cf, 5, 1.0f);
  CHECK_FAIL(mlx_set_compile_mode((mlx_compile_mode)9));
  /* simplified, not fused: the replayed graph computes exp once (Exp, Multiply, Add) */
  CHECK_OK(mlx_set_compile_mode(MLX_COMPILE_MODE_NO_FUSE));
  mlx_vector_array in = inputs(3, 1.0f), out = mlx_vector_array_new();
  CHECK_OK(mlx_closure_apply(&out, cf, in));
  mlx_array r = get(out, 0);
  mx_array *root = (mx_array *)r.ctx;
  CHECK(root->node->nin == 2);
  mx_array *prod = root->node->inputs[0];
  CHECK(prod->node->nin == 2 && prod->node->inputs[0] == prod->node->inputs[1]);
  mlx_array_free(r);
  /* fused: one Compiled node reading both inputs */
  CHECK_OK(mlx_enable_compile());
  mlx_vector_array_free(out);
  out = mlx_vector_array_new();
  CHECK_OK(mlx_closure_apply(&out, cf, in));
  r = get(out, 0);
  root = (mx_array *)r.ctx;
  CHECK(root->node->prim == MX_PRIM_COMPILED && root->node->nin == 2);
  check_apply(cf, 3, 1.0f);
  mlx_array_free(r), mlx_vector_array_free(in), mlx_vector_array_free(out);
  mlx_closure_free(cf), mlx_closure_free(f);
}

static int vjp_of(mlx_closure fun, mlx_vector_array *grads) {
  mlx_vector_array in = inputs(4, 1.0f), cot = mlx_vector_array_new(), outs = mlx_vector_array_new();
  mlx_array ones = mlx_array_new();
  int rc = mlx_ones(&ones, (int[]){4}, 1, MLX_FLOAT32, cpu) ||
           mlx_vector_array_append_value(cot, ones) || mlx_vjp(&outs, grads, fun, in, cot);
  mlx_array_free(ones), mlx_vector_array_free(in), mlx_vector_array_free(cot);
  mlx_vector_array_free(outs);
  return rc;
}

static void test_grad_through_compile(void) {
  mlx_closure f = mlx_closure_new_func_payload(f_body, NULL, NULL), cf = mlx_closure_new();
  CHECK_OK(mlx_compile(&cf, f, false));
  mlx_vector_array g1 = mlx_vector_array_new(), g2 = mlx_vector_array_new();
  CHECK_OK(vjp_of(f, &g1));
  CHECK_OK(vjp_of(cf, &g2));
  for (size_t i = 0; i < 2; i++) {
    mlx_array a = get(g1, i), b = get(g2, i);
    bool eq = false;
    mlx_array e = mlx_array_new();
    CHECK_OK(mlx_array_equal(&e, a, b, false, cpu));
    CHECK_OK(mlx_array_item_bool(&eq, e));
    CHECK(eq);
    mlx_array_free(a), mlx_array_free(b), mlx_array_free(e);
  }
  mlx_vector_array_free(g1), mlx_vector_array_free(g2);
  mlx_closure_free(cf), mlx_closure_free(f);
}

static void test_errors(void) {
  mlx_closure bad = mlx_closure_new_func_payload(fails, NULL, NULL), cb = mlx_closure_new();
  CHECK_OK(mlx_compile(&cb, bad, false));
  mlx_vector_array in = inputs(2, 1.0f), out = mlx_vector_array_new();
  CHECK_FAIL(mlx_closure_apply(&out, cb, in));
  CHECK_FAIL(mlx_closure_apply(&out, cb, in)); /* a failed trace is not cached */
  mlx_closure ev = mlx_closure_new_func_payload(evals_inside, NULL, NULL), ce = mlx_closure_new();
  CHECK_OK(mlx_compile(&ce, ev, false));
  CHECK_FAIL(mlx_closure_apply(&out, ce, in));
  CHECK(strstr(last_msg, "Attempting to eval an array during function transformations") != NULL);
  CHECK_FAIL(mlx_compile(NULL, bad, false));
  CHECK_FAIL(mlx_compile(&cb, mlx_closure_new(), false));
  CHECK_FAIL(mlx_detail_compile(&cb, bad, 1, false, NULL, 2));
  CHECK(strstr(last_msg, "[compile] constants is NULL.") != NULL);
  mlx_closure good = mlx_closure_new_func_payload(f_body, NULL, NULL), cg = mlx_closure_new();
  CHECK_OK(mlx_compile(&cg, good, false)); /* and the library keeps working */
  check_apply(cg, 3, 1.0f);
  mlx_closure_free(cg), mlx_closure_free(good);
  mlx_vector_array_free(in), mlx_vector_array_free(out);
  mlx_closure_free(cb), mlx_closure_free(bad), mlx_closure_free(ce), mlx_closure_free(ev);
}

void run_tests(void) {
  cpu = mlx_default_cpu_stream_new();
  mlx_set_error_handler(capture_error, NULL, NULL);
  test_cache();
  test_many_entries();
  test_modes_and_simplify();
  test_grad_through_compile();
  test_errors();
  mlx_stream_free(cpu);
}
