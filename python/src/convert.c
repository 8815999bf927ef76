/* mlx.core: Python values -> arrays: scalars (bool/int/float/complex, with MLX's weak promotion
 * next to arrays), nested lists/tuples (which may hold arrays), objects exporting the buffer
 * protocol (numpy arrays, memoryview, bytes), objects with __mlx_array__ or __dlpack__, and
 * other arrays. (Arrays -> Python: access.c, buffer.c, dlpack.c.) */
#include "buffer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const int dummy_shape[1] = {0};

/* ------------------------------------------------------------------ Python scalars */

bool mxpy_is_scalar(PyObject *o) {
  return PyBool_Check(o) || PyLong_Check(o) || PyFloat_Check(o) || PyComplex_Check(o);
}

static int overflow_error(PyObject *o, const char *dtname) {
  PyErr_Format(PyExc_ValueError, "Converting %S to %s would result in overflow.", o, dtname);
  return -1;
}

/* A Python scalar as a tagged value (ints: int64, or uint64 for values >= 2**63). */
static int py_to_value(PyObject *o, mxpy_value *v) {
  if (PyBool_Check(o)) {
    v->kind = MXV_BOOL;
    v->v.b = (o == Py_True);
    return 0;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(o);
      if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return overflow_error(o, "uint64");
      }
      v->kind = MXV_UINT;
      v->v.u = u;
      return 0;
    }
    if (overflow < 0) return overflow_error(o, "int64");
    v->kind = MXV_INT;
    v->v.i = x;
    return 0;
  }
  if (PyFloat_Check(o)) {
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) return -1;
    v->kind = MXV_FLOAT;
    v->v.f = d;
    return 0;
  }
  if (PyComplex_Check(o)) {
    Py_complex c = PyComplex_AsCComplex(o);
    if (c.real == -1.0 && PyErr_Occurred()) return -1;
    v->kind = MXV_COMPLEX;
    v->v.c.re = c.real;
    v->v.c.im = c.imag;
    return 0;
  }
  PyErr_Format(PyExc_TypeError, "Expected a Python scalar, got %.200s.", Py_TYPE(o)->tp_name);
  return -1;
}

static bool int_fits_int32(const mxpy_value *v) {
  return v->kind == MXV_INT && v->v.i >= INT32_MIN && v->v.i <= INT32_MAX;
}

/* The dtype MLX gives a lone Python scalar. */
static int value_default_dtype(PyObject *o, const mxpy_value *v, mlx_dtype *d) {
  switch (v->kind) {
  case MXV_BOOL:
    *d = MLX_BOOL;
    return 0;
  case MXV_INT:
    *d = int_fits_int32(v) ? MLX_INT32 : MLX_INT64;
    return 0;
  case MXV_UINT:
    return overflow_error(o, "int64");
  case MXV_FLOAT:
    *d = MLX_FLOAT32;
    return 0;
  case MXV_COMPLEX:
    *d = MLX_COMPLEX64;
    return 0;
  }
  *d = MLX_FLOAT32;
  return 0;
}

int mxpy_array_from_value(const mxpy_value *v, mlx_dtype d, mlx_array *out) {
  uint64_t buf[2] = {0, 0};
  mxpy_write_elem(buf, d, v);
  mxpy_error_clear();
  return mxpy_check_op(mlx_array_set_data(out, buf, dummy_shape, 0, d));
}

/* Range check of an integer value against an integer dtype. */
static int check_int_range(PyObject *o, const mxpy_value *v, mlx_dtype d) {
  int64_t lo = 0;
  uint64_t hi = 0;
  switch (d) {
  case MLX_UINT8:
    hi = UINT8_MAX;
    break;
  case MLX_UINT16:
    hi = UINT16_MAX;
    break;
  case MLX_UINT32:
    hi = UINT32_MAX;
    break;
  case MLX_UINT64:
    return 0; /* like MLX: negative values wrap around */
  case MLX_INT8:
    lo = INT8_MIN, hi = INT8_MAX;
    break;
  case MLX_INT16:
    lo = INT16_MIN, hi = INT16_MAX;
    break;
  case MLX_INT32:
    lo = INT32_MIN, hi = INT32_MAX;
    break;
  case MLX_INT64:
    lo = INT64_MIN, hi = INT64_MAX;
    break;
  default:
    return 0;
  }
  bool ok;
  if (v->kind == MXV_UINT) {
    ok = v->v.u <= hi;
  } else {
    ok = v->v.i >= lo && (v->v.i < 0 || (uint64_t)v->v.i <= hi);
  }
  return ok ? 0 : overflow_error(o, mxpy_dtype_name(d));
}

