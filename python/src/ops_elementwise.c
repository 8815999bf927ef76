/* mlx.core: unary, binary and ternary elementwise ops, comparisons, logical ops.
 *
 * Argument rules (as MLX's bindings): the array arguments are positional; Python scalars and
 * buffers (numpy arrays) are accepted where MLX accepts them and converted like the arithmetic
 * operators do (a scalar next to an array takes the array's type where it can); lists are
 * rejected with ValueError; positive, trunc, stop_gradient, isclose and allclose take arrays
 * only (TypeError otherwise). Library errors raise ValueError, except the bitwise ops on
 * floating types, which raise RuntimeError as MLX does. */
#include "mlxpy.h"

#define KW (PyCFunction)(void (*)(void))

/* ------------------------------------------------------------------ helpers */

/* An array argument: an mx.array (borrowed into *out) or, when `convert`, a scalar or a buffer
 * converted into *owned. Lists and tuples: ValueError (as MLX); anything else: TypeError. */
static int array_in(PyObject *o, const char *fname, bool convert, mlx_array *owned,
                    mlx_array *out) {
  if (mxpy_Array_Check(o)) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (convert && (PyList_Check(o) || PyTuple_Check(o))) {
    PyErr_Format(PyExc_ValueError, "Invalid type %.200s received in array initialization.",
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  if (!convert || !mxpy_is_operand(o)) {
    PyErr_Format(PyExc_TypeError,
                 "%s(): incompatible function arguments: expected an array, got %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  if (mxpy_array_from_object(o, NULL, owned) < 0) return -1;
  *out = *owned;
  return 0;
}

/* Converts o next to an array of dtype `other` (a scalar is weakly typed, a buffer is cast). */
static int array_like(PyObject *o, mlx_dtype other, mlx_array *owned, mlx_array *out) {
  if (mxpy_Array_Check(o)) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (mxpy_is_scalar(o)) {
    if (mxpy_scalar_weak(o, other, owned) < 0) return -1;
  } else {
    if (PyList_Check(o) || PyTuple_Check(o) || !mxpy_is_operand(o)) {
      PyErr_Format(PyExc_ValueError, "Invalid type %.200s received in array initialization.",
                   Py_TYPE(o)->tp_name);
      return -1;
    }
    if (mxpy_array_from_object(o, &other, owned) < 0) return -1;
  }
  *out = *owned;
  return 0;
}

/* Two operands with the arithmetic operators' rules: next to an mx.array the other operand takes
 * the array's type where it can; otherwise each stands alone. */
static int operand_pair(PyObject *a, PyObject *b, const char *fname, mlx_array *ao, mlx_array *bo,
                        mlx_array *x, mlx_array *y) {
  bool aa = mxpy_Array_Check(a), ba = mxpy_Array_Check(b);
  if (aa && !ba) {
    *x = MXPY_ARR(a);
    return array_like(b, mlx_array_dtype(*x), bo, y);
  }
  if (ba && !aa) {
    *y = MXPY_ARR(b);
    return array_like(a, mlx_array_dtype(*y), ao, x);
  }
  if (aa && ba) {
    *x = MXPY_ARR(a);
    *y = MXPY_ARR(b);
    return 0;
  }
  /* neither is an mx.array: a scalar next to a buffer is typed by the buffer */
  bool as = mxpy_is_scalar(a), bs = mxpy_is_scalar(b);
  if (as && !bs) {
    if (array_in(b, fname, true, bo, y) < 0) return -1;
    return array_like(a, mlx_array_dtype(*y), ao, x);
  }
  if (array_in(a, fname, true, ao, x) < 0) return -1;
  if (bs && !as) return array_like(b, mlx_array_dtype(*x), bo, y);
  return array_in(b, fname, true, bo, y);
}

typedef int (*unop_fn)(mlx_array *res, const mlx_array a, const mlx_stream s);

static PyObject *unary_call(PyObject *a, PyObject *stream, unop_fn fn, const char *fname,
                            bool convert) {
  mlx_array owned = mlx_array_new(), x;
  PyObject *result = NULL;
  if (array_in(a, fname, convert, &owned, &x) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(fn(&r, x, s), r, s);
done:
  mlx_array_free(owned);
  return result;
}

/* f(a, /, *, stream=None) */
#define UNARY_KWONLY(name, cfn, convert)                                                           \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "stream", NULL};                                                  \
    PyObject *a, *stream = Py_None;                                                                \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:" #name, kwlist, &a, &stream)) return NULL; \
    return unary_call(a, stream, cfn, #name, convert);                                             \
  }

/* f(a, stream=None) */
#define UNARY_POS(name, cfn)                                                                       \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "stream", NULL};                                                  \
    PyObject *a, *stream = Py_None;                                                                \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:" #name, kwlist, &a, &stream)) return NULL;  \
    return unary_call(a, stream, cfn, #name, true);                                                \
  }

/* array method: a.f(*, stream=None) */
#define UNARY_METHOD(name, cfn)                                                                    \
  static PyObject *m_##name(PyObject *self, PyObject *args, PyObject *kwds) {                      \
    static char *kwlist[] = {"stream", NULL};                                                      \
    PyObject *stream = Py_None;                                                                    \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$O:" #name, kwlist, &stream)) return NULL;      \
    return unary_call(self, stream, cfn, #name, false);                                            \
  }

/* ------------------------------------------------------------------ compositions the C API lacks
 */

static int positive_fn(mlx_array *res, const mlx_array a, const mlx_stream s) {
  (void)s;
  return mlx_array_set(res, a);
}

/* trunc: ceil below zero, floor elsewhere (integers as they are) */
static int trunc_fn(mlx_array *res, const mlx_array a, const mlx_stream s) {
  mlx_dtype d = mlx_array_dtype(a);
  if (!mxpy_is_floating(d) && !mxpy_is_complex(d)) return mlx_array_set(res, a);
  mxpy_value zv = {.kind = MXV_INT, .v.i = 0};
  mlx_array zero = mlx_array_new(), neg = mlx_array_new(), f = mlx_array_new(), c = mlx_array_new();
  int st = 1;
  if (mxpy_array_from_value(&zv, d, &zero) < 0) {
    PyErr_Clear();
  } else {
    st = mlx_less(&neg, a, zero, s);
    if (!st) st = mlx_floor(&f, a, s);
    if (!st) st = mlx_ceil(&c, a, s);
    if (!st) st = mlx_where(res, neg, c, f, s);
  }
  mlx_array_free(zero);
  mlx_array_free(neg);
  mlx_array_free(f);
  mlx_array_free(c);
  return st;
}

/* logical_xor: not(a) != not(b) (logical_not reads complex numbers as true when either part
 * is nonzero) */
static int logical_xor_fn(mlx_array *res, const mlx_array a, const mlx_array b,
                          const mlx_stream s) {
  mlx_array x = mlx_array_new(), y = mlx_array_new();
  int st = mlx_logical_not(&x, a, s);
  if (!st) st = mlx_logical_not(&y, b, s);
  if (!st) st = mlx_not_equal(res, x, y, s);
  mlx_array_free(x);
  mlx_array_free(y);
  return st;
}

/* ------------------------------------------------------------------ unary functions */

UNARY_KWONLY(abs, mlx_abs, true)
UNARY_KWONLY(sign, mlx_sign, true)
UNARY_KWONLY(positive, positive_fn, false)
UNARY_KWONLY(negative, mlx_negative, true)
UNARY_KWONLY(square, mlx_square, true)
UNARY_KWONLY(sqrt, mlx_sqrt, true)
UNARY_KWONLY(rsqrt, mlx_rsqrt, true)
UNARY_KWONLY(reciprocal, mlx_reciprocal, true)
UNARY_KWONLY(exp, mlx_exp, true)
UNARY_KWONLY(expm1, mlx_expm1, true)
UNARY_KWONLY(log, mlx_log, true)
UNARY_KWONLY(log2, mlx_log2, true)
UNARY_KWONLY(log10, mlx_log10, true)
UNARY_KWONLY(log1p, mlx_log1p, true)
UNARY_KWONLY(sin, mlx_sin, true)
UNARY_KWONLY(cos, mlx_cos, true)
UNARY_KWONLY(tan, mlx_tan, true)
UNARY_KWONLY(sinh, mlx_sinh, true)
UNARY_KWONLY(cosh, mlx_cosh, true)
UNARY_KWONLY(tanh, mlx_tanh, true)
UNARY_KWONLY(arcsin, mlx_arcsin, true)
UNARY_KWONLY(arccos, mlx_arccos, true)
UNARY_KWONLY(arctan, mlx_arctan, true)
UNARY_KWONLY(arcsinh, mlx_arcsinh, true)
UNARY_KWONLY(arccosh, mlx_arccosh, true)
UNARY_KWONLY(arctanh, mlx_arctanh, true)
UNARY_KWONLY(sigmoid, mlx_sigmoid, true)
UNARY_KWONLY(erf, mlx_erf, true)
UNARY_KWONLY(erfinv, mlx_erfinv, true)
UNARY_KWONLY(floor, mlx_floor, true)
UNARY_KWONLY(ceil, mlx_ceil, true)
UNARY_KWONLY(trunc, trunc_fn, false)
UNARY_KWONLY(degrees, mlx_degrees, true)
UNARY_KWONLY(radians, mlx_radians, true)
UNARY_KWONLY(conj, mlx_conjugate, true)
UNARY_KWONLY(conjugate, mlx_conjugate, true)
UNARY_KWONLY(real, mlx_real, true)
UNARY_KWONLY(imag, mlx_imag, true)
UNARY_KWONLY(logical_not, mlx_logical_not, true)
UNARY_KWONLY(stop_gradient, mlx_stop_gradient, false)
UNARY_POS(isnan, mlx_isnan)
UNARY_POS(isinf, mlx_isinf)
UNARY_POS(isfinite, mlx_isfinite)
UNARY_POS(isposinf, mlx_isposinf)
UNARY_POS(isneginf, mlx_isneginf)
UNARY_POS(bitwise_invert, mlx_bitwise_invert)

/* round(a, /, decimals=0, stream=None) */
static PyObject *round_impl(PyObject *a, PyObject *dec, PyObject *stream, bool convert) {
  int decimals = 0;
  if (dec && dec != Py_None) {
    if (!mxpy_is_int_like(dec) || PyBool_Check(dec)) {
      PyErr_Format(PyExc_TypeError, "round(): decimals must be an int, got %.200s.",
                   Py_TYPE(dec)->tp_name);
      return NULL;
    }
    long v = PyLong_AsLong(dec);
    if (v == -1 && PyErr_Occurred()) return NULL;
    if (v > 10000 || v < -10000) {
      PyErr_SetString(PyExc_ValueError, "round(): decimals out of range.");
      return NULL;
    }
    decimals = (int)v;
  }
  mlx_array owned = mlx_array_new(), x;
  PyObject *result = NULL;
  if (array_in(a, "round", convert, &owned, &x) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_round(&r, x, decimals, s), r, s);
done:
  mlx_array_free(owned);
  return result;
}

static PyObject *f_round(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "decimals", "stream", NULL};
  PyObject *a, *dec = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO:round", kwlist, &a, &dec, &stream))
    return NULL;
  return round_impl(a, dec, stream, true);
}

/* nan_to_num(a, nan=0, posinf=None, neginf=None, *, stream=None) */
static int opt_float(PyObject *o, const char *what, mlx_optional_float *out) {
  out->has_value = false;
  out->value = 0.0f;
  if (!o || o == Py_None) return 0;
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "nan_to_num(): %s must be a float, got %.200s.", what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  out->has_value = true;
  out->value = (float)v;
  return 0;
}

static PyObject *f_nan_to_num(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "nan", "posinf", "neginf", "stream", NULL};
  PyObject *a, *nan_o = NULL, *pos = Py_None, *neg = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO$O:nan_to_num", kwlist, &a, &nan_o, &pos, &neg,
                                   &stream))
    return NULL;
  mlx_optional_float nv, pv, mv;
  if (opt_float(nan_o, "nan", &nv) < 0 || opt_float(pos, "posinf", &pv) < 0 ||
      opt_float(neg, "neginf", &mv) < 0)
    return NULL;
  mlx_array owned = mlx_array_new(), x;
  PyObject *result = NULL;
  if (array_in(a, "nan_to_num", true, &owned, &x) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_nan_to_num(&r, x, nv.has_value ? nv.value : 0.0f, pv, mv, s), r, s);
done:
  mlx_array_free(owned);
  return result;
}

/* clip(a, /, a_min, a_max, *, stream=None): bounds are weakly typed next to a. */
static PyObject *f_clip(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "a_min", "a_max", "stream", NULL};
  PyObject *a, *lo, *hi, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|$O:clip", kwlist, &a, &lo, &hi, &stream))
    return NULL;
  if (lo == Py_None && hi == Py_None) {
    PyErr_SetString(PyExc_ValueError, "At most one of a_min and a_max may be None");
    return NULL;
  }
  mlx_array ao = mlx_array_new(), lo_o = mlx_array_new(), hi_o = mlx_array_new();
  mlx_array x, l = mlx_array_new(), h = mlx_array_new(); /* empty handles: no bound */
  mlx_array empty_l = l, empty_h = h;
  PyObject *result = NULL;
  if (array_in(a, "clip", true, &ao, &x) < 0) goto done;
  if (lo != Py_None && array_like(lo, mlx_array_dtype(x), &lo_o, &l) < 0) goto done;
  if (hi != Py_None && array_like(hi, mlx_array_dtype(x), &hi_o, &h) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_clip(&r, x, l, h, s), r, s);
done:
  mlx_array_free(ao);
  mlx_array_free(lo_o);
  mlx_array_free(hi_o);
  mlx_array_free(empty_l);
  mlx_array_free(empty_h);
  return result;
}

