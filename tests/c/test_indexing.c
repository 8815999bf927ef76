/* Shape manipulation, slicing and gather/scatter through the public C API: results, views that
 * share memory, every dtype class for the update kernels, errors, and buffer donation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static mlx_stream cpu;

/* ---- helpers ---- */

/* 0, 1, ..., n-1 as int32 with the given shape. */
static mlx_array iota(const int *shape, int ndim) {
  int n = 1;
  for (int i = 0; i < ndim; i++) n *= shape[i];
  mlx_array r = mlx_array_new(), out = mlx_array_new();
  mlx_arange(&r, 0, n, 1, MLX_INT32, cpu);
  mlx_reshape(&out, r, shape, (size_t)ndim, cpu);
  mlx_array_free(r);
  return out;
}

static mlx_array ints(const int32_t *v, const int *shape, int ndim) {
  return mlx_array_new_data(v, shape, ndim, MLX_INT32);
}

/* a has this shape and these int32 values (read through a row-contiguous copy). */
static int same_i32(mlx_array a, const int *shape, int ndim, const int32_t *expect) {
  if ((int)mlx_array_ndim(a) != ndim) return 0;
  size_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (mlx_array_shape(a)[i] != shape[i]) return 0;
    n *= (size_t)shape[i];
  }
  mlx_array c = mlx_array_new(), t = mlx_array_new();
  if (mlx_astype(&t, a, MLX_INT32, cpu) || mlx_contiguous(&c, t, false, cpu) || mlx_array_eval(c)) {
    mlx_array_free(c);
    mlx_array_free(t);
    return 0;
  }
  const int32_t *p = mlx_array_data_int32(c);
  int ok = p != NULL || n == 0;
  for (size_t i = 0; ok && i < n; i++) ok = p[i] == expect[i];
  if (!ok) {
    fprintf(stderr, "  got:");
    for (size_t i = 0; p && i < n && i < 40; i++) fprintf(stderr, " %d", p[i]);
    fprintf(stderr, "\n");
  }
  mlx_array_free(c);
  mlx_array_free(t);
  return ok;
}

#define SAME(a, shape_init, vals_init)                                                             \
  do {                                                                                             \
    int sh_[] = shape_init;                                                                        \
    int32_t v_[] = vals_init;                                                                      \
    CHECK(same_i32(a, sh_, (int)(sizeof sh_ / sizeof *sh_), v_));                                  \
  } while (0)
#define SAME0(a, vals_init) /* 0-d */                                                              \
  do {                                                                                             \
    int32_t v_[] = vals_init;                                                                      \
    CHECK(same_i32(a, NULL, 0, v_));                                                               \
  } while (0)
#define L(...)                                                                                     \
  { __VA_ARGS__ }

static size_t vsize(mlx_vector_array v) {
  return mlx_vector_array_size(v);
}

static mlx_array vget(mlx_vector_array v, size_t i) {
  mlx_array a = mlx_array_new();
  mlx_vector_array_get(&a, v, i);
  return a;
}

static const char *dptr(mlx_array a) {
  switch (mlx_array_dtype(a)) {
  case MLX_BOOL:
    return (const char *)mlx_array_data_bool(a);
  case MLX_UINT8:
    return (const char *)mlx_array_data_uint8(a);
  case MLX_UINT16:
    return (const char *)mlx_array_data_uint16(a);
  case MLX_INT16:
    return (const char *)mlx_array_data_int16(a);
  case MLX_INT32:
    return (const char *)mlx_array_data_int32(a);
  case MLX_FLOAT32:
    return (const char *)mlx_array_data_float32(a);
  default:
    return NULL;
  }
}

/* Shares memory: b's first element lies in a's data (both evaluated). */
static int shares(mlx_array a, mlx_array b) {
  mlx_array_eval(a);
  mlx_array_eval(b);
  const char *pa = dptr(a), *pb = dptr(b);
  return pa && pb && pb >= pa && pb < pa + mlx_array_nbytes(a);
}

/* ---- shapes ---- */

