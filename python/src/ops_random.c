/* mlx.core: random numbers (the mlx.core.random submodule) and creation ops.
 *
 * mlx.core.random keeps MLX's per-thread global key: `random.state` is a read-only sequence
 * holding the thread's key; a function called without key= splits it (the first half becomes the
 * new state, the second is used), `random.seed(s)` sets it to key(s). The state lives in the
 * thread's dict, so every Python thread has its own (seeded from the clock on first use). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "mlxpy.h"

#define KW (PyCFunction)(void (*)(void))

/* dtype_util.c */
int mxpy_dtype_util_init(PyObject *m);

/* ------------------------------------------------------------------ shared helpers */

/* Owned handles of one call, freed together. */
typedef struct {
  mlx_array h[8];
  int n;
} handles;

static mlx_array *hnew(handles *hs) {
  hs->h[hs->n] = mlx_array_new();
  return &hs->h[hs->n++];
}

static void hfree(handles *hs) {
  for (int i = 0; i < hs->n; i++) mlx_array_free(hs->h[i]);
  hs->n = 0;
}

/* "scalar | array" argument: an mx.array is borrowed, anything else is converted. */
static int arr_arg(PyObject *o, handles *hs, mlx_array *out) {
  if (mxpy_Array_Check(o)) {
    *out = MXPY_ARR(o);
    return 0;
  }
  if (PyList_Check(o) || PyTuple_Check(o)) { /* MLX takes scalars and array-likes only */
    PyErr_Format(PyExc_ValueError, "Invalid type %.200s received in array initialization.",
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  mlx_array *h = hnew(hs);
  if (mxpy_array_from_object(o, NULL, h) < 0) return -1;
  *out = *h;
  return 0;
}

/* A dtype argument with a default for None. */
static int dtype_or(PyObject *o, const char *fname, mlx_dtype dflt, mlx_dtype *out) {
  bool has;
  if (mxpy_dtype_arg(o, true, fname, out, &has) < 0) return -1;
  if (!has) *out = dflt;
  return 0;
}

/* A Python int that fits in a C int (not bool). */
static int int_arg(PyObject *o, const char *fname, const char *what, int *out) {
  if (!mxpy_is_int_like(o) || PyBool_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an integer, not %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  PyObject *i = PyNumber_Index(o);
  if (!i) return -1;
  long v = PyLong_AsLong(i);
  Py_DECREF(i);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_Format(PyExc_OverflowError, "%s(): %s is out of range.", fname, what);
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* Broadcast of two shapes (MLX's rule and message). */
static int broadcast2(const int *a, size_t an, const int *b, size_t bn, mxpy_ints *out) {
  size_t n = an > bn ? an : bn;
  mxpy_ints_init(out);
  if (mxpy_ints_reserve(out, n) < 0) return -1;
  for (size_t i = 0; i < n; i++) {
    long ai = (long)i - (long)(n - an), bi = (long)i - (long)(n - bn);
    int da = ai >= 0 ? a[ai] : 1, db = bi >= 0 ? b[bi] : 1;
    if (da != db && da != 1 && db != 1) {
      char sa[256], sb[256];
      size_t la = 0, lb = 0;
      la += (size_t)snprintf(sa, sizeof sa, "(");
      for (size_t k = 0; k < an && la < sizeof sa; k++)
        la += (size_t)snprintf(sa + la, sizeof sa - la, k + 1 < an ? "%d," : "%d", a[k]);
      if (la < sizeof sa) snprintf(sa + la, sizeof sa - la, ")");
      lb += (size_t)snprintf(sb, sizeof sb, "(");
      for (size_t k = 0; k < bn && lb < sizeof sb; k++)
        lb += (size_t)snprintf(sb + lb, sizeof sb - lb, k + 1 < bn ? "%d," : "%d", b[k]);
      if (lb < sizeof sb) snprintf(sb + lb, sizeof sb - lb, ")");
      PyErr_Format(PyExc_ValueError, "[broadcast_shapes] Shapes %s and %s cannot be broadcast.",
                   sa, sb);
      mxpy_ints_free(out);
      return -1;
    }
    out->data[i] = da == 1 ? db : da;
  }
  out->n = n;
  return 0;
}

/* ------------------------------------------------------------------ the global key */

#define STATE_KEY "mlx.core.random.state"

static mlx_stream default_stream(void) {
  return mlx_default_cpu_stream_new();
}

static uint64_t clock_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int set_state_key(mlx_array k) {
  PyObject *d = PyThreadState_GetDict();
  if (!d) {
    mlx_array_free(k);
    PyErr_SetString(PyExc_RuntimeError, "random: no thread state dictionary.");
    return -1;
  }
  PyObject *obj = mxpy_array_wrap(k);
  if (!obj) return -1;
  int rc = PyDict_SetItemString(d, STATE_KEY, obj);
  Py_DECREF(obj);
  return rc;
}

/* New reference to this thread's key (an mx.array). */
static PyObject *state_key(void) {
  PyObject *d = PyThreadState_GetDict();
  if (!d) {
    PyErr_SetString(PyExc_RuntimeError, "random: no thread state dictionary.");
    return NULL;
  }
  PyObject *k = PyDict_GetItemString(d, STATE_KEY);
  if (!k) {
    mlx_array h = mlx_array_new();
    mxpy_error_clear();
    if (mxpy_check_op(mlx_random_key(&h, clock_seed())) < 0) {
      mlx_array_free(h);
      return NULL;
    }
    if (set_state_key(h) < 0) return NULL;
    k = PyDict_GetItemString(d, STATE_KEY);
    if (!k) return NULL;
  }
  Py_INCREF(k);
  return k;
}

/* Splits the thread's key: the state becomes the first half, *out the second. */
static int next_key(mlx_array *out) {
  PyObject *k = state_key();
  if (!k) return -1;
  mlx_array a = mlx_array_new();
  mlx_stream s = default_stream();
  mxpy_error_clear();
  int st = mlx_random_split(&a, out, MXPY_ARR(k), s);
  mlx_stream_free(s);
  Py_DECREF(k);
  if (mxpy_check_op(st) < 0) {
    mlx_array_free(a);
    return -1;
  }
  return set_state_key(a);
}

/* key= argument: None -> the next global key (owned); an mx.array -> borrowed. */
static int key_arg(PyObject *o, const char *fname, handles *hs, mlx_array *out) {
  if (o == NULL || o == Py_None) {
    mlx_array *h = hnew(hs);
    if (next_key(h) < 0) return -1;
    *out = *h;
    return 0;
  }
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): key must be an mlx.core.array or None, not %.200s.",
                 fname, Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

/* The read-only sequence mlx.core.random.state: one item, the thread's key (mx.compile swaps
 * the key through mxpy_random_state_set while tracing). */
typedef struct {
  PyObject_HEAD
} state_object;

static Py_ssize_t state_len(PyObject *self) {
  (void)self;
  return 1;
}

static PyObject *state_item(PyObject *self, Py_ssize_t i) {
  (void)self;
  if (i != 0) {
    PyErr_SetString(PyExc_IndexError, "random state index out of range");
    return NULL;
  }
  return state_key();
}

static PySequenceMethods state_as_sequence = {
    .sq_length = state_len,
    .sq_item = state_item,
};

static PyTypeObject state_type;

bool mxpy_random_state_check(PyObject *o) {
  return Py_IS_TYPE(o, &state_type);
}

int mxpy_random_state_set(PyObject *key) {
  if (!mxpy_Array_Check(key)) {
    PyErr_SetString(PyExc_TypeError, "random state items must be arrays.");
    return -1;
  }
  PyObject *d = PyThreadState_GetDict();
  if (!d) {
    PyErr_SetString(PyExc_RuntimeError, "random: no thread state dictionary.");
    return -1;
  }
  return PyDict_SetItemString(d, STATE_KEY, key);
}

static PyObject *state_repr(PyObject *self) {
  (void)self;
  PyObject *k = state_key();
  if (!k) return NULL;
  PyObject *r = PyUnicode_FromFormat("[%R]", k);
  Py_DECREF(k);
  return r;
}

static PyTypeObject state_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.random._RandomState",
    .tp_basicsize = sizeof(state_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The random key of the current thread, as a one-element sequence.",
    .tp_as_sequence = &state_as_sequence,
    .tp_repr = state_repr,
};

static PyObject *state_singleton;

/* ------------------------------------------------------------------ mlx.core.random */

static PyObject *r_getattr(PyObject *m, PyObject *name) {
  (void)m;
  if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "state") == 0) {
    Py_INCREF(state_singleton);
    return state_singleton;
  }
  PyErr_Format(PyExc_AttributeError, "Module 'random' has no attribute '%U'", name);
  return NULL;
}

static int seed_arg(PyObject *o, const char *fname, uint64_t *out) {
  if (!PyLong_Check(o) || PyBool_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): seed must be an int, not %.200s.", fname,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  unsigned long long v = PyLong_AsUnsignedLongLong(o);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s(): seed must be an int in [0, 2**64).", fname);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

static PyObject *r_seed(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"seed", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:seed", kwlist, &o)) return NULL;
  uint64_t seed;
  if (seed_arg(o, "seed", &seed) < 0) return NULL;
  mlx_random_seed(seed);
  mlx_array h = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_random_key(&h, seed)) < 0) {
    mlx_array_free(h);
    return NULL;
  }
  if (set_state_key(h) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *r_key(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"seed", NULL};
  PyObject *o;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:key", kwlist, &o)) return NULL;
  uint64_t seed;
  if (seed_arg(o, "key", &seed) < 0) return NULL;
  mlx_array h = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_check_op(mlx_random_key(&h, seed)) < 0) {
    mlx_array_free(h);
    return NULL;
  }
  return mxpy_array_wrap(h);
}

static PyObject *r_split(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"key", "num", "stream", NULL};
  PyObject *key, *num = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO:split", kwlist, &key, &num, &stream))
    return NULL;
  if (!mxpy_Array_Check(key)) {
    PyErr_Format(PyExc_TypeError, "split(): key must be an mlx.core.array, not %.200s.",
                 Py_TYPE(key)->tp_name);
    return NULL;
  }
  int n = 2;
  if (num && int_arg(num, "split", "num", &n) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_random_split_num(&r, MXPY_ARR(key), n, s), r, s);
}

