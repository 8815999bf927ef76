/* mlx.core.array: the array type (construction, properties, methods, operators, comparisons,
 * iteration, buffer export). */
#include "mlxpy.h"

#include <string.h>

/* ------------------------------------------------------------------ lifetime */

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"val", "dtype", NULL};
  PyObject *val, *dt = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:array", kwlist, &val, &dt)) return NULL;
  mlx_dtype d;
  bool has = false;
  if (mxpy_dtype_arg(dt, true, "array", &d, &has) < 0) return NULL;
  mlx_array a = mlx_array_new();
  if (mxpy_array_from_object(val, has ? &d : NULL, &a) < 0) {
    mlx_array_free(a);
    return NULL;
  }
  mxpy_ArrayObject *o = (mxpy_ArrayObject *)type->tp_alloc(type, 0);
  if (!o) {
    mlx_array_free(a);
    return NULL;
  }
  o->arr = a;
  return (PyObject *)o;
}

static void array_dealloc(PyObject *self) {
  mlx_array_free(MXPY_ARR(self));
  Py_TYPE(self)->tp_free(self);
}

static PyObject *array_repr(PyObject *self) {
  return mxpy_array_repr(MXPY_ARR(self));
}

/* ------------------------------------------------------------------ properties */

static PyObject *get_shape(PyObject *self, void *c) {
  (void)c;
  mlx_array a = MXPY_ARR(self);
  int nd = (int)mlx_array_ndim(a);
  const int *sh = mlx_array_shape(a);
  PyObject *t = PyTuple_New(nd);
  if (!t) return NULL;
  for (int i = 0; i < nd; i++) {
    PyObject *x = PyLong_FromLong(sh[i]);
    if (!x) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SET_ITEM(t, i, x);
  }
  return t;
}

static PyObject *get_dtype(PyObject *self, void *c) {
  (void)c;
  return mxpy_dtype_object(mlx_array_dtype(MXPY_ARR(self)));
}

static PyObject *get_ndim(PyObject *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(mlx_array_ndim(MXPY_ARR(self)));
}

static PyObject *get_size(PyObject *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(mlx_array_size(MXPY_ARR(self)));
}

static PyObject *get_itemsize(PyObject *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(mlx_array_itemsize(MXPY_ARR(self)));
}

static PyObject *get_nbytes(PyObject *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(mlx_array_nbytes(MXPY_ARR(self)));
}

static PyObject *get_T(PyObject *self, void *c) {
  (void)c;
  return mxpy_transpose_impl(MXPY_ARR(self), Py_None, Py_None);
}

