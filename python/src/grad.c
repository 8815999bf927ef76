/* mlx.core: grad, value_and_grad, vjp, jvp, vmap.
 *
 * Each transform flattens the arguments it differentiates (or maps) into a vector of arrays,
 * wraps the Python function in an mlx_closure that rebuilds the arguments from such a vector,
 * calls the function and flattens what it returns, and hands the closure to the C API. A Python
 * exception raised inside the function makes the closure fail; it is re-raised as it was. */
#include "mlxpy.h"

/* ------------------------------------------------------------------ calling Python */

/* What a closure needs to call the Python function on a flat vector of arrays: the call's
 * arguments, the differentiated (or mapped) objects among them and where they go. */
typedef struct {
  PyObject *fun, *args, *kwargs; /* args: tuple; kwargs: dict or NULL */
  PyObject *slots;               /* tuple: int positions, then str keyword names */
  PyObject *values;              /* tuple of the objects at those slots (trees of arrays) */
  PyObject *out_tree;            /* the last call's return value */
  bool scalar_first;             /* value_and_grad: the first output must be a scalar array */
} call_state;

static void call_state_clear(call_state *c) {
  Py_CLEAR(c->args);
  Py_CLEAR(c->kwargs);
  Py_CLEAR(c->slots);
  Py_CLEAR(c->values);
  Py_CLEAR(c->out_tree);
}

/* The arguments with the slots' values replaced by trees rebuilt from `in`. */
static int rebuild_args(call_state *c, const mlx_vector_array in, PyObject **args,
                        PyObject **kwargs) {
  size_t pos = 0;
  PyObject *vals = mxpy_tree_replace(c->values, in, &pos);
  if (!vals) return -1;
  *args = PySequence_List(c->args);
  *kwargs = c->kwargs ? PyDict_Copy(c->kwargs) : PyDict_New();
  int rc = (*args && *kwargs) ? 0 : -1;
  for (Py_ssize_t i = 0; rc == 0 && i < PyTuple_GET_SIZE(c->slots); i++) {
    PyObject *slot = PyTuple_GET_ITEM(c->slots, i), *v = PyTuple_GET_ITEM(vals, i);
    Py_INCREF(v);
    if (PyLong_Check(slot)) rc = PyList_SetItem(*args, PyLong_AsSsize_t(slot), v);
    else {
      rc = PyDict_SetItem(*kwargs, slot, v);
      Py_DECREF(v);
    }
  }
  Py_DECREF(vals);
  if (rc == 0) {
    PyObject *t = PyList_AsTuple(*args);
    Py_SETREF(*args, t);
    if (!t) rc = -1;
  }
  if (rc) {
    Py_CLEAR(*args);
    Py_CLEAR(*kwargs);
  }
  return rc;
}

static int check_scalar_first(PyObject *out) {
  PyObject *first = out;
  if ((PyTuple_Check(out) || PyList_Check(out)) && PySequence_Size(out) > 0)
    first = PySequence_GetItem(out, 0), Py_DECREF(first); /* borrowed through out */
  if (!mxpy_Array_Check(first)) {
    PyErr_Format(PyExc_ValueError,
                 "[value_and_grad] The return value of the function whose gradient we want to "
                 "compute should be either a scalar array or a tuple with the first value being a "
                 "scalar array (Union[array, Tuple[array, Any, ...]]); but %.200s was returned.",
                 Py_TYPE(out)->tp_name);
    return -1;
  }
  if (mlx_array_size(MXPY_ARR(first)) != 1) {
    PyErr_SetString(PyExc_ValueError,
                    "[value_and_grad] The return value of the function whose gradient we want to "
                    "compute should be a scalar array; but an array with more than one element "
                    "was returned.");
    return -1;
  }
  return 0;
}

/* The mlx_closure body: fun(*args, **kwargs) with rebuilt arguments, outputs flattened. */
static int call_python(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  call_state *c = payload;
  PyObject *args, *kwargs;
  if (rebuild_args(c, in, &args, &kwargs) < 0) return 1;
  PyObject *out = PyObject_Call(c->fun, args, kwargs);
  Py_DECREF(args);
  Py_DECREF(kwargs);
  if (!out) return 1;
  if (c->scalar_first && check_scalar_first(out) < 0) {
    Py_DECREF(out);
    return 1;
  }
  Py_XSETREF(c->out_tree, out);
  mlx_vector_array flat = mlx_vector_array_new();
  int rc = mxpy_tree_flatten(out, flat) < 0 || mlx_vector_array_set(res, flat);
  mlx_vector_array_free(flat);
  return rc;
}

/* A failed transform: the Python exception from inside the function, else the library's. */
static PyObject *transform_failed(void) {
  if (!PyErr_Occurred()) mxpy_raise_lib(PyExc_ValueError);
  return NULL;
}

/* ------------------------------------------------------------------ the transformed function */

typedef enum { T_GRAD, T_VALUE_AND_GRAD, T_VMAP } transform_kind;