/* Parses the shape argument: NULL/None -> has = false (when allowed). */
static int shape_arg(PyObject *o, const char *what, bool allow_none, mxpy_ints *v, bool *has) {
  *has = false;
  mxpy_ints_init(v);
  if (o == NULL) return 0;
  if (o == Py_None) {
    if (allow_none) return 0;
    PyErr_Format(PyExc_TypeError, "%s must be a sequence of integers, not None.", what);
    return -1;
  }
  if (mxpy_ints_from(o, false, what, v) < 0) return -1;
  *has = true;
  return 0;
}

/* MLX raises RuntimeError (not ValueError) when uniform is asked for float64. */
static int no_f64_uniform(mlx_dtype d) {
  if (d != MLX_FLOAT64) return 0;
  PyErr_SetString(PyExc_RuntimeError, "[uniform] Unsupported type.");
  return -1;
}

static PyObject *r_uniform(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"low", "high", "shape", "dtype", "key", "stream", NULL};
  PyObject *low = NULL, *high = NULL, *shape = NULL, *dt = Py_None, *key = Py_None,
           *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOOO:uniform", kwlist, &low, &high, &shape,
                                   &dt, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "uniform(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array lo, hi, k;
  mlx_stream s;
  if (dtype_or(dt, "uniform", MLX_FLOAT32, &d) < 0 || no_f64_uniform(d) < 0) goto done;
  if (low) {
    if (arr_arg(low, &hs, &lo) < 0) goto done;
  } else {
    lo = *hnew(&hs) = mlx_array_new_float(0.0f);
  }
  if (high) {
    if (arr_arg(high, &hs, &hi) < 0) goto done;
  } else {
    hi = *hnew(&hs) = mlx_array_new_float(1.0f);
  }
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "uniform", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_uniform(&r, lo, hi, sh.data, sh.n, d, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static int float_arg(PyObject *o, const char *fname, const char *what, float *out) {
  if (!PyFloat_Check(o) && !PyLong_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be a float, not %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) return -1;
  *out = (float)v;
  return 0;
}

static PyObject *r_normal(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"shape", "dtype", "loc", "scale", "key", "stream", NULL};
  PyObject *shape = NULL, *dt = Py_None, *loc = Py_None, *scale = Py_None, *key = Py_None,
           *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOOO:normal", kwlist, &shape, &dt, &loc,
                                   &scale, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "normal(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array k;
  mlx_stream s;
  if (dtype_or(dt, "normal", MLX_FLOAT32, &d) < 0) goto done;
  /* Python numbers use the float form; arrays (or array-likes) the broadcasting one. */
  bool arrays = (loc != Py_None && !PyFloat_Check(loc) && !PyLong_Check(loc)) ||
                (scale != Py_None && !PyFloat_Check(scale) && !PyLong_Check(scale));
  float lf = 0.0f, sf = 1.0f;
  mlx_array la = {NULL}, sa = {NULL};
  if (arrays) {
    if (loc != Py_None && arr_arg(loc, &hs, &la) < 0) goto done;
    if (scale != Py_None && arr_arg(scale, &hs, &sa) < 0) goto done;
  } else {
    if (loc != Py_None && float_arg(loc, "normal", "loc", &lf) < 0) goto done;
    if (scale != Py_None && float_arg(scale, "normal", "scale", &sf) < 0) goto done;
  }
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "normal", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = arrays ? mlx_random_normal_broadcast(&r, sh.data, sh.n, d, la, sa, k, s)
                  : mlx_random_normal(&r, sh.data, sh.n, d, lf, sf, k, s);
  result = mxpy_finish(st, r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_multivariate_normal(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"mean", "cov", "shape", "dtype", "key", "stream", NULL};
  PyObject *mean, *cov, *shape = NULL, *dt = Py_None, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOO:multivariate_normal", kwlist, &mean, &cov,
                                   &shape, &dt, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "multivariate_normal(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array mu, cv, k;
  mlx_stream s;
  if (dtype_or(dt, "multivariate_normal", MLX_FLOAT32, &d) < 0) goto done;
  if (!mxpy_Array_Check(mean) || !mxpy_Array_Check(cov)) {
    PyErr_SetString(PyExc_TypeError,
                    "multivariate_normal(): mean and cov must be mlx.core.array objects.");
    goto done;
  }
  mu = MXPY_ARR(mean);
  cv = MXPY_ARR(cov);
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "multivariate_normal", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_multivariate_normal(&r, mu, cv, sh.data, sh.n, d, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_randint(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"low", "high", "shape", "dtype", "key", "stream", NULL};
  PyObject *low, *high, *shape = NULL, *dt = Py_None, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOO:randint", kwlist, &low, &high, &shape,
                                   &dt, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "randint(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array lo, hi, k;
  mlx_stream s;
  if (dtype_or(dt, "randint", MLX_INT32, &d) < 0) goto done;
  if (arr_arg(low, &hs, &lo) < 0 || arr_arg(high, &hs, &hi) < 0) goto done;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "randint", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_randint(&r, lo, hi, sh.data, sh.n, d, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_bernoulli(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"p", "shape", "key", "stream", NULL};
  PyObject *p = NULL, *shape = Py_None, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOO:bernoulli", kwlist, &p, &shape, &key,
                                   &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "bernoulli(): shape", true, &sh, &has) < 0) return NULL;
  mlx_array pa, k;
  mlx_stream s;
  if (p) {
    if (arr_arg(p, &hs, &pa) < 0) goto done;
  } else {
    pa = *hnew(&hs) = mlx_array_new_float(0.5f);
  }
  const int *sd = has ? sh.data : mlx_array_shape(pa);
  size_t sn = has ? sh.n : mlx_array_ndim(pa);
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "bernoulli", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_bernoulli(&r, pa, sd, sn, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_truncated_normal(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"lower", "upper", "shape", "dtype", "key", "stream", NULL};
  PyObject *lower, *upper, *shape = Py_None, *dt = Py_None, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOO:truncated_normal", kwlist, &lower, &upper,
                                   &shape, &dt, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh, bs;
  bool has;
  mxpy_ints_init(&bs);
  PyObject *result = NULL;
  if (shape_arg(shape, "truncated_normal(): shape", true, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array lo, hi, k;
  mlx_stream s;
  if (dtype_or(dt, "truncated_normal", MLX_FLOAT32, &d) < 0 || no_f64_uniform(d) < 0) goto done;
  if (arr_arg(lower, &hs, &lo) < 0 || arr_arg(upper, &hs, &hi) < 0) goto done;
  if (!has) {
    if (broadcast2(mlx_array_shape(lo), mlx_array_ndim(lo), mlx_array_shape(hi),
                   mlx_array_ndim(hi), &bs) < 0)
      goto done;
  }
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "truncated_normal", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_truncated_normal(&r, lo, hi, has ? sh.data : bs.data,
                                              has ? sh.n : bs.n, d, k, s),
                  r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  mxpy_ints_free(&bs);
  return result;
}

static PyObject *r_gumbel(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"shape", "dtype", "key", "stream", NULL};
  PyObject *shape = NULL, *dt = Py_None, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOO:gumbel", kwlist, &shape, &dt, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "gumbel(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array k;
  mlx_stream s;
  if (dtype_or(dt, "gumbel", MLX_FLOAT32, &d) < 0 || no_f64_uniform(d) < 0) goto done;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "gumbel", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_gumbel(&r, sh.data, sh.n, d, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_categorical(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"logits", "axis", "shape", "num_samples", "key", "stream", NULL};
  PyObject *logits, *axis = NULL, *shape = Py_None, *ns = Py_None, *key = Py_None,
                    *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOOOO:categorical", kwlist, &logits, &axis,
                                   &shape, &ns, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "categorical(): shape", true, &sh, &has) < 0) return NULL;
  int ax = -1, num = -1;
  mlx_array k;
  mlx_stream s;
  if (!mxpy_Array_Check(logits)) {
    PyErr_Format(PyExc_TypeError, "categorical(): logits must be an mlx.core.array, not %.200s.",
                 Py_TYPE(logits)->tp_name);
    goto done;
  }
  if (axis && int_arg(axis, "categorical", "axis", &ax) < 0) goto done;
  if (ns != Py_None && int_arg(ns, "categorical", "num_samples", &num) < 0) goto done;
  if (has && ns != Py_None) {
    PyErr_SetString(PyExc_ValueError,
                    "[categorical] At most one of shape or num_samples can be specified.");
    goto done;
  }
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "categorical", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st;
  if (has)
    st = mlx_random_categorical_shape(&r, MXPY_ARR(logits), ax, sh.data, sh.n, k, s);
  else if (ns != Py_None)
    st = mlx_random_categorical_num_samples(&r, MXPY_ARR(logits), ax, num, k, s);
  else
    st = mlx_random_categorical(&r, MXPY_ARR(logits), ax, k, s);
  result = mxpy_finish(st, r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_laplace(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"shape", "dtype", "loc", "scale", "key", "stream", NULL};
  PyObject *shape = NULL, *dt = Py_None, *loc = NULL, *scale = NULL, *key = Py_None,
           *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOOO:laplace", kwlist, &shape, &dt, &loc,
                                   &scale, &key, &stream))
    return NULL;
  handles hs = {.n = 0};
  mxpy_ints sh;
  bool has;
  PyObject *result = NULL;
  if (shape_arg(shape, "laplace(): shape", false, &sh, &has) < 0) return NULL;
  mlx_dtype d;
  mlx_array k;
  mlx_stream s;
  float lf = 0.0f, sf = 1.0f;
  if (dtype_or(dt, "laplace", MLX_FLOAT32, &d) < 0) goto done;
  if (loc && float_arg(loc, "laplace", "loc", &lf) < 0) goto done;
  if (scale && float_arg(scale, "laplace", "scale", &sf) < 0) goto done;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  if (key_arg(key, "laplace", &hs, &k) < 0) {
    mlx_stream_free(s);
    goto done;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_random_laplace(&r, sh.data, sh.n, d, lf, sf, k, s), r, s);
done:
  hfree(&hs);
  mxpy_ints_free(&sh);
  return result;
}

static PyObject *r_permutation(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"x", "axis", "key", "stream", NULL};
  PyObject *x, *axis = NULL, *key = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO:permutation", kwlist, &x, &axis, &key,
                                   &stream))
    return NULL;
  bool is_int = mxpy_is_int_like(x) && !PyBool_Check(x);
  if (!is_int && !mxpy_Array_Check(x)) {
    PyErr_Format(PyExc_TypeError, "permutation(): x must be an int or an mlx.core.array, not %.200s.",
                 Py_TYPE(x)->tp_name);
    return NULL;
  }
  int ax = 0, n = 0;
  if (axis && int_arg(axis, "permutation", "axis", &ax) < 0) return NULL;
  if (is_int && int_arg(x, "permutation", "x", &n) < 0) return NULL;
  handles hs = {.n = 0};
  mlx_array k;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  if (key_arg(key, "permutation", &hs, &k) < 0) {
    mlx_stream_free(s);
    hfree(&hs);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = is_int ? mlx_random_permutation_arange(&r, n, k, s)
                  : mlx_random_permutation(&r, MXPY_ARR(x), ax, k, s);
  PyObject *result = mxpy_finish(st, r, s);
  hfree(&hs);
  return result;
}

