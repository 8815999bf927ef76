/* Unary elementwise ops (MLX semantics). Each validates the dtype, casts integer and bool
 * inputs of the math functions to float32, and builds one node of its primitive; identity
 * cases (abs of unsigned, floor of integers, conj of real arrays, ...) return the input. */
#include <float.h>
#include <math.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

/* ------------------------------------------------------------------ helpers */

static int node1(int prim, const void *params, size_t psize, mx_array **out, mx_array *a,
                 mx_dtype dtype, mx_stream s) {
  int ndim;
  int32_t shapes[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(prim, params, &a, 1, &ndim, shapes));
  *out = mx_array_make(prim, params, psize, &a, 1, ndim, shapes[0], dtype, s);
  return *out ? 0 : MX_ERR;
}

static int same(mx_array **out, mx_array *a) {
  *out = mx_array_retain(a);
  return 0;
}

/* MLX's at_least_float: integers and bool become float32. */
static mx_dtype float_type(mx_dtype t) {
  return mx_dtype_is_inexact(t) ? t : MX_FLOAT32;
}

/* A math function: cast to float32 when integral, reject complex when not supported. */
static int math1(const char *op, int prim, bool complex_ok, mx_array **out, mx_array *a,
                 mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t == MX_COMPLEX64 && !complex_ok) return mx_error("[%s] Not supported for complex64.", op);
  mx_dtype ft = float_type(t);
  mx_array *x = NULL;
  MX_TRY(mx_astype(&x, a, ft, s));
  int rc = node1(prim, NULL, 0, out, x, ft, s);
  mx_array_release(x);
  return rc;
}

/* A 0-d array of dtype t holding v (complex: v + 0i). */
static mx_array *scalar_of(mx_dtype t, double v) {
  return t == MX_COMPLEX64 ? mx_array_scalar_complex((float)v, 0.0f) : mx_array_scalar(t, v);
}

/* A bool array of a's shape filled with v (a broadcast view of one value). */
static int const_bool(mx_array **out, mx_array *a, bool v, mx_stream s) {
  mx_array *c = mx_array_scalar(MX_BOOL, v ? 1.0 : 0.0);
  if (!c) return MX_ERR;
  int rc = mx_broadcast_to(out, c, a->ndim, a->shape, s);
  mx_array_release(c);
  return rc;
}

/* ------------------------------------------------------------------ arithmetic-like */

int mx_abs(mx_array **out, mx_array *a, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t == MX_BOOL || mx_dtype_kind_of(t) == MX_KIND_UINT) return same(out, a);
  return node1(MX_PRIM_ABS, NULL, 0, out, a, t == MX_COMPLEX64 ? MX_FLOAT32 : t, s);
}

int mx_sign(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype == MX_BOOL) return same(out, a);
  return node1(MX_PRIM_SIGN, NULL, 0, out, a, (mx_dtype)a->dtype, s);
}

int mx_negative(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype == MX_BOOL)
    return mx_error("[negative] Not supported for bool, use logical_not instead.");
  return node1(MX_PRIM_NEGATIVE, NULL, 0, out, a, (mx_dtype)a->dtype, s);
}

int mx_square(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype == MX_BOOL) return same(out, a);
  return node1(MX_PRIM_SQUARE, NULL, 0, out, a, (mx_dtype)a->dtype, s);
}

int mx_sqrt(mx_array **out, mx_array *a, mx_stream s) {
  return math1("sqrt", MX_PRIM_SQRT, true, out, a, s);
}

int mx_rsqrt(mx_array **out, mx_array *a, mx_stream s) {
  return math1("rsqrt", MX_PRIM_RSQRT, true, out, a, s);
}

/* 1 / a in a's float type (as MLX: a division). */
int mx_reciprocal(mx_array **out, mx_array *a, mx_stream s) {
  mx_dtype t = float_type((mx_dtype)a->dtype);
  mx_array *one = scalar_of(t, 1.0);
  if (!one) return MX_ERR;
  int rc = mx_divide(out, one, a, s);
  mx_array_release(one);
  return rc;
}

/* ------------------------------------------------------------------ transcendental */