static PyObject *get_real(PyObject *self, void *c) {
  (void)c;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_real(&r, MXPY_ARR(self), s);
  mlx_stream_free(s);
  if (mxpy_check_op(st) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyObject *get_imag(PyObject *self, void *c) {
  (void)c;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_imag(&r, MXPY_ARR(self), s);
  mlx_stream_free(s);
  if (mxpy_check_op(st) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyGetSetDef array_getset[] = {
    {"shape", get_shape, NULL, "The shape of the array as a Python tuple.", NULL},
    {"dtype", get_dtype, NULL, "The array's :class:`Dtype`.", NULL},
    {"ndim", get_ndim, NULL, "The array's dimension.", NULL},
    {"size", get_size, NULL, "Number of elements in the array.", NULL},
    {"itemsize", get_itemsize, NULL, "The size of the array's datatype in bytes.", NULL},
    {"nbytes", get_nbytes, NULL, "The number of bytes in the array.", NULL},
    {"T", get_T, NULL, "Equivalent to calling ``self.transpose()`` with no arguments.", NULL},
    {"real", get_real, NULL, "The real part of a complex array.", NULL},
    {"imag", get_imag, NULL, "The imaginary part of a complex array.", NULL},
    {"at", (getter)(void (*)(void))mxpy_getitem, NULL, "Updates at indices: a.at[idx].add(y), subtract, multiply, divide, maximum, minimum.", (void *)mxpy_indexing_array_methods},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ------------------------------------------------------------------ methods */

static PyObject *m_item(PyObject *self, PyObject *unused) {
  (void)unused;
  return mxpy_item(MXPY_ARR(self));
}

static PyObject *m_tolist(PyObject *self, PyObject *unused) {
  (void)unused;
  return mxpy_tolist(MXPY_ARR(self));
}

static PyObject *m_astype(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"dtype", "stream", NULL};
  PyObject *dt, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:astype", kwlist, &dt, &stream)) return NULL;
  return mxpy_astype_impl(MXPY_ARR(self), dt, stream, "astype");
}

/* Pops the keyword-only `stream` argument; rejects any other keyword. */
static int only_stream_kw(PyObject *kwds, const char *fname, PyObject **stream) {
  *stream = Py_None;
  if (!kwds) return 0;
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(kwds, &pos, &k, &v)) {
    if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "stream") == 0) {
      *stream = v;
    } else {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", fname, k);
      return -1;
    }
  }
  return 0;
}

/* (*ints) or (sequence,) -> a sequence object (new reference). */
static PyObject *varargs_seq(PyObject *args) {
  if (PyTuple_GET_SIZE(args) == 1) {
    PyObject *x = PyTuple_GET_ITEM(args, 0);
    if (!mxpy_is_int_like(x)) {
      Py_INCREF(x);
      return x;
    }
  }
  Py_INCREF(args);
  return args;
}

static PyObject *m_reshape(PyObject *self, PyObject *args, PyObject *kwds) {
  PyObject *stream;
  if (only_stream_kw(kwds, "reshape", &stream) < 0) return NULL;
  PyObject *shape = varargs_seq(args);
  PyObject *r = mxpy_reshape_impl(MXPY_ARR(self), shape, stream);
  Py_DECREF(shape);
  return r;
}

static PyObject *m_transpose(PyObject *self, PyObject *args, PyObject *kwds) {
  PyObject *stream;
  if (only_stream_kw(kwds, "transpose", &stream) < 0) return NULL;
  if (PyTuple_GET_SIZE(args) == 0) return mxpy_transpose_impl(MXPY_ARR(self), Py_None, stream);
  PyObject *axes = varargs_seq(args);
  PyObject *r = mxpy_transpose_impl(MXPY_ARR(self), axes, stream);
  Py_DECREF(axes);
  return r;
}

static PyObject *m_sum(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"axis", "keepdims", "stream", NULL};
  PyObject *axis = Py_None, *stream = Py_None;
  int keepdims = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Op$O:sum", kwlist, &axis, &keepdims, &stream))
    return NULL;
  return mxpy_sum_impl(MXPY_ARR(self), axis, keepdims, stream);
}

/* numpy uses the buffer protocol first; it only gets here when exporting failed (for example
 * the array could not be evaluated), so this re-raises the real error instead of letting numpy
 * fall back to treating the array as an opaque object. */
static PyObject *m_array_dunder(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"dtype", "copy", NULL};
  PyObject *dtype = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:__array__", kwlist, &dtype, &copy)) return NULL;
  if (mxpy_eval_array(MXPY_ARR(self)) < 0) return NULL;
  PyObject *np = PyImport_ImportModule("numpy");
  if (!np) return NULL;
  PyObject *mv = PyMemoryView_FromObject(self);
  PyObject *r = NULL;
  if (mv) {
    r = PyObject_CallMethod(np, "array", "OO", mv, dtype);
    Py_DECREF(mv);
  }
  Py_DECREF(np);
  return r;
}

#define KW (PyCFunction)(void (*)(void))

