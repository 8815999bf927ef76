/* mlx.core: reductions, scans, sort, partition, search (module functions and array methods). */
#include "mlxpy.h"

#include <string.h>

#define KW (PyCFunction)(void (*)(void))

/* ------------------------------------------------------------------ helpers */

static int array_arg(PyObject *o, const char *fname, mlx_array *out) {
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError,
                 "%s(): incompatible function arguments: expected an "
                 "mlx.core.array, got %.200s.",
                 fname, Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

/* A bool argument: True or False only (as MLX's bindings). NULL leaves the default. */
static int bool_arg(PyObject *o, const char *fname, const char *what, bool *out) {
  if (!o) return 0;
  if (!PyBool_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be a bool, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = o == Py_True;
  return 0;
}

/* An int argument (not bool, not float). */
static int int_arg(PyObject *o, const char *fname, const char *what, int *out) {
  if (!mxpy_is_int_like(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an int, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  PyObject *i = PyNumber_Index(o);
  if (!i) return -1;
  long v = PyLong_AsLong(i);
  Py_DECREF(i);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_Format(PyExc_ValueError, "%s(): %s out of range.", fname, what);
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* An optional int axis: None (*has false) or an int. */
static int opt_axis(PyObject *o, const char *fname, int *axis, bool *has) {
  *has = o && o != Py_None;
  if (!*has) return 0;
  return int_arg(o, fname, "axis", axis);
}

/* The axis argument of a reduction: None (mode 0), an int (mode 1) or a sequence (mode 2). */
typedef struct {
  int mode;
  mxpy_ints ax;
} axes_arg;

static int parse_axes(PyObject *o, const char *fname, axes_arg *a) {
  mxpy_ints_init(&a->ax);
  a->mode = 0;
  if (!o || o == Py_None) return 0;
  char what[96];
  snprintf(what, sizeof what, "%s(): axis", fname);
  if (mxpy_is_int_like(o)) {
    if (mxpy_ints_from(o, true, what, &a->ax) < 0) return -1;
    a->mode = 1;
    return 0;
  }
  if (mxpy_ints_from(o, false, what, &a->ax) < 0) return -1;
  a->mode = 2;
  return 0;
}

/* ------------------------------------------------------------------ reductions */

typedef int (*axes_fn)(mlx_array *, const mlx_array, const int *, size_t, bool, const mlx_stream);
typedef int (*axis_fn)(mlx_array *, const mlx_array, int, bool, const mlx_stream);
typedef int (*all_fn)(mlx_array *, const mlx_array, bool, const mlx_stream);

typedef struct {
  const char *name;
  axes_fn axes;
  axis_fn axis;
  all_fn all;
} red_fns;

static PyObject *reduce_impl(const red_fns *f, mlx_array a, PyObject *axis, PyObject *keepdims,
                             PyObject *stream) {
  bool kd = false;
  if (bool_arg(keepdims, f->name, "keepdims", &kd) < 0) return NULL;
  axes_arg ax;
  if (parse_axes(axis, f->name, &ax) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax.ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (ax.mode == 0)
    st = f->all(&r, a, kd, s);
  else if (ax.mode == 1)
    st = f->axis(&r, a, ax.ax.data[0], kd, s);
  else
    st = f->axes(&r, a, ax.ax.data, ax.ax.n, kd, s);
  mxpy_ints_free(&ax.ax);
  return mxpy_finish(st, r, s);
}

#define RED_FNS(NAME)                                                                              \
  static const red_fns fns_##NAME = {#NAME, mlx_##NAME##_axes, mlx_##NAME##_axis, mlx_##NAME};
RED_FNS(all)
RED_FNS(any)
RED_FNS(prod)
RED_FNS(max)
RED_FNS(min)
RED_FNS(mean)
RED_FNS(logsumexp)

#define RED_FUNC(NAME)                                                                             \
  static PyObject *f_##NAME(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "axis", "keepdims", "stream", NULL};                              \
    PyObject *a, *axis = Py_None, *keepdims = NULL, *stream = Py_None;                             \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO$O:" #NAME, kwlist, &a, &axis, &keepdims,    \
                                     &stream))                                                     \
      return NULL;                                                                                 \
    mlx_array x;                                                                                   \
    if (array_arg(a, #NAME, &x) < 0) return NULL;                                                  \
    return reduce_impl(&fns_##NAME, x, axis, keepdims, stream);                                    \
  }                                                                                                \
  static PyObject *m_##NAME(PyObject *self, PyObject *args, PyObject *kwds) {                      \
    static char *kwlist[] = {"axis", "keepdims", "stream", NULL};                                  \
    PyObject *axis = Py_None, *keepdims = NULL, *stream = Py_None;                                 \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO$O:" #NAME, kwlist, &axis, &keepdims,         \
                                     &stream))                                                     \
      return NULL;                                                                                 \
    return reduce_impl(&fns_##NAME, MXPY_ARR(self), axis, keepdims, stream);                       \
  }

RED_FUNC(all)
RED_FUNC(any)
RED_FUNC(prod)
RED_FUNC(max)
RED_FUNC(min)
RED_FUNC(mean)
RED_FUNC(logsumexp)

/* var / std: ddof, or its alias correction (keyword only) when given. */
typedef int (*vaxes_fn)(mlx_array *, const mlx_array, const int *, size_t, bool, int,
                        const mlx_stream);
typedef int (*vaxis_fn)(mlx_array *, const mlx_array, int, bool, int, const mlx_stream);
typedef int (*vall_fn)(mlx_array *, const mlx_array, bool, int, const mlx_stream);

static PyObject *var_impl(const char *name, vaxes_fn fa, vaxis_fn f1, vall_fn f0, mlx_array a,
                          PyObject *axis, PyObject *keepdims, PyObject *ddof, PyObject *correction,
                          PyObject *stream) {
  bool kd = false;
  if (bool_arg(keepdims, name, "keepdims", &kd) < 0) return NULL;
  int dd = 0;
  if (ddof && int_arg(ddof, name, "ddof", &dd) < 0) return NULL;
  if (correction && correction != Py_None && int_arg(correction, name, "correction", &dd) < 0)
    return NULL;
  axes_arg ax;
  if (parse_axes(axis, name, &ax) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax.ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (ax.mode == 0)
    st = f0(&r, a, kd, dd, s);
  else if (ax.mode == 1)
    st = f1(&r, a, ax.ax.data[0], kd, dd, s);
  else
    st = fa(&r, a, ax.ax.data, ax.ax.n, kd, dd, s);
  mxpy_ints_free(&ax.ax);
  return mxpy_finish(st, r, s);
}

#define VAR_FUNC(NAME)                                                                             \
  static PyObject *f_##NAME(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "axis", "keepdims", "ddof", "correction", "stream", NULL};        \
    PyObject *a, *axis = Py_None, *keepdims = NULL, *ddof = NULL, *corr = NULL, *stream = Py_None; \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO$OO:" #NAME, kwlist, &a, &axis, &keepdims,  \
                                     &ddof, &corr, &stream))                                       \
      return NULL;                                                                                 \
    mlx_array x;                                                                                   \
    if (array_arg(a, #NAME, &x) < 0) return NULL;                                                  \
    return var_impl(#NAME, mlx_##NAME##_axes, mlx_##NAME##_axis, mlx_##NAME, x, axis, keepdims,    \
                    ddof, corr, stream);                                                           \
  }                                                                                                \
  static PyObject *m_##NAME(PyObject *self, PyObject *args, PyObject *kwds) {                      \
    static char *kwlist[] = {"axis", "keepdims", "ddof", "correction", "stream", NULL};            \
    PyObject *axis = Py_None, *keepdims = NULL, *ddof = NULL, *corr = NULL, *stream = Py_None;     \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO$OO:" #NAME, kwlist, &axis, &keepdims,       \
                                     &ddof, &corr, &stream))                                       \
      return NULL;                                                                                 \
    return var_impl(#NAME, mlx_##NAME##_axes, mlx_##NAME##_axis, mlx_##NAME, MXPY_ARR(self), axis, \
                    keepdims, ddof, corr, stream);                                                 \
  }

VAR_FUNC(var)
VAR_FUNC(std)

static PyObject *f_median(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "keepdims", "stream", NULL};
  PyObject *a, *axis = Py_None, *keepdims = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO$O:median", kwlist, &a, &axis, &keepdims,
                                   &stream))
    return NULL;
  mlx_array x;
  if (array_arg(a, "median", &x) < 0) return NULL;
  bool kd = false;
  if (bool_arg(keepdims, "median", "keepdims", &kd) < 0) return NULL;
  axes_arg ax;
  if (parse_axes(axis, "median", &ax) < 0) return NULL;
  if (ax.mode == 0) { /* every axis */
    size_t nd = mlx_array_ndim(x);
    if (mxpy_ints_reserve(&ax.ax, nd) < 0) return NULL;
    for (size_t i = 0; i < nd; i++) ax.ax.data[i] = (int)i;
    ax.ax.n = nd;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax.ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_median(&r, x, ax.ax.data, ax.ax.n, kd, s);
  mxpy_ints_free(&ax.ax);
  return mxpy_finish(st, r, s);
}