int mxpy_check_int_fits(PyObject *o, mlx_dtype d) {
  if (!PyLong_Check(o) || PyBool_Check(o) || !mxpy_is_integral(d)) return 0;
  mxpy_value v;
  if (py_to_value(o, &v) < 0) return -1;
  return check_int_range(o, &v, d);
}

int mxpy_scalar_weak(PyObject *o, mlx_dtype other, mlx_array *out) {
  mxpy_value v;
  if (py_to_value(o, &v) < 0) return -1;
  mlx_dtype d = other;
  switch (v.kind) {
  case MXV_BOOL:
    d = other;
    break;
  case MXV_INT:
  case MXV_UINT:
    if (mxpy_is_bool(other)) {
      if (value_default_dtype(o, &v, &d) < 0) return -1;
    } else {
      d = other;
      if (mxpy_is_integral(other) && check_int_range(o, &v, d) < 0) return -1;
    }
    break;
  case MXV_FLOAT:
    d = (mxpy_is_floating(other) || mxpy_is_complex(other)) ? other : MLX_FLOAT32;
    break;
  case MXV_COMPLEX:
    d = MLX_COMPLEX64;
    break;
  }
  return mxpy_array_from_value(&v, d, out);
}

/* ------------------------------------------------------------------ nested lists */

typedef struct {
  mxpy_ints shape; /* full shape (list dims + dims of nested arrays) */
  bool has_bool, has_int, has_int64, has_uint_big, has_float, has_complex;
  bool has_arr;
  mlx_dtype arr_dtype;
  PyObject *big; /* first int that needs uint64 (borrowed), for the error message */
} nest_info;

static int invalid_type(PyObject *o) {
  PyErr_Format(PyExc_ValueError, "Invalid type %.200s received in array initialization.",
               Py_TYPE(o)->tp_name);
  return -1;
}

static int non_uniform(void) {
  PyErr_SetString(PyExc_ValueError, "Initialization encountered non-uniform length.");
  return -1;
}

static bool is_seq(PyObject *o) {
  return PyList_Check(o) || PyTuple_Check(o);
}

static int shape_push(mxpy_ints *s, int x, size_t *cap) {
  if (s->n == *cap) {
    size_t nc = *cap * 2;
    int *p = (int *)PyMem_Malloc(nc * sizeof(int));
    if (!p) {
      PyErr_NoMemory();
      return -1;
    }
    memcpy(p, s->data, s->n * sizeof(int));
    if (s->data != s->buf) PyMem_Free(s->data);
    s->data = p;
    *cap = nc;
  }
  s->data[s->n++] = x;
  return 0;
}

/* Shape from the chain of first elements. */
static int nest_shape(PyObject *o, nest_info *info) {
  size_t cap = sizeof(info->shape.buf) / sizeof(int);
  PyObject *cur = o;
  for (;;) {
    if (is_seq(cur)) {
      Py_ssize_t n = PySequence_Fast_GET_SIZE(cur);
      if (n > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "List too long for array initialization.");
        return -1;
      }
      if (shape_push(&info->shape, (int)n, &cap) < 0) return -1;
      if (n == 0) return 0;
      cur = PySequence_Fast_GET_ITEM(cur, 0);
    } else if (mxpy_Array_Check(cur)) {
      mlx_array a = MXPY_ARR(cur);
      int nd = (int)mlx_array_ndim(a);
      const int *sh = mlx_array_shape(a);
      for (int i = 0; i < nd; i++)
        if (shape_push(&info->shape, sh[i], &cap) < 0) return -1;
      return 0;
    } else if (mxpy_is_scalar(cur)) {
      return 0;
    } else {
      return invalid_type(cur);
    }
  }
}

