/* mlx.core.array: the array type (construction, properties, operators and comparisons with
 * MLX's operand rules, Python scalar conversions, iteration, methods, copying, formatting).
 * Data exchange (buffer protocol, numpy, pickling, DLPack) is in buffer.c and dlpack.c. */
#include "buffer.h"

#include <string.h>

/* ------------------------------------------------------------------ lifetime */

/* Like MLX: __new__ makes an empty object (what unpickling starts from) and __init__ fills it,
 * so subclasses may take other constructor arguments. An empty handle is safe: the C API
 * rejects it ("Got an empty array handle") and __setstate__ fills it. */
static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  (void)args, (void)kwds;
  mxpy_ArrayObject *o = (mxpy_ArrayObject *)type->tp_alloc(type, 0);
  if (o) o->arr = mlx_array_new();
  return (PyObject *)o;
}

static int array_init(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"val", "dtype", NULL};
  PyObject *val, *dt = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:array", kwlist, &val, &dt)) return -1;
  mlx_dtype d;
  bool has = false;
  if (mxpy_dtype_arg(dt, true, "array", &d, &has) < 0) return -1;
  mlx_array a = mlx_array_new();
  if (mxpy_array_from_object(val, has ? &d : NULL, &a) < 0) {
    mlx_array_free(a);
    return -1;
  }
  mlx_array old = MXPY_ARR(self);
  MXPY_ARR(self) = a;
  mlx_array_free(old);
  return 0;
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

static PyObject *get_real(PyObject *self, void *c) {
  (void)c;
  return unary_op(self, mlx_real);
}

static PyObject *get_imag(PyObject *self, void *c) {
  (void)c;
  return unary_op(self, mlx_imag);
}

static int swap_last_two(mlx_array *res, const mlx_array a, const mlx_stream s) {
  return mlx_swapaxes(res, a, -1, -2, s);
}

static PyObject *get_mT(PyObject *self, void *c) {
  (void)c;
  if (mlx_array_ndim(MXPY_ARR(self)) < 2) {
    PyErr_SetString(PyExc_ValueError,
                    "[matrix_transpose] Input array must have at least 2 dimensions.");
    return NULL;
  }
  return unary_op(self, swap_last_two);
}

