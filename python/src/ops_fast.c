/* mlx.core.fast: rms_norm, layer_norm, rope, scaled_dot_product_attention (mlx-c's fast.h), and
 * cross_entropy (the real MLX's, composed here from mlx-c ops).
 * Array arguments must be mx.array (TypeError otherwise); optional ones may be None. */
#include "mlxpy.h"

#include <string.h>

#include "mlx/c/fast.h"

#define KW (PyCFunction)(void (*)(void))

/* An array argument (none_ok: None gives an empty handle). */
static int arr_arg(PyObject *o, const char *fname, const char *what, bool none_ok,
                   mlx_array *out) {
  if (none_ok && o == Py_None) {
    out->ctx = NULL;
    return 0;
  }
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an mlx.core.array%s, got %.200s.", fname, what,
                 none_ok ? " or None" : "", Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

static int float_arg(PyObject *o, const char *fname, const char *what, float *out) {
  double d = PyFloat_AsDouble(o);
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s(): %s must be a float, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = (float)d;
  return 0;
}

/* A keyword-only argument without a default. */
static int required(PyObject *o, const char *fname, const char *what) {
  if (o) return 0;
  PyErr_Format(PyExc_TypeError, "%s() missing required keyword argument '%s'", fname, what);
  return -1;
}

static PyObject *f_rms_norm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"x", "weight", "eps", "stream", NULL};
  PyObject *xo, *wo, *eo, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|$O:rms_norm", kwlist, &xo, &wo, &eo, &stream))
    return NULL;
  mlx_array x, w;
  float eps;
  if (arr_arg(xo, "rms_norm", "x", false, &x) < 0 || arr_arg(wo, "rms_norm", "weight", true, &w) < 0 ||
      float_arg(eo, "rms_norm", "eps", &eps) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_fast_rms_norm(&r, x, w, eps, s), r, s);
}

static PyObject *f_layer_norm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"x", "weight", "bias", "eps", "stream", NULL};
  PyObject *xo, *wo, *bo, *eo, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO|$O:layer_norm", kwlist, &xo, &wo, &bo, &eo,
                                   &stream))
    return NULL;
  mlx_array x, w, b;
  float eps;
  if (arr_arg(xo, "layer_norm", "x", false, &x) < 0 ||
      arr_arg(wo, "layer_norm", "weight", true, &w) < 0 ||
      arr_arg(bo, "layer_norm", "bias", true, &b) < 0 ||
      float_arg(eo, "layer_norm", "eps", &eps) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_fast_layer_norm(&r, x, w, b, eps, s), r, s);
}

static PyObject *f_rope(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a",     "dims",   "traditional", "base", "scale",
                           "offset", "freqs", "stream",      NULL};
  PyObject *ao, *to = NULL, *bo = NULL, *so = NULL, *oo = NULL, *fo = Py_None, *stream = Py_None;
  int dims;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oi|$OOOOOO:rope", kwlist, &ao, &dims, &to, &bo,
                                   &so, &oo, &fo, &stream) ||
      required(to, "rope", "traditional") < 0 || required(bo, "rope", "base") < 0 ||
      required(so, "rope", "scale") < 0 || required(oo, "rope", "offset") < 0)
    return NULL;
  int trad = PyObject_IsTrue(to);
  if (trad < 0) return NULL;
  mlx_array x, fr, off = {NULL};
  mlx_optional_float base = {0.0f, bo != Py_None};
  float scale;
  int ioff = 0;
  if (arr_arg(ao, "rope", "a", false, &x) < 0 || arr_arg(fo, "rope", "freqs", true, &fr) < 0 ||
      float_arg(so, "rope", "scale", &scale) < 0 ||
      (base.has_value && float_arg(bo, "rope", "base", &base.value) < 0))
    return NULL;
  if (mxpy_Array_Check(oo)) {
    off = MXPY_ARR(oo);
  } else if (PyLong_Check(oo) && !PyBool_Check(oo)) {
    long v = PyLong_AsLong(oo);
    if (v == -1 && PyErr_Occurred()) return NULL;
    ioff = (int)v;
  } else {
    PyErr_Format(PyExc_TypeError, "rope(): offset must be an int or an mlx.core.array, got %.200s.",
                 Py_TYPE(oo)->tp_name);
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = off.ctx ? mlx_fast_rope_dynamic(&r, x, dims, trad, base, scale, off, fr, s)
                   : mlx_fast_rope(&r, x, dims, trad, base, scale, ioff, fr, s);
  return mxpy_finish(st, r, s);
}

static PyObject *f_sdpa(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"q", "k", "v", "scale", "mask", "sinks", "force_fused", "stream", NULL};
  PyObject *qo, *ko, *vo, *so = NULL, *mo = Py_None, *sko = Py_None, *ff = Py_None,
                          *stream = Py_None;
  const char *fn = "scaled_dot_product_attention";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|$OOOOO:scaled_dot_product_attention", kwlist,
                                   &qo, &ko, &vo, &so, &mo, &sko, &ff, &stream) ||
      required(so, fn, "scale") < 0)
    return NULL;
  mlx_array q, k, v, sinks, mask = {NULL};
  float scale;
  if (arr_arg(qo, fn, "q", false, &q) < 0 || arr_arg(ko, fn, "k", false, &k) < 0 ||
      arr_arg(vo, fn, "v", false, &v) < 0 || arr_arg(sko, fn, "sinks", true, &sinks) < 0 ||
      float_arg(so, fn, "scale", &scale) < 0)
    return NULL;
  const char *mode = "";
  if (PyUnicode_Check(mo)) {
    mode = PyUnicode_AsUTF8(mo);
    if (!mode) return NULL;
    if (!*mode) {
      PyErr_SetString(PyExc_ValueError, "[scaled_dot_product_attention] invalid mask option ''. "
                                        "Must be 'causal', or an array.");
      return NULL;
    }
  } else if (mo != Py_None) {
    if (arr_arg(mo, fn, "mask", true, &mask) < 0) return NULL;
    mode = "array";
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_fast_scaled_dot_product_attention(&r, q, k, v, scale, mode, mask, sinks, s), r,
                s);
}

