/* mlx.core: eval and async_eval over pytrees (nested list / tuple / dict) of arrays. */
#include "mlxpy.h"

static PyObject *do_eval(PyObject *args, bool async) {
  mlx_vector_array v = mlx_vector_array_new();
  if (mxpy_tree_flatten(args, v) < 0) {
    mlx_vector_array_free(v);
    return NULL;
  }
  int st;
  mxpy_error_clear();
  Py_BEGIN_ALLOW_THREADS st = async ? mlx_async_eval(v) : mlx_eval(v);
  Py_END_ALLOW_THREADS mlx_vector_array_free(v);
  if (mxpy_check_eval(st) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *f_eval(PyObject *m, PyObject *args) {
  (void)m;
  return do_eval(args, false);
}

static PyObject *f_async_eval(PyObject *m, PyObject *args) {
  (void)m;
  return do_eval(args, true);
}

PyMethodDef mxpy_transforms_methods[] = {
    {"eval", f_eval, METH_VARARGS,
     "eval(*args) -> None\n\nEvaluate each array in args (arrays or trees of arrays)."},
    {"async_eval", f_async_eval, METH_VARARGS,
     "async_eval(*args)\n\nStart evaluating the arrays in args without waiting."},
    {NULL, NULL, 0, NULL},
};
