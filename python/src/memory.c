/* mlx.core: memory counters and limits, plus the mlx.core.metal and mlx.core.cuda submodules. */
#include "mlxpy.h"

typedef int (*getter_fn)(size_t *res);
typedef int (*setter_fn)(size_t *res, size_t limit);

static PyObject *call_getter(getter_fn fn) {
  size_t x = 0;
  mxpy_error_clear();
  if (mxpy_check_eval(fn(&x)) < 0) return NULL;
  return PyLong_FromSize_t(x);
}

static int size_arg(PyObject *o, const char *fname, size_t *out) {
  if (!PyLong_Check(o) || PyBool_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): limit must be an int, not %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  size_t x = PyLong_AsSize_t(o);
  if (x == (size_t)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s(): limit must be a non-negative int that fits in size_t.",
                 fname);
    return -1;
  }
  *out = x;
  return 0;
}

static PyObject *call_setter(setter_fn fn, PyObject *args, PyObject *kwds, const char *fmt,
                             const char *fname) {
  static char *kwlist[] = {"limit", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &o)) return NULL;
  size_t limit, prev = 0;
  if (size_arg(o, fname, &limit) < 0) return NULL;
  mxpy_error_clear();
  if (mxpy_check_op(fn(&prev, limit)) < 0) return NULL;
  return PyLong_FromSize_t(prev);
}

static PyObject *f_get_active_memory(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  return call_getter(mlx_get_active_memory);
}
static PyObject *f_get_peak_memory(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  return call_getter(mlx_get_peak_memory);
}
static PyObject *f_get_cache_memory(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  return call_getter(mlx_get_cache_memory);
}
static PyObject *f_get_memory_limit(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  return call_getter(mlx_get_memory_limit);
}
static PyObject *f_reset_peak_memory(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  mxpy_error_clear();
  if (mxpy_check_eval(mlx_reset_peak_memory()) < 0) return NULL;
  Py_RETURN_NONE;
}
static PyObject *f_clear_cache(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  mxpy_error_clear();
  if (mxpy_check_eval(mlx_clear_cache()) < 0) return NULL;
  Py_RETURN_NONE;
}
static PyObject *f_set_memory_limit(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_setter(mlx_set_memory_limit, args, kwds, "O:set_memory_limit", "set_memory_limit");
}
static PyObject *f_set_cache_limit(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_setter(mlx_set_cache_limit, args, kwds, "O:set_cache_limit", "set_cache_limit");
}
static PyObject *f_set_wired_limit(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_setter(mlx_set_wired_limit, args, kwds, "O:set_wired_limit", "set_wired_limit");
}

#define KW (PyCFunction)(void (*)(void))

PyMethodDef mxpy_memory_methods[] = {
    {"get_active_memory", f_get_active_memory, METH_NOARGS,
     "get_active_memory() -> int\n\nBytes held by live arrays (not the cache)."},
    {"get_peak_memory", f_get_peak_memory, METH_NOARGS,
     "get_peak_memory() -> int\n\nPeak active memory since start or the last reset."},
    {"reset_peak_memory", f_reset_peak_memory, METH_NOARGS,
     "reset_peak_memory() -> None\n\nReset the peak memory to zero."},
    {"get_cache_memory", f_get_cache_memory, METH_NOARGS,
     "get_cache_memory() -> int\n\nBytes held in the allocator cache."},
    {"get_memory_limit", f_get_memory_limit, METH_NOARGS,
     "get_memory_limit() -> int\n\nThe memory limit in bytes."},
    {"set_memory_limit", KW f_set_memory_limit, METH_VARARGS | METH_KEYWORDS,
     "set_memory_limit(limit: int) -> int\n\nSet the memory limit; returns the previous one."},
    {"set_cache_limit", KW f_set_cache_limit, METH_VARARGS | METH_KEYWORDS,
     "set_cache_limit(limit: int) -> int\n\nSet the cache limit; returns the previous one."},
    {"set_wired_limit", KW f_set_wired_limit, METH_VARARGS | METH_KEYWORDS,
     "set_wired_limit(limit: int) -> int\n\nSet the wired limit; returns the previous one."},
    {"clear_cache", f_clear_cache, METH_NOARGS, "clear_cache() -> None\n\nEmpty the cache."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ mlx.core.metal */

static int deprecated(const char *name) {
  return PyErr_WarnFormat(PyExc_DeprecationWarning, 1,
                          "mx.metal.%s is deprecated and will be removed in a future version. "
                          "Use mx.%s instead.",
                          name, name);
}

#define METAL_ALIAS0(name)                                                                         \
  static PyObject *metal_##name(PyObject *m, PyObject *u) {                                        \
    if (deprecated(#name) < 0) return NULL;                                                        \
    return f_##name(m, u);                                                                         \
  }
#define METAL_ALIAS1(name)                                                                         \
  static PyObject *metal_##name(PyObject *m, PyObject *args, PyObject *kwds) {                     \
    if (deprecated(#name) < 0) return NULL;                                                        \
    return f_##name(m, args, kwds);                                                                \
  }

METAL_ALIAS0(get_active_memory)
METAL_ALIAS0(get_peak_memory)
METAL_ALIAS0(reset_peak_memory)
METAL_ALIAS0(get_cache_memory)
METAL_ALIAS0(clear_cache)
METAL_ALIAS1(set_memory_limit)
METAL_ALIAS1(set_cache_limit)
METAL_ALIAS1(set_wired_limit)

static PyObject *metal_is_available(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  bool avail = false;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_metal_is_available(&avail)) < 0) return NULL;
  return PyBool_FromLong(avail);
}

static PyObject *metal_start_capture(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"path", NULL};
  const char *path;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "s:start_capture", kwlist, &path)) return NULL;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_metal_start_capture(path)) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *metal_stop_capture(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_metal_stop_capture()) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *metal_device_info(PyObject *m, PyObject *u) {
  (void)u;
  if (PyErr_WarnEx(PyExc_DeprecationWarning,
                   "mx.metal.device_info is deprecated and will be removed in a future version. "
                   "Use mx.device_info instead.",
                   1) < 0)
    return NULL;
  /* Metal is never available here, so there is no Metal device to describe. */
  (void)m;
  return PyDict_New();
}

