/* mlx.core: compile, disable_compile, enable_compile.
 *
 * mx.compile(fun, inputs=None, outputs=None, shapeless=False) returns a callable. A call flattens
 * its arguments into arrays plus a structure key (the containers, and the non-array leaves as
 * constants: numbers, strings, None). Each structure gets a small id; per id there is one
 * mlx_detail_compile closure (function id = this object, constants = [id]), so the C library's
 * cache decides when to retrace (new structure, dtype or shape). The traced Python call
 * rebuilds the arguments around the placeholders: lists, tuples and dicts are rebuilt, dict
 * subclasses (nn.Module) are updated in place for the call and restored, so a model passed as
 * an argument still behaves as a model (MLX turns it into a plain dict and fails). `inputs=`
 * state trees are read at every call (their arrays are extra inputs, swapped in place during a
 * trace); `outputs=` state trees are flattened after the function ran (extra outputs) and their
 * array leaves are overwritten in place with the results of every call. */
#include "mlxpy.h"

typedef struct {
  PyObject_HEAD PyObject *fun, *inputs, *outputs; /* state trees or Py_None */
  bool shapeless;
  PyObject *structure_ids; /* structure key -> int id */
  PyObject *closures;      /* int id -> capsule holding the compiled mlx_closure */
  PyObject *skeletons;     /* (id, input signature) -> (output skeleton, number of outputs) */
  /* the call in progress (read by the traced function) */
  PyObject *args, *kwargs, *signature;
} compiled_fn;

/* ------------------------------------------------------------------ structure */

static PyObject *array_marker; /* stands for an array leaf in a structure key */

/* A hashable description of tree: containers and constants; arrays as array_marker. */
static PyObject *structure_of(PyObject *tree) {
  if (mxpy_Array_Check(tree)) return Py_NewRef(array_marker);
  if (tree == Py_None || PyBool_Check(tree) || PyLong_Check(tree) || PyFloat_Check(tree) ||
      PyUnicode_Check(tree))
    return Py_BuildValue("(OO)", (PyObject *)Py_TYPE(tree), tree);
  bool list = PyList_Check(tree), tuple = PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (!list && !tuple && !dict) {
    PyErr_Format(PyExc_ValueError,
                 "[compile] Function arguments must be trees of arrays or constants (floats, "
                 "ints, strings, or None), but received type %.200s.",
                 Py_TYPE(tree)->tp_name);
    return NULL;
  }
  if (Py_EnterRecursiveCall(" in compile")) return NULL;
  Py_ssize_t n = dict ? PyDict_Size(tree) : PySequence_Size(tree), i = 0;
  PyObject *parts = PyTuple_New(n + 1), *key, *value;
  if (parts) PyTuple_SET_ITEM(parts, 0, Py_NewRef((PyObject *)Py_TYPE(tree)));
  for (Py_ssize_t k = 1; parts && k <= n; k++) {
    PyObject *part;
    if (dict) {
      PyDict_Next(tree, &i, &key, &value);
      PyObject *s = structure_of(value);
      part = s ? Py_BuildValue("(ON)", key, s) : NULL;
    } else {
      part = structure_of(list ? PyList_GET_ITEM(tree, k - 1) : PyTuple_GET_ITEM(tree, k - 1));
    }
    if (!part) Py_CLEAR(parts);
    else PyTuple_SET_ITEM(parts, k, part);
  }
  Py_LeaveRecursiveCall();
  return parts;
}

/* ------------------------------------------------------------------ in-place trees */

/* Walks tree in flattening order; each array leaf becomes v[*pos] (pos advances). Lists, tuples
 * and plain dicts are rebuilt; dict subclasses are updated in place, their old values recorded
 * in undo as (object, key, old value) so the caller can restore them. in_place also updates
 * lists, plain dicts and mx.random.state in place (state trees). Returns the rebuilt tree. */
