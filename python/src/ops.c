/* mlx.core: module-level operations (creation, arithmetic, shape ops, reductions, matmul) and
 * the shared implementations used by the array methods. */
#include "mlxpy.h"

#define KW (PyCFunction)(void (*)(void))

/* An array argument that must already be an mx.array (borrowed handle). */
static int array_arg(PyObject *o, const char *fname, mlx_array *out) {
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): expected an mlx.core.array, got %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

/* ------------------------------------------------------------------ binary ops */

/* MLX's operand rules: an mx.array keeps its type; a Python scalar is weakly typed (takes the
 * array's type where it can, see mxpy_scalar_weak); an array-like (numpy array or other buffer)
 * is cast to the type of an mx.array operand, and keeps its own type otherwise. */
static int operand_kind(PyObject *o) {
  if (mxpy_Array_Check(o)) return 0;
  if (mxpy_is_scalar(o)) return 1;
  return 2;
}

static int convert_operand(PyObject *o, int kind, bool has_dtype, mlx_dtype other, mlx_array *owned,
                           mlx_array *out) {
  if (kind == 0) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (kind == 1) {
    if (has_dtype) {
      if (mxpy_scalar_weak(o, other, owned) < 0) return -1;
    } else if (mxpy_array_from_object(o, NULL, owned) < 0) {
      return -1;
    }
  } else {
    if (!mxpy_is_operand(o) || PyList_Check(o) || PyTuple_Check(o)) {
      PyErr_Format(PyExc_ValueError, "Invalid type %.200s received in array initialization.",
                   Py_TYPE(o)->tp_name);
      return -1;
    }
    if (mxpy_array_from_object(o, has_dtype ? &other : NULL, owned) < 0) return -1;
  }
  *out = *owned;
  return 0;
}

