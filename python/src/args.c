/* Argument helpers shared by the op bindings. */
#include "mlxpy.h"

PyObject *mxpy_finish(int status, mlx_array r, mlx_stream s) {
  mlx_stream_free(s);
  if (mxpy_check_op(status) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

PyObject *mxpy_finish_n(int status, mlx_array *r, int n, bool tuple, mlx_stream s) {
  mlx_stream_free(s);
  if (mxpy_check_op(status) < 0) {
    for (int i = 0; i < n; i++) mlx_array_free(r[i]);
    return NULL;
  }
  if (!tuple) return mxpy_array_wrap(r[0]);
  PyObject *t = PyTuple_New(n);
  for (int i = 0; i < n; i++) {
    PyObject *o = t ? mxpy_array_wrap(r[i]) : (mlx_array_free(r[i]), NULL);
    if (t && !o) Py_CLEAR(t);
    if (t) PyTuple_SET_ITEM(t, i, o);
  }
  return t;
}

int mxpy_array_arg(PyObject *o, const char *fname, const char *what, mlx_array *out) {
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an mlx.core.array, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

int mxpy_opt_array_arg(PyObject *o, const char *fname, const char *what, mlx_array *out) {
  if (!o || o == Py_None) {
    out->ctx = NULL;
    return 0;
  }
  return mxpy_array_arg(o, fname, what, out);
}