static PyMethodDef random_methods[] = {
    {"__getattr__", r_getattr, METH_O, NULL},
    {"seed", KW r_seed, METH_VARARGS | METH_KEYWORDS,
     "seed(seed: int) -> None\n\nSeed the global PRNG (of the current thread)."},
    {"key", KW r_key, METH_VARARGS | METH_KEYWORDS,
     "key(seed: int) -> array\n\nGet a PRNG key from a seed."},
    {"split", KW r_split, METH_VARARGS | METH_KEYWORDS,
     "split(key: array, num: int = 2, stream: StreamOrDevice = None) -> array\n\n"
     "Split a PRNG key into sub keys."},
    {"uniform", KW r_uniform, METH_VARARGS | METH_KEYWORDS,
     "uniform(low: scalar | array = 0, high: scalar | array = 1, shape: Sequence[int] = [], "
     "dtype: Dtype | None = float32, key: array | None = None, stream: StreamOrDevice = None) "
     "-> array\n\nGenerate uniformly distributed random numbers in [low, high)."},
    {"normal", KW r_normal, METH_VARARGS | METH_KEYWORDS,
     "normal(shape: Sequence[int] = [], dtype: Dtype | None = float32, loc: scalar | array | None "
     "= None, scale: scalar | array | None = None, key: array | None = None, stream: "
     "StreamOrDevice = None) -> array\n\nGenerate normally distributed random numbers."},
    {"multivariate_normal", KW r_multivariate_normal, METH_VARARGS | METH_KEYWORDS,
     "multivariate_normal(mean: array, cov: array, shape: Sequence[int] = [], dtype: Dtype | None "
     "= float32, key: array | None = None, stream: StreamOrDevice = None) -> array\n\n"
     "Generate jointly-normal random samples given a mean and covariance."},
    {"randint", KW r_randint, METH_VARARGS | METH_KEYWORDS,
     "randint(low: scalar | array, high: scalar | array, shape: Sequence[int] = [], dtype: Dtype "
     "| None = int32, key: array | None = None, stream: StreamOrDevice = None) -> array\n\n"
     "Generate random integers from the discrete interval [low, high)."},
    {"bernoulli", KW r_bernoulli, METH_VARARGS | METH_KEYWORDS,
     "bernoulli(p: scalar | array = 0.5, shape: Sequence[int] | None = None, key: array | None = "
     "None, stream: StreamOrDevice = None) -> array\n\nGenerate Bernoulli random values."},
    {"truncated_normal", KW r_truncated_normal, METH_VARARGS | METH_KEYWORDS,
     "truncated_normal(lower: scalar | array, upper: scalar | array, shape: Sequence[int] | None "
     "= None, dtype: Dtype | None = float32, key: array | None = None, stream: StreamOrDevice = "
     "None) -> array\n\nGenerate values from a truncated normal distribution."},
    {"gumbel", KW r_gumbel, METH_VARARGS | METH_KEYWORDS,
     "gumbel(shape: Sequence[int] = [], dtype: Dtype | None = float32, key: array | None = None, "
     "stream: StreamOrDevice = None) -> array\n\nSample from the standard Gumbel distribution."},
    {"categorical", KW r_categorical, METH_VARARGS | METH_KEYWORDS,
     "categorical(logits: array, axis: int = -1, shape: Sequence[int] | None = None, num_samples: "
     "int | None = None, key: array | None = None, stream: StreamOrDevice = None) -> array\n\n"
     "Sample from a categorical distribution."},
    {"laplace", KW r_laplace, METH_VARARGS | METH_KEYWORDS,
     "laplace(shape: Sequence[int] = [], dtype: Dtype | None = float32, loc: float = 0.0, scale: "
     "float = 1.0, key: array | None = None, stream: StreamOrDevice = None) -> array\n\n"
     "Sample numbers from a Laplace distribution."},
    {"permutation", KW r_permutation, METH_VARARGS | METH_KEYWORDS,
     "permutation(x: int | array, axis: int = 0, key: array | None = None, stream: "
     "StreamOrDevice = None) -> array\n\nGenerate a random permutation or permute the entries of "
     "an array."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ creation (mlx.core) */

static int double_arg(PyObject *o, const char *fname, const char *what, double *out) {
  if (PyComplex_Check(o) || PyUnicode_Check(o) || o == Py_None) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be a real scalar, not %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) return -1;
  *out = v;
  return 0;
}

/* linspace without the endpoint: t = arange(num) / num, (1 - t) * start + t * stop. */
static mlx_array scalar_of(mlx_dtype ct, double v) {
  return ct == MLX_FLOAT64 ? mlx_array_new_float64(v) : mlx_array_new_float((float)v);
}

static int linspace_open(mlx_array *res, double start, double stop, int num, mlx_dtype d,
                         mlx_stream s) {
  mlx_dtype ct = d == MLX_FLOAT64 ? MLX_FLOAT64 : MLX_FLOAT32;
  mlx_array t0 = mlx_array_new(), t = mlx_array_new(), tb = mlx_array_new(), a = mlx_array_new(),
            b = mlx_array_new(), r = mlx_array_new();
  mlx_array cn = scalar_of(ct, num > 0 ? num : 1), one = scalar_of(ct, 1.0),
            c0 = scalar_of(ct, start), c1 = scalar_of(ct, stop);
  int st = mlx_arange(&t0, 0.0, (double)num, 1.0, ct, s);
  if (!st) st = mlx_divide(&t, t0, cn, s);
  if (!st) st = mlx_subtract(&tb, one, t, s);
  if (!st) st = mlx_multiply(&a, tb, c0, s);
  if (!st) st = mlx_multiply(&b, t, c1, s);
  if (!st) st = mlx_add(&r, a, b, s);
  if (!st) st = mlx_astype(res, r, d, s);
  mlx_array tmp[] = {t0, t, tb, a, b, r, cn, one, c0, c1};
  for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) mlx_array_free(tmp[i]);
  return st;
}

