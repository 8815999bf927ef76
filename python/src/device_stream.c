/* mlx.core: DeviceType (a Python enum), Device, Stream, the stream() context manager and the
 * device / stream module functions; also the `stream=` argument conversion used by every op. */
#include "mlxpy.h"

PyObject *mxpy_DeviceTypeEnum;

static const char *type_name(int t) {
  return t == MLX_GPU ? "gpu" : "cpu";
}

/* ------------------------------------------------------------------ conversions */

int mxpy_device_type_arg(PyObject *o, mlx_device_type *out) {
  if (mxpy_DeviceTypeEnum && PyObject_TypeCheck(o, (PyTypeObject *)mxpy_DeviceTypeEnum)) {
    PyObject *v = PyObject_GetAttrString(o, "value");
    if (!v) return -1;
    long x = PyLong_AsLong(v);
    Py_DECREF(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    *out = (mlx_device_type)x;
    return 0;
  }
  if (PyLong_CheckExact(o)) {
    long x = PyLong_AsLong(o);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (x == MLX_CPU || x == MLX_GPU) {
      *out = (mlx_device_type)x;
      return 0;
    }
    PyErr_Format(PyExc_ValueError, "%ld is not a valid DeviceType.", x);
    return -1;
  }
  PyErr_Format(PyExc_TypeError, "Expected an mlx.core.DeviceType, got %.200s.",
               Py_TYPE(o)->tp_name);
  return -1;
}

int mxpy_device_arg(PyObject *o, mlx_device *out) {
  if (mxpy_Device_Check(o)) {
    mxpy_DeviceObject *d = (mxpy_DeviceObject *)o;
    *out = mlx_device_new_type((mlx_device_type)d->type, d->index);
    return 0;
  }
  mlx_device_type t;
  if (mxpy_device_type_arg(o, &t) < 0) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError,
                   "Expected an mlx.core.Device or mlx.core.DeviceType, got %.200s.",
                   Py_TYPE(o)->tp_name);
    }
    return -1;
  }
  *out = mlx_device_new_type(t, 0);
  return 0;
}

static PyObject *make_device(int type, int index) {
  mxpy_DeviceObject *o = PyObject_New(mxpy_DeviceObject, &mxpy_DeviceObjType);
  if (!o) return NULL;
  o->type = type;
  o->index = index;
  return (PyObject *)o;
}

PyObject *mxpy_device_object(mlx_device dev) {
  mlx_device_type t = MLX_CPU;
  int index = 0;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_device_get_type(&t, dev)) < 0) return NULL;
  if (mxpy_check_op(mlx_device_get_index(&index, dev)) < 0) return NULL;
  return make_device((int)t, index);
}

/* MLX's error for a GPU device in a build without a GPU back-end: msg names the function. */
static int check_gpu_backend(mlx_device dev, const char *msg) {
  mlx_device_type t = MLX_CPU;
  int count = 0;
  if (mlx_device_get_type(&t, dev) || t != MLX_GPU) return 0;
  if (mlx_device_count(&count, MLX_GPU) || count > 0) return 0;
  PyErr_SetString(PyExc_ValueError, msg);
  return -1;
}

/* Default stream of a device handle (new handle in *out). */
static int default_stream_of(mlx_device dev, mlx_stream *out) {
  out->ctx = NULL;
  if (check_gpu_backend(dev, "[default_stream] Cannot get gpu stream without gpu backend.") < 0)
    return -1;
  *out = mlx_stream_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_get_default_stream(out, dev)) < 0) {
    mlx_stream_free(*out);
    out->ctx = NULL;
    return -1;
  }
  return 0;
}

static PyTypeObject ThreadLocalStreamType;
#define ThreadLocalStream_Check(o) PyObject_TypeCheck((o), &ThreadLocalStreamType)
static PyObject *thread_local_current(PyObject *tls);

