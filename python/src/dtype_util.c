/* mlx.core dtype utilities: the DtypeCategory enum and its members (mx.floating, ...),
 * issubdtype, isdtype, result_type, can_cast, finfo and iinfo, as MLX defines them. */
#include <float.h>
#include <string.h>

#include "mlxpy.h"

#include "structmember.h"

#define KW (PyCFunction)(void (*)(void))

/* ------------------------------------------------------------------ categories */

/* Values of MLX's DtypeCategory enum. */
enum {
  CAT_COMPLEXFLOATING,
  CAT_FLOATING,
  CAT_INEXACT,
  CAT_SIGNEDINTEGER,
  CAT_UNSIGNEDINTEGER,
  CAT_INTEGER,
  CAT_NUMBER,
  CAT_GENERIC,
  NUM_CATS
};

static const char *cat_names[NUM_CATS] = {"complexfloating", "floating",        "inexact",
                                          "signedinteger",   "unsignedinteger", "integer",
                                          "number",          "generic"};
/* The category each category belongs to (-1: none above generic). */
static const int cat_parent[NUM_CATS] = {CAT_INEXACT, CAT_INEXACT, CAT_NUMBER, CAT_INTEGER,
                                         CAT_INTEGER, CAT_NUMBER,  CAT_GENERIC, -1};

static PyObject *cat_class;

/* The most specific category of a dtype (bool belongs only to generic). */
static int dtype_cat(mlx_dtype d) {
  if (mxpy_is_bool(d)) return CAT_GENERIC;
  if (mxpy_is_unsigned(d)) return CAT_UNSIGNEDINTEGER;
  if (mxpy_is_signed_int(d)) return CAT_SIGNEDINTEGER;
  if (mxpy_is_complex(d)) return CAT_COMPLEXFLOATING;
  return CAT_FLOATING;
}

static bool cat_within(int c, int ancestor) {
  for (; c >= 0; c = cat_parent[c])
    if (c == ancestor) return true;
  return false;
}

/* 1: a category (value in *out), 0: not one, -1: error. */
static int as_category(PyObject *o, int *out) {
  if (!cat_class) return 0;
  int r = PyObject_IsInstance(o, cat_class);
  if (r <= 0) return r;
  PyObject *v = PyObject_GetAttrString(o, "value");
  if (!v) return -1;
  long c = PyLong_AsLong(v);
  Py_DECREF(v);
  if (c == -1 && PyErr_Occurred()) return -1;
  if (c < 0 || c >= NUM_CATS) {
    PyErr_SetString(PyExc_ValueError, "Unknown dtype category.");
    return -1;
  }
  *out = (int)c;
  return 1;
}

static PyObject *u_issubdtype(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"arg1", "arg2", NULL};
  PyObject *a, *b;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:issubdtype", kwlist, &a, &b)) return NULL;
  if (a == Py_None || b == Py_None) {
    PyErr_SetString(PyExc_TypeError,
                    "issubdtype(): arguments must be mlx.core.Dtype or mlx.core.DtypeCategory.");
    return NULL;
  }
  int ca = 0, cb = 0;
  int ka = as_category(a, &ca), kb = as_category(b, &cb);
  if (ka < 0 || kb < 0) return NULL;
  if (!ka && !mxpy_Dtype_Check(a)) {
    PyErr_SetString(PyExc_ValueError, "[issubdtype] Received invalid type for first input.");
    return NULL;
  }
  if (!kb && !mxpy_Dtype_Check(b)) {
    PyErr_SetString(PyExc_ValueError, "[issubdtype] Received invalid type for second input.");
    return NULL;
  }
  bool r;
  if (!ka && !kb)
    r = ((mxpy_DtypeObject *)a)->dtype == ((mxpy_DtypeObject *)b)->dtype;
  else if (!ka)
    r = cat_within(dtype_cat(((mxpy_DtypeObject *)a)->dtype), cb);
  else if (!kb)
    r = false;
  else
    r = cat_within(ca, cb);
  return PyBool_FromLong(r);
}

/* ------------------------------------------------------------------ isdtype */

/* 1 / 0 for a kind string, -1 with ValueError for an unknown one. */
static int kind_match(mlx_dtype d, const char *kind) {
  if (strcmp(kind, "bool") == 0) return mxpy_is_bool(d);
  if (strcmp(kind, "signed integer") == 0) return mxpy_is_signed_int(d);
  if (strcmp(kind, "unsigned integer") == 0) return mxpy_is_unsigned(d);
  if (strcmp(kind, "integral") == 0) return mxpy_is_integral(d);
  if (strcmp(kind, "real floating") == 0) return mxpy_is_floating(d);
  if (strcmp(kind, "complex floating") == 0) return mxpy_is_complex(d);
  if (strcmp(kind, "numeric") == 0) return !mxpy_is_bool(d);
  PyErr_Format(PyExc_ValueError, "[isdtype] Unknown data type kind: '%s'.", kind);
  return -1;
}