/* count_nonzero: the sum of a as bool (int32), over the given axes. */
static PyObject *f_count_nonzero(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "keepdims", "stream", NULL};
  PyObject *a, *axis = Py_None, *keepdims = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OOO:count_nonzero", kwlist, &a, &axis, &keepdims,
                                   &stream))
    return NULL;
  mlx_array x;
  if (array_arg(a, "count_nonzero", &x) < 0) return NULL;
  bool kd = false;
  if (bool_arg(keepdims, "count_nonzero", "keepdims", &kd) < 0) return NULL;
  axes_arg ax;
  if (parse_axes(axis, "count_nonzero", &ax) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax.ax);
    return NULL;
  }
  mlx_array b = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (mlx_array_dtype(x) == MLX_COMPLEX64) {
    /* nonzero when either part is: (re, im) float32 pairs in a new last axis, any-reduced */
    mlx_array x1 = mlx_array_new(), xv = mlx_array_new();
    int shape[64];
    size_t nd = mlx_array_ndim(x);
    for (size_t i = 0; i < nd && i < 63; i++) shape[i] = mlx_array_dim(x, (int)i);
    shape[nd < 63 ? nd : 63] = 1;
    st = mlx_reshape(&x1, x, shape, nd + 1, s);
    if (!st) st = mlx_view(&xv, x1, MLX_FLOAT32, s);
    if (!st) st = mlx_any_axis(&b, xv, -1, false, s);
    mlx_array_free(x1);
    mlx_array_free(xv);
  } else {
    st = mlx_astype(&b, x, MLX_BOOL, s);
  }
  if (!st) {
    if (ax.mode == 0)
      st = mlx_sum(&r, b, kd, s);
    else if (ax.mode == 1)
      st = mlx_sum_axis(&r, b, ax.ax.data[0], kd, s);
    else
      st = mlx_sum_axes(&r, b, ax.ax.data, ax.ax.n, kd, s);
  }
  if (!st && mlx_array_dtype(r) != MLX_INT32) { /* a 0-d input's sum stays bool */
    mlx_array_set(&b, r);
    st = mlx_astype(&r, b, MLX_INT32, s);
  }
  mlx_array_free(b);
  mxpy_ints_free(&ax.ax);
  return mxpy_finish(st, r, s);
}