typedef struct {
  PyObject_HEAD transform_kind kind;
  PyObject *fun;
  PyObject *argnums;  /* tuple of ints */
  bool argnums_int;   /* argnums was a single int: return that gradient alone */
  PyObject *argnames; /* tuple of str */
  PyObject *in_axes, *out_axes; /* vmap */
} transformed;

static int tr_traverse(PyObject *self, visitproc visit, void *arg) {
  transformed *t = (transformed *)self;
  Py_VISIT(t->fun);
  Py_VISIT(t->argnums);
  Py_VISIT(t->argnames);
  Py_VISIT(t->in_axes);
  Py_VISIT(t->out_axes);
  return 0;
}

static int tr_clear(PyObject *self) {
  transformed *t = (transformed *)self;
  Py_CLEAR(t->fun);
  Py_CLEAR(t->argnums);
  Py_CLEAR(t->argnames);
  Py_CLEAR(t->in_axes);
  Py_CLEAR(t->out_axes);
  return 0;
}

static void tr_dealloc(PyObject *self) {
  PyObject_GC_UnTrack(self);
  tr_clear(self);
  Py_TYPE(self)->tp_free(self);
}

/* Slots (positions then names) and the objects there, checked against the call. */
static int gather_slots(transformed *t, PyObject *args, PyObject *kwargs, call_state *c) {
  const char *op = t->kind == T_GRAD ? "grad" : "value_and_grad";
  Py_ssize_t na = PyTuple_GET_SIZE(t->argnums), nk = PyTuple_GET_SIZE(t->argnames);
  c->slots = PyTuple_New(na + nk);
  c->values = PyTuple_New(na + nk);
  if (!c->slots || !c->values) return -1;
  for (Py_ssize_t i = 0; i < na; i++) {
    PyObject *num = PyTuple_GET_ITEM(t->argnums, i);
    Py_ssize_t k = PyLong_AsSsize_t(num);
    if (k >= PyTuple_GET_SIZE(args)) {
      PyErr_Format(PyExc_ValueError,
                   "[%s] Can't compute the gradient of argument index %zd because the function is "
                   "called with only %zd positional arguments.",
                   op, k, PyTuple_GET_SIZE(args));
      return -1;
    }
    PyObject *v = PyTuple_GET_ITEM(args, k);
    Py_INCREF(num), Py_INCREF(v);
    PyTuple_SET_ITEM(c->slots, i, num);
    PyTuple_SET_ITEM(c->values, i, v);
  }
  for (Py_ssize_t i = 0; i < nk; i++) {
    PyObject *name = PyTuple_GET_ITEM(t->argnames, i);
    PyObject *v = kwargs ? PyDict_GetItemWithError(kwargs, name) : NULL;
    if (!v) {
      if (!PyErr_Occurred())
        PyErr_Format(PyExc_ValueError,
                     "[%s] Can't compute the gradient of keyword argument '%U' because the "
                     "function is called with the following keyword arguments %R.",
                     op, name, kwargs ? kwargs : Py_None);
      return -1;
    }
    Py_INCREF(name), Py_INCREF(v);
    PyTuple_SET_ITEM(c->slots, na + i, name);
    PyTuple_SET_ITEM(c->values, na + i, v);
  }
  return 0;
}

/* The gradients in MLX's shape: one tree for an int argnums, a tuple for a sequence, and with
 * argnames a pair (positional gradients, {name: gradient}). */
static PyObject *shape_grads(transformed *t, PyObject *grads) {
  Py_ssize_t na = PyTuple_GET_SIZE(t->argnums), nk = PyTuple_GET_SIZE(t->argnames);
  PyObject *pos = t->argnums_int ? PyTuple_GetItem(grads, 0) : PyTuple_GetSlice(grads, 0, na);
  if (!pos) return NULL;
  if (t->argnums_int) Py_INCREF(pos);
  if (nk == 0) return pos;
  PyObject *named = PyDict_New();
  for (Py_ssize_t i = 0; named && i < nk; i++)
    if (PyDict_SetItem(named, PyTuple_GET_ITEM(t->argnames, i), PyTuple_GET_ITEM(grads, na + i)))
      Py_CLEAR(named);
  if (!named) return Py_DECREF(pos), NULL;
  return Py_BuildValue("(NN)", pos, named);
}