static PyObject *f_linspace(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"start", "stop", "num", "endpoint", "dtype", "stream", NULL};
  PyObject *a, *b, *num = NULL, *dt = Py_None, *stream = Py_None;
  int endpoint = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OpOO:linspace", kwlist, &a, &b, &num,
                                   &endpoint, &dt, &stream))
    return NULL;
  double start, stop;
  int n = 50;
  mlx_dtype d;
  if (double_arg(a, "linspace", "start", &start) < 0 ||
      double_arg(b, "linspace", "stop", &stop) < 0)
    return NULL;
  if (num && int_arg(num, "linspace", "num", &n) < 0) return NULL;
  if (dtype_or(dt, "linspace", MLX_FLOAT32, &d) < 0) return NULL;
  if (n < 0) {
    PyErr_Format(PyExc_ValueError, "[linspace] number of samples, %d, must be non-negative.", n);
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = endpoint ? mlx_linspace(&r, start, stop, n, d, s) : linspace_open(&r, start, stop, n, d, s);
  return mxpy_finish(st, r, s);
}

static PyObject *f_eye(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"n", "m", "k", "dtype", "stream", NULL};
  PyObject *no, *mo = Py_None, *ko = NULL, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO$O:eye", kwlist, &no, &mo, &ko, &dt, &stream))
    return NULL;
  int n, mm, k = 0;
  mlx_dtype d;
  if (int_arg(no, "eye", "n", &n) < 0) return NULL;
  mm = n;
  if (mo != Py_None && int_arg(mo, "eye", "m", &mm) < 0) return NULL;
  if (ko && int_arg(ko, "eye", "k", &k) < 0) return NULL;
  if (dtype_or(dt, "eye", MLX_FLOAT32, &d) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_eye(&r, n, mm, k, d, s), r, s);
}