/* ------------------------------------------------------------------ softmax, argmin/argmax */

static PyObject *f_softmax(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "axis", "precise", "stream", NULL};
  PyObject *a, *axis = Py_None, *precise = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$OO:softmax", kwlist, &a, &axis, &precise,
                                   &stream))
    return NULL;
  mlx_array x;
  if (array_arg(a, "softmax", &x) < 0) return NULL;
  bool pr = false;
  if (bool_arg(precise, "softmax", "precise", &pr) < 0) return NULL;
  axes_arg ax;
  if (parse_axes(axis, "softmax", &ax) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax.ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (ax.mode == 0)
    st = mlx_softmax(&r, x, pr, s);
  else if (ax.mode == 1)
    st = mlx_softmax_axis(&r, x, ax.ax.data[0], pr, s);
  else
    st = mlx_softmax_axes(&r, x, ax.ax.data, ax.ax.n, pr, s);
  mxpy_ints_free(&ax.ax);
  return mxpy_finish(st, r, s);
}

typedef int (*argred_axis_fn)(mlx_array *, const mlx_array, int, bool, const mlx_stream);
typedef int (*argred_all_fn)(mlx_array *, const mlx_array, bool, const mlx_stream);

static PyObject *argreduce_impl(const char *name, argred_axis_fn f1, argred_all_fn f0, mlx_array a,
                                PyObject *axis, PyObject *keepdims, PyObject *stream) {
  bool kd = false, has;
  int ax = 0;
  if (bool_arg(keepdims, name, "keepdims", &kd) < 0) return NULL;
  if (opt_axis(axis, name, &ax, &has) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(has ? f1(&r, a, ax, kd, s) : f0(&r, a, kd, s), r, s);
}

#define ARG_FUNC(NAME)                                                                             \
  static PyObject *f_##NAME(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "axis", "keepdims", "stream", NULL};                              \
    PyObject *a, *axis = Py_None, *keepdims = NULL, *stream = Py_None;                             \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO$O:" #NAME, kwlist, &a, &axis, &keepdims,    \
                                     &stream))                                                     \
      return NULL;                                                                                 \
    mlx_array x;                                                                                   \
    if (array_arg(a, #NAME, &x) < 0) return NULL;                                                  \
    return argreduce_impl(#NAME, mlx_##NAME##_axis, mlx_##NAME, x, axis, keepdims, stream);        \
  }                                                                                                \
  static PyObject *m_##NAME(PyObject *self, PyObject *args, PyObject *kwds) {                      \
    static char *kwlist[] = {"axis", "keepdims", "stream", NULL};                                  \
    PyObject *axis = Py_None, *keepdims = NULL, *stream = Py_None;                                 \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO$O:" #NAME, kwlist, &axis, &keepdims,         \
                                     &stream))                                                     \
      return NULL;                                                                                 \
    return argreduce_impl(#NAME, mlx_##NAME##_axis, mlx_##NAME, MXPY_ARR(self), axis, keepdims,    \
                          stream);                                                                 \
  }

