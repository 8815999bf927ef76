/* mlx.core: shape manipulation, slicing, gather/scatter (module functions and array methods). */
#include "mlxpy.h"

#include <string.h>

#define KW (PyCFunction)(void (*)(void))
#define MAXD 64

/* ------------------------------------------------------------------ helpers */

/* A vector result as a list (or tuple) of arrays; frees v and s. */
static PyObject *finish_vector(int status, mlx_vector_array v, mlx_stream s, bool tuple) {
  if (s.ctx) mlx_stream_free(s);
  if (mxpy_check_op(status) < 0) {
    mlx_vector_array_free(v);
    return NULL;
  }
  size_t n = mlx_vector_array_size(v);
  PyObject *out = tuple ? PyTuple_New((Py_ssize_t)n) : PyList_New((Py_ssize_t)n);
  for (size_t i = 0; out && i < n; i++) {
    mlx_array a = mlx_array_new();
    PyObject *o = NULL;
    if (mlx_vector_array_get(&a, v, i) == 0)
      o = mxpy_array_wrap(a);
    else
      mlx_array_free(a);
    if (!o) {
      Py_CLEAR(out);
      break;
    }
    if (tuple)
      PyTuple_SET_ITEM(out, (Py_ssize_t)i, o);
    else
      PyList_SET_ITEM(out, (Py_ssize_t)i, o);
  }
  mlx_vector_array_free(v);
  return out;
}

static int array_arg(PyObject *o, const char *fname, mlx_array *out) {
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): expected an mlx.core.array, got %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

/* An array or anything convertible to one (owned handle in *owned when converted). */
static int array_like(PyObject *o, mlx_array *owned, mlx_array *out) {
  *owned = mlx_array_new();
  if (mxpy_Array_Check(o)) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (!mxpy_is_operand(o) && !PyList_Check(o) && !PyTuple_Check(o)) {
    PyErr_Format(PyExc_TypeError, "Expected an mlx.core.array, got %.200s.", Py_TYPE(o)->tp_name);
    return -1;
  }
  if (mxpy_array_from_object(o, NULL, owned) < 0) return -1;
  *out = *owned;
  return 0;
}

/* An int argument (not bool). */
static int int_arg(PyObject *o, const char *what, int *out) {
  if (!mxpy_is_int_like(o)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int, got %.200s.", what, Py_TYPE(o)->tp_name);
    return -1;
  }
  long v = PyLong_AsLong(o);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_Format(PyExc_ValueError, "%s out of range.", what);
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* A sequence of arrays (list or tuple) as a vector (owned). */
static int array_list(PyObject *o, const char *fname, mlx_vector_array *out) {
  PyObject *seq = PySequence_Fast(o, "expected a list or tuple of arrays");
  if (!seq) return -1;
  *out = mlx_vector_array_new();
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *x = PySequence_Fast_GET_ITEM(seq, i);
    mlx_array a;
    if (array_arg(x, fname, &a) < 0) {
      mlx_vector_array_free(*out);
      Py_DECREF(seq);
      return -1;
    }
    mlx_vector_array_append_value(*out, a);
  }
  Py_DECREF(seq);
  return 0;
}

/* Parses "O|..." with the array first and the stream; common to single-array functions. */
#define STREAM_OR_FAIL(stream, s, cleanup)                                                         \
  mlx_stream s;                                                                                    \
  if (mxpy_stream_arg(stream, &s) < 0) {                                                           \
    cleanup;                                                                                       \
    return NULL;                                                                                   \
  }                                                                                                \
  mxpy_error_clear()

/* ------------------------------------------------------------------ shapes */

static PyObject *flatten_impl(mlx_array a, int start, int end, PyObject *stream) {
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_flatten(&r, a, start, end, s), r, s);
}

static PyObject *f_flatten(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "start_axis", "end_axis", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int start = 0, end = -1;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|ii$O:flatten", kwlist, &a, &start, &end,
                                   &stream) ||
      array_arg(a, "flatten", &x) < 0)
    return NULL;
  return flatten_impl(x, start, end, stream);
}

static PyObject *m_flatten(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"start_axis", "end_axis", "stream", NULL};
  PyObject *stream = Py_None;
  int start = 0, end = -1;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|ii$O:flatten", kwlist, &start, &end, &stream))
    return NULL;
  return flatten_impl(MXPY_ARR(self), start, end, stream);
}

static PyObject *f_unflatten(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "shape", "stream", NULL};
  PyObject *a, *shape, *stream = Py_None;
  int axis;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OiO|$O:unflatten", kwlist, &a, &axis, &shape,
                                   &stream) ||
      array_arg(a, "unflatten", &x) < 0)
    return NULL;
  mxpy_ints sh;
  if (mxpy_ints_from(shape, false, "unflatten(): shape", &sh) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mxpy_ints_free(&sh));
  mlx_array r = mlx_array_new();
  int st = mlx_unflatten(&r, x, axis, sh.data, sh.n, s);
  mxpy_ints_free(&sh);
  return mxpy_finish(st, r, s);
}

static PyObject *squeeze_impl(mlx_array a, PyObject *axis, PyObject *stream) {
  mxpy_ints ax;
  mxpy_ints_init(&ax);
  int mode = 0;
  if (axis && axis != Py_None) {
    mode = mxpy_is_int_like(axis) ? 1 : 2;
    if (mxpy_ints_from(axis, mode == 1, "squeeze(): axis", &ax) < 0) return NULL;
  }
  STREAM_OR_FAIL(stream, s, mxpy_ints_free(&ax));
  mlx_array r = mlx_array_new();
  int st = mode == 0   ? mlx_squeeze(&r, a, s)
           : mode == 1 ? mlx_squeeze_axis(&r, a, ax.data[0], s)
                       : mlx_squeeze_axes(&r, a, ax.data, ax.n, s);
  mxpy_ints_free(&ax);
  return mxpy_finish(st, r, s);
}

static PyObject *f_squeeze(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "stream", NULL};
  PyObject *a, *axis = Py_None, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:squeeze", kwlist, &a, &axis, &stream) ||
      array_arg(a, "squeeze", &x) < 0)
    return NULL;
  return squeeze_impl(x, axis, stream);
}

static PyObject *m_squeeze(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"axis", "stream", NULL};
  PyObject *axis = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O:squeeze", kwlist, &axis, &stream)) return NULL;
  return squeeze_impl(MXPY_ARR(self), axis, stream);
}