static PyObject *f_identity(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"n", "dtype", "stream", NULL};
  PyObject *no, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:identity", kwlist, &no, &dt, &stream))
    return NULL;
  int n;
  mlx_dtype d;
  if (int_arg(no, "identity", "n", &n) < 0) return NULL;
  if (dtype_or(dt, "identity", MLX_FLOAT32, &d) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_identity(&r, n, d, s), r, s);
}

static PyObject *f_tri(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"n", "m", "k", "dtype", "stream", NULL};
  PyObject *no, *mo = Py_None, *ko = NULL, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO$O:tri", kwlist, &no, &mo, &ko, &dt, &stream))
    return NULL;
  int n, mm, k = 0;
  mlx_dtype d;
  if (int_arg(no, "tri", "n", &n) < 0) return NULL;
  mm = n;
  if (mo != Py_None && int_arg(mo, "tri", "m", &mm) < 0) return NULL;
  if (ko && int_arg(ko, "tri", "k", &k) < 0) return NULL;
  if (dtype_or(dt, "tri", MLX_FLOAT32, &d) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_tri(&r, n, mm, k, d, s), r, s);
}

typedef int (*window_fn)(mlx_array *res, int M, const mlx_stream s);

static PyObject *window(PyObject *args, PyObject *kwds, const char *fmt, const char *name,
                        window_fn fn) {
  static char *kwlist[] = {"M", "stream", NULL};
  PyObject *mo, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &mo, &stream)) return NULL;
  int M;
  if (int_arg(mo, name, "M", &M) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(fn(&r, M, s), r, s);
}

