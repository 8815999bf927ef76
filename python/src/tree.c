/* mlx.core: pytrees (nested list / tuple / dict with array leaves). Flattening and replacing
 * walk a tree in the same order (sequences in order, dicts in insertion order), so a flat list
 * of arrays maps back onto the tree it came from. Other leaves stay as they are. */
#include "mlxpy.h"

int mxpy_tree_flatten(PyObject *tree, mlx_vector_array v) {
  if (mxpy_Array_Check(tree)) {
    mxpy_error_clear();
    return mxpy_check_op(mlx_vector_array_append_value(v, MXPY_ARR(tree)));
  }
  bool seq = PyList_Check(tree) || PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (!seq && !dict) return 0;
  PyObject *items = dict ? PyDict_Values(tree) : PySequence_Fast(tree, "");
  if (!items) return -1;
  if (Py_EnterRecursiveCall(" while flattening a tree")) {
    Py_DECREF(items);
    return -1;
  }
  int rc = 0;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(items);
  for (Py_ssize_t i = 0; i < n && rc == 0; i++)
    rc = mxpy_tree_flatten(PySequence_Fast_GET_ITEM(items, i), v);
  Py_LeaveRecursiveCall();
  Py_DECREF(items);
  return rc;
}

PyObject *mxpy_tree_replace(PyObject *tree, mlx_vector_array v, size_t *pos) {
  if (mxpy_Array_Check(tree)) {
    if (*pos >= mlx_vector_array_size(v)) {
      PyErr_SetString(PyExc_ValueError, "[tree] Fewer arrays than the tree's leaves.");
      return NULL;
    }
    mlx_array a = mlx_array_new();
    mxpy_error_clear();
    if (mxpy_check_op(mlx_vector_array_get(&a, v, (*pos)++)) < 0) {
      mlx_array_free(a);
      return NULL;
    }
    return mxpy_array_wrap(a);
  }
  bool list = PyList_Check(tree), tuple = PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (!list && !tuple && !dict) {
    Py_INCREF(tree);
    return tree;
  }
  if (Py_EnterRecursiveCall(" while rebuilding a tree")) return NULL;
  PyObject *out = NULL;
  if (dict) {
    out = PyDict_New();
    PyObject *key, *value;
    Py_ssize_t i = 0;
    while (out && PyDict_Next(tree, &i, &key, &value)) {
      PyObject *r = mxpy_tree_replace(value, v, pos);
      if (!r || PyDict_SetItem(out, key, r) < 0) Py_CLEAR(out);
      Py_XDECREF(r);
    }
  } else {
    Py_ssize_t n = PySequence_Size(tree);
    out = list ? PyList_New(n) : PyTuple_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
      PyObject *item = list ? PyList_GET_ITEM(tree, i) : PyTuple_GET_ITEM(tree, i);
      PyObject *r = mxpy_tree_replace(item, v, pos);
      if (!r) {
        Py_CLEAR(out);
        break;
      }
      if (list) PyList_SET_ITEM(out, i, r);
      else PyTuple_SET_ITEM(out, i, r);
    }
  }
  Py_LeaveRecursiveCall();
  return out;
}
