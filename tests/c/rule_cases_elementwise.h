/* Rule cases of the elementwise primitives (see rule_cases.h). Integer-only primitives (bitwise,
 * shifts) take float inputs cast to int32 and cast back, so their zero gradients are checked
 * through the casts. */
#include <math.h>

#include "core/error.h"
#include "core/transforms.h"

#define ECASE_UNARY(name, op)                                                                      \
  static int ecase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return op(out, x[0], s);                                                                       \
  }
#define ECASE_BINARY(name, op)                                                                     \
  static int ecase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return op(out, x[0], x[1], s);                                                                 \
  }

ECASE_UNARY(abs, mx_abs)
ECASE_UNARY(sign, mx_sign)
ECASE_UNARY(negative, mx_negative)
ECASE_UNARY(square, mx_square)
ECASE_UNARY(sqrt, mx_sqrt)
ECASE_UNARY(rsqrt, mx_rsqrt)
ECASE_UNARY(exp, mx_exp)
ECASE_UNARY(expm1, mx_expm1)
ECASE_UNARY(log, mx_log)
ECASE_UNARY(log2, mx_log2)
ECASE_UNARY(log10, mx_log10)
ECASE_UNARY(log1p, mx_log1p)
ECASE_UNARY(sin, mx_sin)
ECASE_UNARY(cos, mx_cos)
ECASE_UNARY(tan, mx_tan)
ECASE_UNARY(sinh, mx_sinh)
ECASE_UNARY(cosh, mx_cosh)
ECASE_UNARY(tanh, mx_tanh)
ECASE_UNARY(arcsin, mx_arcsin)
ECASE_UNARY(arccos, mx_arccos)
ECASE_UNARY(arctan, mx_arctan)
ECASE_UNARY(arcsinh, mx_arcsinh)
ECASE_UNARY(arccosh, mx_arccosh)
ECASE_UNARY(arctanh, mx_arctanh)
ECASE_UNARY(sigmoid, mx_sigmoid)
ECASE_UNARY(erf, mx_erf)
ECASE_UNARY(erfinv, mx_erfinv)
ECASE_UNARY(floor, mx_floor)
ECASE_UNARY(ceil, mx_ceil)
ECASE_UNARY(logical_not, mx_logical_not)
ECASE_UNARY(stop_gradient, mx_stop_gradient)
ECASE_BINARY(maximum, mx_maximum)
ECASE_BINARY(minimum, mx_minimum)
ECASE_BINARY(power, mx_power)
ECASE_BINARY(remainder, mx_remainder)
ECASE_BINARY(floor_divide, mx_floor_divide)
ECASE_BINARY(arctan2, mx_arctan2)
ECASE_BINARY(logaddexp, mx_logaddexp)
ECASE_BINARY(equal, mx_equal)
ECASE_BINARY(not_equal, mx_not_equal)
ECASE_BINARY(less, mx_less)
ECASE_BINARY(less_equal, mx_less_equal)
ECASE_BINARY(greater, mx_greater)
ECASE_BINARY(greater_equal, mx_greater_equal)
ECASE_BINARY(logical_and, mx_logical_and)
ECASE_BINARY(logical_or, mx_logical_or)

static int ecase_round(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_round(out, x[0], 0, s);
}

/* maximum(x, x): a tie everywhere; b takes the whole gradient, so the sum is still 1. */
static int ecase_maximum_tie(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_maximum(out, x[0], x[0], s);
}

static int ecase_minimum_tie(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_minimum(out, x[0], x[0], s);
}

/* divmod: both outputs (quotient: zero gradient; remainder: as remainder). */
static int ecase_divmod(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_divmod(out, x[0], x[1], s);
}

/* NaNEqual has no op of its own (array_equal reduces it): the node over x[0] and x[0] or x[1]. */
static int ecase_nan_equal(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *in[2] = {x[0], x[1]};
  *out = mx_array_make(MX_PRIM_NAN_EQUAL, NULL, 0, in, 2, x[0]->ndim, x[0]->shape, MX_BOOL, s);
  return *out ? 0 : MX_ERR;
}