static void test_shapes(void) {
  mlx_array a = iota((int[]){2, 3, 4}, 3), r = mlx_array_new();

  CHECK_OK(mlx_flatten(&r, a, 1, 2, cpu));
  CHECK(mlx_array_ndim(r) == 2 && mlx_array_shape(r)[1] == 12);
  CHECK_OK(mlx_flatten(&r, a, 0, 10, cpu)); /* end clamps, as MLX */
  CHECK(mlx_array_ndim(r) == 1 && mlx_array_size(r) == 24);
  CHECK_FAIL(mlx_flatten(&r, a, 2, 1, cpu));
  CHECK(strstr(last_msg, "[flatten]") != NULL);

  CHECK_OK(mlx_unflatten(&r, a, 2, (int[]){2, -1}, 2, cpu));
  CHECK(mlx_array_ndim(r) == 4 && mlx_array_shape(r)[3] == 2);
  CHECK_FAIL(mlx_unflatten(&r, a, 1, (int[]){2, 2}, 2, cpu));
  CHECK_FAIL(mlx_unflatten(&r, a, 3, (int[]){1}, 1, cpu));
  CHECK_FAIL(mlx_unflatten(&r, a, 1, NULL, 0, cpu));

  mlx_array b = mlx_array_new();
  CHECK_OK(mlx_expand_dims_axes(&b, a, (int[]){0, -1}, 2, cpu));
  CHECK(mlx_array_ndim(b) == 5 && mlx_array_shape(b)[0] == 1 && mlx_array_shape(b)[4] == 1);
  CHECK(shares(a, b));
  CHECK_FAIL(mlx_expand_dims_axes(&r, a, (int[]){0, 0}, 2, cpu));
  CHECK_FAIL(mlx_expand_dims(&r, a, 4, cpu));
  CHECK_OK(mlx_squeeze(&r, b, cpu));
  CHECK(mlx_array_ndim(r) == 3);
  CHECK(shares(a, r));
  CHECK_OK(mlx_squeeze_axis(&r, b, -1, cpu));
  CHECK(mlx_array_ndim(r) == 4);
  CHECK_FAIL(mlx_squeeze_axis(&r, b, 1, cpu));
  CHECK(strstr(last_msg, "Cannot squeeze axis 1") != NULL);
  CHECK_FAIL(mlx_squeeze_axes(&r, b, (int[]){0, 0}, 2, cpu));

  CHECK_OK(mlx_swapaxes(&r, a, 0, 2, cpu));
  SAME(r, L(4, 3, 2),
       L(0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23));
  CHECK_FAIL(mlx_swapaxes(&r, a, 0, 3, cpu));
  CHECK_OK(mlx_moveaxis(&r, a, 0, -1, cpu));
  CHECK(mlx_array_shape(r)[0] == 3 && mlx_array_shape(r)[2] == 2);
  CHECK_OK(mlx_moveaxis(&r, a, 2, 0, cpu));
  CHECK(mlx_array_shape(r)[0] == 4 && mlx_array_shape(r)[1] == 2);

  mlx_array s = mlx_array_new_int(5);
  CHECK_OK(mlx_atleast_1d(&r, s, cpu));
  SAME(r, L(1), L(5));
  CHECK_OK(mlx_atleast_3d(&r, s, cpu));
  SAME(r, L(1, 1, 1), L(5));
  mlx_array v = iota((int[]){3}, 1);
  CHECK_OK(mlx_atleast_2d(&r, v, cpu));
  SAME(r, L(1, 3), L(0, 1, 2));
  CHECK_OK(mlx_atleast_3d(&r, v, cpu));
  SAME(r, L(1, 3, 1), L(0, 1, 2));

  /* broadcast_arrays */
  mlx_vector_array in = mlx_vector_array_new(), outs = mlx_vector_array_new();
  mlx_vector_array_append_value(in, a);
  mlx_vector_array_append_value(in, v);
  mlx_vector_array_append_value(in, s);
  mlx_array col = iota((int[]){3, 1}, 2);
  mlx_vector_array_append_value(in, col);
  mlx_vector_array bad = mlx_vector_array_new();
  mlx_vector_array_append_value(bad, a);
  mlx_array col2 = iota((int[]){2, 1}, 2);
  mlx_vector_array_append_value(bad, col2);
  CHECK_FAIL(mlx_broadcast_arrays(&outs, bad, cpu));
  mlx_vector_array_free(in);
  in = mlx_vector_array_new();
  mlx_array c214 = iota((int[]){2, 1, 4}, 3);
  mlx_vector_array_append_value(in, c214);
  mlx_vector_array_append_value(in, col);
  mlx_vector_array_append_value(in, s);
  CHECK_OK(mlx_broadcast_arrays(&outs, in, cpu));
  CHECK(vsize(outs) == 3);
  for (size_t i = 0; i < vsize(outs); i++) {
    mlx_array o = vget(outs, i);
    CHECK(mlx_array_ndim(o) == 3 && mlx_array_shape(o)[0] == 2 && mlx_array_shape(o)[1] == 3 &&
          mlx_array_shape(o)[2] == 4);
    mlx_array_free(o);
  }
  mlx_array o1 = vget(outs, 1);
  SAME(o1, L(2, 3, 4), L(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2));
  mlx_array_free(o1);

  /* as_strided: overlapping windows; out-of-range views are refused */
  mlx_array six = iota((int[]){2, 3}, 2);
  CHECK_OK(mlx_as_strided(&r, six, (int[]){2, 2}, 2, (int64_t[]){1, 1}, 2, 3, cpu));
  SAME(r, L(2, 2), L(3, 4, 4, 5));
  mlx_array t = mlx_array_new();
  mlx_transpose(&t, six, cpu);
  CHECK_OK(mlx_as_strided(&r, t, (int[]){6}, 1, (int64_t[]){1}, 1, 0, cpu));
  SAME(r, L(6), L(0, 3, 1, 4, 2, 5));
  CHECK_FAIL(mlx_as_strided(&r, six, (int[]){3, 2}, 2, (int64_t[]){2, 1}, 2, 1, cpu));
  CHECK(strstr(last_msg, "[as_strided]") != NULL);

  /* contiguous: a copy only when needed */
  CHECK_OK(mlx_contiguous(&r, t, false, cpu));
  SAME(r, L(3, 2), L(0, 3, 1, 4, 2, 5));
  CHECK(!shares(six, r));
  CHECK_OK(mlx_contiguous(&r, t, true, cpu));
  CHECK(shares(six, r));
  CHECK_OK(mlx_contiguous(&r, six, false, cpu));
  CHECK(shares(six, r));

  /* view */
  CHECK_OK(mlx_view(&r, six, MLX_UINT8, cpu));
  CHECK(mlx_array_ndim(r) == 2 && mlx_array_shape(r)[1] == 12);
  mlx_array_eval(r);
  const uint8_t *bytes = mlx_array_data_uint8(r);
  CHECK(bytes && bytes[4] == 1 && bytes[5] == 0 && bytes[20] == 5);
  CHECK_OK(mlx_view(&r, t, MLX_INT16, cpu)); /* non-contiguous: viewed from a copy */
  SAME(r, L(3, 4), L(0, 0, 3, 0, 1, 0, 4, 0, 2, 0, 5, 0));
  CHECK_OK(mlx_view(&r, six, MLX_FLOAT32, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && shares(six, r));
  CHECK_FAIL(mlx_view(&r, six, MLX_INT64, cpu));
  CHECK_FAIL(mlx_view(&r, s, MLX_INT16, cpu));
  CHECK(strstr(last_msg, "scalar") != NULL);
  mlx_array u16 = mlx_array_new(), back = mlx_array_new();
  CHECK_OK(mlx_view(&u16, six, MLX_UINT16, cpu));
  CHECK_OK(mlx_view(&back, u16, MLX_INT32, cpu));
  SAME(back, L(2, 3), L(0, 1, 2, 3, 4, 5));

  /* depends: same values, evaluated after the dependency */
  mlx_vector_array ins = mlx_vector_array_new_value(six), deps = mlx_vector_array_new_value(v);
  mlx_vector_array dres = mlx_vector_array_new();
  CHECK_OK(mlx_depends(&dres, ins, deps));
  CHECK(vsize(dres) == 1);
  mlx_array d0 = vget(dres, 0);
  SAME(d0, L(2, 3), L(0, 1, 2, 3, 4, 5));

  mlx_array frees[] = {a, r, b, s, v, col, six, t, u16, back, d0, col2, c214};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
  mlx_vector_array vfrees[] = {in, outs, bad, ins, deps, dres};
  for (size_t i = 0; i < sizeof vfrees / sizeof *vfrees; i++) mlx_vector_array_free(vfrees[i]);
}

/* ---- slicing ---- */

static void test_slice(void) {
  mlx_array a = iota((int[]){3, 4}, 2), r = mlx_array_new();
  CHECK_OK(mlx_slice(&r, a, (int[]){1, 0}, 2, (int[]){3, 4}, 2, (int[]){1, 2}, 2, cpu));
  SAME(r, L(2, 2), L(4, 6, 8, 10));
  CHECK(shares(a, r));
  /* negative steps, numpy clamping */
  CHECK_OK(mlx_slice(&r, a, (int[]){10, -1}, 2, (int[]){-10, -5}, 2, (int[]){-2, -1}, 2, cpu));
  SAME(r, L(2, 4), L(11, 10, 9, 8, 3, 2, 1, 0));
  CHECK_OK(mlx_slice(&r, a, (int[]){2, 0}, 2, (int[]){1, 4}, 2, (int[]){1, 1}, 2, cpu));
  CHECK(mlx_array_size(r) == 0 && mlx_array_shape(r)[0] == 0);
  CHECK_OK(mlx_slice(&r, a, (int[]){-1, 1}, 2, (int[]){4, 2}, 2, NULL, 0, cpu));
  SAME(r, L(1, 1), L(9));
  CHECK_FAIL(mlx_slice(&r, a, (int[]){0}, 1, (int[]){1}, 1, NULL, 0, cpu));
  CHECK_FAIL(mlx_slice(&r, a, (int[]){0, 0}, 2, (int[]){1, 1}, 2, (int[]){1, 0}, 2, cpu));
  /* a slice of a transposed slice */
  mlx_array t = mlx_array_new(), r2 = mlx_array_new();
  mlx_transpose(&t, a, cpu);
  CHECK_OK(mlx_slice(&r, t, (int[]){3, 0}, 2, (int[]){0, 3}, 2, (int[]){-2, 2}, 2, cpu));
  SAME(r, L(2, 2), L(3, 11, 1, 9));
  CHECK_OK(mlx_slice(&r2, r, (int[]){1, 1}, 2, (int[]){2, 2}, 2, NULL, 0, cpu));
  SAME(r2, L(1, 1), L(9));

  /* slice_update: broadcast and cast update; add/prod/max/min */
  mlx_array upd = mlx_array_new_float(7.9f);
  CHECK_OK(mlx_slice_update(&r, a, upd, (int[]){0, 1}, 2, (int[]){3, 4}, 2, (int[]){2, 2}, 2, cpu));
  SAME(r, L(3, 4), L(0, 7, 2, 7, 4, 5, 6, 7, 8, 7, 10, 7));
  CHECK(mlx_array_dtype(r) == MLX_INT32);
  mlx_array row = ints((int32_t[]){10, 20, 30, 40}, (int[]){4}, 1);
  CHECK_OK(mlx_slice_update_add(&r, a, row, (int[]){1, 0}, 2, (int[]){3, 4}, 2, NULL, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 14, 25, 36, 47, 18, 29, 40, 51));
  CHECK_OK(mlx_slice_update_prod(&r, a, row, (int[]){2, 0}, 2, (int[]){3, 4}, 2, NULL, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 4, 5, 6, 7, 80, 180, 300, 440));
  mlx_array five = mlx_array_new_int(5);
  CHECK_OK(mlx_slice_update_max(&r, a, five, (int[]){0, 0}, 2, (int[]){3, 4}, 2, NULL, 0, cpu));
  SAME(r, L(3, 4), L(5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 10, 11));
  CHECK_OK(mlx_slice_update_min(&r, a, five, (int[]){0, 0}, 2, (int[]){3, 4}, 2, NULL, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5));
  /* reversed slice update */
  CHECK_OK(
      mlx_slice_update(&r, a, row, (int[]){0, 3}, 2, (int[]){1, -5}, 2, (int[]){1, -1}, 2, cpu));
  SAME(r, L(3, 4), L(40, 30, 20, 10, 4, 5, 6, 7, 8, 9, 10, 11));
  CHECK_FAIL(mlx_slice_update(&r, a, row, (int[]){0, 0}, 2, (int[]){3, 2}, 2, NULL, 0, cpu));
  /* the original is untouched */
  SAME(a, L(3, 4), L(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));

  /* dynamic slices: start read at run time, clamped so the slice fits */
  mlx_array st = ints((int32_t[]){1, 2}, (int[]){2}, 1);
  CHECK_OK(mlx_slice_dynamic(&r, a, st, (int[]){0, 1}, 2, (int[]){2, 2}, 2, cpu));
  SAME(r, L(2, 2), L(6, 7, 10, 11));
  mlx_array big = ints((int32_t[]){7}, (int[]){1}, 1);
  CHECK_OK(mlx_slice_dynamic(&r, a, big, (int[]){1}, 1, (int[]){3, 2}, 2, cpu));
  SAME(r, L(3, 2), L(2, 3, 6, 7, 10, 11));
  mlx_array neg = ints((int32_t[]){-1}, (int[]){1}, 1);
  CHECK_OK(mlx_slice_dynamic(&r, a, neg, (int[]){0}, 1, (int[]){1, 4}, 2, cpu));
  SAME(r, L(1, 4), L(8, 9, 10, 11));
  mlx_array fst = mlx_array_new_data((float[]){1}, (int[]){1}, 1, MLX_FLOAT32);
  CHECK_FAIL(mlx_slice_dynamic(&r, a, fst, (int[]){0}, 1, (int[]){1, 4}, 2, cpu));
  CHECK_FAIL(mlx_slice_dynamic(&r, a, big, (int[]){0}, 1, (int[]){1}, 1, cpu));
  CHECK_FAIL(mlx_slice_dynamic(&r, a, big, (int[]){0}, 1, (int[]){4, 4}, 2, cpu));
  mlx_array pair = ints((int32_t[]){9, 9}, (int[]){1, 2}, 2);
  CHECK_OK(mlx_slice_update_dynamic(&r, a, pair, big, (int[]){1}, 1, cpu));
  SAME(r, L(3, 4), L(0, 1, 9, 9, 4, 5, 6, 7, 8, 9, 10, 11));
  mlx_array one = ints((int32_t[]){-3}, (int[]){1}, 1);
  CHECK_OK(mlx_slice_update_dynamic(&r, a, five, one, (int[]){1}, 1, cpu));
  SAME(r, L(3, 4), L(0, 5, 2, 3, 4, 5, 6, 7, 8, 5, 10, 11));

  mlx_array frees[] = {a, r, t, r2, upd, row, five, st, big, neg, fst, pair, one};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
}

static void test_join_split(void) {
  mlx_array a = iota((int[]){2, 2}, 2), r = mlx_array_new();
  mlx_array f = mlx_array_new_data((float[]){0.5f, 1.5f}, (int[]){1, 2}, 2, MLX_FLOAT32);
  mlx_vector_array v = mlx_vector_array_new();
  mlx_vector_array_append_value(v, a);
  mlx_vector_array_append_value(v, f);
  CHECK_OK(mlx_concatenate_axis(&r, v, 0, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && mlx_array_shape(r)[0] == 3);
  mlx_array_eval(r);
  const float *fp = mlx_array_data_float32(r);
  CHECK(fp && fp[3] == 3.0f && fp[4] == 0.5f && fp[5] == 1.5f);
  CHECK_FAIL(mlx_concatenate_axis(&r, v, 1, cpu));
  CHECK(strstr(last_msg, "must match exactly") != NULL);
  CHECK_OK(mlx_concatenate(&r, v, cpu));
  CHECK(mlx_array_ndim(r) == 1 && mlx_array_size(r) == 6);
  mlx_vector_array empty = mlx_vector_array_new();
  CHECK_FAIL(mlx_concatenate_axis(&r, empty, 0, cpu));
  mlx_vector_array w = mlx_vector_array_new();
  mlx_array t = mlx_array_new();
  mlx_transpose(&t, a, cpu);
  mlx_vector_array_append_value(w, a);
  mlx_vector_array_append_value(w, t);
  CHECK_OK(mlx_concatenate_axis(&r, w, -1, cpu));
  SAME(r, L(2, 4), L(0, 1, 0, 2, 2, 3, 1, 3));
  CHECK_OK(mlx_stack_axis(&r, w, 1, cpu));
  SAME(r, L(2, 2, 2), L(0, 1, 0, 2, 2, 3, 1, 3));
  CHECK_OK(mlx_stack(&r, w, cpu));
  SAME(r, L(2, 2, 2), L(0, 1, 2, 3, 0, 2, 1, 3));
  CHECK_FAIL(mlx_stack_axis(&r, v, 0, cpu));
  CHECK_FAIL(mlx_stack_axis(&r, w, 3, cpu));

  /* split */
  mlx_array b = iota((int[]){2, 6}, 2);
  mlx_vector_array parts = mlx_vector_array_new();
  CHECK_OK(mlx_split(&parts, b, 3, 1, cpu));
  CHECK(vsize(parts) == 3);
  mlx_array p1 = vget(parts, 1);
  SAME(p1, L(2, 2), L(2, 3, 8, 9));
  CHECK(shares(b, p1));
  mlx_array_free(p1);
  CHECK_FAIL(mlx_split(&parts, b, 4, 1, cpu));
  CHECK_FAIL(mlx_split(&parts, b, 0, 1, cpu));
  CHECK_OK(mlx_split_sections(&parts, b, (int[]){1, 8, -2}, 3, 1, cpu));
  CHECK(vsize(parts) == 4);
  int expect_len[] = {1, 5, 0, 2};
  for (int i = 0; i < 4; i++) {
    mlx_array p = vget(parts, (size_t)i);
    CHECK(mlx_array_shape(p)[1] == expect_len[i]);
    mlx_array_free(p);
  }
  CHECK_OK(mlx_split_sections(&parts, b, NULL, 0, 0, cpu));
  CHECK(vsize(parts) == 1);

  /* repeat, tile */
  CHECK_OK(mlx_repeat_axis(&r, a, 2, 1, cpu));
  SAME(r, L(2, 4), L(0, 0, 1, 1, 2, 2, 3, 3));
  CHECK_OK(mlx_repeat(&r, a, 2, cpu));
  SAME(r, L(8), L(0, 0, 1, 1, 2, 2, 3, 3));
  CHECK_OK(mlx_repeat_axis(&r, t, 0, 0, cpu));
  CHECK(mlx_array_shape(r)[0] == 0);
  CHECK_FAIL(mlx_repeat_axis(&r, a, -1, 0, cpu));
  CHECK_OK(mlx_tile(&r, a, (int[]){2, 1}, 2, cpu));
  SAME(r, L(4, 2), L(0, 1, 2, 3, 0, 1, 2, 3));
  CHECK_OK(mlx_tile(&r, t, (int[]){2, 1, 2}, 3, cpu));
  SAME(r, L(2, 2, 4), L(0, 2, 0, 2, 1, 3, 1, 3, 0, 2, 0, 2, 1, 3, 1, 3));
  CHECK_FAIL(mlx_tile(&r, a, (int[]){-1}, 1, cpu));

  /* pad */
  mlx_array nine = mlx_array_new_int(9);
  CHECK_OK(
      mlx_pad(&r, a, (int[]){0, 1}, 2, (int[]){1, 0}, 2, (int[]){0, 2}, 2, nine, "constant", cpu));
  SAME(r, L(3, 4), L(9, 9, 9, 9, 0, 1, 9, 9, 2, 3, 9, 9));
  mlx_array row = iota((int[]){1, 3}, 2);
  CHECK_OK(mlx_pad(&r, row, (int[]){1}, 1, (int[]){2}, 1, (int[]){3}, 1, nine, "edge", cpu));
  SAME(r, L(1, 8), L(0, 0, 0, 1, 2, 2, 2, 2));
  CHECK_OK(mlx_pad(&r, row, (int[]){1}, 1, (int[]){4}, 1, (int[]){4}, 1, nine, "reflect", cpu));
  SAME(r, L(1, 11), L(0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2));
  CHECK_OK(mlx_pad(&r, row, (int[]){1}, 1, (int[]){4}, 1, (int[]){4}, 1, nine, "symmetric", cpu));
  SAME(r, L(1, 11), L(2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0));
  CHECK_OK(mlx_pad_symmetric(&r, a, 1, nine, "constant", cpu));
  SAME(r, L(4, 4), L(9, 9, 9, 9, 9, 0, 1, 9, 9, 2, 3, 9, 9, 9, 9, 9));
  CHECK_FAIL(mlx_pad_symmetric(&r, a, 1, nine, "wrap", cpu));
  CHECK_FAIL(mlx_pad_symmetric(&r, a, -1, nine, "constant", cpu));

  /* roll */
  mlx_array c = iota((int[]){2, 3}, 2);
  CHECK_OK(mlx_roll(&r, c, (int[]){1}, 1, cpu));
  SAME(r, L(2, 3), L(5, 0, 1, 2, 3, 4));
  CHECK_OK(mlx_roll_axis(&r, c, (int[]){-7}, 1, 1, cpu));
  SAME(r, L(2, 3), L(1, 2, 0, 4, 5, 3));
  CHECK_OK(mlx_roll_axes(&r, c, (int[]){1, 2}, 2, (int[]){0, 1}, 2, cpu));
  SAME(r, L(2, 3), L(4, 5, 3, 1, 2, 0));
  CHECK_OK(mlx_roll_axes(&r, c, (int[]){1}, 1, (int[]){0, 1}, 2, cpu));
  SAME(r, L(2, 3), L(5, 3, 4, 2, 0, 1));
  CHECK_FAIL(mlx_roll_axis(&r, c, (int[]){1}, 1, 2, cpu));

  mlx_array frees[] = {a, r, f, t, b, nine, row, c};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
  mlx_vector_array vf[] = {v, empty, w, parts};
  for (size_t i = 0; i < sizeof vf / sizeof *vf; i++) mlx_vector_array_free(vf[i]);
}

static void test_diag_tri(void) {
  mlx_array a = iota((int[]){3, 4}, 2), r = mlx_array_new();
  CHECK_OK(mlx_diagonal(&r, a, 0, 0, 1, cpu));
  SAME(r, L(3), L(0, 5, 10));
  CHECK(shares(a, r));
  CHECK_OK(mlx_diagonal(&r, a, 1, 0, 1, cpu));
  SAME(r, L(3), L(1, 6, 11));
  CHECK_OK(mlx_diagonal(&r, a, -1, 1, 0, cpu));
  SAME(r, L(3), L(1, 6, 11));
  CHECK_OK(mlx_diagonal(&r, a, 9, 0, 1, cpu));
  CHECK(mlx_array_size(r) == 0);
  CHECK_FAIL(mlx_diagonal(&r, a, 0, 1, 1, cpu));
  mlx_array b = iota((int[]){2, 3, 4}, 3);
  CHECK_OK(mlx_diagonal(&r, b, 1, 2, 0, cpu));
  SAME(r, L(3, 1), L(12, 16, 20));

  mlx_array v = iota((int[]){3}, 1);
  CHECK_OK(mlx_diag(&r, v, 1, cpu));
  SAME(r, L(4, 4), L(0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0));
  CHECK_OK(mlx_diag(&r, v, -2, cpu));
  CHECK(mlx_array_shape(r)[0] == 5);
  CHECK_OK(mlx_diag(&r, a, 0, cpu));
  SAME(r, L(3), L(0, 5, 10));
  CHECK_FAIL(mlx_diag(&r, b, 0, cpu));

  CHECK_OK(mlx_trace(&r, a, 0, 0, 1, MLX_INT32, cpu));
  SAME0(r, L(15));
  CHECK_OK(mlx_trace(&r, a, 1, 0, 1, MLX_FLOAT32, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32);
  float tv = 0;
  mlx_array_item_float32(&tv, r);
  CHECK(tv == 18.0f);
  CHECK_FAIL(mlx_trace(&r, v, 0, 0, 1, MLX_INT32, cpu));

  CHECK_OK(mlx_tril(&r, a, 0, cpu));
  SAME(r, L(3, 4), L(0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0));
  CHECK_OK(mlx_triu(&r, a, 1, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11));
  CHECK_OK(mlx_tril(&r, a, -5, cpu));
  SAME(r, L(3, 4), L(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  mlx_array t = mlx_array_new();
  mlx_transpose(&t, a, cpu);
  CHECK_OK(mlx_triu(&r, t, -1, cpu));
  SAME(r, L(4, 3), L(0, 4, 8, 1, 5, 9, 0, 6, 10, 0, 0, 11));
  CHECK_FAIL(mlx_tril(&r, v, 0, cpu));

  mlx_array frees[] = {a, r, b, v, t};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
}

static void test_gather_scatter(void) {
  mlx_array a = iota((int[]){3, 4}, 2), r = mlx_array_new();
  /* take: negative indices wrap, out-of-range ones are clamped (never read outside) */
  mlx_array idx = mlx_array_new_data((int8_t[]){2, -1, 0}, (int[]){3}, 1, MLX_INT8);
  CHECK_OK(mlx_take_axis(&r, a, idx, 1, cpu));
  SAME(r, L(3, 3), L(2, 3, 0, 6, 7, 4, 10, 11, 8));
  CHECK_OK(mlx_take_axis(&r, a, idx, 0, cpu));
  SAME(r, L(3, 4), L(8, 9, 10, 11, 8, 9, 10, 11, 0, 1, 2, 3));
  mlx_array idx2 = mlx_array_new_data((uint64_t[]){11, 100, 5, 0}, (int[]){2, 2}, 2, MLX_UINT64);
  CHECK_OK(mlx_take(&r, a, idx2, cpu));
  SAME(r, L(2, 2), L(11, 11, 5, 0));
  mlx_array fidx = mlx_array_new_data((float[]){1}, (int[]){1}, 1, MLX_FLOAT32);
  CHECK_FAIL(mlx_take_axis(&r, a, fidx, 0, cpu));
  CHECK(strstr(last_msg, "integral") != NULL);
  CHECK_FAIL(mlx_take_axis(&r, a, idx, 2, cpu));

  /* take_along_axis / put_along_axis */
  mlx_array ia = ints((int32_t[]){3, 0, 1}, (int[]){3, 1}, 2);
  CHECK_OK(mlx_take_along_axis(&r, a, ia, 1, cpu));
  SAME(r, L(3, 1), L(3, 4, 9));
  mlx_array ib = ints((int32_t[]){2, 0, 1, 1}, (int[]){1, 4}, 2);
  CHECK_OK(mlx_take_along_axis(&r, a, ib, 0, cpu));
  SAME(r, L(1, 4), L(8, 1, 6, 7));
  CHECK_FAIL(mlx_take_along_axis(&r, a, idx, 0, cpu));
  mlx_array vals = ints((int32_t[]){-1, -2, -3}, (int[]){3, 1}, 2);
  CHECK_OK(mlx_put_along_axis(&r, a, ia, vals, 1, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, -1, -2, 5, 6, 7, 8, -3, 10, 11));
  mlx_array rep = ints((int32_t[]){1, 1, 1}, (int[]){1, 3}, 2);
  mlx_array ones = mlx_array_new_int(1);
  CHECK_OK(mlx_scatter_add_axis(&r, a, rep, ones, 1, cpu));
  SAME(r, L(3, 4), L(0, 4, 2, 3, 4, 8, 6, 7, 8, 12, 10, 11));

  /* gather: general form */
  mlx_vector_array gi = mlx_vector_array_new();
  mlx_array i0 = ints((int32_t[]){0, 2}, (int[]){2}, 1),
            i1 = ints((int32_t[]){1, 3}, (int[]){2}, 1);
  mlx_vector_array_append_value(gi, i0);
  mlx_vector_array_append_value(gi, i1);
  CHECK_OK(mlx_gather(&r, a, gi, (int[]){0, 1}, 2, (int[]){1, 1}, 2, cpu));
  SAME(r, L(2, 1, 1), L(1, 11));
  CHECK_OK(mlx_gather_single(&r, a, i0, 0, (int[]){1, 3}, 2, cpu));
  SAME(r, L(2, 1, 3), L(0, 1, 2, 8, 9, 10));
  CHECK_FAIL(mlx_gather_single(&r, a, i0, 0, (int[]){1, 5}, 2, cpu));
  CHECK_FAIL(mlx_gather_single(&r, a, i0, 0, (int[]){1}, 1, cpu));
  CHECK_FAIL(mlx_gather(&r, a, gi, (int[]){0}, 1, (int[]){1, 1}, 2, cpu));

  /* scatter family: repeated indices (last write wins / accumulate), dropped out-of-range */
  mlx_array si = ints((int32_t[]){1, 1, -1, 7}, (int[]){4}, 1);
  mlx_array su = ints((int32_t[]){5, 6, 7, 8, 9, 10, 11, 12}, (int[]){4, 1, 2}, 3);
  CHECK_OK(mlx_scatter_single(&r, a, si, su, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 7, 8, 6, 7, 9, 10, 10, 11));
  CHECK_OK(mlx_scatter_add_single(&r, a, si, su, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 16, 19, 6, 7, 17, 19, 10, 11));
  CHECK_OK(mlx_scatter_prod_single(&r, a, si, su, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 140, 240, 6, 7, 72, 90, 10, 11));
  CHECK_OK(mlx_scatter_max_single(&r, a, si, su, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 7, 8, 6, 7, 9, 10, 10, 11));
  CHECK_OK(mlx_scatter_min_single(&r, a, si, su, 0, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  mlx_vector_array sv = mlx_vector_array_new_value(si);
  mlx_array su2 = ints((int32_t[]){-1, -2, -3, -4}, (int[]){4, 1, 1}, 3);
  mlx_array i0123 = ints((int32_t[]){0, 1, 2, 3}, (int[]){4}, 1);
  mlx_vector_array_append_value(sv, i0123);
  CHECK_OK(mlx_scatter(&r, a, sv, su2, (int[]){0, 1}, 2, cpu));
  SAME(r, L(3, 4), L(0, 1, 2, 3, -1, -2, 6, 7, 8, 9, -3, 11));
  CHECK_FAIL(mlx_scatter_single(&r, a, si, a, 0, cpu)); /* updates rank */
  CHECK_FAIL(mlx_scatter_single(&r, a, fidx, su, 0, cpu));

  /* masked_scatter */
  mlx_array mask = mlx_array_new_data((bool[]){true, false, false, true}, (int[]){4}, 1, MLX_BOOL);
  mlx_array src = ints((int32_t[]){100, 101, 102, 103, 104, 105}, (int[]){2, 3}, 2);
  CHECK_OK(mlx_masked_scatter(&r, a, mask, src, cpu));
  SAME(r, L(3, 4), L(100, 1, 2, 101, 102, 5, 6, 103, 104, 9, 10, 105));
  mlx_array small = ints((int32_t[]){1, 2}, (int[]){2}, 1);
  CHECK_OK(mlx_masked_scatter(&r, a, mask, small, cpu));
  CHECK_FAIL(mlx_array_eval(r)); /* not enough source elements: an error at evaluation */
  CHECK(strstr(last_msg, "enough") != NULL);
  CHECK_FAIL(mlx_masked_scatter(&r, a, small, src, cpu));

  mlx_array frees[] = {a,  r,  idx, idx2, fidx, ia,   ib,  vals,  rep,  ones,
                       i0, i1, si,  su,   su2,  mask, src, small, i0123};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
  mlx_vector_array_free(gi);
  mlx_vector_array_free(sv);
}

/* put_along_axis and scatter_add_axis (the PutAlongAxis primitive): negative indices wrap
 * once, out-of-range ones drop their update, repeated ones keep the last write (or add up),
 * indices and values broadcast (the array too, as MLX does), every dtype class; and
 * take_along_axis (TakeAlongAxis). */
static void test_put_along_axis(void) {
  mlx_array a = iota((int[]){3, 4}, 2), r = mlx_array_new();
  mlx_array i1 = ints((int32_t[]){0, 0, -1, 9, 1, -4, -5, 2, 3, 3, 3, 3}, (int[]){3, 4}, 2);
  mlx_array v1 =
      ints((int32_t[]){10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, (int[]){3, 4}, 2);
  CHECK_OK(mlx_put_along_axis(&r, a, i1, v1, 1, cpu));
  SAME(r, L(3, 4), L(11, 1, 2, 12, 15, 14, 17, 7, 8, 9, 10, 21));
  CHECK_OK(mlx_put_along_axis(&r, a, i1, v1, -1, cpu));
  SAME(r, L(3, 4), L(11, 1, 2, 12, 15, 14, 17, 7, 8, 9, 10, 21));
  CHECK_OK(mlx_scatter_add_axis(&r, a, i1, v1, 1, cpu));
  SAME(r, L(3, 4), L(21, 1, 2, 15, 19, 19, 23, 7, 8, 9, 10, 89));
  /* take_along_axis, its transpose: negative indices wrap once, then clamp into the axis */
  CHECK_OK(mlx_take_along_axis(&r, a, i1, 1, cpu));
  SAME(r, L(3, 4), L(0, 0, 3, 3, 5, 4, 4, 6, 11, 11, 11, 11));
  /* along axis 0, indices (1, 4) broadcast over nothing, values a scalar */
  mlx_array i0 = ints((int32_t[]){2, -3, 1, 5}, (int[]){1, 4}, 2), seven = mlx_array_new_int(7);
  CHECK_OK(mlx_put_along_axis(&r, a, i0, seven, 0, cpu));
  SAME(r, L(3, 4), L(0, 7, 2, 3, 4, 5, 7, 7, 7, 9, 10, 11));
  /* transposed array and indices */
  mlx_array at = mlx_array_new(), it = mlx_array_new();
  mlx_transpose(&at, a, cpu);
  mlx_transpose(&it, i0, cpu);
  CHECK_OK(mlx_put_along_axis(&r, at, it, seven, 1, cpu));
  SAME(r, L(4, 3), L(0, 4, 7, 7, 5, 9, 2, 7, 10, 3, 7, 11));
  /* a (1, 4) grows to the indices' (3, 1) rows */
  mlx_array row = iota((int[]){1, 4}, 2), ic = ints((int32_t[]){1, 2, 3}, (int[]){3, 1}, 2);
  CHECK_OK(mlx_put_along_axis(&r, row, ic, seven, 1, cpu));
  SAME(r, L(3, 4), L(0, 7, 2, 3, 0, 1, 7, 3, 0, 1, 2, 7));
  /* every dtype class */
  mlx_dtype types[] = {MLX_BOOL,   MLX_UINT8,   MLX_INT16,    MLX_UINT32,  MLX_INT64,
                       MLX_UINT64, MLX_FLOAT16, MLX_BFLOAT16, MLX_FLOAT64, MLX_COMPLEX64};
  mlx_array ones = ints((int32_t[]){1, 1}, (int[]){1, 2}, 2),
            rep = ints((int32_t[]){2, 2}, (int[]){1, 2}, 2);
  for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
    mlx_array x = mlx_array_new(), u = mlx_array_new();
    mlx_astype(&x, a, types[k], cpu);
    mlx_astype(&u, ones, types[k], cpu);
    CHECK_OK(mlx_scatter_add_axis(&r, x, rep, u, 1, cpu));
    CHECK(mlx_array_dtype(r) == types[k]);
    if (types[k] == MLX_BOOL)
      SAME(r, L(3, 4), L(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    else
      SAME(r, L(3, 4), L(0, 1, 4, 3, 4, 5, 8, 7, 8, 9, 12, 11));
    CHECK_OK(mlx_put_along_axis(&r, x, rep, u, 1, cpu));
    if (types[k] == MLX_BOOL)
      SAME(r, L(3, 4), L(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    else
      SAME(r, L(3, 4), L(0, 1, 1, 3, 4, 5, 1, 7, 8, 9, 1, 11));
    mlx_array_free(x);
    mlx_array_free(u);
  }
  /* errors */
  mlx_array fidx = mlx_array_new_data((float[]){1}, (int[]){1, 1}, 2, MLX_FLOAT32);
  CHECK_FAIL(mlx_put_along_axis(&r, a, fidx, seven, 1, cpu));
  CHECK(strstr(last_msg, "integral") != NULL);
  mlx_array flat = ints((int32_t[]){1}, (int[]){1}, 1);
  CHECK_FAIL(mlx_put_along_axis(&r, a, flat, seven, 1, cpu));
  CHECK_FAIL(mlx_put_along_axis(&r, a, i0, seven, 2, cpu));
  mlx_array two = ints((int32_t[]){0, 1}, (int[]){2, 1}, 2);
  CHECK_FAIL(mlx_put_along_axis(&r, a, two, seven, 1, cpu));
  CHECK(strstr(last_msg, "put_along_axis") != NULL);
  mlx_array frees[] = {a, r, i1, v1, i0, seven, at, it, row, ic, ones, rep, fidx, flat, two};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
}

/* The update kernels for every dtype class: bool, 8..64-bit integers, float16, bfloat16,
 * float64, complex64. */
static void test_dtypes(void) {
  mlx_dtype types[] = {MLX_BOOL,   MLX_UINT8,   MLX_INT16,    MLX_UINT32,  MLX_INT64,
                       MLX_UINT64, MLX_FLOAT16, MLX_BFLOAT16, MLX_FLOAT64, MLX_COMPLEX64};
  for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
    mlx_dtype t = types[k];
    mlx_array a0 = iota((int[]){2, 3}, 2), a = mlx_array_new(), r = mlx_array_new();
    mlx_astype(&a, a0, t, cpu);
    mlx_array idx = ints((int32_t[]){2, 2, 0}, (int[]){3}, 1);
    mlx_array u0 = ints((int32_t[]){1, 1, 1, 1, 1, 1}, (int[]){3, 2, 1}, 3), u = mlx_array_new();
    mlx_astype(&u, u0, t, cpu);
    CHECK_OK(mlx_scatter_add_single(&r, a, idx, u, 1, cpu));
    if (t == MLX_BOOL)
      SAME(r, L(2, 3), L(1, 1, 1, 1, 1, 1));
    else
      SAME(r, L(2, 3), L(1, 1, 4, 4, 4, 7));
    CHECK_OK(mlx_take_axis(&r, a, idx, 1, cpu));
    CHECK(mlx_array_dtype(r) == t);
    if (t == MLX_BOOL)
      SAME(r, L(2, 3), L(1, 1, 0, 1, 1, 1));
    else
      SAME(r, L(2, 3), L(2, 2, 0, 5, 5, 3));
    CHECK_OK(mlx_scatter_max_single(&r, a, idx, u, 1, cpu));
    if (t == MLX_BOOL)
      SAME(r, L(2, 3), L(1, 1, 1, 1, 1, 1));
    else
      SAME(r, L(2, 3), L(1, 1, 2, 3, 4, 5));
    mlx_array c = mlx_array_new(), tc = mlx_array_new();
    mlx_transpose(&tc, a, cpu);
    mlx_vector_array vtc = mlx_vector_array_new_value(tc);
    CHECK_OK(mlx_concatenate_axis(&c, vtc, 0, cpu));
    mlx_vector_array_free(vtc);
    if (t == MLX_BOOL)
      SAME(c, L(3, 2), L(0, 1, 1, 1, 1, 1));
    else
      SAME(c, L(3, 2), L(0, 3, 1, 4, 2, 5));
    mlx_array frees[] = {a0, a, r, idx, u0, u, c, tc};
    for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
  }
  /* float16 sums are computed in float */
  mlx_array h = mlx_array_new(), z = mlx_array_new(), r = mlx_array_new();
  mlx_zeros(&h, (int[]){1}, 1, MLX_FLOAT16, cpu);
  mlx_array idx = mlx_array_new_data((int32_t[]){0, 0, 0, 0}, (int[]){4}, 1, MLX_INT32);
  mlx_array u =
      mlx_array_new_data((float[]){0.1f, 0.2f, 0.3f, 0.4f}, (int[]){4, 1}, 2, MLX_FLOAT32);
  CHECK_OK(mlx_scatter_add_single(&r, h, idx, u, 0, cpu));
  CHECK_OK(mlx_astype(&z, r, MLX_FLOAT32, cpu));
  mlx_array_eval(z);
  const float *pf = mlx_array_data_float32(z);
  CHECK(pf && fabsf(pf[0] - 1.0f) < 1e-3f);
  mlx_array frees[] = {h, z, r, idx, u};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
}

/* Updates take over the input's buffer when nothing else can see it. */
static void test_donation(void) {
  int n = 1 << 16;
  mlx_array a = mlx_array_new(), r = mlx_array_new(), b = mlx_array_new();
  mlx_zeros(&a, (int[]){n}, 1, MLX_FLOAT32, cpu);
  mlx_array one = mlx_array_new_float(1.0f);
  mlx_add(&b, a, one, cpu); /* b: an intermediate nobody else holds */
  mlx_array_eval(b);
  const float *pb = mlx_array_data_float32(b);
  CHECK_OK(mlx_slice_update(&r, b, one, (int[]){0}, 1, (int[]){1}, 1, NULL, 0, cpu));
  mlx_array_free(b); /* r's node holds the only reference */
  b = mlx_array_new();
  CHECK_OK(mlx_array_eval(r));
  CHECK(mlx_array_data_float32(r) == pb);
  /* a is still held: it must be copied and stay unchanged */
  mlx_array r2 = mlx_array_new();
  CHECK_OK(mlx_slice_update(&r2, a, one, (int[]){0}, 1, (int[]){1}, 1, NULL, 0, cpu));
  CHECK_OK(mlx_array_eval(r2));
  CHECK(mlx_array_data_float32(r2) != mlx_array_data_float32(a));
  CHECK(mlx_array_data_float32(a)[0] == 0.0f && mlx_array_data_float32(r2)[0] == 1.0f);
  mlx_array frees[] = {a, r, b, one, r2};
  for (size_t i = 0; i < sizeof frees / sizeof *frees; i++) mlx_array_free(frees[i]);
}

static void test_errors(void) {
  mlx_array a = iota((int[]){2, 2}, 2), r = mlx_array_new(), empty = mlx_array_new();
  CHECK_FAIL(mlx_flatten(&r, empty, 0, -1, cpu));
  CHECK_FAIL(mlx_take(&r, a, empty, cpu));
  CHECK_FAIL(mlx_flatten(NULL, a, 0, -1, cpu));
  mlx_vector_array v = mlx_vector_array_new();
  mlx_vector_array_append_value(v, a);
  CHECK_FAIL(mlx_split(NULL, a, 2, 0, cpu));
  CHECK_FAIL(mlx_gather(&r, a, v, NULL, 1, (int[]){1, 1}, 2, cpu));
  /* the library keeps working */
  CHECK_OK(mlx_flatten(&r, a, 0, -1, cpu));
  SAME(r, L(4), L(0, 1, 2, 3));
  mlx_array_free(a);
  mlx_array_free(r);
  mlx_vector_array_free(v);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_shapes();
  test_slice();
  test_join_split();
  test_diag_tri();
  test_gather_scatter();
  test_put_along_axis();
  test_dtypes();
  test_donation();
  test_errors();
  mlx_stream_free(cpu);
}