int mxpy_stream_arg(PyObject *o, mlx_stream *out) {
  out->ctx = NULL;
  if (o != NULL && ThreadLocalStream_Check(o) && !(o = thread_local_current(o))) return -1;
  if (o == NULL || o == Py_None) {
    mlx_device dev = mlx_device_new();
    mxpy_error_clear();
    if (mxpy_check_op(mlx_get_default_device(&dev)) < 0) {
      mlx_device_free(dev);
      return -1;
    }
    int r = default_stream_of(dev, out);
    mlx_device_free(dev);
    return r;
  }
  if (mxpy_Stream_Check(o)) {
    *out = mlx_stream_new();
    mxpy_error_clear();
    if (mxpy_check_op(mlx_stream_set(out, ((mxpy_StreamObject *)o)->s)) < 0) {
      mlx_stream_free(*out);
      out->ctx = NULL;
      return -1;
    }
    return 0;
  }
  if (mxpy_Device_Check(o) ||
      (mxpy_DeviceTypeEnum && PyObject_TypeCheck(o, (PyTypeObject *)mxpy_DeviceTypeEnum))) {
    mlx_device dev;
    if (mxpy_device_arg(o, &dev) < 0) return -1;
    int r = default_stream_of(dev, out);
    mlx_device_free(dev);
    return r;
  }
  PyErr_Format(PyExc_TypeError,
               "stream must be an mlx.core.Stream, ThreadLocalStream, Device, DeviceType or None, "
               "not %.200s.",
               Py_TYPE(o)->tp_name);
  return -1;
}

/* ------------------------------------------------------------------ Device */

static PyObject *device_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  (void)type;
  static char *kwlist[] = {"type", "index", NULL};
  PyObject *t;
  int index = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i:Device", kwlist, &t, &index)) return NULL;
  mlx_device_type dt;
  if (mxpy_device_type_arg(t, &dt) < 0) return NULL;
  return make_device((int)dt, index);
}

static PyObject *device_repr(PyObject *self) {
  mxpy_DeviceObject *d = (mxpy_DeviceObject *)self;
  return PyUnicode_FromFormat("Device(%s, %d)", type_name(d->type), d->index);
}

static PyObject *device_get_type(PyObject *self, void *closure) {
  (void)closure;
  return PyObject_CallFunction(mxpy_DeviceTypeEnum, "i", ((mxpy_DeviceObject *)self)->type);
}