/* where(x0 > 0, x1, x2): the condition comes from an input, which gets no gradient. */
static int ecase_select(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *zero = mx_array_scalar(MX_FLOAT64, 0), *c = NULL;
  int rc = zero ? mx_greater(&c, x[0], zero, s) : MX_ERR;
  if (!rc) rc = mx_where(out, c, x[1], x[2], s);
  mx_array_release(zero), mx_array_release(c);
  return rc;
}

static int ecase_clip(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_clip(out, x[0], x[1], x[2], s);
}

/* x with special values in its first three places: [nan, inf, -inf, x3, x4, ...] (x: 6 items),
 * kept apart from x's gradient by a select. */
static int ecase_specials(mx_array *x, mx_array **out, mx_stream s) {
  const double v[6] = {NAN, INFINITY, -INFINITY, 1, 1, 1};
  mx_array *sp = mx_array_from_data(v, 2, (int32_t[]){2, 3}, MX_FLOAT64), *fin = NULL;
  int rc = sp ? mx_isfinite(&fin, sp, s) : MX_ERR;
  if (!rc) rc = mx_where(out, fin, x, sp, s);
  mx_array_release(sp), mx_array_release(fin);
  return rc;
}

#define ECASE_CLASSIFY(name, op)                                                                   \
  static int ecase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    mx_array *z = NULL;                                                                            \
    MX_TRY(ecase_specials(x[0], &z, s));                                                           \
    int rc = op(out, z, s);                                                                        \
    mx_array_release(z);                                                                           \
    return rc;                                                                                     \
  }
ECASE_CLASSIFY(isnan, mx_isnan)
ECASE_CLASSIFY(isinf, mx_isinf)
ECASE_CLASSIFY(isfinite, mx_isfinite)
ECASE_CLASSIFY(isposinf, mx_isposinf)
ECASE_CLASSIFY(isneginf, mx_isneginf)

/* nan_to_num has no float64 kernel (as MLX): float32 in between. */
static int ecase_nan_to_num(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *z = NULL, *z32 = NULL, *r = NULL;
  int rc = ecase_specials(x[0], &z, s);
  if (!rc) rc = mx_astype(&z32, z, MX_FLOAT32, s);
  if (!rc) rc = mx_nan_to_num(&r, z32, 0.0, NULL, NULL, s);
  if (!rc) rc = mx_astype(out, r, MX_FLOAT64, s);
  mx_array_release(z), mx_array_release(z32), mx_array_release(r);
  return rc;
}

/* x0 + i x1 as complex64. */
static int ecase_complex(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = mx_array_scalar_complex(0.0f, 1.0f), *im = NULL;
  int rc = i ? mx_multiply(&im, x[1], i, s) : MX_ERR;
  if (!rc) rc = mx_add(out, x[0], im, s);
  mx_array_release(i), mx_array_release(im);
  return rc;
}

#define ECASE_COMPLEX(name, op)                                                                    \
  static int ecase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    mx_array *z = NULL;                                                                            \
    MX_TRY(ecase_complex(x, &z, s));                                                               \
    int rc = op(out, z, s);                                                                        \
    mx_array_release(z);                                                                           \
    return rc;                                                                                     \
  }
ECASE_COMPLEX(real, mx_real)
ECASE_COMPLEX(imag, mx_imag)

/* Both parts of conj(x0 + i x1) (the driver compares real parts only). */
static int ecase_conjugate(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *z = NULL, *c = NULL;
  int rc = ecase_complex(x, &z, s);
  if (!rc) rc = mx_conjugate(&c, z, s);
  if (!rc) rc = mx_real(&out[0], c, s);
  if (!rc) rc = mx_imag(&out[1], c, s);
  mx_array_release(z), mx_array_release(c);
  return rc;
}

/* Integer-only primitives: op(int32(x0) [, int32(x1)]) as float64. */
static int ecase_int_op(mx_array *const *x, int nin, int prim, mx_array **out, mx_stream s) {
  mx_array *i[2] = {NULL, NULL}, *r = NULL;
  int rc = 0;
  for (int k = 0; k < nin && !rc; k++) rc = mx_astype(&i[k], x[k], MX_INT32, s);
  if (!rc) {
    switch (prim) {
    case MX_PRIM_BITWISE_INVERT:
      rc = mx_bitwise_invert(&r, i[0], s);
      break;
    case MX_PRIM_LEFT_SHIFT:
      rc = mx_left_shift(&r, i[0], i[1], s);
      break;
    case MX_PRIM_RIGHT_SHIFT:
      rc = mx_right_shift(&r, i[0], i[1], s);
      break;
    case MX_PRIM_BITWISE_AND:
      rc = mx_bitwise_and(&r, i[0], i[1], s);
      break;
    case MX_PRIM_BITWISE_OR:
      rc = mx_bitwise_or(&r, i[0], i[1], s);
      break;
    default:
      rc = mx_bitwise_xor(&r, i[0], i[1], s);
      break;
    }
  }
  if (!rc) rc = mx_astype(out, r, MX_FLOAT64, s);
  mx_array_release(i[0]), mx_array_release(i[1]), mx_array_release(r);
  return rc;
}

