/* The foundation end to end through the public C API: creation, proof ops with broadcasting
 * and promotion, views, eval/async_eval, deep graphs, memory accounting, errors, threads, and
 * injected allocation failures (internal hook). */
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

#include "core/allocator.h"
#include "core/array.h"

static char last_msg[1024];
static int num_errors;

static void capture_error(const char *msg, void *data) {
  snprintf(last_msg, sizeof last_msg, "%s", msg);
  num_errors++;
}

static mlx_stream cpu;

static mlx_array from_floats(const float *v, const int *shape, int ndim) {
  return mlx_array_new_data(v, shape, ndim, MLX_FLOAT32);
}

static float item_f32(mlx_array a) {
  float v = NAN;
  CHECK_OK(mlx_array_item_float32(&v, a));
  return v;
}

static size_t active(void) {
  size_t n = 0;
  mlx_get_active_memory(&n);
  return n;
}

static void test_creation_and_properties(void) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  int shape[2] = {2, 3};
  mlx_array a = from_floats(data, shape, 2);
  CHECK(mlx_array_ndim(a) == 2);
  CHECK(mlx_array_size(a) == 6);
  CHECK(mlx_array_itemsize(a) == 4);
  CHECK(mlx_array_nbytes(a) == 24);
  CHECK(mlx_array_dim(a, -1) == 3);
  CHECK(mlx_array_dtype(a) == MLX_FLOAT32);
  const float *p = mlx_array_data_float32(a);
  CHECK(p && p[5] == 6);
  const size_t *st = mlx_array_strides(a);
  CHECK(st && st[0] == 3 && st[1] == 1);

  mlx_array z = mlx_array_new(), o = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_zeros(&z, shape, 2, MLX_INT32, cpu));
  CHECK_OK(mlx_ones(&o, shape, 2, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_arange(&r, 0, 10, 2.5, MLX_FLOAT32, cpu));
  CHECK(mlx_array_size(r) == 4);
  const float *rp = mlx_array_data_float32(r);
  CHECK(rp && rp[3] == 7.5f);
  const int32_t *zp = mlx_array_data_int32(z);
  CHECK(zp && zp[0] == 0 && zp[5] == 0);
  float16_t h;
  mlx_array o_sum = mlx_array_new();
  CHECK_OK(mlx_sum(&o_sum, o, false, cpu));
  CHECK_OK(mlx_array_item_float16(&h, o_sum));
  CHECK((float)h == 6.0f);

  mlx_array seven = mlx_array_new_int(7), f = mlx_array_new();
  CHECK_OK(mlx_full(&f, shape, 2, seven, MLX_FLOAT64, cpu));
  const double *fp = mlx_array_data_float64(f);
  CHECK(fp && fp[4] == 7.0);
  /* Wrong-dtype reads are errors, not reinterpretations. */
  int32_t i32;
  CHECK_OK(mlx_array_item_int32(&i32, seven));
  CHECK(i32 == 7);
  CHECK_FAIL(mlx_array_item_float32(&(float){0}, seven));
  CHECK(strstr(last_msg, "int32") != NULL);
  mlx_array arrays[] = {a, z, o, r, o_sum, seven, f};
  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) mlx_array_free(arrays[i]);
}