static PyObject *f_expand_dims(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "stream", NULL};
  PyObject *a, *axis, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:expand_dims", kwlist, &a, &axis, &stream) ||
      array_arg(a, "expand_dims", &x) < 0)
    return NULL;
  mxpy_ints ax;
  if (mxpy_ints_from(axis, true, "expand_dims(): axis", &ax) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mxpy_ints_free(&ax));
  mlx_array r = mlx_array_new();
  int st = mlx_expand_dims_axes(&r, x, ax.data, ax.n, s);
  mxpy_ints_free(&ax);
  return mxpy_finish(st, r, s);
}

static PyObject *swapaxes_impl(mlx_array a, int a1, int a2, PyObject *stream) {
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_swapaxes(&r, a, a1, a2, s), r, s);
}

static PyObject *f_swapaxes(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis1", "axis2", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int a1, a2;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oii|$O:swapaxes", kwlist, &a, &a1, &a2, &stream) ||
      array_arg(a, "swapaxes", &x) < 0)
    return NULL;
  return swapaxes_impl(x, a1, a2, stream);
}

static PyObject *f_matrix_transpose(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "stream", NULL};
  PyObject *a, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:matrix_transpose", kwlist, &a, &stream) ||
      array_arg(a, "matrix_transpose", &x) < 0)
    return NULL;
  if (mlx_array_ndim(x) < 2) {
    PyErr_SetString(PyExc_ValueError,
                    "[matrix_transpose] Input array must have at least 2 dimensions.");
    return NULL;
  }
  return swapaxes_impl(x, -1, -2, stream);
}

static PyObject *m_swapaxes(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"axis1", "axis2", "stream", NULL};
  PyObject *stream = Py_None;
  int a1, a2;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii|$O:swapaxes", kwlist, &a1, &a2, &stream))
    return NULL;
  return swapaxes_impl(MXPY_ARR(self), a1, a2, stream);
}

static PyObject *moveaxis_impl(mlx_array a, int src, int dst, PyObject *stream) {
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_moveaxis(&r, a, src, dst, s), r, s);
}

static PyObject *f_moveaxis(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "source", "destination", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int src, dst;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oii|$O:moveaxis", kwlist, &a, &src, &dst,
                                   &stream) ||
      array_arg(a, "moveaxis", &x) < 0)
    return NULL;
  return moveaxis_impl(x, src, dst, stream);
}

static PyObject *m_moveaxis(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"source", "destination", "stream", NULL};
  PyObject *stream = Py_None;
  int src, dst;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii|$O:moveaxis", kwlist, &src, &dst, &stream))
    return NULL;
  return moveaxis_impl(MXPY_ARR(self), src, dst, stream);
}

static PyObject *f_permute_dims(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axes", "stream", NULL};
  PyObject *a, *axes = Py_None, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:permute_dims", kwlist, &a, &axes, &stream) ||
      array_arg(a, "permute_dims", &x) < 0)
    return NULL;
  return mxpy_transpose_impl(x, axes, stream);
}

/* Pops the keyword `stream` from kwds of a *args function; rejects other keywords. */
static int stream_kw(PyObject *kwds, const char *fname, PyObject **stream) {
  *stream = Py_None;
  if (!kwds) return 0;
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(kwds, &pos, &k, &v)) {
    if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "stream") == 0) {
      *stream = v;
    } else {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", fname, k);
      return -1;
    }
  }
  return 0;
}

static PyObject *f_broadcast_arrays(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  PyObject *stream;
  if (stream_kw(kwds, "broadcast_arrays", &stream) < 0) return NULL;
  mlx_vector_array in;
  if (array_list(args, "broadcast_arrays", &in) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mlx_vector_array_free(in));
  mlx_vector_array r = mlx_vector_array_new();
  int st = mlx_broadcast_arrays(&r, in, s);
  mlx_vector_array_free(in);
  return finish_vector(st, r, s, false);
}

typedef int (*atleast_fn)(mlx_array *, const mlx_array, const mlx_stream);

static PyObject *atleast(PyObject *args, PyObject *kwds, atleast_fn fn, const char *fname) {
  PyObject *stream;
  if (stream_kw(kwds, fname, &stream) < 0) return NULL;
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  for (Py_ssize_t i = 0; i < n; i++) {
    mlx_array x;
    if (array_arg(PyTuple_GET_ITEM(args, i), fname, &x) < 0) return NULL;
  }
  STREAM_OR_FAIL(stream, s, (void)0);
  PyObject *list = n == 1 ? NULL : PyList_New(n);
  if (n != 1 && !list) {
    mlx_stream_free(s);
    return NULL;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    mlx_array r = mlx_array_new();
    int st = fn(&r, MXPY_ARR(PyTuple_GET_ITEM(args, i)), s);
    if (mxpy_check_op(st) < 0) {
      mlx_array_free(r);
      Py_XDECREF(list);
      mlx_stream_free(s);
      return NULL;
    }
    PyObject *o = mxpy_array_wrap(r);
    if (!o || n == 1) {
      Py_XDECREF(list);
      mlx_stream_free(s);
      return o;
    }
    PyList_SET_ITEM(list, i, o);
  }
  mlx_stream_free(s);
  return list;
}

static PyObject *f_atleast_1d(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return atleast(args, kwds, mlx_atleast_1d, "atleast_1d");
}
static PyObject *f_atleast_2d(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return atleast(args, kwds, mlx_atleast_2d, "atleast_2d");
}
static PyObject *f_atleast_3d(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return atleast(args, kwds, mlx_atleast_3d, "atleast_3d");
}