ARG_FUNC(argmax)
ARG_FUNC(argmin)

/* ------------------------------------------------------------------ scans */

typedef int (*scan_fn)(mlx_array *, const mlx_array, int, bool, bool, const mlx_stream);

/* axis None scans the flattened array; dtype (cumsum, cumprod) casts a first. */
static PyObject *scan_impl(const char *name, scan_fn f, mlx_array a, PyObject *axis,
                           PyObject *reverse, PyObject *inclusive, PyObject *dtype,
                           PyObject *stream) {
  bool rev = false, inc = true, has;
  int ax = 0;
  if (bool_arg(reverse, name, "reverse", &rev) < 0) return NULL;
  if (bool_arg(inclusive, name, "inclusive", &inc) < 0) return NULL;
  if (opt_axis(axis, name, &ax, &has) < 0) return NULL;
  mlx_dtype dt = MLX_FLOAT32;
  bool has_dt = false;
  if (dtype && mxpy_dtype_arg(dtype, true, name, &dt, &has_dt) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array x = mlx_array_new(), y = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int st = 0;
  mlx_array src = a;
  if (has_dt) {
    st = mlx_astype(&x, src, dt, s);
    src = x;
  }
  if (!st && !has) {
    int flat = -1;
    st = mlx_reshape(&y, src, &flat, 1, s);
    src = y;
  }
  if (!st) st = f(&r, src, ax, rev, inc, s);
  mlx_array_free(x);
  mlx_array_free(y);
  return mxpy_finish(st, r, s);
}

#define SCAN_FUNC(NAME, WITH_DTYPE)                                                                \
  static PyObject *f_##NAME(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist_d[] = {"", "axis", "reverse", "inclusive", "dtype", "stream", NULL};       \
    static char *kwlist[] = {"", "axis", "reverse", "inclusive", "stream", NULL};                  \
    PyObject *a, *axis = Py_None, *rev = NULL, *inc = NULL, *dt = NULL, *stream = Py_None;         \
    if (WITH_DTYPE) {                                                                              \
      if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$OOOO:" #NAME, kwlist_d, &a, &axis, &rev,   \
                                       &inc, &dt, &stream))                                        \
        return NULL;                                                                               \
    } else if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$OOO:" #NAME, kwlist, &a, &axis, &rev, \
                                            &inc, &stream)) {                                      \
      return NULL;                                                                                 \
    }                                                                                              \
    mlx_array x;                                                                                   \
    if (array_arg(a, #NAME, &x) < 0) return NULL;                                                  \
    return scan_impl(#NAME, mlx_##NAME, x, axis, rev, inc, dt, stream);                            \
  }                                                                                                \
  static PyObject *m_##NAME(PyObject *self, PyObject *args, PyObject *kwds) {                      \
    static char *kwlist[] = {"axis", "reverse", "inclusive", "stream", NULL};                      \
    PyObject *axis = Py_None, *rev = NULL, *inc = NULL, *stream = Py_None;                         \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$OOO:" #NAME, kwlist, &axis, &rev, &inc,       \
                                     &stream))                                                     \
      return NULL;                                                                                 \
    return scan_impl(#NAME, mlx_##NAME, MXPY_ARR(self), axis, rev, inc, NULL, stream);             \
  }

SCAN_FUNC(cumsum, 1)
SCAN_FUNC(cumprod, 1)
SCAN_FUNC(cummax, 0)
SCAN_FUNC(cummin, 0)
SCAN_FUNC(logcumsumexp, 0)

/* ------------------------------------------------------------------ sort, partition, topk */

typedef int (*sort_axis_fn)(mlx_array *, const mlx_array, int, const mlx_stream);
typedef int (*sort_all_fn)(mlx_array *, const mlx_array, const mlx_stream);

#define SORT_FUNC(NAME)                                                                            \
  static PyObject *f_##NAME(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    static char *kwlist[] = {"", "axis", "stream", NULL};                                          \
    PyObject *a, *axis = NULL, *stream = Py_None;                                                  \
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:" #NAME, kwlist, &a, &axis, &stream))      \
      return NULL;                                                                                 \
    mlx_array x;                                                                                   \
    if (array_arg(a, #NAME, &x) < 0) return NULL;                                                  \
    int ax = -1;                                                                                   \
    bool has = true;                                                                               \
    if (axis && opt_axis(axis, #NAME, &ax, &has) < 0) return NULL;                                 \
    mlx_stream s;                                                                                  \
    if (mxpy_stream_arg(stream, &s) < 0) return NULL;                                              \
    mlx_array r = mlx_array_new();                                                                 \
    mxpy_error_clear();                                                                            \
    return mxpy_finish(has ? mlx_##NAME##_axis(&r, x, ax, s) : mlx_##NAME(&r, x, s), r, s);             \
  }

SORT_FUNC(sort)
SORT_FUNC(argsort)

typedef int (*kth_axis_fn)(mlx_array *, const mlx_array, int, int, const mlx_stream);
typedef int (*kth_all_fn)(mlx_array *, const mlx_array, int, const mlx_stream);

static PyObject *kth_impl(const char *name, const char *kname, kth_axis_fn f1, kth_all_fn f0,
                          PyObject *args, PyObject *kwds) {
  char fmt[64];
  snprintf(fmt, sizeof fmt, "OO|O$O:%s", name);
  char *kwlist[] = {"", (char *)kname, "axis", "stream", NULL};
  PyObject *a, *kth, *axis = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &kth, &axis, &stream)) return NULL;
  mlx_array x;
  if (array_arg(a, name, &x) < 0) return NULL;
  int k, ax = -1;
  bool has = true;
  if (int_arg(kth, name, kname, &k) < 0) return NULL;
  if (axis && opt_axis(axis, name, &ax, &has) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(has ? f1(&r, x, k, ax, s) : f0(&r, x, k, s), r, s);
}

static PyObject *f_partition(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return kth_impl("partition", "kth", mlx_partition_axis, mlx_partition, args, kwds);
}

static PyObject *f_argpartition(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return kth_impl("argpartition", "kth", mlx_argpartition_axis, mlx_argpartition, args, kwds);
}

static PyObject *f_topk(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return kth_impl("topk", "k", mlx_topk_axis, mlx_topk, args, kwds);
}

/* searchsorted from sorts: in the stable order of [values, seq] ('left') or [seq, values]
 * ('right'), the elements before value j are the seq elements counted by the answer and the
 * values ranked before j; so answer_j = position_j - rank_j. */
static PyObject *f_searchsorted(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "side", "stream", NULL};
  PyObject *seq_o, *val_o, *side_o = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:searchsorted", kwlist, &seq_o, &val_o,
                                   &side_o, &stream))
    return NULL;
  mlx_array seq, val;
  if (array_arg(seq_o, "searchsorted", &seq) < 0 || array_arg(val_o, "searchsorted", &val) < 0)
    return NULL;
  bool right = false;
  if (side_o) {
    if (!PyUnicode_Check(side_o)) {
      PyErr_Format(PyExc_TypeError, "searchsorted(): side must be a str, got %.200s.",
                   Py_TYPE(side_o)->tp_name);
      return NULL;
    }
    const char *sd = PyUnicode_AsUTF8(side_o);
    if (!sd) return NULL;
    if (strcmp(sd, "right") == 0) {
      right = true;
    } else if (strcmp(sd, "left") != 0) {
      PyErr_Format(PyExc_ValueError,
                   "[searchsorted] Invalid side '%s'. Expected 'left' or 'right'.", sd);
      return NULL;
    }
  }
  if (mlx_array_ndim(seq) != 1) {
    PyErr_Format(PyExc_ValueError,
                 "[searchsorted] The sorted sequence must be 1-D but has %d dimensions.",
                 (int)mlx_array_ndim(seq));
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_dtype dt = mxpy_promote(mlx_array_dtype(seq), mlx_array_dtype(val));
  int n = (int)mlx_array_size(seq), mv = (int)mlx_array_size(val);
  enum { SQ, VL, VF, CAT, P1, INV, POS, R1, R2, RES, OUT, NT };
  mlx_array t[NT];
  for (int i = 0; i < NT; i++) t[i] = mlx_array_new();
  mxpy_error_clear();
  int flat = -1, st = 0;
  int start = right ? n : 0, stop = start + mv;
  st = mlx_astype(&t[SQ], seq, dt, s);
  if (!st) st = mlx_astype(&t[VL], val, dt, s);
  if (!st) st = mlx_reshape(&t[VF], t[VL], &flat, 1, s);
  if (!st) {
    mlx_array parts[2] = {right ? t[SQ] : t[VF], right ? t[VF] : t[SQ]};
    mlx_vector_array v = mlx_vector_array_new_data(parts, 2);
    st = mlx_concatenate_axis(&t[CAT], v, 0, s);
    mlx_vector_array_free(v);
  }
  if (!st) st = mlx_argsort_axis(&t[P1], t[CAT], 0, s);
  if (!st) st = mlx_argsort_axis(&t[INV], t[P1], 0, s);
  if (!st) st = mlx_slice(&t[POS], t[INV], &start, 1, &stop, 1, NULL, 0, s);
  if (!st) st = mlx_argsort_axis(&t[R1], t[VF], 0, s);
  if (!st) st = mlx_argsort_axis(&t[R2], t[R1], 0, s);
  if (!st) st = mlx_subtract(&t[RES], t[POS], t[R2], s);
  if (!st) st = mlx_reshape(&t[OUT], t[RES], mlx_array_shape(val), mlx_array_ndim(val), s);
  for (int i = 0; i < NT; i++)
    if (i != OUT) mlx_array_free(t[i]);
  return mxpy_finish(st, t[OUT], s);
}