static int kind_one(mlx_dtype d, PyObject *k) {
  if (mxpy_Dtype_Check(k)) return ((mxpy_DtypeObject *)k)->dtype == d;
  if (PyUnicode_Check(k)) {
    const char *s = PyUnicode_AsUTF8(k);
    return s ? kind_match(d, s) : -1;
  }
  PyErr_SetString(PyExc_ValueError,
                  "[isdtype] `kind` must be a dtype, a string, or a tuple of dtypes and strings.");
  return -1;
}

static PyObject *u_isdtype(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"dtype", "kind", NULL};
  PyObject *dt, *kind;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:isdtype", kwlist, &dt, &kind)) return NULL;
  if (!mxpy_Dtype_Check(dt)) {
    PyErr_Format(PyExc_TypeError, "isdtype(): dtype must be an mlx.core.Dtype, not %.200s.",
                 Py_TYPE(dt)->tp_name);
    return NULL;
  }
  mlx_dtype d = ((mxpy_DtypeObject *)dt)->dtype;
  if (PyTuple_Check(kind)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kind); i++) { /* the first match wins */
      int r = kind_one(d, PyTuple_GET_ITEM(kind, i));
      if (r < 0) return NULL;
      if (r) Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
  }
  int r = kind_one(d, kind);
  return r < 0 ? NULL : PyBool_FromLong(r);
}

/* ------------------------------------------------------------------ result_type, can_cast */

static PyObject *u_result_type(PyObject *m, PyObject *args) {
  (void)m;
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n == 0) {
    PyErr_SetString(PyExc_ValueError, "[result_type] At least one array or dtype is required.");
    return NULL;
  }
  mlx_dtype r = MLX_BOOL;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *o = PyTuple_GET_ITEM(args, i);
    mlx_dtype d;
    if (mxpy_Array_Check(o)) {
      d = mlx_array_dtype(MXPY_ARR(o));
    } else if (mxpy_Dtype_Check(o)) {
      d = ((mxpy_DtypeObject *)o)->dtype;
    } else {
      PyErr_SetString(PyExc_ValueError, "[result_type] Inputs must be arrays or dtypes.");
      return NULL;
    }
    r = i == 0 ? d : mxpy_promote(r, d);
  }
  return mxpy_dtype_object(r);
}

static PyObject *u_can_cast(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"from_", "to", NULL};
  PyObject *from, *to;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:can_cast", kwlist, &from, &to)) return NULL;
  if (!mxpy_Dtype_Check(to)) {
    PyErr_Format(PyExc_TypeError, "can_cast(): to must be an mlx.core.Dtype, not %.200s.",
                 Py_TYPE(to)->tp_name);
    return NULL;
  }
  mlx_dtype f;
  if (mxpy_Array_Check(from)) {
    f = mlx_array_dtype(MXPY_ARR(from));
  } else if (mxpy_Dtype_Check(from)) {
    f = ((mxpy_DtypeObject *)from)->dtype;
  } else {
    PyErr_SetString(PyExc_ValueError, "[can_cast] `from_` must be an array or a dtype.");
    return NULL;
  }
  mlx_dtype t = ((mxpy_DtypeObject *)to)->dtype;
  return PyBool_FromLong(mxpy_promote(f, t) == t);
}