/* ------------------------------------------------------------------ binary functions */

/* f(a, b, stream=None) with a, b positional */
#define BINARY_POS(name, cfn)                                                                      \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "", "stream", NULL};                                              \
    PyObject *a, *b, *stream = Py_None;                                                            \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:" #name, kwlist, &a, &b, &stream))          \
      return NULL;                                                                                 \
    return mxpy_binary(a, b, cfn, stream, false);                                                  \
  }

/* f(a, b, /, *, stream=None) */
#define BINARY_KWONLY(name, cfn)                                                                   \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "", "stream", NULL};                                              \
    PyObject *a, *b, *stream = Py_None;                                                            \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:" #name, kwlist, &a, &b, &stream))         \
      return NULL;                                                                                 \
    return mxpy_binary(a, b, cfn, stream, false);                                                  \
  }

BINARY_POS(floor_divide, mlx_floor_divide)
BINARY_POS(remainder, mlx_remainder)
BINARY_POS(equal, mlx_equal)
BINARY_POS(not_equal, mlx_not_equal)
BINARY_POS(less, mlx_less)
BINARY_POS(less_equal, mlx_less_equal)
BINARY_POS(greater, mlx_greater)
BINARY_POS(greater_equal, mlx_greater_equal)
BINARY_KWONLY(power, mlx_power)
BINARY_KWONLY(maximum, mlx_maximum)
BINARY_KWONLY(minimum, mlx_minimum)
BINARY_KWONLY(arctan2, mlx_arctan2)
BINARY_KWONLY(logaddexp, mlx_logaddexp)
/* Logical ops convert each operand on its own (a scalar is not typed by the other operand). */
#define LOGICAL(name, cfn)                                                                         \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "", "stream", NULL};                                              \
    PyObject *a, *b, *stream = Py_None;                                                            \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:" #name, kwlist, &a, &b, &stream))         \
      return NULL;                                                                                 \
    return logical_call(a, b, stream, cfn, #name);                                                 \
  }