static int nest_check(PyObject *o, int depth, nest_info *info) {
  int ndim = (int)info->shape.n;
  if (is_seq(o)) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    if (depth >= ndim) {
      PyErr_SetString(PyExc_ValueError, "Initialization encountered extra dimension.");
      return -1;
    }
    if (n != info->shape.data[depth]) return non_uniform();
    if (Py_EnterRecursiveCall(" in array initialization")) return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
      if (nest_check(PySequence_Fast_GET_ITEM(o, i), depth + 1, info) < 0) {
        Py_LeaveRecursiveCall();
        return -1;
      }
    }
    Py_LeaveRecursiveCall();
    return 0;
  }
  if (mxpy_Array_Check(o)) {
    mlx_array a = MXPY_ARR(o);
    int nd = (int)mlx_array_ndim(a);
    if (nd != ndim - depth) return non_uniform();
    const int *sh = mlx_array_shape(a);
    for (int i = 0; i < nd; i++)
      if (sh[i] != info->shape.data[depth + i]) return non_uniform();
    mlx_dtype d = mlx_array_dtype(a);
    info->arr_dtype = info->has_arr ? mxpy_promote(info->arr_dtype, d) : d;
    info->has_arr = true;
    return 0;
  }
  if (mxpy_is_scalar(o)) {
    if (depth != ndim) return non_uniform();
    if (PyBool_Check(o)) {
      info->has_bool = true;
    } else if (PyLong_Check(o)) {
      info->has_int = true;
      int overflow = 0;
      long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (x == -1 && PyErr_Occurred()) return -1;
      if (overflow < 0) return overflow_error(o, "int64");
      if (overflow > 0) {
        info->has_uint_big = true;
        if (!info->big) info->big = o;
      } else if (x < INT32_MIN || x > INT32_MAX) {
        info->has_int64 = true;
      }
    } else if (PyFloat_Check(o)) {
      info->has_float = true;
    } else {
      info->has_complex = true;
    }
    return 0;
  }
  return invalid_type(o);
}

typedef struct {
  char *dst, *end; /* end guards against lists mutated while arrays were evaluated */
  mlx_dtype dt;
  size_t isz;
} fill_state;

static int fill_from_array(mlx_array a, fill_state *st) {
  /* Nested arrays were evaluated before the lists were checked (see from_nested); this is a
   * no-op then, and runs with the GIL held so the lists cannot change under us. */
  mxpy_error_clear();
  if (mxpy_check_eval(mlx_array_eval(a)) < 0) return -1;
  int nd = (int)mlx_array_ndim(a);
  size_t n = mlx_array_size(a);
  if (n == 0) return 0;
  if (st->dst + n * st->isz > st->end) return non_uniform();
  mlx_dtype sd = mlx_array_dtype(a);
  size_t sisz = mxpy_dtype_size(sd);
  int64_t bs_buf[16];
  int64_t *bs = nd <= 16 ? bs_buf : (int64_t *)PyMem_Malloc((size_t)nd * sizeof(int64_t));
  char *tmp = (char *)PyMem_Malloc(n * sisz);
  if (!bs || !tmp) {
    if (bs != bs_buf) PyMem_Free(bs);
    PyMem_Free(tmp);
    PyErr_NoMemory();
    return -1;
  }
  mxpy_byte_strides(a, bs);
  mxpy_copy_strided(tmp, mxpy_data_ptr(a), nd, mlx_array_shape(a), bs, sisz);
  if (sd == st->dt) {
    memcpy(st->dst, tmp, n * sisz);
    st->dst += n * sisz;
  } else {
    mxpy_value v;
    for (size_t i = 0; i < n; i++) {
      mxpy_read_elem(tmp + i * sisz, sd, &v);
      mxpy_write_elem(st->dst, st->dt, &v);
      st->dst += st->isz;
    }
  }
  if (bs != bs_buf) PyMem_Free(bs);
  PyMem_Free(tmp);
  return 0;
}

static int nest_fill(PyObject *o, fill_state *st) {
  if (is_seq(o)) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    for (Py_ssize_t i = 0; i < n; i++) {
      if (nest_fill(PySequence_Fast_GET_ITEM(o, i), st) < 0) return -1;
    }
    return 0;
  }
  if (mxpy_Array_Check(o)) return fill_from_array(MXPY_ARR(o), st);
  mxpy_value v;
  if (py_to_value(o, &v) < 0) return -1;
  if (st->dst + st->isz > st->end) return non_uniform();
  mxpy_write_elem(st->dst, st->dt, &v);
  st->dst += st->isz;
  return 0;
}

