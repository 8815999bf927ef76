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

/* Stands for an array leaf in a skeleton (a tree kept for its structure only). */
static PyObject *array_slot;

static bool is_array_leaf(PyObject *o) {
  return mxpy_Array_Check(o) || (array_slot && o == array_slot);
}

/* A copy of tree with each array leaf (or slot) replaced by leaf(ctx); other leaves shared. */
static PyObject *tree_map(PyObject *tree, PyObject *(*leaf)(void *ctx), void *ctx) {
  if (is_array_leaf(tree)) return leaf(ctx);
  bool list = PyList_Check(tree), tuple = PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (!list && !tuple && !dict) return Py_NewRef(tree);
  if (Py_EnterRecursiveCall(" while rebuilding a tree")) return NULL;
  PyObject *out = NULL;
  if (dict) {
    out = PyDict_New();
    PyObject *key, *value;
    Py_ssize_t i = 0;
    while (out && PyDict_Next(tree, &i, &key, &value)) {
      PyObject *r = tree_map(value, leaf, ctx);
      if (!r || PyDict_SetItem(out, key, r) < 0) Py_CLEAR(out);
      Py_XDECREF(r);
    }
  } else {
    Py_ssize_t n = PySequence_Size(tree);
    out = list ? PyList_New(n) : PyTuple_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
      PyObject *item = list ? PyList_GET_ITEM(tree, i) : PyTuple_GET_ITEM(tree, i);
      PyObject *r = tree_map(item, leaf, ctx);
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

typedef struct {
  mlx_vector_array v;
  size_t *pos;
} replace_ctx;

static PyObject *next_array(void *ctx) {
  replace_ctx *r = ctx;
  if (*r->pos >= mlx_vector_array_size(r->v)) {
    PyErr_SetString(PyExc_ValueError, "[tree] Fewer arrays than the tree's leaves.");
    return NULL;
  }
  mlx_array a = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_vector_array_get(&a, r->v, (*r->pos)++)) < 0) {
    mlx_array_free(a);
    return NULL;
  }
  return mxpy_array_wrap(a);
}

PyObject *mxpy_tree_replace(PyObject *tree, mlx_vector_array v, size_t *pos) {
  replace_ctx ctx = {v, pos};
  return tree_map(tree, next_array, &ctx);
}

static PyObject *slot(void *ctx) {
  (void)ctx;
  return Py_NewRef(array_slot);
}

PyObject *mxpy_tree_skeleton(PyObject *tree) {
  if (!array_slot && !(array_slot = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type)))
    return NULL;
  return tree_map(tree, slot, NULL);
}
