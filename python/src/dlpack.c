/* mlx.core: DLPack. array.__dlpack__ exports a view of the evaluated array (shape, element
 * strides, no copy unless copy=True) in a "dltensor" capsule; __dlpack_device__ is the CPU.
 * mx.from_dlpack and mx.array() import by copying (on the CPU MLX always copies), with mx.array's
 * dtype rules (float64 -> float32 unless a dtype is given). */
#include "buffer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ the DLPack ABI */

enum { DL_CPU = 1, DL_CUDA_HOST = 3 };
enum { DL_INT = 0, DL_UINT = 1, DL_FLOAT = 2, DL_BFLOAT = 4, DL_COMPLEX = 5, DL_BOOL = 6 };

typedef struct {
  int32_t device_type, device_id;
} dl_device;

typedef struct {
  uint8_t code, bits;
  uint16_t lanes;
} dl_dtype;

typedef struct {
  void *data;
  dl_device device;
  int32_t ndim;
  dl_dtype dtype;
  int64_t *shape;
  int64_t *strides; /* in elements; NULL means compact row-major */
  uint64_t byte_offset;
} dl_tensor;

/* "dltensor" capsules (DLPack < 1.0). */
typedef struct dl_managed {
  dl_tensor t;
  void *ctx;
  void (*deleter)(struct dl_managed *);
} dl_managed;

/* "dltensor_versioned" capsules (DLPack >= 1.0), accepted on import. */
typedef struct dl_managed_v1 {
  uint32_t major, minor;
  void *ctx;
  void (*deleter)(struct dl_managed_v1 *);
  uint64_t flags;
  dl_tensor t;
} dl_managed_v1;

/* ------------------------------------------------------------------ export */

typedef struct {
  dl_managed m; /* first: the consumer's pointer is the context's */
  mlx_array keep;
  void *copy;     /* the data when exported with copy=True */
  int64_t dims[]; /* shape[ndim], strides[ndim] */
} export_ctx;

/* Any thread, with or without the GIL: plain free and a reference count. */
static void export_delete(dl_managed *m) {
  export_ctx *e = (export_ctx *)m;
  mlx_array_free(e->keep);
  free(e->copy);
  free(e);
}

static void capsule_destructor(PyObject *cap) {
  /* A consumer renames the capsule ("used_dltensor") and calls the deleter itself. */
  if (!PyCapsule_IsValid(cap, "dltensor")) return;
  dl_managed *m = (dl_managed *)PyCapsule_GetPointer(cap, "dltensor");
  if (m && m->deleter) m->deleter(m);
}

static dl_dtype dl_dtype_of(mlx_dtype d) {
  dl_dtype r = {DL_FLOAT, (uint8_t)(8 * mxpy_dtype_size(d)), 1};
  if (mxpy_is_bool(d))
    r.code = DL_BOOL;
  else if (mxpy_is_unsigned(d))
    r.code = DL_UINT;
  else if (mxpy_is_signed_int(d))
    r.code = DL_INT;
  else if (d == MLX_BFLOAT16)
    r.code = DL_BFLOAT;
  else if (mxpy_is_complex(d))
    r.code = DL_COMPLEX;
  return r;
}

static int check_export_device(PyObject *dl_dev) {
  if (dl_dev == Py_None) return 0;
  long type = -1, index = -1;
  if (!PyTuple_Check(dl_dev) || PyTuple_GET_SIZE(dl_dev) != 2 ||
      !PyArg_ParseTuple(dl_dev, "ll", &type, &index)) {
    PyErr_Clear();
    PyErr_SetString(PyExc_TypeError, "__dlpack__(): dl_device must be a (device_type, id) tuple.");
    return -1;
  }
  if (type != DL_CPU || index != 0) {
    PyErr_Format(PyExc_BufferError,
                 "[__dlpack__] Export to DLPack device (%ld, %ld) is not "
                 "supported (only the CPU, (1, 0)).",
                 type, index);
    return -1;
  }
  return 0;
}