static PyMethodDef metal_methods[] = {
    {"is_available", metal_is_available, METH_NOARGS,
     "is_available() -> bool\n\nWhether the Metal back-end is available (never on Linux)."},
    {"get_active_memory", metal_get_active_memory, METH_NOARGS, "Deprecated alias."},
    {"get_peak_memory", metal_get_peak_memory, METH_NOARGS, "Deprecated alias."},
    {"reset_peak_memory", metal_reset_peak_memory, METH_NOARGS, "Deprecated alias."},
    {"get_cache_memory", metal_get_cache_memory, METH_NOARGS, "Deprecated alias."},
    {"set_memory_limit", KW metal_set_memory_limit, METH_VARARGS | METH_KEYWORDS,
     "Deprecated alias."},
    {"set_cache_limit", KW metal_set_cache_limit, METH_VARARGS | METH_KEYWORDS,
     "Deprecated alias."},
    {"set_wired_limit", KW metal_set_wired_limit, METH_VARARGS | METH_KEYWORDS,
     "Deprecated alias."},
    {"clear_cache", metal_clear_cache, METH_NOARGS, "Deprecated alias."},
    {"start_capture", KW metal_start_capture, METH_VARARGS | METH_KEYWORDS,
     "start_capture(path: str) -> None\n\nStart a Metal capture."},
    {"stop_capture", metal_stop_capture, METH_NOARGS, "stop_capture() -> None"},
    {"device_info", metal_device_info, METH_NOARGS, "Deprecated; use mx.device_info."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ mlx.core.cuda */

static PyObject *cuda_is_available(PyObject *m, PyObject *u) {
  (void)m, (void)u;
  bool avail = false;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_cuda_is_available(&avail)) < 0) return NULL;
  return PyBool_FromLong(avail);
}

static PyMethodDef cuda_methods[] = {
    {"is_available", cuda_is_available, METH_NOARGS,
     "is_available() -> bool\n\nWhether the CUDA back-end is available."},
    {NULL, NULL, 0, NULL},
};

int mxpy_add_submodule(PyObject *m, const char *attr, const char *full, PyMethodDef *methods,
                       const char *doc) {
  PyObject *sub = PyModule_New(full);
  if (!sub) return -1;
  if (PyModule_SetDocString(sub, doc) < 0 || PyModule_AddFunctions(sub, methods) < 0) {
    Py_DECREF(sub);
    return -1;
  }
  PyObject *modules = PyImport_GetModuleDict();
  if (PyDict_SetItemString(modules, full, sub) < 0) {
    Py_DECREF(sub);
    return -1;
  }
  if (PyModule_AddObject(m, attr, sub) < 0) {
    Py_DECREF(sub);
    return -1;
  }
  return 0;
}

int mxpy_submodules_init(PyObject *m) {
  if (mxpy_add_submodule(m, "metal", "mlx.core.metal", metal_methods, "mlx.core.metal: Metal stubs.") <
      0)
    return -1;
  return mxpy_add_submodule(m, "cuda", "mlx.core.cuda", cuda_methods, "mlx.core.cuda: CUDA queries.");
}