static PyObject *get_at(PyObject *self, void *c) {
  (void)c;
  /* indexing.c makes the ArrayAt object when mxpy_getitem receives this sentinel key. */
  return mxpy_getitem(self, (PyObject *)(void *)mxpy_indexing_array_methods);
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
    {"mT", get_mT, NULL, "The array with its last two axes swapped.", NULL},
    {"at", get_at, NULL,
     "Updates at indices: a.at[idx].add(y), subtract, multiply, divide, maximum, minimum.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ------------------------------------------------------------------ operators */

/* The binary operators, in MLX's terms: the name its messages use, the dunder stem, the op, and
 * whether it is bitwise (integer and bool arrays only, no reflected form). Comparisons come in
 * Python's Py_LT .. Py_GE order. */
typedef struct {
  const char *what, *stem;
  mxpy_binop_fn fn;
  bool bitwise;
} binop;

enum {
  OP_LT,
  OP_LE,
  OP_EQ,
  OP_NE,
  OP_GT,
  OP_GE, /* = Py_LT .. Py_GE */
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_FLOORDIV,
  OP_MOD,
  OP_POW,
  OP_AND,
  OP_OR,
  OP_XOR,
  OP_LSHIFT,
  OP_RSHIFT,
};

static const binop binops[] = {
    [OP_LT] = {"less than", "lt", mlx_less, false},
    [OP_LE] = {"less than or equal", "le", mlx_less_equal, false},
    [OP_EQ] = {"equal", "eq", mlx_equal, false},
    [OP_NE] = {"not equal", "ne", mlx_not_equal, false},
    [OP_GT] = {"greater than", "gt", mlx_greater, false},
    [OP_GE] = {"greater than or equal", "ge", mlx_greater_equal, false},
    [OP_ADD] = {"addition", "add", mlx_add, false},
    [OP_SUB] = {"subtraction", "sub", mlx_subtract, false},
    [OP_MUL] = {"multiplication", "mul", mlx_multiply, false},
    [OP_DIV] = {"division", "truediv", mlx_divide, false},
    [OP_FLOORDIV] = {"floor division", "floordiv", mlx_floor_divide, false},
    [OP_MOD] = {"modulus", "mod", mlx_remainder, false},
    [OP_POW] = {"power", "pow", mlx_power, false},
    [OP_AND] = {"bitwise and", "and", mlx_bitwise_and, true},
    [OP_OR] = {"bitwise or", "or", mlx_bitwise_or, true},
    [OP_XOR] = {"bitwise xor", "xor", mlx_bitwise_xor, true},
    [OP_LSHIFT] = {"left shift", "lshift", mlx_left_shift, true},
    [OP_RSHIFT] = {"right shift", "rshift", mlx_right_shift, true},
};

/* An operand no overload accepts: None is a TypeError; anything else (a string, a list, an
 * object defining the reflected operator...) is MLX's ValueError naming the operation and the
 * type (module-qualified unless builtin). */
static PyObject *operand_error(PyObject *other, int op, const char *prefix) {
  const binop *b = &binops[op];
  if (other == Py_None) {
    PyErr_Format(PyExc_TypeError,
                 "__%s%s__(): incompatible function arguments: got mlx.core.array, NoneType.",
                 prefix, b->stem);
    return NULL;
  }
  PyObject *tp = (PyObject *)Py_TYPE(other);
  PyObject *mod = PyObject_GetAttrString(tp, "__module__");
  PyObject *qual = mod ? PyObject_GetAttrString(tp, "__qualname__") : NULL;
  PyErr_Clear();
  bool builtin =
      !mod || !PyUnicode_Check(mod) || PyUnicode_CompareWithASCIIString(mod, "builtins") == 0;
  const char *in_place = *prefix == 'i' ? "inplace " : "";
  if (builtin || !qual) {
    PyErr_Format(PyExc_ValueError, "Cannot perform %s%s on an mlx.core.array and %.200s", in_place,
                 b->what, Py_TYPE(other)->tp_name);
  } else {
    PyErr_Format(PyExc_ValueError, "Cannot perform %s%s on an mlx.core.array and %S.%S", in_place,
                 b->what, mod, qual);
  }
  Py_XDECREF(mod);
  Py_XDECREF(qual);
  return NULL;
}

static bool inexact_operand(PyObject *o) {
  if (mxpy_Array_Check(o)) {
    mlx_dtype d = mlx_array_dtype(MXPY_ARR(o));
    return mxpy_is_floating(d) || mxpy_is_complex(d);
  }
  return PyFloat_Check(o) || PyComplex_Check(o);
}

/* In-place operators: the array object self takes the result r (like MLX: other references to
 * the same Python object see the new value; buffers exported earlier keep the old data through
 * their own handle). */
static PyObject *take_result(PyObject *self, PyObject *r) {
  if (!r || r == Py_NotImplemented) return r;
  mlx_array tmp = MXPY_ARR(self);
  MXPY_ARR(self) = MXPY_ARR(r);
  MXPY_ARR(r) = tmp;
  Py_DECREF(r);
  return Py_NewRef(self);
}

/* a OP b where a (or, reflected, b) is the array; in place, a takes the result. */
static PyObject *apply_binop(PyObject *a, PyObject *b, int op, bool in_place) {
  const binop *bo = &binops[op];
  bool reflected = !mxpy_Array_Check(a);
  if (reflected && (bo->bitwise || in_place || !mxpy_Array_Check(b))) Py_RETURN_NOTIMPLEMENTED;
  PyObject *other = reflected ? a : b, *like = NULL;
  if (!mxpy_is_operand(other))
    return operand_error(other, op, in_place ? "i" : reflected ? "r" : "");
  if (!mxpy_Array_Check(other) && !mxpy_is_scalar(other)) {
    like = mxpy_mlx_array_protocol(other); /* objects with __mlx_array__ act as that array */
    if (!like && PyErr_Occurred()) return NULL;
    if (like) other = like;
  }
  PyObject *r;
  if (bo->bitwise && (inexact_operand(a) || inexact_operand(other))) {
    PyErr_Format(PyExc_ValueError, "Floating point types not allowed with %s.", bo->what);
    r = NULL;
  } else {
    r = reflected ? mxpy_binary(other, b, bo->fn, Py_None, true)
                  : mxpy_binary(a, other, bo->fn, Py_None, true);
  }
  Py_XDECREF(like);
  return in_place ? take_result(a, r) : r;
}

#define BINARY_SLOTS(name, op)                                                                     \
  static PyObject *nb_##name(PyObject *a, PyObject *b) {                                           \
    return apply_binop(a, b, op, false);                                                           \
  }                                                                                                \
  static PyObject *nb_i##name(PyObject *a, PyObject *b) {                                          \
    return apply_binop(a, b, op, true);                                                            \
  }