PyObject *mxpy_binary(PyObject *a, PyObject *b, mxpy_binop_fn fn, PyObject *stream,
                      bool is_operator) {
  if (is_operator && (!mxpy_is_operand(a) || !mxpy_is_operand(b))) Py_RETURN_NOTIMPLEMENTED;
  int ka = operand_kind(a), kb = operand_kind(b);
  mlx_array xo = mlx_array_new(), yo = mlx_array_new();
  mlx_array x = xo, y = yo;
  PyObject *result = NULL;
  /* Next to an mx.array, the other operand is converted relative to the array's type. Otherwise
   * (two scalars, two array-likes, a scalar and an array-like) each stands alone. */
  if (ka == kb || ka + kb == 3) {
    if (convert_operand(a, ka, false, MLX_FLOAT32, &xo, &x) < 0 ||
        convert_operand(b, kb, false, MLX_FLOAT32, &yo, &y) < 0)
      goto done;
  } else if (ka < kb) {
    if (convert_operand(a, ka, false, MLX_FLOAT32, &xo, &x) < 0 ||
        convert_operand(b, kb, true, mlx_array_dtype(x), &yo, &y) < 0)
      goto done;
  } else {
    if (convert_operand(b, kb, false, MLX_FLOAT32, &yo, &y) < 0 ||
        convert_operand(a, ka, true, mlx_array_dtype(y), &xo, &x) < 0)
      goto done;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(fn(&r, x, y, s), r, s);
done:
  mlx_array_free(xo);
  mlx_array_free(yo);
  return result;
}

#define BINARY_FN(name, cfn)                                                                       \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"a", "b", "stream", NULL};                                            \
    PyObject *a, *b, *stream = Py_None;                                                            \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:" #name, kwlist, &a, &b, &stream))          \
      return NULL;                                                                                 \
    return mxpy_binary(a, b, cfn, stream, false);                                                  \
  }

BINARY_FN(add, mlx_add)
BINARY_FN(subtract, mlx_subtract)
BINARY_FN(multiply, mlx_multiply)
BINARY_FN(divide, mlx_divide)

static PyObject *f_matmul(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:matmul", kwlist, &a, &b, &stream))
    return NULL;
  return mxpy_binary(a, b, mlx_matmul, stream, false);
}

/* ------------------------------------------------------------------ shared implementations */

PyObject *mxpy_astype_impl(mlx_array a, PyObject *dtype, PyObject *stream, const char *fname) {
  mlx_dtype d;
  if (mxpy_dtype_arg(dtype, false, fname, &d, NULL) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_astype(&r, a, d, s), r, s);
}

PyObject *mxpy_reshape_impl(mlx_array a, PyObject *shape, PyObject *stream) {
  mxpy_ints sh;
  if (mxpy_ints_from(shape, false, "reshape(): shape", &sh) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&sh);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_reshape(&r, a, sh.data, sh.n, s);
  mxpy_ints_free(&sh);
  return mxpy_finish(st, r, s);
}

PyObject *mxpy_transpose_impl(mlx_array a, PyObject *axes, PyObject *stream) {
  mxpy_ints ax;
  mxpy_ints_init(&ax);
  bool has_axes = axes && axes != Py_None;
  if (has_axes && mxpy_ints_from(axes, false, "transpose(): axes", &ax) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = has_axes ? mlx_transpose_axes(&r, a, ax.data, ax.n, s) : mlx_transpose(&r, a, s);
  mxpy_ints_free(&ax);
  return mxpy_finish(st, r, s);
}

PyObject *mxpy_sum_impl(mlx_array a, PyObject *axis, int keepdims, PyObject *stream) {
  mxpy_ints ax;
  mxpy_ints_init(&ax);
  int mode = 0; /* 0: all, 1: one axis, 2: axes */
  if (axis && axis != Py_None) {
    if (mxpy_is_int_like(axis)) {
      if (mxpy_ints_from(axis, true, "sum(): axis", &ax) < 0) return NULL;
      mode = 1;
    } else {
      if (mxpy_ints_from(axis, false, "sum(): axis", &ax) < 0) return NULL;
      mode = 2;
    }
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (mode == 0) {
    st = mlx_sum(&r, a, keepdims != 0, s);
  } else if (mode == 1) {
    st = mlx_sum_axis(&r, a, ax.data[0], keepdims != 0, s);
  } else {
    st = mlx_sum_axes(&r, a, ax.data, ax.n, keepdims != 0, s);
  }
  mxpy_ints_free(&ax);
  return mxpy_finish(st, r, s);
}

/* ------------------------------------------------------------------ module wrappers */

static PyObject *f_astype(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "dtype", "stream", NULL};
  PyObject *a, *dt, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:astype", kwlist, &a, &dt, &stream))
    return NULL;
  if (array_arg(a, "astype", &x) < 0) return NULL;
  return mxpy_astype_impl(x, dt, stream, "astype");
}

static PyObject *f_reshape(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "shape", "stream", NULL};
  PyObject *a, *shape, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:reshape", kwlist, &a, &shape, &stream))
    return NULL;
  if (array_arg(a, "reshape", &x) < 0) return NULL;
  return mxpy_reshape_impl(x, shape, stream);
}

static PyObject *f_transpose(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axes", "stream", NULL};
  PyObject *a, *axes = Py_None, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:transpose", kwlist, &a, &axes, &stream))
    return NULL;
  if (array_arg(a, "transpose", &x) < 0) return NULL;
  return mxpy_transpose_impl(x, axes, stream);
}

static PyObject *f_sum(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "keepdims", "stream", NULL};
  PyObject *a, *axis = Py_None, *stream = Py_None;
  int keepdims = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Op$O:sum", kwlist, &a, &axis, &keepdims, &stream))
    return NULL;
  if (array_arg(a, "sum", &x) < 0) return NULL;
  return mxpy_sum_impl(x, axis, keepdims, stream);
}

/* broadcast_shapes(*shapes): shape arithmetic only, no array is made. */
#define MXPY_MAX_RANK 64
static void shape_text(char *buf, size_t cap, const int *d, int n) {
  size_t len = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < n && len < cap; i++) len += (size_t)snprintf(buf + len, cap - len, i ? ",%d" : "%d", d[i]);
  if (len < cap) snprintf(buf + len, cap - len, ")");
}

/* out (rank *nd) broadcast with v in place; false when they cannot be. */
static bool broadcast_into(int *out, int *nd, const int *v, int vn) {
  int n = vn > *nd ? vn : *nd, merged[MXPY_MAX_RANK];
  for (int d = 0; d < n; d++) {
    int a = d < n - *nd ? 1 : out[d - (n - *nd)], b = d < n - vn ? 1 : v[d - (n - vn)];
    if (a != b && a != 1 && b != 1) return false;
    merged[d] = a == 1 ? b : a;
  }
  memcpy(out, merged, sizeof(int) * (size_t)n);
  *nd = n;
  return true;
}