#define ECASE_INT(name, nin, prim)                                                                 \
  static int ecase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return ecase_int_op(x, nin, prim, out, s);                                                     \
  }
ECASE_INT(bitwise_invert, 1, MX_PRIM_BITWISE_INVERT)
ECASE_INT(left_shift, 2, MX_PRIM_LEFT_SHIFT)
ECASE_INT(right_shift, 2, MX_PRIM_RIGHT_SHIFT)
ECASE_INT(bitwise_and, 2, MX_PRIM_BITWISE_AND)
ECASE_INT(bitwise_or, 2, MX_PRIM_BITWISE_OR)
ECASE_INT(bitwise_xor, 2, MX_PRIM_BITWISE_XOR)

/* Second derivatives: the case is the gradient of op (a vjp with ones), so the graphs the rules
 * build (some use the primitive's output) are differentiated and vmapped in turn. */
typedef struct {
  int (*un)(mx_array **, mx_array *, mx_stream);
  int (*bin)(mx_array **, mx_array *, mx_array *, mx_stream);
} ecase_ops;

static int ecase_apply(void *payload, const mx_arrays *in, mx_arrays *out) {
  const ecase_ops *f = payload;
  mx_array *y = NULL, *x0 = in->items[0];
  mx_stream s = mx_array_stream(x0);
  int rc = f->un ? f->un(&y, x0, s) : f->bin(&y, x0, in->items[1], s);
  if (!rc) rc = mx_arrays_from(out, &y, 1);
  mx_array_release(y);
  return rc;
}

/* sum over the inputs k of d/dx_k sum(op(x...)): one output of the inputs' shape. */
static int ecase_grad_of(const ecase_ops *f, mx_array *const *x, mx_array **out, mx_stream s) {
  int nin = f->un ? 1 : 2;
  mx_arrays primals = {0}, cots = {0}, outs = {0}, vjps = {0};
  mx_array *one = mx_array_scalar(MX_FLOAT64, 1), *ones = NULL;
  int rc = one ? mx_arrays_from(&primals, x, nin) : MX_ERR;
  if (!rc) rc = mx_broadcast_to(&ones, one, x[0]->ndim, x[0]->shape, s);
  if (!rc) rc = mx_arrays_from(&cots, &ones, 1);
  if (!rc) rc = mx_vjp((mx_fun){ecase_apply, (void *)f}, &primals, &cots, &outs, &vjps);
  if (!rc && nin == 1) *out = mx_array_retain(vjps.items[0]);
  if (!rc && nin == 2) rc = mx_add(out, vjps.items[0], vjps.items[1], s);
  mx_arrays_free(&primals), mx_arrays_free(&cots), mx_arrays_free(&outs), mx_arrays_free(&vjps);
  mx_array_release(one), mx_array_release(ones);
  return rc;
}

#define ECASE_GRAD(name, kind, op)                                                                 \
  static int ecase_grad_##name(mx_array *const *x, mx_array **out, mx_stream s) {                  \
    static const ecase_ops f = {.kind = op};                                                       \
    return ecase_grad_of(&f, x, out, s);                                                           \
  }
ECASE_GRAD(sigmoid, un, mx_sigmoid)
ECASE_GRAD(sqrt, un, mx_sqrt)
ECASE_GRAD(erfinv, un, mx_erfinv)
ECASE_GRAD(tanh, un, mx_tanh)
ECASE_GRAD(power, bin, mx_power)
ECASE_GRAD(logaddexp, bin, mx_logaddexp)
ECASE_GRAD(maximum, bin, mx_maximum)

