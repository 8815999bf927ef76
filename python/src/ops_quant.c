/* mlx.core: the quantization family (issue 6): quantize, dequantize, quantized_matmul,
 * gather_qmm, qqmm, to_fp8, from_fp8. Array arguments must be mx.array (TypeError otherwise). */
#include "mlxpy.h"

#include <string.h>

#define KW (PyCFunction)(void (*)(void))

static int opt_int_arg(PyObject *o, const char *fname, const char *what, mlx_optional_int *out) {
  out->has_value = false;
  out->value = 0;
  if (!o || o == Py_None) return 0;
  if (PyBool_Check(o) || !mxpy_is_int_like(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an int or None, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  long v = PyLong_AsLong(o);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < -1000000 || v > 1000000) {
    PyErr_Format(PyExc_ValueError, "[%s] The requested %s %ld is not supported.", fname, what, v);
    return -1;
  }
  out->value = (int)v;
  out->has_value = true;
  return 0;
}

static PyObject *f_quantize(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "group_size", "bits", "mode", "global_scale", "stream", NULL};
  PyObject *wo, *gso = Py_None, *bo = Py_None, *go = Py_None, *so = Py_None;
  const char *mode = "affine";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOs$OO:quantize", kwlist, &wo, &gso, &bo, &mode,
                                   &go, &so))
    return NULL;
  mlx_array w, g;
  mlx_optional_int gs, bits;
  if (mxpy_array_arg(wo, "quantize", "w", &w) < 0 ||
      mxpy_opt_array_arg(go, "quantize", "global_scale", &g) < 0 ||
      opt_int_arg(gso, "quantize", "group size", &gs) < 0 ||
      opt_int_arg(bo, "quantize", "number of bits", &bits) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_vector_array v = mlx_vector_array_new();
  mxpy_error_clear();
  int st = mlx_quantize(&v, w, gs, bits, mode, g, s);
  mlx_stream_free(s);
  if (mxpy_check_op(st) < 0) {
    mlx_vector_array_free(v);
    return NULL;
  }
  size_t n = mlx_vector_array_size(v);
  PyObject *t = PyTuple_New((Py_ssize_t)n);
  for (size_t i = 0; t && i < n; i++) {
    mlx_array a = mlx_array_new();
    mlx_vector_array_get(&a, v, i);
    PyObject *o = mxpy_array_wrap(a);
    if (!o) {
      Py_CLEAR(t);
      break;
    }
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, o);
  }
  mlx_vector_array_free(v);
  return t;
}

static PyObject *f_dequantize(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"",     "scales",       "biases", "group_size", "bits",
                           "mode", "global_scale", "dtype",  "stream",     NULL};
  PyObject *wo, *sco, *bo = Py_None, *gso = Py_None, *bito = Py_None, *go = Py_None,
                      *dto = Py_None, *so = Py_None;
  const char *mode = "affine";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOsOO$O:dequantize", kwlist, &wo, &sco, &bo,
                                   &gso, &bito, &mode, &go, &dto, &so))
    return NULL;
  mlx_array w, sc, b, g;
  mlx_optional_int gs, bits;
  mlx_optional_dtype dt = {0};
  bool has = false;
  if (mxpy_array_arg(wo, "dequantize", "w", &w) < 0 || mxpy_array_arg(sco, "dequantize", "scales", &sc) < 0 ||
      mxpy_opt_array_arg(bo, "dequantize", "biases", &b) < 0 ||
      mxpy_opt_array_arg(go, "dequantize", "global_scale", &g) < 0 ||
      opt_int_arg(gso, "dequantize", "group size", &gs) < 0 ||
      opt_int_arg(bito, "dequantize", "number of bits", &bits) < 0 ||
      mxpy_dtype_arg(dto, true, "dequantize", &dt.value, &has) < 0)
    return NULL;
  dt.has_value = has;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_dequantize(&r, w, sc, b, gs, bits, mode, g, dt, s), r, s);
}

static PyObject *f_quantized_matmul(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "scales", "biases", "transpose", "group_size", "bits", "mode",
                           "stream", NULL};
  PyObject *xo, *wo, *sco, *bo = Py_None, *gso = Py_None, *bito = Py_None, *so = Py_None;
  int transpose = 1;
  const char *mode = "affine";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|OpOOs$O:quantized_matmul", kwlist, &xo, &wo,
                                   &sco, &bo, &transpose, &gso, &bito, &mode, &so))
    return NULL;
  const char *f = "quantized_matmul";
  mlx_array x, w, sc, b;
  mlx_optional_int gs, bits;
  if (mxpy_array_arg(xo, f, "x", &x) < 0 || mxpy_array_arg(wo, f, "w", &w) < 0 ||
      mxpy_array_arg(sco, f, "scales", &sc) < 0 || mxpy_opt_array_arg(bo, f, "biases", &b) < 0 ||
      opt_int_arg(gso, f, "group size", &gs) < 0 || opt_int_arg(bito, f, "number of bits", &bits) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_quantized_matmul(&r, x, w, sc, b, transpose, gs, bits, mode, s), r, s);
}