/* cross_entropy: logsumexp(logits, -1) - logits[..., target], over the logits in float32: a
 * float32 result, as the real MLX's, accumulated in float32 as its fused kernels do (its CPU
 * fallback reduces 16-bit logits in their own dtype). Targets must be integers of logits' shape
 * without the last axis; their range is not checked (as in MLX). */
static PyObject *f_cross_entropy(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"logits", "targets", "stream", NULL};
  PyObject *lo, *to, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:cross_entropy", kwlist, &lo, &to, &stream))
    return NULL;
  mlx_array l, t;
  if (arr_arg(lo, "cross_entropy", "logits", false, &l) < 0 ||
      arr_arg(to, "cross_entropy", "targets", false, &t) < 0)
    return NULL;
  mlx_dtype ld = mlx_array_dtype(l), td = mlx_array_dtype(t);
  if (!mxpy_is_floating(ld)) {
    PyErr_Format(PyExc_ValueError, "[cross_entropy] Received unsupported logits type %s.",
                 mxpy_dtype_name(ld));
    return NULL;
  }
  if (!mxpy_is_integral(td)) {
    PyErr_Format(PyExc_ValueError,
                 "[cross_entropy] targets must be integer class indices but got %s.",
                 mxpy_dtype_name(td));
    return NULL;
  }
  size_t nd = mlx_array_ndim(l);
  bool match = nd >= 1 && mlx_array_ndim(t) == nd - 1;
  for (size_t i = 0; match && i + 1 < nd; i++)
    match = mlx_array_dim(t, (int)i) == mlx_array_dim(l, (int)i);
  if (!match) {
    PyErr_SetString(PyExc_ValueError,
                    "[cross_entropy] targets shape does not match logits shape with the last axis "
                    "removed.");
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array x = mlx_array_new(), lse = mlx_array_new(), ti = mlx_array_new(),
            pick = mlx_array_new(), pick1 = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_astype(&x, l, MLX_FLOAT32, s);
  if (!st) st = mlx_logsumexp_axis(&lse, x, -1, false, s);
  if (!st) st = mlx_expand_dims(&ti, t, -1, s);
  if (!st) st = mlx_take_along_axis(&pick, x, ti, -1, s);
  if (!st) st = mlx_squeeze_axis(&pick1, pick, -1, s);
  if (!st) st = mlx_subtract(&r, lse, pick1, s);
  mlx_array_free(x);
  mlx_array_free(lse);
  mlx_array_free(ti);
  mlx_array_free(pick);
  mlx_array_free(pick1);
  return mxpy_finish(st, r, s);
}

static PyMethodDef fast_methods[] = {
    {"cross_entropy", KW f_cross_entropy, METH_VARARGS | METH_KEYWORDS,
     "cross_entropy(logits: array, targets: array, *, stream: StreamOrDevice = None) -> array\n\n"
     "Cross entropy with class indices as targets: logsumexp(logits, axis=-1) minus the target's "
     "logit, computed in float32."},
    {"rms_norm", KW f_rms_norm, METH_VARARGS | METH_KEYWORDS,
     "rms_norm(x: array, weight: array | None, eps: float, *, stream: StreamOrDevice = None) -> "
     "array\n\nRoot mean square normalization over the last axis, optionally scaled by weight."},
    {"layer_norm", KW f_layer_norm, METH_VARARGS | METH_KEYWORDS,
     "layer_norm(x: array, weight: array | None, bias: array | None, eps: float, *, stream: "
     "StreamOrDevice = None) -> array\n\nLayer normalization over the last axis."},
    {"rope", KW f_rope, METH_VARARGS | METH_KEYWORDS,
     "rope(a: array, dims: int, *, traditional: bool, base: float | None, scale: float, offset: "
     "int | array, freqs: array | None = None, stream: StreamOrDevice = None) -> array\n\n"
     "Rotary positional encoding of the first dims features along the second to last axis."},
    {"scaled_dot_product_attention", KW f_sdpa, METH_VARARGS | METH_KEYWORDS,
     "scaled_dot_product_attention(q: array, k: array, v: array, *, scale: float, mask: None | "
     "str | array = None, sinks: array | None = None, force_fused: bool = False, stream: "
     "StreamOrDevice = None) -> array\n\nsoftmax(scale * q @ k.T + mask) @ v with grouped "
     "key / value heads."},
    {NULL, NULL, 0, NULL}};

int mxpy_fast_init(PyObject *m) {
  return mxpy_add_submodule(m, "fast", "mlx.core.fast", fast_methods, "Fused operations.");
}