BINARY_SLOTS(add, OP_ADD)
BINARY_SLOTS(sub, OP_SUB)
BINARY_SLOTS(mul, OP_MUL)
BINARY_SLOTS(floordiv, OP_FLOORDIV)
BINARY_SLOTS(mod, OP_MOD)
BINARY_SLOTS(and, OP_AND)
BINARY_SLOTS(or, OP_OR)
BINARY_SLOTS(xor, OP_XOR)
BINARY_SLOTS(lshift, OP_LSHIFT)
BINARY_SLOTS(rshift, OP_RSHIFT)
#undef BINARY_SLOTS

static PyObject *nb_div(PyObject *a, PyObject *b) {
  return apply_binop(a, b, OP_DIV, false);
}

static PyObject *nb_idiv(PyObject *a, PyObject *b) {
  mlx_dtype d = mlx_array_dtype(MXPY_ARR(a));
  if (!mxpy_is_floating(d) && !mxpy_is_complex(d)) {
    PyErr_SetString(PyExc_ValueError, "In place division cannot cast to non-floating point type.");
    return NULL;
  }
  return apply_binop(a, b, OP_DIV, true);
}

static PyObject *pow_op(PyObject *a, PyObject *b, PyObject *mod, bool in_place) {
  if (mod != Py_None) {
    PyErr_Format(PyExc_TypeError, "__%spow__(): the modulo argument is not supported.",
                 in_place ? "i" : "");
    return NULL;
  }
  return apply_binop(a, b, OP_POW, in_place);
}

static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod) {
  return pow_op(a, b, mod, false);
}

static PyObject *nb_ipow(PyObject *a, PyObject *b, PyObject *mod) {
  return pow_op(a, b, mod, true);
}

/* Like MLX, @ takes arrays (or array-likes), not Python scalars; other operands are left to
 * Python (NotImplemented: a TypeError unless the other side knows better). */
static bool matmul_operand(PyObject *o) {
  return !mxpy_is_scalar(o) && mxpy_is_operand(o);
}

static PyObject *nb_matmul(PyObject *a, PyObject *b) {
  if (!matmul_operand(a) || !matmul_operand(b)) Py_RETURN_NOTIMPLEMENTED;
  return mxpy_binary(a, b, mlx_matmul, Py_None, true);
}

static PyObject *nb_imatmul(PyObject *a, PyObject *b) {
  if (!matmul_operand(b)) Py_RETURN_NOTIMPLEMENTED;
  return take_result(a, nb_matmul(a, b));
}

/* == and != with a value that cannot be an array (a string, a list...) compare unequal, as in
 * MLX; None is rejected (TypeError); the ordering comparisons reject any such value. Python
 * swaps reflected comparisons itself, so self is always the array. */