static PyObject *device_richcompare(PyObject *a, PyObject *b, int op) {
  if (op != Py_EQ && op != Py_NE) Py_RETURN_NOTIMPLEMENTED;
  int ta, ia, tb, ib;
  PyObject *objs[2] = {a, b};
  int *ts[2] = {&ta, &tb}, *is[2] = {&ia, &ib};
  for (int k = 0; k < 2; k++) {
    PyObject *o = objs[k];
    if (mxpy_Device_Check(o)) {
      *ts[k] = ((mxpy_DeviceObject *)o)->type;
      *is[k] = ((mxpy_DeviceObject *)o)->index;
    } else if (mxpy_DeviceTypeEnum && PyObject_TypeCheck(o, (PyTypeObject *)mxpy_DeviceTypeEnum)) {
      mlx_device_type t;
      if (mxpy_device_type_arg(o, &t) < 0) return NULL;
      *ts[k] = (int)t;
      *is[k] = 0;
    } else {
      Py_RETURN_NOTIMPLEMENTED;
    }
  }
  bool eq = ta == tb && ia == ib;
  return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t device_hash(PyObject *self) {
  mxpy_DeviceObject *d = (mxpy_DeviceObject *)self;
  Py_hash_t h = (Py_hash_t)d->type * 1000003 + d->index;
  return h == -1 ? -2 : h;
}

static PyGetSetDef device_getset[] = {
    {"type", device_get_type, NULL, "The device type.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject mxpy_DeviceObjType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.Device",
    .tp_basicsize = sizeof(mxpy_DeviceObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A device to run operations on.",
    .tp_new = device_new,
    .tp_repr = device_repr,
    .tp_str = device_repr,
    .tp_richcompare = device_richcompare,
    .tp_hash = device_hash,
    .tp_getset = device_getset,
};

/* ------------------------------------------------------------------ Stream */

static PyObject *make_stream(mlx_stream s) {
  mxpy_StreamObject *o = PyObject_New(mxpy_StreamObject, &mxpy_StreamType);
  if (!o) {
    mlx_stream_free(s);
    return NULL;
  }
  o->s = s;
  return (PyObject *)o;
}

static void stream_dealloc(PyObject *self) {
  mlx_stream_free(((mxpy_StreamObject *)self)->s);
  PyObject_Free(self);
}

static int stream_parts(mlx_stream s, int *type, int *dindex, int *sindex) {
  mlx_device dev = mlx_device_new();
  mlx_device_type t = MLX_CPU;
  mxpy_error_clear();
  int st = mlx_stream_get_device(&dev, s);
  if (!st) st = mlx_device_get_type(&t, dev);
  if (!st) st = mlx_device_get_index(dindex, dev);
  if (!st) st = mlx_stream_get_index(sindex, s);
  mlx_device_free(dev);
  *type = (int)t;
  return mxpy_check_op(st);
}

static PyObject *stream_repr(PyObject *self) {
  int t, di, si;
  if (stream_parts(((mxpy_StreamObject *)self)->s, &t, &di, &si) < 0) return NULL;
  return PyUnicode_FromFormat("Stream(Device(%s, %d), %d)", type_name(t), di, si);
}

static PyObject *stream_get_device(PyObject *self, void *closure) {
  (void)closure;
  int t, di, si;
  if (stream_parts(((mxpy_StreamObject *)self)->s, &t, &di, &si) < 0) return NULL;
  return make_device(t, di);
}

static PyObject *stream_richcompare(PyObject *a, PyObject *b, int op) {
  if ((op != Py_EQ && op != Py_NE) || !mxpy_Stream_Check(a) || !mxpy_Stream_Check(b))
    Py_RETURN_NOTIMPLEMENTED;
  bool eq = mlx_stream_equal(((mxpy_StreamObject *)a)->s, ((mxpy_StreamObject *)b)->s);
  return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t stream_hash(PyObject *self) {
  int t, di, si;
  if (stream_parts(((mxpy_StreamObject *)self)->s, &t, &di, &si) < 0) return -1;
  Py_hash_t h = ((Py_hash_t)t * 1000003 + di) * 1000003 + si;
  return h == -1 ? -2 : h;
}

static PyGetSetDef stream_getset[] = {
    {"device", stream_get_device, NULL, "The device of the stream.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject mxpy_StreamType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.Stream",
    .tp_basicsize = sizeof(mxpy_StreamObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A stream for running operations on a given device.",
    .tp_dealloc = stream_dealloc,
    .tp_repr = stream_repr,
    .tp_str = stream_repr,
    .tp_richcompare = stream_richcompare,
    .tp_hash = stream_hash,
    .tp_getset = stream_getset,
};

/* A new stream on a device, as a Stream object. */
static PyObject *new_stream_object(mlx_device dev) {
  if (check_gpu_backend(dev, "[new_stream] Cannot make gpu stream without gpu backend.") < 0)
    return NULL;
  mxpy_error_clear();
  mlx_stream s = mlx_stream_new_device(dev);
  if (!s.ctx) return mxpy_raise_lib(PyExc_ValueError), NULL;
  return make_stream(s);
}

/* ------------------------------------------------------------------ ThreadLocalStream */

/* A stream per thread on one device: a thread that uses it gets its own new stream, made on
 * first use (all streams here work from any thread; this keeps MLX's one-stream-per-thread
 * behaviour for programs that rely on it). */
typedef struct {
  PyObject_HEAD int type, index; /* the device */
  int id;                        /* numbers the thread-local streams, as MLX prints them */
  PyObject *per_thread;          /* dict: thread ident -> Stream */
} ThreadLocalStreamObject;

static int thread_local_count; /* guarded by the GIL */

static void tls_dealloc(PyObject *self) {
  Py_XDECREF(((ThreadLocalStreamObject *)self)->per_thread);
  PyObject_Free(self);
}

/* Borrowed reference to the calling thread's Stream of tls (made on first use). */
static PyObject *thread_local_current(PyObject *tls) {
  ThreadLocalStreamObject *t = (ThreadLocalStreamObject *)tls;
  PyObject *key = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
  if (!key) return NULL;
  PyObject *s = PyDict_GetItemWithError(t->per_thread, key);
  if (!s && !PyErr_Occurred()) {
    mlx_device dev = mlx_device_new_type((mlx_device_type)t->type, t->index);
    PyObject *made = new_stream_object(dev);
    mlx_device_free(dev);
    if (made && PyDict_SetItem(t->per_thread, key, made) == 0) s = made;
    Py_XDECREF(made); /* the dict keeps it */
  }
  Py_DECREF(key);
  return s;
}

static PyObject *tls_repr(PyObject *self) {
  ThreadLocalStreamObject *t = (ThreadLocalStreamObject *)self;
  return PyUnicode_FromFormat("ThreadLocalStream(Device(%s, %d), %d)", type_name(t->type), t->index,
                              t->id);
}

static PyObject *tls_get_device(PyObject *self, void *closure) {
  (void)closure;
  ThreadLocalStreamObject *t = (ThreadLocalStreamObject *)self;
  return make_device(t->type, t->index);
}

static PyGetSetDef tls_getset[] = {
    {"device", tls_get_device, NULL, "The device of the stream.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ThreadLocalStreamType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.ThreadLocalStream",
    .tp_basicsize = sizeof(ThreadLocalStreamObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A stream that is a different stream in each thread that uses it.",
    .tp_dealloc = tls_dealloc,
    .tp_repr = tls_repr,
    .tp_str = tls_repr,
    .tp_getset = tls_getset,
};

/* ------------------------------------------------------------------ StreamContext */

typedef struct {
  PyObject_HEAD PyObject *target;
  bool active;
  mlx_device old_dev;
  mlx_stream old_stream;     /* default stream of the old default device */
  mlx_stream old_new_stream; /* previous default stream of the entered stream's device */
} StreamContextObject;

static void ctx_release_saved(StreamContextObject *c) {
  if (c->old_dev.ctx) mlx_device_free(c->old_dev);
  if (c->old_stream.ctx) mlx_stream_free(c->old_stream);
  if (c->old_new_stream.ctx) mlx_stream_free(c->old_new_stream);
  c->old_dev.ctx = NULL;
  c->old_stream.ctx = NULL;
  c->old_new_stream.ctx = NULL;
}

static void ctx_dealloc(PyObject *self) {
  StreamContextObject *c = (StreamContextObject *)self;
  ctx_release_saved(c);
  Py_XDECREF(c->target);
  PyObject_Free(self);
}

static PyObject *ctx_enter(PyObject *self, PyObject *unused) {
  (void)unused;
  StreamContextObject *c = (StreamContextObject *)self;
  if (c->active) {
    PyErr_SetString(PyExc_RuntimeError, "StreamContext is already active.");
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(c->target, &s) < 0) return NULL;
  mlx_device new_dev = mlx_device_new();
  c->old_dev = mlx_device_new();
  mxpy_error_clear();
  int st = mlx_stream_get_device(&new_dev, s);
  if (!st) st = mlx_get_default_device(&c->old_dev);
  if (st) {
    mxpy_raise_lib(PyExc_ValueError);
    goto fail;
  }
  if (default_stream_of(c->old_dev, &c->old_stream) < 0) goto fail;
  if (default_stream_of(new_dev, &c->old_new_stream) < 0) goto fail;
  mxpy_error_clear();
  st = mlx_set_default_device(new_dev);
  if (!st) st = mlx_set_default_stream(s);
  if (st) {
    mxpy_raise_lib(PyExc_ValueError);
    mlx_set_default_device(c->old_dev);
    goto fail;
  }
  mlx_device_free(new_dev);
  mlx_stream_free(s);
  c->active = true;
  Py_RETURN_NONE;
fail:
  mlx_device_free(new_dev);
  mlx_stream_free(s);
  ctx_release_saved(c);
  return NULL;
}

static PyObject *ctx_exit(PyObject *self, PyObject *args) {
  (void)args;
  StreamContextObject *c = (StreamContextObject *)self;
  if (c->active) {
    mxpy_error_clear();
    int st = mlx_set_default_stream(c->old_new_stream);
    if (!st) st = mlx_set_default_stream(c->old_stream);
    if (!st) st = mlx_set_default_device(c->old_dev);
    c->active = false;
    ctx_release_saved(c);
    if (st) return mxpy_raise_lib(PyExc_RuntimeError), NULL;
  }
  Py_RETURN_NONE;
}

static PyMethodDef ctx_methods[] = {
    {"__enter__", ctx_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject mxpy_StreamContextType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.StreamContext",
    .tp_basicsize = sizeof(StreamContextObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context manager that sets the default device and stream.",
    .tp_dealloc = ctx_dealloc,
    .tp_methods = ctx_methods,
};

/* ------------------------------------------------------------------ module functions */

static PyObject *f_default_device(PyObject *m, PyObject *unused) {
  (void)m;
  (void)unused;
  mlx_device dev = mlx_device_new();
  mxpy_error_clear();
  PyObject *r = NULL;
  if (mxpy_check_op(mlx_get_default_device(&dev)) == 0) r = mxpy_device_object(dev);
  mlx_device_free(dev);
  return r;
}

static PyObject *f_set_default_device(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"device", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:set_default_device", kwlist, &o)) return NULL;
  mlx_device dev;
  if (mxpy_device_arg(o, &dev) < 0) return NULL;
  if (check_gpu_backend(dev, "[set_default_device] Cannot set gpu device without gpu backend.") <
      0) {
    mlx_device_free(dev);
    return NULL;
  }
  mxpy_error_clear();
  int st = mlx_set_default_device(dev);
  mlx_device_free(dev);
  if (mxpy_check_op(st) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *f_is_available(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"device", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:is_available", kwlist, &o)) return NULL;
  mlx_device dev;
  if (mxpy_device_arg(o, &dev) < 0) return NULL;
  bool avail = false;
  mxpy_error_clear();
  int st = mlx_device_is_available(&avail, dev);
  mlx_device_free(dev);
  if (mxpy_check_op(st) < 0) return NULL;
  return PyBool_FromLong(avail);
}

static PyObject *f_device_count(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"device_type", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:device_count", kwlist, &o)) return NULL;
  mlx_device_type t;
  if (mxpy_device_type_arg(o, &t) < 0) return NULL;
  int count = 0;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_device_count(&count, t)) < 0) return NULL;
  return PyLong_FromLong(count);
}

static PyObject *f_device_info(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"d", NULL};
  PyObject *o = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:device_info", kwlist, &o)) return NULL;
  mlx_device dev;
  if (o == Py_None) {
    dev = mlx_device_new();
    mxpy_error_clear();
    if (mxpy_check_op(mlx_get_default_device(&dev)) < 0) {
      mlx_device_free(dev);
      return NULL;
    }
  } else if (mxpy_device_arg(o, &dev) < 0) {
    return NULL;
  }
  PyObject *result = NULL;
  bool avail = false;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_device_is_available(&avail, dev)) < 0) {
    mlx_device_free(dev);
    return NULL;
  }
  if (!avail) { /* like MLX: nothing to report for a device this build lacks */
    mlx_device_free(dev);
    return PyDict_New();
  }
  mlx_device_info info = mlx_device_info_new();
  mlx_vector_string keys = mlx_vector_string_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_device_info_get(&info, dev)) < 0) goto done;
  if (mxpy_check_op(mlx_device_info_get_keys(&keys, info)) < 0) goto done;
  result = PyDict_New();
  if (!result) goto done;
  size_t n = mlx_vector_string_size(keys);
  for (size_t i = 0; i < n; i++) {
    char *key = NULL;
    if (mxpy_check_op(mlx_vector_string_get(&key, keys, i)) < 0 || !key) goto fail;
    bool is_str = false;
    if (mxpy_check_op(mlx_device_info_is_string(&is_str, info, key)) < 0) goto fail;
    PyObject *val;
    if (is_str) {
      const char *s = NULL;
      if (mxpy_check_op(mlx_device_info_get_string(&s, info, key)) < 0) goto fail;
      val = PyUnicode_FromString(s ? s : "");
    } else {
      size_t x = 0;
      if (mxpy_check_op(mlx_device_info_get_size(&x, info, key)) < 0) goto fail;
      val = PyLong_FromSize_t(x);
    }
    if (!val) goto fail;
    int rc = PyDict_SetItemString(result, key, val);
    Py_DECREF(val);
    if (rc < 0) goto fail;
  }
  goto done;
fail:
  Py_CLEAR(result);
done:
  mlx_vector_string_free(keys);
  mlx_device_info_free(info);
  mlx_device_free(dev);
  return result;
}

static PyObject *f_default_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"device", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:default_stream", kwlist, &o)) return NULL;
  mlx_device dev;
  if (mxpy_device_arg(o, &dev) < 0) return NULL;
  mlx_stream s;
  int r = default_stream_of(dev, &s);
  mlx_device_free(dev);
  if (r < 0) return NULL;
  return make_stream(s);
}

static PyObject *f_set_default_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"stream", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:set_default_stream", kwlist, &mxpy_StreamType,
                                   &o))
    return NULL;
  mxpy_error_clear();
  if (mxpy_check_op(mlx_set_default_stream(((mxpy_StreamObject *)o)->s)) < 0) return NULL;
  Py_RETURN_NONE;
}

/* The device argument of the stream makers (fmt: "O:name"). */
static int maker_device(PyObject *args, PyObject *kwds, const char *fmt, mlx_device *dev) {
  static char *kwlist[] = {"device", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &o)) return -1;
  return mxpy_device_arg(o, dev);
}