static PyObject *f_hanning(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return window(args, kwds, "O|$O:hanning", "hanning", mlx_hanning);
}
static PyObject *f_hamming(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return window(args, kwds, "O|$O:hamming", "hamming", mlx_hamming);
}
static PyObject *f_blackman(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return window(args, kwds, "O|$O:blackman", "blackman", mlx_blackman);
}
static PyObject *f_bartlett(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return window(args, kwds, "O|$O:bartlett", "bartlett", mlx_bartlett);
}

static PyObject *f_meshgrid(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  PyObject *sparse_o = Py_False, *indexing_o = NULL, *stream = Py_None;
  if (kwds) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kwds, &pos, &key, &value)) {
      if (PyUnicode_CompareWithASCIIString(key, "sparse") == 0)
        sparse_o = value;
      else if (PyUnicode_CompareWithASCIIString(key, "indexing") == 0)
        indexing_o = value;
      else if (PyUnicode_CompareWithASCIIString(key, "stream") == 0)
        stream = value;
      else {
        PyErr_Format(PyExc_TypeError, "meshgrid() got an unexpected keyword argument '%U'", key);
        return NULL;
      }
    }
  }
  int sparse = PyObject_IsTrue(sparse_o);
  if (sparse < 0) return NULL;
  const char *indexing = "xy";
  if (indexing_o && indexing_o != Py_None) {
    if (!PyUnicode_Check(indexing_o)) {
      PyErr_SetString(PyExc_TypeError, "meshgrid(): indexing must be a string.");
      return NULL;
    }
    indexing = PyUnicode_AsUTF8(indexing_o);
    if (!indexing) return NULL;
  }
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  mlx_array hs[64];
  if (n > 64) {
    PyErr_SetString(PyExc_ValueError, "[meshgrid] Too many arrays.");
    return NULL;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *o = PyTuple_GET_ITEM(args, i);
    if (!mxpy_Array_Check(o)) {
      PyErr_Format(PyExc_TypeError, "meshgrid(): arguments must be mlx.core.array, not %.200s.",
                   Py_TYPE(o)->tp_name);
      return NULL;
    }
    hs[i] = MXPY_ARR(o);
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_vector_array in = mlx_vector_array_new_data(hs, (size_t)n), out = mlx_vector_array_new();
  mxpy_error_clear();
  int st = mlx_meshgrid(&out, in, sparse, indexing, s);
  mlx_stream_free(s);
  mlx_vector_array_free(in);
  PyObject *result = NULL;
  if (mxpy_check_op(st) == 0) {
    size_t cnt = mlx_vector_array_size(out);
    result = PyTuple_New((Py_ssize_t)cnt);
    for (size_t i = 0; result && i < cnt; i++) {
      mlx_array a = mlx_array_new();
      mlx_vector_array_get(&a, out, i);
      PyObject *w = mxpy_array_wrap(a);
      if (!w) {
        Py_CLEAR(result);
        break;
      }
      PyTuple_SET_ITEM(result, (Py_ssize_t)i, w);
    }
  }
  mlx_vector_array_free(out);
  return result;
}