static PyObject *f_as_strided(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "shape", "strides", "offset", "stream", NULL};
  PyObject *a, *shape = Py_None, *strides = Py_None, *stream = Py_None;
  Py_ssize_t offset = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOn$O:as_strided", kwlist, &a, &shape, &strides,
                                   &offset, &stream) ||
      array_arg(a, "as_strided", &x) < 0)
    return NULL;
  if (offset < 0) {
    PyErr_SetString(PyExc_ValueError, "[as_strided] The offset must be non-negative.");
    return NULL;
  }
  mxpy_ints sh;
  mxpy_ints_init(&sh);
  int nd;
  int shp[MAXD];
  int64_t st64[MAXD];
  if (shape == Py_None) {
    nd = (int)mlx_array_ndim(x);
    memcpy(shp, mlx_array_shape(x), (size_t)nd * sizeof(int));
  } else {
    if (mxpy_ints_from(shape, false, "as_strided(): shape", &sh) < 0) return NULL;
    if (sh.n > MAXD) {
      mxpy_ints_free(&sh);
      PyErr_SetString(PyExc_ValueError, "[as_strided] Too many dimensions.");
      return NULL;
    }
    nd = (int)sh.n;
    memcpy(shp, sh.data, sh.n * sizeof(int));
    mxpy_ints_free(&sh);
  }
  size_t nst = (size_t)nd;
  if (strides == Py_None) {
    int64_t acc = 1;
    for (int i = nd - 1; i >= 0; i--) {
      st64[i] = acc;
      acc *= shp[i];
    }
  } else {
    PyObject *seq = PySequence_Fast(strides, "as_strided(): strides must be a sequence of ints");
    if (!seq) return NULL;
    nst = (size_t)PySequence_Fast_GET_SIZE(seq);
    if (nst > MAXD) nst = MAXD;
    for (size_t i = 0; i < nst; i++) {
      PyObject *v = PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i);
      long long q = mxpy_is_int_like(v) ? PyLong_AsLongLong(v) : -1;
      if (!mxpy_is_int_like(v) || (q == -1 && PyErr_Occurred())) {
        if (!PyErr_Occurred())
          PyErr_SetString(PyExc_TypeError, "as_strided(): strides must be a sequence of ints");
        Py_DECREF(seq);
        return NULL;
      }
      st64[i] = q;
    }
    Py_DECREF(seq);
  }
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_as_strided(&r, x, shp, (size_t)nd, st64, nst, (size_t)offset, s), r, s);
}

static PyObject *f_contiguous(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "allow_col_major", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int allow = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|p$O:contiguous", kwlist, &a, &allow, &stream) ||
      array_arg(a, "contiguous", &x) < 0)
    return NULL;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_contiguous(&r, x, allow != 0, s), r, s);
}

static PyObject *view_impl(mlx_array a, PyObject *dtype, PyObject *stream) {
  mlx_dtype d;
  if (mxpy_dtype_arg(dtype, false, "view", &d, NULL) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_view(&r, a, d, s), r, s);
}

static PyObject *f_view(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "dtype", "stream", NULL};
  PyObject *a, *dtype, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:view", kwlist, &a, &dtype, &stream))
    return NULL;
  mlx_array owned, x;
  if (array_like(a, &owned, &x) < 0) return NULL;
  PyObject *r = view_impl(x, dtype, stream);
  mlx_array_free(owned);
  return r;
}

static PyObject *m_view(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"dtype", "stream", NULL};
  PyObject *dtype, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:view", kwlist, &dtype, &stream)) return NULL;
  return view_impl(MXPY_ARR(self), dtype, stream);
}

static PyObject *f_depends(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"inputs", "dependencies", NULL};
  PyObject *inputs, *deps;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:depends", kwlist, &inputs, &deps)) return NULL;
  bool single = mxpy_Array_Check(inputs);
  mlx_vector_array in, dv;
  if (single)
    in = mlx_vector_array_new_value(MXPY_ARR(inputs));
  else if (array_list(inputs, "depends", &in) < 0)
    return NULL;
  if (mxpy_Array_Check(deps)) {
    dv = mlx_vector_array_new_value(MXPY_ARR(deps));
  } else if (array_list(deps, "depends", &dv) < 0) {
    mlx_vector_array_free(in);
    return NULL;
  }
  mlx_vector_array r = mlx_vector_array_new();
  mxpy_error_clear();
  int st = mlx_depends(&r, in, dv);
  mlx_vector_array_free(in);
  mlx_vector_array_free(dv);
  PyObject *list = finish_vector(st, r, (mlx_stream){NULL}, false);
  if (!list || !single) return list;
  PyObject *one = PyList_GET_ITEM(list, 0);
  Py_INCREF(one);
  Py_DECREF(list);
  return one;
}

/* ------------------------------------------------------------------ joining, splitting */

typedef int (*join_axis_fn)(mlx_array *, const mlx_vector_array, int, const mlx_stream);
typedef int (*join_fn)(mlx_array *, const mlx_vector_array, const mlx_stream);

static PyObject *join(PyObject *args, PyObject *kwds, const char *fmt, join_axis_fn fa,
                      join_fn fnone, const char *fname) {
  static char *kwlist[] = {"arrays", "axis", "stream", NULL};
  PyObject *arrays, *axis = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &arrays, &axis, &stream)) return NULL;
  int ax = 0;
  bool none = axis == Py_None;
  if (axis && !none && int_arg(axis, "axis", &ax) < 0) return NULL;
  mlx_vector_array v;
  if (array_list(arrays, fname, &v) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mlx_vector_array_free(v));
  mlx_array r = mlx_array_new();
  int st = none && fnone ? fnone(&r, v, s) : fa(&r, v, ax, s);
  mlx_vector_array_free(v);
  return mxpy_finish(st, r, s);
}

static PyObject *f_concatenate(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return join(args, kwds, "O|O$O:concatenate", mlx_concatenate_axis, mlx_concatenate,
              "concatenate");
}
static PyObject *f_concat(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return join(args, kwds, "O|O$O:concat", mlx_concatenate_axis, mlx_concatenate, "concat");
}
static PyObject *f_stack(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return join(args, kwds, "O|O$O:stack", mlx_stack_axis, mlx_stack, "stack");
}

static PyObject *split_impl(mlx_array a, PyObject *ios, int axis, PyObject *stream) {
  mxpy_ints idx;
  mxpy_ints_init(&idx);
  bool sections = !mxpy_is_int_like(ios);
  int num = 0;
  if (sections) {
    if (mxpy_ints_from(ios, false, "split(): indices_or_sections", &idx) < 0) return NULL;
  } else if (int_arg(ios, "split(): indices_or_sections", &num) < 0) {
    return NULL;
  }
  STREAM_OR_FAIL(stream, s, mxpy_ints_free(&idx));
  mlx_vector_array r = mlx_vector_array_new();
  int st = sections ? mlx_split_sections(&r, a, idx.data, idx.n, axis, s)
                    : mlx_split(&r, a, num, axis, s);
  mxpy_ints_free(&idx);
  return finish_vector(st, r, s, false);
}

static PyObject *f_split(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "indices_or_sections", "axis", "stream", NULL};
  PyObject *a, *ios, *stream = Py_None;
  int axis = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|i$O:split", kwlist, &a, &ios, &axis, &stream) ||
      array_arg(a, "split", &x) < 0)
    return NULL;
  return split_impl(x, ios, axis, stream);
}