static PyObject *new_stream_from_args(PyObject *args, PyObject *kwds, const char *fmt) {
  mlx_device dev;
  if (maker_device(args, kwds, fmt, &dev) < 0) return NULL;
  PyObject *r = new_stream_object(dev);
  mlx_device_free(dev);
  return r;
}

static PyObject *f_new_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return new_stream_from_args(args, kwds, "O:new_stream");
}

/* Streams here work from any thread, so a "thread unsafe" stream is an ordinary new stream. */
static PyObject *f_new_thread_unsafe_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return new_stream_from_args(args, kwds, "O:new_thread_unsafe_stream");
}

static PyObject *f_new_thread_local_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  mlx_device dev;
  if (maker_device(args, kwds, "O:new_thread_local_stream", &dev) < 0) return NULL;
  mlx_device_type t = MLX_CPU;
  int index = 0;
  mxpy_error_clear();
  int st = mlx_device_get_type(&t, dev);
  if (!st) st = mlx_device_get_index(&index, dev);
  mlx_device_free(dev);
  if (mxpy_check_op(st) < 0) return NULL;
  /* As in MLX, an unusable device fails when a thread first uses the stream. */
  ThreadLocalStreamObject *o = PyObject_New(ThreadLocalStreamObject, &ThreadLocalStreamType);
  if (!o) return NULL;
  o->type = (int)t;
  o->index = index;
  o->id = thread_local_count++;
  o->per_thread = PyDict_New();
  if (!o->per_thread) {
    Py_DECREF(o);
    return NULL;
  }
  return (PyObject *)o;
}