static PyObject *call_value_and_grad(transformed *t, PyObject *args, PyObject *kwargs) {
  call_state c = {.fun = t->fun, .scalar_first = true};
  c.args = Py_NewRef(args);
  c.kwargs = kwargs ? Py_NewRef(kwargs) : NULL;
  PyObject *result = NULL;
  mlx_vector_array inputs = mlx_vector_array_new(), values = mlx_vector_array_new(),
                   grads = mlx_vector_array_new();
  mlx_closure fun = mlx_closure_new_func_payload(call_python, &c, NULL);
  mlx_closure_value_and_grad vg = mlx_closure_value_and_grad_new();
  if (gather_slots(t, args, kwargs, &c) < 0 || mxpy_tree_flatten(c.values, inputs) < 0) goto done;
  size_t n = mlx_vector_array_size(inputs);
  int *argnums = PyMem_Malloc((n ? n : 1) * sizeof *argnums);
  if (!argnums) {
    PyErr_NoMemory();
    goto done;
  }
  for (size_t i = 0; i < n; i++) argnums[i] = (int)i;
  mxpy_error_clear();
  int st = mlx_value_and_grad(&vg, fun, argnums, n);
  PyMem_Free(argnums);
  if (st == 0 && n == 0) {
    /* Nothing to differentiate: the value alone, with empty gradients. */
    st = mlx_closure_apply(&values, fun, inputs);
  } else if (st == 0) {
    st = mlx_closure_value_and_grad_apply(&values, &grads, vg, inputs);
  }
  if (st) {
    transform_failed();
    goto done;
  }
  size_t pos = 0;
  PyObject *value = mxpy_tree_replace(c.out_tree, values, &pos);
  pos = 0;
  PyObject *g = n ? mxpy_tree_replace(c.values, grads, &pos) : Py_NewRef(c.values);
  PyObject *shaped = g ? shape_grads(t, g) : NULL;
  Py_XDECREF(g);
  if (value && shaped) {
    result = t->kind == T_GRAD ? Py_NewRef(shaped) : PyTuple_Pack(2, value, shaped);
  }
  Py_XDECREF(value);
  Py_XDECREF(shaped);
done:
  mlx_closure_value_and_grad_free(vg);
  mlx_closure_free(fun);
  mlx_vector_array_free(inputs);
  mlx_vector_array_free(values);
  mlx_vector_array_free(grads);
  call_state_clear(&c);
  return result;
}

/* ---- vmap ---- */

/* Appends one axis per array leaf of tree: the axes object is an int or None for the whole tree,
 * or a tree of the same structure. ndim normalizes negative axes. */
static int leaf_axes(PyObject *tree, PyObject *axes, mxpy_ints *out, size_t *count) {
  if (mxpy_Array_Check(tree)) {
    int axis = -1;
    if (axes != Py_None) {
      if (!PyLong_Check(axes)) {
        PyErr_SetString(PyExc_ValueError, "[vmap] in_axes must be an int, None, or a tree of them "
                                          "matching the arguments.");
        return -1;
      }
      axis = (int)PyLong_AsLong(axes);
      int ndim = (int)mlx_array_ndim(MXPY_ARR(tree));
      if (axis < -ndim || axis >= ndim) {
        PyErr_Format(PyExc_ValueError, "[vmap] Invalid vmap axis %d for input with %d dimensions.",
                     axis, ndim);
        return -1;
      }
      if (axis < 0) axis += ndim;
    }
    if (mxpy_ints_reserve(out, *count + 1) < 0) return -1;
    out->data[(*count)++] = axis;
    out->n = *count;
    return 0;
  }
  bool seq = PyList_Check(tree) || PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (!seq && !dict) return 0;
  bool per_item = axes != Py_None && !PyLong_Check(axes);
  PyObject *items = dict ? PyDict_Values(tree) : PySequence_Fast(tree, "");
  PyObject *keys = dict ? PyDict_Keys(tree) : NULL;
  if (!items || (dict && !keys)) {
    Py_XDECREF(items);
    Py_XDECREF(keys);
    return -1;
  }
  if (per_item && dict && !PyDict_Check(axes)) {
    PyErr_SetString(PyExc_ValueError, "[vmap] The in_axes tree does not match the arguments.");
    Py_DECREF(items);
    Py_DECREF(keys);
    return -1;
  }
  int rc = 0;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(items);
  if (per_item && !dict && (!(PyList_Check(axes) || PyTuple_Check(axes)) || PySequence_Size(axes) != n)) {
    PyErr_SetString(PyExc_ValueError, "[vmap] The in_axes tree does not match the arguments.");
    rc = -1;
  }
  for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
    PyObject *sub = axes;
    if (per_item) {
      sub = dict ? PyDict_GetItem(axes, PyList_GET_ITEM(keys, i)) : PySequence_GetItem(axes, i);
      if (!sub) {
        if (!PyErr_Occurred())
          PyErr_SetString(PyExc_ValueError, "[vmap] The in_axes tree does not match the arguments.");
        rc = -1;
        break;
      }
      if (!dict) Py_DECREF(sub); /* still owned by axes */
    }
    rc = leaf_axes(PySequence_Fast_GET_ITEM(items, i), sub, out, count);
  }
  Py_DECREF(items);
  Py_XDECREF(keys);
  return rc;
}