static PyObject *f_asarray(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "dtype", "copy", NULL};
  PyObject *a, *dt = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$O:asarray", kwlist, &a, &dt, &copy))
    return NULL;
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dt, true, "asarray", &d, &has) < 0) return NULL;
  int no_copy = copy != Py_None && !PyObject_IsTrue(copy);
  if (PyErr_Occurred()) return NULL;
  if (no_copy) { /* MLX always copies here, so it refuses copy=False */
    PyErr_SetString(PyExc_ValueError, "Unable to avoid copy while creating an array as requested.");
    return NULL;
  }
  mlx_array r = mlx_array_new();
  if (mxpy_array_from_object(a, has ? &d : NULL, &r) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

/* MLX's full_like: vals broadcast with a's shape. */
static PyObject *f_full_like(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "vals", "dtype", "stream", NULL};
  PyObject *a, *vals, *dt = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:full_like", kwlist, &a, &vals, &dt, &stream))
    return NULL;
  if (!mxpy_Array_Check(a)) {
    PyErr_Format(PyExc_TypeError, "full_like(): expected an mlx.core.array, got %.200s.",
                 Py_TYPE(a)->tp_name);
    return NULL;
  }
  mlx_array x = MXPY_ARR(a);
  mlx_dtype d;
  bool has;
  if (mxpy_dtype_arg(dt, true, "full_like", &d, &has) < 0) return NULL;
  if (!has) d = mlx_array_dtype(x);
  mlx_array vo = mlx_array_new(), v = vo;
  PyObject *result = NULL;
  mxpy_ints bs;
  mxpy_ints_init(&bs);
  if (mxpy_Array_Check(vals)) {
    v = MXPY_ARR(vals);
  } else if (mxpy_array_from_object(vals, &d, &vo) < 0) {
    goto done;
  } else {
    v = vo;
  }
  if (broadcast2(mlx_array_shape(x), mlx_array_ndim(x), mlx_array_shape(v), mlx_array_ndim(v),
                 &bs) < 0)
    goto done;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) goto done;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  result = mxpy_finish(mlx_full(&r, bs.data, bs.n, v, d, s), r, s);
