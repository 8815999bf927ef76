/* mlx.core.Dtype: one singleton object per mlx_dtype, MLX's promotion table and dtype helpers. */
#include "mlxpy.h"

static const char *dtype_names[MLXPY_NUM_DTYPES] = {
    "bool",  "uint8", "uint16",  "uint32",  "uint64",  "int8",     "int16",
    "int32", "int64", "float16", "float32", "float64", "bfloat16", "complex64",
};
/* Module attribute names (bool is a keyword-ish builtin, so MLX spells it bool_). */
static const char *dtype_attr_names[MLXPY_NUM_DTYPES] = {
    "bool_", "uint8", "uint16",  "uint32",  "uint64",  "int8",     "int16",
    "int32", "int64", "float16", "float32", "float64", "bfloat16", "complex64",
};
static const size_t dtype_sizes[MLXPY_NUM_DTYPES] = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 2, 8};

static PyObject *dtype_objects[MLXPY_NUM_DTYPES];

#define B MLX_BOOL
#define U8 MLX_UINT8
#define U16 MLX_UINT16
#define U32 MLX_UINT32
#define U64 MLX_UINT64
#define I8 MLX_INT8
#define I16 MLX_INT16
#define I32 MLX_INT32
#define I64 MLX_INT64
#define F16 MLX_FLOAT16
#define F32 MLX_FLOAT32
#define F64 MLX_FLOAT64
#define BF MLX_BFLOAT16
#define C64 MLX_COMPLEX64

/* MLX's binary promotion table (rows and columns in mlx_dtype order). */
static const mlx_dtype promote_table[MLXPY_NUM_DTYPES][MLXPY_NUM_DTYPES] = {
    /* b   */ {B, U8, U16, U32, U64, I8, I16, I32, I64, F16, F32, F64, BF, C64},
    /* u8  */ {U8, U8, U16, U32, U64, I16, I16, I32, I64, F16, F32, F64, BF, C64},
    /* u16 */ {U16, U16, U16, U32, U64, I32, I32, I32, I64, F16, F32, F64, BF, C64},
    /* u32 */ {U32, U32, U32, U32, U64, I64, I64, I64, I64, F16, F32, F64, BF, C64},
    /* u64 */ {U64, U64, U64, U64, U64, F32, F32, F32, F32, F16, F32, F64, BF, C64},
    /* i8  */ {I8, I16, I32, I64, F32, I8, I16, I32, I64, F16, F32, F64, BF, C64},
    /* i16 */ {I16, I16, I32, I64, F32, I16, I16, I32, I64, F16, F32, F64, BF, C64},
    /* i32 */ {I32, I32, I32, I64, F32, I32, I32, I32, I64, F16, F32, F64, BF, C64},
    /* i64 */ {I64, I64, I64, I64, F32, I64, I64, I64, I64, F16, F32, F64, BF, C64},
    /* f16 */ {F16, F16, F16, F16, F16, F16, F16, F16, F16, F16, F32, F64, F32, C64},
    /* f32 */ {F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F64, F32, C64},
    /* f64 */ {F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, C64},
    /* bf  */ {BF, BF, BF, BF, BF, BF, BF, BF, BF, F32, F32, F64, BF, C64},
    /* c64 */ {C64, C64, C64, C64, C64, C64, C64, C64, C64, C64, C64, C64, C64, C64},
};

static bool valid(mlx_dtype d) {
  return (int)d >= 0 && (int)d < MLXPY_NUM_DTYPES;
}

mlx_dtype mxpy_promote(mlx_dtype a, mlx_dtype b) {
  if (!valid(a) || !valid(b)) return MLX_FLOAT32;
  return promote_table[a][b];
}

const char *mxpy_dtype_name(mlx_dtype d) {
  return valid(d) ? dtype_names[d] : "unknown";
}

size_t mxpy_dtype_size(mlx_dtype d) {
  return valid(d) ? dtype_sizes[d] : 0;
}