static PyObject *array_richcompare(PyObject *self, PyObject *other, int op) {
  if (!mxpy_Array_Check(self)) Py_RETURN_NOTIMPLEMENTED;
  if (other != Py_None && !mxpy_is_operand(other)) {
    if (op == Py_EQ) Py_RETURN_FALSE;
    if (op == Py_NE) Py_RETURN_TRUE;
  }
  return apply_binop(self, other, op, false);
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

static PyObject *nb_pos(PyObject *self) {
  return Py_NewRef(self);
}

/* ------------------------------------------------------------------ Python scalars */

/* bool(), int(), float(), complex(): size-1 arrays only (MLX's ValueError otherwise), through
 * the element's Python value (so int() of a complex array is Python's TypeError). */
static PyObject *scalar_as(PyObject *self, PyObject *(*conv)(PyObject *)) {
  PyObject *x = mxpy_item(MXPY_ARR(self));
  if (!x) return NULL;
  PyObject *r = conv(x);
  Py_DECREF(x);
  return r;
}

static PyObject *to_complex(PyObject *x) {
  Py_complex c = PyComplex_AsCComplex(x);
  if (c.real == -1.0 && PyErr_Occurred()) return NULL;
  return PyComplex_FromCComplex(c);
}

static int nb_bool(PyObject *self) {
  PyObject *x = mxpy_item(MXPY_ARR(self));
  if (!x) return -1;
  int r = PyObject_IsTrue(x);
  Py_DECREF(x);
  return r;
}

static PyObject *nb_int(PyObject *self) {
  return scalar_as(self, PyNumber_Long);
}

static PyObject *nb_float(PyObject *self) {
  return scalar_as(self, PyNumber_Float);
}

static PyObject *m_complex(PyObject *self, PyObject *unused) {
  (void)unused;
  return scalar_as(self, to_complex);
}

static PyObject *nb_index(PyObject *self) {
  mlx_array a = MXPY_ARR(self);
  if (mlx_array_ndim(a) != 0 || !mxpy_is_integral(mlx_array_dtype(a)) || !a.ctx) {
    PyErr_SetString(PyExc_TypeError,
                    "Only 0-dimensional integer arrays can be converted to an index.");
    return NULL;
  }
  return scalar_as(self, PyNumber_Long);
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

/* With __len__, makes arrays sequences as in MLX (reversed() works). */
static PyObject *sq_item(PyObject *self, Py_ssize_t i) {
  return mxpy_row_object(self, i);
}

static PySequenceMethods array_as_sequence = {
    .sq_length = sq_len,
    .sq_item = sq_item,
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

/* a.__format__(spec): a 0-d array formats as its value; others only with an empty spec (their
 * str()), as in MLX. */
static PyObject *m_format(PyObject *self, PyObject *spec) {
  if (!PyUnicode_Check(spec)) {
    PyErr_Format(PyExc_TypeError, "__format__(): the format spec must be a str, not %.200s.",
                 Py_TYPE(spec)->tp_name);
    return NULL;
  }
  if (mlx_array_ndim(MXPY_ARR(self)) == 0) {
    PyObject *x = mxpy_item(MXPY_ARR(self));
    if (!x) return NULL;
    PyObject *r = PyObject_Format(x, spec);
    Py_DECREF(x);
    return r;
  }
  if (PyUnicode_GET_LENGTH(spec) == 0) return PyObject_Str(self);
  PyErr_SetString(PyExc_TypeError, "unsupported format string passed to mx.array.__format__");
  return NULL;
}

/* copy.copy / copy.deepcopy: a new array object on the same (immutable) array, as in MLX. */
static PyObject *m_copy(PyObject *self, PyObject *unused) {
  (void)unused;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_array_set(&r, MXPY_ARR(self))) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyObject *m_deepcopy(PyObject *self, PyObject *memo) {
  if (!PyDict_Check(memo)) {
    PyErr_Format(PyExc_TypeError, "__deepcopy__(): memo must be a dict, not %.200s.",
                 Py_TYPE(memo)->tp_name);
    return NULL;
  }
  return m_copy(self, NULL);
}

/* Python 2 names MLX still exposes. */
static PyObject *m_div(PyObject *self, PyObject *other) {
  return apply_binop(self, other, OP_DIV, false);
}

static PyObject *m_rdiv(PyObject *self, PyObject *other) {
  return apply_binop(other, self, OP_DIV, false);
}

static PyObject *m_array_namespace(PyObject *self, PyObject *args, PyObject *kwds) {
  (void)self;
  static char *kwlist[] = {"api_version", NULL};
  PyObject *version = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__array_namespace__", kwlist, &version))
    return NULL;
  if (version != Py_None) {
    PyErr_SetString(PyExc_ValueError, "Explicitly specifying api_version is not yet implemented.");
    return NULL;
  }
  return PyImport_ImportModule("mlx.core");
}

#define KW (PyCFunction)(void (*)(void))

static PyMethodDef array_methods[] = {
    {"item", m_item, METH_NOARGS, "item(self) -> scalar\n\nThe value of a size-1 array."},
    {"__complex__", m_complex, METH_NOARGS,
     "__complex__(self) -> complex\n\nThe value of a size-1 array as a complex number."},
    {"__format__", m_format, METH_O, "__format__(self, spec: str) -> str"},
    {"__copy__", m_copy, METH_NOARGS, "__copy__(self) -> array"},
    {"__deepcopy__", m_deepcopy, METH_O, "__deepcopy__(self, memo: dict) -> array"},
    {"__div__", m_div, METH_O, "__div__(self, other) -> array\n\nSame as ``self / other``."},
    {"__rdiv__", m_rdiv, METH_O, "__rdiv__(self, other) -> array\n\nSame as ``other / self``."},
    {"__array_namespace__", KW m_array_namespace, METH_VARARGS | METH_KEYWORDS,
     "__array_namespace__(self, api_version: str | None = None) -> module\n\n"
     "The array API namespace of the array: :mod:`mlx.core`."},
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

/* ------------------------------------------------------------------ the type */

PyTypeObject mxpy_ArrayType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.array",
    .tp_basicsize = sizeof(mxpy_ArrayObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc =
        "An N-dimensional array object.\n\n"
        "array(val: scalar | list | tuple | buffer | DLPack | array, dtype: Dtype | None = None)",
    .tp_new = array_new,
    .tp_init = array_init,
    .tp_dealloc = array_dealloc,
    .tp_repr = array_repr,
    .tp_str = array_repr,
    .tp_getset = array_getset,
    .tp_methods = array_methods,
    .tp_as_number = &array_as_number,
    .tp_as_sequence = &array_as_sequence,
    .tp_as_mapping = &array_as_mapping,
    .tp_as_buffer = &mxpy_array_buffer_procs,
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

/* Slot wrappers CPython derives that MLX's array does not have (it has no reflected bitwise
 * operators, no __rmatmul__ and no __delitem__); the slots themselves stay. __hash__ goes too, so
 * the identity hash is object's own, as in MLX. (__module__ comes from tp_name for a static
 * type; the dict entry only makes dir() list it, as MLX's does.) */
static const char *const absent_names[] = {"__rand__",    "__ror__",     "__rxor__",
                                           "__rlshift__", "__rrshift__", "__rmatmul__",
                                           "__delitem__", "__hash__"};

int mxpy_array_module_init(PyObject *m) {
  /* hashable by identity (as MLX) although it defines rich comparisons */
  mxpy_ArrayType.tp_hash = PyBaseObject_Type.tp_hash;
  if (PyType_Ready(&mxpy_ArrayType) < 0) return -1;
  if (PyType_Ready(&mxpy_ArrayIterType) < 0) return -1;
  PyObject *dict = mxpy_ArrayType.tp_dict;
  for (size_t i = 0; i < sizeof(absent_names) / sizeof(absent_names[0]); i++) {
    if (PyDict_DelItemString(dict, absent_names[i]) < 0) PyErr_Clear();
  }
  PyObject *modname = PyUnicode_FromString("mlx.core");
  int rc = modname ? PyDict_SetItemString(dict, "__module__", modname) : -1;
  Py_XDECREF(modname);
  if (rc < 0) return -1;
  if (mxpy_array_add_methods(mxpy_buffer_array_methods) < 0 ||
      mxpy_array_add_methods(mxpy_dlpack_array_methods) < 0 ||
      PyModule_AddFunctions(m, mxpy_dlpack_methods) < 0)
    return -1;
  PyTypeObject *at = mxpy_array_at_type();
  if (!at || PyModule_AddObjectRef(m, "array", (PyObject *)&mxpy_ArrayType) < 0 ||
      PyModule_AddObjectRef(m, "ArrayAt", (PyObject *)at) < 0 ||
      PyModule_AddObjectRef(m, "ArrayIterator", (PyObject *)&mxpy_ArrayIterType) < 0)
    return -1;
  return 0;
}
