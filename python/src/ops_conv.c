/* mlx.core: the conv family: conv1d/2d/3d, conv_transpose1d/2d/3d, conv_general and convolve
 * (numpy's 1-D convolution, a flipped conv_general). Operands must be mx.array (TypeError
 * otherwise); per-dimension arguments are an int or a tuple of one int per spatial dim. */
#include "mlxpy.h"

#include <string.h>

#define KW (PyCFunction)(void (*)(void))

/* An int, or (nsp > 0) a tuple of exactly nsp ints; (nsp == 0) any sequence of at most 3. */
static int dims_arg(PyObject *o, int nsp, const char *fname, const char *what, int *out,
                    int *count) {
  mxpy_ints v;
  if (PyBool_Check(o) || (nsp > 0 && !mxpy_is_int_like(o) && !PyTuple_Check(o)) ||
      mxpy_ints_from(o, true, what, &v) < 0) {
    if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "%s(): %s must be an int or a tuple of ints, got %.200s.",
                   fname, what, Py_TYPE(o)->tp_name);
    }
    return -1;
  }
  bool scalar = mxpy_is_int_like(o);
  int rc = 0;
  if ((nsp > 0 && !scalar && (int)v.n != nsp) || v.n > 3) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an int or a tuple of %d ints.", fname, what,
                 nsp > 0 ? nsp : 3);
    rc = -1;
  } else {
    int n = nsp > 0 ? nsp : (int)v.n;
    for (int i = 0; i < n; i++) out[i] = v.data[scalar ? 0 : i];
    if (count) *count = scalar && nsp == 0 ? 1 : n;
  }
  mxpy_ints_free(&v);
  return rc;
}

static int int_arg(PyObject *o, const char *fname, const char *what, int *out) {
  if (PyBool_Check(o) || !mxpy_is_int_like(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an int, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  long v = PyLong_AsLong(o);
  if (v == -1 && PyErr_Occurred()) return -1;
  *out = (int)v;
  return 0;
}

/* conv{1,2,3}d and conv_transpose{1,2,3}d. */
static PyObject *conv_nd(PyObject *args, PyObject *kwds, int nsp, bool transpose) {
  static char *kw[] = {"input",    "weight", "stride", "padding",
                       "dilation", "groups", "stream", NULL};
  static char *kwt[] = {"input",          "weight", "stride", "padding", "dilation",
                        "output_padding", "groups", "stream", NULL};
  char fname[32];
  snprintf(fname, sizeof fname, "conv%s%dd", transpose ? "_transpose" : "", nsp);
  PyObject *a, *b, *st = NULL, *pd = NULL, *dl = NULL, *op = NULL, *gr = NULL, *stream = Py_None;
  int ok = transpose ? PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOOO$O", kwt, &a, &b, &st, &pd,
                                                   &dl, &op, &gr, &stream)
                     : PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOO$O", kw, &a, &b, &st, &pd,
                                                   &dl, &gr, &stream);
  if (!ok) return NULL;
  mlx_array x, w;
  int stride[3] = {1, 1, 1}, pad[3] = {0}, dil[3] = {1, 1, 1}, opad[3] = {0}, groups = 1;
  if (mxpy_array_arg(a, fname, "input", &x) < 0 || mxpy_array_arg(b, fname, "weight", &w) < 0 ||
      (st && dims_arg(st, nsp, fname, "stride", stride, NULL) < 0) ||
      (pd && dims_arg(pd, nsp, fname, "padding", pad, NULL) < 0) ||
      (dl && dims_arg(dl, nsp, fname, "dilation", dil, NULL) < 0) ||
      (op && dims_arg(op, nsp, fname, "output_padding", opad, NULL) < 0) ||
      (gr && int_arg(gr, fname, "groups", &groups) < 0))
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int rc;
  if (!transpose)
    rc = nsp == 1 ? mlx_conv1d(&r, x, w, stride[0], pad[0], dil[0], groups, s)
         : nsp == 2
             ? mlx_conv2d(&r, x, w, stride[0], stride[1], pad[0], pad[1], dil[0], dil[1], groups, s)
             : mlx_conv3d(&r, x, w, stride[0], stride[1], stride[2], pad[0], pad[1], pad[2], dil[0],
                          dil[1], dil[2], groups, s);
  else
    rc = nsp == 1   ? mlx_conv_transpose1d(&r, x, w, stride[0], pad[0], dil[0], opad[0], groups, s)
         : nsp == 2 ? mlx_conv_transpose2d(&r, x, w, stride[0], stride[1], pad[0], pad[1], dil[0],
                                           dil[1], opad[0], opad[1], groups, s)
                    : mlx_conv_transpose3d(&r, x, w, stride[0], stride[1], stride[2], pad[0],
                                           pad[1], pad[2], dil[0], dil[1], dil[2], opad[0], opad[1],
                                           opad[2], groups, s);
  return mxpy_finish(rc, r, s);
}

#define CONV_FN(name, nsp, tr)                                                                     \
  static PyObject *py_##name(PyObject *self, PyObject *args, PyObject *kwds) {                     \
    (void)self;                                                                                    \
    return conv_nd(args, kwds, nsp, tr);                                                           \
  }
CONV_FN(conv1d, 1, false)
CONV_FN(conv2d, 2, false)
CONV_FN(conv3d, 3, false)
CONV_FN(conv_transpose1d, 1, true)
CONV_FN(conv_transpose2d, 2, true)
CONV_FN(conv_transpose3d, 3, true)

