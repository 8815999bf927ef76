/* mlx.core: eval and async_eval over pytrees (nested list / tuple / dict) of arrays. */
#include "mlxpy.h"

/* Appends every array leaf of tree to v; other leaves are ignored. */
static int collect(PyObject *tree, mlx_vector_array v) {
  if (mxpy_Array_Check(tree)) {
    mxpy_error_clear();
    return mxpy_check_op(mlx_vector_array_append_value(v, MXPY_ARR(tree)));
  }
  if (PyList_Check(tree) || PyTuple_Check(tree)) {
    PyObject *seq = PySequence_Fast(tree, "");
    if (!seq) return -1;
    if (Py_EnterRecursiveCall(" while collecting arrays")) {
      Py_DECREF(seq);
      return -1;
    }
    int rc = 0;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n && rc == 0; i++) rc = collect(PySequence_Fast_GET_ITEM(seq, i), v);
    Py_LeaveRecursiveCall();
    Py_DECREF(seq);
    return rc;
  }
  if (PyDict_Check(tree)) {
    PyObject *vals = PyDict_Values(tree);
    if (!vals) return -1;
    int rc = collect(vals, v);
    Py_DECREF(vals);
    return rc;
  }
  return 0;
}

static PyObject *do_eval(PyObject *args, bool async) {
  mlx_vector_array v = mlx_vector_array_new();
  if (collect(args, v) < 0) {
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