static PyMethodDef array_methods[] = {
    {"__array__", KW m_array_dunder, METH_VARARGS | METH_KEYWORDS,
     "__array__(self, dtype=None, copy=None) -> numpy.ndarray"},
    {"item", m_item, METH_NOARGS, "item(self) -> scalar\n\nThe value of a size-1 array."},
    {"tolist", m_tolist, METH_NOARGS,
     "tolist(self) -> list | scalar\n\nThe array as (nested) Python lists."},
    {"astype", KW m_astype, METH_VARARGS | METH_KEYWORDS,
     "astype(self, dtype: Dtype, stream: StreamOrDevice = None) -> array\n\n"
     "Cast the array to a specified type."},
    {"reshape", KW m_reshape, METH_VARARGS | METH_KEYWORDS,
     "reshape(self, *shape, stream: StreamOrDevice = None) -> array\n\n"
     "Equivalent to :func:`reshape`; the shape may be a sequence or separate ints."},
    {"transpose", KW m_transpose, METH_VARARGS | METH_KEYWORDS,
     "transpose(self, *axes, stream: StreamOrDevice = None) -> array\n\n"
     "Equivalent to :func:`transpose`; the axes may be a sequence or separate ints."},
    {"sum", KW m_sum, METH_VARARGS | METH_KEYWORDS,
     "sum(self, axis=None, keepdims=False, *, stream=None) -> array\n\nSee :func:`sum`."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ number protocol */

static PyObject *nb_add(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_add, Py_None, true);
}
static PyObject *nb_sub(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_subtract, Py_None, true);
}
static PyObject *nb_mul(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_multiply, Py_None, true);
}
static PyObject *nb_div(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_divide, Py_None, true);
}

static PyObject *nb_matmul(PyObject *a, PyObject *b) {
  /* Like MLX, @ takes arrays (or array-like buffers), not Python scalars. */
  if (mxpy_is_scalar(a) || mxpy_is_scalar(b) || !mxpy_is_operand(a) || !mxpy_is_operand(b))
    Py_RETURN_NOTIMPLEMENTED;
  return mxpy_binary(a, b, mlx_matmul, Py_None, true);
}

/* In-place operators update the array object itself (like MLX: other references to the same
 * Python object see the new value; the result type follows the usual promotion). Buffers
 * exported earlier keep the old data alive through their own handle. */
static PyObject *inplace(PyObject *self, PyObject *other, mxpy_binop_fn fn) {
  if (!mxpy_Array_Check(self)) Py_RETURN_NOTIMPLEMENTED;
  PyObject *r = mxpy_binary(self, other, fn, Py_None, true);
  if (!r || r == Py_NotImplemented) return r;
  mlx_array tmp = MXPY_ARR(self);
  MXPY_ARR(self) = MXPY_ARR(r);
  MXPY_ARR(r) = tmp;
  Py_DECREF(r);
  Py_INCREF(self);
  return self;
}

static PyObject *nb_iadd(PyObject *a, PyObject *b) {
  return inplace(a, b, mlx_add);
}
static PyObject *nb_isub(PyObject *a, PyObject *b) {
  return inplace(a, b, mlx_subtract);
}
static PyObject *nb_imul(PyObject *a, PyObject *b) {
  return inplace(a, b, mlx_multiply);
}
static PyObject *nb_idiv(PyObject *a, PyObject *b) {
  if (mxpy_Array_Check(a)) {
    mlx_dtype d = mlx_array_dtype(MXPY_ARR(a));
    if (!mxpy_is_floating(d) && !mxpy_is_complex(d)) {
      PyErr_SetString(PyExc_ValueError,
                      "In place division cannot cast to non-floating point type.");
      return NULL;
    }
  }
  return inplace(a, b, mlx_divide);
}
static PyObject *nb_imatmul(PyObject *a, PyObject *b) {
  if (mxpy_is_scalar(b) || !mxpy_is_operand(b)) Py_RETURN_NOTIMPLEMENTED;
  return inplace(a, b, mlx_matmul);
}

static PyObject *nb_floordiv(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_floor_divide, Py_None, true);
}
static PyObject *nb_mod(PyObject *a, PyObject *b) {
  return mxpy_binary(a, b, mlx_remainder, Py_None, true);
}
static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod) {
  if (mod != Py_None) {
    PyErr_SetString(PyExc_TypeError, "__pow__(): the modulo argument is not supported.");
    return NULL;
  }
  return mxpy_binary(a, b, mlx_power, Py_None, true);
}

/* Bitwise operators: integer and bool arrays only (a float operand is a ValueError, as in MLX),
 * and no reflected forms (MLX has no __rand__ ...): `1 & a` is a TypeError. */