static PyObject *m_dlpack(PyObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"stream", "max_version", "dl_device", "copy", NULL};
  PyObject *stream = Py_None, *max_version = Py_None, *dl_dev = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOOO:__dlpack__", kwlist, &stream, &max_version,
                                   &dl_dev, &copy))
    return NULL;
  if (check_export_device(dl_dev) < 0) return NULL;
  int want_copy = copy == Py_None ? 0 : PyObject_IsTrue(copy);
  if (want_copy < 0) return NULL;
  mlx_array a;
  if (mxpy_eval_keep(MXPY_ARR(self), &a) < 0) return NULL;
  int nd = (int)mlx_array_ndim(a);
  mlx_dtype dt = mlx_array_dtype(a);
  size_t isz = mxpy_dtype_size(dt), n = mlx_array_size(a);
  export_ctx *e = (export_ctx *)calloc(1, sizeof(export_ctx) + sizeof(int64_t) * 2 * (size_t)nd);
  if (!e) {
    mlx_array_free(a);
    return PyErr_NoMemory();
  }
  e->keep = a;
  int64_t *shape = e->dims, *strides = e->dims + nd;
  const int *sh = mlx_array_shape(a);
  mxpy_byte_strides(a, strides);
  static char empty_data[16];
  const char *data = n ? mxpy_data_ptr(a) : empty_data;
  if (n && want_copy) {
    if (!(e->copy = malloc(n * isz))) {
      export_delete(&e->m);
      return PyErr_NoMemory();
    }
    mxpy_copy_strided((char *)e->copy, data, nd, sh, strides, isz);
    data = (const char *)e->copy;
    int64_t acc = (int64_t)isz;
    for (int i = nd - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= sh[i];
    }
  }
  for (int i = 0; i < nd; i++) {
    shape[i] = sh[i];
    strides[i] /= (int64_t)isz;
  }
  e->m.t = (dl_tensor){(void *)data, {DL_CPU, 0}, nd, dl_dtype_of(dt), shape, strides, 0};
  e->m.ctx = e;
  e->m.deleter = export_delete;
  PyObject *cap = PyCapsule_New(&e->m, "dltensor", capsule_destructor);
  if (!cap) export_delete(&e->m);
  return cap;
}

static PyObject *m_dlpack_device(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return Py_BuildValue("(ii)", DL_CPU, 0);
}