static PyObject *call_vmap(transformed *t, PyObject *args, PyObject *kwargs) {
  if (kwargs && PyDict_Size(kwargs) > 0) {
    PyErr_SetString(PyExc_ValueError, "[vmap] The vmapped function does not take keyword arguments.");
    return NULL;
  }
  call_state c = {.fun = t->fun};
  c.args = Py_NewRef(args);
  Py_ssize_t nargs = PyTuple_GET_SIZE(args);
  PyObject *result = NULL;
  mxpy_ints in_axes, out_axes;
  mxpy_ints_init(&in_axes);
  mxpy_ints_init(&out_axes);
  mlx_vector_array inputs = mlx_vector_array_new(), s_in = mlx_vector_array_new(),
                   s_out = mlx_vector_array_new(), outs = mlx_vector_array_new();
  mlx_closure fun = mlx_closure_new_func_payload(call_python, &c, NULL);
  c.slots = PyTuple_New(nargs);
  for (Py_ssize_t i = 0; c.slots && i < nargs; i++) PyTuple_SET_ITEM(c.slots, i, PyLong_FromSsize_t(i));
  c.values = Py_NewRef(args);
  size_t count = 0;
  PyObject *axes = t->in_axes;
  if (!c.slots) goto done;
  if (PyTuple_Check(axes) || PyList_Check(axes)) {
    if (PySequence_Size(axes) != nargs) {
      PyErr_Format(PyExc_ValueError, "[vmap] The number of in_axes (%zd) must match the number of "
                                     "positional arguments (%zd).",
                   PySequence_Size(axes), nargs);
      goto done;
    }
  }
  if (leaf_axes(args, axes, &in_axes, &count) < 0 || mxpy_tree_flatten(args, inputs) < 0) goto done;
  mxpy_error_clear();
  if (mlx_detail_vmap_trace(&s_in, &s_out, fun, inputs, in_axes.data, count)) {
    transform_failed();
    goto done;
  }
  size_t nout = mlx_vector_array_size(s_out);
  if (PyLong_Check(t->out_axes)) {
    if (mxpy_ints_reserve(&out_axes, 1) < 0) goto done;
    out_axes.data[0] = (int)PyLong_AsLong(t->out_axes);
    out_axes.n = 1;
  } else if (mxpy_ints_from(t->out_axes, false, "out_axes", &out_axes) < 0) {
    goto done;
  }
  if (out_axes.n != 1 && out_axes.n != nout) {
    PyErr_Format(PyExc_ValueError, "[vmap] out_axes has %zu entries for %zu outputs.", out_axes.n, nout);
    goto done;
  }
  if (mlx_detail_vmap_replace(&outs, inputs, s_in, s_out, in_axes.data, count, out_axes.data,
                              out_axes.n)) {
    transform_failed();
    goto done;
  }
  size_t pos = 0;
  result = mxpy_tree_replace(c.out_tree, outs, &pos);
done:
  mxpy_ints_free(&in_axes);
  mxpy_ints_free(&out_axes);
  mlx_vector_array_free(inputs);
  mlx_vector_array_free(s_in);
  mlx_vector_array_free(s_out);
  mlx_vector_array_free(outs);
  mlx_closure_free(fun);
  call_state_clear(&c);
  return result;
}

static PyObject *tr_call(PyObject *self, PyObject *args, PyObject *kwargs) {
  transformed *t = (transformed *)self;
  return t->kind == T_VMAP ? call_vmap(t, args, kwargs) : call_value_and_grad(t, args, kwargs);
}

static PyTypeObject transformed_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.TransformedFunction",
    .tp_basicsize = sizeof(transformed),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_call = tr_call,
    .tp_traverse = tr_traverse,
    .tp_clear = tr_clear,
    .tp_dealloc = tr_dealloc,
    .tp_doc = "A function transformed by mlx.core.grad, value_and_grad or vmap.",
};

static PyObject *make_transformed(transform_kind kind, PyObject *fun) {
  if (!PyCallable_Check(fun)) {
    PyErr_SetString(PyExc_TypeError, "The function to transform must be callable.");
    return NULL;
  }
  if (PyType_Ready(&transformed_type) < 0) return NULL;
  transformed *t = PyObject_GC_New(transformed, &transformed_type);
  if (!t) return NULL;
  t->kind = kind;
  t->fun = Py_NewRef(fun);
  t->argnums = t->argnames = t->in_axes = t->out_axes = NULL;
  t->argnums_int = false;
  PyObject_GC_Track(t);
  return (PyObject *)t;
}