static PyObject *py_conv_general(PyObject *self, PyObject *args, PyObject *kwds) {
  (void)self;
  static char *kw[] = {"input",          "weight", "stride", "padding", "kernel_dilation",
                       "input_dilation", "groups", "flip",   "stream",  NULL};
  const char *fn = "conv_general";
  PyObject *a, *b, *st = NULL, *pd = NULL, *kd = NULL, *id = NULL, *gr = NULL, *stream = Py_None;
  int flip = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOOOp$O:conv_general", kw, &a, &b, &st, &pd,
                                   &kd, &id, &gr, &flip, &stream))
    return NULL;
  mlx_array x, w;
  int stride[3], lo[3], hi[3], kdil[3], idil[3], groups = 1;
  int ns = 0, nlo = 0, nhi = 0, nkd = 0, nid = 0;
  if (mxpy_array_arg(a, fn, "input", &x) < 0 || mxpy_array_arg(b, fn, "weight", &w) < 0 ||
      (st && dims_arg(st, 0, fn, "stride", stride, &ns) < 0) ||
      (kd && dims_arg(kd, 0, fn, "kernel_dilation", kdil, &nkd) < 0) ||
      (id && dims_arg(id, 0, fn, "input_dilation", idil, &nid) < 0) ||
      (gr && int_arg(gr, fn, "groups", &groups) < 0))
    return NULL;
  if (pd) {
    /* a pair of sequences: low and high padding; else one int or sequence for both */
    if (PyTuple_Check(pd) && PyTuple_GET_SIZE(pd) == 2 &&
        PySequence_Check(PyTuple_GET_ITEM(pd, 0)) && !mxpy_is_int_like(PyTuple_GET_ITEM(pd, 0))) {
      if (dims_arg(PyTuple_GET_ITEM(pd, 0), 0, fn, "padding", lo, &nlo) < 0 ||
          dims_arg(PyTuple_GET_ITEM(pd, 1), 0, fn, "padding", hi, &nhi) < 0)
        return NULL;
    } else if (dims_arg(pd, 0, fn, "padding", lo, &nlo) < 0) {
      return NULL;
    }
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_conv_general(&r, x, w, stride, ns, lo, nlo, hi, nhi, kdil, nkd, idil, nid,
                                 groups, flip, s),
                r, s);
}

/* numpy.convolve: the longer operand is the signal; the kernel is flipped. */
static PyObject *py_convolve(PyObject *self, PyObject *args, PyObject *kwds) {
  (void)self;
  static char *kw[] = {"a", "v", "mode", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  const char *mode = "full";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|s$O:convolve", kw, &a, &b, &mode, &stream))
    return NULL;
  mlx_array x, v;
  if (mxpy_array_arg(a, "convolve", "a", &x) < 0 || mxpy_array_arg(b, "convolve", "v", &v) < 0) return NULL;
  if (mlx_array_ndim(x) != 1 || mlx_array_ndim(v) != 1) {
    PyErr_SetString(PyExc_ValueError, "[convolve] Inputs must be 1D.");
    return NULL;
  }
  if (mlx_array_size(x) < mlx_array_size(v)) {
    mlx_array t = x;
    x = v, v = t;
  }
  int n = (int)mlx_array_size(x), m = (int)mlx_array_size(v), lo, hi;
  if (!strcmp(mode, "full")) {
    lo = hi = m - 1;
  } else if (!strcmp(mode, "same")) {
    hi = (m - 1) / 2;
    lo = m - 1 - hi;
  } else if (!strcmp(mode, "valid")) {
    lo = hi = 0;
  } else {
    PyErr_SetString(PyExc_ValueError, "[convolve] Invalid mode.");
    return NULL;
  }
  (void)n;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array xi = mlx_array_new(), wi = mlx_array_new(), c = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int one = 1;
  int rc = mlx_reshape(&xi, x, (int[]){1, -1, 1}, 3, s);
  if (!rc) rc = mlx_reshape(&wi, v, (int[]){1, -1, 1}, 3, s);
  if (!rc) rc = mlx_conv_general(&c, xi, wi, &one, 1, &lo, 1, &hi, 1, &one, 1, &one, 1, 1, true, s);
  if (!rc) rc = mlx_reshape(&r, c, (int[]){-1}, 1, s);
  mlx_array_free(xi), mlx_array_free(wi), mlx_array_free(c);
  return mxpy_finish(rc, r, s);
}

static PyMethodDef conv_methods[] = {
    {"conv1d", KW py_conv1d, METH_VARARGS | METH_KEYWORDS,
     "1D convolution (input NLC, weight OKC)."},
    {"conv2d", KW py_conv2d, METH_VARARGS | METH_KEYWORDS,
     "2D convolution (input NHWC, weight OHWI)."},
    {"conv3d", KW py_conv3d, METH_VARARGS | METH_KEYWORDS,
     "3D convolution (input NDHWC, weight ODHWI)."},
    {"conv_transpose1d", KW py_conv_transpose1d, METH_VARARGS | METH_KEYWORDS,
     "1D transposed convolution."},
    {"conv_transpose2d", KW py_conv_transpose2d, METH_VARARGS | METH_KEYWORDS,
     "2D transposed convolution."},
    {"conv_transpose3d", KW py_conv_transpose3d, METH_VARARGS | METH_KEYWORDS,
     "3D transposed convolution."},
    {"conv_general", KW py_conv_general, METH_VARARGS | METH_KEYWORDS,
     "General convolution: strides, low/high padding, kernel and input dilation, groups, flip."},
    {"convolve", KW py_convolve, METH_VARARGS | METH_KEYWORDS,
     "The discrete convolution of 1D arrays (mode 'full', 'same' or 'valid')."},
    {NULL, NULL, 0, NULL}};

int mxpy_conv_init(PyObject *m) {
  return PyModule_AddFunctions(m, conv_methods);
}