/* Arrays nested in lists (new references in v). */
static int nest_collect(PyObject *o, mlx_vector_array v) {
  if (mxpy_Array_Check(o)) {
    mxpy_error_clear();
    return mxpy_check_op(mlx_vector_array_append_value(v, MXPY_ARR(o)));
  }
  if (!is_seq(o)) return 0;
  if (Py_EnterRecursiveCall(" in array initialization")) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
  int rc = 0;
  for (Py_ssize_t i = 0; i < n && rc == 0; i++)
    rc = nest_collect(PySequence_Fast_GET_ITEM(o, i), v);
  Py_LeaveRecursiveCall();
  return rc;
}

/* Evaluates every array nested in o at once, with the GIL released. */
static int nest_eval(PyObject *o) {
  mlx_vector_array v = mlx_vector_array_new();
  int rc = nest_collect(o, v);
  if (rc == 0 && mlx_vector_array_size(v) > 0) {
    int st;
    mxpy_error_clear();
    Py_BEGIN_ALLOW_THREADS st = mlx_eval(v);
    Py_END_ALLOW_THREADS rc = mxpy_check_eval(st);
  }
  mlx_vector_array_free(v);
  return rc;
}

static int from_nested(PyObject *o, const mlx_dtype *dtype, mlx_array *out) {
  nest_info info;
  memset(&info, 0, sizeof(info));
  mxpy_ints_init(&info.shape);
  int rc = -1;
  char *buf = NULL;
  /* From here on the GIL is held: the lists cannot change while they are read. */
  if (nest_eval(o) < 0) goto done;
  if (nest_shape(o, &info) < 0) goto done;
  if (nest_check(o, 0, &info) < 0) goto done;

  mlx_dtype dt;
  if (dtype) {
    dt = *dtype;
  } else {
    bool has_scalar = info.has_bool || info.has_int || info.has_float || info.has_complex;
    mlx_dtype sd = MLX_FLOAT32;
    if (info.has_complex) {
      sd = MLX_COMPLEX64;
    } else if (info.has_float) {
      sd = MLX_FLOAT32;
    } else if (info.has_int) {
      if (info.has_uint_big) {
        overflow_error(info.big, "int64");
        goto done;
      }
      sd = info.has_int64 ? MLX_INT64 : MLX_INT32;
    } else if (info.has_bool) {
      sd = MLX_BOOL;
    }
    if (info.has_arr) {
      dt = has_scalar ? mxpy_promote(sd, info.arr_dtype) : info.arr_dtype;
    } else {
      dt = sd;
    }
  }
  size_t total = 1;
  for (size_t i = 0; i < info.shape.n; i++) total *= (size_t)info.shape.data[i];
  size_t isz = mxpy_dtype_size(dt);
  buf = (char *)PyMem_Calloc(total ? total : 1, isz);
  if (!buf) {
    PyErr_NoMemory();
    goto done;
  }
  fill_state st = {buf, buf + total * isz, dt, isz};
  if (nest_fill(o, &st) < 0) goto done;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_array_set_data(out, buf, info.shape.n ? info.shape.data : dummy_shape,
                                       (int)info.shape.n, dt)) < 0)
    goto done;
  rc = 0;
done:
  PyMem_Free(buf);
  mxpy_ints_free(&info.shape);
  return rc;
}

/* ------------------------------------------------------------------ strided foreign data */

static size_t src_size(int src) {
  return src == MXPY_SRC_COMPLEX128 ? 16 : mxpy_dtype_size((mlx_dtype)src);
}

static bool row_contiguous(int nd, const int *shape, const int64_t *bs, size_t isz) {
  int64_t expect = (int64_t)isz;
  for (int i = nd - 1; i >= 0; i--) {
    if (shape[i] != 1 && bs[i] != expect) return false;
    expect *= shape[i];
  }
  return true;
}

/* n contiguous source elements of kind src -> dtype dt. */
static void convert_elems(char *dst, mlx_dtype dt, const char *p, int src, size_t n) {
  if (src == MLX_FLOAT64 && dt == MLX_FLOAT32) {
    for (size_t i = 0; i < n; i++) {
      double x;
      memcpy(&x, p + i * 8, 8);
      float y = (float)x;
      memcpy(dst + i * 4, &y, 4);
    }
    return;
  }
  size_t sisz = src_size(src), disz = mxpy_dtype_size(dt);
  mxpy_value v;
  for (size_t i = 0; i < n; i++, p += sisz) {
    if (src == MXPY_SRC_COMPLEX128) {
      double c[2];
      memcpy(c, p, 16);
      v.kind = MXV_COMPLEX;
      v.v.c.re = c[0];
      v.v.c.im = c[1];
    } else {
      mxpy_read_elem(p, (mlx_dtype)src, &v);
    }
    mxpy_write_elem(dst + i * disz, dt, &v);
  }
}