PyMethodDef mxpy_dlpack_array_methods[] = {
    {"__dlpack__", (PyCFunction)(void (*)(void))m_dlpack, METH_VARARGS | METH_KEYWORDS,
     "__dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None)\n\n"
     "A DLPack capsule viewing the array's data (evaluated first)."},
    {"__dlpack_device__", m_dlpack_device, METH_NOARGS,
     "__dlpack_device__(self) -> tuple[int, int]\n\nThe DLPack device: (1, 0), the CPU."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ import */

/* Element kind of a DLPack dtype (an mlx_dtype or MXPY_SRC_COMPLEX128), -1 if unsupported. */
static int src_kind(dl_dtype d) {
  static const mlx_dtype sints[] = {MLX_INT8, MLX_INT16, MLX_INT32, MLX_INT64};
  static const mlx_dtype uints[] = {MLX_UINT8, MLX_UINT16, MLX_UINT32, MLX_UINT64};
  if (d.lanes != 1) return -1;
  int lg = d.bits == 8 ? 0 : d.bits == 16 ? 1 : d.bits == 32 ? 2 : d.bits == 64 ? 3 : -1;
  if (lg < 0 && !(d.code == DL_COMPLEX && d.bits == 128)) return -1;
  switch (d.code) {
  case DL_BOOL:
    return lg == 0 ? MLX_BOOL : -1;
  case DL_INT:
    return sints[lg];
  case DL_UINT:
    return uints[lg];
  case DL_FLOAT:
    return lg == 1 ? MLX_FLOAT16 : lg == 2 ? MLX_FLOAT32 : lg == 3 ? MLX_FLOAT64 : -1;
  case DL_BFLOAT:
    return lg == 1 ? MLX_BFLOAT16 : -1;
  case DL_COMPLEX:
    return d.bits == 64 ? MLX_COMPLEX64 : d.bits == 128 ? MXPY_SRC_COMPLEX128 : -1;
  }
  return -1;
}

static int import_tensor(const dl_tensor *t, const mlx_dtype *dtype, mlx_array *out) {
  int src = src_kind(t->dtype);
  if (src == -1) {
    PyErr_Format(PyExc_TypeError,
                 "[from_dlpack] Unsupported DLPack dtype (code %d, %d bits, "
                 "%d lanes).",
                 t->dtype.code, t->dtype.bits, t->dtype.lanes);
    return -1;
  }
  if (t->device.device_type != DL_CPU && t->device.device_type != DL_CUDA_HOST) {
    PyErr_Format(PyExc_ValueError,
                 "[from_dlpack] Only CPU DLPack tensors can be imported "
                 "(device type %d).",
                 t->device.device_type);
    return -1;
  }
  int nd = t->ndim;
  if (nd < 0 || nd > 64) {
    PyErr_Format(PyExc_ValueError, "[from_dlpack] Invalid number of dimensions %d.", nd);
    return -1;
  }
  int shape[64];
  int64_t bs[64];
  int64_t isz = src == MXPY_SRC_COMPLEX128 ? 16 : (int64_t)mxpy_dtype_size((mlx_dtype)src);
  int64_t acc = isz;
  for (int i = nd - 1; i >= 0; i--) {
    if (t->shape[i] < 0 || t->shape[i] > INT_MAX) {
      PyErr_SetString(PyExc_ValueError, "[from_dlpack] Dimension out of range.");
      return -1;
    }
    shape[i] = (int)t->shape[i];
    bs[i] = t->strides ? t->strides[i] * isz : acc;
    acc *= t->shape[i];
  }
  const char *data = (const char *)t->data + t->byte_offset;
  return mxpy_array_from_strided(data, nd, shape, bs, src, dtype, out);
}

int mxpy_array_from_dlpack(PyObject *o, const mlx_dtype *dtype, mlx_array *out) {
  PyObject *cap = PyObject_CallMethod(o, "__dlpack__", NULL);
  if (!cap) return -1;
  int rc = -1;
  if (PyCapsule_IsValid(cap, "dltensor")) {
    dl_managed *m = (dl_managed *)PyCapsule_GetPointer(cap, "dltensor");
    rc = import_tensor(&m->t, dtype, out);
    if (PyCapsule_SetName(cap, "used_dltensor") == 0 && m->deleter) m->deleter(m);
  } else if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
    dl_managed_v1 *m = (dl_managed_v1 *)PyCapsule_GetPointer(cap, "dltensor_versioned");
    if (m->major != 1) {
      PyErr_Format(PyExc_BufferError, "[from_dlpack] Unsupported DLPack version %u.%u.", m->major,
                   m->minor);
    } else {
      rc = import_tensor(&m->t, dtype, out);
    }
    if (PyCapsule_SetName(cap, "used_dltensor_versioned") == 0 && m->deleter) m->deleter(m);
  } else {
    PyErr_Format(PyExc_TypeError,
                 "[from_dlpack] __dlpack__ of %.200s did not return a DLPack "
                 "capsule.",
                 Py_TYPE(o)->tp_name);
  }
  Py_DECREF(cap);
  return rc;
}

static PyObject *f_from_dlpack(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "copy", NULL};
  PyObject *x, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:from_dlpack", kwlist, &x, &copy)) return NULL;
  if (PyObject_HasAttrString(x, "__dlpack__") != 1) {
    PyErr_Format(PyExc_TypeError,
                 "from_dlpack(): expected an object implementing __dlpack__, "
                 "got %.200s.",
                 Py_TYPE(x)->tp_name);
    return NULL;
  }
  if (copy != Py_None && !PyObject_IsTrue(copy)) {
    PyErr_SetString(PyExc_ValueError, "[convert] Cannot import a CPU array without a copy.");
    return NULL;
  }
  mlx_array a = mlx_array_new();
  if (mxpy_array_from_dlpack(x, NULL, &a) < 0) {
    mlx_array_free(a);
    return NULL;
  }
  return mxpy_array_wrap(a);
}

PyMethodDef mxpy_dlpack_methods[] = {
    {"from_dlpack", (PyCFunction)(void (*)(void))f_from_dlpack, METH_VARARGS | METH_KEYWORDS,
     "from_dlpack(x, /, *, copy: bool | None = None) -> array\n\n"
     "An array with a copy of the data of x, an object implementing ``__dlpack__`` (CPU data\n"
     "is always copied: copy=False is an error). float64 data becomes float32, as in\n"
     ":class:`array`."},
    {NULL, NULL, 0, NULL},
};
