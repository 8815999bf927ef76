/* Reductions the family test (test_reduce.c) does not reach, through the public mlx-c API only:
 * all, any_axes, any_axis, min, max_axes, sum_axes, argmin, argpartition, logsumexp_axes, std,
 * std_axis, std_axes. Hand-computed values, output shapes and dtypes, and bad arguments (the call
 * fails, the handler gets a message naming the op, the result handle is kept, the next call works).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static mlx_stream cpu;
static char last_msg[1024];
static int num_errors;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
  num_errors++;
}

/* ---- helpers ---- */

#define SH(...) ((const int[]){__VA_ARGS__}), (int)(sizeof((int[]){__VA_ARGS__}) / sizeof(int))
#define SCALAR NULL, 0
#define V(...) ((const double[]){__VA_ARGS__})

static mlx_array f32(const float *v, const int *shape, int ndim) {
  return mlx_array_new_data(v, shape, ndim, MLX_FLOAT32);
}

static bool has_shape(mlx_array a, const int *shape, int ndim) {
  if ((int)mlx_array_ndim(a) != ndim) return false;
  for (int i = 0; i < ndim; i++)
    if (mlx_array_shape(a)[i] != shape[i]) return false;
  return true;
}

/* a's values as doubles in row-major order (through a contiguous float64 copy); the count, or -1.
 */
static int values(mlx_array a, double *out, int cap) {
  mlx_array d = mlx_array_new(), c = mlx_array_new();
  int n = -1;
  if (mlx_astype(&d, a, MLX_FLOAT64, cpu) == 0 && mlx_contiguous(&c, d, false, cpu) == 0 &&
      mlx_array_eval(c) == 0) {
    const double *p = mlx_array_data_float64(c);
    int sz = (int)mlx_array_size(c);
    if ((p || sz == 0) && sz <= cap) {
      if (sz) memcpy(out, p, (size_t)sz * sizeof *out);
      n = sz;
    }
  }
  mlx_array_free(d);
  mlx_array_free(c);
  return n;
}

static bool close_to(double got, double want, double tol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == want;
  return fabs(got - want) <= tol * (1 + fabs(want));
}

/* r has dtype dt, the given shape and values (row-major). */
static void expect_at(int line, mlx_array r, mlx_dtype dt, const int *sh, int nd,
                      const double *want, double tol) {
  harness_record(mlx_array_dtype(r) == dt, "dtype", __FILE__, line);
  harness_record(has_shape(r, sh, nd), "shape", __FILE__, line);
  int n = 1;
  for (int i = 0; i < nd; i++) n *= sh[i];
  double got[64];
  int k = values(r, got, 64);
  bool ok = k == n;
  for (int i = 0; ok && i < n; i++) ok = close_to(got[i], want[i], tol);
  if (!ok) {
    fprintf(stderr, "  got (%d):", k);
    for (int i = 0; i < k && i < 16; i++) fprintf(stderr, " %g", got[i]);
    fprintf(stderr, "\n");
  }
  harness_record(ok, "values", __FILE__, line);
}
#define EXPECT(r, dt, shape, vals, tol) expect_at(__LINE__, r, dt, shape, vals, tol)

/* The call failed, reported one error whose message names op (and contains detail, if given), and
 * left the result handle as it was. */
static void expect_error_at(int line, int rc, int before, const char *op, const char *detail) {
  char tag[64];
  snprintf(tag, sizeof tag, "[%s]", op);
  harness_record(rc != 0, "call fails", __FILE__, line);
  harness_record(num_errors == before + 1, "one error reported", __FILE__, line);
  bool named = strstr(last_msg, tag) != NULL && (!detail || strstr(last_msg, detail) != NULL);
  if (!named) fprintf(stderr, "  message: %s (want %s %s)\n", last_msg, tag, detail ? detail : "");
  harness_record(named, "message names the op", __FILE__, line);
}
#define EXPECT_ERROR(call, op, detail)                                                             \
  do {                                                                                             \
    int b_ = num_errors;                                                                           \
    void *old_ = r.ctx;                                                                            \
    int rc_ = (call);                                                                              \
    expect_error_at(__LINE__, rc_, b_, op, detail);                                                \
    CHECK(r.ctx == old_);                                                                          \
  } while (0)

/* ---- tests ---- */

