/* random.h (mlx-c) and the creation ops of ops.h: linspace, eye, identity, tri, meshgrid and the
 * window functions. An optional array argument is an empty handle (ctx NULL) for "none"; an empty
 * key means the thread's global key sequence. */
#include <stdlib.h>

#include "api/api_ops.h"

/* Optional handle -> core array or NULL. */
static inline mx_array *opt_arr(mlx_array a) {
  return mlx_api_arr(a);
}

/* ------------------------------------------------------------------ keys */

int mlx_random_key(mlx_array *res, uint64_t seed) {
  if (!res) return mlx_api_error("[key] Output handle is NULL.");
  mx_array *out = NULL;
  int rc = mx_random_key(&out, seed); /* before reading out */
  return mlx_api_finish(res, rc, out);
}

int mlx_random_seed(uint64_t seed) {
  mx_random_seed(seed);
  return 0;
}

int mlx_random_split_num(mlx_array *res, const mlx_array key, int num, const mlx_stream s) {
  OP_BEGIN("split", 1, key);
  OP_END(mx_random_split(&out_, in_[0], num, st_));
}

int mlx_random_split(mlx_array *res_0, mlx_array *res_1, const mlx_array key,
                     const mlx_stream s) {
  mx_array *k = mlx_api_arr(key);
  mx_stream st;
  if (!res_0 || !res_1) return mlx_api_error("[split] Output handle is NULL.");
  if (!k) return mlx_api_error("[split] Got an empty array handle.");
  if (mlx_api_stream("split", s, &st)) return 1;
  mx_array *a = NULL, *b = NULL;
  if (mx_random_split2(&a, &b, k, st)) return mlx_api_fail();
  mlx_api_set_arr(res_0, a);
  mlx_api_set_arr(res_1, b);
  return 0;
}

int mlx_random_bits(mlx_array *res, const int *shape, size_t shape_num, int width,
                    const mlx_array key, const mlx_stream s) {
  OP_BEGIN("bits", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num)) return 1;
  OP_END(mx_random_bits(&out_, (int)shape_num, shape, width, opt_arr(key), st_));
}

/* ------------------------------------------------------------------ distributions */

int mlx_random_uniform(mlx_array *res, const mlx_array low, const mlx_array high,
                       const int *shape, size_t shape_num, mlx_dtype dtype, const mlx_array key,
                       const mlx_stream s) {
  OP_BEGIN("uniform", 2, low, high);
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_uniform(&out_, in_[0], in_[1], (int)shape_num, shape, (mx_dtype)dtype,
                           opt_arr(key), st_));
}

int mlx_random_normal(mlx_array *res, const int *shape, size_t shape_num, mlx_dtype dtype,
                      float loc, float scale, const mlx_array key, const mlx_stream s) {
  OP_BEGIN("normal", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_normal_f(&out_, (int)shape_num, shape, (mx_dtype)dtype, loc, scale,
                            opt_arr(key), st_));
}

int mlx_random_normal_broadcast(mlx_array *res, const int *shape, size_t shape_num,
                                mlx_dtype dtype, const mlx_array loc, const mlx_array scale,
                                const mlx_array key, const mlx_stream s) {
  OP_BEGIN("normal", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_normal(&out_, (int)shape_num, shape, (mx_dtype)dtype, opt_arr(loc),
                          opt_arr(scale), opt_arr(key), st_));
}

int mlx_random_multivariate_normal(mlx_array *res, const mlx_array mean, const mlx_array cov,
                                   const int *shape, size_t shape_num, mlx_dtype dtype,
                                   const mlx_array key, const mlx_stream s) {
  OP_BEGIN("multivariate_normal", 2, mean, cov);
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_multivariate_normal(&out_, in_[0], in_[1], (int)shape_num, shape,
                                       (mx_dtype)dtype, opt_arr(key), st_));
}

int mlx_random_randint(mlx_array *res, const mlx_array low, const mlx_array high,
                       const int *shape, size_t shape_num, mlx_dtype dtype, const mlx_array key,
                       const mlx_stream s) {
  OP_BEGIN("randint", 2, low, high);
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_randint(&out_, in_[0], in_[1], (int)shape_num, shape, (mx_dtype)dtype,
                           opt_arr(key), st_));
}

int mlx_random_bernoulli(mlx_array *res, const mlx_array p, const int *shape, size_t shape_num,
                         const mlx_array key, const mlx_stream s) {
  OP_BEGIN("bernoulli", 1, p);
  if (mlx_api_check_shape(op_, shape, shape_num)) return 1;
  OP_END(mx_random_bernoulli(&out_, in_[0], (int)shape_num, shape, opt_arr(key), st_));
}

int mlx_random_truncated_normal(mlx_array *res, const mlx_array lower, const mlx_array upper,
                                const int *shape, size_t shape_num, mlx_dtype dtype,
                                const mlx_array key, const mlx_stream s) {
  OP_BEGIN("truncated_normal", 2, lower, upper);
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_truncated_normal(&out_, in_[0], in_[1], (int)shape_num, shape,
                                    (mx_dtype)dtype, opt_arr(key), st_));
}

int mlx_random_gumbel(mlx_array *res, const int *shape, size_t shape_num, mlx_dtype dtype,
                      const mlx_array key, const mlx_stream s) {
  OP_BEGIN("gumbel", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_gumbel(&out_, (int)shape_num, shape, (mx_dtype)dtype, opt_arr(key), st_));
}