bool mxpy_is_bool(mlx_dtype d) {
  return d == MLX_BOOL;
}
bool mxpy_is_unsigned(mlx_dtype d) {
  return d == MLX_UINT8 || d == MLX_UINT16 || d == MLX_UINT32 || d == MLX_UINT64;
}
bool mxpy_is_signed_int(mlx_dtype d) {
  return d == MLX_INT8 || d == MLX_INT16 || d == MLX_INT32 || d == MLX_INT64;
}
bool mxpy_is_integral(mlx_dtype d) {
  return mxpy_is_unsigned(d) || mxpy_is_signed_int(d);
}
bool mxpy_is_floating(mlx_dtype d) {
  return d == MLX_FLOAT16 || d == MLX_FLOAT32 || d == MLX_FLOAT64 || d == MLX_BFLOAT16;
}
bool mxpy_is_complex(mlx_dtype d) {
  return d == MLX_COMPLEX64;
}

PyObject *mxpy_dtype_object(mlx_dtype d) {
  if (!valid(d) || !dtype_objects[d]) {
    PyErr_Format(PyExc_RuntimeError, "Unknown dtype %d.", (int)d);
    return NULL;
  }
  Py_INCREF(dtype_objects[d]);
  return dtype_objects[d];
}

int mxpy_dtype_arg(PyObject *o, bool allow_none, const char *fname, mlx_dtype *out, bool *has) {
  if (has) *has = false;
  if (o == NULL || o == Py_None) {
    if (allow_none) return 0;
    PyErr_Format(PyExc_TypeError, "%s(): dtype must be an mlx.core.Dtype, not None.", fname);
    return -1;
  }
  if (!mxpy_Dtype_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): dtype must be an mlx.core.Dtype, not %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = ((mxpy_DtypeObject *)o)->dtype;
  if (has) *has = true;
  return 0;
}

/* ------------------------------------------------------------------ the Dtype type */

static PyObject *dtype_repr(PyObject *self) {
  return PyUnicode_FromFormat("mlx.core.%s", mxpy_dtype_name(((mxpy_DtypeObject *)self)->dtype));
}

static Py_hash_t dtype_hash(PyObject *self) {
  return (Py_hash_t)((mxpy_DtypeObject *)self)->dtype;
}

static PyObject *dtype_richcompare(PyObject *a, PyObject *b, int op) {
  if (!mxpy_Dtype_Check(a) || !mxpy_Dtype_Check(b) || (op != Py_EQ && op != Py_NE)) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  bool eq = ((mxpy_DtypeObject *)a)->dtype == ((mxpy_DtypeObject *)b)->dtype;
  if (op == Py_NE) eq = !eq;
  return PyBool_FromLong(eq);
}

static PyObject *dtype_get_size(PyObject *self, void *closure) {
  (void)closure;
  return PyLong_FromSize_t(mxpy_dtype_size(((mxpy_DtypeObject *)self)->dtype));
}

static PyGetSetDef dtype_getset[] = {
    {"size", dtype_get_size, NULL, "Size of the type in bytes.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject mxpy_DtypeType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.Dtype",
    .tp_basicsize = sizeof(mxpy_DtypeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An object to hold the type of a :class:`array`.",
    .tp_repr = dtype_repr,
    .tp_str = dtype_repr,
    .tp_hash = dtype_hash,
    .tp_richcompare = dtype_richcompare,
    .tp_getset = dtype_getset,
};

int mxpy_dtype_module_init(PyObject *m) {
  if (PyType_Ready(&mxpy_DtypeType) < 0) return -1;
  Py_INCREF(&mxpy_DtypeType);
  if (PyModule_AddObject(m, "Dtype", (PyObject *)&mxpy_DtypeType) < 0) {
    Py_DECREF(&mxpy_DtypeType);
    return -1;
  }
  for (int i = 0; i < MLXPY_NUM_DTYPES; i++) {
    if (!dtype_objects[i]) {
      mxpy_DtypeObject *o = PyObject_New(mxpy_DtypeObject, &mxpy_DtypeType);
      if (!o) return -1;
      o->dtype = (mlx_dtype)i;
      dtype_objects[i] = (PyObject *)o;
    }
    Py_INCREF(dtype_objects[i]);
    if (PyModule_AddObject(m, dtype_attr_names[i], dtype_objects[i]) < 0) {
      Py_DECREF(dtype_objects[i]);
      return -1;
    }
  }
  return 0;
}