static PyObject *m_split(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"indices_or_sections", "axis", "stream", NULL};
  PyObject *ios, *stream = Py_None;
  int axis = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i$O:split", kwlist, &ios, &axis, &stream))
    return NULL;
  return split_impl(MXPY_ARR(self), ios, axis, stream);
}

static PyObject *f_unstack(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int axis = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$iO:unstack", kwlist, &a, &axis, &stream) ||
      array_arg(a, "unstack", &x) < 0)
    return NULL;
  int nd = (int)mlx_array_ndim(x);
  if (axis < -nd || axis >= nd) {
    PyErr_Format(mxpy_AxisError, "[unstack] Axis %d is out of bounds for array with %d dimensions.",
                 axis, nd);
    return NULL;
  }
  int ax = axis < 0 ? axis + nd : axis;
  int n = mlx_array_shape(x)[ax];
  STREAM_OR_FAIL(stream, s, (void)0);
  PyObject *out = PyTuple_New(n);
  for (int i = 0; out && i < n; i++) {
    int start[MAXD], stop[MAXD];
    for (int d = 0; d < nd; d++) {
      start[d] = 0;
      stop[d] = mlx_array_shape(x)[d];
    }
    start[ax] = i;
    stop[ax] = i + 1;
    mlx_array sl = mlx_array_new(), r = mlx_array_new();
    int st = mlx_slice(&sl, x, start, (size_t)nd, stop, (size_t)nd, NULL, 0, s);
    if (st == 0) st = mlx_squeeze_axis(&r, sl, ax, s);
    mlx_array_free(sl);
    PyObject *o = mxpy_check_op(st) < 0 ? NULL : mxpy_array_wrap(r);
    if (!o) {
      if (st) mlx_array_free(r);
      Py_CLEAR(out);
      break;
    }
    PyTuple_SET_ITEM(out, i, o);
  }
  mlx_stream_free(s);
  return out;
}

static PyObject *f_repeat(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"array", "repeats", "axis", "stream", NULL};
  PyObject *a, *axis = Py_None, *stream = Py_None;
  int repeats, ax = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oi|O$O:repeat", kwlist, &a, &repeats, &axis,
                                   &stream) ||
      array_arg(a, "repeat", &x) < 0)
    return NULL;
  if (axis != Py_None && int_arg(axis, "axis", &ax) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  int st = axis == Py_None ? mlx_repeat(&r, x, repeats, s) : mlx_repeat_axis(&r, x, repeats, ax, s);
  return mxpy_finish(st, r, s);
}

static PyObject *f_tile(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "stream", NULL};
  PyObject *a, *reps, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:tile", kwlist, &a, &reps, &stream) ||
      array_arg(a, "tile", &x) < 0)
    return NULL;
  mxpy_ints r_;
  if (mxpy_ints_from(reps, true, "tile(): reps", &r_) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mxpy_ints_free(&r_));
  mlx_array r = mlx_array_new();
  int st = mlx_tile(&r, x, r_.data, r_.n, s);
  mxpy_ints_free(&r_);
  return mxpy_finish(st, r, s);
}

/* pad_width: int | (n,) | (lo, hi) | [(lo, hi), ...] (one pair for all axes, or one per axis).
 * Other shapes are a TypeError, as MLX's binding rejects them; no widths at all a ValueError. */
static const char PAD_FORMS[] =
    "pad(): pad_width must be an int, (n,), (low, high) or a sequence of (low, high) pairs.";

static int pad_widths(PyObject *pw, int ndim, int *lo, int *hi) {
  if (mxpy_is_int_like(pw)) {
    int v;
    if (int_arg(pw, "pad_width", &v) < 0) return -1;
    for (int i = 0; i < ndim; i++) lo[i] = hi[i] = v;
    return 0;
  }
  PyObject *seq = PySequence_Fast(pw, "pad_width must be an int or a sequence");
  if (!seq) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  int rc = 0;
  bool pairs = n > 0 && !mxpy_is_int_like(PySequence_Fast_GET_ITEM(seq, 0));
  if (n < 1 || (pairs && n != 1 && n != ndim)) {
    PyErr_Format(PyExc_ValueError,
                 "Invalid number of padding sizes passed to pad with axes of size %d", ndim);
    rc = -1;
  } else if (!pairs && n > 2) {
    PyErr_SetString(PyExc_TypeError, PAD_FORMS);
    rc = -1;
  }
  if (!pairs) {
    int v[2] = {0, 0};
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
      rc = int_arg(PySequence_Fast_GET_ITEM(seq, i), "pad_width", &v[i]);
    if (n == 1) v[1] = v[0];
    for (int i = 0; rc == 0 && i < ndim; i++) {
      lo[i] = v[0];
      hi[i] = v[1];
    }
  } else {
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
      PyObject *p = PySequence_Fast(PySequence_Fast_GET_ITEM(seq, i), PAD_FORMS);
      if (!p) {
        rc = -1;
        break;
      }
      int v[2] = {0, 0};
      if (PySequence_Fast_GET_SIZE(p) != 2) {
        PyErr_SetString(PyExc_TypeError, PAD_FORMS);
        rc = -1;
      }
      for (Py_ssize_t j = 0; rc == 0 && j < 2; j++)
        rc = int_arg(PySequence_Fast_GET_ITEM(p, j), "pad_width", &v[j]);
      Py_DECREF(p);
      for (int d = 0; rc == 0 && d < ndim; d++) {
        if (n == 1 || d == i) {
          lo[d] = v[0];
          hi[d] = v[1];
        }
      }
    }
  }
  Py_DECREF(seq);
  return rc;
}