/* ------------------------------------------------------------------ tables */

#define SIG_RED                                                                                    \
  "(a: array, /, axis: None | int | Sequence[int] = None, keepdims: bool = False, *, "             \
  "stream: StreamOrDevice = None) -> array\n\n"
#define SIG_SCAN                                                                                   \
  "(a: array, /, axis: int | None = None, *, reverse: bool = False, inclusive: "                   \
  "bool = True, stream: StreamOrDevice = None) -> array\n\n"
#define SIG_SCAN_D                                                                                 \
  "(a: array, /, axis: int | None = None, *, reverse: bool = False, inclusive: "                   \
  "bool = True, dtype: Dtype | None = None, stream: StreamOrDevice = None) -> "                    \
  "array\n\n"
#define SIG_VAR                                                                                    \
  "(a: array, /, axis: None | int | Sequence[int] = None, keepdims: bool = False, "                \
  "ddof: int = 0, *, stream: StreamOrDevice = None) -> array\n\n"
#define SIG_ARG                                                                                    \
  "(a: array, /, axis: None | int = None, keepdims: bool = False, *, stream: "                     \
  "StreamOrDevice = None) -> array\n\n"

/* minmax(a, axis, keepdims, stream): (min, max) with min's and max's own argument handling. */
static PyObject *f_minmax(PyObject *m, PyObject *args, PyObject *kwds) {
  PyObject *fmin = PyObject_GetAttrString(m, "min"), *fmax = PyObject_GetAttrString(m, "max");
  PyObject *lo = fmin ? PyObject_Call(fmin, args, kwds) : NULL;
  PyObject *hi = lo && fmax ? PyObject_Call(fmax, args, kwds) : NULL;
  PyObject *r = hi ? PyTuple_Pack(2, lo, hi) : NULL;
  Py_XDECREF(fmin), Py_XDECREF(fmax), Py_XDECREF(lo), Py_XDECREF(hi);
  return r;
}