/* grad / value_and_grad(fun, argnums=None, argnames=[]) */
static PyObject *make_grad(transform_kind kind, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"fun", "argnums", "argnames", NULL};
  PyObject *fun, *argnums = Py_None, *argnames = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO", kwlist, &fun, &argnums, &argnames))
    return NULL;
  transformed *t = (transformed *)make_transformed(kind, fun);
  if (!t) return NULL;
  if (!argnames || argnames == Py_None) t->argnames = PyTuple_New(0);
  else if (PyUnicode_Check(argnames)) t->argnames = PyTuple_Pack(1, argnames);
  else t->argnames = PySequence_Tuple(argnames);
  if (!t->argnames) goto fail;
  if (argnums == Py_None) {
    t->argnums_int = PyTuple_GET_SIZE(t->argnames) == 0;
    t->argnums = t->argnums_int ? Py_BuildValue("(i)", 0) : PyTuple_New(0);
  } else if (PyLong_Check(argnums)) {
    t->argnums_int = true;
    t->argnums = PyTuple_Pack(1, argnums);
  } else {
    t->argnums = PySequence_Tuple(argnums);
  }
  if (!t->argnums) goto fail;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t->argnums); i++) {
    PyObject *a = PyTuple_GET_ITEM(t->argnums, i);
    long v = PyLong_Check(a) ? PyLong_AsLong(a) : -1;
    if (v < 0) {
      PyErr_SetString(PyExc_ValueError, "[grad] argnums must be non-negative integers.");
      goto fail;
    }
    for (Py_ssize_t j = 0; j < i; j++)
      if (PyLong_AsLong(PyTuple_GET_ITEM(t->argnums, j)) == v) {
        PyErr_Format(PyExc_ValueError, "[grad] Duplicate argument index %ld in argnums.", v);
        goto fail;
      }
  }
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t->argnames); i++)
    if (!PyUnicode_Check(PyTuple_GET_ITEM(t->argnames, i))) {
      PyErr_SetString(PyExc_ValueError, "[grad] argnames must be strings.");
      goto fail;
    }
  if (PyTuple_GET_SIZE(t->argnums) + PyTuple_GET_SIZE(t->argnames) == 0) {
    PyErr_SetString(PyExc_ValueError, "[grad] Gradient wrt no argument requested.");
    goto fail;
  }
  return (PyObject *)t;
fail:
  Py_DECREF(t);
  return NULL;
}

static PyObject *f_grad(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return make_grad(T_GRAD, args, kwds);
}

static PyObject *f_value_and_grad(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return make_grad(T_VALUE_AND_GRAD, args, kwds);
}

static PyObject *f_vmap(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"fun", "in_axes", "out_axes", NULL};
  PyObject *fun, *in_axes = NULL, *out_axes = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO", kwlist, &fun, &in_axes, &out_axes))
    return NULL;
  transformed *t = (transformed *)make_transformed(T_VMAP, fun);
  if (!t) return NULL;
  t->in_axes = in_axes ? Py_NewRef(in_axes) : PyLong_FromLong(0);
  t->out_axes = out_axes ? Py_NewRef(out_axes) : PyLong_FromLong(0);
  if (!t->in_axes || !t->out_axes) return Py_DECREF(t), NULL;
  return (PyObject *)t;
}

/* ------------------------------------------------------------------ vjp, jvp */

typedef int (*seed_transform)(mlx_vector_array *, mlx_vector_array *, const mlx_closure,
                              const mlx_vector_array, const mlx_vector_array);

/* vjp / jvp(fun, primals, seeds) -> (outputs, derivatives), both lists. */
static PyObject *seeded(const char *name, seed_transform tf, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"fun", "primals", "seeds", NULL};
  PyObject *fun, *primals, *seeds;
  kwlist[2] = (char *)(tf == mlx_vjp ? "cotangents" : "tangents");
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO", kwlist, &fun, &primals, &seeds)) return NULL;
  bool primals_seq = PyList_Check(primals) || PyTuple_Check(primals);
  if (!PyCallable_Check(fun) || !primals_seq || !(PyList_Check(seeds) || PyTuple_Check(seeds))) {
    PyErr_Format(PyExc_TypeError, "%s(fun, primals, %s): fun must be callable and the others "
                                  "lists (or tuples) of arrays.",
                 name, kwlist[2]);
    return NULL;
  }
  call_state c = {.fun = fun};
  PyObject *result = NULL;
  Py_ssize_t n = PySequence_Size(primals);
  c.args = PySequence_Tuple(primals);
  c.values = Py_NewRef(c.args);
  c.slots = PyTuple_New(n);
  for (Py_ssize_t i = 0; c.slots && i < n; i++) PyTuple_SET_ITEM(c.slots, i, PyLong_FromSsize_t(i));
  mlx_vector_array p = mlx_vector_array_new(), s = mlx_vector_array_new(),
                   outs = mlx_vector_array_new(), derivs = mlx_vector_array_new();
  mlx_closure cl = mlx_closure_new_func_payload(call_python, &c, NULL);
  if (!c.args || !c.slots) goto done;
  for (Py_ssize_t i = 0; i < n; i++)
    if (!mxpy_Array_Check(PyTuple_GET_ITEM(c.args, i))) {
      PyErr_Format(PyExc_TypeError, "%s: primals must be arrays.", name);
      goto done;
    }
  if (mxpy_tree_flatten(primals, p) < 0 || mxpy_tree_flatten(seeds, s) < 0) goto done;
  mxpy_error_clear();
  if (tf(&outs, &derivs, cl, p, s)) {
    transform_failed();
    goto done;
  }
  PyObject *o = PyList_New(0), *d = PyList_New(0);
  for (size_t i = 0; o && i < mlx_vector_array_size(outs); i++) {
    mlx_array a = mlx_array_new();
    mlx_vector_array_get(&a, outs, i);
    PyObject *w = mxpy_array_wrap(a);
    if (!w || PyList_Append(o, w)) Py_CLEAR(o);
    Py_XDECREF(w);
  }
  for (size_t i = 0; d && i < mlx_vector_array_size(derivs); i++) {
    mlx_array a = mlx_array_new();
    mlx_vector_array_get(&a, derivs, i);
    PyObject *w = mxpy_array_wrap(a);
    if (!w || PyList_Append(d, w)) Py_CLEAR(d);
    Py_XDECREF(w);
  }
  if (o && d) result = PyTuple_Pack(2, o, d);
  Py_XDECREF(o);
  Py_XDECREF(d);