static PyObject *f_pad(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "pad_width", "mode", "constant_values", "stream", NULL};
  PyObject *a, *pw, *cv = NULL, *stream = Py_None;
  const char *mode = "constant";
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|sO$O:pad", kwlist, &a, &pw, &mode, &cv,
                                   &stream) ||
      array_arg(a, "pad", &x) < 0)
    return NULL;
  int nd = (int)mlx_array_ndim(x), lo[MAXD], hi[MAXD], axes[MAXD];
  if (pad_widths(pw, nd, lo, hi) < 0) return NULL;
  for (int i = 0; i < nd; i++) axes[i] = i;
  mlx_array owned = mlx_array_new(), v;
  if (!cv) {
    owned = mlx_array_new_int(0);
    v = owned;
  } else if (mxpy_Array_Check(cv)) {
    v = MXPY_ARR(cv);
  } else {
    mlx_dtype d = mlx_array_dtype(x);
    if ((mxpy_is_scalar(cv) ? mxpy_scalar_weak(cv, d, &owned)
                            : mxpy_array_from_object(cv, NULL, &owned)) < 0) {
      mlx_array_free(owned);
      return NULL;
    }
    v = owned;
  }
  STREAM_OR_FAIL(stream, s, mlx_array_free(owned));
  mlx_array r = mlx_array_new();
  int st = mlx_pad(&r, x, axes, (size_t)nd, lo, (size_t)nd, hi, (size_t)nd, v, mode, s);
  mlx_array_free(owned);
  return mxpy_finish(st, r, s);
}

/* Normalized, deduplicated axes (None: all). */
static int axes_arg(PyObject *axis, int nd, const char *fname, int *axes, int *n) {
  bool seen[MAXD] = {false};
  *n = 0;
  if (axis == Py_None) {
    for (int i = 0; i < nd; i++) axes[(*n)++] = i;
    return 0;
  }
  mxpy_ints ax;
  if (mxpy_ints_from(axis, true, "axis", &ax) < 0) return -1;
  for (size_t i = 0; i < ax.n; i++) {
    int v = ax.data[i];
    if (v < -nd || v >= nd) {
      PyErr_Format(mxpy_AxisError, "[%s] Axis %d is out of bounds for array with %d dimensions.",
                   fname, v, nd);
      mxpy_ints_free(&ax);
      return -1;
    }
    if (v < 0) v += nd;
    if (!seen[v]) axes[(*n)++] = v;
    seen[v] = true;
  }
  mxpy_ints_free(&ax);
  return 0;
}

static PyObject *f_flip(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "stream", NULL};
  PyObject *a, *axis = Py_None, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:flip", kwlist, &a, &axis, &stream) ||
      array_arg(a, "flip", &x) < 0)
    return NULL;
  int nd = (int)mlx_array_ndim(x), axes[MAXD], n;
  if (axes_arg(axis, nd, "flip", axes, &n) < 0) return NULL;
  int start[MAXD], stop[MAXD], step[MAXD];
  const int *shape = mlx_array_shape(x);
  for (int i = 0; i < nd; i++) {
    start[i] = 0;
    stop[i] = shape[i];
    step[i] = 1;
  }
  for (int i = 0; i < n; i++) {
    start[axes[i]] = -1;
    stop[axes[i]] = -shape[axes[i]] - 1;
    step[axes[i]] = -1;
  }
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  int st = nd ? mlx_slice(&r, x, start, (size_t)nd, stop, (size_t)nd, step, (size_t)nd, s)
              : mlx_array_set(&r, x);
  return mxpy_finish(st, r, s);
}

static PyObject *f_roll(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  /* MLX's signature shows shift and axis positional-only, but its binding names them */
  static char *kwlist[] = {"", "shift", "axis", "stream", NULL};
  PyObject *a, *shift, *axis = Py_None, *stream = Py_None;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:roll", kwlist, &a, &shift, &axis, &stream) ||
      array_arg(a, "roll", &x) < 0)
    return NULL;
  mxpy_ints sh, ax;
  mxpy_ints_init(&ax);
  if (mxpy_ints_from(shift, true, "roll(): shift", &sh) < 0) return NULL;
  int mode = axis == Py_None ? 0 : (mxpy_is_int_like(axis) ? 1 : 2);
  if (mode && mxpy_ints_from(axis, mode == 1, "roll(): axis", &ax) < 0) {
    mxpy_ints_free(&sh);
    return NULL;
  }
  STREAM_OR_FAIL(stream, s, (mxpy_ints_free(&sh), mxpy_ints_free(&ax)));
  mlx_array r = mlx_array_new();
  int st = mode == 0   ? mlx_roll(&r, x, sh.data, sh.n, s)
           : mode == 1 ? mlx_roll_axis(&r, x, sh.data, sh.n, ax.data[0], s)
                       : mlx_roll_axes(&r, x, sh.data, sh.n, ax.data, ax.n, s);
  mxpy_ints_free(&sh);
  mxpy_ints_free(&ax);
  return mxpy_finish(st, r, s);
}

static PyObject *f_diff(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "n", "axis", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int n = 1, axis = -1;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|ii$O:diff", kwlist, &a, &n, &axis, &stream) ||
      array_arg(a, "diff", &x) < 0)
    return NULL;
  int nd = (int)mlx_array_ndim(x);
  if (n < 0) {
    PyErr_SetString(PyExc_ValueError, "[diff] Order `n` must be non-negative.");
    return NULL;
  }
  if (axis < -nd || axis >= nd) {
    PyErr_SetString(mxpy_AxisError, "[diff] Axis is out of bounds for the array.");
    return NULL;
  }
  int ax = axis < 0 ? axis + nd : axis;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_dtype dt = mlx_array_dtype(x);
  bool is_bool = dt == MLX_BOOL;
  mlx_array cur = mlx_array_new();
  int st = is_bool ? mlx_astype(&cur, x, MLX_INT32, s) : mlx_array_set(&cur, x);
  for (int k = 0; st == 0 && k < n && mlx_array_shape(cur)[ax] > 0; k++) {
    int start[MAXD], stop[MAXD];
    const int *shape = mlx_array_shape(cur);
    for (int d = 0; d < nd; d++) {
      start[d] = 0;
      stop[d] = shape[d];
    }
    mlx_array hi = mlx_array_new(), lo = mlx_array_new(), r = mlx_array_new();
    start[ax] = 1;
    st = mlx_slice(&hi, cur, start, (size_t)nd, stop, (size_t)nd, NULL, 0, s);
    start[ax] = 0;
    stop[ax] = shape[ax] - 1;
    if (st == 0) st = mlx_slice(&lo, cur, start, (size_t)nd, stop, (size_t)nd, NULL, 0, s);
    if (st == 0) st = mlx_subtract(&r, hi, lo, s);
    mlx_array_free(hi);
    mlx_array_free(lo);
    if (st == 0) {
      mlx_array_free(cur);
      cur = r;
    } else {
      mlx_array_free(r);
    }
  }
  if (st == 0 && is_bool) {
    mlx_array b = mlx_array_new();
    st = mlx_astype(&b, cur, MLX_BOOL, s);
    mlx_array_free(cur);
    cur = b;
  }
  return mxpy_finish(st, cur, s);
}

