/* mlx.core: mlx.core.array's data for other libraries without a copy: the buffer protocol
 * (shape and byte strides of the evaluated view, so transposes, slices and broadcasts export
 * as they are), __array__ (numpy), __bytes__ (a row-major copy); pickling through numpy. */
#include "buffer.h"

#include <string.h>

#define MAX_NDIM 64

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

PyBufferProcs mxpy_array_buffer_procs = {
    .bf_getbuffer = array_getbuffer,
    .bf_releasebuffer = array_releasebuffer,
};

/* ------------------------------------------------------------------ numpy, bytes */

/* numpy reads the buffer protocol first and only calls this when exporting failed or when
 * asked directly. Like MLX: the dtype argument is ignored (numpy casts afterwards) and the
 * result is a view of the array's data unless copy=True. */
static PyObject *m_array_dunder(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"dtype", "copy", NULL};
  PyObject *dtype = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:__array__", kwlist, &dtype, &copy)) return NULL;
  if (mlx_array_dtype(MXPY_ARR(self)) == MLX_BFLOAT16) {
    PyErr_SetString(PyExc_TypeError, "bfloat16 arrays cannot be converted to NumPy.");
    return NULL;
  }
  int want_copy = copy == Py_None ? 0 : PyObject_IsTrue(copy);
  if (want_copy < 0) return NULL;
  PyObject *np = PyImport_ImportModule("numpy");
  if (!np) return NULL;
  PyObject *mv = PyMemoryView_FromObject(self);
  PyObject *r = NULL;
  if (mv) {
    r = PyObject_CallMethod(np, want_copy ? "array" : "asarray", "O", mv);
    Py_DECREF(mv);
  }
  Py_DECREF(np);
  return r;
}

static PyObject *m_bytes(PyObject *self, PyObject *unused) {
  (void)unused;
  mlx_array a;
  if (mxpy_eval_keep(MXPY_ARR(self), &a) < 0) return NULL;
  int nd = (int)mlx_array_ndim(a);
  size_t n = mlx_array_size(a), isz = mlx_array_itemsize(a);
  PyObject *r = NULL;
  int64_t bs[MAX_NDIM];
  const char *data = n ? mxpy_data_ptr(a) : NULL;
  if (nd > MAX_NDIM || (n && !data)) {
    PyErr_SetString(PyExc_RuntimeError, "[__bytes__] Array has no readable data.");
  } else if ((r = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * isz))) && n) {
    mxpy_byte_strides(a, bs);
    mxpy_copy_strided(PyBytes_AS_STRING(r), data, nd, mlx_array_shape(a), bs, isz);
  }
  mlx_array_free(a);
  return r;
}

/* ------------------------------------------------------------------ pickling */

/* bfloat16 travels as its uint16 bits (numpy has no bfloat16) and back. */
static int bits_view(mlx_array a, mlx_dtype to, mlx_array *out) {
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) return -1;
  mxpy_error_clear();
  int st = mlx_view(out, a, to, s);
  mlx_stream_free(s);
  return mxpy_check_op(st);
}

/* MLX's pickle state: (numpy copy of the data, dtype number), so pickles move between MLX and
 * this package. */
static PyObject *m_getstate(PyObject *self, PyObject *unused) {
  (void)unused;
  mlx_dtype d = mlx_array_dtype(MXPY_ARR(self));
  PyObject *src = Py_NewRef(self);
  if (d == MLX_BFLOAT16) {
    mlx_array bits = mlx_array_new();
    if (bits_view(MXPY_ARR(self), MLX_UINT16, &bits) < 0) {
      mlx_array_free(bits);
      Py_DECREF(src);
      return NULL;
    }
    Py_SETREF(src, mxpy_array_wrap(bits));
    if (!src) return NULL;
  }
  PyObject *np = PyImport_ImportModule("numpy");
  PyObject *mv = np ? PyMemoryView_FromObject(src) : NULL;
  PyObject *data = mv ? PyObject_CallMethod(np, "array", "O", mv) : NULL;
  Py_XDECREF(mv);
  Py_XDECREF(np);
  Py_DECREF(src);
  return data ? Py_BuildValue("(Ni)", data, (int)d) : NULL;
}

/* Unlike MLX (which rebuilds from the data's own type, so float64 comes back float32), the
 * state's dtype is kept. */
static PyObject *m_setstate(PyObject *self, PyObject *state) {
  long code = -1;
  if (!PyTuple_Check(state) || PyTuple_GET_SIZE(state) != 2 ||
      !PyLong_Check(PyTuple_GET_ITEM(state, 1))) {
    PyErr_SetString(PyExc_TypeError, "__setstate__(): expected a (data, dtype number) tuple.");
    return NULL;
  }
  code = PyLong_AsLong(PyTuple_GET_ITEM(state, 1));
  if (code < 0 || code >= MLXPY_NUM_DTYPES) {
    if (!PyErr_Occurred())
      PyErr_Format(PyExc_ValueError, "__setstate__(): invalid dtype number %ld.", code);
    return NULL;
  }
  mlx_dtype d = (mlx_dtype)code, load = d == MLX_BFLOAT16 ? MLX_UINT16 : d;
  mlx_array a = mlx_array_new(), r = mlx_array_new();
  int rc = mxpy_array_from_object(PyTuple_GET_ITEM(state, 0), &load, &a);
  if (rc == 0 && d == MLX_BFLOAT16) {
    rc = bits_view(a, d, &r);
  } else if (rc == 0) {
    mlx_array t = a;
    a = r;
    r = t;
  }
  mlx_array_free(a);
  if (rc < 0) {
    mlx_array_free(r);
    return NULL;
  }
  mlx_array old = MXPY_ARR(self);
  MXPY_ARR(self) = r;
  mlx_array_free(old);
  Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ methods */

PyMethodDef mxpy_buffer_array_methods[] = {
    {"__getstate__", m_getstate, METH_NOARGS,
     "__getstate__(self) -> tuple\n\nPickle state: (numpy copy of the data, dtype number)."},
    {"__setstate__", m_setstate, METH_O, "__setstate__(self, state: tuple) -> None"},
    {"__array__", (PyCFunction)(void (*)(void))m_array_dunder, METH_VARARGS | METH_KEYWORDS,
     "__array__(self, dtype=None, copy=None) -> numpy.ndarray\n\n"
     "A numpy view of the array's data (a copy with copy=True)."},
    {"__bytes__", m_bytes, METH_NOARGS,
     "__bytes__(self) -> bytes\n\nThe array's elements in row-major order, as bytes."},
    {NULL, NULL, 0, NULL},
};