int mx_exp(mx_array **out, mx_array *a, mx_stream s) {
  return math1("exp", MX_PRIM_EXP, true, out, a, s);
}
int mx_expm1(mx_array **out, mx_array *a, mx_stream s) {
  return math1("expm1", MX_PRIM_EXPM1, false, out, a, s);
}
int mx_log(mx_array **out, mx_array *a, mx_stream s) {
  return math1("log", MX_PRIM_LOG, true, out, a, s);
}
int mx_log2(mx_array **out, mx_array *a, mx_stream s) {
  return math1("log2", MX_PRIM_LOG2, true, out, a, s);
}
int mx_log10(mx_array **out, mx_array *a, mx_stream s) {
  return math1("log10", MX_PRIM_LOG10, true, out, a, s);
}
int mx_log1p(mx_array **out, mx_array *a, mx_stream s) {
  return math1("log1p", MX_PRIM_LOG1P, true, out, a, s);
}
int mx_sin(mx_array **out, mx_array *a, mx_stream s) {
  return math1("sin", MX_PRIM_SIN, true, out, a, s);
}
int mx_cos(mx_array **out, mx_array *a, mx_stream s) {
  return math1("cos", MX_PRIM_COS, true, out, a, s);
}
int mx_tan(mx_array **out, mx_array *a, mx_stream s) {
  return math1("tan", MX_PRIM_TAN, true, out, a, s);
}
int mx_sinh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("sinh", MX_PRIM_SINH, true, out, a, s);
}
int mx_cosh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("cosh", MX_PRIM_COSH, true, out, a, s);
}
int mx_tanh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("tanh", MX_PRIM_TANH, true, out, a, s);
}
int mx_arcsin(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arcsin", MX_PRIM_ARCSIN, true, out, a, s);
}
int mx_arccos(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arccos", MX_PRIM_ARCCOS, true, out, a, s);
}
int mx_arctan(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arctan", MX_PRIM_ARCTAN, true, out, a, s);
}
int mx_arcsinh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arcsinh", MX_PRIM_ARCSINH, true, out, a, s);
}
int mx_arccosh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arccosh", MX_PRIM_ARCCOSH, true, out, a, s);
}
int mx_arctanh(mx_array **out, mx_array *a, mx_stream s) {
  return math1("arctanh", MX_PRIM_ARCTANH, true, out, a, s);
}
int mx_sigmoid(mx_array **out, mx_array *a, mx_stream s) {
  return math1("sigmoid", MX_PRIM_SIGMOID, false, out, a, s);
}
int mx_erf(mx_array **out, mx_array *a, mx_stream s) {
  return math1("erf", MX_PRIM_ERF, false, out, a, s);
}
int mx_erfinv(mx_array **out, mx_array *a, mx_stream s) {
  return math1("erfinv", MX_PRIM_ERFINV, false, out, a, s);
}

/* ------------------------------------------------------------------ rounding */

static int rounding(const char *op, int prim, bool complex_ok, mx_array **out, mx_array *a,
                    mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t == MX_COMPLEX64 && !complex_ok) return mx_error("[%s] Not supported for complex64.", op);
  if (!mx_dtype_is_inexact(t)) return same(out, a);
  return node1(prim, NULL, 0, out, a, t, s);
}

int mx_floor(mx_array **out, mx_array *a, mx_stream s) {
  return rounding("floor", MX_PRIM_FLOOR, false, out, a, s);
}

int mx_ceil(mx_array **out, mx_array *a, mx_stream s) {
  return rounding("ceil", MX_PRIM_CEIL, false, out, a, s);
}

/* decimals != 0: round(a * 10^d) * 10^-d in a's float type, cast back to a's type (so integers
 * round to tens, hundreds... for d < 0 and stay as they are for d > 0). */
int mx_round(mx_array **out, mx_array *a, int decimals, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (decimals == 0) return rounding("round", MX_PRIM_ROUND, true, out, a, s);
  if (!mx_dtype_is_inexact(t) && decimals > 0) return same(out, a);
  mx_dtype ft = float_type(t);
  double scale = pow(10.0, (double)decimals);
  mx_array *sc = scalar_of(ft, scale), *inv = scalar_of(ft, 1.0 / scale);
  mx_array *x = NULL, *y = NULL, *z = NULL;
  int rc = (sc && inv) ? 0 : MX_ERR;
  if (rc == 0) rc = mx_astype(&x, a, ft, s);
  if (rc == 0) rc = mx_multiply(&y, x, sc, s);
  if (rc == 0) rc = rounding("round", MX_PRIM_ROUND, true, &z, y, s);
  mx_array_release(y);
  y = NULL;
  if (rc == 0) rc = mx_multiply(&y, z, inv, s);
  if (rc == 0) rc = mx_astype(out, y, t, s);
  mx_array_release(sc);
  mx_array_release(inv);
  mx_array_release(x);
  mx_array_release(y);
  mx_array_release(z);
  return rc;
}

