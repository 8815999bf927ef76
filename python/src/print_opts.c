/* mlx.core print options: set_printoptions, get_printoptions, the printoptions() context
 * manager, PrintOptions, and the array format used while a precision is set.
 *
 * With the default precision (-1) arrays print in the library's format (mlx_array_tostring,
 * numbers as printf "%g"). With a precision, MLX prints floating and complex numbers in fixed
 * notation with that many decimals ("%.*f"; a negative precision other than -1 means 6); the
 * layout (nesting, "..." for dimensions longer than 6) is the same. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mlxpy.h"

#include "structmember.h"

#define DEFAULT_PRECISION (-1)
#define EDGE_ITEMS 3
#define SUMMARIZE_OVER 6

static int print_precision = DEFAULT_PRECISION; /* guarded by the GIL */

int mxpy_print_precision(void) {
  return print_precision;
}

/* ------------------------------------------------------------------ the fixed format */

typedef struct {
  const char *data;
  mlx_dtype dtype;
  int ndim;
  const int *shape;
  int64_t bstrides[64]; /* the library allows at most 64 dimensions */
  int precision;
} fmt_ctx;

/* The text being built (ASCII). */
typedef struct {
  char *p;
  size_t len, cap;
} text_buf;

static int put_n(text_buf *w, const char *s, size_t n) {
  if (w->len + n + 1 > w->cap) {
    size_t cap = (w->len + n + 1) * 2;
    char *p = PyMem_Realloc(w->p, cap);
    if (!p) return PyErr_NoMemory(), -1;
    w->p = p;
    w->cap = cap;
  }
  memcpy(w->p + w->len, s, n);
  w->len += n;
  return 0;
}

static int put(text_buf *w, const char *s) {
  return put_n(w, s, strlen(s));
}

static int put_newline(text_buf *w, int indent) {
  if (put(w, "\n") < 0) return -1;
  for (int i = 0; i < indent; i++)
    if (put(w, " ") < 0) return -1;
  return 0;
}

/* x in fixed notation ("%.*f"; nan and inf as printf writes them). */
static int put_fixed(text_buf *w, double x, int precision) {
  char *s = PyOS_double_to_string(x, 'f', precision, 0, NULL);
  if (!s) return -1;
  int r = put(w, s);
  PyMem_Free(s);
  return r;
}

static int put_element(text_buf *w, const fmt_ctx *c, const char *p) {
  mxpy_value v;
  mxpy_read_elem(p, c->dtype, &v);
  int prec = c->precision < 0 ? 6 : c->precision;
  char buf[32];
  switch (v.kind) {
  case MXV_BOOL:
    return put(w, v.v.b ? "True" : "False");
  case MXV_INT:
    snprintf(buf, sizeof buf, "%lld", (long long)v.v.i);
    return put(w, buf);
  case MXV_UINT:
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.v.u);
    return put(w, buf);
  case MXV_FLOAT:
    return put_fixed(w, v.v.f, prec);
  case MXV_COMPLEX: /* MLX writes a sign only when the imaginary part is below zero */
    if (put_fixed(w, v.v.c.re, prec) < 0 || put(w, v.v.c.im < 0 ? "" : "+") < 0 ||
        put_fixed(w, v.v.c.im, prec) < 0)
      return -1;
    return put(w, "j");
  }
  return -1;
}

/* Dimension dim of the block at p; depth is the rank, so the recursion is bounded. */
static int put_dim(text_buf *w, const fmt_ctx *c, const char *p, int dim, int indent) {
  if (dim == c->ndim) return put_element(w, c, p);
  int n = c->shape[dim];
  bool last = dim == c->ndim - 1;
  if (put(w, "[") < 0) return -1;
  for (int i = 0; i < n; i++) {
    if (n > SUMMARIZE_OVER && i == EDGE_ITEMS) {
      if (put(w, last ? "..., " : "...,") < 0) return -1;
      if (!last && put_newline(w, indent + dim + 1) < 0) return -1;
      i = n - EDGE_ITEMS;
    }
    if (put_dim(w, c, p + i * c->bstrides[dim], dim + 1, indent) < 0) return -1;
    if (i + 1 < n) {
      if (put(w, last ? ", " : ",") < 0) return -1;
      if (!last && put_newline(w, indent + dim + 1) < 0) return -1;
    }
  }
  return put(w, "]");
}

PyObject *mxpy_array_format_fixed(mlx_array arr, int precision) {
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return NULL;
  fmt_ctx c = {.dtype = mlx_array_dtype(a),
               .ndim = (int)mlx_array_ndim(a),
               .shape = mlx_array_shape(a),
               .precision = precision};
  if (c.ndim > (int)(sizeof(c.bstrides) / sizeof(c.bstrides[0]))) {
    mlx_array_free(a);
    PyErr_SetString(PyExc_ValueError, "[print] Too many dimensions to print.");
    return NULL;
  }
  mxpy_byte_strides(a, c.bstrides);
  static const char no_data[16]; /* an empty array reads no element */
  c.data = mlx_array_size(a) ? mxpy_data_ptr(a) : no_data;
  const char *prefix = "array(";
  text_buf w = {NULL, 0, 0};
  char tail[64];
  snprintf(tail, sizeof tail, ", dtype=%s)", mxpy_dtype_name(c.dtype));
  int st = put(&w, prefix);
  if (st == 0) st = put_dim(&w, &c, c.data, 0, (int)strlen(prefix));
  if (st == 0) st = put(&w, tail);
  mlx_array_free(a);
  PyObject *r = st < 0 ? NULL : PyUnicode_FromStringAndSize(w.p, (Py_ssize_t)w.len);
  PyMem_Free(w.p);
  return r;
}