static void test_all_any(void) {
  bool m[6] = {true, false, true, true, true, true}; /* [[1,0,1],[1,1,1]] */
  mlx_array a = mlx_array_new_data(m, (int[]){2, 3}, 2, MLX_BOOL), r = mlx_array_new();
  CHECK_OK(mlx_all(&r, a, false, cpu));
  EXPECT(r, MLX_BOOL, SCALAR, V(0), 0);
  CHECK_OK(mlx_all(&r, a, true, cpu));
  EXPECT(r, MLX_BOOL, SH(1, 1), V(0), 0);

  /* numeric input: nonzero is true; NaN is nonzero */
  float fv[4] = {1.5f, -2, NAN, 0.25f};
  mlx_array f = f32(fv, (int[]){4}, 1);
  CHECK_OK(mlx_all(&r, f, false, cpu));
  EXPECT(r, MLX_BOOL, SCALAR, V(1), 0);

  /* an empty array: all is true, any is false */
  mlx_array e = mlx_array_new_data(fv, (int[]){0, 3}, 2, MLX_FLOAT32);
  CHECK_OK(mlx_all(&r, e, false, cpu));
  EXPECT(r, MLX_BOOL, SCALAR, V(1), 0);
  CHECK_OK(mlx_any_axis(&r, e, 0, false, cpu));
  EXPECT(r, MLX_BOOL, SH(3), V(0, 0, 0), 0);

  int32_t iv[6] = {0, 0, 0, 0, 3, 0}; /* [[0,0,0],[0,3,0]] */
  mlx_array i = mlx_array_new_data(iv, (int[]){2, 3}, 2, MLX_INT32);
  CHECK_OK(mlx_any_axis(&r, i, 0, false, cpu));
  EXPECT(r, MLX_BOOL, SH(3), V(0, 1, 0), 0);
  CHECK_OK(mlx_any_axis(&r, i, -1, true, cpu));
  EXPECT(r, MLX_BOOL, SH(2, 1), V(0, 1), 0);
  CHECK_OK(mlx_any_axes(&r, i, (int[]){0, 1}, 2, false, cpu));
  EXPECT(r, MLX_BOOL, SCALAR, V(1), 0);
  CHECK_OK(mlx_any_axes(&r, i, (int[]){1}, 1, false, cpu));
  EXPECT(r, MLX_BOOL, SH(2), V(0, 1), 0);
  CHECK_OK(mlx_any_axes(&r, a, (int[]){-2}, 1, true, cpu));
  EXPECT(r, MLX_BOOL, SH(1, 3), V(1, 1, 1), 0);

  /* bad arguments */
  EXPECT_ERROR(mlx_any_axis(&r, i, 2, false, cpu), "any", "Invalid axis 2");
  EXPECT_ERROR(mlx_any_axes(&r, i, (int[]){1, -1}, 2, false, cpu), "any", "Duplicate axes");
  EXPECT_ERROR(mlx_all(&r, mlx_array_new(), false, cpu), "all", NULL);
  EXPECT_ERROR(mlx_all(&r, a, false, mlx_stream_new()), "all", NULL);
  CHECK_FAIL(mlx_any_axes(NULL, i, (int[]){0}, 1, false, cpu));
  /* still working */
  CHECK_OK(mlx_any_axis(&r, i, 1, false, cpu));
  EXPECT(r, MLX_BOOL, SH(2), V(0, 1), 0);

  mlx_array_free(a), mlx_array_free(f), mlx_array_free(e), mlx_array_free(i), mlx_array_free(r);
}