done:
  mlx_vector_array_free(p);
  mlx_vector_array_free(s);
  mlx_vector_array_free(outs);
  mlx_vector_array_free(derivs);
  mlx_closure_free(cl);
  call_state_clear(&c);
  return result;
}

static PyObject *f_vjp(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return seeded("vjp", mlx_vjp, args, kwds);
}

static PyObject *f_jvp(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return seeded("jvp", mlx_jvp, args, kwds);
}

#define KW (PyCFunction)(void (*)(void))

PyMethodDef mxpy_grad_methods[] = {
    {"grad", KW f_grad, METH_VARARGS | METH_KEYWORDS,
     "grad(fun, argnums=None, argnames=[])\n\nA function computing the gradient of fun."},
    {"value_and_grad", KW f_value_and_grad, METH_VARARGS | METH_KEYWORDS,
     "value_and_grad(fun, argnums=None, argnames=[])\n\nA function returning (fun(...), grads)."},
    {"vjp", KW f_vjp, METH_VARARGS | METH_KEYWORDS,
     "vjp(fun, primals, cotangents)\n\nOutputs of fun and the vector-Jacobian products."},
    {"jvp", KW f_jvp, METH_VARARGS | METH_KEYWORDS,
     "jvp(fun, primals, tangents)\n\nOutputs of fun and the Jacobian-vector products."},
    {"vmap", KW f_vmap, METH_VARARGS | METH_KEYWORDS,
     "vmap(fun, in_axes=0, out_axes=0)\n\nfun mapped over an axis of its inputs."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ custom_function, checkpoint */

/* mx.custom_function(fun), with .vjp / .jvp / .vmap decorators, and mx.checkpoint(fun). Calls
 * flatten the positional arguments; the user's rules see them rebuilt as trees. */
typedef struct {
  PyObject_HEAD PyObject *fun, *vjp, *jvp, *vmap;
  bool checkpoint;
} custom_fn;

/* What the closures of one call need, shared by them (refs): the rules' owner and the call's
 * trees. The rules may run long after the call returns (a gradient taken later through the
 * graph), so this lives until the graph's last reference to the closures goes, possibly on an
 * evaluation thread: the destructor takes the GIL. */
typedef struct {
  int refs;
  custom_fn *owner;
  call_state *call;
  call_state storage;
} rule_state;

static rule_state *rule_state_ref(rule_state *r) {
  r->refs++; /* changed with the GIL held, or from the destructor under it */
  return r;
}

static void rule_state_release(void *payload) {
  rule_state *r = payload;
  PyGILState_STATE g = PyGILState_Ensure();
  if (--r->refs == 0) {
    call_state_clear(&r->storage);
    Py_XDECREF(r->owner);
    PyMem_RawFree(r);
  }
  PyGILState_Release(g);
}

/* A tuple of the positional arguments rebuilt from a flat vector. */
static PyObject *rebuild_primals(rule_state *r, const mlx_vector_array v) {
  size_t pos = 0;
  return mxpy_tree_replace(r->call->args, v, &pos);
}

static PyObject *rebuild_outputs(rule_state *r, const mlx_vector_array v) {
  size_t pos = 0;
  return mxpy_tree_replace(r->call->out_tree, v, &pos);
}

/* Flattens a rule's result into res; a single array stands for a one-element tuple. */
static int rule_result(PyObject *out, mlx_vector_array *res) {
  if (!out) return 1;
  mlx_vector_array flat = mlx_vector_array_new();
  int rc = mxpy_tree_flatten(out, flat) < 0 || mlx_vector_array_set(res, flat);
  mlx_vector_array_free(flat);
  Py_DECREF(out);
  return rc;
}

static int py_custom_vjp(mlx_vector_array *res, const mlx_vector_array primals,
                         const mlx_vector_array cotangents, const mlx_vector_array outputs,
                         void *payload) {
  rule_state *r = payload;
  PyObject *p = rebuild_primals(r, primals), *c = rebuild_outputs(r, cotangents),
           *o = rebuild_outputs(r, outputs), *out = NULL;
  if (p && c && o) out = PyObject_CallFunctionObjArgs(r->owner->vjp, p, c, o, NULL);
  Py_XDECREF(p), Py_XDECREF(c), Py_XDECREF(o);
  return rule_result(out, res);
}

static int py_custom_jvp(mlx_vector_array *res, const mlx_vector_array primals,
                         const mlx_vector_array tangents, const int *argnums, size_t nargs,
                         void *payload) {
  rule_state *r = payload;
  PyObject *p = rebuild_primals(r, primals), *t = PyTuple_New((Py_ssize_t)nargs), *out = NULL;
  for (size_t i = 0; p && t && i < nargs; i++) {
    mlx_array a = mlx_array_new();
    mlx_vector_array_get(&a, tangents, i);
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, mxpy_array_wrap(a));
  }
  (void)argnums;
  if (p && t) out = PyObject_CallFunctionObjArgs(r->owner->jvp, p, t, NULL);
  Py_XDECREF(p), Py_XDECREF(t);
  return rule_result(out, res);
}

static int py_custom_vmap(mlx_vector_array *res, mlx_vector_int *res_axes,
                          const mlx_vector_array inputs, const int *axes, size_t n,
                          void *payload) {
  rule_state *r = payload;
  PyObject *in = rebuild_primals(r, inputs), *ax = PyTuple_New((Py_ssize_t)n), *out = NULL;
  for (size_t i = 0; ax && i < n; i++)
    PyTuple_SET_ITEM(ax, (Py_ssize_t)i, axes[i] < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(axes[i]));
  if (in && ax) out = PyObject_CallFunctionObjArgs(r->owner->vmap, in, ax, NULL);
  Py_XDECREF(in), Py_XDECREF(ax);
  if (!out) return 1;
  PyObject *outs, *out_axes;
  if (!PyArg_ParseTuple(out, "OO", &outs, &out_axes)) {
    Py_DECREF(out);
    return 1;
  }
  mlx_vector_int va = mlx_vector_int_new();
  PyObject *axes_seq = PySequence_Check(out_axes) ? PySequence_Fast(out_axes, "") : NULL;
  Py_ssize_t k = axes_seq ? PySequence_Fast_GET_SIZE(axes_seq) : 1;
  for (Py_ssize_t i = 0; i < k; i++) {
    PyObject *a = axes_seq ? PySequence_Fast_GET_ITEM(axes_seq, i) : out_axes;
    mlx_vector_int_append_value(va, a == Py_None ? -1 : (int)PyLong_AsLong(a));
  }
  Py_XDECREF(axes_seq);
  mlx_vector_int_set(res_axes, va);
  mlx_vector_int_free(va);
  int rc = PyErr_Occurred() ? 1 : rule_result(Py_NewRef(outs), res);
  Py_DECREF(out);
  return rc;
}

static int call_python_shared(mlx_vector_array *res, const mlx_vector_array in, void *payload);

static PyObject *custom_call(PyObject *self, PyObject *args, PyObject *kwargs) {
  custom_fn *cf = (custom_fn *)self;
  if (kwargs && PyDict_Size(kwargs) > 0) {
    PyErr_SetString(PyExc_ValueError, "[custom_function] Keyword arguments are not supported.");
    return NULL;
  }
  rule_state *r = PyMem_RawCalloc(1, sizeof *r);
  if (!r) return PyErr_NoMemory();
  r->refs = 1;
  r->owner = (custom_fn *)Py_NewRef(self);
  r->call = &r->storage;
  call_state *c = r->call;
  Py_ssize_t nargs = PyTuple_GET_SIZE(args);
  c->fun = cf->fun;
  /* The rules outlive the call (they sit in the graph): keep the arguments' structure only, so
   * the graph does not keep every checkpointed layer's input alive. */
  c->args = mxpy_tree_skeleton(args);
  c->values = Py_XNewRef(c->args);
  c->slots = PyTuple_New(nargs);
  for (Py_ssize_t i = 0; c->slots && i < nargs; i++)
    PyTuple_SET_ITEM(c->slots, i, PyLong_FromSsize_t(i));
  mlx_closure fun = mlx_closure_new_func_payload(call_python_shared, rule_state_ref(r),
                                                 rule_state_release),
              custom = mlx_closure_new();
  mlx_closure_custom vjp =
      cf->vjp ? mlx_closure_custom_new_func_payload(py_custom_vjp, rule_state_ref(r),
                                                    rule_state_release)
              : mlx_closure_custom_new();
  mlx_closure_custom_jvp jvp =
      cf->jvp ? mlx_closure_custom_jvp_new_func_payload(py_custom_jvp, rule_state_ref(r),
                                                        rule_state_release)
              : mlx_closure_custom_jvp_new();
  mlx_closure_custom_vmap vmap =
      cf->vmap ? mlx_closure_custom_vmap_new_func_payload(py_custom_vmap, rule_state_ref(r),
                                                          rule_state_release)
               : mlx_closure_custom_vmap_new();
  mlx_vector_array inputs = mlx_vector_array_new(), outs = mlx_vector_array_new();
  PyObject *result = NULL;
  if (!c->args || !c->slots || mxpy_tree_flatten(args, inputs) < 0) goto done;
  mxpy_error_clear();
  int st = cf->checkpoint ? mlx_checkpoint(&custom, fun)
                          : mlx_custom_function(&custom, fun, vjp, jvp, vmap);
  if (!st) st = mlx_closure_apply(&outs, custom, inputs);
  if (st) {
    transform_failed();
    goto done;
  }
  size_t pos = 0;
  result = mxpy_tree_replace(c->out_tree, outs, &pos);
done:
  mlx_vector_array_free(inputs);
  mlx_vector_array_free(outs);
  mlx_closure_free(fun), mlx_closure_free(custom);
  mlx_closure_custom_free(vjp), mlx_closure_custom_jvp_free(jvp);
  mlx_closure_custom_vmap_free(vmap);
  rule_state_release(r);
  return result;
}

/* call_python through a shared rule_state. */
static int call_python_shared(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  call_state *c = ((rule_state *)payload)->call;
  int rc = call_python(res, in, c);
  if (!rc && c->out_tree) { /* structure only, as for the arguments */
    PyObject *skeleton = mxpy_tree_skeleton(c->out_tree);
    if (!skeleton) return 1;
    Py_SETREF(c->out_tree, skeleton);
  }
  return rc;
}

static int cf_traverse(PyObject *self, visitproc visit, void *arg) {
  custom_fn *cf = (custom_fn *)self;
  Py_VISIT(cf->fun);
  Py_VISIT(cf->vjp);
  Py_VISIT(cf->jvp);
  Py_VISIT(cf->vmap);
  return 0;
}

static int cf_clear(PyObject *self) {
  custom_fn *cf = (custom_fn *)self;
  Py_CLEAR(cf->fun);
  Py_CLEAR(cf->vjp);
  Py_CLEAR(cf->jvp);
  Py_CLEAR(cf->vmap);
  return 0;
}

static void cf_dealloc(PyObject *self) {
  PyObject_GC_UnTrack(self);
  cf_clear(self);
  Py_TYPE(self)->tp_free(self);
}

/* f.vjp / f.jvp / f.vmap: decorators that set the rule and return it. */
static PyObject *set_rule(PyObject *self, PyObject *fn, size_t offset) {
  if (!PyCallable_Check(fn)) {
    PyErr_SetString(PyExc_TypeError, "[custom_function] The rule must be callable.");
    return NULL;
  }
  PyObject **slot = (PyObject **)((char *)self + offset);
  Py_XSETREF(*slot, Py_NewRef(fn));
  return Py_NewRef(fn);
}

static PyObject *cf_set_vjp(PyObject *self, PyObject *fn) {
  return set_rule(self, fn, offsetof(custom_fn, vjp));
}
static PyObject *cf_set_jvp(PyObject *self, PyObject *fn) {
  return set_rule(self, fn, offsetof(custom_fn, jvp));
}
static PyObject *cf_set_vmap(PyObject *self, PyObject *fn) {
  return set_rule(self, fn, offsetof(custom_fn, vmap));
}

static PyMethodDef cf_methods[] = {
    {"vjp", cf_set_vjp, METH_O, "Set the vjp: f(primals, cotangents, outputs) -> gradients."},
    {"jvp", cf_set_jvp, METH_O, "Set the jvp: f(primals, tangents) -> output tangents."},
    {"vmap", cf_set_vmap, METH_O, "Set the vmap: f(inputs, axes) -> (outputs, out_axes)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject custom_fn_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.custom_function",
    .tp_basicsize = sizeof(custom_fn),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_call = custom_call,
    .tp_traverse = cf_traverse,
    .tp_clear = cf_clear,
    .tp_dealloc = cf_dealloc,
    .tp_methods = cf_methods,
    .tp_doc = "custom_function(fun): fun with transforms set by the .vjp, .jvp, .vmap decorators.",
};

static PyObject *new_custom(PyObject *fun, bool checkpoint) {
  if (!PyCallable_Check(fun)) {
    PyErr_SetString(PyExc_TypeError, "The function must be callable.");
    return NULL;
  }
  if (PyType_Ready(&custom_fn_type) < 0) return NULL;
  custom_fn *cf = PyObject_GC_New(custom_fn, &custom_fn_type);
  if (!cf) return NULL;
  cf->fun = Py_NewRef(fun);
  cf->vjp = cf->jvp = cf->vmap = NULL;
  cf->checkpoint = checkpoint;
  PyObject_GC_Track(cf);
  return (PyObject *)cf;
}

/* custom_function is the type itself (as MLX): custom_function(fun) makes an instance. */
static PyObject *custom_type_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  (void)type;
  static char *kwlist[] = {"f", NULL};
  PyObject *fun;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:custom_function", kwlist, &fun)) return NULL;
  return new_custom(fun, false);
}

int mxpy_custom_init(PyObject *m) {
  custom_fn_type.tp_new = custom_type_new;
  if (PyType_Ready(&custom_fn_type) < 0) return -1;
  return PyModule_AddObjectRef(m, "custom_function", (PyObject *)&custom_fn_type);
}

static PyObject *f_checkpoint(PyObject *m, PyObject *fun) {
  (void)m;
  return new_custom(fun, true);
}

PyMethodDef mxpy_custom_methods[] = {
    {"checkpoint", f_checkpoint, METH_O,
     "checkpoint(fun)\n\nfun whose gradient recomputes its intermediates."},
    {NULL, NULL, 0, NULL},
};
