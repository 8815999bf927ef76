/* Bad arguments across every op family, through the public mlx-c API only: each implemented op of
 * ops.h and random.h is called with a bad argument (an empty input handle, or for ops without an
 * array input an invalid value), an empty stream and a NULL result handle. Each call must fail
 * with a message to the error handler that names the op, leave the result handle as it was, and
 * the next valid call must work and evaluate; the result handle may also be the input's own handle
 * (x = op(x)). (Values are checked in the family tests.) Where MLX builds an op from another one,
 * the message names that one, as MLX's does: zeros is full, gumbel draws uniform, permutation's
 * key goes to bits, broadcast_arrays fails in broadcast_shapes, identity is eye. */
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

static mlx_array f32(const float *v, const int *shape, int ndim) {
  return mlx_array_new_data(v, shape, ndim, MLX_FLOAT32);
}

/* ---- the inputs ---- */

enum kind {
  KF,   /* float32 (2, 3) in (0, 1) */
  KI,   /* int32 (2, 3) */
  KF1,  /* float32 (2, 1, 3): has an axis of size 1 */
  KSQ,  /* float32 (4, 4) */
  KV,   /* float32 (3,) */
  KKEY, /* a random key */
  KN,   /* no array input: x empty means "pass an invalid value" instead */
};

static struct {
  mlx_array f, f2, ft, i, i2, b, f1, sq, v, key, idx, idx21, c22, half, upd12, upd213, seg, cov;
} g;

#define BAD(x) ((x).ctx == NULL)
#define AX(...) ((const int[]){__VA_ARGS__}), (sizeof((int[]){__VA_ARGS__}) / sizeof(int))
static const mlx_optional_float none_f = {0, false};

static mlx_array primary(enum kind k) {
  switch (k) {
  case KI:
    return g.i;
  case KF1:
    return g.f1;
  case KSQ:
    return g.sq;
  case KV:
    return g.v;
  case KKEY:
    return g.key;
  default:
    return g.f;
  }
}

/* vector results: item 0 into *r (r NULL: pass a NULL result vector) */
static int first_of(mlx_array *r, int rc, mlx_vector_array v) {
  if (rc == 0) rc = mlx_vector_array_get(r, v, 0);
  mlx_vector_array_free(v);
  return rc;
}
#define VEC_OUT(call_with_res)                                                                     \
  mlx_vector_array v_ = mlx_vector_array_new();                                                    \
  mlx_vector_array *res_ = r ? &v_ : NULL;                                                         \
  return first_of(r, (call_with_res), v_)

/* {x, y}; an empty vector when x is empty (vectors hold no empty handles) */
static mlx_vector_array pair(mlx_array x, mlx_array y) {
  if (BAD(x)) return mlx_vector_array_new();
  mlx_array both[2] = {x, y};
  return mlx_vector_array_new_data(both, 2);
}
#define VEC_IN(vec, call)                                                                          \
  mlx_vector_array in_ = (vec);                                                                    \
  int rc_ = (call);                                                                                \
  mlx_vector_array_free(in_);                                                                      \
  return rc_

typedef int (*thunk)(mlx_array *r, mlx_array x, mlx_stream s);
/* T(name, body) defines thunk t_name; each use ends with ';' (a repeated prototype) */
#define T(name, ...)                                                                               \
  static int t_##name(mlx_array *r, mlx_array x, mlx_stream s) {                                   \
    __VA_ARGS__;                                                                                   \
  }                                                                                                \
  static int t_##name(mlx_array *r, mlx_array x, mlx_stream s)
#define U(name) T(name, return mlx_##name(r, x, s))
#define B(name, y) T(name, return mlx_##name(r, x, y, s))

/* ---- one thunk per op ---- */