static bool inexact_operand(PyObject *o) {
  if (mxpy_Array_Check(o)) {
    mlx_dtype d = mlx_array_dtype(MXPY_ARR(o));
    return mxpy_is_floating(d) || mxpy_is_complex(d);
  }
  return PyFloat_Check(o) || PyComplex_Check(o);
}

static PyObject *bitwise_op(PyObject *a, PyObject *b, mxpy_binop_fn fn, const char *what,
                            bool in_place) {
  if (!mxpy_Array_Check(a) || !mxpy_is_operand(b)) Py_RETURN_NOTIMPLEMENTED;
  if (inexact_operand(a) || inexact_operand(b)) {
    PyErr_Format(PyExc_ValueError, "Floating point types not allowed with %s.", what);
    return NULL;
  }
  return in_place ? inplace(a, b, fn) : mxpy_binary(a, b, fn, Py_None, true);
}

static PyObject *nb_and(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_and, "bitwise and", false);
}
static PyObject *nb_or(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_or, "bitwise or", false);
}
static PyObject *nb_xor(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_xor, "bitwise xor", false);
}
static PyObject *nb_lshift(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_left_shift, "left shift", false);
}
static PyObject *nb_rshift(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_right_shift, "right shift", false);
}
static PyObject *nb_iand(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_and, "bitwise and", true);
}
static PyObject *nb_ior(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_or, "bitwise or", true);
}
static PyObject *nb_ixor(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_bitwise_xor, "bitwise xor", true);
}
static PyObject *nb_ilshift(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_left_shift, "left shift", true);
}
static PyObject *nb_irshift(PyObject *a, PyObject *b) {
  return bitwise_op(a, b, mlx_right_shift, "right shift", true);
}
static PyObject *nb_ifloordiv(PyObject *a, PyObject *b) {
  return inplace(a, b, mlx_floor_divide);
}
static PyObject *nb_imod(PyObject *a, PyObject *b) {
  return inplace(a, b, mlx_remainder);
}
static PyObject *nb_ipow(PyObject *a, PyObject *b, PyObject *mod) {
  if (mod != Py_None) {
    PyErr_SetString(PyExc_TypeError, "__ipow__(): the modulo argument is not supported.");
    return NULL;
  }
  return inplace(a, b, mlx_power);
}

typedef int (*unary_fn)(mlx_array *res, const mlx_array a, const mlx_stream s);