static PyObject *swap_leaves(PyObject *tree, mlx_vector_array v, size_t *pos, PyObject *undo,
                             bool in_place) {
  if (mxpy_Array_Check(tree)) {
    mlx_array a = mlx_array_new();
    if (mlx_vector_array_get(&a, v, (*pos)++)) return mxpy_raise_lib(PyExc_ValueError), NULL;
    return mxpy_array_wrap(a);
  }
  bool list = PyList_Check(tree), tuple = PyTuple_Check(tree), dict = PyDict_Check(tree);
  if (in_place && mxpy_random_state_check(tree)) { /* its key is swapped like a list item */
    for (Py_ssize_t i = 0, n = PySequence_Size(tree); i < n; i++) {
      PyObject *item = PySequence_GetItem(tree, i);
      PyObject *r = item ? swap_leaves(item, v, pos, undo, in_place) : NULL;
      PyObject *rec = r && r != item ? Py_BuildValue("(OnO)", tree, i, item) : NULL;
      int rc = !r || (rec && (PyList_Append(undo, rec) < 0 || mxpy_random_state_set(r) < 0));
      Py_XDECREF(rec), Py_XDECREF(r), Py_XDECREF(item);
      if (rc) return NULL;
    }
    return Py_NewRef(tree);
  }
  if (!list && !tuple && !dict) return Py_NewRef(tree);
  bool here = (dict && !PyDict_CheckExact(tree)) || (in_place && !tuple);
  if (Py_EnterRecursiveCall(" in compile")) return NULL;
  PyObject *out = here ? Py_NewRef(tree) : dict ? PyDict_New() : NULL;
  if (!here && !dict) out = list ? PyList_New(PyList_GET_SIZE(tree)) : PyTuple_New(PyTuple_GET_SIZE(tree));
  if (dict && out) {
    PyObject *items = PyDict_Items(tree); /* a snapshot: in-place updates change the dict */
    for (Py_ssize_t i = 0; items && out && i < PyList_GET_SIZE(items); i++) {
      PyObject *key = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 0);
      PyObject *value = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 1);
      PyObject *r = swap_leaves(value, v, pos, undo, in_place);
      int rc = r ? 0 : -1;
      if (!rc && here && r != value) {
        PyObject *rec = Py_BuildValue("(OOO)", tree, key, value);
        rc = rec && PyList_Append(undo, rec) == 0 ? 0 : -1;
        Py_XDECREF(rec);
      }
      if (!rc && (!here || r != value)) rc = PyDict_SetItem(out, key, r);
      Py_XDECREF(r);
      if (rc) Py_CLEAR(out);
    }
    if (!items) Py_CLEAR(out);
    Py_XDECREF(items);
  } else {
    Py_ssize_t n = PySequence_Size(tree);
    for (Py_ssize_t i = 0; out && i < n; i++) {
      PyObject *item = list ? PyList_GET_ITEM(tree, i) : PyTuple_GET_ITEM(tree, i);
      PyObject *r = swap_leaves(item, v, pos, undo, in_place);
      if (!r) {
        Py_CLEAR(out);
      } else if (here) {
        if (r != item) {
          PyObject *rec = Py_BuildValue("(OnO)", tree, i, item);
          if (!rec || PyList_Append(undo, rec) < 0) Py_CLEAR(out);
          Py_XDECREF(rec);
          if (out) PyList_SetItem(out, i, Py_NewRef(r));
        }
        Py_DECREF(r);
      } else if (list) {
        PyList_SET_ITEM(out, i, r);
      } else {
        PyTuple_SET_ITEM(out, i, r);
      }
    }
  }
  Py_LeaveRecursiveCall();
  return out;
}

/* Puts the recorded old values back, last change first. */
static void restore(PyObject *undo) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  for (Py_ssize_t i = PyList_GET_SIZE(undo) - 1; i >= 0; i--) {
    PyObject *rec = PyList_GET_ITEM(undo, i), *obj = PyTuple_GET_ITEM(rec, 0);
    PyObject *key = PyTuple_GET_ITEM(rec, 1), *old = PyTuple_GET_ITEM(rec, 2);
    if (PyDict_Check(obj)) PyDict_SetItem(obj, key, old);
    else if (PyList_Check(obj)) PyList_SetItem(obj, PyLong_AsSsize_t(key), Py_NewRef(old));
    else mxpy_random_state_set(old);
  }
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
}

/* ------------------------------------------------------------------ the traced call */