/* elementwise */
U(abs);
U(arccos);
U(arccosh);
U(arcsin);
U(arcsinh);
U(arctan);
U(arctanh);
U(bitwise_invert);
U(ceil);
U(conjugate);
U(cos);
U(cosh);
U(degrees);
U(erf);
U(erfinv);
U(exp);
U(expm1);
U(floor);
U(imag);
U(isfinite);
U(isinf);
U(isnan);
U(isneginf);
U(isposinf);
U(log);
U(log10);
U(log1p);
U(log2);
U(logical_not);
U(negative);
U(radians);
U(real);
U(reciprocal);
U(rsqrt);
U(sigmoid);
U(sign);
U(sin);
U(sinh);
U(sqrt);
U(square);
U(stop_gradient);
U(tan);
U(tanh);
B(add, g.f2);
B(arctan2, g.f2);
B(divide, g.f2);
B(equal, g.f2);
B(floor_divide, g.f2);
B(greater, g.f2);
B(greater_equal, g.f2);
B(less, g.f2);
B(less_equal, g.f2);
B(logaddexp, g.f2);
B(logical_and, g.f2);
B(logical_or, g.f2);
B(maximum, g.f2);
B(minimum, g.f2);
B(multiply, g.f2);
B(not_equal, g.f2);
B(power, g.f2);
B(remainder, g.f2);
B(subtract, g.f2);
B(bitwise_and, g.i2);
B(bitwise_or, g.i2);
B(bitwise_xor, g.i2);
B(left_shift, g.i2);
B(right_shift, g.i2);
T(divmod, VEC_OUT(mlx_divmod(res_, x, g.f2, s)));
T(where, return mlx_where(r, x, g.f2, g.f, s));
T(clip, return mlx_clip(r, x, g.half, mlx_array_new(), s));
T(nan_to_num, return mlx_nan_to_num(r, x, 0.0f, none_f, none_f, s));
T(isclose, return mlx_isclose(r, x, g.f2, 1e-5, 1e-8, false, s));
T(allclose, return mlx_allclose(r, x, g.f2, 1e-5, 1e-8, false, s));
T(array_equal, return mlx_array_equal(r, x, g.f2, false, s));
T(round, return mlx_round(r, x, 1, s));
T(astype, return mlx_astype(r, x, MLX_INT32, s));
T(view, return mlx_view(r, x, MLX_INT32, s));

/* reductions, scans, sorts */
#define RALL(name) T(name, return mlx_##name(r, x, false, s))
#define RAXES(name) T(name, return mlx_##name(r, x, AX(1), false, s))
#define RAXIS(name) T(name, return mlx_##name(r, x, 1, false, s))
#define SCAN(name) T(name, return mlx_##name(r, x, 1, false, true, s))
RALL(all);
RALL(any);
RALL(argmax);
RALL(argmin);
RALL(logsumexp);
RALL(max);
RALL(mean);
RALL(min);
RALL(prod);
RALL(softmax);
RALL(sum);
RALL(contiguous);
RAXES(all_axes);
RAXES(any_axes);
RAXES(logsumexp_axes);
RAXES(max_axes);
RAXES(mean_axes);
RAXES(median);
RAXES(min_axes);
RAXES(prod_axes);
RAXES(softmax_axes);
RAXES(sum_axes);
RAXIS(all_axis);
RAXIS(any_axis);
RAXIS(argmax_axis);
RAXIS(argmin_axis);
RAXIS(logsumexp_axis);
RAXIS(max_axis);
RAXIS(mean_axis);
RAXIS(min_axis);
RAXIS(prod_axis);
RAXIS(softmax_axis);
RAXIS(sum_axis);
SCAN(cummax);
SCAN(cummin);
SCAN(cumprod);
SCAN(cumsum);
SCAN(logcumsumexp);
T(std, return mlx_std(r, x, false, 1, s));
T(var, return mlx_var(r, x, false, 1, s));
T(std_axes, return mlx_std_axes(r, x, AX(1), false, 0, s));
T(var_axes, return mlx_var_axes(r, x, AX(1), false, 0, s));
T(std_axis, return mlx_std_axis(r, x, 1, false, 0, s));
T(var_axis, return mlx_var_axis(r, x, 1, false, 0, s));
U(sort);
U(argsort);
T(sort_axis, return mlx_sort_axis(r, x, 1, s));
T(argsort_axis, return mlx_argsort_axis(r, x, 1, s));
T(partition, return mlx_partition(r, x, 1, s));
T(argpartition, return mlx_argpartition(r, x, 1, s));
T(partition_axis, return mlx_partition_axis(r, x, 1, 1, s));
T(argpartition_axis, return mlx_argpartition_axis(r, x, 1, 1, s));
T(topk, return mlx_topk(r, x, 2, s));
T(topk_axis, return mlx_topk_axis(r, x, 2, 1, s));

