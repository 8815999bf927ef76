/* ops.h, elementwise family: unary, binary and ternary elementwise ops, comparisons, logical
 * ops. Each wrapper checks its handles and stream and calls the core op (src/ops/elementwise*.c).
 * Optional arrays (clip's bounds) are empty handles (ctx NULL) for "none". */
#include "api/api_ops.h"

#define UNARY(name)                                                                                \
  int mlx_##name(mlx_array *res, const mlx_array a, const mlx_stream s) {                          \
    OP_BEGIN(#name, 1, a);                                                                         \
    OP_END(mx_##name(&out_, in_[0], st_));                                                         \
  }

#define BINARY(name)                                                                               \
  int mlx_##name(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {       \
    OP_BEGIN(#name, 2, a, b);                                                                      \
    OP_END(mx_##name(&out_, in_[0], in_[1], st_));                                                 \
  }

UNARY(abs)
UNARY(sign)
UNARY(negative)
UNARY(square)
UNARY(sqrt)
UNARY(rsqrt)
UNARY(reciprocal)
UNARY(exp)
UNARY(expm1)
UNARY(log)
UNARY(log2)
UNARY(log10)
UNARY(log1p)
UNARY(sin)
UNARY(cos)
UNARY(tan)
UNARY(sinh)
UNARY(cosh)
UNARY(tanh)
UNARY(arcsin)
UNARY(arccos)
UNARY(arctan)
UNARY(arcsinh)
UNARY(arccosh)
UNARY(arctanh)
UNARY(sigmoid)
UNARY(erf)
UNARY(erfinv)
UNARY(floor)
UNARY(ceil)
UNARY(degrees)
UNARY(radians)
UNARY(isnan)
UNARY(isinf)
UNARY(isfinite)
UNARY(isposinf)
UNARY(isneginf)
UNARY(conjugate)
UNARY(real)
UNARY(imag)
UNARY(bitwise_invert)
UNARY(logical_not)
UNARY(stop_gradient)

BINARY(maximum)
BINARY(minimum)
BINARY(power)
BINARY(remainder)
BINARY(floor_divide)
BINARY(arctan2)
BINARY(logaddexp)
BINARY(left_shift)
BINARY(right_shift)
BINARY(bitwise_and)
BINARY(bitwise_or)
BINARY(bitwise_xor)
BINARY(equal)
BINARY(not_equal)
BINARY(less)
BINARY(less_equal)
BINARY(greater)
BINARY(greater_equal)
BINARY(logical_and)
BINARY(logical_or)

int mlx_round(mlx_array *res, const mlx_array a, int decimals, const mlx_stream s) {
  OP_BEGIN("round", 1, a);
  OP_END(mx_round(&out_, in_[0], decimals, st_));
}

int mlx_nan_to_num(mlx_array *res, const mlx_array a, float nan, mlx_optional_float posinf,
                   mlx_optional_float neginf, const mlx_stream s) {
  OP_BEGIN("nan_to_num", 1, a);
  double p = posinf.value, m = neginf.value;
  OP_END(mx_nan_to_num(&out_, in_[0], nan, posinf.has_value ? &p : NULL,
                       neginf.has_value ? &m : NULL, st_));
}

int mlx_array_equal(mlx_array *res, const mlx_array a, const mlx_array b, bool equal_nan,
                    const mlx_stream s) {
  OP_BEGIN("array_equal", 2, a, b);
  OP_END(mx_array_equal(&out_, in_[0], in_[1], equal_nan, st_));
}

int mlx_isclose(mlx_array *res, const mlx_array a, const mlx_array b, double rtol, double atol,
                bool equal_nan, const mlx_stream s) {
  OP_BEGIN("isclose", 2, a, b);
  OP_END(mx_isclose(&out_, in_[0], in_[1], rtol, atol, equal_nan, st_));
}

int mlx_allclose(mlx_array *res, const mlx_array a, const mlx_array b, double rtol, double atol,
                 bool equal_nan, const mlx_stream s) {
  OP_BEGIN("allclose", 2, a, b);
  OP_END(mx_allclose(&out_, in_[0], in_[1], rtol, atol, equal_nan, st_));
}

int mlx_where(mlx_array *res, const mlx_array condition, const mlx_array x, const mlx_array y,
              const mlx_stream s) {
  OP_BEGIN("where", 3, condition, x, y);
  OP_END(mx_where(&out_, in_[0], in_[1], in_[2], st_));
}

/* a_min / a_max: empty handles mean no bound (at most one of them). */
int mlx_clip(mlx_array *res, const mlx_array a, const mlx_array a_min, const mlx_array a_max,
             const mlx_stream s) {
  OP_BEGIN("clip", 1, a);
  OP_END(mx_clip(&out_, in_[0], mlx_api_arr(a_min), mlx_api_arr(a_max), st_));
}

int mlx_divmod(mlx_vector_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  const char *op = "divmod";
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  mx_array *in[2];
  if (mlx_api_get_arrays(op, (const mlx_array[]){a, b}, in, 2)) return 1;
  mx_stream st;
  if (mlx_api_stream(op, s, &st)) return 1;
  mx_array *outs[2];
  if (mx_divmod(outs, in[0], in[1], st)) return mlx_api_fail();
  mlx_array h[2] = {{outs[0]}, {outs[1]}};
  int rc = mlx_vector_array_set_data(res, h, 2);
  mx_array_release(outs[0]);
  mx_array_release(outs[1]);
  return rc;
}