/* ------------------------------------------------------------------ diagonals */

static PyObject *diagonal_impl(mlx_array a, int offset, int a1, int a2, PyObject *stream) {
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_diagonal(&r, a, offset, a1, a2, s), r, s);
}

static PyObject *f_diagonal(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "offset", "axis1", "axis2", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int offset = 0, a1 = 0, a2 = 1;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|iiiO:diagonal", kwlist, &a, &offset, &a1, &a2,
                                   &stream) ||
      array_arg(a, "diagonal", &x) < 0)
    return NULL;
  return diagonal_impl(x, offset, a1, a2, stream);
}

static PyObject *m_diagonal(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"offset", "axis1", "axis2", "stream", NULL};
  PyObject *stream = Py_None;
  int offset = 0, a1 = 0, a2 = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|iiiO:diagonal", kwlist, &offset, &a1, &a2,
                                   &stream))
    return NULL;
  return diagonal_impl(MXPY_ARR(self), offset, a1, a2, stream);
}

static PyObject *diag_impl(mlx_array a, int k, PyObject *stream) {
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_diag(&r, a, k, s), r, s);
}

static PyObject *f_diag(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "k", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int k = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i$O:diag", kwlist, &a, &k, &stream) ||
      array_arg(a, "diag", &x) < 0)
    return NULL;
  return diag_impl(x, k, stream);
}

static PyObject *m_diag(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"k", "stream", NULL};
  PyObject *stream = Py_None;
  int k = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|i$O:diag", kwlist, &k, &stream)) return NULL;
  return diag_impl(MXPY_ARR(self), k, stream);
}

static PyObject *f_trace(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "offset", "axis1", "axis2", "dtype", "stream", NULL};
  PyObject *a, *dtype = Py_None, *stream = Py_None;
  int offset = 0, a1 = 0, a2 = 1;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|iiiO$O:trace", kwlist, &a, &offset, &a1, &a2,
                                   &dtype, &stream) ||
      array_arg(a, "trace", &x) < 0)
    return NULL;
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dtype, true, "trace", &d, &has) < 0) return NULL;
  if (!has) d = mlx_array_dtype(x);
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(mlx_trace(&r, x, offset, a1, a2, d, s), r, s);
}

typedef int (*tri_fn)(mlx_array *, const mlx_array, int, const mlx_stream);

static PyObject *tri(PyObject *args, PyObject *kwds, const char *fmt, tri_fn fn,
                     const char *fname) {
  static char *kwlist[] = {"x", "k", "stream", NULL};
  PyObject *a, *stream = Py_None;
  int k = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &k, &stream) ||
      array_arg(a, fname, &x) < 0)
    return NULL;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new();
  return mxpy_finish(fn(&r, x, k, s), r, s);
}

static PyObject *f_tril(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return tri(args, kwds, "O|i$O:tril", mlx_tril, "tril");
}
static PyObject *f_triu(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return tri(args, kwds, "O|i$O:triu", mlx_triu, "triu");
}

/* ------------------------------------------------------------------ gather / scatter */

/* An index argument: an array, or an int (a 0-d index). */
static int index_arg(PyObject *o, mlx_array *owned, mlx_array *out) {
  *owned = mlx_array_new();
  if (mxpy_Array_Check(o)) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (mxpy_is_int_like(o)) {
    int v;
    if (int_arg(o, "indices", &v) < 0) return -1;
    *owned = mlx_array_new_int(v);
    *out = *owned;
    return 0;
  }
  return array_arg(o, "take", out);
}

static PyObject *f_take(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "indices", "axis", "stream", NULL};
  PyObject *a, *indices, *axis = Py_None, *stream = Py_None;
  mlx_array x, io, i;
  int ax = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:take", kwlist, &a, &indices, &axis,
                                   &stream) ||
      array_arg(a, "take", &x) < 0)
    return NULL;
  if (axis != Py_None && int_arg(axis, "axis", &ax) < 0) return NULL;
  if (index_arg(indices, &io, &i) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, mlx_array_free(io));
  mlx_array r = mlx_array_new();
  int st = axis == Py_None ? mlx_take(&r, x, i, s) : mlx_take_axis(&r, x, i, ax, s);
  mlx_array_free(io);
  return mxpy_finish(st, r, s);
}

static PyObject *f_take_along_axis(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "indices", "axis", "stream", NULL};
  PyObject *a, *indices, *axis = Py_None, *stream = Py_None;
  mlx_array x, i;
  int ax = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:take_along_axis", kwlist, &a, &indices,
                                   &axis, &stream) ||
      array_arg(a, "take_along_axis", &x) < 0 || array_arg(indices, "take_along_axis", &i) < 0)
    return NULL;
  if (axis != Py_None && int_arg(axis, "axis", &ax) < 0) return NULL;
  STREAM_OR_FAIL(stream, s, (void)0);
  mlx_array r = mlx_array_new(), fx = mlx_array_new(), fi = mlx_array_new();
  int st;
  if (axis == Py_None) {
    st = mlx_flatten(&fx, x, 0, -1, s);
    if (st == 0) st = mlx_flatten(&fi, i, 0, -1, s);
    if (st == 0) st = mlx_take_along_axis(&r, fx, fi, 0, s);
  } else {
    st = mlx_take_along_axis(&r, x, i, ax, s);
  }
  mlx_array_free(fx);
  mlx_array_free(fi);
  return mxpy_finish(st, r, s);
}

static PyObject *f_put_along_axis(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "indices", "values", "axis", "stream", NULL};
  PyObject *a, *indices, *values, *axis = Py_None, *stream = Py_None;
  mlx_array x, i, vo, v;
  int ax = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|O$O:put_along_axis", kwlist, &a, &indices,
                                   &values, &axis, &stream) ||
      array_arg(a, "put_along_axis", &x) < 0 || array_arg(indices, "put_along_axis", &i) < 0)
    return NULL;
  if (axis != Py_None && int_arg(axis, "axis", &ax) < 0) return NULL;
  if (array_arg(values, "put_along_axis", &v) < 0) return NULL;
  vo = mlx_array_new();
  STREAM_OR_FAIL(stream, s, mlx_array_free(vo));
  mlx_array r = mlx_array_new(), fx = mlx_array_new(), fi = mlx_array_new(), fv = mlx_array_new(),
            rr = mlx_array_new();
  int st;
  if (axis == Py_None) {
    st = mlx_flatten(&fx, x, 0, -1, s);
    if (st == 0) st = mlx_flatten(&fi, i, 0, -1, s);
    if (st == 0) st = mlx_array_ndim(v) > 1 ? mlx_flatten(&fv, v, 0, -1, s) : mlx_array_set(&fv, v);
    if (st == 0) st = mlx_put_along_axis(&rr, fx, fi, fv, 0, s);
    if (st == 0) st = mlx_reshape(&r, rr, mlx_array_shape(x), mlx_array_ndim(x), s);
  } else {
    st = mlx_put_along_axis(&r, x, i, v, ax, s);
  }
  mlx_array frees[] = {fx, fi, fv, rr, vo};
  for (size_t k = 0; k < sizeof frees / sizeof *frees; k++) mlx_array_free(frees[k]);
  return mxpy_finish(st, r, s);
}