/* shapes, views, joins */
U(atleast_1d);
U(atleast_2d);
U(atleast_3d);
U(transpose);
U(squeeze);
T(reshape, return mlx_reshape(r, x, AX(3, 2), s));
T(broadcast_to, return mlx_broadcast_to(r, x, AX(4, 2, 3), s));
T(expand_dims, return mlx_expand_dims(r, x, 0, s));
T(expand_dims_axes, return mlx_expand_dims_axes(r, x, AX(0, 2), s));
T(squeeze_axis, return mlx_squeeze_axis(r, x, 1, s));
T(squeeze_axes, return mlx_squeeze_axes(r, x, AX(1), s));
T(transpose_axes, return mlx_transpose_axes(r, x, AX(1, 0), s));
T(swapaxes, return mlx_swapaxes(r, x, 0, 1, s));
T(moveaxis, return mlx_moveaxis(r, x, 0, 1, s));
T(flatten, return mlx_flatten(r, x, 0, -1, s));
T(unflatten, return mlx_unflatten(r, x, 1, AX(3, 1), s));
T(as_strided, return mlx_as_strided(r, x, AX(3, 2), (const int64_t[]){1, 3}, 2, 0, s));
T(tile, return mlx_tile(r, x, AX(2, 1), s));
T(repeat, return mlx_repeat(r, x, 2, s));
T(repeat_axis, return mlx_repeat_axis(r, x, 2, 1, s));
T(roll, return mlx_roll(r, x, AX(1), s));
T(roll_axis, return mlx_roll_axis(r, x, AX(1), 1, s));
T(roll_axes, return mlx_roll_axes(r, x, AX(1, 1), AX(0, 1), s));
T(pad, return mlx_pad(r, x, AX(0), AX(1), AX(1), g.half, "constant", s));
T(pad_symmetric, return mlx_pad_symmetric(r, x, 1, g.half, "constant", s));
T(diag, return mlx_diag(r, x, 0, s));
T(diagonal, return mlx_diagonal(r, x, 0, 0, 1, s));
T(trace, return mlx_trace(r, x, 0, 0, 1, MLX_FLOAT32, s));
T(tril, return mlx_tril(r, x, 0, s));
T(triu, return mlx_triu(r, x, 0, s));
T(concatenate, VEC_IN(pair(x, g.f2), mlx_concatenate(r, in_, s)));
T(concatenate_axis, VEC_IN(pair(x, g.f2), mlx_concatenate_axis(r, in_, 1, s)));
T(stack, VEC_IN(pair(x, g.f2), mlx_stack(r, in_, s)));
T(stack_axis, VEC_IN(pair(x, g.f2), mlx_stack_axis(r, in_, 1, s)));
T(split, VEC_OUT(mlx_split(res_, x, 2, 0, s)));
T(split_sections, VEC_OUT(mlx_split_sections(res_, x, AX(1), 1, s)));
static int t_broadcast_arrays(mlx_array *r, mlx_array x, mlx_stream s) {
  /* the bad case: shapes (2, 3) and (3, 2) */
  mlx_vector_array in = pair(BAD(x) ? g.f : x, BAD(x) ? g.ft : g.f2), out = mlx_vector_array_new();
  int rc = first_of(r, mlx_broadcast_arrays(r ? &out : NULL, in, s), out);
  mlx_vector_array_free(in);
  return rc;
}