static PyObject *f_stream(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"s", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:stream", kwlist, &o)) return NULL;
  if (!mxpy_Stream_Check(o) && !mxpy_Device_Check(o) && !ThreadLocalStream_Check(o)) {
    mlx_device_type t;
    if (mxpy_device_type_arg(o, &t) < 0) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError,
                   "stream(): expected an mlx.core.Stream, ThreadLocalStream, Device or "
                   "DeviceType, got %.200s.",
                   Py_TYPE(o)->tp_name);
      return NULL;
    }
    o = PyObject_CallFunction(mxpy_DeviceTypeEnum, "i", (int)t);
    if (!o) return NULL;
  } else {
    Py_INCREF(o);
  }
  StreamContextObject *c = PyObject_New(StreamContextObject, &mxpy_StreamContextType);
  if (!c) {
    Py_DECREF(o);
    return NULL;
  }
  c->target = o;
  c->active = false;
  c->old_dev.ctx = NULL;
  c->old_stream.ctx = NULL;
  c->old_new_stream.ctx = NULL;
  return (PyObject *)c;
}

/* Waits for the work queued on o's stream (None: the default stream). */
static PyObject *synchronize_arg(PyObject *o) {
  mlx_stream s;
  if (mxpy_stream_arg(o, &s) < 0) return NULL;
  int st;
  mxpy_error_clear();
  Py_BEGIN_ALLOW_THREADS st = mlx_synchronize(s);
  Py_END_ALLOW_THREADS mlx_stream_free(s);
  if (mxpy_check_eval(st) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *f_synchronize(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"stream", NULL};
  PyObject *o = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:synchronize", kwlist, &o)) return NULL;
  return synchronize_arg(o);
}

/* MLX destroys the streams the calling thread made (cleanup before a thread exits). Streams
 * here belong to the process and live until it exits, so this only waits for the default
 * stream's queued work. */
static PyObject *f_clear_streams(PyObject *m, PyObject *unused) {
  (void)m;
  (void)unused;
  return synchronize_arg(Py_None);
}

#define KW (PyCFunction)(void (*)(void))

PyMethodDef mxpy_device_methods[] = {
    {"default_device", f_default_device, METH_NOARGS, "Get the default device."},
    {"set_default_device", KW f_set_default_device, METH_VARARGS | METH_KEYWORDS,
     "set_default_device(device: Device | DeviceType) -> None\n\nSet the default device."},
    {"is_available", KW f_is_available, METH_VARARGS | METH_KEYWORDS,
     "is_available(device: Device | DeviceType) -> bool\n\nCheck if a back-end is available."},
    {"device_count", KW f_device_count, METH_VARARGS | METH_KEYWORDS,
     "device_count(device_type: DeviceType) -> int\n\nNumber of devices of a type."},
    {"device_info", KW f_device_info, METH_VARARGS | METH_KEYWORDS,
     "device_info(d: None | Device | DeviceType = None) -> dict[str, str | int]\n\n"
     "Information about a device."},
    {"default_stream", KW f_default_stream, METH_VARARGS | METH_KEYWORDS,
     "default_stream(device: Device | DeviceType) -> Stream\n\nGet the device's default stream."},
    {"set_default_stream", KW f_set_default_stream, METH_VARARGS | METH_KEYWORDS,
     "set_default_stream(stream: Stream) -> None\n\nSet the default stream of its device."},
    {"new_stream", KW f_new_stream, METH_VARARGS | METH_KEYWORDS,
     "new_stream(device: Device | DeviceType) -> Stream\n\nMake a new stream on a device."},
    {"stream", KW f_stream, METH_VARARGS | METH_KEYWORDS,
     "stream(s: Stream | ThreadLocalStream | Device | DeviceType) -> StreamContext\n\n"
     "Context manager setting the default device and stream."},
    {"synchronize", KW f_synchronize, METH_VARARGS | METH_KEYWORDS,
     "synchronize(stream: Stream | None = None) -> None\n\n"
     "Wait for the stream's scheduled work to finish."},
    {"clear_streams", f_clear_streams, METH_NOARGS,
     "clear_streams() -> None\n\nRelease the streams of the calling thread (here: wait for the "
     "default stream; streams live as long as the process)."},
    {"new_thread_unsafe_stream", KW f_new_thread_unsafe_stream, METH_VARARGS | METH_KEYWORDS,
     "new_thread_unsafe_stream(device: Device | DeviceType) -> Stream\n\n"
     "Make a new stream that any thread may use."},
    {"new_thread_local_stream", KW f_new_thread_local_stream, METH_VARARGS | METH_KEYWORDS,
     "new_thread_local_stream(device: Device | DeviceType) -> ThreadLocalStream\n\n"
     "Make a stream that is a different new stream in each thread that uses it."},
    {NULL, NULL, 0, NULL},
};

int mxpy_device_module_init(PyObject *m) {
  PyObject *enum_mod = PyImport_ImportModule("enum");
  if (!enum_mod) return -1;
  PyObject *Enum = PyObject_GetAttrString(enum_mod, "Enum");
  Py_DECREF(enum_mod);
  if (!Enum) return -1;
  PyObject *args =
      Py_BuildValue("(s[(si)(si)])", "DeviceType", "cpu", (int)MLX_CPU, "gpu", (int)MLX_GPU);
  PyObject *kw = Py_BuildValue("{ss}", "module", "mlx.core");
  PyObject *cls = (args && kw) ? PyObject_Call(Enum, args, kw) : NULL;
  Py_XDECREF(args);
  Py_XDECREF(kw);
  if (!cls) {
    Py_DECREF(Enum);
    return -1;
  }
  /* MLX's enum prints as DeviceType.cpu (repr too). */
  PyObject *str = PyObject_GetAttrString(Enum, "__str__");
  Py_DECREF(Enum);
  if (!str || PyObject_SetAttrString(cls, "__repr__", str) < 0) {
    Py_XDECREF(str);
    Py_DECREF(cls);
    return -1;
  }
  Py_DECREF(str);
  mxpy_DeviceTypeEnum = cls;
  Py_INCREF(cls);
  if (PyModule_AddObject(m, "DeviceType", cls) < 0) {
    Py_DECREF(cls);
    return -1;
  }
  const char *names[2] = {"cpu", "gpu"};
  for (int i = 0; i < 2; i++) {
    PyObject *v = PyObject_GetAttrString(cls, names[i]);
    if (!v || PyModule_AddObject(m, names[i], v) < 0) {
      Py_XDECREF(v);
      return -1;
    }
  }
  PyTypeObject *types[] = {&mxpy_DeviceObjType, &mxpy_StreamType, &ThreadLocalStreamType,
                           &mxpy_StreamContextType};
  const char *tnames[] = {"Device", "Stream", "ThreadLocalStream", "StreamContext"};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    if (PyType_Ready(types[i]) < 0) return -1;
    Py_INCREF(types[i]);
    if (PyModule_AddObject(m, tnames[i], (PyObject *)types[i]) < 0) {
      Py_DECREF(types[i]);
      return -1;
    }
  }
  return 0;
}