static PyObject *f_slice(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "start_indices", "axes", "slice_size", "stream", NULL};
  PyObject *a, *start, *axes, *size, *stream = Py_None;
  mlx_array x, so, st_arr;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO|$O:slice", kwlist, &a, &start, &axes, &size,
                                   &stream) ||
      array_arg(a, "slice", &x) < 0)
    return NULL;
  mxpy_ints ax, sz;
  if (mxpy_ints_from(axes, false, "slice(): axes", &ax) < 0) return NULL;
  if (mxpy_ints_from(size, false, "slice(): slice_size", &sz) < 0) {
    mxpy_ints_free(&ax);
    return NULL;
  }
  so = mlx_array_new();
  if (array_arg(start, "slice", &st_arr) < 0) {
    mxpy_ints_free(&ax);
    mxpy_ints_free(&sz);
    return NULL;
  }
  STREAM_OR_FAIL(stream, s, (mxpy_ints_free(&ax), mxpy_ints_free(&sz), mlx_array_free(so)));
  mlx_array r = mlx_array_new();
  int st = mlx_slice_dynamic(&r, x, st_arr, ax.data, ax.n, sz.data, sz.n, s);
  mxpy_ints_free(&ax);
  mxpy_ints_free(&sz);
  mlx_array_free(so);
  return mxpy_finish(st, r, s);
}

static PyObject *f_slice_update(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "update", "start_indices", "axes", "stream", NULL};
  PyObject *a, *update, *start, *axes, *stream = Py_None;
  mlx_array x, u, uo, so, st_arr;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO|$O:slice_update", kwlist, &a, &update, &start,
                                   &axes, &stream) ||
      array_arg(a, "slice_update", &x) < 0)
    return NULL;
  mxpy_ints ax;
  if (mxpy_ints_from(axes, false, "slice_update(): axes", &ax) < 0) return NULL;
  uo = mlx_array_new();
  so = mlx_array_new();
  if (array_arg(update, "slice_update", &u) < 0 || array_arg(start, "slice_update", &st_arr) < 0) {
    mxpy_ints_free(&ax);
    mlx_array_free(uo);
    return NULL;
  }
  STREAM_OR_FAIL(stream, s, (mxpy_ints_free(&ax), mlx_array_free(uo), mlx_array_free(so)));
  mlx_array r = mlx_array_new();
  int st = mlx_slice_update_dynamic(&r, x, u, st_arr, ax.data, ax.n, s);
  mxpy_ints_free(&ax);
  mlx_array_free(uo);
  mlx_array_free(so);
  return mxpy_finish(st, r, s);
}

/* ------------------------------------------------------------------ tables */

#define ARGS METH_VARARGS | METH_KEYWORDS

