/* Ops: unary, binary and ternary elementwise ops, comparisons, logical ops. Conventions as in
 * src/ops/ops.h: each returns 0 and stores a new reference in *out, or MX_ERR with a message that
 * names the op; inputs are borrowed. Dtype rules follow MLX: math functions of integers and bool
 * give float32 (float16/bfloat16/float64/complex64 keep their type), comparisons give bool,
 * binary ops promote their operands (mx_promote_types) and broadcast them. */
#ifndef MX_OPS_ELEMENTWISE_H
#define MX_OPS_ELEMENTWISE_H

#include <stdbool.h>

#include "core/array.h"

/* NAN_TO_NUM: replacement values (the kernel rounds them to the array's dtype). */
typedef struct {
  double nan, posinf, neginf;
} mx_nan_to_num_params;

/* Casts a and b to dtype and broadcasts both to their joint shape (errors name op). */
int mx_broadcast_cast2(const char *op, mx_array *a, mx_array *b, mx_dtype dtype, mx_stream s,
                       mx_array **pa, mx_array **pb);

/* output_shapes of DIVMOD: two outputs of the (common) input shape. */
int mx_shapes_divmod(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);

/* ---- unary (elementwise.c) ---- */
int mx_abs(mx_array **out, mx_array *a, mx_stream s);
int mx_sign(mx_array **out, mx_array *a, mx_stream s);
int mx_negative(mx_array **out, mx_array *a, mx_stream s);
int mx_square(mx_array **out, mx_array *a, mx_stream s);
int mx_sqrt(mx_array **out, mx_array *a, mx_stream s);
int mx_rsqrt(mx_array **out, mx_array *a, mx_stream s);
int mx_reciprocal(mx_array **out, mx_array *a, mx_stream s);
int mx_exp(mx_array **out, mx_array *a, mx_stream s);
int mx_expm1(mx_array **out, mx_array *a, mx_stream s);
int mx_log(mx_array **out, mx_array *a, mx_stream s);
int mx_log2(mx_array **out, mx_array *a, mx_stream s);
int mx_log10(mx_array **out, mx_array *a, mx_stream s);
int mx_log1p(mx_array **out, mx_array *a, mx_stream s);
int mx_sin(mx_array **out, mx_array *a, mx_stream s);
int mx_cos(mx_array **out, mx_array *a, mx_stream s);
int mx_tan(mx_array **out, mx_array *a, mx_stream s);
int mx_sinh(mx_array **out, mx_array *a, mx_stream s);
int mx_cosh(mx_array **out, mx_array *a, mx_stream s);
int mx_tanh(mx_array **out, mx_array *a, mx_stream s);
int mx_arcsin(mx_array **out, mx_array *a, mx_stream s);
int mx_arccos(mx_array **out, mx_array *a, mx_stream s);
int mx_arctan(mx_array **out, mx_array *a, mx_stream s);
int mx_arcsinh(mx_array **out, mx_array *a, mx_stream s);
int mx_arccosh(mx_array **out, mx_array *a, mx_stream s);
int mx_arctanh(mx_array **out, mx_array *a, mx_stream s);
int mx_sigmoid(mx_array **out, mx_array *a, mx_stream s);
int mx_erf(mx_array **out, mx_array *a, mx_stream s);
int mx_erfinv(mx_array **out, mx_array *a, mx_stream s);
int mx_floor(mx_array **out, mx_array *a, mx_stream s);
int mx_ceil(mx_array **out, mx_array *a, mx_stream s);
/* Rounds half to even; decimals != 0 scales by 10^decimals first (integers are returned as they
 * are for decimals >= 0). */
int mx_round(mx_array **out, mx_array *a, int decimals, mx_stream s);
/* Towards zero: floor for x >= 0, ceil below (integers are returned as they are). */
int mx_trunc(mx_array **out, mx_array *a, mx_stream s);
int mx_degrees(mx_array **out, mx_array *a, mx_stream s);
int mx_radians(mx_array **out, mx_array *a, mx_stream s);
int mx_isnan(mx_array **out, mx_array *a, mx_stream s);
int mx_isinf(mx_array **out, mx_array *a, mx_stream s);
int mx_isfinite(mx_array **out, mx_array *a, mx_stream s);
int mx_isposinf(mx_array **out, mx_array *a, mx_stream s);
int mx_isneginf(mx_array **out, mx_array *a, mx_stream s);
/* posinf / neginf NULL: the dtype's largest / lowest finite value. */
int mx_nan_to_num(mx_array **out, mx_array *a, double nan, const double *posinf,
                  const double *neginf, mx_stream s);
int mx_conjugate(mx_array **out, mx_array *a, mx_stream s);
int mx_real(mx_array **out, mx_array *a, mx_stream s);
int mx_imag(mx_array **out, mx_array *a, mx_stream s);
int mx_bitwise_invert(mx_array **out, mx_array *a, mx_stream s);
int mx_logical_not(mx_array **out, mx_array *a, mx_stream s);
int mx_stop_gradient(mx_array **out, mx_array *a, mx_stream s);

/* ---- binary, ternary and composites (elementwise_binary.c) ---- */
int mx_maximum(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_minimum(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_power(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_remainder(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_floor_divide(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* out[0] = floor_divide(a, b), out[1] = remainder(a, b) */
int mx_divmod(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_arctan2(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_logaddexp(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_left_shift(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_right_shift(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_bitwise_and(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_bitwise_or(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_bitwise_xor(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_not_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_less(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_less_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_greater(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_greater_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_logical_and(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_logical_or(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_logical_xor(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* A 0-d bool: same shape and equal values (after promotion); nan == nan with equal_nan. */
int mx_array_equal(mx_array **out, mx_array *a, mx_array *b, bool equal_nan, mx_stream s);
/* |a - b| <= atol + rtol |b|, with equal infinities close and nan close to nan if equal_nan. */
int mx_isclose(mx_array **out, mx_array *a, mx_array *b, double rtol, double atol, bool equal_nan,
               mx_stream s);
/* A 0-d bool: all(isclose(a, b)). */
int mx_allclose(mx_array **out, mx_array *a, mx_array *b, double rtol, double atol, bool equal_nan,
                mx_stream s);
/* cond ? x : y with cond cast to bool, x and y promoted, all three broadcast. */
int mx_where(mx_array **out, mx_array *cond, mx_array *x, mx_array *y, mx_stream s);
/* minimum(maximum(a, a_min), a_max); either bound may be NULL, not both. */
int mx_clip(mx_array **out, mx_array *a, mx_array *a_min, mx_array *a_max, mx_stream s);

/* ---- transform rules of every elementwise primitive (elementwise_rules.c) ---- */
int mx_vjp_ew(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_ew(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* Batch at axis 0 of every output. */
int mx_vmap_ew(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