PyMethodDef mxpy_reduce_methods[] = {
    {"minmax", (PyCFunction)(void (*)(void))f_minmax, METH_VARARGS | METH_KEYWORDS,
     "minmax(a: array, /, axis: None | int | Sequence[int] = None, keepdims: bool = False, *, "
     "stream: StreamOrDevice = None) -> tuple[array, array]\n\nThe minimum and maximum over the "
     "given axes."},
    {"all", KW f_all, METH_VARARGS | METH_KEYWORDS,
     "all" SIG_RED "An and-reduction over the given axes."},
    {"any", KW f_any, METH_VARARGS | METH_KEYWORDS,
     "any" SIG_RED "An or-reduction over the given axes."},
    {"prod", KW f_prod, METH_VARARGS | METH_KEYWORDS,
     "prod" SIG_RED "A product reduction over the given axes."},
    {"max", KW f_max, METH_VARARGS | METH_KEYWORDS,
     "max" SIG_RED "A max reduction over the given axes (NaN propagates)."},
    {"min", KW f_min, METH_VARARGS | METH_KEYWORDS,
     "min" SIG_RED "A min reduction over the given axes (NaN propagates)."},
    {"mean", KW f_mean, METH_VARARGS | METH_KEYWORDS,
     "mean" SIG_RED "The mean over the given axes."},
    {"logsumexp", KW f_logsumexp, METH_VARARGS | METH_KEYWORDS,
     "logsumexp" SIG_RED "log(sum(exp(a))) over the given axes, computed stably."},
    {"var", KW f_var, METH_VARARGS | METH_KEYWORDS,
     "var" SIG_VAR "The variance over the given axes (divided by N - ddof)."},
    {"std", KW f_std, METH_VARARGS | METH_KEYWORDS,
     "std" SIG_VAR "The standard deviation over the given axes (divided by N - ddof)."},
    {"median", KW f_median, METH_VARARGS | METH_KEYWORDS,
     "median" SIG_RED "The median over the given axes."},
    {"count_nonzero", KW f_count_nonzero, METH_VARARGS | METH_KEYWORDS,
     "count_nonzero(a: array, /, *, axis: None | int | Sequence[int] = None, keepdims: bool = "
     "False, stream: StreamOrDevice = None) -> array\n\nThe number of nonzero elements."},
    {"softmax", KW f_softmax, METH_VARARGS | METH_KEYWORDS,
     "softmax(a: array, /, axis: None | int | Sequence[int] = None, *, precise: bool = False, "
     "stream: StreamOrDevice = None) -> array\n\nexp(a) / sum(exp(a)) over the given axes."},
    {"argmax", KW f_argmax, METH_VARARGS | METH_KEYWORDS,
     "argmax" SIG_ARG "Indices (uint32) of the first maxima along the axis."},
    {"argmin", KW f_argmin, METH_VARARGS | METH_KEYWORDS,
     "argmin" SIG_ARG "Indices (uint32) of the first minima along the axis."},
    {"cumsum", KW f_cumsum, METH_VARARGS | METH_KEYWORDS,
     "cumsum" SIG_SCAN_D "Cumulative sum along the axis."},
    {"cumprod", KW f_cumprod, METH_VARARGS | METH_KEYWORDS,
     "cumprod" SIG_SCAN_D "Cumulative product along the axis."},
    {"cummax", KW f_cummax, METH_VARARGS | METH_KEYWORDS,
     "cummax" SIG_SCAN "Cumulative maximum along the axis."},
    {"cummin", KW f_cummin, METH_VARARGS | METH_KEYWORDS,
     "cummin" SIG_SCAN "Cumulative minimum along the axis."},
    {"logcumsumexp", KW f_logcumsumexp, METH_VARARGS | METH_KEYWORDS,
     "logcumsumexp" SIG_SCAN "Cumulative logsumexp along the axis."},
    {"sort", KW f_sort, METH_VARARGS | METH_KEYWORDS,
     "sort(a: array, /, axis: None | int = -1, *, stream: StreamOrDevice = None) -> array\n\n"
     "A sorted copy (stable; NaN last). axis None sorts the flattened array."},
    {"argsort", KW f_argsort, METH_VARARGS | METH_KEYWORDS,
     "argsort(a: array, /, axis: None | int = -1, *, stream: StreamOrDevice = None) -> array\n\n"
     "Indices (uint32) that sort the array (stable)."},
    {"partition", KW f_partition, METH_VARARGS | METH_KEYWORDS,
     "partition(a: array, /, kth: int, axis: None | int = -1, *, stream: StreamOrDevice = None) "
     "-> array\n\nA copy with element kth in sorted position, smaller ones before it."},
    {"argpartition", KW f_argpartition, METH_VARARGS | METH_KEYWORDS,
     "argpartition(a: array, /, kth: int, axis: None | int = -1, *, stream: StreamOrDevice = "
     "None) -> array\n\nIndices (uint32) that partition the array around kth."},
    {"topk", KW f_topk, METH_VARARGS | METH_KEYWORDS,
     "topk(a: array, /, k: int, axis: None | int = -1, *, stream: StreamOrDevice = None) -> "
     "array\n\nThe k largest elements along the axis (in no particular order)."},
    {"searchsorted", KW f_searchsorted, METH_VARARGS | METH_KEYWORDS,
     "searchsorted(sorted_sequence: array, values: array, /, side: str = 'left', *, stream: "
     "StreamOrDevice = None) -> array\n\nIndices (uint32) where values would be inserted to "
     "keep the 1-D sorted_sequence sorted."},
    {NULL, NULL, 0, NULL},
};