done:
  mlx_array_free(vo);
  mxpy_ints_free(&bs);
  return result;
}

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_random_methods[] = {
    {"linspace", KW f_linspace, METH_VARARGS | METH_KEYWORDS,
     "linspace(start: scalar, stop: scalar, num: int | None = 50, endpoint: bool = True, dtype: "
     "Dtype | None = float32, stream: StreamOrDevice = None) -> array\n\n"
     "Generate num evenly spaced numbers over interval [start, stop]."},
    {"eye", KW f_eye, METH_VARARGS | METH_KEYWORDS,
     "eye(n: int, m: int | None = None, k: int = 0, dtype: Dtype | None = float32, *, stream: "
     "StreamOrDevice = None) -> array\n\nCreate an identity matrix or a general diagonal matrix."},
    {"identity", KW f_identity, METH_VARARGS | METH_KEYWORDS,
     "identity(n: int, dtype: Dtype | None = float32, *, stream: StreamOrDevice = None) -> "
     "array\n\nCreate a square identity matrix."},
    {"tri", KW f_tri, METH_VARARGS | METH_KEYWORDS,
     "tri(n: int, m: int, k: int, dtype: Dtype | None = None, *, stream: StreamOrDevice = None) "
     "-> array\n\nAn array with ones at and below the given diagonal and zeros elsewhere."},
    {"meshgrid", KW f_meshgrid, METH_VARARGS | METH_KEYWORDS,
     "meshgrid(*arrays: array, sparse: bool | None = False, indexing: str | None = 'xy', stream: "
     "StreamOrDevice = None) -> tuple[array, ...]\n\nGenerate multidimensional coordinate grids "
     "from 1-D coordinate arrays."},
    {"asarray", KW f_asarray, METH_VARARGS | METH_KEYWORDS,
     "asarray(a: scalar | array | Sequence, dtype: Dtype | None = None, *, copy: bool | None = "
     "None) -> array\n\nConvert the input to an array."},
    {"hanning", KW f_hanning, METH_VARARGS | METH_KEYWORDS,
     "hanning(M: int, *, stream: StreamOrDevice = None) -> array\n\nThe Hanning window."},
    {"hamming", KW f_hamming, METH_VARARGS | METH_KEYWORDS,
     "hamming(M: int, *, stream: StreamOrDevice = None) -> array\n\nThe Hamming window."},
    {"blackman", KW f_blackman, METH_VARARGS | METH_KEYWORDS,
     "blackman(M: int, *, stream: StreamOrDevice = None) -> array\n\nThe Blackman window."},
    {"bartlett", KW f_bartlett, METH_VARARGS | METH_KEYWORDS,
     "bartlett(M: int, *, stream: StreamOrDevice = None) -> array\n\nThe Bartlett window."},
    {"full_like", KW f_full_like, METH_VARARGS | METH_KEYWORDS,
     "full_like(a: array, vals: scalar | array, dtype: Dtype | None = None, *, stream: "
     "StreamOrDevice = None) -> array\n\nAn array like a filled with vals (broadcast with a's "
     "shape)."},
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_random_array_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ init */

static int add_float(PyObject *m, const char *name, double v) {
  PyObject *f = PyFloat_FromDouble(v);
  if (!f) return -1;
  if (PyModule_AddObject(m, name, f) < 0) {
    Py_DECREF(f);
    return -1;
  }
  return 0;
}

static int alias(PyObject *m, const char *name, const char *target) {
  PyObject *f = PyObject_GetAttrString(m, target);
  if (!f) return -1;
  if (PyModule_AddObject(m, name, f) < 0) {
    Py_DECREF(f);
    return -1;
  }
  return 0;
}

/* Called once from PyInit_core: the random submodule, the dtype utilities, constants, aliases. */
int mxpy_random_init(PyObject *m) {
  if (PyType_Ready(&state_type) < 0) return -1;
  if (!state_singleton) {
    state_singleton = PyObject_New(PyObject, &state_type);
    if (!state_singleton) return -1;
  }
  PyObject *sub = PyModule_New("mlx.core.random");
  if (!sub) return -1;
  if (PyModule_SetDocString(sub, "mlx.core.random: random number generation.") < 0 ||
      PyModule_AddFunctions(sub, random_methods) < 0) {
    Py_DECREF(sub);
    return -1;
  }
  Py_INCREF(&state_type);
  if (PyModule_AddObject(sub, "_RandomState", (PyObject *)&state_type) < 0) {
    Py_DECREF(&state_type);
    Py_DECREF(sub);
    return -1;
  }
  PyObject *modules = PyImport_GetModuleDict();
  if (PyDict_SetItemString(modules, "mlx.core.random", sub) < 0 ||
      PyModule_AddObject(m, "random", sub) < 0) {
    Py_DECREF(sub);
    return -1;
  }
  if (add_float(m, "pi", 3.141592653589793) < 0 || add_float(m, "e", 2.718281828459045) < 0 ||
      add_float(m, "euler_gamma", 0.5772156649015329) < 0 || add_float(m, "inf", INFINITY) < 0 ||
      add_float(m, "nan", NAN) < 0)
    return -1;
  Py_INCREF(Py_None);
  if (PyModule_AddObject(m, "newaxis", Py_None) < 0) {
    Py_DECREF(Py_None);
    return -1;
  }
  if (alias(m, "empty", "zeros") < 0 || alias(m, "empty_like", "zeros_like") < 0) return -1;
  return mxpy_dtype_util_init(m);
}