static PyObject *logical_call(PyObject *a, PyObject *b, PyObject *stream, mxpy_binop_fn fn,
                              const char *fname) {
  mlx_array ao = mlx_array_new(), bo = mlx_array_new(), x, y;
  PyObject *result = NULL;
  if (array_in(a, fname, true, &ao, &x) < 0 || array_in(b, fname, true, &bo, &y) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(fn(&r, x, y, s), r, s);
done:
  mlx_array_free(ao);
  mlx_array_free(bo);
  return result;
}

LOGICAL(logical_and, mlx_logical_and)
LOGICAL(logical_or, mlx_logical_or)
LOGICAL(logical_xor, logical_xor_fn)

/* Bitwise ops on floating types fail with RuntimeError in MLX (other failures: ValueError). */
static _Thread_local bool bitwise_type_error;

static void note_bitwise(const mlx_array a, const mlx_array b) {
  mlx_dtype t = mxpy_promote(mlx_array_dtype(a), mlx_array_dtype(b));
  bitwise_type_error = mxpy_is_floating(t) || mxpy_is_complex(t);
}

#define BITWISE(name)                                                                              \
  static int bw_##name(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) { \
    note_bitwise(a, b);                                                                            \
    return mlx_##name(res, a, b, s);                                                               \
  }                                                                                                \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "", "stream", NULL};                                              \
    PyObject *a, *b, *stream = Py_None;                                                            \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:" #name, kwlist, &a, &b, &stream))          \
      return NULL;                                                                                 \
    bitwise_type_error = false;                                                                    \
    PyObject *r = mxpy_binary(a, b, bw_##name, stream, false);                                     \
    if (!r && bitwise_type_error && PyErr_ExceptionMatches(PyExc_ValueError)) {                    \
      PyObject *t, *v, *tb;                                                                        \
      PyErr_Fetch(&t, &v, &tb);                                                                    \
      PyErr_SetObject(PyExc_RuntimeError, v ? v : Py_None);                                        \
      Py_XDECREF(t);                                                                               \
      Py_XDECREF(v);                                                                               \
      Py_XDECREF(tb);                                                                              \
    }                                                                                              \
    return r;                                                                                      \
  }