int mx_trunc(mx_array **out, mx_array *a, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t == MX_COMPLEX64) return mx_error("[trunc] Not supported for complex64.");
  if (!mx_dtype_is_inexact(t)) return same(out, a);
  mx_array *zero = mx_array_scalar(t, 0.0), *neg = NULL, *f = NULL, *c = NULL;
  int rc = zero ? 0 : MX_ERR;
  if (rc == 0) rc = mx_less(&neg, a, zero, s);
  if (rc == 0) rc = mx_floor(&f, a, s);
  if (rc == 0) rc = mx_ceil(&c, a, s);
  if (rc == 0) rc = mx_where(out, neg, c, f, s);
  mx_array_release(zero);
  mx_array_release(neg);
  mx_array_release(f);
  mx_array_release(c);
  return rc;
}

static int scale_by(mx_array **out, mx_array *a, double factor, mx_stream s) {
  mx_dtype ft = float_type((mx_dtype)a->dtype);
  mx_array *k = scalar_of(ft, factor), *x = NULL;
  int rc = k ? 0 : MX_ERR;
  if (rc == 0) rc = mx_astype(&x, a, ft, s);
  if (rc == 0) rc = mx_multiply(out, x, k, s);
  mx_array_release(k);
  mx_array_release(x);
  return rc;
}

int mx_degrees(mx_array **out, mx_array *a, mx_stream s) {
  return scale_by(out, a, 180.0 / M_PI, s);
}

int mx_radians(mx_array **out, mx_array *a, mx_stream s) {
  return scale_by(out, a, M_PI / 180.0, s);
}

/* ------------------------------------------------------------------ classification */

static int classify(int prim, bool int_value, mx_array **out, mx_array *a, mx_stream s) {
  if (!mx_dtype_is_inexact((mx_dtype)a->dtype)) return const_bool(out, a, int_value, s);
  return node1(prim, NULL, 0, out, a, MX_BOOL, s);
}

int mx_isnan(mx_array **out, mx_array *a, mx_stream s) {
  return classify(MX_PRIM_ISNAN, false, out, a, s);
}
int mx_isinf(mx_array **out, mx_array *a, mx_stream s) {
  return classify(MX_PRIM_ISINF, false, out, a, s);
}
int mx_isfinite(mx_array **out, mx_array *a, mx_stream s) {
  return classify(MX_PRIM_ISFINITE, true, out, a, s);
}
int mx_isposinf(mx_array **out, mx_array *a, mx_stream s) {
  return classify(MX_PRIM_ISPOSINF, false, out, a, s);
}
int mx_isneginf(mx_array **out, mx_array *a, mx_stream s) {
  return classify(MX_PRIM_ISNEGINF, false, out, a, s);
}

int mx_nan_to_num(mx_array **out, mx_array *a, double nan, const double *posinf,
                  const double *neginf, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (!mx_dtype_is_inexact(t)) return same(out, a);
  if (t == MX_COMPLEX64)
    return mx_error("[nan_to_num] Does not yet support given type: %s.", mx_dtype_name(t));
  double big = t == MX_FLOAT16    ? 65504.0
               : t == MX_BFLOAT16 ? 0x1.fep127
               : t == MX_FLOAT64  ? DBL_MAX
                                  : (double)FLT_MAX;
  mx_nan_to_num_params p = {nan, posinf ? *posinf : big, neginf ? *neginf : -big};
  return node1(MX_PRIM_NAN_TO_NUM, &p, sizeof p, out, a, t, s);
}

/* ------------------------------------------------------------------ complex parts */

int mx_conjugate(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype != MX_COMPLEX64) return same(out, a);
  return node1(MX_PRIM_CONJUGATE, NULL, 0, out, a, MX_COMPLEX64, s);
}

int mx_real(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype != MX_COMPLEX64) return same(out, a);
  return node1(MX_PRIM_REAL, NULL, 0, out, a, MX_FLOAT32, s);
}

int mx_imag(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype != MX_COMPLEX64) return mx_zeros(out, a->ndim, a->shape, (mx_dtype)a->dtype, s);
  return node1(MX_PRIM_IMAG, NULL, 0, out, a, MX_FLOAT32, s);
}

/* ------------------------------------------------------------------ bitwise, logical, other */

int mx_bitwise_invert(mx_array **out, mx_array *a, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (mx_dtype_is_inexact(t))
    return mx_error("[bitwise_invert] Bitwise inverse only allowed on integer types.");
  return node1(MX_PRIM_BITWISE_INVERT, NULL, 0, out, a, t, s);
}

int mx_logical_not(mx_array **out, mx_array *a, mx_stream s) {
  return node1(MX_PRIM_LOGICAL_NOT, NULL, 0, out, a, MX_BOOL, s);
}

int mx_stop_gradient(mx_array **out, mx_array *a, mx_stream s) {
  return node1(MX_PRIM_STOP_GRADIENT, NULL, 0, out, a, (mx_dtype)a->dtype, s);
}
