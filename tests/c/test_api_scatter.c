/* The multi-index scatter forms the family test (test_indexing.c) does not reach, through the
 * public mlx-c API only: scatter_add, scatter_prod, scatter_max, scatter_min with vectors of index
 * arrays (repeated points accumulate, broadcast index arrays, whole-row and partial-row updates,
 * negative indices, integer dtypes), and bad arguments (the call fails, the handler gets a message
 * naming the op, the result handle is kept, the next call works). */
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

static mlx_array i32(const int32_t *v, const int *shape, int ndim) {
  return mlx_array_new_data(v, shape, ndim, MLX_INT32);
}

static mlx_vector_array idx2(mlx_array i0, mlx_array i1) {
  mlx_array both[2] = {i0, i1};
  return mlx_vector_array_new_data(both, 2);
}

typedef int (*scatter_fn)(mlx_array *, const mlx_array, const mlx_vector_array, const mlx_array,
                          const int *, size_t, const mlx_stream);

/* b = [[5,-1,0],[0,4,-7],[0,0,6]] */
static const float base[9] = {5, -1, 0, 0, 4, -7, 0, 0, 6};

static void test_point_updates(void) {
  mlx_array b = f32(base, (int[]){3, 3}, 2), r = mlx_array_new();
  /* points (0,0), (1,2), (0,0) with updates 1, 2, 3: (0,0) is hit twice */
  mlx_array i0 = i32((int32_t[]){0, 1, 0}, (int[]){3}, 1),
            i1 = i32((int32_t[]){0, 2, 0}, (int[]){3}, 1);
  mlx_vector_array idx = idx2(i0, i1);
  mlx_array u = f32((float[]){1, 2, 3}, (int[]){3, 1, 1}, 3);
  struct {
    scatter_fn fn;
    double at00, at12;
  } cases[] = {
      {mlx_scatter_add, 5 + 1 + 3, -7 + 2},
      {mlx_scatter_prod, 5 * 1 * 3, -7 * 2},
      {mlx_scatter_max, 5, 2},
      {mlx_scatter_min, 1, -7},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    CHECK_OK(cases[c].fn(&r, b, idx, u, (int[]){0, 1}, 2, cpu));
    EXPECT(r, MLX_FLOAT32, SH(3, 3), V(cases[c].at00, -1, 0, 0, 4, cases[c].at12, 0, 0, 6), 0);
  }
  /* the input is not modified */
  EXPECT(b, MLX_FLOAT32, SH(3, 3), V(5, -1, 0, 0, 4, -7, 0, 0, 6), 0);

  /* broadcast index arrays: rows {0,2} x columns {1,2} */
  mlx_array z = mlx_array_new();
  CHECK_OK(mlx_zeros(&z, (int[]){3, 3}, 2, MLX_FLOAT32, cpu));
  mlx_array r0 = i32((int32_t[]){0, 2}, (int[]){2, 1}, 2),
            c0 = i32((int32_t[]){1, 2}, (int[]){1, 2}, 2);
  mlx_vector_array bidx = idx2(r0, c0);
  mlx_array u4 = f32((float[]){1, 2, 3, 4}, (int[]){2, 2, 1, 1}, 4);
  CHECK_OK(mlx_scatter_add(&r, z, bidx, u4, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(0, 1, 2, 0, 0, 0, 0, 3, 4), 0);
  CHECK_OK(mlx_scatter_min(&r, z, bidx, u4, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(0, 0, 0, 0, 0, 0, 0, 0, 0), 0);

  mlx_array arrs[] = {b, r, i0, i1, u, z, r0, c0, u4};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
  mlx_vector_array_free(idx);
  mlx_vector_array_free(bidx);
}

static void test_row_updates(void) {
  mlx_array b = f32(base, (int[]){3, 3}, 2), r = mlx_array_new();
  /* whole rows along axis 0: rows 2, 0, 2 (a negative index counts from the end) */
  mlx_array i = i32((int32_t[]){2, 0, -1}, (int[]){3}, 1);
  mlx_vector_array idx = mlx_vector_array_new_value(i);
  mlx_array u = f32((float[]){1, 2, 3, 10, 20, 30, 100, 200, 300}, (int[]){3, 1, 3}, 3);
  CHECK_OK(mlx_scatter_add(&r, b, idx, u, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(15, 19, 30, 0, 4, -7, 101, 202, 309), 0);
  CHECK_OK(mlx_scatter_max(&r, b, idx, u, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(10, 20, 30, 0, 4, -7, 100, 200, 300), 0);
  CHECK_OK(mlx_scatter_min(&r, b, idx, u, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(5, -1, 0, 0, 4, -7, 0, 0, 3), 0);
  CHECK_OK(mlx_scatter_prod(&r, b, idx, u, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(50, -20, 0, 0, 4, -7, 0, 0, 5400), 0);
  /* a partial row: an update slice (1, 2) writes columns 0..1 */
  mlx_array u2 = f32((float[]){7, 8}, (int[]){1, 1, 2}, 3), j = i32((int32_t[]){1}, (int[]){1}, 1);
  mlx_vector_array jdx = mlx_vector_array_new_value(j);
  CHECK_OK(mlx_scatter_add(&r, b, jdx, u2, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(5, -1, 0, 7, 12, -7, 0, 0, 6), 0);

  /* integer arrays stay integers; updates take the array's dtype */
  mlx_array ib = mlx_array_new(), uf = f32((float[]){1.75f, 2.25f, 3.5f}, (int[]){3, 1, 1}, 3);
  CHECK_OK(mlx_astype(&ib, b, MLX_INT32, cpu));
  mlx_array k = i32((int32_t[]){0, 0, 2}, (int[]){3}, 1),
            l = i32((int32_t[]){1, 1, 2}, (int[]){3}, 1);
  mlx_vector_array kl = idx2(k, l);
  CHECK_OK(mlx_scatter_add(&r, ib, kl, uf, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_INT32, SH(3, 3), V(5, 2, 0, 0, 4, -7, 0, 0, 9), 0);
  CHECK_OK(mlx_scatter_prod(&r, ib, kl, uf, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_INT32, SH(3, 3), V(5, -2, 0, 0, 4, -7, 0, 0, 18), 0);
  mlx_array u8 = mlx_array_new(), u8u = mlx_array_new();
  CHECK_OK(mlx_astype(&u8, ib, MLX_UINT8, cpu)); /* -1 -> 255, -7 -> 249 */
  CHECK_OK(mlx_astype(&u8u, uf, MLX_UINT8, cpu));
  CHECK_OK(mlx_scatter_max(&r, u8, kl, u8u, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_UINT8, SH(3, 3), V(5, 255, 0, 0, 4, 249, 0, 0, 6), 0);
  CHECK_OK(mlx_scatter_min(&r, u8, kl, u8u, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_UINT8, SH(3, 3), V(5, 1, 0, 0, 4, 249, 0, 0, 3), 0);

  /* a broadcast (stride 0) and a transposed array as the base: the result is a new dense array,
   * the base and what it views keep their values */
  mlx_array one = mlx_array_new_float32(1), bc = mlx_array_new(), t = mlx_array_new();
  CHECK_OK(mlx_broadcast_to(&bc, one, (int[]){3, 3}, 2, cpu));
  mlx_array p0 = i32((int32_t[]){0, 0}, (int[]){2}, 1), p1 = i32((int32_t[]){1, 1}, (int[]){2}, 1);
  mlx_vector_array pp = idx2(p0, p1);
  mlx_array u56 = f32((float[]){5, 6}, (int[]){2, 1, 1}, 3);
  CHECK_OK(mlx_scatter_add(&r, bc, pp, u56, (int[]){0, 1}, 2, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(1, 12, 1, 1, 1, 1, 1, 1, 1), 0);
  EXPECT(bc, MLX_FLOAT32, SH(3, 3), V(1, 1, 1, 1, 1, 1, 1, 1, 1), 0);
  EXPECT(one, MLX_FLOAT32, SCALAR, V(1), 0);
  mlx_array m = f32((float[]){1, 2, 3, 4, 5, 6}, (int[]){2, 3}, 2); /* t = [[1,4],[2,5],[3,6]] */
  CHECK_OK(mlx_transpose(&t, m, cpu));
  mlx_array q = i32((int32_t[]){0, 2}, (int[]){2}, 1);
  mlx_vector_array qq = mlx_vector_array_new_value(q);
  mlx_array u9 = f32((float[]){9, 0, 0, 9}, (int[]){2, 1, 2}, 3);
  CHECK_OK(mlx_scatter_max(&r, t, qq, u9, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 2), V(9, 4, 2, 5, 3, 9), 0);
  EXPECT(m, MLX_FLOAT32, SH(2, 3), V(1, 2, 3, 4, 5, 6), 0);
  mlx_vector_array_free(pp);
  mlx_vector_array_free(qq);

  mlx_array arrs[] = {b, r, i, u, u2, j, ib, uf, k, l, u8, u8u, one, bc, t, p0, p1, u56, m, q, u9};
  for (size_t q = 0; q < sizeof arrs / sizeof *arrs; q++) mlx_array_free(arrs[q]);
  mlx_vector_array_free(idx);
  mlx_vector_array_free(jdx);
  mlx_vector_array_free(kl);
}

static void test_scatter_errors(void) {
  mlx_array b = f32(base, (int[]){3, 3}, 2), r = mlx_array_new();
  mlx_array i = i32((int32_t[]){0, 2}, (int[]){2}, 1), fi = f32((float[]){0, 2}, (int[]){2}, 1);
  mlx_vector_array one = mlx_vector_array_new_value(i), two = idx2(i, i);
  mlx_vector_array fidx = mlx_vector_array_new_value(fi);
  mlx_array u = f32((float[]){1, 2}, (int[]){2, 1, 1}, 3),
            flat = f32((float[]){1, 2}, (int[]){2}, 1);
  mlx_array big = mlx_array_new();
  CHECK_OK(mlx_zeros(&big, (int[]){2, 4, 1}, 3, MLX_FLOAT32, cpu));

  /* index arrays and axes disagree */
  EXPECT_ERROR(mlx_scatter_add(&r, b, one, u, (int[]){0, 1}, 2, cpu), "scatter_add", "axes");
  EXPECT_ERROR(mlx_scatter_max(&r, b, two, u, (int[]){0}, 1, cpu), "scatter_max", "axes");
  /* updates of the wrong rank or too large */
  EXPECT_ERROR(mlx_scatter_prod(&r, b, one, flat, (int[]){0}, 1, cpu), "scatter", "dimensions");
  EXPECT_ERROR(mlx_scatter_add(&r, b, one, big, (int[]){0}, 1, cpu), "scatter", "too large");
  /* non-integer indices, a bad axis, repeated axes */
  EXPECT_ERROR(mlx_scatter_min(&r, b, fidx, u, (int[]){0}, 1, cpu), "scatter", NULL);
  EXPECT_ERROR(mlx_scatter_add(&r, b, one, u, (int[]){2}, 1, cpu), "scatter", NULL);
  mlx_array u3 = f32((float[]){1, 2}, (int[]){2, 1, 1}, 3);
  EXPECT_ERROR(mlx_scatter_add(&r, b, two, u3, (int[]){0, 0}, 2, cpu), "scatter", NULL);
  /* handles */
  EXPECT_ERROR(mlx_scatter_add(&r, mlx_array_new(), one, u, (int[]){0}, 1, cpu), "scatter_add",
               NULL);
  EXPECT_ERROR(mlx_scatter_prod(&r, b, one, mlx_array_new(), (int[]){0}, 1, cpu), "scatter_prod",
               NULL);
  EXPECT_ERROR(mlx_scatter_min(&r, b, one, u, NULL, 1, cpu), "scatter_min", NULL);
  EXPECT_ERROR(mlx_scatter_max(&r, b, one, u, (int[]){0}, 1, mlx_stream_new()), "scatter_max",
               NULL);
  CHECK_FAIL(mlx_scatter_add(NULL, b, one, u, (int[]){0}, 1, cpu));
  /* still working */
  CHECK_OK(mlx_scatter_add(&r, b, one, u, (int[]){0}, 1, cpu));
  EXPECT(r, MLX_FLOAT32, SH(3, 3), V(6, -1, 0, 0, 4, -7, 2, 0, 6), 0);

  mlx_array arrs[] = {b, r, i, fi, u, flat, big, u3};
  for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) mlx_array_free(arrs[k]);
  mlx_vector_array vs[] = {one, two, fidx};
  for (size_t k = 0; k < sizeof vs / sizeof *vs; k++) mlx_vector_array_free(vs[k]);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_point_updates();
  test_row_updates();
  test_scatter_errors();
  mlx_stream_free(cpu);
}