static PyMethodDef util_methods[] = {
    {"issubdtype", KW u_issubdtype, METH_VARARGS | METH_KEYWORDS,
     "issubdtype(arg1: Dtype | DtypeCategory, arg2: Dtype | DtypeCategory) -> bool\n\n"
     "Check if a Dtype or DtypeCategory is a subtype of another."},
    {"isdtype", KW u_isdtype, METH_VARARGS | METH_KEYWORDS,
     "isdtype(dtype: Dtype, kind: Dtype | str | tuple[Dtype | str, ...]) -> bool\n\n"
     "Whether dtype is of the given kind ('bool', 'signed integer', 'unsigned integer', "
     "'integral', 'real floating', 'complex floating', 'numeric')."},
    {"result_type", u_result_type, METH_VARARGS,
     "result_type(*arrays_and_dtypes: array | Dtype) -> Dtype\n\n"
     "The dtype that results from promoting the given arrays and dtypes."},
    {"can_cast", KW u_can_cast, METH_VARARGS | METH_KEYWORDS,
     "can_cast(from_: array | Dtype, to: Dtype) -> bool\n\n"
     "Whether from_ can be cast to `to` without losing information (promotion gives `to`)."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ finfo, iinfo */

typedef struct {
  PyObject_HEAD PyObject *min, *max, *eps, *smallest_normal, *dtype;
  int bits;
} finfo_object;

typedef struct {
  PyObject_HEAD PyObject *min, *max, *dtype;
} iinfo_object;

static int dtype_only(PyObject *args, PyObject *kwds, const char *name, mlx_dtype *out) {
  PyObject *o;
  if (kwds && PyDict_Size(kwds) > 0) {
    PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments.", name);
    return -1;
  }
  if (!PyArg_ParseTuple(args, "O", &o)) return -1;
  if (!mxpy_Dtype_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): expected an mlx.core.Dtype, got %.200s.", name,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = ((mxpy_DtypeObject *)o)->dtype;
  return 0;
}

static PyObject *finfo_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  mlx_dtype d;
  if (dtype_only(args, kwds, "finfo", &d) < 0) return NULL;
  double mx, eps, tiny;
  int bits;
  switch (d) {
  case MLX_FLOAT16:
    mx = 65504.0, eps = 0x1p-10, tiny = 0x1p-14, bits = 16;
    break;
  case MLX_BFLOAT16:
    mx = 0x1.fep+127, eps = 0x1p-7, tiny = 0x1p-126, bits = 16;
    break;
  case MLX_FLOAT32:
  case MLX_COMPLEX64:
    mx = FLT_MAX, eps = FLT_EPSILON, tiny = FLT_MIN, bits = 32;
    d = MLX_FLOAT32;
    break;
  case MLX_FLOAT64:
    mx = DBL_MAX, eps = DBL_EPSILON, tiny = DBL_MIN, bits = 64;
    break;
  default:
    PyErr_Format(PyExc_ValueError, "[finfo] dtype %s is not inexact.", mxpy_dtype_name(d));
    return NULL;
  }
  finfo_object *self = (finfo_object *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->min = PyFloat_FromDouble(-mx);
  self->max = PyFloat_FromDouble(mx);
  self->eps = PyFloat_FromDouble(eps);
  self->smallest_normal = PyFloat_FromDouble(tiny);
  self->dtype = mxpy_dtype_object(d);
  self->bits = bits;
  if (!self->min || !self->max || !self->eps || !self->smallest_normal || !self->dtype) {
    Py_DECREF(self);
    return NULL;
  }
  return (PyObject *)self;
}

static void finfo_dealloc(PyObject *o) {
  finfo_object *self = (finfo_object *)o;
  Py_XDECREF(self->min);
  Py_XDECREF(self->max);
  Py_XDECREF(self->eps);
  Py_XDECREF(self->smallest_normal);
  Py_XDECREF(self->dtype);
  Py_TYPE(o)->tp_free(o);
}

/* A float the way C++ streams print it by default (6 significant digits). */
static PyObject *fmt_g(PyObject *f) {
  char *s = PyOS_double_to_string(PyFloat_AsDouble(f), 'g', 6, 0, NULL);
  if (!s) return NULL;
  PyObject *r = PyUnicode_FromString(s);
  PyMem_Free(s);
  return r;
}

static PyObject *finfo_repr(PyObject *o) {
  finfo_object *self = (finfo_object *)o;
  PyObject *a = fmt_g(self->min), *b = a ? fmt_g(self->max) : NULL;
  PyObject *r = NULL;
  if (a && b)
    r = PyUnicode_FromFormat("finfo(min=%U, max=%U, dtype=%s)", a, b,
                             mxpy_dtype_name(((mxpy_DtypeObject *)self->dtype)->dtype));
  Py_XDECREF(a);
  Py_XDECREF(b);
  return r;
}

static PyMemberDef finfo_members[] = {
    {"min", T_OBJECT_EX, offsetof(finfo_object, min), READONLY, "The smallest representable number."},
    {"max", T_OBJECT_EX, offsetof(finfo_object, max), READONLY, "The largest representable number."},
    {"eps", T_OBJECT_EX, offsetof(finfo_object, eps), READONLY,
     "The difference between 1.0 and the next representable number above it."},
    {"smallest_normal", T_OBJECT_EX, offsetof(finfo_object, smallest_normal), READONLY,
     "The smallest positive normal number."},
    {"dtype", T_OBJECT_EX, offsetof(finfo_object, dtype), READONLY, "The floating type."},
    {"bits", T_INT, offsetof(finfo_object, bits), READONLY, "The number of bits of the type."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject finfo_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.finfo",
    .tp_basicsize = sizeof(finfo_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "finfo(dtype): machine limits of a floating point type.",
    .tp_new = finfo_new,
    .tp_dealloc = finfo_dealloc,
    .tp_repr = finfo_repr,
    .tp_members = finfo_members,
};

static PyObject *iinfo_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  mlx_dtype d;
  if (dtype_only(args, kwds, "iinfo", &d) < 0) return NULL;
  if (!mxpy_is_integral(d)) {
    PyErr_Format(PyExc_ValueError, "[iinfo] Only integer types supported but %s was provided",
                 mxpy_dtype_name(d));
    return NULL;
  }
  iinfo_object *self = (iinfo_object *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  int bits = (int)mxpy_dtype_size(d) * 8;
  if (mxpy_is_unsigned(d)) {
    self->min = PyLong_FromLong(0);
    self->max = PyLong_FromUnsignedLongLong(bits == 64 ? ~0ULL : ((1ULL << bits) - 1));
  } else {
    long long hi = bits == 64 ? INT64_MAX : (long long)((1ULL << (bits - 1)) - 1);
    self->min = PyLong_FromLongLong(-hi - 1);
    self->max = PyLong_FromLongLong(hi);
  }
  self->dtype = mxpy_dtype_object(d);
  if (!self->min || !self->max || !self->dtype) {
    Py_DECREF(self);
    return NULL;
  }
  return (PyObject *)self;
}

static void iinfo_dealloc(PyObject *o) {
  iinfo_object *self = (iinfo_object *)o;
  Py_XDECREF(self->min);
  Py_XDECREF(self->max);
  Py_XDECREF(self->dtype);
  Py_TYPE(o)->tp_free(o);
}

static PyObject *iinfo_repr(PyObject *o) {
  iinfo_object *self = (iinfo_object *)o;
  return PyUnicode_FromFormat("iinfo(min=%S, max=%S, dtype=%s)", self->min, self->max,
                              mxpy_dtype_name(((mxpy_DtypeObject *)self->dtype)->dtype));
}

static PyMemberDef iinfo_members[] = {
    {"min", T_OBJECT_EX, offsetof(iinfo_object, min), READONLY, "The smallest value."},
    {"max", T_OBJECT_EX, offsetof(iinfo_object, max), READONLY, "The largest value."},
    {"dtype", T_OBJECT_EX, offsetof(iinfo_object, dtype), READONLY, "The integer type."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject iinfo_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.iinfo",
    .tp_basicsize = sizeof(iinfo_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "iinfo(dtype): machine limits of an integer type.",
    .tp_new = iinfo_new,
    .tp_dealloc = iinfo_dealloc,
    .tp_repr = iinfo_repr,
    .tp_members = iinfo_members,
};

/* ------------------------------------------------------------------ init */

static int add_type(PyObject *m, const char *name, PyTypeObject *t) {
  if (PyType_Ready(t) < 0) return -1;
  Py_INCREF(t);
  if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
    Py_DECREF(t);
    return -1;
  }
  return 0;
}

/* DtypeCategory = enum.Enum("DtypeCategory", [(name, value), ...], module="mlx.core"). */
static int make_categories(PyObject *m) {
  PyObject *enum_mod = PyImport_ImportModule("enum");
  if (!enum_mod) return -1;
  PyObject *Enum = PyObject_GetAttrString(enum_mod, "Enum");
  Py_DECREF(enum_mod);
  if (!Enum) return -1;
  PyObject *members = PyList_New(NUM_CATS);
  for (int i = 0; members && i < NUM_CATS; i++) {
    PyObject *t = Py_BuildValue("(si)", cat_names[i], i);
    if (!t) {
      Py_CLEAR(members);
      break;
    }
    PyList_SET_ITEM(members, i, t);
  }
  PyObject *args = members ? Py_BuildValue("(sN)", "DtypeCategory", members) : NULL;
  PyObject *kw = args ? Py_BuildValue("{ss}", "module", "mlx.core") : NULL;
  PyObject *cls = kw ? PyObject_Call(Enum, args, kw) : NULL;
  Py_DECREF(Enum);
  Py_XDECREF(args);
  Py_XDECREF(kw);
  if (!cls) return -1;
  /* repr as MLX's: DtypeCategory.floating */
  PyObject *str = PyObject_GetAttrString(cls, "__str__");
  if (!str || PyObject_SetAttrString(cls, "__repr__", str) < 0) {
    Py_XDECREF(str);
    Py_DECREF(cls);
    return -1;
  }
  Py_DECREF(str);
  cat_class = cls; /* keeps this reference */
  Py_INCREF(cls);
  if (PyModule_AddObject(m, "DtypeCategory", cls) < 0) {
    Py_DECREF(cls);
    return -1;
  }
  for (int i = 0; i < NUM_CATS; i++) {
    PyObject *v = PyObject_GetAttrString(cls, cat_names[i]);
    if (!v) return -1;
    if (PyModule_AddObject(m, cat_names[i], v) < 0) {
      Py_DECREF(v);
      return -1;
    }
  }
  return 0;
}

int mxpy_dtype_util_init(PyObject *m) {
  if (PyModule_AddFunctions(m, util_methods) < 0) return -1;
  if (add_type(m, "finfo", &finfo_type) < 0 || add_type(m, "iinfo", &iinfo_type) < 0) return -1;
  return make_categories(m);
}