/* ------------------------------------------------------------------ PrintOptions */

typedef struct {
  PyObject_HEAD int precision;
} print_options_object;

/* The precision argument: an int (not bool or float) that fits in a C int. */
static int precision_arg(PyObject *args, PyObject *kwds, const char *fmt, int *out) {
  static char *kwlist[] = {"precision", NULL};
  PyObject *o = NULL;
  *out = DEFAULT_PRECISION;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &o)) return -1;
  if (!o) return 0;
  if (!PyLong_Check(o) || PyBool_Check(o)) {
    PyErr_Format(PyExc_TypeError, "precision must be an int, not %.200s.", Py_TYPE(o)->tp_name);
    return -1;
  }
  int overflow = 0;
  long v = PyLong_AsLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v > INT_MAX || v < INT_MIN) {
    PyErr_SetString(PyExc_OverflowError, "precision does not fit in a C int.");
    return -1;
  }
  *out = (int)v;
  return 0;
}

static PyObject *print_options_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  int precision;
  if (precision_arg(args, kwds, "|O:PrintOptions", &precision) < 0) return NULL;
  print_options_object *self = (print_options_object *)type->tp_alloc(type, 0);
  if (self) self->precision = precision;
  return (PyObject *)self;
}

static PyMemberDef print_options_members[] = {
    {"precision", T_INT, offsetof(print_options_object, precision), 0,
     "Number of decimals of floating numbers (-1: the default format)."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject print_options_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.PrintOptions",
    .tp_basicsize = sizeof(print_options_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "PrintOptions(precision: int = -1): options for printing arrays.",
    .tp_new = print_options_new,
    .tp_members = print_options_members,
};

/* ------------------------------------------------------------------ _PrintOptionsContext */

typedef struct {
  PyObject_HEAD int precision, saved;
} print_context_object;

static PyObject *context_enter(PyObject *self, PyObject *unused) {
  (void)unused;
  print_context_object *c = (print_context_object *)self;
  c->saved = print_precision;
  print_precision = c->precision;
  Py_INCREF(self);
  return self;
}

static PyObject *context_exit(PyObject *self, PyObject *args) {
  (void)args;
  print_precision = ((print_context_object *)self)->saved;
  Py_RETURN_NONE;
}

static PyMethodDef context_methods[] = {
    {"__enter__", context_enter, METH_NOARGS, NULL},
    {"__exit__", context_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject print_context_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core._PrintOptionsContext",
    .tp_basicsize = sizeof(print_context_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context manager that sets the print options and restores them on exit.",
    .tp_methods = context_methods,
};

/* ------------------------------------------------------------------ module functions */

static PyObject *f_set_printoptions(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  int precision;
  if (precision_arg(args, kwds, "|O:set_printoptions", &precision) < 0) return NULL;
  print_precision = precision;
  Py_RETURN_NONE;
}

static PyObject *f_get_printoptions(PyObject *m, PyObject *unused) {
  (void)m;
  (void)unused;
  print_options_object *o = PyObject_New(print_options_object, &print_options_type);
  if (o) o->precision = print_precision;
  return (PyObject *)o;
}

static PyObject *f_printoptions(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  int precision;
  if (precision_arg(args, kwds, "|O:printoptions", &precision) < 0) return NULL;
  print_context_object *c = PyObject_New(print_context_object, &print_context_type);
  if (!c) return NULL;
  c->precision = precision;
  c->saved = print_precision;
  return (PyObject *)c;
}

#define KW (PyCFunction)(void (*)(void))

static PyMethodDef print_methods[] = {
    {"set_printoptions", KW f_set_printoptions, METH_VARARGS | METH_KEYWORDS,
     "set_printoptions(precision: int = -1) -> None\n\n"
     "Set the number of decimals used when printing arrays (-1: the default format)."},
    {"get_printoptions", f_get_printoptions, METH_NOARGS,
     "get_printoptions() -> PrintOptions\n\nA copy of the current print options."},
    {"printoptions", KW f_printoptions, METH_VARARGS | METH_KEYWORDS,
     "printoptions(precision: int = -1) -> _PrintOptionsContext\n\n"
     "Context manager that sets the print options and restores them on exit."},
    {NULL, NULL, 0, NULL},
};

int mxpy_print_opts_init(PyObject *m) {
  PyTypeObject *types[] = {&print_options_type, &print_context_type};
  const char *names[] = {"PrintOptions", "_PrintOptionsContext"};
  for (int i = 0; i < 2; i++) {
    if (PyType_Ready(types[i]) < 0) return -1;
    Py_INCREF(types[i]);
    if (PyModule_AddObject(m, names[i], (PyObject *)types[i]) < 0) {
      Py_DECREF(types[i]);
      return -1;
    }
  }
  return PyModule_AddFunctions(m, print_methods);
}