#define MSIG_RED                                                                                   \
  "(self, axis: None | int | Sequence[int] = None, keepdims: bool = False, *, "                    \
  "stream: StreamOrDevice = None) -> array\n\n"
#define MSIG_SCAN                                                                                  \
  "(self, axis: int | None = None, *, reverse: bool = False, inclusive: bool = "                   \
  "True, stream: StreamOrDevice = None) -> array\n\n"
#define MSIG_VAR                                                                                   \
  "(self, axis: None | int | Sequence[int] = None, keepdims: bool = False, ddof: "                 \
  "int = 0, *, correction: int | None = None, stream: StreamOrDevice = None) -> "                  \
  "array\n\n"
#define MSIG_ARG                                                                                   \
  "(self, axis: None | int = None, keepdims: bool = False, *, stream: "                            \
  "StreamOrDevice = None) -> array\n\n"

PyMethodDef mxpy_reduce_array_methods[] = {
    {"all", KW m_all, METH_VARARGS | METH_KEYWORDS, "all" MSIG_RED "See :func:`all`."},
    {"any", KW m_any, METH_VARARGS | METH_KEYWORDS, "any" MSIG_RED "See :func:`any`."},
    {"prod", KW m_prod, METH_VARARGS | METH_KEYWORDS, "prod" MSIG_RED "See :func:`prod`."},
    {"max", KW m_max, METH_VARARGS | METH_KEYWORDS, "max" MSIG_RED "See :func:`max`."},
    {"min", KW m_min, METH_VARARGS | METH_KEYWORDS, "min" MSIG_RED "See :func:`min`."},
    {"mean", KW m_mean, METH_VARARGS | METH_KEYWORDS, "mean" MSIG_RED "See :func:`mean`."},
    {"logsumexp", KW m_logsumexp, METH_VARARGS | METH_KEYWORDS,
     "logsumexp" MSIG_RED "See :func:`logsumexp`."},
    {"var", KW m_var, METH_VARARGS | METH_KEYWORDS, "var" MSIG_VAR "See :func:`var`."},
    {"std", KW m_std, METH_VARARGS | METH_KEYWORDS, "std" MSIG_VAR "See :func:`std`."},
    {"argmax", KW m_argmax, METH_VARARGS | METH_KEYWORDS, "argmax" MSIG_ARG "See :func:`argmax`."},
    {"argmin", KW m_argmin, METH_VARARGS | METH_KEYWORDS, "argmin" MSIG_ARG "See :func:`argmin`."},
    {"cumsum", KW m_cumsum, METH_VARARGS | METH_KEYWORDS, "cumsum" MSIG_SCAN "See :func:`cumsum`."},
    {"cumprod", KW m_cumprod, METH_VARARGS | METH_KEYWORDS,
     "cumprod" MSIG_SCAN "See :func:`cumprod`."},
    {"cummax", KW m_cummax, METH_VARARGS | METH_KEYWORDS, "cummax" MSIG_SCAN "See :func:`cummax`."},
    {"cummin", KW m_cummin, METH_VARARGS | METH_KEYWORDS, "cummin" MSIG_SCAN "See :func:`cummin`."},
    {"logcumsumexp", KW m_logcumsumexp, METH_VARARGS | METH_KEYWORDS,
     "logcumsumexp" MSIG_SCAN "See :func:`logcumsumexp`."},
    {NULL, NULL, 0, NULL},
};