BITWISE(left_shift)
BITWISE(right_shift)
BITWISE(bitwise_and)
BITWISE(bitwise_or)
BITWISE(bitwise_xor)

/* divmod(a, b, stream=None) -> [quotient, remainder] */
static PyObject *f_divmod(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:divmod", kwlist, &a, &b, &stream)) return NULL;
  mlx_array ao = mlx_array_new(), bo = mlx_array_new(), x, y;
  PyObject *result = NULL;
  if (operand_pair(a, b, "divmod", &ao, &bo, &x, &y) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_vector_array v = mlx_vector_array_new();
  mxpy_error_clear();
  int st = mlx_divmod(&v, x, y, s);
  mlx_stream_free(s);
  if (mxpy_check_op(st) == 0) {
    size_t n = mlx_vector_array_size(v);
    result = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; result && i < n; i++) {
      mlx_array e = mlx_array_new();
      PyObject *w = NULL;
      if (mlx_vector_array_get(&e, v, i) == 0)
        w = mxpy_array_wrap(e);
      else
        mlx_array_free(e);
      if (!w) {
        Py_CLEAR(result);
        if (!PyErr_Occurred()) mxpy_raise_lib(PyExc_RuntimeError);
        break;
      }
      PyList_SET_ITEM(result, (Py_ssize_t)i, w);
    }
  }
  mlx_vector_array_free(v);
done:
  mlx_array_free(ao);
  mlx_array_free(bo);
  return result;
}

