/* mlx.core: reading arrays from Python: wrapping handles, evaluation with the GIL released,
 * data pointers and strides, item(), tolist(), rows for iteration; also integer-list arguments
 * (shapes, axes). */
#include "mlxpy.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const int dummy_shape[1] = {0};

/* ------------------------------------------------------------------ small helpers */

PyObject *mxpy_array_wrap(mlx_array a) {
  if (!a.ctx) {
    PyErr_SetString(PyExc_RuntimeError, "[mlx] Operation returned an empty array handle.");
    return NULL;
  }
  mxpy_ArrayObject *o = (mxpy_ArrayObject *)mxpy_ArrayType.tp_alloc(&mxpy_ArrayType, 0);
  if (!o) {
    mlx_array_free(a);
    return NULL;
  }
  o->arr = a;
  return (PyObject *)o;
}

void mxpy_ints_init(mxpy_ints *v) {
  v->data = v->buf;
  v->n = 0;
}

void mxpy_ints_free(mxpy_ints *v) {
  if (v->data != v->buf) PyMem_Free(v->data);
  v->data = v->buf;
  v->n = 0;
}

int mxpy_ints_reserve(mxpy_ints *v, size_t n) {
  if (n <= sizeof(v->buf) / sizeof(v->buf[0])) return 0;
  int *p = (int *)PyMem_Malloc(n * sizeof(int));
  if (!p) {
    PyErr_NoMemory();
    return -1;
  }
  v->data = p;
  return 0;
}

/* An exact Python int (not bool) that fits in a C int. */
static int int_arg(PyObject *o, const char *what, int *out) {
  if (PyBool_Check(o) || !PyLong_Check(o)) {
    if (PyIndex_Check(o) && !PyBool_Check(o) && !PyFloat_Check(o) && !mxpy_Array_Check(o)) {
      PyObject *i = PyNumber_Index(o);
      if (!i) return -1;
      int r = int_arg(i, what, out);
      Py_DECREF(i);
      return r;
    }
    PyErr_Format(PyExc_TypeError, "%s must contain integers, not %.200s.", what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  int overflow = 0;
  long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (x == -1 && PyErr_Occurred()) return -1;
  if (overflow || x > INT_MAX || x < INT_MIN) {
    PyErr_Format(PyExc_ValueError, "%s value %S does not fit in a 32-bit integer.", what, o);
    return -1;
  }
  *out = (int)x;
  return 0;
}

/* An integer-like object (int or anything with __index__, but not bool/float/arrays). */
static bool is_int_like(PyObject *o) {
  if (PyBool_Check(o) || PyFloat_Check(o) || mxpy_Array_Check(o)) return false;
  return PyLong_Check(o) || (PyIndex_Check(o) && !PySequence_Check(o));
}

int mxpy_ints_from(PyObject *o, bool allow_int, const char *what, mxpy_ints *v) {
  mxpy_ints_init(v);
  if (is_int_like(o)) {
    if (!allow_int) {
      PyErr_Format(PyExc_TypeError, "%s must be a sequence of integers, not %.200s.", what,
                   Py_TYPE(o)->tp_name);
      return -1;
    }
    v->n = 1;
    return int_arg(o, what, &v->data[0]);
  }
  if (!PySequence_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) ||
      mxpy_Array_Check(o) || PyDict_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s must be %sa sequence of integers, not %.200s.", what,
                 allow_int ? "an integer or " : "", Py_TYPE(o)->tp_name);
    return -1;
  }
  PyObject *seq = PySequence_Fast(o, "expected a sequence");
  if (!seq) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  if (mxpy_ints_reserve(v, (size_t)n) < 0) {
    Py_DECREF(seq);
    return -1;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    if (int_arg(PySequence_Fast_GET_ITEM(seq, i), what, &v->data[i]) < 0) {
      Py_DECREF(seq);
      mxpy_ints_free(v);
      return -1;
    }
  }
  v->n = (size_t)n;
  Py_DECREF(seq);
  return 0;
}

bool mxpy_is_int_like(PyObject *o) {
  return is_int_like(o);
}

int mxpy_eval_keep(mlx_array a, mlx_array *keep) {
  *keep = mlx_array_new();
  mxpy_error_clear();
  if (mlx_array_set(keep, a) != 0) {
    mlx_array_free(*keep);
    keep->ctx = NULL;
    return mxpy_raise_lib(PyExc_RuntimeError);
  }
  int st;
  mlx_array k = *keep;
  Py_BEGIN_ALLOW_THREADS st = mlx_array_eval(k);
  Py_END_ALLOW_THREADS if (mxpy_check_eval(st) < 0) {
    mlx_array_free(*keep);
    keep->ctx = NULL;
    return -1;
  }
  return 0;
}

int mxpy_eval_array(mlx_array a) {
  mlx_array k;
  if (mxpy_eval_keep(a, &k) < 0) return -1;
  mlx_array_free(k);
  return 0;
}

const char *mxpy_data_ptr(mlx_array a) {
  switch (mlx_array_dtype(a)) {
  case MLX_BOOL:
    return (const char *)mlx_array_data_bool(a);
  case MLX_UINT8:
    return (const char *)mlx_array_data_uint8(a);
  case MLX_UINT16:
    return (const char *)mlx_array_data_uint16(a);
  case MLX_UINT32:
    return (const char *)mlx_array_data_uint32(a);
  case MLX_UINT64:
    return (const char *)mlx_array_data_uint64(a);
  case MLX_INT8:
    return (const char *)mlx_array_data_int8(a);
  case MLX_INT16:
    return (const char *)mlx_array_data_int16(a);
  case MLX_INT32:
    return (const char *)mlx_array_data_int32(a);
  case MLX_INT64:
    return (const char *)mlx_array_data_int64(a);
  case MLX_FLOAT16:
    return (const char *)mlx_array_data_float16(a);
  case MLX_FLOAT32:
    return (const char *)mlx_array_data_float32(a);
  case MLX_FLOAT64:
    return (const char *)mlx_array_data_float64(a);
  case MLX_BFLOAT16:
    return (const char *)mlx_array_data_bfloat16(a);
  case MLX_COMPLEX64:
    return (const char *)mlx_array_data_complex64(a);
  }
  return NULL;
}