PyMethodDef mxpy_indexing_methods[] = {
    {"flatten", KW f_flatten, ARGS,
     "flatten(a: array, /, start_axis: int = 0, end_axis: int = -1, *, stream: StreamOrDevice = "
     "None) -> array\n\nFlatten the axes from start_axis to end_axis into one."},
    {"unflatten", KW f_unflatten, ARGS,
     "unflatten(a: array, /, axis: int, shape: Sequence[int], *, stream: StreamOrDevice = None) "
     "-> array\n\nSplit one axis into several (one entry of shape may be -1)."},
    {"squeeze", KW f_squeeze, ARGS,
     "squeeze(a: array, /, axis: None | int | Sequence[int] = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nRemove size-1 axes (all of them by default)."},
    {"expand_dims", KW f_expand_dims, ARGS,
     "expand_dims(a: array, /, axis: int | Sequence[int], *, stream: StreamOrDevice = None) -> "
     "array\n\nInsert size-1 axes at the given output positions."},
    {"matrix_transpose", KW f_matrix_transpose, ARGS,
     "matrix_transpose(a: array, /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Transpose the last two dimensions of the array."},
    {"swapaxes", KW f_swapaxes, ARGS,
     "swapaxes(a: array, /, axis1: int, axis2: int, *, stream: StreamOrDevice = None) -> array\n\n"
     "Swap two axes."},
    {"moveaxis", KW f_moveaxis, ARGS,
     "moveaxis(a: array, /, source: int, destination: int, *, stream: StreamOrDevice = None) -> "
     "array\n\nMove an axis to a new position."},
    {"permute_dims", KW f_permute_dims, ARGS,
     "permute_dims(a: array, /, axes: Sequence[int] | None = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nPermute the axes (reverse them by default)."},
    {"broadcast_arrays", KW f_broadcast_arrays, ARGS,
     "broadcast_arrays(*arrays: array, stream: StreamOrDevice = None) -> list[array]\n\n"
     "Broadcast the arrays against each other."},
    {"concatenate", KW f_concatenate, ARGS,
     "concatenate(arrays: list[array], axis: int | None = 0, *, stream: StreamOrDevice = None) "
     "-> array\n\nJoin arrays along an axis (flattened first when axis is None)."},
    {"concat", KW f_concat, ARGS,
     "concat(arrays: list[array], axis: int | None = 0, *, stream: StreamOrDevice = None) -> "
     "array\n\nSee :func:`concatenate`."},
    {"stack", KW f_stack, ARGS,
     "stack(arrays: list[array], axis: int | None = 0, *, stream: StreamOrDevice = None) -> "
     "array\n\nStack arrays along a new axis."},
    {"unstack", KW f_unstack, ARGS,
     "unstack(x: array, /, *, axis: int = 0, stream: StreamOrDevice = None) -> tuple[array, ...]"
     "\n\nSplit an array into its slices along an axis."},
    {"split", KW f_split, ARGS,
     "split(a: array, /, indices_or_sections: int | Sequence[int], axis: int = 0, *, stream: "
     "StreamOrDevice = None) -> list[array]\n\nSplit into equal parts or at the given indices."},
    {"repeat", KW f_repeat, ARGS,
     "repeat(array: array, repeats: int, axis: int | None = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nRepeat each element along an axis (of the flattened array by default)."},
    {"tile", KW f_tile, ARGS,
     "tile(a: array, reps: int | Sequence[int], /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Repeat the whole array along each axis."},
    {"pad", KW f_pad, ARGS,
     "pad(a: array, pad_width: int | tuple[int] | tuple[int, int] | list[tuple[int, int]], mode: "
     "Literal['constant', 'edge', 'reflect', 'symmetric'] = 'constant', constant_values: scalar "
     "| array = 0, *, stream: StreamOrDevice = None) -> array\n\nPad an array."},
    {"flip", KW f_flip, ARGS,
     "flip(a: array, /, axis: None | int | Sequence[int] = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nReverse the order of elements along the given axes (a view)."},
    {"roll", KW f_roll, ARGS,
     "roll(a: array, shift: int | tuple[int], axis: None | int | tuple[int] = None, /, *, "
     "stream: StreamOrDevice = None) -> array\n\nRoll elements along axes."},
    {"diff", KW f_diff, ARGS,
     "diff(a: array, /, n: int = 1, axis: int = -1, *, stream: StreamOrDevice = None) -> array\n\n"
     "The n-th discrete difference along an axis."},
    {"atleast_1d", KW f_atleast_1d, ARGS,
     "atleast_1d(*arys: array, stream: StreamOrDevice = None) -> array | list[array]"},
    {"atleast_2d", KW f_atleast_2d, ARGS,
     "atleast_2d(*arys: array, stream: StreamOrDevice = None) -> array | list[array]"},
    {"atleast_3d", KW f_atleast_3d, ARGS,
     "atleast_3d(*arys: array, stream: StreamOrDevice = None) -> array | list[array]"},
    {"take", KW f_take, ARGS,
     "take(a: array, /, indices: int | array, axis: int | None = None, *, stream: StreamOrDevice "
     "= None) -> array\n\nTake elements along an axis (of the flattened array by default)."},
    {"take_along_axis", KW f_take_along_axis, ARGS,
     "take_along_axis(a: array, /, indices: array, axis: int | None = None, *, stream: "
     "StreamOrDevice = None) -> array"},
    {"put_along_axis", KW f_put_along_axis, ARGS,
     "put_along_axis(a: array, /, indices: array, values: array, axis: int | None = None, *, "
     "stream: StreamOrDevice = None) -> array"},
    {"slice", KW f_slice, ARGS,
     "slice(a: array, start_indices: array, axes: Sequence[int], slice_size: Sequence[int], *, "
     "stream: StreamOrDevice = None) -> array\n\nA slice whose start is given by an array."},
    {"slice_update", KW f_slice_update, ARGS,
     "slice_update(a: array, update: array, start_indices: array, axes: Sequence[int], *, "
     "stream: StreamOrDevice = None) -> array\n\nReplace a slice whose start is an array."},
    {"diagonal", KW f_diagonal, ARGS,
     "diagonal(a: array, offset: int = 0, axis1: int = 0, axis2: int = 1, stream: "
     "StreamOrDevice = None) -> array"},
    {"diag", KW f_diag, ARGS,
     "diag(a: array, /, k: int = 0, *, stream: StreamOrDevice = None) -> array\n\n"
     "Extract a diagonal (2-D input) or build a diagonal matrix (1-D input)."},
    {"trace", KW f_trace, ARGS,
     "trace(a: array, /, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Dtype | None = "
     "None, *, stream: StreamOrDevice = None) -> array"},
    {"tril", KW f_tril, ARGS,
     "tril(x: array, k: int = 0, *, stream: StreamOrDevice = None) -> array"},
    {"triu", KW f_triu, ARGS,
     "triu(x: array, k: int = 0, *, stream: StreamOrDevice = None) -> array"},
    {"as_strided", KW f_as_strided, ARGS,
     "as_strided(a: array, /, shape: Sequence[int] | None = None, strides: Sequence[int] | None "
     "= None, offset: int = 0, *, stream: StreamOrDevice = None) -> array"},
    {"contiguous", KW f_contiguous, ARGS,
     "contiguous(a: array, /, allow_col_major: bool = False, *, stream: StreamOrDevice = None) "
     "-> array"},
    {"view", KW f_view, ARGS,
     "view(a: scalar | array, dtype: Dtype, stream: StreamOrDevice = None) -> array\n\n"
     "The same bytes seen as another dtype."},
    {"depends", KW f_depends, ARGS,
     "depends(inputs: array | Sequence[array], dependencies: array | Sequence[array])"},
    {NULL, NULL, 0, NULL},
};

PyMethodDef mxpy_indexing_array_methods[] = {
    {"flatten", KW m_flatten, ARGS,
     "flatten(self, start_axis: int = 0, end_axis: int = -1, *, stream: StreamOrDevice = None) "
     "-> array\n\nSee :func:`flatten`."},
    {"squeeze", KW m_squeeze, ARGS,
     "squeeze(self, axis: int | Sequence[int] | None = None, *, stream: StreamOrDevice = None) "
     "-> array\n\nSee :func:`squeeze`."},
    {"swapaxes", KW m_swapaxes, ARGS,
     "swapaxes(self, axis1: int, axis2: int, *, stream: StreamOrDevice = None) -> array"},
    {"moveaxis", KW m_moveaxis, ARGS,
     "moveaxis(self, source: int, destination: int, *, stream: StreamOrDevice = None) -> array"},
    {"split", KW m_split, ARGS,
     "split(self, indices_or_sections: int | tuple[int, ...], axis: int = 0, *, stream: "
     "StreamOrDevice = None) -> list[array]"},
    {"diagonal", KW m_diagonal, ARGS,
     "diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1, stream: StreamOrDevice = "
     "None) -> array"},
    {"diag", KW m_diag, ARGS, "diag(self, k: int = 0, *, stream: StreamOrDevice = None) -> array"},
    {"view", KW m_view, ARGS,
     "view(self, dtype: Dtype, *, stream: StreamOrDevice = None) -> array"},
    {NULL, NULL, 0, NULL},
};