/* array_equal(a, b, equal_nan=False, stream=None) */
static PyObject *f_array_equal(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "equal_nan", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  int equal_nan = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|pO:array_equal", kwlist, &a, &b, &equal_nan,
                                   &stream))
    return NULL;
  mlx_array ao = mlx_array_new(), bo = mlx_array_new(), x, y;
  PyObject *result = NULL;
  if (operand_pair(a, b, "array_equal", &ao, &bo, &x, &y) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_array_equal(&r, x, y, equal_nan != 0, s), r, s);
done:
  mlx_array_free(ao);
  mlx_array_free(bo);
  return result;
}

/* isclose / allclose(a, b, /, rtol=1e-05, atol=1e-08, *, equal_nan=False, stream=None) */
typedef int (*close_fn)(mlx_array *res, const mlx_array a, const mlx_array b, double rtol,
                        double atol, bool equal_nan, const mlx_stream s);

static PyObject *closeness(PyObject *args, PyObject *kwds, const char *fmt, close_fn fn,
                           const char *fname) {
  static char *kwlist[] = {"", "", "rtol", "atol", "equal_nan", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  double rtol = 1e-05, atol = 1e-08;
  int equal_nan = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &b, &rtol, &atol, &equal_nan,
                                   &stream))
    return NULL;
  mlx_array x, y, unused = mlx_array_new();
  if (array_in(a, fname, false, &unused, &x) < 0 || array_in(b, fname, false, &unused, &y) < 0) {
    mlx_array_free(unused);
    return NULL;
  }
  mlx_array_free(unused);
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(fn(&r, x, y, rtol, atol, equal_nan != 0, s), r, s);
}