/* Appends the array leaves of a state tree (Py_None: none) to v, in swap_leaves' order. */
static int flatten_into(PyObject *tree, mlx_vector_array v) {
  if (tree == Py_None || !(PyList_Check(tree) || PyTuple_Check(tree) || PyDict_Check(tree) ||
                           mxpy_random_state_check(tree)))
    return mxpy_tree_flatten(tree, v); /* an array, or a leaf that holds none */
  PyObject *items = PyDict_Check(tree) ? PyDict_Values(tree) : PySequence_List(tree);
  if (!items || Py_EnterRecursiveCall(" in compile")) {
    Py_XDECREF(items);
    return -1;
  }
  int rc = 0;
  for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(items); i++)
    rc = flatten_into(PyList_GET_ITEM(items, i), v);
  Py_LeaveRecursiveCall();
  Py_DECREF(items);
  return rc;
}

/* The closure body: fun(*args, **kwargs) on the given arrays (placeholders while tracing). */
static int call_python(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  compiled_fn *c = payload;
  PyObject *undo = PyList_New(0), *packed = PyTuple_Pack(2, c->args, c->kwargs);
  PyObject *call = NULL, *out = NULL;
  size_t pos = 0;
  if (undo && packed) call = swap_leaves(packed, in, &pos, undo, false);
  Py_XDECREF(packed);
  if (call && c->inputs != Py_None) {
    PyObject *state = swap_leaves(c->inputs, in, &pos, undo, true);
    if (!state) Py_CLEAR(call);
    Py_XDECREF(state);
  }
  if (call) out = PyObject_Call(c->fun, PyTuple_GET_ITEM(call, 0), PyTuple_GET_ITEM(call, 1));
  mlx_vector_array flat = mlx_vector_array_new();
  int rc = out ? 0 : -1;
  if (!rc) rc = mxpy_tree_flatten(out, flat);
  size_t nfun = mlx_vector_array_size(flat);
  if (!rc) rc = flatten_into(c->outputs, flat);
  PyObject *skeleton = rc ? NULL : mxpy_tree_skeleton(out);
  PyObject *entry = skeleton ? Py_BuildValue("(Nn)", skeleton, (Py_ssize_t)nfun) : NULL;
  if (!entry || PyDict_SetItem(c->skeletons, c->signature, entry) < 0) rc = -1;
  if (!rc && mlx_vector_array_set(res, flat)) rc = -1;
  Py_XDECREF(entry);
  mlx_vector_array_free(flat);
  if (undo) restore(undo);
  Py_XDECREF(undo);
  Py_XDECREF(call);
  Py_XDECREF(out);
  return rc ? 1 : 0;
}

/* ------------------------------------------------------------------ the compiled function */

static void closure_capsule_free(PyObject *capsule) {
  mlx_closure *cl = PyCapsule_GetPointer(capsule, "mlx_closure");
  if (cl) mlx_closure_free(*cl), PyMem_Free(cl);
}

/* The compiled closure of structure id (made on first use). */
static mlx_closure *closure_for(compiled_fn *c, PyObject *id) {
  PyObject *cap = PyDict_GetItemWithError(c->closures, id);
  if (cap) return PyCapsule_GetPointer(cap, "mlx_closure");
  if (PyErr_Occurred()) return NULL;
  mlx_closure *cl = PyMem_Malloc(sizeof *cl);
  if (!cl) return PyErr_NoMemory(), NULL;
  *cl = mlx_closure_new();
  mlx_closure fun = mlx_closure_new_func_payload(call_python, c, NULL);
  uint64_t constant = (uint64_t)PyLong_AsLongLong(id);
  mxpy_error_clear();
  int rc = mlx_detail_compile(cl, fun, (uintptr_t)c, c->shapeless, &constant, 1);
  mlx_closure_free(fun);
  if (rc) {
    PyMem_Free(cl);
    return mxpy_raise_lib(PyExc_ValueError), NULL;
  }
  cap = PyCapsule_New(cl, "mlx_closure", closure_capsule_free);
  if (!cap || PyDict_SetItem(c->closures, id, cap) < 0) {
    if (!cap) mlx_closure_free(*cl), PyMem_Free(cl);
    Py_XDECREF(cap);
    return NULL;
  }
  Py_DECREF(cap);
  return cl;
}

/* (id, dtype and shape of every input; shapeless: only the rank): which output skeleton a call's
 * result has. */
