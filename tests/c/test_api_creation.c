/* Creation ops the family tests do not reach, through the public mlx-c API only: zeros_like,
 * ones_like and full_like (values, shapes and dtypes, broadcasting of the fill values), and the
 * creation family's bad arguments (the call fails, the handler gets a message naming the op, the
 * result handle is kept, the next call works). */
#include <complex.h>
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

static void test_zeros_ones_like(void) {
  float v[6] = {1, 2, 3, 4, 5, 6};
  mlx_array a = f32(v, (int[]){2, 3}, 2), r = mlx_array_new();
  CHECK_OK(mlx_zeros_like(&r, a, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(0, 0, 0, 0, 0, 0), 0);
  CHECK_OK(mlx_ones_like(&r, a, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(1, 1, 1, 1, 1, 1), 0);

  /* the dtype follows the input; a transposed view gives its own (logical) shape */
  int32_t iv[3] = {7, -1, 9};
  mlx_array ia = mlx_array_new_data(iv, (int[]){3}, 1, MLX_INT32);
  CHECK_OK(mlx_ones_like(&r, ia, cpu));
  EXPECT(r, MLX_INT32, SH(3), V(1, 1, 1), 0);
  mlx_array t = mlx_array_new();
  CHECK_OK(mlx_transpose(&t, a, cpu));
  CHECK_OK(mlx_zeros_like(&r, t, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 2), V(0, 0, 0, 0, 0, 0), 0);
  bool bv[2] = {true, false};
  mlx_array b = mlx_array_new_data(bv, (int[]){1, 2}, 2, MLX_BOOL);
  CHECK_OK(mlx_ones_like(&r, b, cpu));
  EXPECT(r, MLX_BOOL, SH(1, 2), V(1, 1), 0);
  CHECK_OK(mlx_zeros_like(&r, b, cpu));
  EXPECT(r, MLX_BOOL, SH(1, 2), V(0, 0), 0);
  mlx_array h = mlx_array_new(), c = mlx_array_new();
  CHECK_OK(mlx_astype(&h, a, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_ones_like(&r, h, cpu));
  EXPECT(r, MLX_FLOAT16, SH(2, 3), V(1, 1, 1, 1, 1, 1), 0);
  CHECK_OK(mlx_astype(&c, ia, MLX_COMPLEX64, cpu));
  CHECK_OK(mlx_ones_like(&r, c, cpu));
  CHECK(mlx_array_dtype(r) == MLX_COMPLEX64 && has_shape(r, (int[]){3}, 1));
  const mlx_complex64_t *cp = mlx_array_data_complex64(r);
  CHECK(cp && crealf(cp[2]) == 1 && cimagf(cp[2]) == 0);
  /* 0-d and empty inputs */
  mlx_array s = mlx_array_new_float64(2.5), e = mlx_array_new_data(v, (int[]){0, 4}, 2, MLX_INT8);
  CHECK_OK(mlx_ones_like(&r, s, cpu));
  EXPECT(r, MLX_FLOAT64, SCALAR, V(1), 0);
  CHECK_OK(mlx_zeros_like(&r, e, cpu));
  EXPECT(r, MLX_INT8, SH(0, 4), V(0), 0);
  /* the result is a new array: the input keeps its values */
  CHECK_OK(mlx_zeros_like(&r, a, cpu));
  CHECK_OK(mlx_array_eval(r));
  EXPECT(a, MLX_FLOAT32, SH(2, 3), V(1, 2, 3, 4, 5, 6), 0);

  /* bad arguments: an empty input, an empty stream, no output handle */
  EXPECT_ERROR(mlx_zeros_like(&r, mlx_array_new(), cpu), "zeros_like", NULL);
  EXPECT_ERROR(mlx_ones_like(&r, mlx_array_new(), cpu), "ones_like", NULL);
  EXPECT_ERROR(mlx_ones_like(&r, a, mlx_stream_new()), "ones_like", NULL);
  CHECK_FAIL(mlx_zeros_like(NULL, a, cpu));
  CHECK_OK(mlx_ones_like(&r, ia, cpu));
  EXPECT(r, MLX_INT32, SH(3), V(1, 1, 1), 0);

  mlx_array arrs[] = {a, r, ia, t, b, h, c, s, e};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

static void test_full_like(void) {
  float v[6] = {1, 2, 3, 4, 5, 6};
  mlx_array a = f32(v, (int[]){2, 3}, 2), r = mlx_array_new();
  mlx_array seven = mlx_array_new_float32(7.5f);
  CHECK_OK(mlx_full_like(&r, a, seven, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(7.5, 7.5, 7.5, 7.5, 7.5, 7.5), 0);
  /* the dtype argument wins over both inputs' (float to int truncates toward zero) */
  CHECK_OK(mlx_full_like(&r, a, seven, MLX_INT32, cpu));
  EXPECT(r, MLX_INT32, SH(2, 3), V(7, 7, 7, 7, 7, 7), 0);
  mlx_array neg = mlx_array_new_float32(-2.75f);
  CHECK_OK(mlx_full_like(&r, a, neg, MLX_INT16, cpu));
  EXPECT(r, MLX_INT16, SH(2, 3), V(-2, -2, -2, -2, -2, -2), 0);
  CHECK_OK(mlx_full_like(&r, a, neg, MLX_BOOL, cpu));
  EXPECT(r, MLX_BOOL, SH(2, 3), V(1, 1, 1, 1, 1, 1), 0);
  CHECK_OK(mlx_full_like(&r, a, seven, MLX_FLOAT64, cpu));
  EXPECT(r, MLX_FLOAT64, SH(2, 3), V(7.5, 7.5, 7.5, 7.5, 7.5, 7.5), 0);

  /* array values broadcast against a: a row, a column, and a shape both grow (as MLX's
   * broadcast_arrays) */
  float row[3] = {10, 20, 30}, col[2] = {-1, -2};
  mlx_array rv = f32(row, (int[]){3}, 1), cv = f32(col, (int[]){2, 1}, 2);
  CHECK_OK(mlx_full_like(&r, a, rv, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(10, 20, 30, 10, 20, 30), 0);
  CHECK_OK(mlx_full_like(&r, a, cv, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(-1, -1, -1, -2, -2, -2), 0);
  mlx_array a3 = f32(row, (int[]){3}, 1);
  CHECK_OK(mlx_full_like(&r, a3, cv, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2, 3), V(-1, -1, -1, -2, -2, -2), 0);
  /* a 0-d like-array takes the values' shape */
  mlx_array s = mlx_array_new_int(3);
  CHECK_OK(mlx_full_like(&r, s, rv, MLX_INT32, cpu));
  EXPECT(r, MLX_INT32, SH(3), V(10, 20, 30), 0);
  /* the like-array's values are not read: NaNs and an empty array */
  mlx_array e = f32(v, (int[]){0, 3}, 2);
  CHECK_OK(mlx_full_like(&r, e, seven, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(0, 3), V(0), 0);

  /* bad arguments */
  float five[5] = {0};
  mlx_array v5 = f32(five, (int[]){5}, 1);
  EXPECT_ERROR(mlx_full_like(&r, a, v5, MLX_FLOAT32, cpu), "broadcast_shapes",
               "cannot be broadcast");
  EXPECT_ERROR(mlx_full_like(&r, a, seven, (mlx_dtype)99, cpu), "full_like", "dtype");
  EXPECT_ERROR(mlx_full_like(&r, a, mlx_array_new(), MLX_FLOAT32, cpu), "full_like", NULL);
  EXPECT_ERROR(mlx_full_like(&r, mlx_array_new(), seven, MLX_FLOAT32, cpu), "full_like", NULL);
  EXPECT_ERROR(mlx_full_like(&r, a, seven, MLX_FLOAT32, mlx_stream_new()), "full_like", NULL);
  CHECK_FAIL(mlx_full_like(NULL, a, seven, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_full_like(&r, a3, seven, MLX_UINT8, cpu));
  EXPECT(r, MLX_UINT8, SH(3), V(7, 7, 7), 0);

  mlx_array arrs[] = {a, r, seven, neg, rv, cv, a3, s, e, v5};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
}

/* The creation family's argument checks (shapes, dtypes, sizes) that the family tests leave out. */
static void test_creation_errors(void) {
  mlx_array r = mlx_array_new(), one = mlx_array_new_float32(1);
  /* ones and zeros are full(shape, 1 or 0): MLX names full in this message */
  EXPECT_ERROR(mlx_ones(&r, (int[]){2, -3}, 2, MLX_FLOAT32, cpu), "full", "Negative");
  EXPECT_ERROR(mlx_zeros(&r, (int[]){2}, 1, (mlx_dtype)-1, cpu), "zeros", "dtype");
  EXPECT_ERROR(mlx_zeros(&r, NULL, 2, MLX_FLOAT32, cpu), "zeros", NULL);
  EXPECT_ERROR(mlx_full(&r, (int[]){-1}, 1, one, MLX_FLOAT32, cpu), "full", "Negative");
  EXPECT_ERROR(mlx_full(&r, (int[]){2}, 1, one, (mlx_dtype)77, cpu), "full", "dtype");
  float two[2] = {1, 2};
  mlx_array col = f32(two, (int[]){2, 1}, 2);
  EXPECT_ERROR(mlx_full(&r, (int[]){3}, 1, col, MLX_FLOAT32, cpu), "broadcast_to", NULL);
  /* full is broadcast_to(vals, shape): one-element values of a higher rank than the shape are
   * rejected (MLX 0.32.4: mx.full((3,), mx.ones((1, 1))) raises). */
  mlx_array one11 = f32(two, (int[]){1, 1}, 2);
  EXPECT_ERROR(mlx_full(&r, (int[]){3}, 1, one11, MLX_FLOAT32, cpu), "broadcast_to", NULL);
  mlx_array_free(one11);
  EXPECT_ERROR(mlx_arange(&r, 0, 4, 1, MLX_BOOL, cpu), "arange", NULL);
  EXPECT_ERROR(mlx_arange(&r, 0, NAN, 1, MLX_FLOAT32, cpu), "arange", NULL);
  EXPECT_ERROR(mlx_linspace(&r, 0, 1, -2, MLX_FLOAT32, cpu), "linspace", NULL);
  EXPECT_ERROR(mlx_eye(&r, 2, -1, 0, MLX_FLOAT32, cpu), "eye", "positive");
  EXPECT_ERROR(mlx_identity(&r, -1, MLX_FLOAT32, cpu), "eye", "positive"); /* eye(n, n) in MLX */
  EXPECT_ERROR(mlx_tri(&r, 2, 2, 0, (mlx_dtype)50, cpu), "tri", "dtype");
  EXPECT_ERROR(mlx_arange(&r, 0, 4, 1, MLX_FLOAT32, mlx_stream_new()), "arange", NULL);
  CHECK_FAIL(mlx_ones(NULL, (int[]){2}, 1, MLX_FLOAT32, cpu));
  /* still working */
  CHECK_OK(mlx_full(&r, (int[]){2, 2}, 2, one, MLX_INT32, cpu));
  EXPECT(r, MLX_INT32, SH(2, 2), V(1, 1, 1, 1), 0);
  /* zero sizes are not errors (MLX 0.32: eye(2, 0) is (2, 0), identity(0) is (0, 0)) */
  CHECK_OK(mlx_eye(&r, 2, 0, 0, MLX_FLOAT32, cpu));
  CHECK(has_shape(r, (int[]){2, 0}, 2));
  CHECK_OK(mlx_identity(&r, 0, MLX_FLOAT32, cpu));
  CHECK(has_shape(r, (int[]){0, 0}, 2));
  CHECK_OK(mlx_arange(&r, 3, 0, -1.5, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SH(2), V(3, 1.5), 0);
  mlx_array_free(r);
  mlx_array_free(one);
  mlx_array_free(col);
}

static void test_copy_and_number_of_elements(void) {
  float v[6] = {1, 2, 3, 4, 5, 6};
  mlx_array a = f32(v, (int[]){2, 3}, 2), t = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_transpose(&t, a, cpu));
  CHECK_OK(mlx_copy(&r, t, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 2), V(1, 4, 2, 5, 3, 6), 0);
  CHECK_OK(mlx_number_of_elements(&r, a, (int[]){1}, 1, false, MLX_INT32, cpu));
  EXPECT(r, MLX_INT32, SCALAR, V(3), 0);
  /* inverted: the reciprocal, as MLX (its mean uses it) */
  CHECK_OK(mlx_number_of_elements(&r, a, (int[]){-1}, 1, true, MLX_FLOAT32, cpu));
  EXPECT(r, MLX_FLOAT32, SCALAR, V(1.0 / 3), 1e-7);
  CHECK_OK(mlx_number_of_elements(&r, a, (int[]){0, 1}, 2, false, MLX_INT64, cpu));
  EXPECT(r, MLX_INT64, SCALAR, V(6), 0);
  EXPECT_ERROR(mlx_number_of_elements(&r, a, (int[]){2}, 1, false, MLX_INT32, cpu),
               "number_of_elements", NULL);
  EXPECT_ERROR(mlx_number_of_elements(&r, a, (int[]){0}, 1, false, MLX_BOOL, cpu),
               "number_of_elements", "numeric");
  mlx_array_free(a), mlx_array_free(t), mlx_array_free(r);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_zeros_ones_like();
  test_copy_and_number_of_elements();
  test_full_like();
  test_creation_errors();
  mlx_stream_free(cpu);
}