static PyObject *f_broadcast_shapes(PyObject *m, PyObject *args) {
  (void)m;
  Py_ssize_t k = PyTuple_GET_SIZE(args);
  if (k == 0) {
    PyErr_SetString(PyExc_ValueError, "[broadcast_shapes] Must provide at least one shape.");
    return NULL;
  }
  int out[MXPY_MAX_RANK], nd = 0;
  for (Py_ssize_t i = 0; i < k; i++) {
    PyObject *o = PyTuple_GET_ITEM(args, i);
    mxpy_ints v;
    mxpy_ints_init(&v);
    if (!(PyTuple_Check(o) || PyList_Check(o)) || mxpy_ints_from(o, false, "", &v) < 0 ||
        v.n > MXPY_MAX_RANK) {
      mxpy_ints_free(&v);
      PyErr_Clear();
      PyErr_SetString(PyExc_ValueError,
                      "[broadcast_shapes] Expects a sequence of shapes (tuple or list of ints).");
      return NULL;
    }
    int before[MXPY_MAX_RANK], before_n = nd;
    memcpy(before, out, sizeof(int) * (size_t)nd);
    if (!broadcast_into(out, &nd, v.data, (int)v.n)) {
      char x[256], y[256];
      shape_text(x, sizeof x, before, before_n);
      shape_text(y, sizeof y, v.data, (int)v.n);
      mxpy_ints_free(&v);
      PyErr_Format(PyExc_ValueError, "[broadcast_shapes] Shapes %s and %s cannot be broadcast.", x,
                   y);
      return NULL;
    }
    mxpy_ints_free(&v);
  }
  PyObject *t = PyTuple_New(nd);
  for (int d = 0; t && d < nd; d++) PyTuple_SET_ITEM(t, d, PyLong_FromLong(out[d]));
  return t;
}

static PyObject *f_broadcast_to(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "shape", "stream", NULL};
  PyObject *a, *shape, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:broadcast_to", kwlist, &a, &shape, &stream))
    return NULL;
  mxpy_ints sh;
  if (mxpy_ints_from(shape, false, "broadcast_to(): shape", &sh) < 0) return NULL;
  PyObject *result = NULL;
  mlx_array xo = mlx_array_new();
  mlx_array x = xo;
  if (mxpy_Array_Check(a)) {
    x = MXPY_ARR(a);
  } else if (mxpy_array_from_object(a, NULL, &xo) < 0) {
    goto done;
  } else {
    x = xo;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_broadcast_to(&r, x, sh.data, sh.n, s), r, s);
done:
  mlx_array_free(xo);
  mxpy_ints_free(&sh);
  return result;
}

/* ------------------------------------------------------------------ creation */

typedef int (*shape_fill_fn)(mlx_array *res, const int *shape, size_t n, mlx_dtype dtype,
                             const mlx_stream s);

static PyObject *shape_fill(PyObject *args, PyObject *kwds, const char *fmt, shape_fill_fn fn,
                            const char *fname) {
  static char *kwlist[] = {"shape", "dtype", "stream", NULL};
  PyObject *shape, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &shape, &dt, &stream)) return NULL;
  mlx_dtype d = MLX_FLOAT32;
  bool has;
  if (mxpy_dtype_arg(dt, true, fname, &d, &has) < 0) return NULL;
  if (!has) d = MLX_FLOAT32;
  mxpy_ints sh;
  if (mxpy_ints_from(shape, true, "shape", &sh) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&sh);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = fn(&r, sh.data, sh.n, d, s);
  mxpy_ints_free(&sh);
  return mxpy_finish(st, r, s);
}

static PyObject *f_zeros(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return shape_fill(args, kwds, "O|O$O:zeros", mlx_zeros, "zeros");
}

static PyObject *f_ones(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return shape_fill(args, kwds, "O|O$O:ones", mlx_ones, "ones");
}