int mxpy_array_from_strided(const char *data, int nd, const int *shape, const int64_t *bstrides,
                            int src, const mlx_dtype *dtype, mlx_array *out) {
  mlx_dtype dt = dtype                        ? *dtype
                 : src == MXPY_SRC_COMPLEX128 ? MLX_COMPLEX64
                 : src == MLX_FLOAT64         ? MLX_FLOAT32
                                              : (mlx_dtype)src;
  size_t total = 1, sisz = src_size(src);
  for (int i = 0; i < nd; i++) total *= (size_t)shape[i];
  /* At most one staging copy for a strided block and one for a conversion; a contiguous block
   * of the right type goes straight into the array. */
  bool gather = total && !row_contiguous(nd, shape, bstrides, sisz);
  bool convert = total && src != (int)dt;
  char *tmp = gather ? (char *)PyMem_Malloc(total * sisz) : NULL;
  char *conv = convert ? (char *)PyMem_Malloc(total * mxpy_dtype_size(dt)) : NULL;
  if ((gather && !tmp) || (convert && !conv)) {
    PyMem_Free(tmp);
    PyMem_Free(conv);
    PyErr_NoMemory();
    return -1;
  }
  int st;
  mxpy_error_clear();
  Py_BEGIN_ALLOW_THREADS;
  const char *p = data;
  if (gather) {
    mxpy_copy_strided(tmp, data, nd, shape, bstrides, sisz);
    p = tmp;
  }
  if (convert) {
    convert_elems(conv, dt, p, src, total);
    p = conv;
  }
  st = mlx_array_set_data(out, p, nd ? shape : dummy_shape, nd, dt);
  Py_END_ALLOW_THREADS;
  PyMem_Free(tmp);
  PyMem_Free(conv);
  return mxpy_check_op(st);
}

/* ------------------------------------------------------------------ buffer protocol input */

/* Maps a PEP 3118 format (one item) to a dtype, or MXPY_SRC_COMPLEX128. */
static int parse_format(const char *fmt, Py_ssize_t itemsize, int *out) {
  const char *f = fmt ? fmt : "B";
  bool big = false;
  if (*f == '@' || *f == '=' || *f == '<') {
    f++;
  } else if (*f == '>' || *f == '!') {
    big = true;
    f++;
  }
  if (big && itemsize > 1) return -1;
  if (f[0] == 'Z' && f[1] && !f[2]) {
    if (f[1] == 'f' && itemsize == 8) return *out = MLX_COMPLEX64, 0;
    if (f[1] == 'd' && itemsize == 16) return *out = MXPY_SRC_COMPLEX128, 0;
    return -1;
  }
  if (!f[0] || f[1]) return -1;
  static const mlx_dtype sints[] = {MLX_INT8, MLX_INT16, 0, MLX_INT32, 0, 0, 0, MLX_INT64};
  static const mlx_dtype uints[] = {MLX_UINT8, MLX_UINT16, 0, MLX_UINT32, 0, 0, 0, MLX_UINT64};
  bool pow2 = itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8;
  switch (f[0]) {
  case '?':
    return itemsize == 1 ? (*out = MLX_BOOL, 0) : -1;
  case 'b':
  case 'h':
  case 'i':
  case 'l':
  case 'q':
  case 'n':
    return pow2 ? (*out = sints[itemsize - 1], 0) : -1;
  case 'B':
  case 'H':
  case 'I':
  case 'L':
  case 'Q':
  case 'N':
  case 'c':
    return pow2 ? (*out = uints[itemsize - 1], 0) : -1;
  case 'e':
    return itemsize == 2 ? (*out = MLX_FLOAT16, 0) : -1;
  case 'f':
    return itemsize == 4 ? (*out = MLX_FLOAT32, 0) : -1;
  case 'd':
    return itemsize == 8 ? (*out = MLX_FLOAT64, 0) : -1;
  }
  return -1;
}