static PyObject *f_isclose(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return closeness(args, kwds, "OO|dd$pO:isclose", mlx_isclose, "isclose");
}

static PyObject *f_allclose(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return closeness(args, kwds, "OO|dd$pO:allclose", mlx_allclose, "allclose");
}

/* where(condition, x, y, /, *, stream=None): x and y typed together, condition on its own. */
static PyObject *f_where(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "", "stream", NULL};
  PyObject *c, *a, *b, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|$O:where", kwlist, &c, &a, &b, &stream))
    return NULL;
  mlx_array co = mlx_array_new(), ao = mlx_array_new(), bo = mlx_array_new(), cx, x, y;
  PyObject *result = NULL;
  if (array_in(c, "where", true, &co, &cx) < 0) goto done;
  if (operand_pair(a, b, "where", &ao, &bo, &x, &y) < 0) goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_where(&r, cx, x, y, s), r, s);
done:
  mlx_array_free(co);
  mlx_array_free(ao);
  mlx_array_free(bo);
  return result;
}

/* ------------------------------------------------------------------ array methods */

UNARY_METHOD(abs, mlx_abs)
UNARY_METHOD(square, mlx_square)
UNARY_METHOD(sqrt, mlx_sqrt)
UNARY_METHOD(rsqrt, mlx_rsqrt)
UNARY_METHOD(reciprocal, mlx_reciprocal)
UNARY_METHOD(exp, mlx_exp)
UNARY_METHOD(log, mlx_log)
UNARY_METHOD(log2, mlx_log2)
UNARY_METHOD(log10, mlx_log10)
UNARY_METHOD(log1p, mlx_log1p)
UNARY_METHOD(sin, mlx_sin)
UNARY_METHOD(cos, mlx_cos)
UNARY_METHOD(conj, mlx_conjugate)

static PyObject *m_round(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"decimals", "stream", NULL};
  PyObject *dec = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O:round", kwlist, &dec, &stream)) return NULL;
  return round_impl(self, dec, stream, false);
}

/* ------------------------------------------------------------------ tables */