static PyObject *signature_of(PyObject *id, mlx_vector_array v, bool shapeless) {
  size_t n = mlx_vector_array_size(v);
  PyObject *sig = PyTuple_New((Py_ssize_t)n + 1);
  if (!sig) return NULL;
  PyTuple_SET_ITEM(sig, 0, Py_NewRef(id));
  for (size_t i = 0; i < n; i++) {
    mlx_array a = mlx_array_new();
    mlx_vector_array_get(&a, v, i);
    size_t nd = mlx_array_ndim(a), nshape = shapeless ? 0 : nd;
    PyObject *t = PyTuple_New((Py_ssize_t)nshape + 2);
    if (!t) {
      mlx_array_free(a);
      Py_DECREF(sig);
      return NULL;
    }
    PyTuple_SET_ITEM(t, 0, PyLong_FromLong((long)mlx_array_dtype(a)));
    PyTuple_SET_ITEM(t, 1, PyLong_FromSize_t(nd));
    for (size_t d = 0; d < nshape; d++)
      PyTuple_SET_ITEM(t, (Py_ssize_t)d + 2, PyLong_FromLong(mlx_array_shape(a)[d]));
    PyTuple_SET_ITEM(sig, (Py_ssize_t)i + 1, t);
    mlx_array_free(a);
  }
  return sig;
}

static PyObject *compiled_call(PyObject *self, PyObject *args, PyObject *kwargs) {
  compiled_fn *c = (compiled_fn *)self;
  PyObject *kw = kwargs ? Py_NewRef(kwargs) : PyDict_New();
  PyObject *call = kw ? PyTuple_Pack(2, args, kw) : NULL, *result = NULL, *id = NULL;
  PyObject *structure = call ? structure_of(call) : NULL;
  mlx_vector_array in = mlx_vector_array_new(), out = mlx_vector_array_new();
  if (structure && mxpy_tree_flatten(call, in) == 0 && flatten_into(c->inputs, in) == 0) {
    id = PyDict_GetItemWithError(c->structure_ids, structure);
    if (id) Py_INCREF(id);
    else if (!PyErr_Occurred() && (id = PyLong_FromSsize_t(PyDict_Size(c->structure_ids))) &&
             PyDict_SetItem(c->structure_ids, structure, id) < 0)
      Py_CLEAR(id);
  }
  mlx_closure *cl = id ? closure_for(c, id) : NULL;
  PyObject *sig = cl ? signature_of(id, in, c->shapeless) : NULL;
  if (sig) {
    PyObject *saved[3] = {c->args, c->kwargs, c->signature}; /* (reentrant calls) */
    c->args = args, c->kwargs = kw, c->signature = sig;
    mxpy_error_clear();
    int rc = mlx_closure_apply(&out, *cl, in);
    c->args = saved[0], c->kwargs = saved[1], c->signature = saved[2];
    PyObject *entry = rc ? NULL : PyDict_GetItemWithError(c->skeletons, sig);
    if (rc && !PyErr_Occurred()) mxpy_raise_lib(PyExc_ValueError);
    else if (entry) {
      size_t pos = 0;
      result = mxpy_tree_replace(PyTuple_GET_ITEM(entry, 0), out, &pos);
      if (result && c->outputs != Py_None) { /* write the state outputs back in place */
        PyObject *undo = PyList_New(0);
        PyObject *r = undo ? swap_leaves(c->outputs, out, &pos, undo, true) : NULL;
        if (!r) Py_CLEAR(result);
        Py_XDECREF(r);
        Py_XDECREF(undo);
      }
    } else if (!rc && !PyErr_Occurred()) {
      PyErr_SetString(PyExc_RuntimeError, "[compile] Lost the output structure of a trace.");
    }
  }
  mlx_vector_array_free(in);
  mlx_vector_array_free(out);
  Py_XDECREF(sig);
  Py_XDECREF(id);
  Py_XDECREF(structure);
  Py_XDECREF(call);
  Py_XDECREF(kw);
  return result;
}

static int compiled_traverse(PyObject *self, visitproc visit, void *arg) {
  compiled_fn *c = (compiled_fn *)self;
  Py_VISIT(c->fun);
  Py_VISIT(c->inputs);
  Py_VISIT(c->outputs);
  Py_VISIT(c->structure_ids);
  Py_VISIT(c->skeletons);
  return 0;
}

static int compiled_clear(PyObject *self) {
  compiled_fn *c = (compiled_fn *)self;
  Py_CLEAR(c->fun);
  Py_CLEAR(c->inputs);
  Py_CLEAR(c->outputs);
  Py_CLEAR(c->structure_ids);
  Py_CLEAR(c->skeletons);
  return 0;
}