/* slicing, gather / scatter */
T(slice, return mlx_slice(r, x, AX(0, 1), AX(2, 3), AX(1, 1), s));
T(slice_dynamic, return mlx_slice_dynamic(r, x, g.idx, AX(0, 1), AX(1, 2), s));
#define SUPD(name) T(name, return mlx_##name(r, x, g.upd12, AX(0, 0), AX(1, 2), AX(1, 1), s))
SUPD(slice_update);
SUPD(slice_update_add);
SUPD(slice_update_max);
SUPD(slice_update_min);
SUPD(slice_update_prod);
T(slice_update_dynamic, return mlx_slice_update_dynamic(r, x, g.upd12, g.idx, AX(0, 1), s));
T(take, return mlx_take(r, x, g.idx, s));
T(take_axis, return mlx_take_axis(r, x, g.idx, 1, s));
T(take_along_axis, return mlx_take_along_axis(r, x, g.idx21, 1, s));
T(put_along_axis, return mlx_put_along_axis(r, x, g.idx21, g.half, 1, s));
T(scatter_add_axis, return mlx_scatter_add_axis(r, x, g.idx21, g.half, 1, s));
T(gather, VEC_IN(mlx_vector_array_new_value(g.idx), mlx_gather(r, x, in_, AX(0), AX(1, 3), s)));
T(gather_single, return mlx_gather_single(r, x, g.idx, 0, AX(1, 3), s));
#define SC(name)                                                                                   \
  T(name, VEC_IN(mlx_vector_array_new_value(g.idx), mlx_##name(r, x, in_, g.upd213, AX(0), s)));   \
  T(name##_single, return mlx_##name##_single(r, x, g.idx, g.upd213, 0, s))
SC(scatter);
SC(scatter_add);
SC(scatter_prod);
SC(scatter_max);
SC(scatter_min);
T(masked_scatter, return mlx_masked_scatter(r, x, g.b, g.f2, s));

/* creation: no array input (KN) */
T(zeros, return mlx_zeros(r, BAD(x) ? (const int[]){-1} : (const int[]){2}, 1, MLX_FLOAT32, s));
T(ones, return mlx_ones(r, AX(2, 2), BAD(x) ? (mlx_dtype)99 : MLX_INT8, s));
T(full, return mlx_full(r, AX(2, 3), x, MLX_FLOAT32, s));
T(zeros_like, return mlx_zeros_like(r, x, s));
T(ones_like, return mlx_ones_like(r, x, s));
T(full_like, return mlx_full_like(r, x, g.half, MLX_FLOAT32, s));
T(arange, return mlx_arange(r, 0, 4, BAD(x) ? 0 : 1, MLX_FLOAT32, s));
T(linspace, return mlx_linspace(r, 0, 1, BAD(x) ? -1 : 5, MLX_FLOAT32, s));
T(eye, return mlx_eye(r, BAD(x) ? -1 : 3, 2, 0, MLX_FLOAT32, s));
T(identity, return mlx_identity(r, BAD(x) ? -1 : 3, MLX_FLOAT32, s));
T(tri, return mlx_tri(r, 3, 3, 0, BAD(x) ? (mlx_dtype)99 : MLX_FLOAT32, s));
static int t_meshgrid(mlx_array *r, mlx_array x, mlx_stream s) {
  mlx_vector_array in = mlx_vector_array_new_value(g.v), out = mlx_vector_array_new();
  int rc = first_of(r, mlx_meshgrid(r ? &out : NULL, in, false, BAD(x) ? "xx" : "xy", s), out);
  mlx_vector_array_free(in);
  return rc;
}
/* the windows take any M (M < 1 is empty): the bad case is an empty stream */
#define WIN(name) T(name, return mlx_##name(r, 5, BAD(x) ? mlx_stream_new() : s))
WIN(bartlett);
WIN(blackman);
WIN(hamming);
WIN(hanning);

/* linear algebra */
B(matmul, g.ft);
B(inner, g.f2);
B(outer, g.f2);
B(kron, g.f2);
T(addmm, return mlx_addmm(r, g.c22, x, g.ft, 1.0f, 1.0f, s));
T(tensordot, return mlx_tensordot(r, x, g.ft, AX(1), AX(0), s));
T(tensordot_axis, return mlx_tensordot_axis(r, x, g.ft, 1, s));
T(einsum, VEC_IN(pair(x, g.f2), mlx_einsum(r, "ij,ij->i", in_, s)));
T(block_masked_mm,
  return mlx_block_masked_mm(r, x, g.ft, 32, mlx_array_new(), mlx_array_new(), mlx_array_new(), s));
T(gather_mm, return mlx_gather_mm(r, x, g.ft, mlx_array_new(), mlx_array_new(), false, s));
T(segmented_mm, return mlx_segmented_mm(r, x, g.ft, g.seg, s));
T(hadamard_transform, return mlx_hadamard_transform(r, x, none_f, s));

/* random */
#define SHAPE23 AX(2, 3)
T(random_bits, return mlx_random_bits(r, SHAPE23, BAD(x) ? 3 : 4, g.key, s));
T(random_uniform, return mlx_random_uniform(r, x, g.f2, SHAPE23, MLX_FLOAT32, g.key, s));
T(random_normal,
  return mlx_random_normal(r, SHAPE23, BAD(x) ? MLX_INT32 : MLX_FLOAT32, 0, 1, g.key, s));
T(random_normal_broadcast,
  return mlx_random_normal_broadcast(r, SHAPE23, BAD(x) ? MLX_INT32 : MLX_FLOAT32, g.half, g.half,
                                     g.key, s));
T(random_laplace,
  return mlx_random_laplace(r, SHAPE23, BAD(x) ? MLX_INT32 : MLX_FLOAT32, 0, 1, g.key, s));
T(random_gumbel, return mlx_random_gumbel(r, SHAPE23, BAD(x) ? MLX_INT32 : MLX_FLOAT32, g.key, s));
T(random_bernoulli, return mlx_random_bernoulli(r, x, SHAPE23, g.key, s));
T(random_truncated_normal,
  return mlx_random_truncated_normal(r, x, g.f2, SHAPE23, MLX_FLOAT32, g.key, s));
T(random_randint, return mlx_random_randint(r, x, g.i2, SHAPE23, MLX_INT32, g.key, s));
T(random_multivariate_normal,
  return mlx_random_multivariate_normal(r, x, g.cov, AX(2), MLX_FLOAT32, g.key, s));
T(random_categorical, return mlx_random_categorical(r, x, -1, g.key, s));
T(random_categorical_shape, return mlx_random_categorical_shape(r, x, -1, AX(4, 2), g.key, s));
T(random_categorical_num_samples, return mlx_random_categorical_num_samples(r, x, -1, 4, g.key, s));
T(random_permutation, return mlx_random_permutation(r, x, 0, g.key, s));
T(random_permutation_arange, return mlx_random_permutation_arange(r, 5, BAD(x) ? g.f : g.key, s));
T(random_split_num, return mlx_random_split_num(r, x, 3, s));
static int t_random_split(mlx_array *r, mlx_array x, mlx_stream s) {
  mlx_array other = mlx_array_new();
  int rc = mlx_random_split(r, &other, x, s);
  mlx_array_free(other);
  return rc;
}

struct entry {
  const char *fn;  /* the mlx-c function */
  const char *tag; /* its messages start "[tag]" */
  thunk t;
  enum kind kind;
};

#define E(name, tag, kind)                                                                         \
  { "mlx_" #name, tag, t_##name, kind }
#define SAME_E(name, kind) E(name, #name, kind)

static const struct entry entries[] = {
    /* elementwise */
    SAME_E(abs, KF),
    SAME_E(arccos, KF),
    SAME_E(arccosh, KF),
    SAME_E(arcsin, KF),
    SAME_E(arcsinh, KF),
    SAME_E(arctan, KF),
    SAME_E(arctanh, KF),
    SAME_E(bitwise_invert, KI),
    SAME_E(ceil, KF),
    SAME_E(conjugate, KF),
    SAME_E(cos, KF),
    SAME_E(cosh, KF),
    SAME_E(degrees, KF),
    SAME_E(erf, KF),
    SAME_E(erfinv, KF),
    SAME_E(exp, KF),
    SAME_E(expm1, KF),
    SAME_E(floor, KF),
    SAME_E(imag, KF),
    SAME_E(isfinite, KF),
    SAME_E(isinf, KF),
    SAME_E(isnan, KF),
    SAME_E(isneginf, KF),
    SAME_E(isposinf, KF),
    SAME_E(log, KF),
    SAME_E(log10, KF),
    SAME_E(log1p, KF),
    SAME_E(log2, KF),
    SAME_E(logical_not, KF),
    SAME_E(negative, KF),
    SAME_E(radians, KF),
    SAME_E(real, KF),
    SAME_E(reciprocal, KF),
    SAME_E(rsqrt, KF),
    SAME_E(sigmoid, KF),
    SAME_E(sign, KF),
    SAME_E(sin, KF),
    SAME_E(sinh, KF),
    SAME_E(sqrt, KF),
    SAME_E(square, KF),
    SAME_E(stop_gradient, KF),
    SAME_E(tan, KF),
    SAME_E(tanh, KF),
    SAME_E(add, KF),
    SAME_E(arctan2, KF),
    SAME_E(divide, KF),
    SAME_E(equal, KF),
    SAME_E(floor_divide, KF),
    SAME_E(greater, KF),
    SAME_E(greater_equal, KF),
    SAME_E(less, KF),
    SAME_E(less_equal, KF),
    SAME_E(logaddexp, KF),
    SAME_E(logical_and, KF),
    SAME_E(logical_or, KF),
    SAME_E(maximum, KF),
    SAME_E(minimum, KF),
    SAME_E(multiply, KF),
    SAME_E(not_equal, KF),
    SAME_E(power, KF),
    SAME_E(remainder, KF),
    SAME_E(subtract, KF),
    SAME_E(bitwise_and, KI),
    SAME_E(bitwise_or, KI),
    SAME_E(bitwise_xor, KI),
    SAME_E(left_shift, KI),
    SAME_E(right_shift, KI),
    SAME_E(divmod, KF),
    SAME_E(where, KF),
    SAME_E(clip, KF),
    SAME_E(nan_to_num, KF),
    SAME_E(isclose, KF),
    SAME_E(allclose, KF),
    SAME_E(array_equal, KF),
    SAME_E(round, KF),
    SAME_E(astype, KF),
    SAME_E(view, KF),
    /* reductions, scans, sorts */
    SAME_E(all, KF),
    SAME_E(any, KF),
    SAME_E(argmax, KF),
    SAME_E(argmin, KF),
    SAME_E(logsumexp, KF),
    SAME_E(max, KF),
    SAME_E(mean, KF),
    SAME_E(min, KF),
    SAME_E(prod, KF),
    SAME_E(softmax, KF),
    SAME_E(sum, KF),
    SAME_E(contiguous, KF),
    E(all_axes, "all", KF),
    E(any_axes, "any", KF),
    E(logsumexp_axes, "logsumexp", KF),
    E(max_axes, "max", KF),
    E(mean_axes, "mean", KF),
    SAME_E(median, KF),
    E(min_axes, "min", KF),
    E(prod_axes, "prod", KF),
    E(softmax_axes, "softmax", KF),
    E(sum_axes, "sum", KF),
    E(all_axis, "all", KF),
    E(any_axis, "any", KF),
    E(argmax_axis, "argmax", KF),
    E(argmin_axis, "argmin", KF),
    E(logsumexp_axis, "logsumexp", KF),
    E(max_axis, "max", KF),
    E(mean_axis, "mean", KF),
    E(min_axis, "min", KF),
    E(prod_axis, "prod", KF),
    E(softmax_axis, "softmax", KF),
    E(sum_axis, "sum", KF),
    SAME_E(cummax, KF),
    SAME_E(cummin, KF),
    SAME_E(cumprod, KF),
    SAME_E(cumsum, KF),
    SAME_E(logcumsumexp, KF),
    SAME_E(std, KF),
    SAME_E(var, KF),
    E(std_axes, "std", KF),
    E(var_axes, "var", KF),
    E(std_axis, "std", KF),
    E(var_axis, "var", KF),
    SAME_E(sort, KF),
    SAME_E(argsort, KF),
    E(sort_axis, "sort", KF),
    E(argsort_axis, "argsort", KF),
    SAME_E(partition, KF),
    SAME_E(argpartition, KF),
    E(partition_axis, "partition", KF),
    E(argpartition_axis, "argpartition", KF),
    SAME_E(topk, KF),
    E(topk_axis, "topk", KF),
    /* shapes, views, joins */
    SAME_E(atleast_1d, KF),
    SAME_E(atleast_2d, KF),
    SAME_E(atleast_3d, KF),
    SAME_E(transpose, KF),
    SAME_E(squeeze, KF1),
    SAME_E(reshape, KF),
    SAME_E(broadcast_to, KF),
    SAME_E(expand_dims, KF),
    E(expand_dims_axes, "expand_dims", KF),
    E(squeeze_axis, "squeeze", KF1),
    E(squeeze_axes, "squeeze", KF1),
    E(transpose_axes, "transpose", KF),
    SAME_E(swapaxes, KF),
    SAME_E(moveaxis, KF),
    SAME_E(flatten, KF),
    SAME_E(unflatten, KF),
    SAME_E(as_strided, KF),
    SAME_E(tile, KF),
    SAME_E(repeat, KF),
    E(repeat_axis, "repeat", KF),
    SAME_E(roll, KF),
    E(roll_axis, "roll", KF),
    E(roll_axes, "roll", KF),
    SAME_E(pad, KF),
    E(pad_symmetric, "pad", KF),
    SAME_E(diag, KF),
    SAME_E(diagonal, KF),
    SAME_E(trace, KF),
    SAME_E(tril, KF),
    SAME_E(triu, KF),
    SAME_E(concatenate, KF),
    E(concatenate_axis, "concatenate", KF),
    SAME_E(stack, KF),
    E(stack_axis, "stack", KF),
    SAME_E(split, KF),
    E(split_sections, "split", KF),
    E(broadcast_arrays, "broadcast_shapes", KF),
    /* slicing, gather / scatter */
    SAME_E(slice, KF),
    E(slice_dynamic, "slice", KF),
    SAME_E(slice_update, KF),
    SAME_E(slice_update_add, KF),
    SAME_E(slice_update_max, KF),
    SAME_E(slice_update_min, KF),
    SAME_E(slice_update_prod, KF),
    E(slice_update_dynamic, "slice_update", KF),
    SAME_E(take, KF),
    E(take_axis, "take", KF),
    SAME_E(take_along_axis, KF),
    SAME_E(put_along_axis, KF),
    SAME_E(scatter_add_axis, KF),
    SAME_E(gather, KF),
    E(gather_single, "gather", KF),
    SAME_E(scatter, KF),
    E(scatter_single, "scatter", KF),
    SAME_E(scatter_add, KF),
    E(scatter_add_single, "scatter_add", KF),
    SAME_E(scatter_prod, KF),
    E(scatter_prod_single, "scatter_prod", KF),
    SAME_E(scatter_max, KF),
    E(scatter_max_single, "scatter_max", KF),
    SAME_E(scatter_min, KF),
    E(scatter_min_single, "scatter_min", KF),
    SAME_E(masked_scatter, KF),
    /* creation */
    E(zeros, "full", KN),
    E(ones, "ones", KN),
    SAME_E(full, KF),
    SAME_E(zeros_like, KF),
    SAME_E(ones_like, KF),
    SAME_E(full_like, KF),
    SAME_E(arange, KN),
    SAME_E(linspace, KN),
    SAME_E(eye, KN),
    E(identity, "eye", KN),
    SAME_E(tri, KN),
    SAME_E(meshgrid, KN),
    SAME_E(bartlett, KN),
    SAME_E(blackman, KN),
    SAME_E(hamming, KN),
    SAME_E(hanning, KN),
    /* linear algebra */
    SAME_E(matmul, KF),
    SAME_E(inner, KF),
    SAME_E(outer, KF),
    SAME_E(kron, KF),
    SAME_E(addmm, KF),
    SAME_E(tensordot, KF),
    E(tensordot_axis, "tensordot", KF),
    SAME_E(einsum, KF),
    SAME_E(block_masked_mm, KF),
    SAME_E(gather_mm, KF),
    SAME_E(segmented_mm, KF),
    SAME_E(hadamard_transform, KSQ),
    /* random */
    E(random_bits, "bits", KN),
    E(random_uniform, "uniform", KF),
    E(random_normal, "normal", KN),
    E(random_normal_broadcast, "normal", KN),
    E(random_laplace, "laplace", KN),
    E(random_gumbel, "uniform", KN),
    E(random_bernoulli, "bernoulli", KF),
    E(random_truncated_normal, "truncated_normal", KF),
    E(random_randint, "randint", KI),
    E(random_multivariate_normal, "multivariate_normal", KV),
    E(random_categorical, "categorical", KF),
    E(random_categorical_shape, "categorical", KF),
    E(random_categorical_num_samples, "categorical", KF),
    E(random_permutation, "permutation", KF),
    E(random_permutation_arange, "bits", KN),
    E(random_split_num, "split", KKEY),
    E(random_split, "split", KKEY),
};

static void sweep(void) {
  size_t n = sizeof entries / sizeof *entries;
  for (size_t k = 0; k < n; k++) {
    const struct entry *e = &entries[k];
    char what[160], tag[64];
    snprintf(tag, sizeof tag, "[%s]", e->tag);
    mlx_array r = mlx_array_new_float32(42), x = primary(e->kind);
    void *old = r.ctx;

    /* 1. a bad argument: an empty input handle (or, with no array input, an invalid value) */
    int before = num_errors;
    last_msg[0] = 0;
    int rc = e->t(&r, mlx_array_new(), cpu);
    bool ok = rc != 0 && num_errors == before + 1 && strstr(last_msg, tag) && r.ctx == old;
    if (!ok) fprintf(stderr, "  %s bad argument: rc %d, message \"%s\"\n", e->fn, rc, last_msg);
    snprintf(what, sizeof what, "%s: a bad argument fails, names %s, keeps the result", e->fn, tag);
    harness_record(ok, what, __FILE__, __LINE__);

    /* 2. an empty stream */
    before = num_errors;
    last_msg[0] = 0;
    rc = e->t(&r, x, mlx_stream_new());
    ok = rc != 0 && num_errors == before + 1 && strstr(last_msg, "stream") && r.ctx == old;
    if (!ok) fprintf(stderr, "  %s empty stream: rc %d, message \"%s\"\n", e->fn, rc, last_msg);
    snprintf(what, sizeof what, "%s: an empty stream fails and keeps the result", e->fn);
    harness_record(ok, what, __FILE__, __LINE__);

    /* 3. no result handle */
    before = num_errors;
    rc = e->t(NULL, x, cpu);
    snprintf(what, sizeof what, "%s: a NULL result handle fails", e->fn);
    harness_record(rc != 0 && num_errors == before + 1, what, __FILE__, __LINE__);

    /* the result handle still holds its old value */
    float old_value = 0;
    snprintf(what, sizeof what, "%s: the result handle is untouched", e->fn);
    harness_record(mlx_array_item_float32(&old_value, r) == 0 && old_value == 42, what, __FILE__,
                   __LINE__);

    /* 4. then a valid call works and evaluates */
    before = num_errors;
    rc = e->t(&r, x, cpu);
    ok = rc == 0 && r.ctx != NULL && mlx_array_eval(r) == 0 && num_errors == before;
    if (!ok) fprintf(stderr, "  %s valid call: rc %d, message \"%s\"\n", e->fn, rc, last_msg);
    snprintf(what, sizeof what, "%s: the valid call after the errors works", e->fn);
    harness_record(ok, what, __FILE__, __LINE__);
    mlx_array_free(r);

    /* 5. the result handle may be the input's own handle (x = op(x)) */
    if (e->kind != KN) {
      mlx_array xc = mlx_array_new();
      mlx_array_set(&xc, x);
      before = num_errors;
      rc = e->t(&xc, xc, cpu);
      ok = rc == 0 && xc.ctx != NULL && mlx_array_eval(xc) == 0 && num_errors == before;
      if (!ok) fprintf(stderr, "  %s aliased result: rc %d, message \"%s\"\n", e->fn, rc, last_msg);
      snprintf(what, sizeof what, "%s: the result handle may be the input handle", e->fn);
      harness_record(ok, what, __FILE__, __LINE__);
      mlx_array_free(xc);
    }
  }

  /* the two random functions without a stream */
  mlx_array r = mlx_array_new();
  int before = num_errors;
  CHECK_FAIL(mlx_random_key(NULL, 1));
  CHECK(num_errors == before + 1 && strstr(last_msg, "key") != NULL);
  CHECK_OK(mlx_random_key(&r, 1));
  CHECK(mlx_array_dtype(r) == MLX_UINT32 && mlx_array_size(r) == 2);
  CHECK_OK(mlx_random_seed(7));
  mlx_array_free(r);
  /* depends: no stream; the vectors' lengths must agree */
  mlx_vector_array ins = mlx_vector_array_new_value(g.f), deps = mlx_vector_array_new_value(g.f2);
  mlx_vector_array out = mlx_vector_array_new();
  CHECK_FAIL(mlx_depends(NULL, ins, deps));
  CHECK_OK(mlx_depends(&out, ins, deps));
  CHECK(mlx_vector_array_size(out) == 1);
  mlx_vector_array_free(ins), mlx_vector_array_free(deps), mlx_vector_array_free(out);
}

static mlx_array make(const float *v, const int *shape, int ndim, mlx_dtype dt) {
  mlx_array a = f32(v, shape, ndim), c = mlx_array_new();
  if (dt == MLX_FLOAT32) return a;
  mlx_astype(&c, a, dt, cpu);
  mlx_array_free(a);
  return c;
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  const float six[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f},
              six2[6] = {0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
  const float ints[6] = {1, 2, 3, 4, 5, 6}, shifts[6] = {1, 1, 2, 2, 3, 3};
  float sixteen[16];
  for (int k = 0; k < 16; k++) sixteen[k] = (float)k / 16;
  g.f = make(six, (int[]){2, 3}, 2, MLX_FLOAT32);
  g.f2 = make(six2, (int[]){2, 3}, 2, MLX_FLOAT32);
  g.ft = make(six2, (int[]){3, 2}, 2, MLX_FLOAT32);
  g.i = make(ints, (int[]){2, 3}, 2, MLX_INT32);
  g.i2 = make(shifts, (int[]){2, 3}, 2, MLX_INT32);
  g.b = make(ints, (int[]){2, 3}, 2, MLX_BOOL);
  g.f1 = make(six, (int[]){2, 1, 3}, 3, MLX_FLOAT32);
  g.sq = make(sixteen, (int[]){4, 4}, 2, MLX_FLOAT32);
  g.v = make(six, (int[]){3}, 1, MLX_FLOAT32);
  g.idx = make((const float[]){0, 1}, (int[]){2}, 1, MLX_INT32);
  g.idx21 = make((const float[]){2, 0}, (int[]){2, 1}, 2, MLX_INT32);
  g.c22 = make(six, (int[]){2, 2}, 2, MLX_FLOAT32);
  g.half = mlx_array_new_float32(0.5f);
  g.upd12 = make(six, (int[]){1, 2}, 2, MLX_FLOAT32);
  g.upd213 = make(six, (int[]){2, 1, 3}, 3, MLX_FLOAT32);
  g.seg = make((const float[]){0, 1, 1, 3}, (int[]){2, 2}, 2, MLX_INT32);
  g.cov = mlx_array_new();
  mlx_identity(&g.cov, 3, MLX_FLOAT32, cpu);
  g.key = mlx_array_new();
  mlx_random_key(&g.key, 3);
  sweep();
  mlx_array all[] = {g.f,   g.f2,  g.ft,    g.i,   g.i2,   g.b,     g.f1,     g.sq,  g.v,
                     g.key, g.idx, g.idx21, g.c22, g.half, g.upd12, g.upd213, g.seg, g.cov};
  for (size_t k = 0; k < sizeof all / sizeof *all; k++) mlx_array_free(all[k]);
  mlx_stream_free(cpu);
}