#undef ECASE_UNARY
#undef ECASE_BINARY
#undef ECASE_CLASSIFY
#undef ECASE_COMPLEX
#undef ECASE_INT
#undef ECASE_GRAD

/* Shapes: U one (2, 3) input; B two; BB a (2, 3) input with a (3) one; BS with a 0-d one. */
#define EC_U(prim, name, fn, lo_, hi_)                                                             \
  { prim, name, fn, 1, 1, {2}, {{2, 3}}, .lo = lo_, .hi = hi_ }
#define EC_UZ(prim, name, fn, lo_, hi_)                                                            \
  { prim, name, fn, 1, 1, {2}, {{2, 3}}, .lo = lo_, .hi = hi_, .flags = RULE_GRAD_ZERO }
#define EC_B(prim, name, fn, lo_, hi_)                                                             \
  { prim, name, fn, 2, 1, {2, 2}, {{2, 3}, {2, 3}}, .lo = lo_, .hi = hi_ }
#define EC_BB(prim, name, fn, lo_, hi_)                                                            \
  { prim, name, fn, 2, 1, {2, 1}, {{2, 3}, {3}}, .lo = lo_, .hi = hi_ }
#define EC_BS(prim, name, fn, lo_, hi_)                                                            \
  { prim, name, fn, 2, 1, {0, 2}, {{0}, {2, 3}}, .lo = lo_, .hi = hi_ }
#define EC_BZ(prim, name, fn, lo_, hi_)                                                            \
  { prim, name, fn, 2, 1, {2, 1}, {{2, 3}, {3}}, .lo = lo_, .hi = hi_, .flags = RULE_GRAD_ZERO }
#define EC_COMPLEX_WHY                                                                             \
  "complex64 keeps float32 precision; tests/python/test_grad_elementwise.py checks the values "    \
  "against MLX"