static PyObject *f_gather_qmm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"",     "",           "scales",         "biases", "lhs_indices",
                           "rhs_indices", "transpose", "group_size", "bits", "mode",
                           "sorted_indices", "stream", NULL};
  PyObject *xo, *wo, *sco, *bo = Py_None, *lo = Py_None, *ro = Py_None, *gso = Py_None,
                           *bito = Py_None, *so = Py_None;
  int transpose = 1, sorted = 0;
  const char *mode = "affine";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|OOOpOOs$pO:gather_qmm", kwlist, &xo, &wo, &sco,
                                   &bo, &lo, &ro, &transpose, &gso, &bito, &mode, &sorted, &so))
    return NULL;
  const char *f = "gather_qmm";
  mlx_array x, w, sc, b, li, ri;
  mlx_optional_int gs, bits;
  if (mxpy_array_arg(xo, f, "x", &x) < 0 || mxpy_array_arg(wo, f, "w", &w) < 0 ||
      mxpy_array_arg(sco, f, "scales", &sc) < 0 || mxpy_opt_array_arg(bo, f, "biases", &b) < 0 ||
      mxpy_opt_array_arg(lo, f, "lhs_indices", &li) < 0 ||
      mxpy_opt_array_arg(ro, f, "rhs_indices", &ri) < 0 || opt_int_arg(gso, f, "group size", &gs) < 0 ||
      opt_int_arg(bito, f, "number of bits", &bits) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(
      mlx_gather_qmm(&r, x, w, sc, b, li, ri, transpose, gs, bits, mode, sorted, s), r, s);
}

static PyObject *f_qqmm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"x",    "w",              "scales",         "group_size", "bits",
                           "mode", "global_scale_x", "global_scale_w", "stream",     NULL};
  PyObject *xo, *wo, *sco = Py_None, *gso = Py_None, *bito = Py_None, *gx = Py_None,
                     *gw = Py_None, *so = Py_None;
  const char *mode = "nvfp4";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOsOO$O:qqmm", kwlist, &xo, &wo, &sco, &gso,
                                   &bito, &mode, &gx, &gw, &so))
    return NULL;
  const char *f = "qqmm";
  mlx_array x, w, sc, ax, aw;
  mlx_optional_int gs, bits;
  if (mxpy_array_arg(xo, f, "x", &x) < 0 || mxpy_array_arg(wo, f, "w", &w) < 0 ||
      mxpy_opt_array_arg(sco, f, "scales", &sc) < 0 || mxpy_opt_array_arg(gx, f, "global_scale_x", &ax) < 0 ||
      mxpy_opt_array_arg(gw, f, "global_scale_w", &aw) < 0 ||
      opt_int_arg(gso, f, "group size", &gs) < 0 || opt_int_arg(bito, f, "number of bits", &bits) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_qqmm(&r, x, w, sc, gs, bits, mode, ax, aw, s);
  mlx_stream_free(s);
  /* MLX's CPU fails when evaluating it: RuntimeError. */
  if (st) {
    mlx_array_free(r);
    mxpy_check_eval(st);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyObject *f_to_fp8(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "stream", NULL};
  PyObject *xo, *so = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:to_fp8", kwlist, &xo, &so)) return NULL;
  mlx_array x;
  if (mxpy_array_arg(xo, "to_fp8", "x", &x) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_to_fp8(&r, x, s), r, s);
}

static PyObject *f_from_fp8(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "dtype", "stream", NULL};
  PyObject *xo, *dto = Py_None, *so = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:from_fp8", kwlist, &xo, &dto, &so))
    return NULL;
  mlx_array x;
  mlx_dtype dt = MLX_BFLOAT16;
  bool has = false;
  if (mxpy_array_arg(xo, "from_fp8", "x", &x) < 0 || mxpy_dtype_arg(dto, true, "from_fp8", &dt, &has) < 0)
    return NULL;
  if (!has) dt = MLX_BFLOAT16;
  mlx_stream s;
  if (mxpy_stream_arg(so, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_from_fp8(&r, x, dt, s), r, s);
}

static PyMethodDef quant_methods[] = {
    {"quantize", KW f_quantize, METH_VARARGS | METH_KEYWORDS,
     "quantize(w, /, group_size=None, bits=None, mode='affine', *, global_scale=None, stream=None)"},
    {"dequantize", KW f_dequantize, METH_VARARGS | METH_KEYWORDS,
     "dequantize(w, /, scales, biases=None, group_size=None, bits=None, mode='affine', "
     "global_scale=None, dtype=None, *, stream=None)"},
    {"quantized_matmul", KW f_quantized_matmul, METH_VARARGS | METH_KEYWORDS,
     "quantized_matmul(x, w, /, scales, biases=None, transpose=True, group_size=None, bits=None, "
     "mode='affine', *, stream=None)"},
    {"gather_qmm", KW f_gather_qmm, METH_VARARGS | METH_KEYWORDS,
     "gather_qmm(x, w, /, scales, biases=None, lhs_indices=None, rhs_indices=None, "
     "transpose=True, group_size=None, bits=None, mode='affine', *, sorted_indices=False, "
     "stream=None)"},
    {"qqmm", KW f_qqmm, METH_VARARGS | METH_KEYWORDS,
     "qqmm(x, w, scales=None, group_size=None, bits=None, mode='nvfp4', global_scale_x=None, "
     "global_scale_w=None, *, stream=None)"},
    {"to_fp8", KW f_to_fp8, METH_VARARGS | METH_KEYWORDS, "to_fp8(x, *, stream=None)"},
    {"from_fp8", KW f_from_fp8, METH_VARARGS | METH_KEYWORDS,
     "from_fp8(x, dtype=bfloat16, *, stream=None)"},
    {NULL, NULL, 0, NULL}};

int mxpy_quant_init(PyObject *m) {
  return PyModule_AddFunctions(m, quant_methods);
}