static PyObject *unary_op(PyObject *self, unary_fn fn) {
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = fn(&r, MXPY_ARR(self), s);
  mlx_stream_free(s);
  if (mxpy_check_op(st) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyObject *nb_neg(PyObject *self) {
  return unary_op(self, mlx_negative);
}

static PyObject *nb_abs(PyObject *self) {
  return unary_op(self, mlx_abs);
}

static PyObject *nb_invert(PyObject *self) {
  if (inexact_operand(self)) {
    PyErr_SetString(PyExc_ValueError, "Floating point types not allowed with bitwise inversion.");
    return NULL;
  }
  return unary_op(self, mlx_bitwise_invert);
}

/* == and != with a value that cannot be an array (a string, a list...) compare unequal, as in
 * MLX; None is rejected (TypeError); the ordering comparisons reject any such value. */
static PyObject *array_richcompare(PyObject *self, PyObject *other, int op) {
  static const char *names[] = {"less than", "less than or equal", "equal", "not equal",
                                "greater than", "greater than or equal"};
  static const char *dunder[] = {"__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"};
  if (!mxpy_Array_Check(self)) Py_RETURN_NOTIMPLEMENTED;
  if (!mxpy_is_operand(other)) {
    if (other == Py_None) {
      PyErr_Format(PyExc_TypeError, "%s(): incompatible function arguments (got None).",
                   dunder[op]);
      return NULL;
    }
    if (op == Py_EQ) Py_RETURN_FALSE;
    if (op == Py_NE) Py_RETURN_TRUE;
    PyErr_Format(PyExc_ValueError, "Cannot perform %s on an mlx.core.array and %.200s", names[op],
                 Py_TYPE(other)->tp_name);
    return NULL;
  }
  mxpy_binop_fn fn;
  switch (op) {
  case Py_LT: fn = mlx_less; break;
  case Py_LE: fn = mlx_less_equal; break;
  case Py_EQ: fn = mlx_equal; break;
  case Py_NE: fn = mlx_not_equal; break;
  case Py_GT: fn = mlx_greater; break;
  default: fn = mlx_greater_equal; break;
  }
  return mxpy_binary(self, other, fn, Py_None, true);
}

static PyObject *nb_pos(PyObject *self) {
  Py_INCREF(self);
  return self;
}

static int nb_bool(PyObject *self) {
  PyObject *x = mxpy_item(MXPY_ARR(self));
  if (!x) return -1;
  int r = PyObject_IsTrue(x);
  Py_DECREF(x);
  return r;
}

static PyObject *nb_int(PyObject *self) {
  PyObject *x = mxpy_item(MXPY_ARR(self));
  if (!x) return NULL;
  PyObject *r = PyNumber_Long(x);
  Py_DECREF(x);
  return r;
}

static PyObject *nb_float(PyObject *self) {
  PyObject *x = mxpy_item(MXPY_ARR(self));
  if (!x) return NULL;
  PyObject *r = PyNumber_Float(x);
  Py_DECREF(x);
  return r;
}

static PyObject *nb_index(PyObject *self) {
  mlx_array a = MXPY_ARR(self);
  mlx_dtype d = mlx_array_dtype(a);
  if (mlx_array_ndim(a) != 0 || !(mxpy_is_integral(d) || mxpy_is_bool(d))) {
    PyErr_SetString(PyExc_TypeError,
                    "Only 0-dimensional integer arrays can be converted to an index.");
    return NULL;
  }
  PyObject *x = mxpy_item(a);
  if (!x) return NULL;
  PyObject *r = PyNumber_Long(x);
  Py_DECREF(x);
  return r;
}

static PyNumberMethods array_as_number = {
    .nb_add = nb_add,
    .nb_subtract = nb_sub,
    .nb_multiply = nb_mul,
    .nb_true_divide = nb_div,
    .nb_matrix_multiply = nb_matmul,
    .nb_inplace_add = nb_iadd,
    .nb_inplace_subtract = nb_isub,
    .nb_inplace_multiply = nb_imul,
    .nb_inplace_true_divide = nb_idiv,
    .nb_inplace_matrix_multiply = nb_imatmul,
    .nb_floor_divide = nb_floordiv,
    .nb_remainder = nb_mod,
    .nb_power = nb_pow,
    .nb_lshift = nb_lshift,
    .nb_rshift = nb_rshift,
    .nb_and = nb_and,
    .nb_or = nb_or,
    .nb_xor = nb_xor,
    .nb_inplace_floor_divide = nb_ifloordiv,
    .nb_inplace_remainder = nb_imod,
    .nb_inplace_power = nb_ipow,
    .nb_inplace_lshift = nb_ilshift,
    .nb_inplace_rshift = nb_irshift,
    .nb_inplace_and = nb_iand,
    .nb_inplace_or = nb_ior,
    .nb_inplace_xor = nb_ixor,
    .nb_negative = nb_neg,
    .nb_absolute = nb_abs,
    .nb_invert = nb_invert,
    .nb_positive = nb_pos,
    .nb_bool = nb_bool,
    .nb_int = nb_int,
    .nb_float = nb_float,
    .nb_index = nb_index,
};

/* ------------------------------------------------------------------ length, rows, iteration */

static Py_ssize_t sq_len(PyObject *self) {
  mlx_array a = MXPY_ARR(self);
  if (mlx_array_ndim(a) == 0) {
    PyErr_SetString(PyExc_TypeError, "len() 0-dimensional array.");
    return -1;
  }
  return mlx_array_shape(a)[0];
}

PyObject *mxpy_row_object(PyObject *self, Py_ssize_t i) {
  mlx_array r = mlx_array_new();
  if (mxpy_array_row(MXPY_ARR(self), i, &r) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PySequenceMethods array_as_sequence = {
    .sq_length = sq_len,
};

static PyMappingMethods array_as_mapping = {
    .mp_length = sq_len,
    .mp_subscript = mxpy_getitem,
    .mp_ass_subscript = mxpy_setitem,
};

typedef struct {
  PyObject_HEAD PyObject *arr;
  Py_ssize_t i, n;
} ArrayIterObject;

static PyObject *array_iter(PyObject *self) {
  mlx_array a = MXPY_ARR(self);
  if (mlx_array_ndim(a) == 0) {
    PyErr_SetString(PyExc_TypeError, "iter() 0-dimensional array.");
    return NULL;
  }
  ArrayIterObject *it = PyObject_New(ArrayIterObject, &mxpy_ArrayIterType);
  if (!it) return NULL;
  Py_INCREF(self);
  it->arr = self;
  it->i = 0;
  it->n = mlx_array_shape(a)[0];
  return (PyObject *)it;
}

static void iter_dealloc(PyObject *self) {
  Py_XDECREF(((ArrayIterObject *)self)->arr);
  PyObject_Free(self);
}

static PyObject *iter_next(PyObject *self) {
  ArrayIterObject *it = (ArrayIterObject *)self;
  if (it->i >= it->n) return NULL;
  return mxpy_row_object(it->arr, it->i++);
}

static PyObject *iter_length_hint(PyObject *self, PyObject *unused) {
  (void)unused;
  ArrayIterObject *it = (ArrayIterObject *)self;
  return PyLong_FromSsize_t(it->n - it->i);
}

static PyMethodDef iter_methods[] = {
    {"__length_hint__", iter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject mxpy_ArrayIterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.ArrayIterator",
    .tp_basicsize = sizeof(ArrayIterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = iter_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = iter_next,
    .tp_methods = iter_methods,
};

/* ------------------------------------------------------------------ buffer protocol */

static const char *buffer_format(mlx_dtype d) {
  switch (d) {
  case MLX_BOOL:
    return "?";
  case MLX_UINT8:
    return "B";
  case MLX_UINT16:
    return "H";
  case MLX_UINT32:
    return "I";
  case MLX_UINT64:
    return "Q";
  case MLX_INT8:
    return "b";
  case MLX_INT16:
    return "h";
  case MLX_INT32:
    return "i";
  case MLX_INT64:
    return "q";
  case MLX_FLOAT16:
    return "e";
  case MLX_FLOAT32:
    return "f";
  case MLX_FLOAT64:
    return "d";
  /* No PEP 3118 code exists for bfloat16; like MLX we name it, so consumers (numpy,
   * memoryview.tolist) reject it with an error naming bfloat16. */
  case MLX_BFLOAT16:
    return "bfloat16";
  case MLX_COMPLEX64:
    return "Zf";
  }
  return "B";
}

typedef struct {
  mlx_array keep;
  Py_ssize_t dims[]; /* shape[ndim], strides[ndim] */
} export_info;

static bool is_contig(int nd, const Py_ssize_t *shape, const Py_ssize_t *strides, Py_ssize_t isz,
                      bool c_order) {
  Py_ssize_t expect = isz;
  for (int k = 0; k < nd; k++) {
    if (shape[k] == 0) return true;
  }
  for (int k = 0; k < nd; k++) {
    int i = c_order ? nd - 1 - k : k;
    if (shape[i] != 1 && strides[i] != expect) return false;
    expect *= shape[i];
  }
  return true;
}

static int array_getbuffer(PyObject *self, Py_buffer *view, int flags) {
  view->obj = NULL;
  mlx_array a; /* our own handle: the export keeps it (and so the data) alive */
  if (mxpy_eval_keep(MXPY_ARR(self), &a) < 0) return -1;
  int nd = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  Py_ssize_t isz = (Py_ssize_t)mlx_array_itemsize(a);
  /* internal: the handle (keeps the data alive even if the object is updated in place later),
   * then shape and strides. */
  export_info *info =
      (export_info *)PyMem_Malloc(sizeof(export_info) + sizeof(Py_ssize_t) * (size_t)(2 * nd + 1));
  int64_t *bs = (int64_t *)PyMem_Malloc(sizeof(int64_t) * (size_t)(nd + 1));
  if (!info || !bs) {
    PyMem_Free(info);
    PyMem_Free(bs);
    mlx_array_free(a);
    PyErr_NoMemory();
    return -1;
  }
  info->keep = a;
  Py_ssize_t *mem = info->dims;
  mxpy_byte_strides(a, bs);
  for (int i = 0; i < nd; i++) {
    mem[i] = shape[i];
    mem[nd + i] = (Py_ssize_t)bs[i];
  }
  PyMem_Free(bs);
  bool c = is_contig(nd, mem, mem + nd, isz, true);
  bool f = is_contig(nd, mem, mem + nd, isz, false);
  const char *err = NULL;
  if ((flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS && !c) {
    err = "array is not C-contiguous";
  } else if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && !f) {
    err = "array is not Fortran-contiguous";
  } else if ((flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS && !c && !f) {
    err = "array is not contiguous";
  } else if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES && !c) {
    err = "array is not C-contiguous (strides are needed)";
  }
  if (err) {
    mlx_array_free(info->keep);
    PyMem_Free(info);
    PyErr_SetString(PyExc_BufferError, err);
    return -1;
  }
  static char empty_data[16];
  const char *data = mlx_array_size(a) ? mxpy_data_ptr(a) : NULL;
  if (!data) data = empty_data;
  view->buf = (void *)data;
  view->obj = self;
  Py_INCREF(self);
  view->len = (Py_ssize_t)mlx_array_size(a) * isz;
  view->readonly = 0;
  view->itemsize = isz;
  view->format = (flags & PyBUF_FORMAT) ? (char *)buffer_format(mlx_array_dtype(a)) : NULL;
  view->ndim = nd;
  view->shape = (flags & PyBUF_ND) == PyBUF_ND ? mem : NULL;
  view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? mem + nd : NULL;
  view->suboffsets = NULL;
  view->internal = info;
  return 0;
}

static void array_releasebuffer(PyObject *self, Py_buffer *view) {
  (void)self;
  export_info *info = (export_info *)view->internal;
  if (info) {
    mlx_array_free(info->keep);
    PyMem_Free(info);
  }
  view->internal = NULL;
}

static PyBufferProcs array_as_buffer = {
    .bf_getbuffer = array_getbuffer,
    .bf_releasebuffer = array_releasebuffer,
};

/* ------------------------------------------------------------------ the type */

PyTypeObject mxpy_ArrayType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.array",
    .tp_basicsize = sizeof(mxpy_ArrayObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "array(val: scalar | list | tuple | buffer | array, dtype: Dtype | None = None)\n\n"
              "An N-dimensional array object.",
    .tp_new = array_new,
    .tp_dealloc = array_dealloc,
    .tp_repr = array_repr,
    .tp_str = array_repr,
    .tp_getset = array_getset,
    .tp_methods = array_methods,
    .tp_as_number = &array_as_number,
    .tp_as_sequence = &array_as_sequence,
    .tp_as_mapping = &array_as_mapping,
    .tp_as_buffer = &array_as_buffer,
    .tp_iter = array_iter,
    .tp_richcompare = array_richcompare,
};

int mxpy_array_add_methods(PyMethodDef *defs) {
  for (PyMethodDef *d = defs; d->ml_name; d++) {
    PyObject *descr = PyDescr_NewMethod(&mxpy_ArrayType, d);
    if (!descr) return -1;
    int rc = PyDict_SetItemString(mxpy_ArrayType.tp_dict, d->ml_name, descr);
    Py_DECREF(descr);
    if (rc < 0) return -1;
  }
  PyType_Modified(&mxpy_ArrayType);
  return 0;
}

int mxpy_array_module_init(PyObject *m) {
  /* hashable by identity (as MLX) although it defines rich comparisons */
  mxpy_ArrayType.tp_hash = PyBaseObject_Type.tp_hash;
  if (PyType_Ready(&mxpy_ArrayType) < 0) return -1;
  if (PyType_Ready(&mxpy_ArrayIterType) < 0) return -1;
  Py_INCREF(&mxpy_ArrayType);
  if (PyModule_AddObject(m, "array", (PyObject *)&mxpy_ArrayType) < 0) {
    Py_DECREF(&mxpy_ArrayType);
    return -1;
  }
  return 0;
}