static PyObject *f_full(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"shape", "vals", "dtype", "stream", NULL};
  PyObject *shape, *vals, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:full", kwlist, &shape, &vals, &dt, &stream))
    return NULL;
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dt, true, "full", &d, &has) < 0) return NULL;
  mxpy_ints sh;
  if (mxpy_ints_from(shape, true, "shape", &sh) < 0) return NULL;
  PyObject *result = NULL;
  mlx_array vo = mlx_array_new();
  mlx_array v = vo;
  if (mxpy_Array_Check(vals)) {
    v = MXPY_ARR(vals);
  } else if ((has && mxpy_check_int_fits(vals, d) < 0) ||
             mxpy_array_from_object(vals, has ? &d : NULL, &vo) < 0) {
    goto done;
  } else {
    v = vo;
  }
  if (!has) d = mlx_array_dtype(v);
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_full(&r, sh.data, sh.n, v, d, s), r, s);
done:
  mlx_array_free(vo);
  mxpy_ints_free(&sh);
  return result;
}

typedef int (*like_fn)(mlx_array *res, const mlx_array a, const mlx_stream s);

static PyObject *like(PyObject *args, PyObject *kwds, const char *fmt, like_fn fn,
                      shape_fill_fn shaped, const char *fname) {
  static char *kwlist[] = {"", "dtype", "stream", NULL};
  PyObject *a, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &dt, &stream)) return NULL;
  mlx_array x;
  if (array_arg(a, fname, &x) < 0) return NULL;
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dt, true, fname, &d, &has) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = has ? shaped(&r, mlx_array_shape(x), mlx_array_ndim(x), d, s) : fn(&r, x, s);
  return mxpy_finish(st, r, s);
}

static PyObject *f_zeros_like(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return like(args, kwds, "O|O$O:zeros_like", mlx_zeros_like, mlx_zeros, "zeros_like");
}

static PyObject *f_ones_like(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return like(args, kwds, "O|O$O:ones_like", mlx_ones_like, mlx_ones, "ones_like");
}


/* arange's numeric arguments: int (not bool) or float. */
static int arange_num(PyObject *o, double *out, bool *is_float) {
  if (PyBool_Check(o)) {
    PyErr_SetString(PyExc_ValueError, "bool not supported for arange.");
    return -1;
  }
  if (mxpy_is_int_like(o)) {
    PyObject *i = PyNumber_Index(o);
    if (!i) return -1;
    *out = PyLong_AsDouble(i);
    Py_DECREF(i);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
  }
  if (PyFloat_Check(o)) {
    *out = PyFloat_AsDouble(o);
    *is_float = true;
    return 0;
  }
  PyErr_Format(PyExc_TypeError, "arange(): expected int or float arguments, got %.200s.",
               Py_TYPE(o)->tp_name);
  return -1;
}

static PyObject *f_arange(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"start", "stop", "step", "dtype", "stream", NULL};
  PyObject *start = Py_None, *stop = Py_None, *step = Py_None, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOO$O:arange", kwlist, &start, &stop, &step, &dt,
                                   &stream))
    return NULL;
  /* arange(stop), arange(start, stop), arange(start, stop, step), arange(stop=..., step=...) */
  if (stop == Py_None) {
    if (start == Py_None) {
      PyErr_SetString(PyExc_TypeError, "arange(): missing the stop argument.");
      return NULL;
    }
    stop = start;
    start = Py_None;
  }
  double a = 0.0, b = 0.0, c = 1.0;
  bool is_float = false;
  if (start != Py_None && arange_num(start, &a, &is_float) < 0) return NULL;
  if (arange_num(stop, &b, &is_float) < 0) return NULL;
  if (step != Py_None && arange_num(step, &c, &is_float) < 0) return NULL;
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dt, true, "arange", &d, &has) < 0) return NULL;
  if (!has) d = is_float ? MLX_FLOAT32 : MLX_INT32;
  if (d == MLX_BOOL) {
    PyErr_SetString(PyExc_ValueError, "bool not supported for arange.");
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_arange(&r, a, b, c, d, s), r, s);
}