static void compiled_dealloc(PyObject *self) {
  compiled_fn *c = (compiled_fn *)self;
  PyObject_GC_UnTrack(self);
  mlx_detail_compile_erase((uintptr_t)self);
  Py_CLEAR(c->closures);
  compiled_clear(self);
  Py_TYPE(self)->tp_free(self);
}

static PyObject *compiled_get(PyObject *self, PyObject *obj, PyObject *type) {
  (void)type; /* a compiled function stored on a class binds like a function */
  if (!obj || obj == Py_None) return Py_NewRef(self);
  return PyMethod_New(self, obj);
}

static PyTypeObject compiled_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.compiled_function",
    .tp_basicsize = sizeof(compiled_fn),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A function compiled with mx.compile.",
    .tp_call = compiled_call,
    .tp_traverse = compiled_traverse,
    .tp_clear = compiled_clear,
    .tp_dealloc = compiled_dealloc,
    .tp_descr_get = compiled_get,
};

static PyObject *f_compile(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"fun", "inputs", "outputs", "shapeless", NULL};
  PyObject *fun, *inputs = Py_None, *outputs = Py_None;
  int shapeless = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOp:compile", kwlist, &fun, &inputs, &outputs,
                                   &shapeless))
    return NULL;
  if (!PyCallable_Check(fun)) {
    PyErr_SetString(PyExc_TypeError, "[compile] fun must be callable.");
    return NULL;
  }
  compiled_fn *c = PyObject_GC_New(compiled_fn, &compiled_type);
  if (!c) return NULL;
  c->fun = Py_NewRef(fun);
  c->inputs = Py_NewRef(inputs);
  c->outputs = Py_NewRef(outputs);
  c->shapeless = shapeless;
  c->structure_ids = PyDict_New();
  c->closures = PyDict_New();
  c->skeletons = PyDict_New();
  c->args = c->kwargs = c->signature = NULL;
  PyObject_GC_Track((PyObject *)c);
  if (!c->structure_ids || !c->closures || !c->skeletons) Py_CLEAR(c);
  return (PyObject *)c;
}

static PyObject *f_disable_compile(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  mlx_disable_compile();
  Py_RETURN_NONE;
}

static PyObject *f_enable_compile(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  mlx_enable_compile();
  Py_RETURN_NONE;
}

/* Private (tests, benchmarks): mlx-c's compile modes by name. */
static PyObject *f_set_compile_mode(PyObject *m, PyObject *arg) {
  (void)m;
  static const char *const names[] = {"disabled", "no_simplify", "no_fuse", "enabled"};
  static const mlx_compile_mode modes[] = {MLX_COMPILE_MODE_DISABLED, MLX_COMPILE_MODE_NO_SIMPLIFY,
                                           MLX_COMPILE_MODE_NO_FUSE, MLX_COMPILE_MODE_ENABLED};
  const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
  for (int i = 0; name && i < 4; i++)
    if (!strcmp(name, names[i])) {
      mlx_set_compile_mode(modes[i]);
      Py_RETURN_NONE;
    }
  PyErr_SetString(PyExc_ValueError,
                  "[_set_compile_mode] Expected one of disabled, no_simplify, no_fuse, enabled.");
  return NULL;
}

static PyMethodDef compile_methods[] = {
    {"_set_compile_mode", f_set_compile_mode, METH_O,
     "_set_compile_mode(mode: str) -> None\n\nPrivate: sets the compile mode (disabled, "
     "no_simplify, no_fuse, enabled)."},
    {"compile", (PyCFunction)(void (*)(void))f_compile, METH_VARARGS | METH_KEYWORDS,
     "compile(fun: Callable, inputs: Optional[object] = None, outputs: Optional[object] = None, "
     "shapeless: bool = False) -> Callable\n\nReturns a compiled function: traced once per "
     "argument structure, dtype and shape, then replayed."},
    {"disable_compile", f_disable_compile, METH_NOARGS,
     "disable_compile() -> None\n\nGlobally disable compilation."},
    {"enable_compile", f_enable_compile, METH_NOARGS,
     "enable_compile() -> None\n\nGlobally enable compilation."},
    {NULL, NULL, 0, NULL},
};

int mxpy_compile_init(PyObject *m) {
  if (PyType_Ready(&compiled_type) < 0) return -1;
  array_marker = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
  if (!array_marker) return -1;
  return PyModule_AddFunctions(m, compile_methods);
}