static void test_arithmetic(void) {
  float av[6] = {1, 2, 3, 4, 5, 6}, bv[3] = {10, 20, 30};
  int ashape[2] = {2, 3}, bshape[1] = {3};
  mlx_array a = from_floats(av, ashape, 2), b = from_floats(bv, bshape, 1);
  mlx_array sum = mlx_array_new(), diff = mlx_array_new(), prod = mlx_array_new(),
            quot = mlx_array_new();
  CHECK_OK(mlx_add(&sum, a, b, cpu));
  CHECK_OK(mlx_subtract(&diff, a, b, cpu));
  CHECK_OK(mlx_multiply(&prod, a, b, cpu));
  CHECK_OK(mlx_divide(&quot, b, a, cpu));
  const float *s = mlx_array_data_float32(sum), *d = mlx_array_data_float32(diff),
              *m = mlx_array_data_float32(prod), *q = mlx_array_data_float32(quot);
  CHECK(s && d && m && q);
  for (int i = 0; s && d && m && q && i < 6; i++) {
    CHECK(s[i] == av[i] + bv[i % 3]);
    CHECK(d[i] == av[i] - bv[i % 3]);
    CHECK(m[i] == av[i] * bv[i % 3]);
    CHECK_NEAR(q[i], bv[i % 3] / av[i], 1e-6);
  }

  /* Promotion: int32 + float32 -> float32; int / int -> float32; uint64 + int8 -> float32. */
  mlx_array i = mlx_array_new_int(3), f = mlx_array_new_float32(0.5f), r = mlx_array_new();
  CHECK_OK(mlx_add(&r, i, f, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && item_f32(r) == 3.5f);
  mlx_array two = mlx_array_new_int(2);
  CHECK_OK(mlx_divide(&r, i, two, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && item_f32(r) == 1.5f);
  uint64_t u = 5;
  int8_t s8 = -2;
  mlx_array ua = mlx_array_new_data(&u, NULL, 0, MLX_UINT64),
            sa = mlx_array_new_data(&s8, NULL, 0, MLX_INT8);
  CHECK_OK(mlx_add(&r, ua, sa, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && item_f32(r) == 3.0f);
  mlx_array arrays[] = {a, b, sum, diff, prod, quot, i, f, r, two, ua, sa};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
}

static void test_views_and_reductions(void) {
  float av[6] = {1, 2, 3, 4, 5, 6};
  int shape[2] = {2, 3};
  mlx_array a = from_floats(av, shape, 2), t = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_transpose(&t, a, cpu));
  CHECK(mlx_array_dim(t, 0) == 3 && mlx_array_dim(t, 1) == 2);
  /* A strided view of the same buffer, not a copy. */
  CHECK(mlx_array_data_float32(t) == mlx_array_data_float32(a));
  const size_t *st = mlx_array_strides(t);
  CHECK(st && st[0] == 1 && st[1] == 3);

  /* Reshaping the transposed view must copy in logical order. */
  int flat[1] = {6};
  CHECK_OK(mlx_reshape(&r, t, flat, 1, cpu));
  const float *rp = mlx_array_data_float32(r);
  float expect[6] = {1, 4, 2, 5, 3, 6};
  for (int i = 0; rp && i < 6; i++) CHECK(rp[i] == expect[i]);

  mlx_array s0 = mlx_array_new(), s1 = mlx_array_new(), all = mlx_array_new();
  CHECK_OK(mlx_sum_axis(&s0, a, 0, false, cpu));
  CHECK_OK(mlx_sum_axis(&s1, t, -1, true, cpu));
  CHECK_OK(mlx_sum(&all, t, false, cpu));
  const float *p0 = mlx_array_data_float32(s0), *p1 = mlx_array_data_float32(s1);
  CHECK(mlx_array_ndim(s0) == 1 && p0 && p0[0] == 5 && p0[1] == 7 && p0[2] == 9);
  CHECK(mlx_array_ndim(s1) == 2 && mlx_array_dim(s1, 1) == 1 && p1 && p1[0] == 5 && p1[2] == 9);
  CHECK(item_f32(all) == 21);

  bool bv[4] = {true, false, true, true};
  int bshape[1] = {4};
  mlx_array b = mlx_array_new_data(bv, bshape, 1, MLX_BOOL), bs = mlx_array_new();
  CHECK_OK(mlx_sum(&bs, b, false, cpu));
  int32_t count = 0;
  CHECK(mlx_array_dtype(bs) == MLX_INT32);
  CHECK_OK(mlx_array_item_int32(&count, bs));
  CHECK(count == 3);
  mlx_array arrays[] = {a, t, r, s0, s1, all, b, bs};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
}

static void test_matmul(void) {
  enum { M = 5, K = 7, N = 3 };
  float av[M * K], bv[K * N], ref[M * N];
  for (int i = 0; i < M * K; i++) av[i] = (float)((i * 7) % 11) - 5;
  for (int i = 0; i < K * N; i++) bv[i] = (float)((i * 5) % 13) - 6;
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      double acc = 0;
      for (int k = 0; k < K; k++) acc += av[m * K + k] * bv[k * N + n];
      ref[m * N + n] = (float)acc;
    }
  int as[2] = {M, K}, bs[2] = {K, N};
  mlx_array a = from_floats(av, as, 2), b = from_floats(bv, bs, 2), c = mlx_array_new();
  CHECK_OK(mlx_matmul(&c, a, b, cpu));
  const float *cp = mlx_array_data_float32(c);
  for (int i = 0; cp && i < M * N; i++) CHECK_NEAR(cp[i], ref[i], 1e-4);

  /* (b^T a^T)^T == a b, through transposed views. */
  mlx_array at = mlx_array_new(), bt = mlx_array_new(), ct = mlx_array_new(), c2 = mlx_array_new();
  CHECK_OK(mlx_transpose(&at, a, cpu));
  CHECK_OK(mlx_transpose(&bt, b, cpu));
  CHECK_OK(mlx_matmul(&ct, bt, at, cpu));
  CHECK_OK(mlx_transpose(&c2, ct, cpu));
  mlx_array c2c = mlx_array_new();
  int flat[1] = {M * N};
  CHECK_OK(mlx_reshape(&c2c, c2, flat, 1, cpu));
  const float *c2p = mlx_array_data_float32(c2c);
  for (int i = 0; c2p && i < M * N; i++) CHECK_NEAR(c2p[i], ref[i], 1e-4);

  /* Vector operands drop their added dimension. */
  int kshape[1] = {K};
  mlx_array v = from_floats(bv, kshape, 1), mv = mlx_array_new();
  CHECK_OK(mlx_matmul(&mv, a, v, cpu));
  CHECK(mlx_array_ndim(mv) == 1 && mlx_array_dim(mv, 0) == M);

  mlx_array ia = mlx_array_new_int(1), ib = mlx_array_new();
  CHECK_OK(mlx_reshape(&ib, ia, (int[]){1, 1}, 2, cpu));
  CHECK_FAIL(mlx_matmul(&c, ib, ib, cpu));
  CHECK(strstr(last_msg, "[matmul]") != NULL);
  mlx_array arrays[] = {a, b, c, at, bt, ct, c2, c2c, v, mv, ia, ib};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
}

static void test_errors_keep_working(void) {
  float v[6] = {0};
  int s3[1] = {3}, s4[1] = {4}, s6[1] = {6};
  mlx_array a = from_floats(v, s3, 1), b = from_floats(v, s4, 1), c = from_floats(v, s6, 1);
  mlx_array r = mlx_array_new();
  int before = num_errors;

  CHECK_FAIL(mlx_add(&r, a, b, cpu));
  CHECK(strcmp(last_msg, "[add] Shapes (3) and (4) cannot be broadcast.") == 0);
  CHECK_FAIL(mlx_reshape(&r, c, s4, 1, cpu));
  CHECK(strcmp(last_msg, "[reshape] Cannot reshape array of size 6 into shape (4).") == 0);
  CHECK_FAIL(mlx_astype(&r, a, (mlx_dtype)99, cpu));
  CHECK(strstr(last_msg, "[astype]") != NULL);
  CHECK_FAIL(mlx_sum_axis(&r, a, 2, false, cpu));
  CHECK(strcmp(last_msg, "[sum] Invalid axis 2 for array with 1 dimensions.") == 0);
  CHECK_FAIL(mlx_transpose_axes(&r, c, (int[]){0, 0}, 2, cpu));
  CHECK_FAIL(mlx_add(&r, a, mlx_array_new(), cpu));
  CHECK_FAIL(mlx_add(&r, a, a, mlx_stream_new()));
  CHECK_FAIL(mlx_zeros(&r, (int[]){-1}, 1, MLX_FLOAT32, cpu));
  CHECK_FAIL(mlx_arange(&r, 0, 1, 0, MLX_FLOAT32, cpu));
  CHECK(num_errors - before == 9);
  CHECK(mlx_array_new_data(NULL, s3, 1, MLX_FLOAT32).ctx == NULL);

  /* Still working. */
  CHECK_OK(mlx_add(&r, a, a, cpu));
  const float *rp = mlx_array_data_float32(r);
  CHECK(mlx_array_size(r) == 3 && rp && rp[2] == 0);
  mlx_array arrays[] = {a, b, c, r};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
}

/* 10^6 lazy adds: evaluation and freeing are iterative; memory returns to where it was. */
static void test_deep_chain(void) {
  mlx_clear_cache();
  size_t start = active();
  mlx_array x = mlx_array_new_float32(0), one = mlx_array_new_float32(1);
  for (int i = 0; i < 1000000; i++) {
    mlx_array next = mlx_array_new();
    mlx_add(&next, x, one, cpu);
    mlx_array_free(x);
    x = next;
  }
  mlx_vector_array v = mlx_vector_array_new_value(x);
  CHECK_OK(mlx_eval(v));
  CHECK(item_f32(x) == 1000000.0f);
  mlx_vector_array_free(v);
  mlx_array_free(x);
  mlx_array_free(one);
  CHECK(active() == start);

  /* Dropped without evaluation: freed iteratively too. */
  x = mlx_array_new_float32(0);
  one = mlx_array_new_float32(1);
  for (int i = 0; i < 1000000; i++) {
    mlx_array next = mlx_array_new();
    mlx_add(&next, x, one, cpu);
    mlx_array_free(x);
    x = next;
  }
  mlx_array_free(x);
  mlx_array_free(one);
  CHECK(active() == start);
}

static void test_async_eval(void) {
  int shape[2] = {2048, 2048};
  mlx_array a = mlx_array_new(), b = mlx_array_new(), c = mlx_array_new(), s = mlx_array_new();
  CHECK_OK(mlx_ones(&a, shape, 2, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_ones(&b, shape, 2, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_matmul(&c, a, b, cpu));
  CHECK_OK(mlx_sum(&s, c, false, cpu));
  mlx_vector_array v = mlx_vector_array_new_value(s);
  CHECK_OK(mlx_async_eval(v));
  /* Returned before the result was computed. */
  CHECK(mx_array_status((mx_array *)s.ctx) != MX_AVAILABLE);
  CHECK(item_f32(s) == 2048.0f * 2048.0f * 2048.0f);
  mlx_vector_array_free(v);
  mlx_array arrays[] = {a, b, c, s};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
}

static void *thread_work(void *arg) {
  float base = *(float *)arg, result = 0;
  mlx_stream s = mlx_default_cpu_stream_new();
  mlx_array x = mlx_array_new_float32(base), one = mlx_array_new_float32(1);
  for (int i = 0; i < 20000; i++) {
    mlx_array next = mlx_array_new();
    mlx_add(&next, x, one, s);
    mlx_array_free(x);
    x = next;
    if (i % 1000 == 0) mlx_array_eval(x);
  }
  mlx_array_item_float32(&result, x);
  *(float *)arg = result;
  mlx_array_free(x);
  mlx_array_free(one);
  mlx_stream_free(s);
  return NULL;
}

static void test_threads(void) {
  pthread_t t[2];
  float values[2] = {0, 100000};
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, thread_work, &values[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  CHECK(values[0] == 20000.0f);
  CHECK(values[1] == 120000.0f);
}

static void test_streams_and_devices(void) {
  mlx_device dev = mlx_device_new_type(MLX_CPU, 0), gpu = mlx_device_new_type(MLX_GPU, 0);
  bool avail = false;
  CHECK_OK(mlx_device_is_available(&avail, dev));
  CHECK(avail);
  CHECK_OK(mlx_device_is_available(&avail, gpu));
  CHECK(!avail);
  CHECK_FAIL(mlx_set_default_device(gpu));
  mlx_stream s = mlx_stream_new_device(dev);
  CHECK(s.ctx != NULL);
  mlx_string str = mlx_string_new();
  CHECK_OK(mlx_stream_tostring(&str, s));
  CHECK(strncmp(mlx_string_data(str), "Stream(Device(cpu, 0), ", 23) == 0);
  mlx_array a = mlx_array_new_float32(2), r = mlx_array_new();
  CHECK_OK(mlx_multiply(&r, a, a, s));
  mlx_vector_array v = mlx_vector_array_new_value(r);
  CHECK_OK(mlx_async_eval(v));
  CHECK_OK(mlx_synchronize(s));
  CHECK(mx_array_status((mx_array *)r.ctx) == MX_AVAILABLE);
  CHECK(item_f32(r) == 4);
  mlx_vector_array_free(v);
  mlx_array_free(a);
  mlx_array_free(r);
  mlx_string_free(str);
  mlx_stream_free(s);
  mlx_device_free(dev);
  mlx_device_free(gpu);
}

/* Fails every allocation after the first `allow` ones. */
static bool fail_after(size_t nbytes, void *arg) {
  int *allow = arg;
  return (*allow)-- <= 0;
}

static void test_allocation_failure(void) {
  mlx_clear_cache();
  size_t start = active();
  int shape[1] = {1000};
  mlx_array a = mlx_array_new(), b = mlx_array_new(), c = mlx_array_new(), d = mlx_array_new();
  CHECK_OK(mlx_ones(&a, shape, 1, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_add(&b, a, a, cpu));
  CHECK_OK(mlx_multiply(&c, b, a, cpu));
  int allow = 1; /* the ones() fill succeeds; b's output fails */
  mx_set_alloc_fail_hook(fail_after, &allow);
  CHECK_FAIL(mlx_array_eval(c));
  mx_set_alloc_fail_hook(NULL, NULL);
  CHECK(strstr(last_msg, "[malloc]") != NULL);
  /* The error sticks to dependents and the process keeps working. */
  CHECK_OK(mlx_add(&d, c, c, cpu));
  CHECK_FAIL(mlx_array_eval(d));
  mlx_array arrays[] = {a, b, c, d};
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) mlx_array_free(arrays[k]);
  CHECK(active() == start);

  mlx_array ok = mlx_array_new();
  CHECK_OK(mlx_ones(&ok, shape, 1, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_array_eval(ok));
  mlx_array_free(ok);
}

/* Elementwise outputs take over dying inputs' buffers: a lazy chain of adds on a large array
 * peaks at about one buffer, not one per step. */
static void test_donation(void) {
  enum { N = 1 << 20 };
  int shape[1] = {N};
  size_t bytes = N * sizeof(float);
  mlx_array x = mlx_array_new(), one = mlx_array_new_float32(1);
  CHECK_OK(mlx_zeros(&x, shape, 1, MLX_FLOAT32, cpu));
  for (int i = 0; i < 10; i++) {
    mlx_array next = mlx_array_new();
    CHECK_OK(mlx_add(&next, x, one, cpu));
    mlx_array_free(x);
    x = next;
  }
  size_t base = active(), peak = 0;
  mlx_reset_peak_memory();
  CHECK_OK(mlx_array_eval(x));
  CHECK_OK(mlx_get_peak_memory(&peak));
  CHECK(peak - base < bytes + bytes / 2);
  const float *p = mlx_array_data_float32(x);
  CHECK(p && p[0] == 10 && p[N - 1] == 10);
  mlx_array_free(x);
  mlx_array_free(one);
}

/* Reshapes of strided views: a view when the strides allow it (no new memory), a row-major
 * copy otherwise; values in logical order either way. */
static void check_reshape(mlx_array t, const int *shape, int ndim, bool view) {
  mlx_array r = mlx_array_new(), c = mlx_array_new();
  size_t before = active();
  CHECK_OK(mlx_reshape(&r, t, shape, ndim, cpu));
  CHECK_OK(mlx_array_eval(r));
  CHECK(view ? active() == before : active() > before);
  CHECK_OK(mlx_contiguous(&c, r, false, cpu));
  CHECK_OK(mlx_array_eval(c));
  mlx_array tc = mlx_array_new();
  CHECK_OK(mlx_contiguous(&tc, t, false, cpu));
  CHECK_OK(mlx_array_eval(tc));
  const float *pc = mlx_array_data_float32(c), *pt = mlx_array_data_float32(tc);
  for (size_t i = 0; pc && pt && i < mlx_array_size(c); i++) CHECK(pc[i] == pt[i]);
  mlx_array_free(r), mlx_array_free(c), mlx_array_free(tc);
}

static void test_reshape_views(void) {
  mlx_array x = mlx_array_new(), x3 = mlx_array_new(), t = mlx_array_new(), s = mlx_array_new();
  CHECK_OK(mlx_arange(&x, 0, 24, 1, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_reshape(&x3, x, (int[]){2, 3, 4}, 3, cpu));
  CHECK_OK(mlx_transpose_axes(&t, x3, (int[]){1, 0, 2}, 3, cpu));
  CHECK_OK(mlx_array_eval(t));
  check_reshape(t, (int[]){3, 2, 2, 2}, 4, true); /* splits the untouched last dim */
  check_reshape(t, (int[]){3, 1, 2, 4, 1}, 5, true);
  check_reshape(t, (int[]){6, 4}, 2, false); /* merges the swapped dims: copy */
  check_reshape(t, (int[]){24}, 1, false);
  CHECK_OK(mlx_slice(&s, x3, (int[]){0, 1, 0}, 3, (int[]){2, 3, 4}, 3, (int[]){1, 1, 1}, 3, cpu));
  CHECK_OK(mlx_array_eval(s));
  check_reshape(s, (int[]){2, 8}, 2, true); /* rows of a slice stay contiguous */
  check_reshape(s, (int[]){16}, 1, false);
  mlx_array_free(x), mlx_array_free(x3), mlx_array_free(t), mlx_array_free(s);
}

/* An error raised on a stream's worker thread reaches the caller at the next sync. */
static void test_async_error(void) {
  int shape[1] = {1000};
  mlx_array a = mlx_array_new(), b = mlx_array_new();
  CHECK_OK(mlx_ones(&a, shape, 1, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_add(&b, a, a, cpu));
  int allow = 1;
  mx_set_alloc_fail_hook(fail_after, &allow);
  mlx_vector_array v = mlx_vector_array_new_value(b);
  CHECK_OK(mlx_async_eval(v));
  CHECK_OK(mlx_synchronize(cpu));
  mx_set_alloc_fail_hook(NULL, NULL);
  last_msg[0] = '\0';
  CHECK_FAIL(mlx_array_eval(b));
  CHECK(strstr(last_msg, "[malloc]") != NULL);
  mlx_vector_array_free(v);
  mlx_array_free(a);
  mlx_array_free(b);
}

static void test_memory_counters(void) {
  size_t peak = 0, prev = 0, cache = 0, act = active();
  CHECK_OK(mlx_get_peak_memory(&peak));
  CHECK(peak >= act);
  CHECK_OK(mlx_reset_peak_memory());
  CHECK_OK(mlx_get_peak_memory(&peak));
  CHECK(peak == act);
  CHECK_OK(mlx_set_cache_limit(&prev, 0));
  CHECK_OK(mlx_get_cache_memory(&cache));
  CHECK(cache == 0);
  CHECK_OK(mlx_set_cache_limit(&prev, prev));
  CHECK(prev == 0);
  CHECK_OK(mlx_set_memory_limit(&prev, (size_t)1 << 40));
  CHECK_OK(mlx_get_memory_limit(&prev));
  CHECK(prev == (size_t)1 << 40);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_creation_and_properties();
  test_arithmetic();
  test_views_and_reductions();
  test_matmul();
  test_errors_keep_working();
  test_deep_chain();
  test_async_eval();
  test_threads();
  test_streams_and_devices();
  test_allocation_failure();
  test_async_error();
  test_donation();
  test_memory_counters();
  test_reshape_views();
  mlx_stream_free(cpu);
}