#define SIG_STREAM "stream: StreamOrDevice = None"
#define UDOC(name, what) #name "(a: array, /, *, " SIG_STREAM ") -> array\n\n" what
#define UDOC_POS(name, what) #name "(a: array, " SIG_STREAM ") -> array\n\n" what
#define BDOC(name, what)                                                                           \
#name "(a: scalar | array, b: scalar | array, " SIG_STREAM ") -> array\n\n" what
#define BDOC_KW(name, what)                                                                        \
#name "(a: scalar | array, b: scalar | array, /, *, " SIG_STREAM ") -> array\n\n" what
#define FN(name, doc)                                                                              \
  { #name, KW f_##name, METH_VARARGS | METH_KEYWORDS, doc }

PyMethodDef mxpy_elementwise_methods[] = {
    FN(abs, UDOC(abs, "Element-wise absolute value.")),
    FN(sign, UDOC(sign, "Element-wise sign.")),
    FN(positive, UDOC(positive, "Element-wise positive (the array itself).")),
    FN(negative, UDOC(negative, "Element-wise negation.")),
    FN(square, UDOC(square, "Element-wise square.")),
    FN(sqrt, UDOC(sqrt, "Element-wise square root.")),
    FN(rsqrt, UDOC(rsqrt, "Element-wise reciprocal square root.")),
    FN(reciprocal, UDOC(reciprocal, "Element-wise reciprocal.")),
    FN(exp, UDOC(exp, "Element-wise exponential.")),
    FN(expm1, UDOC(expm1, "Element-wise exp(x) - 1, accurate near 0.")),
    FN(log, UDOC(log, "Element-wise natural logarithm.")),
    FN(log2, UDOC(log2, "Element-wise base-2 logarithm.")),
    FN(log10, UDOC(log10, "Element-wise base-10 logarithm.")),
    FN(log1p, UDOC(log1p, "Element-wise log(1 + x), accurate near 0.")),
    FN(sin, UDOC(sin, "Element-wise sine.")),
    FN(cos, UDOC(cos, "Element-wise cosine.")),
    FN(tan, UDOC(tan, "Element-wise tangent.")),
    FN(sinh, UDOC(sinh, "Element-wise hyperbolic sine.")),
    FN(cosh, UDOC(cosh, "Element-wise hyperbolic cosine.")),
    FN(tanh, UDOC(tanh, "Element-wise hyperbolic tangent.")),
    FN(arcsin, UDOC(arcsin, "Element-wise inverse sine.")),
    FN(arccos, UDOC(arccos, "Element-wise inverse cosine.")),
    FN(arctan, UDOC(arctan, "Element-wise inverse tangent.")),
    FN(arcsinh, UDOC(arcsinh, "Element-wise inverse hyperbolic sine.")),
    FN(arccosh, UDOC(arccosh, "Element-wise inverse hyperbolic cosine.")),
    FN(arctanh, UDOC(arctanh, "Element-wise inverse hyperbolic tangent.")),
    FN(sigmoid, UDOC(sigmoid, "Element-wise logistic sigmoid 1 / (1 + exp(-x)).")),
    FN(erf, UDOC(erf, "Element-wise error function.")),
    FN(erfinv, UDOC(erfinv, "Element-wise inverse of the error function.")),
    FN(floor, UDOC(floor, "Element-wise floor.")),
    FN(ceil, UDOC(ceil, "Element-wise ceil.")),
    FN(trunc, UDOC(trunc, "Element-wise truncation towards zero.")),
    FN(degrees, UDOC(degrees, "Convert angles from radians to degrees.")),
    FN(radians, UDOC(radians, "Convert angles from degrees to radians.")),
    FN(conj, "conj(a: array, *, " SIG_STREAM ") -> array\n\nElement-wise complex conjugate."),
    FN(conjugate,
       "conjugate(a: array, *, " SIG_STREAM ") -> array\n\nElement-wise complex conjugate."),
    FN(real, UDOC(real, "The real part of a complex array.")),
    FN(imag, UDOC(imag, "The imaginary part of a complex array.")),
    FN(logical_not, UDOC(logical_not, "Element-wise logical not.")),
    FN(stop_gradient, UDOC(stop_gradient, "Stop gradients from flowing through the array.")),
    FN(isnan, UDOC_POS(isnan, "Element-wise test for NaN.")),
    FN(isinf, UDOC_POS(isinf, "Element-wise test for positive or negative infinity.")),
    FN(isfinite, UDOC_POS(isfinite, "Element-wise test for finite values.")),
    FN(isposinf, UDOC_POS(isposinf, "Element-wise test for positive infinity.")),
    FN(isneginf, UDOC_POS(isneginf, "Element-wise test for negative infinity.")),
    FN(bitwise_invert,
       "bitwise_invert(a: scalar | array, " SIG_STREAM ") -> array\n\nElement-wise bitwise not."),
    FN(round, "round(a: array, /, decimals: int = 0, " SIG_STREAM
              ") -> array\n\nRound to the given number of decimals (half to even)."),
    FN(nan_to_num, "nan_to_num(a: scalar | array, nan: float = 0, posinf: float | None = None, "
                   "neginf: float | None = None, *, " SIG_STREAM
                   ") -> array\n\nReplace NaN and infinities with finite numbers."),
    FN(clip,
       "clip(a: array, /, a_min: scalar | array | None, a_max: scalar | array | None, "
       "*, " SIG_STREAM ") -> array\n\nClip the values of the array between the given bounds."),
    FN(floor_divide, BDOC(floor_divide, "Element-wise integer division (floor).")),
    FN(remainder, BDOC(remainder, "Element-wise remainder with the sign of the divisor.")),
    FN(divmod, BDOC(divmod, "Element-wise quotient and remainder: [a // b, a % b].")),
    FN(power, BDOC_KW(power, "Element-wise power.")),
    FN(maximum, BDOC_KW(maximum, "Element-wise maximum (NaN propagates).")),
    FN(minimum, BDOC_KW(minimum, "Element-wise minimum (NaN propagates).")),
    FN(arctan2, "arctan2(a: array, b: array, /, *, " SIG_STREAM
                ") -> array\n\nElement-wise inverse tangent of a / b with the quadrant."),
    FN(logaddexp, BDOC_KW(logaddexp, "Element-wise log(exp(a) + exp(b)), computed stably.")),
    FN(left_shift, BDOC(left_shift, "Element-wise left shift.")),
    FN(right_shift, BDOC(right_shift, "Element-wise right shift.")),
    FN(bitwise_and, BDOC(bitwise_and, "Element-wise bitwise and.")),
    FN(bitwise_or, BDOC(bitwise_or, "Element-wise bitwise or.")),
    FN(bitwise_xor, BDOC(bitwise_xor, "Element-wise bitwise xor.")),
    FN(equal, BDOC(equal, "Element-wise equality.")),
    FN(not_equal, BDOC(not_equal, "Element-wise inequality.")),
    FN(less, BDOC(less, "Element-wise less than.")),
    FN(less_equal, BDOC(less_equal, "Element-wise less than or equal.")),
    FN(greater, BDOC(greater, "Element-wise greater than.")),
    FN(greater_equal, BDOC(greater_equal, "Element-wise greater than or equal.")),
    FN(logical_and, "logical_and(a: array, b: array, /, *, " SIG_STREAM
                    ") -> array\n\nElement-wise logical and."),
    FN(logical_or,
       "logical_or(a: array, b: array, /, *, " SIG_STREAM ") -> array\n\nElement-wise logical or."),
    FN(logical_xor, BDOC_KW(logical_xor, "Element-wise logical xor.")),
    FN(array_equal,
       "array_equal(a: scalar | array, b: scalar | array, equal_nan: bool = False, " SIG_STREAM
       ") -> array\n\nArray equality: same shape and equal values."),
    FN(isclose, "isclose(a: array, b: array, /, rtol: float = 1e-05, atol: float = 1e-08, *, "
                "equal_nan: bool = False, " SIG_STREAM
                ") -> array\n\nElement-wise closeness: abs(a - b) <= atol + rtol * abs(b)."),
    FN(allclose, "allclose(a: array, b: array, /, rtol: float = 1e-05, atol: float = 1e-08, *, "
                 "equal_nan: bool = False, " SIG_STREAM
                 ") -> array\n\nWhether all elements of a and b are close (see isclose)."),
    FN(where,
       "where(condition: scalar | array, x: scalar | array, y: scalar | array, /, *, " SIG_STREAM
       ") -> array\n\nSelect from x where condition is true, else from y."),
    {NULL, NULL, 0, NULL},
};

#define MDOC(name) #name "(self, *, " SIG_STREAM ") -> array\n\nSee :func:`" #name "`."
#define METH(name)                                                                                 \
  { #name, KW m_##name, METH_VARARGS | METH_KEYWORDS, MDOC(name) }

PyMethodDef mxpy_elementwise_array_methods[] = {
    METH(abs),
    METH(square),
    METH(sqrt),
    METH(rsqrt),
    METH(reciprocal),
    METH(exp),
    METH(log),
    METH(log2),
    METH(log10),
    METH(log1p),
    METH(sin),
    METH(cos),
    METH(conj),
    {"round", KW m_round, METH_VARARGS | METH_KEYWORDS,
     "round(self, decimals: int = 0, *, " SIG_STREAM ") -> array\n\nSee :func:`round`."},
    {NULL, NULL, 0, NULL},
};