PyMethodDef mxpy_ops_methods[] = {
    {"add", KW f_add, METH_VARARGS | METH_KEYWORDS,
     "add(a: scalar | array, b: scalar | array, stream: StreamOrDevice = None) -> array\n\n"
     "Element-wise addition with numpy-style broadcasting."},
    {"subtract", KW f_subtract, METH_VARARGS | METH_KEYWORDS,
     "subtract(a: scalar | array, b: scalar | array, stream: StreamOrDevice = None) -> array\n\n"
     "Element-wise subtraction with numpy-style broadcasting."},
    {"multiply", KW f_multiply, METH_VARARGS | METH_KEYWORDS,
     "multiply(a: scalar | array, b: scalar | array, stream: StreamOrDevice = None) -> array\n\n"
     "Element-wise multiplication with numpy-style broadcasting."},
    {"divide", KW f_divide, METH_VARARGS | METH_KEYWORDS,
     "divide(a: scalar | array, b: scalar | array, stream: StreamOrDevice = None) -> array\n\n"
     "Element-wise division with numpy-style broadcasting."},
    {"matmul", KW f_matmul, METH_VARARGS | METH_KEYWORDS,
     "matmul(a: array, b: array, /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Matrix multiplication."},
    {"astype", KW f_astype, METH_VARARGS | METH_KEYWORDS,
     "astype(a: array, dtype: Dtype, /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Convert an array to a given data type."},
    {"reshape", KW f_reshape, METH_VARARGS | METH_KEYWORDS,
     "reshape(a: array, /, shape: Sequence[int], *, stream: StreamOrDevice = None) -> array\n\n"
     "Reshape an array while preserving the size."},
    {"transpose", KW f_transpose, METH_VARARGS | METH_KEYWORDS,
     "transpose(a: array, /, axes: Sequence[int] | None = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nTranspose the dimensions of the array."},
    {"sum", KW f_sum, METH_VARARGS | METH_KEYWORDS,
     "sum(a: array, /, axis: None | int | Sequence[int] = None, keepdims: bool = False, *, "
     "stream: StreamOrDevice = None) -> array\n\nSum reduction over the given axes."},
    {"broadcast_shapes", (PyCFunction)f_broadcast_shapes, METH_VARARGS,
     "broadcast_shapes(*shapes: Sequence[int]) -> tuple[int]\n\nThe shape the given shapes "
     "broadcast to; ValueError if they cannot be broadcast."},
    {"broadcast_to", KW f_broadcast_to, METH_VARARGS | METH_KEYWORDS,
     "broadcast_to(a: scalar | array, /, shape: Sequence[int], *, stream: StreamOrDevice = None)"
     " -> array\n\nBroadcast an array to the given shape."},
    {"zeros", KW f_zeros, METH_VARARGS | METH_KEYWORDS,
     "zeros(shape: int | Sequence[int], dtype: Dtype | None = float32, *, stream: "
     "StreamOrDevice = None) -> array\n\nAn array of zeros."},
    {"ones", KW f_ones, METH_VARARGS | METH_KEYWORDS,
     "ones(shape: int | Sequence[int], dtype: Dtype | None = float32, *, stream: "
     "StreamOrDevice = None) -> array\n\nAn array of ones."},
    {"full", KW f_full, METH_VARARGS | METH_KEYWORDS,
     "full(shape: int | Sequence[int], vals: scalar | array, dtype: Dtype | None = None, *, "
     "stream: StreamOrDevice = None) -> array\n\nAn array filled with vals (broadcast)."},
    {"zeros_like", KW f_zeros_like, METH_VARARGS | METH_KEYWORDS,
     "zeros_like(a: array, /, dtype: Dtype | None = None, *, stream: StreamOrDevice = None) -> "
     "array\n\nAn array of zeros with the shape (and by default the type) of a."},
    {"ones_like", KW f_ones_like, METH_VARARGS | METH_KEYWORDS,
     "ones_like(a: array, /, dtype: Dtype | None = None, *, stream: StreamOrDevice = None) -> "
     "array\n\nAn array of ones with the shape (and by default the type) of a."},
    {"arange", KW f_arange, METH_VARARGS | METH_KEYWORDS,
     "arange(start, stop, step, dtype=None, *, stream=None) -> array\n"
     "arange(stop, step=None, dtype=None, *, stream=None) -> array\n\n"
     "Evenly spaced numbers in [start, stop)."},
    {NULL, NULL, 0, NULL},
};