int mlx_random_laplace(mlx_array *res, const int *shape, size_t shape_num, mlx_dtype dtype,
                       float loc, float scale, const mlx_array key, const mlx_stream s) {
  OP_BEGIN("laplace", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_random_laplace(&out_, (int)shape_num, shape, (mx_dtype)dtype, loc, scale,
                           opt_arr(key), st_));
}

int mlx_random_categorical_shape(mlx_array *res, const mlx_array logits, int axis,
                                 const int *shape, size_t shape_num, const mlx_array key,
                                 const mlx_stream s) {
  OP_BEGIN("categorical", 1, logits);
  if (mlx_api_check_shape(op_, shape, shape_num)) return 1;
  OP_END(mx_random_categorical(&out_, in_[0], axis, (int)shape_num, shape, -1, opt_arr(key),
                               st_));
}

int mlx_random_categorical_num_samples(mlx_array *res, const mlx_array logits_, int axis,
                                       int num_samples, const mlx_array key,
                                       const mlx_stream s) {
  OP_BEGIN("categorical", 1, logits_);
  if (num_samples < 0) return mlx_api_error("[bits] Negative dimensions not allowed.");
  OP_END(mx_random_categorical(&out_, in_[0], axis, -1, NULL, num_samples, opt_arr(key), st_));
}

int mlx_random_categorical(mlx_array *res, const mlx_array logits, int axis,
                           const mlx_array key, const mlx_stream s) {
  OP_BEGIN("categorical", 1, logits);
  OP_END(mx_random_categorical(&out_, in_[0], axis, -1, NULL, -1, opt_arr(key), st_));
}

int mlx_random_permutation(mlx_array *res, const mlx_array x, int axis, const mlx_array key,
                           const mlx_stream s) {
  OP_BEGIN("permutation", 1, x);
  OP_END(mx_random_permutation(&out_, in_[0], axis, opt_arr(key), st_));
}

int mlx_random_permutation_arange(mlx_array *res, int x, const mlx_array key,
                                  const mlx_stream s) {
  OP_BEGIN("permutation", 0, {NULL});
  OP_END(mx_random_permutation_arange(&out_, x, opt_arr(key), st_));
}

/* ------------------------------------------------------------------ creation */

int mlx_linspace(mlx_array *res, double start, double stop, int num, mlx_dtype dtype,
                 const mlx_stream s) {
  OP_BEGIN("linspace", 0, {NULL});
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_linspace(&out_, start, stop, num, true, (mx_dtype)dtype, st_));
}

int mlx_eye(mlx_array *res, int n, int m, int k, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("eye", 0, {NULL});
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_eye(&out_, n, m, k, (mx_dtype)dtype, st_));
}

int mlx_identity(mlx_array *res, int n, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("identity", 0, {NULL});
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_identity(&out_, n, (mx_dtype)dtype, st_));
}

int mlx_tri(mlx_array *res, int n, int m, int k, mlx_dtype type, const mlx_stream s) {
  OP_BEGIN("tri", 0, {NULL});
  if (mlx_api_check_dtype(op_, type)) return 1;
  OP_END(mx_tri(&out_, n, m, k, (mx_dtype)type, st_));
}

static int window(mlx_array *res, const char *name, mx_window_kind kind, int m,
                  const mlx_stream s) {
  OP_BEGIN(name, 0, {NULL});
  OP_END(mx_window(&out_, kind, m, st_));
}

int mlx_hanning(mlx_array *res, int M, const mlx_stream s) {
  return window(res, "hanning", MX_WINDOW_HANNING, M, s);
}

int mlx_hamming(mlx_array *res, int M, const mlx_stream s) {
  return window(res, "hamming", MX_WINDOW_HAMMING, M, s);
}

int mlx_blackman(mlx_array *res, int M, const mlx_stream s) {
  return window(res, "blackman", MX_WINDOW_BLACKMAN, M, s);
}

int mlx_bartlett(mlx_array *res, int M, const mlx_stream s) {
  return window(res, "bartlett", MX_WINDOW_BARTLETT, M, s);
}

int mlx_meshgrid(mlx_vector_array *res, const mlx_vector_array arrays, bool sparse,
                 const char *indexing, const mlx_stream s) {
  if (!res) return mlx_api_error("[meshgrid] Output handle is NULL.");
  mx_stream st;
  if (mlx_api_stream("meshgrid", s, &st)) return 1;
  size_t n = 0;
  const mlx_array *items = mlx_api_vector_array_items(arrays, &n);
  if (n > MX_MAX_NDIM) return mlx_api_error("[meshgrid] Too many arrays.");
  mx_array *in[MX_MAX_NDIM], *out[MX_MAX_NDIM];
  if (mlx_api_get_arrays("meshgrid", items, in, (int)n)) return 1;
  if (mx_meshgrid(out, in, (int)n, sparse, indexing, st)) return mlx_api_fail();
  mlx_array hs[MX_MAX_NDIM];
  for (size_t i = 0; i < n; i++) hs[i].ctx = out[i];
  int rc = mlx_vector_array_set_data(res, hs, n);
  for (size_t i = 0; i < n; i++) mx_array_release(out[i]);
  return rc;
}