static const rule_case rule_cases_elementwise[] = {
    /* ---- unary ---- */
    EC_U(MX_PRIM_ABS, "abs", ecase_abs, -2, 2),
    EC_UZ(MX_PRIM_SIGN, "sign", ecase_sign, -2, 2),
    EC_U(MX_PRIM_NEGATIVE, "negative", ecase_negative, -2, 2),
    EC_U(MX_PRIM_SQUARE, "square", ecase_square, -2, 2),
    EC_U(MX_PRIM_SQRT, "sqrt", ecase_sqrt, 0.5, 2),
    EC_U(MX_PRIM_RSQRT, "rsqrt", ecase_rsqrt, 0.5, 2),
    EC_U(MX_PRIM_EXP, "exp", ecase_exp, -1, 1),
    EC_U(MX_PRIM_EXPM1, "expm1", ecase_expm1, -1, 1),
    EC_U(MX_PRIM_LOG, "log", ecase_log, 0.5, 2),
    EC_U(MX_PRIM_LOG2, "log2", ecase_log2, 0.5, 2),
    EC_U(MX_PRIM_LOG10, "log10", ecase_log10, 0.5, 2),
    EC_U(MX_PRIM_LOG1P, "log1p", ecase_log1p, -0.5, 1),
    EC_U(MX_PRIM_SIN, "sin", ecase_sin, -2, 2),
    EC_U(MX_PRIM_COS, "cos", ecase_cos, -2, 2),
    EC_U(MX_PRIM_TAN, "tan", ecase_tan, -1, 1),
    EC_U(MX_PRIM_SINH, "sinh", ecase_sinh, -1, 1),
    EC_U(MX_PRIM_COSH, "cosh", ecase_cosh, -1, 1),
    EC_U(MX_PRIM_TANH, "tanh", ecase_tanh, -1, 1),
    EC_U(MX_PRIM_ARCSIN, "arcsin", ecase_arcsin, -0.8, 0.8),
    EC_U(MX_PRIM_ARCCOS, "arccos", ecase_arccos, -0.8, 0.8),
    EC_U(MX_PRIM_ARCTAN, "arctan", ecase_arctan, -2, 2),
    EC_U(MX_PRIM_ARCSINH, "arcsinh", ecase_arcsinh, -2, 2),
    EC_U(MX_PRIM_ARCCOSH, "arccosh", ecase_arccosh, 1.5, 3),
    EC_U(MX_PRIM_ARCTANH, "arctanh", ecase_arctanh, -0.8, 0.8),
    EC_U(MX_PRIM_SIGMOID, "sigmoid", ecase_sigmoid, -2, 2),
    EC_U(MX_PRIM_ERF, "erf", ecase_erf, -2, 2),
    EC_U(MX_PRIM_ERFINV, "erfinv", ecase_erfinv, -0.8, 0.8),
    EC_UZ(MX_PRIM_FLOOR, "floor", ecase_floor, -3, 3),
    EC_UZ(MX_PRIM_CEIL, "ceil", ecase_ceil, -3, 3),
    EC_UZ(MX_PRIM_ROUND, "round", ecase_round, -3, 3),
    EC_UZ(MX_PRIM_BITWISE_INVERT, "bitwise_invert of int32(x)", ecase_bitwise_invert, 0, 8),
    EC_UZ(MX_PRIM_LOGICAL_NOT, "logical_not", ecase_logical_not, -2, 2),
    EC_UZ(MX_PRIM_ISNAN, "isnan", ecase_isnan, -2, 2),
    EC_UZ(MX_PRIM_ISINF, "isinf", ecase_isinf, -2, 2),
    EC_UZ(MX_PRIM_ISFINITE, "isfinite", ecase_isfinite, -2, 2),
    EC_UZ(MX_PRIM_ISPOSINF, "isposinf", ecase_isposinf, -2, 2),
    EC_UZ(MX_PRIM_ISNEGINF, "isneginf", ecase_isneginf, -2, 2),
    {MX_PRIM_NAN_TO_NUM,
     "nan_to_num (float32)",
     ecase_nan_to_num,
     1,
     1,
     {2},
     {{2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_SKIP,
     .why =
         "no float64 kernel; tests/python/test_grad_elementwise.py checks the values against MLX"},
    EC_UZ(MX_PRIM_STOP_GRADIENT, "stop_gradient", ecase_stop_gradient, -2, 2),
    /* ---- complex parts ---- */
    {MX_PRIM_REAL,
     "real",
     ecase_real,
     2,
     1,
     {2, 2},
     {{2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_SKIP,
     .why = EC_COMPLEX_WHY},
    {MX_PRIM_IMAG,
     "imag",
     ecase_imag,
     2,
     1,
     {2, 2},
     {{2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_SKIP,
     .why = EC_COMPLEX_WHY},
    {MX_PRIM_CONJUGATE,
     "conjugate",
     ecase_conjugate,
     2,
     2,
     {2, 2},
     {{2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_SKIP,
     .why = EC_COMPLEX_WHY},
    /* ---- binary ---- */
    EC_B(MX_PRIM_MAXIMUM, "maximum", ecase_maximum, -2, 2),
    EC_BB(MX_PRIM_MAXIMUM, "maximum broadcast", ecase_maximum, -2, 2),
    EC_U(MX_PRIM_MAXIMUM, "maximum(x, x): ties", ecase_maximum_tie, -2, 2),
    EC_B(MX_PRIM_MINIMUM, "minimum", ecase_minimum, -2, 2),
    EC_BS(MX_PRIM_MINIMUM, "minimum with a 0-d operand", ecase_minimum, -2, 2),
    EC_U(MX_PRIM_MINIMUM, "minimum(x, x): ties", ecase_minimum_tie, -2, 2),
    EC_B(MX_PRIM_POWER, "power", ecase_power, 0.5, 2),
    EC_BS(MX_PRIM_POWER, "power of a 0-d base", ecase_power, 0.5, 2),
    EC_B(MX_PRIM_REMAINDER, "remainder", ecase_remainder, 0.5, 3),
    EC_BB(MX_PRIM_REMAINDER, "remainder broadcast", ecase_remainder, 0.5, 3),
    EC_BZ(MX_PRIM_FLOOR_DIVIDE, "floor_divide", ecase_floor_divide, 0.5, 3),
    EC_B(MX_PRIM_ARCTAN2, "arctan2", ecase_arctan2, -2, 2),
    EC_BB(MX_PRIM_ARCTAN2, "arctan2 broadcast", ecase_arctan2, -2, 2),
    EC_B(MX_PRIM_LOGADDEXP, "logaddexp", ecase_logaddexp, -2, 2),
    EC_BS(MX_PRIM_LOGADDEXP, "logaddexp with a 0-d operand", ecase_logaddexp, -2, 2),
    EC_BZ(MX_PRIM_LEFT_SHIFT, "left_shift of int32s", ecase_left_shift, 0, 4),
    EC_BZ(MX_PRIM_RIGHT_SHIFT, "right_shift of int32s", ecase_right_shift, 0, 4),
    EC_BZ(MX_PRIM_BITWISE_AND, "bitwise_and of int32s", ecase_bitwise_and, 0, 8),
    EC_BZ(MX_PRIM_BITWISE_OR, "bitwise_or of int32s", ecase_bitwise_or, 0, 8),
    EC_BZ(MX_PRIM_BITWISE_XOR, "bitwise_xor of int32s", ecase_bitwise_xor, 0, 8),
    EC_BZ(MX_PRIM_EQUAL, "equal", ecase_equal, -2, 2),
    EC_BZ(MX_PRIM_NOT_EQUAL, "not_equal", ecase_not_equal, -2, 2),
    EC_BZ(MX_PRIM_LESS, "less", ecase_less, -2, 2),
    EC_BZ(MX_PRIM_LESS_EQUAL, "less_equal", ecase_less_equal, -2, 2),
    EC_BZ(MX_PRIM_GREATER, "greater", ecase_greater, -2, 2),
    EC_BZ(MX_PRIM_GREATER_EQUAL, "greater_equal", ecase_greater_equal, -2, 2),
    {MX_PRIM_NAN_EQUAL,
     "nan_equal",
     ecase_nan_equal,
     2,
     1,
     {2, 2},
     {{2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_ZERO},
    EC_BZ(MX_PRIM_LOGICAL_AND, "logical_and", ecase_logical_and, -2, 2),
    EC_BZ(MX_PRIM_LOGICAL_OR, "logical_or", ecase_logical_or, -2, 2),
    {MX_PRIM_DIVMOD, "divmod", ecase_divmod, 2, 2, {2, 2}, {{2, 3}, {2, 3}}, .lo = 0.5, .hi = 3},
    {MX_PRIM_DIVMOD,
     "divmod broadcast",
     ecase_divmod,
     2,
     2,
     {2, 1},
     {{2, 3}, {3}},
     .lo = 0.5,
     .hi = 3},
    /* ---- ternary ---- */
    {MX_PRIM_SELECT,
     "select",
     ecase_select,
     3,
     1,
     {2, 2, 2},
     {{2, 3}, {2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2},
    {MX_PRIM_SELECT,
     "select broadcast",
     ecase_select,
     3,
     1,
     {2, 2, 1},
     {{2, 1}, {2, 3}, {3}},
     .lo = -2,
     .hi = 2},
    {MX_PRIM_CLIP, "clip", ecase_clip, 3, 1, {2, 2, 2}, {{2, 3}, {2, 3}, {2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_CLIP,
     "clip broadcast bounds",
     ecase_clip,
     3,
     1,
     {2, 2, 1},
     {{2, 3}, {2, 1}, {3}},
     .lo = -2,
     .hi = 2},
    /* ---- second derivatives (the rules' graphs use the output and other primitives) ---- */
    EC_U(MX_PRIM_SIGMOID, "grad of sigmoid", ecase_grad_sigmoid, -2, 2),
    EC_U(MX_PRIM_SQRT, "grad of sqrt", ecase_grad_sqrt, 0.5, 2),
    EC_U(MX_PRIM_ERFINV, "grad of erfinv", ecase_grad_erfinv, -0.8, 0.8),
    EC_U(MX_PRIM_COSH, "grad of tanh", ecase_grad_tanh, -1, 1),
    EC_B(MX_PRIM_POWER, "grad of power", ecase_grad_power, 0.5, 2),
    EC_B(MX_PRIM_SIGMOID, "grad of logaddexp (sigmoid)", ecase_grad_logaddexp, -2, 2),
    {MX_PRIM_SELECT,
     "grad of maximum (select of masks)",
     ecase_grad_maximum,
     2,
     1,
     {2, 2},
     {{2, 3}, {2, 3}},
     .lo = -2,
     .hi = 2,
     .flags = RULE_GRAD_ZERO},
    RULE_END,
};

#undef EC_U
#undef EC_UZ
#undef EC_B
#undef EC_BB
#undef EC_BS
#undef EC_BZ
#undef EC_COMPLEX_WHY