void mxpy_byte_strides(mlx_array a, int64_t *out) {
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  const size_t *st = mlx_array_strides(a);
  int64_t isz = (int64_t)mlx_array_itemsize(a);
  if (st) {
    for (int i = 0; i < ndim; i++) out[i] = (int64_t)(ptrdiff_t)st[i] * isz;
    return;
  }
  int64_t acc = isz;
  for (int i = ndim - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i];
  }
}

/* ------------------------------------------------------------------ array -> Python */

static PyObject *tolist_rec(const char *p, int d, int nd, const int *shape, const int64_t *bs,
                            mlx_dtype dt) {
  mxpy_value v;
  if (d == nd) {
    mxpy_read_elem(p, dt, &v);
    return mxpy_value_to_py(&v);
  }
  PyObject *list = PyList_New(shape[d]);
  if (!list) return NULL;
  if (d + 1 == nd) {
    for (int i = 0; i < shape[d]; i++) {
      mxpy_read_elem(p + (int64_t)i * bs[d], dt, &v);
      PyObject *x = mxpy_value_to_py(&v);
      if (!x) {
        Py_DECREF(list);
        return NULL;
      }
      PyList_SET_ITEM(list, i, x);
    }
    return list;
  }
  for (int i = 0; i < shape[d]; i++) {
    PyObject *x = tolist_rec(p + (int64_t)i * bs[d], d + 1, nd, shape, bs, dt);
    if (!x) {
      Py_DECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, i, x);
  }
  return list;
}

PyObject *mxpy_tolist(mlx_array arr) {
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return NULL;
  int nd = (int)mlx_array_ndim(a);
  int64_t bs_buf[16];
  int64_t *bs = nd <= 16 ? bs_buf : (int64_t *)PyMem_Malloc((size_t)nd * sizeof(int64_t));
  if (!bs) {
    mlx_array_free(a);
    return PyErr_NoMemory();
  }
  mxpy_byte_strides(a, bs);
  const char *p = mlx_array_size(a) ? mxpy_data_ptr(a) : NULL;
  PyObject *r;
  if (!p && mlx_array_size(a)) {
    PyErr_SetString(PyExc_RuntimeError, "[tolist] Array has no data.");
    r = NULL;
  } else if (!p) {
    /* Empty array: nested empty lists following the shape. */
    static const char zero[16] = {0};
    r = tolist_rec(zero, 0, nd, mlx_array_shape(a), bs, mlx_array_dtype(a));
  } else {
    r = tolist_rec(p, 0, nd, mlx_array_shape(a), bs, mlx_array_dtype(a));
  }
  if (bs != bs_buf) PyMem_Free(bs);
  mlx_array_free(a);
  return r;
}

PyObject *mxpy_item(mlx_array arr) {
  if (mlx_array_size(arr) != 1) {
    PyErr_SetString(PyExc_ValueError,
                    "[convert] Only length-1 arrays can be converted to Python scalars.");
    return NULL;
  }
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return NULL;
  const char *p = mxpy_data_ptr(a);
  PyObject *r = NULL;
  if (!p) {
    PyErr_SetString(PyExc_RuntimeError, "[item] Array has no data.");
  } else {
    mxpy_value v;
    mxpy_read_elem(p, mlx_array_dtype(a), &v);
    r = mxpy_value_to_py(&v);
  }
  mlx_array_free(a);
  return r;
}

int mxpy_array_row(mlx_array arr, Py_ssize_t i, mlx_array *out) {
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return -1;
  int nd = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  if (nd < 1 || i < 0 || i >= shape[0]) {
    mlx_array_free(a);
    PyErr_SetString(PyExc_IndexError, "Row index out of range.");
    return -1;
  }
  int64_t bs_buf[16];
  int64_t *bs = nd <= 16 ? bs_buf : (int64_t *)PyMem_Malloc((size_t)nd * sizeof(int64_t));
  if (!bs) {
    mlx_array_free(a);
    PyErr_NoMemory();
    return -1;
  }
  mxpy_byte_strides(a, bs);
  mlx_dtype dt = mlx_array_dtype(a);
  size_t isz = mxpy_dtype_size(dt);
  size_t n = 1;
  for (int d = 1; d < nd; d++) n *= (size_t)shape[d];
  int rc = -1;
  char *buf = (char *)PyMem_Calloc(n ? n : 1, isz);
  if (!buf) {
    PyErr_NoMemory();
    goto done;
  }
  if (n) {
    const char *base = mxpy_data_ptr(a);
    if (!base) {
      PyErr_SetString(PyExc_RuntimeError, "[iter] Array has no data.");
      goto done;
    }
    mxpy_copy_strided(buf, base + (int64_t)i * bs[0], nd - 1, shape + 1, bs + 1, isz);
  }
  mxpy_error_clear();
  if (mxpy_check_op(mlx_array_set_data(out, buf, nd > 1 ? shape + 1 : dummy_shape, nd - 1, dt)) < 0)
    goto done;
  rc = 0;
done:
  PyMem_Free(buf);
  if (bs != bs_buf) PyMem_Free(bs);
  mlx_array_free(a);
  return rc;
}