static void test_min_max_sum(void) {
  float v[6] = {1, 5, 3, 4, -2, 6}; /* [[1,5,3],[4,-2,6]] */
  mlx_array a = f32(v, (int[]){2, 3}, 2), r = mlx_array_new();
  CHECK_OK(mlx_min(&r, a, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(-2), 0);
  CHECK_OK(mlx_min(&r, a, true, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1, 1), V(-2), 0);
  int32_t iv[4] = {7, -9, 3, 0};
  mlx_array ia = mlx_array_new_data(iv, (int[]){4}, 1, MLX_INT32);
  CHECK_OK(mlx_min(&r, ia, false, cpu));
  EXPECT(r, MLX_INT32, SCALAR, V(-9), 0);
  /* a transposed view reduces the same */
  mlx_array t = mlx_array_new();
  CHECK_OK(mlx_transpose(&t, a, cpu));
  CHECK_OK(mlx_min(&r, t, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(-2), 0);

  CHECK_OK(mlx_max_axes(&r, a, (int[]){0, 1}, 2, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(6), 0);
  CHECK_OK(mlx_max_axes(&r, a, (int[]){1}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(5, 6), 0);
  CHECK_OK(mlx_max_axes(&r, a, (int[]){-2}, 1, true, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1, 3), V(4, 5, 6), 0);
  CHECK_OK(mlx_max_axes(&r, t, (int[]){0}, 1, false, cpu)); /* over a's columns... of t */
  EXPECT(r, MLX_FLOAT32, SH(2), V(5, 6), 0);

  CHECK_OK(mlx_sum_axes(&r, a, (int[]){0, 1}, 2, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(17), 0);
  CHECK_OK(mlx_sum_axes(&r, a, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3), V(5, 3, 9), 0);
  CHECK_OK(mlx_sum_axes(&r, a, (int[]){1, 0}, 2, true, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1, 1), V(17), 0);
  CHECK_OK(mlx_sum_axes(&r, a, NULL, 0, false, cpu)); /* no axes: the input */
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(1, 5, 3, 4, -2, 6), 0);
  bool bv[4] = {true, true, false, true};
  mlx_array b = mlx_array_new_data(bv, (int[]){2, 2}, 2, MLX_BOOL);
  CHECK_OK(mlx_sum_axes(&r, b, (int[]){0, 1}, 2, false, cpu)); /* bool sums count as int32 */
  EXPECT(r, MLX_INT32, SCALAR, V(3), 0);
  CHECK_OK(mlx_sum_axes(&r, ia, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_INT32, SCALAR, V(1), 0);

  /* NaN propagates through min and max (MLX 0.32) */
  float nv[4] = {1, NAN, 0, 2};
  mlx_array na = f32(nv, (int[]){2, 2}, 2);
  CHECK_OK(mlx_min(&r, na, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(NAN), 0);
  CHECK_OK(mlx_max_axes(&r, na, (int[]){1}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(NAN, 2), 0);
  /* small integers sum in 32 bits: uint8 -> uint32, int8 -> int32; float16 stays float16 */
  mlx_array u8 = mlx_array_new_data((uint8_t[]){200, 100}, (int[]){2}, 1, MLX_UINT8);
  mlx_array i8 = mlx_array_new_data((int8_t[]){100, 100}, (int[]){2}, 1, MLX_INT8);
  mlx_array h = mlx_array_new();
  CHECK_OK(mlx_astype(&h, a, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_sum_axes(&r, u8, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_UINT32, SCALAR, V(300), 0);
  CHECK_OK(mlx_sum_axes(&r, i8, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_INT32, SCALAR, V(200), 0);
  CHECK_OK(mlx_sum_axes(&r, h, (int[]){1}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT16, SH(2), V(9, 8), 0);
  CHECK_OK(mlx_min(&r, u8, false, cpu));
  EXPECT(r, MLX_UINT8, SCALAR, V(100), 0);

  /* bad arguments */
  EXPECT_ERROR(mlx_max_axes(&r, a, (int[]){0, 2}, 2, false, cpu), "max", "Invalid axis 2");
  EXPECT_ERROR(mlx_sum_axes(&r, a, (int[]){-3}, 1, false, cpu), "sum", "Invalid axis -3");
  EXPECT_ERROR(mlx_sum_axes(&r, a, (int[]){0, 0}, 2, false, cpu), "sum", "Duplicate axes");
  EXPECT_ERROR(mlx_sum_axes(&r, a, NULL, 1, false, cpu), "sum", NULL);
  mlx_array e = mlx_array_new_data(v, (int[]){0}, 1, MLX_FLOAT32);
  EXPECT_ERROR(mlx_min(&r, e, false, cpu), "min", NULL); /* no identity for min of nothing */
  EXPECT_ERROR(mlx_min(&r, mlx_array_new(), false, cpu), "min", NULL);
  CHECK_OK(mlx_max_axes(&r, a, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3), V(4, 5, 6), 0);

  mlx_array arrs[] = {a, r, ia, t, b, e, na, u8, i8, h};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

static void test_argmin_argpartition(void) {
  float v[6] = {3, 1, 2, 0.5f, 4, 0.5f}; /* [[3,1,2],[0.5,4,0.5]]; ties keep the first */
  mlx_array a = f32(v, (int[]){2, 3}, 2), r = mlx_array_new();
  CHECK_OK(mlx_argmin(&r, a, false, cpu));
  EXPECT(r, MLX_UINT32, SCALAR, V(3), 0);
  CHECK_OK(mlx_argmin(&r, a, true, cpu));
  EXPECT(r, MLX_UINT32, SH(1, 1), V(3), 0);
  int32_t iv[5] = {4, -7, 2, -7, 9};
  mlx_array ia = mlx_array_new_data(iv, (int[]){5}, 1, MLX_INT32);
  CHECK_OK(mlx_argmin(&r, ia, false, cpu));
  EXPECT(r, MLX_UINT32, SCALAR, V(1), 0);

  /* argpartition without an axis works on the flattened array */
  float p[6] = {5, 1, 4, 2, 6, 3};
  mlx_array pa = f32(p, (int[]){2, 3}, 2);
  for (int kth = 0; kth < 6; kth++) {
    CHECK_OK(mlx_argpartition(&r, pa, kth, cpu));
    CHECK(mlx_array_dtype(r) == MLX_UINT32);
    CHECK(has_shape(r, (int[]){6}, 1));
    double idx[6];
    bool ok = values(r, idx, 6) == 6, seen[6] = {false};
    for (int i = 0; ok && i < 6; i++) {
      int j = (int)idx[i];
      ok = j >= 0 && j < 6 && !seen[j];
      if (ok) seen[j] = true;
    }
    /* the kth element is the kth smallest (1..6 are all distinct), smaller ones before it */
    for (int i = 0; ok && i < 6; i++) {
      double x = p[(int)idx[i]];
      ok = i < kth ? x < kth + 1 : i == kth ? x == kth + 1 : x > kth + 1;
    }
    CHECK(ok);
  }
  CHECK_OK(mlx_argpartition(&r, pa, -1, cpu)); /* kth counts from the end */
  double idx[6];
  CHECK(values(r, idx, 6) == 6 && idx[5] == 4);

  /* bad arguments */
  EXPECT_ERROR(mlx_argpartition(&r, pa, 6, cpu), "argpartition", "kth");
  EXPECT_ERROR(mlx_argpartition(&r, pa, -7, cpu), "argpartition", "kth");
  mlx_array e = mlx_array_new_data(v, (int[]){0}, 1, MLX_FLOAT32);
  EXPECT_ERROR(mlx_argmin(&r, e, false, cpu), "argmin", NULL);
  EXPECT_ERROR(mlx_argmin(&r, mlx_array_new(), false, cpu), "argmin", NULL);
  EXPECT_ERROR(mlx_argpartition(&r, a, 0, mlx_stream_new()), "argpartition", NULL);
  CHECK_OK(mlx_argmin(&r, pa, false, cpu));
  EXPECT(r, MLX_UINT32, SCALAR, V(1), 0);

  mlx_array arrs[] = {a, r, ia, pa, e};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

static void test_logsumexp_axes(void) {
  float v[4] = {0, (float)log(2.0), (float)log(3.0), 0}; /* exp: [[1,2],[3,1]] */
  mlx_array a = f32(v, (int[]){2, 2}, 2), r = mlx_array_new();
  CHECK_OK(mlx_logsumexp_axes(&r, a, (int[]){1}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(log(3.0), log(4.0)), 1e-6);
  CHECK_OK(mlx_logsumexp_axes(&r, a, (int[]){0}, 1, true, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1, 2), V(log(4.0), log(3.0)), 1e-6);
  CHECK_OK(mlx_logsumexp_axes(&r, a, (int[]){0, -1}, 2, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(log(7.0)), 1e-6);
  /* stable for large inputs; all -inf gives -inf */
  float big[3] = {1000, 1000, -INFINITY}, ninf[2] = {-INFINITY, -INFINITY};
  mlx_array b = f32(big, (int[]){3}, 1), n = f32(ninf, (int[]){2}, 1);
  CHECK_OK(mlx_logsumexp_axes(&r, b, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(1000 + log(2.0)), 1e-6);
  CHECK_OK(mlx_logsumexp_axes(&r, n, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(-INFINITY), 0);
  /* integers give float32 */
  int32_t iv[2] = {0, 0};
  mlx_array ia = mlx_array_new_data(iv, (int[]){2}, 1, MLX_INT32);
  CHECK_OK(mlx_logsumexp_axes(&r, ia, (int[]){0}, 1, false, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(log(2.0)), 1e-6);

  EXPECT_ERROR(mlx_logsumexp_axes(&r, a, (int[]){2}, 1, false, cpu), "logsumexp", "Invalid axis");
  EXPECT_ERROR(mlx_logsumexp_axes(&r, mlx_array_new(), (int[]){0}, 1, false, cpu), "logsumexp",
               NULL);
  CHECK_OK(mlx_logsumexp_axes(&r, ia, (int[]){0}, 1, true, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1), V(log(2.0)), 1e-6);

  mlx_array arrs[] = {a, r, b, n, ia};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

static void test_std(void) {
  /* mean 5, squared deviations sum to 32: population std 2, sample std sqrt(32/7) */
  float v[8] = {2, 4, 4, 4, 5, 5, 7, 9};
  mlx_array a = f32(v, (int[]){8}, 1), r = mlx_array_new();
  CHECK_OK(mlx_std(&r, a, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(2), 1e-6);
  CHECK_OK(mlx_std(&r, a, true, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1), V(sqrt(32.0 / 7)), 1e-6);

  mlx_array m = mlx_array_new();
  CHECK_OK(mlx_reshape(&m, a, (int[]){2, 4}, 2, cpu)); /* [[2,4,4,4],[5,5,7,9]] */
  CHECK_OK(mlx_std(&r, m, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(2), 1e-6);
  /* rows: mean 3.5, ssd 3 -> sqrt(0.75); mean 6.5, ssd 11 -> sqrt(2.75) */
  CHECK_OK(mlx_std_axis(&r, m, 1, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(sqrt(0.75), sqrt(2.75)), 1e-6);
  CHECK_OK(mlx_std_axis(&r, m, -1, true, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 1), V(1, sqrt(11.0 / 3)), 1e-6);
  /* columns: pairs (2,5) (4,5) (4,7) (4,9): population std = |d|/2 */
  CHECK_OK(mlx_std_axes(&r, m, (int[]){0}, 1, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SH(4), V(1.5, 0.5, 1.5, 2.5), 1e-6);
  CHECK_OK(mlx_std_axes(&r, m, (int[]){0, 1}, 2, true, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(1, 1), V(sqrt(32.0 / 7)), 1e-6);
  /* integers give float32; ddof >= N divides by zero (inf, as MLX) */
  int32_t iv[2] = {1, 3};
  mlx_array ia = mlx_array_new_data(iv, (int[]){2}, 1, MLX_INT32);
  CHECK_OK(mlx_std(&r, ia, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(1), 1e-6);
  CHECK_OK(mlx_std(&r, ia, false, 2, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(INFINITY), 0);
  /* float16 stays float16; a negative ddof divides by N - ddof (sqrt(2 / 3) here) */
  mlx_array h = mlx_array_new();
  CHECK_OK(mlx_astype(&h, ia, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_std(&r, h, false, 0, cpu));
  EXPECT(r, MLX_FLOAT16, SCALAR, V(1), 1e-3);
  CHECK_OK(mlx_std_axes(&r, ia, (int[]){0}, 1, false, -1, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(sqrt(2.0 / 3)), 1e-6);
  /* a constant column has std 0 */
  float c[3] = {7, 7, 7};
  mlx_array ca = f32(c, (int[]){3}, 1);
  CHECK_OK(mlx_std_axis(&r, ca, 0, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(0), 1e-7);

  EXPECT_ERROR(mlx_std_axis(&r, m, 2, false, 0, cpu), "std", "Invalid axis 2");
  EXPECT_ERROR(mlx_std_axes(&r, m, (int[]){1, 1}, 2, false, 0, cpu), "std", "Duplicate axes");
  EXPECT_ERROR(mlx_std(&r, mlx_array_new(), false, 0, cpu), "std", NULL);
  EXPECT_ERROR(mlx_std_axes(&r, m, (int[]){0}, 1, false, 0, mlx_stream_new()), "std", NULL);
  CHECK_FAIL(mlx_std(NULL, m, false, 0, cpu));
  CHECK_OK(mlx_std_axis(&r, m, 1, false, 0, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(sqrt(0.75), sqrt(2.75)), 1e-6);

  mlx_array arrs[] = {a, r, m, ia, ca, h};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_all_any();
  test_min_max_sum();
  test_argmin_argpartition();
  test_logsumexp_axes();
  test_std();
  mlx_stream_free(cpu);
}