static int from_buffer(PyObject *o, const mlx_dtype *dtype, mlx_array *out) {
  Py_buffer view;
  if (PyObject_GetBuffer(o, &view, PyBUF_RECORDS_RO) < 0) return -1;
  int rc = -1, src, nd = view.ndim;
  int64_t *bs = NULL;
  mxpy_ints shape;
  mxpy_ints_init(&shape);
  if (parse_format(view.format, view.itemsize, &src) < 0) {
    PyErr_Format(PyExc_TypeError,
                 "Cannot create an array from a buffer with format '%s' (itemsize %zd).",
                 view.format ? view.format : "B", view.itemsize);
    goto done;
  }
  if (mxpy_ints_reserve(&shape, (size_t)nd) < 0) goto done;
  bs = (int64_t *)PyMem_Malloc(sizeof(int64_t) * (size_t)(nd + 1));
  if (!bs) {
    PyErr_NoMemory();
    goto done;
  }
  int64_t acc = view.itemsize;
  for (int i = nd - 1; i >= 0; i--) {
    if (view.shape[i] > INT_MAX) {
      PyErr_SetString(PyExc_ValueError, "Buffer dimension too large for array initialization.");
      goto done;
    }
    shape.data[i] = (int)view.shape[i];
    bs[i] = view.strides ? view.strides[i] : acc;
    acc *= view.shape[i];
  }
  rc = mxpy_array_from_strided((const char *)view.buf, nd, shape.data, bs, src, dtype, out);
done:
  PyMem_Free(bs);
  mxpy_ints_free(&shape);
  PyBuffer_Release(&view);
  return rc;
}

/* ------------------------------------------------------------------ entry point */

static bool has_attr(PyObject *o, const char *name) {
  int r = PyObject_HasAttrString(o, name);
  return r > 0;
}

PyObject *mxpy_mlx_array_protocol(PyObject *o) {
  if (mxpy_Array_Check(o) || mxpy_is_scalar(o) || !has_attr(o, "__mlx_array__")) return NULL;
  PyObject *r = PyObject_CallMethod(o, "__mlx_array__", NULL);
  if (r && !mxpy_Array_Check(r)) {
    PyErr_Format(PyExc_TypeError, "__mlx_array__ must return an mlx.core.array, not %.200s.",
                 Py_TYPE(r)->tp_name);
    Py_CLEAR(r);
  }
  return r;
}

bool mxpy_is_operand(PyObject *o) {
  return mxpy_Array_Check(o) || mxpy_is_scalar(o) ||
         (PyObject_CheckBuffer(o) && !PyUnicode_Check(o)) || has_attr(o, "__mlx_array__");
}

int mxpy_array_from_object(PyObject *o, const mlx_dtype *dtype, mlx_array *out) {
  if (mxpy_Array_Check(o)) {
    mlx_array src = MXPY_ARR(o);
    mxpy_error_clear();
    if (dtype && *dtype != mlx_array_dtype(src)) {
      mlx_stream s;
      if (mxpy_stream_arg(Py_None, &s) < 0) return -1;
      int st = mlx_astype(out, src, *dtype, s);
      mlx_stream_free(s);
      return mxpy_check_op(st);
    }
    return mxpy_check_op(mlx_array_set(out, src));
  }
  if (mxpy_is_scalar(o)) {
    mxpy_value v;
    if (py_to_value(o, &v) < 0) return -1;
    mlx_dtype d;
    if (dtype) {
      d = *dtype;
    } else if (value_default_dtype(o, &v, &d) < 0) {
      return -1;
    }
    return mxpy_array_from_value(&v, d, out);
  }
  if (is_seq(o)) return from_nested(o, dtype, out);
  PyObject *like = mxpy_mlx_array_protocol(o);
  if (like) {
    int rc = mxpy_array_from_object(like, dtype, out);
    Py_DECREF(like);
    return rc;
  }
  if (PyErr_Occurred()) return -1;
  if (PyObject_CheckBuffer(o) && !PyUnicode_Check(o)) return from_buffer(o, dtype, out);
  if (has_attr(o, "__dlpack__")) return mxpy_array_from_dlpack(o, dtype, out);
  if (o == Py_None) {
    PyErr_SetString(PyExc_TypeError,
                    "array(): val must be a scalar, list, tuple, buffer or array, not None.");
    return -1;
  }
  return invalid_type(o);
}
