/* mlx.core: the matmul family (addmm, inner, outer, vecdot, tensordot, kron, einsum,
 * einsum_path, block_masked_mm, gather_mm, segmented_mm, hadamard_transform). Array arguments
 * must be mx.array (TypeError otherwise), as in MLX. */
#include "mlxpy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KW (PyCFunction)(void (*)(void))

/* mlx_conjugate belongs to the elementwise family: used once it is linked in (a weak reference);
 * until then vecdot conjugates complex operands through a float32 view. */
#pragma weak mlx_conjugate

/* A float argument: float, int, bool, numpy scalars, 0-d arrays (anything with __float__ or
 * __index__); not str, complex or None (TypeError), as nanobind's float. */
static int float_arg(PyObject *o, const char *fname, const char *what, float *out) {
  double v = PyUnicode_Check(o) || PyBytes_Check(o) ? -1.0 : PyFloat_AsDouble(o);
  if (PyUnicode_Check(o) || PyBytes_Check(o) || (v == -1.0 && PyErr_Occurred())) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s(): %s must be a float, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = (float)v;
  return 0;
}

static int int_arg(PyObject *o, const char *fname, const char *what, int *out) {
  if (!PyBool_Check(o) && !mxpy_is_int_like(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): %s must be an int, got %.200s.", fname, what,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  long v = PyLong_AsLong(o);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_Format(PyExc_OverflowError, "%s(): %s is out of range.", fname, what);
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* Two array operands and a stream: the common shape of the binary functions. */
typedef int (*binop)(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s);

static PyObject *binary_arrays(PyObject *args, PyObject *kwds, const char *fmt, char **kwlist,
                               const char *fname, binop fn) {
  PyObject *a, *b, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &b, &stream)) return NULL;
  mlx_array x, y;
  if (mxpy_array_arg(a, fname, "a", &x) < 0 || mxpy_array_arg(b, fname, "b", &y) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(fn(&r, x, y, s), r, s);
}

static PyObject *f_inner(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "stream", NULL};
  return binary_arrays(args, kwds, "OO|$O:inner", kwlist, "inner", mlx_inner);
}

static PyObject *f_outer(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "stream", NULL};
  return binary_arrays(args, kwds, "OO|$O:outer", kwlist, "outer", mlx_outer);
}

static PyObject *f_kron(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"a", "b", "stream", NULL};
  return binary_arrays(args, kwds, "OO|$O:kron", kwlist, "kron", mlx_kron);
}

/* ------------------------------------------------------------------ addmm */

static PyObject *f_addmm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "", "alpha", "beta", "stream", NULL};
  PyObject *c, *a, *b, *alpha = NULL, *beta = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|OO$O:addmm", kwlist, &c, &a, &b, &alpha, &beta,
                                   &stream))
    return NULL;
  mlx_array xc, xa, xb;
  float al = 1.0f, be = 1.0f;
  if (mxpy_array_arg(c, "addmm", "c", &xc) < 0 || mxpy_array_arg(a, "addmm", "a", &xa) < 0 ||
      mxpy_array_arg(b, "addmm", "b", &xb) < 0)
    return NULL;
  if ((alpha && float_arg(alpha, "addmm", "alpha", &al) < 0) ||
      (beta && float_arg(beta, "addmm", "beta", &be) < 0))
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_addmm(&r, xc, xa, xb, al, be, s), r, s);
}

/* ------------------------------------------------------------------ tensordot */

static PyObject *f_tensordot(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "axes", "stream", NULL};
  PyObject *a, *b, *axes = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:tensordot", kwlist, &a, &b, &axes, &stream))
    return NULL;
  mlx_array x, y;
  if (mxpy_array_arg(a, "tensordot", "a", &x) < 0 || mxpy_array_arg(b, "tensordot", "b", &y) < 0)
    return NULL;
  int axis = 2;
  mxpy_ints xa, xb;
  mxpy_ints_init(&xa);
  mxpy_ints_init(&xb);
  bool pairs = false;
  if (axes && (PyBool_Check(axes) || mxpy_is_int_like(axes))) {
    if (int_arg(axes, "tensordot", "axes", &axis) < 0) return NULL;
  } else if (axes) {
    /* a list (or tuple) of two sequences of ints */
    if (!PyList_Check(axes) && !PyTuple_Check(axes)) {
      PyErr_Format(PyExc_TypeError,
                   "tensordot(): axes must be an int or a list of two sequences of ints, got "
                   "%.200s.",
                   Py_TYPE(axes)->tp_name);
      return NULL;
    }
    Py_ssize_t n = PySequence_Size(axes);
    if (n != 2) {
      PyErr_SetString(PyExc_ValueError, "[tensordot] axes must be a list of two lists.");
      return NULL;
    }
    PyObject *p0 = PySequence_GetItem(axes, 0), *p1 = PySequence_GetItem(axes, 1);
    int st = (p0 && p1 && !mxpy_is_int_like(p0) && !mxpy_is_int_like(p1)) ? 0 : -1;
    if (st < 0 && !PyErr_Occurred())
      PyErr_SetString(PyExc_TypeError,
                      "tensordot(): axes must be an int or a list of two sequences of ints.");
    if (!st) st = mxpy_ints_from(p0, false, "tensordot(): axes", &xa);
    if (!st) {
      st = mxpy_ints_from(p1, false, "tensordot(): axes", &xb);
      if (st < 0) mxpy_ints_free(&xa);
    }
    Py_XDECREF(p0);
    Py_XDECREF(p1);
    if (st < 0) return NULL;
    pairs = true;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&xa);
    mxpy_ints_free(&xb);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = pairs ? mlx_tensordot(&r, x, y, xa.data, xa.n, xb.data, xb.n, s)
                 : mlx_tensordot_axis(&r, x, y, axis, s);
  mxpy_ints_free(&xa);
  mxpy_ints_free(&xb);
  return mxpy_finish(st, r, s);
}

/* ------------------------------------------------------------------ vecdot */

/* conj(a) for a complex64 a (at least 1-d): its float32 pairs (a view), the imaginary parts
 * negated, viewed back as complex64. Exact for every value (inf, NaN, signed zeros). */
static int conj_fallback(mlx_array *res, mlx_array a, mlx_stream s) {
  int nd = (int)mlx_array_ndim(a);
  if (nd < 1 || nd >= 64) return mlx_astype(res, a, MLX_COMPLEX64, s) || 1;
  int shape[65];
  memcpy(shape, mlx_array_shape(a), (size_t)nd * sizeof(int));
  shape[nd] = 2;
  float sgn[2] = {1.0f, -1.0f};
  int two = 2;
  mlx_array v = mlx_array_new(), r = mlx_array_new(), m = mlx_array_new(), f = mlx_array_new();
  mlx_array pm = mlx_array_new_data(sgn, &two, 1, MLX_FLOAT32);
  int st = mlx_view(&v, a, MLX_FLOAT32, s);
  if (!st) st = mlx_reshape(&r, v, shape, (size_t)nd + 1, s);
  if (!st) st = mlx_multiply(&m, r, pm, s);
  shape[nd - 1] *= 2;
  if (!st) st = mlx_reshape(&f, m, shape, (size_t)nd, s);
  if (!st) st = mlx_view(res, f, MLX_COMPLEX64, s);
  mlx_array all[] = {v, r, m, f, pm};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mlx_array_free(all[i]);
  return st;
}

static PyObject *f_vecdot(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "axis", "stream", NULL};
  PyObject *a, *b, *axis_o = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$O:vecdot", kwlist, &a, &b, &axis_o, &stream))
    return NULL;
  mlx_array x, y;
  int axis = -1;
  if (mxpy_array_arg(a, "vecdot", "a", &x) < 0 || mxpy_array_arg(b, "vecdot", "b", &y) < 0) return NULL;
  if (axis_o && int_arg(axis_o, "vecdot", "axis", &axis) < 0) return NULL;
  int an = (int)mlx_array_ndim(x), bn = (int)mlx_array_ndim(y);
  if (an == 0 || bn == 0) {
    PyErr_SetString(PyExc_ValueError, "[vecdot] inputs must be at least 1D.");
    return NULL;
  }
  if (axis < -an || axis >= an) {
    PyErr_SetString(mxpy_AxisError, "[vecdot] axis is out of bounds.");
    return NULL;
  }
  int ax = axis < 0 ? axis + an : axis;
  if (ax >= bn) {
    PyErr_SetString(PyExc_ValueError, "[vecdot] axis is out of bounds.");
    return NULL;
  }
  if (mlx_array_shape(x)[ax] != mlx_array_shape(y)[ax]) {
    PyErr_SetString(PyExc_ValueError, "[vecdot] a and b must have the same size along axis.");
    return NULL;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array cx = mlx_array_new(), prod = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int st = 0;
  if (mlx_array_dtype(x) == MLX_COMPLEX64)
    st = mlx_conjugate ? mlx_conjugate(&cx, x, s) : conj_fallback(&cx, x, s);
  else
    mlx_array_set(&cx, x);
  if (!st) st = mlx_multiply(&prod, cx, y, s);
  if (!st) st = mlx_sum_axis(&r, prod, ax, false, s);
  mlx_array_free(cx);
  mlx_array_free(prod);
  return mxpy_finish(st, r, s);
}

/* ------------------------------------------------------------------ einsum, einsum_path */

/* The operands of einsum / einsum_path: *operands arrays (TypeError for anything else). */
static int einsum_operands(PyObject *args, Py_ssize_t first, const char *fname,
                           mlx_vector_array *vec) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  *vec = mlx_vector_array_new();
  for (Py_ssize_t i = first; i < n; i++) {
    mlx_array x;
    if (mxpy_array_arg(PyTuple_GET_ITEM(args, i), fname, "operands", &x) < 0 ||
        mlx_vector_array_append_value(*vec, x)) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_MemoryError, "out of memory");
      mlx_vector_array_free(*vec);
      return -1;
    }
  }
  return 0;
}

static PyObject *subscripts_arg(PyObject *args, const char *fname, const char **out) {
  if (PyTuple_GET_SIZE(args) < 1) {
    PyErr_Format(PyExc_TypeError, "%s() missing required argument 'subscripts'.", fname);
    return NULL;
  }
  PyObject *sub = PyTuple_GET_ITEM(args, 0);
  if (!PyUnicode_Check(sub)) {
    PyErr_Format(PyExc_TypeError, "%s(): subscripts must be a str, got %.200s.", fname,
                 Py_TYPE(sub)->tp_name);
    return NULL;
  }
  *out = PyUnicode_AsUTF8(sub);
  return *out ? sub : NULL;
}

static PyObject *f_einsum(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  PyObject *stream = Py_None;
  if (kwds) {
    Py_ssize_t nk = PyDict_Size(kwds);
    PyObject *st = PyDict_GetItemString(kwds, "stream");
    if (nk > (st ? 1 : 0)) {
      PyErr_SetString(PyExc_TypeError, "einsum(): the only keyword argument is 'stream'.");
      return NULL;
    }
    if (st) stream = st;
  }
  const char *subs;
  if (!subscripts_arg(args, "einsum", &subs)) return NULL;
  mlx_vector_array vec;
  if (einsum_operands(args, 1, "einsum", &vec) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mlx_vector_array_free(vec);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  int st = mlx_einsum(&r, subs, vec, s);
  mlx_vector_array_free(vec);
  return mxpy_finish(st, r, s);
}

/* einsum_path has no C API counterpart: its parsing and greedy path are computed here (the same
 * rules as the library's einsum, src/ops/linalg.c). Labels are letters; an ellipsis takes the
 * last unused letters of a..zA..Z, right-aligned. Sets are bit masks over 52 labels. */
typedef uint64_t lset;

static int lab(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + c - 'A';
  return -1;
}

static lset str_set(const char *s) {
  lset r = 0;
  for (; *s; s++) r |= (lset)1 << lab(*s);
  return r;
}

static uint64_t set_size(lset st, const uint64_t *size) {
  uint64_t r = 1;
  for (int i = 0; i < 52; i++)
    if ((st >> i) & 1) r *= size[i];
  return r;
}

static uint64_t str_size(const char *s, const uint64_t *size) {
  uint64_t r = 1;
  for (; *s; s++) r *= size[lab(*s)];
  return r;
}

static uint64_t flops(lset st, bool inner, int nterms, const uint64_t *size) {
  uint64_t f = nterms - 1 > 1 ? (uint64_t)(nterms - 1) : 1;
  return set_size(st, size) * (f + (inner ? 1 : 0));
}

static int path_error(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  PyErr_SetString(PyExc_ValueError, buf);
  return -1;
}

#define MAXLAB 66

static int expand_sub(const char *sub, int ndim, int idx, const char *spare, int *max_ell,
                      char *dst) {
  int before = 0, after = 0, L = (int)strlen(sub);
  bool ell = false;
  for (int i = 0; i < L; i++) {
    if (lab(sub[i]) < 0) {
      if (i + 2 >= L || sub[i] != '.' || sub[i + 1] != '.' || sub[i + 2] != '.')
        return path_error("[einsum_path] Subscripts must be letters, but got '%c'.", sub[i]);
      if (ell)
        return path_error(
            "[einsum_path] Only one ellipsis per subscript is allowed but found more in '%s'.",
            sub);
      ell = true;
      i += 2;
      continue;
    }
    if (ell)
      after++;
    else
      before++;
  }
  int elen = 0;
  if (ell) {
    if (ndim >= 0) {
      elen = ndim - before - after;
      if (elen < 0)
        return path_error("[einsum_path] Operand %d has insufficient dimensions for subscript "
                          "'%s'. The ellipsis requires at least %d dimensions but the operand "
                          "has %d dimensions.",
                          idx, sub, before + after, ndim);
      if (elen > *max_ell) *max_ell = elen;
    } else {
      elen = *max_ell;
    }
    if (elen > (int)strlen(spare))
      return path_error("[einsum_path] Not enough unused letters to expand the ellipsis.");
  }
  if (before + after + elen >= MAXLAB) return path_error("[einsum_path] Too many subscripts.");
  int k = 0;
  for (int i = 0; i < L; i++) {
    if (sub[i] == '.') {
      const char *tail = spare + strlen(spare) - elen;
      for (int j = 0; j < elen; j++) dst[k++] = tail[j];
      i += 2;
      continue;
    }
    dst[k++] = sub[i];
  }
  dst[k] = 0;
  return 0;
}

/* Parses subscripts against the operands' shapes: expanded inputs in ins, output in out, label
 * sizes (broadcast) in size. */
static int parse_path(const char *subscripts, mlx_array *ops, int n, char (*ins)[MAXLAB],
                      char *out, uint64_t *size) {
  size_t len = strlen(subscripts);
  char *str = PyMem_Malloc(len + 4), *rhs = PyMem_Malloc(len + 4);
  int rc = 0;
  if (!str || !rhs) {
    PyMem_Free(str);
    PyMem_Free(rhs);
    PyErr_NoMemory();
    return -1;
  }
  size_t k = 0;
  for (size_t i = 0; i < len; i++)
    if (subscripts[i] != ' ') str[k++] = subscripts[i];
  str[k] = 0;
  char *arrow = strstr(str, "->");
  if (arrow) {
    *arrow = 0;
    strcpy(rhs, arrow + 2);
  } else {
    int counts[256] = {0};
    bool ell = false;
    for (char *c = str; *c; c++) {
      if (*c == ',') continue;
      if (*c == '.' && !ell) {
        ell = true;
        continue;
      }
      counts[(unsigned char)*c]++;
    }
    size_t r = 0;
    if (ell) rhs[r++] = '.', rhs[r++] = '.', rhs[r++] = '.';
    for (int c = 0; c < 256; c++)
      if (counts[c] == 1 && c != '.') rhs[r++] = (char)c;
    rhs[r] = 0;
  }
  int nin = 1;
  for (char *c = str; *c; c++) nin += *c == ',';
  if (nin != n) {
    rc = path_error("[einsum_path] Number of operands, %d, does not match number of input "
                    "subscripts, %d",
                    n, nin);
    goto done;
  }
  char spare[53];
  {
    bool used[256] = {false};
    for (const char *c = subscripts; *c; c++) used[(unsigned char)*c] = true;
    int q = 0;
    for (char c = 'a'; c <= 'z'; c++)
      if (!used[(unsigned char)c]) spare[q++] = c;
    for (char c = 'A'; c <= 'Z'; c++)
      if (!used[(unsigned char)c]) spare[q++] = c;
    spare[q] = 0;
  }
  int max_ell = 0;
  char *p = str;
  for (int i = 0; i < n && !rc; i++) {
    char *comma = strchr(p, ',');
    if (comma) *comma = 0;
    rc = expand_sub(p, (int)mlx_array_ndim(ops[i]), i, spare, &max_ell, ins[i]);
    p = comma ? comma + 1 : p + strlen(p);
  }
  if (!rc) rc = expand_sub(rhs, -1, -1, spare, &max_ell, out);
  if (rc) goto done;
  lset seen = 0, all = 0;
  for (const char *c = out; *c; c++) {
    lset bit = (lset)1 << lab(*c);
    if (seen & bit) {
      rc = path_error("[einsum_path] Repeat indices not allowed in output.");
      goto done;
    }
    seen |= bit;
  }
  for (int i = 0; i < n; i++) all |= str_set(ins[i]);
  if (seen & ~all) {
    rc = path_error("[einsum_path] Output subscripts must appear in the input subscripts.");
    goto done;
  }
  bool known[52] = {false};
  for (int i = 0; i < n && !rc; i++) {
    const char *in = ins[i];
    int L = (int)strlen(in), nd = (int)mlx_array_ndim(ops[i]);
    const int *shape = mlx_array_shape(ops[i]);
    if (L != nd) {
      rc = path_error("[einsum_path] Invalid number of subscripts %d for input %d with %d "
                      "dimensions.",
                      L, i, nd);
      break;
    }
    for (int j = 0; j < L && !rc; j++)
      for (int q = 0; q < j; q++)
        if (in[q] == in[j] && shape[q] != shape[j]) {
          rc = path_error("[einsum_path] Dimensions of repeated subscripts do not have the same "
                          "size (%d != %d).",
                          shape[q], shape[j]);
          break;
        }
    for (int j = 0; j < L && !rc; j++) {
      int id = lab(in[j]);
      uint64_t d = (uint64_t)shape[j];
      if (!known[id]) {
        known[id] = true;
        size[id] = d;
        continue;
      }
      if (d != 1 && size[id] != 1 && size[id] != d) {
        rc = path_error("[einsum_path] Cannot broadcast dimension %d of input %d to size %llu.", j,
                        i, (unsigned long long)size[id]);
        break;
      }
      if (d > size[id]) size[id] = d;
    }
  }
done:
  PyMem_Free(str);
  PyMem_Free(rhs);
  return rc;
}

static PyObject *int_tuple(const int *v, int n) {
  PyObject *t = PyTuple_New(n);
  for (int i = 0; t && i < n; i++) {
    PyObject *x = PyLong_FromLong(v[i]);
    if (!x) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SET_ITEM(t, i, x);
  }
  return t;
}

static PyObject *f_einsum_path(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  if (kwds && PyDict_Size(kwds) > 0) {
    PyErr_SetString(PyExc_TypeError, "einsum_path() takes no keyword arguments.");
    return NULL;
  }
  const char *subs;
  if (!subscripts_arg(args, "einsum_path", &subs)) return NULL;
  int n = (int)(PyTuple_GET_SIZE(args) - 1);
  if (n <= 0) {
    PyErr_SetString(PyExc_ValueError, "[einsum_path] At least one operand is required.");
    return NULL;
  }
  mlx_array *ops = PyMem_Calloc((size_t)n, sizeof(mlx_array));
  char(*ins)[MAXLAB] = PyMem_Calloc((size_t)n, MAXLAB);
  lset *sets = PyMem_Calloc((size_t)n, sizeof(lset));
  typedef struct {
    int64_t removed;
    uint64_t cost;
    lset res;
    int dims, x, y;
  } cand;
  size_t cap = (size_t)n * (size_t)n + 4;
  cand *cands = PyMem_Calloc(cap, sizeof(cand));
  int *pairs = PyMem_Calloc(2 * cap, sizeof(int));
  int *all_pos = PyMem_Calloc((size_t)n + 1, sizeof(int));
  PyObject *path = PyList_New(0), *result = NULL;
  if (!ops || !ins || !sets || !cands || !pairs || !all_pos || !path) {
    PyErr_NoMemory();
    goto done;
  }
  for (int i = 0; i < n; i++)
    if (mxpy_array_arg(PyTuple_GET_ITEM(args, i + 1), "einsum_path", "operands", &ops[i]) < 0)
      goto done;
  char out[MAXLAB];
  uint64_t size[52] = {0};
  if (parse_path(subs, ops, n, ins, out, size) < 0) goto done;
  lset outs = str_set(out), all = 0;
  uint64_t max_size = str_size(out, size);
  for (int i = 0; i < n; i++) {
    sets[i] = str_set(ins[i]);
    all |= sets[i];
    uint64_t sz = str_size(ins[i], size);
    if (sz > max_size) max_size = sz;
  }
  uint64_t naive = flops(all, (all & ~outs) != 0, n, size), opt = naive;
  int naive_scaling = __builtin_popcountll(all), opt_scaling = naive_scaling;
  if (n <= 2) {
    for (int i = 0; i < n; i++) all_pos[i] = i;
    PyObject *t = int_tuple(all_pos, n);
    if (!t || PyList_Append(path, t) < 0) {
      Py_XDECREF(t);
      goto done;
    }
    Py_DECREF(t);
  } else {
    int ncur = n, npairs = 0, ncand = 0, scaling = 0;
    uint64_t cost_sum = 0;
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++) pairs[2 * npairs] = i, pairs[2 * npairs + 1] = j, npairs++;
    for (int it = 0; it < n - 1; it++) {
      for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && ncand > 0) break;
        for (int q = 0; q < npairs; q++) {
          int x = pairs[2 * q], y = pairs[2 * q + 1];
          if (pass == 0 && (sets[x] & sets[y]) == 0) continue;
          lset uni = sets[x] | sets[y], keep = outs;
          for (int k = 0; k < ncur; k++)
            if (k != x && k != y) keep |= sets[k];
          lset res = uni & keep;
          uint64_t new_size = set_size(res, size);
          if (new_size > max_size) continue;
          int64_t removed =
              (int64_t)(set_size(sets[x], size) + set_size(sets[y], size) - new_size);
          uint64_t cost = flops(uni, __builtin_popcountll(uni) > __builtin_popcountll(res), 2,
                                size);
          if (cost_sum + cost > naive) continue;
          if ((size_t)ncand < cap)
            cands[ncand++] = (cand){removed, cost, res, __builtin_popcountll(uni), x, y};
        }
      }
      if (ncand == 0) {
        lset uni = 0;
        for (int k = 0; k < ncur; k++) all_pos[k] = k, uni |= sets[k];
        PyObject *t = int_tuple(all_pos, ncur);
        if (!t || PyList_Append(path, t) < 0) {
          Py_XDECREF(t);
          goto done;
        }
        Py_DECREF(t);
        cost_sum += flops(uni, (uni & ~outs) != 0, ncur, size);
        if (__builtin_popcountll(uni) > scaling) scaling = __builtin_popcountll(uni);
        break;
      }
      int best = 0;
      for (int q = 1; q < ncand; q++)
        if (cands[q].removed > cands[best].removed ||
            (cands[q].removed == cands[best].removed && cands[q].cost < cands[best].cost))
          best = q;
      cand b = cands[best];
      if (b.dims > scaling) scaling = b.dims;
      int xy[2] = {b.x, b.y};
      PyObject *t = int_tuple(xy, 2);
      if (!t || PyList_Append(path, t) < 0) {
        Py_XDECREF(t);
        goto done;
      }
      Py_DECREF(t);
      int w = 0;
      for (int k = 0; k < ncur; k++)
        if (k != b.x && k != b.y) sets[w++] = sets[k];
      sets[w++] = b.res;
      ncur = w;
      int nc = 0;
      for (int q = 0; q < ncand; q++) {
        cand c = cands[q];
        if (c.x == b.x || c.x == b.y || c.y == b.x || c.y == b.y) continue;
        c.x = c.x - (c.x > b.x) - (c.x > b.y);
        c.y = c.y - (c.y > b.x) - (c.y > b.y);
        cands[nc++] = c;
      }
      ncand = nc;
      cost_sum += b.cost;
      npairs = 0;
      for (int k = 0; k < ncur - 1; k++)
        pairs[2 * npairs] = k, pairs[2 * npairs + 1] = ncur - 1, npairs++;
    }
    opt = cost_sum;
    opt_scaling = scaling;
  }
  PyObject *info = PyUnicode_FromFormat(
      "  Complete contraction:  %s\n         Naive scaling:  %d\n     Optimized scaling:  %d\n"
      "      Naive FLOP count:  %llu\n  Optimized FLOP count:  %llu\n",
      subs, naive_scaling, opt_scaling, (unsigned long long)naive, (unsigned long long)opt);
  if (info) {
    result = PyTuple_Pack(2, path, info);
    Py_DECREF(info);
  }
done:
  Py_XDECREF(path);
  PyMem_Free(ops);
  PyMem_Free(ins);
  PyMem_Free(sets);
  PyMem_Free(cands);
  PyMem_Free(pairs);
  PyMem_Free(all_pos);
  return result;
}

/* ------------------------------------------------------------------ masked / gathered products */

static PyObject *f_block_masked_mm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "block_size", "mask_out", "mask_lhs", "mask_rhs", "stream",
                           NULL};
  PyObject *a, *b, *bs = NULL, *mo = NULL, *ml = NULL, *mr = NULL, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OOOO$O:block_masked_mm", kwlist, &a, &b, &bs,
                                   &mo, &ml, &mr, &stream))
    return NULL;
  mlx_array x, y, xo, xl, xr;
  int block = 64;
  const char *f = "block_masked_mm";
  if (mxpy_array_arg(a, f, "a", &x) < 0 || mxpy_array_arg(b, f, "b", &y) < 0 ||
      (bs && int_arg(bs, f, "block_size", &block) < 0) ||
      mxpy_opt_array_arg(mo, f, "mask_out", &xo) < 0 || mxpy_opt_array_arg(ml, f, "mask_lhs", &xl) < 0 ||
      mxpy_opt_array_arg(mr, f, "mask_rhs", &xr) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_block_masked_mm(&r, x, y, block, xo, xl, xr, s), r, s);
}

static PyObject *f_gather_mm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "lhs_indices", "rhs_indices", "sorted_indices", "stream", NULL};
  PyObject *a, *b, *li = NULL, *ri = NULL, *srt = Py_False, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OO$OO:gather_mm", kwlist, &a, &b, &li, &ri,
                                   &srt, &stream))
    return NULL;
  if (!PyBool_Check(srt)) {
    PyErr_Format(PyExc_TypeError, "gather_mm(): sorted_indices must be a bool, got %.200s.",
                 Py_TYPE(srt)->tp_name);
    return NULL;
  }
  int sorted = srt == Py_True;
  mlx_array x, y, xl, xr;
  const char *f = "gather_mm";
  if (mxpy_array_arg(a, f, "a", &x) < 0 || mxpy_array_arg(b, f, "b", &y) < 0 ||
      mxpy_opt_array_arg(li, f, "lhs_indices", &xl) < 0 || mxpy_opt_array_arg(ri, f, "rhs_indices", &xr) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_gather_mm(&r, x, y, xl, xr, sorted != 0, s), r, s);
}

static PyObject *f_segmented_mm(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "", "segments", "stream", NULL};
  PyObject *a, *b, *sg, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|$O:segmented_mm", kwlist, &a, &b, &sg,
                                   &stream))
    return NULL;
  mlx_array x, y, z;
  const char *f = "segmented_mm";
  if (mxpy_array_arg(a, f, "a", &x) < 0 || mxpy_array_arg(b, f, "b", &y) < 0 ||
      mxpy_array_arg(sg, f, "segments", &z) < 0)
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_segmented_mm(&r, x, y, z, s), r, s);
}

static PyObject *f_hadamard_transform(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"", "scale", "stream", NULL};
  PyObject *a, *scale = Py_None, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO:hadamard_transform", kwlist, &a, &scale,
                                   &stream))
    return NULL;
  mlx_array x;
  mlx_optional_float sc = {0.0f, false};
  if (mxpy_array_arg(a, "hadamard_transform", "a", &x) < 0) return NULL;
  if (scale != Py_None) {
    if (float_arg(scale, "hadamard_transform", "scale", &sc.value) < 0) return NULL;
    sc.has_value = true;
  }
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  mxpy_error_clear();
  return mxpy_finish(mlx_hadamard_transform(&r, x, sc, s), r, s);
}

/* ------------------------------------------------------------------ tables */

/* ------------------------------------------------------------------ corrcoef */

/* x as variables in rows (atleast_2d; transposed when rowvar is false and x has several rows). */
static int as_rows(mlx_array *out, PyObject *o, bool rowvar, mlx_stream s) {
  mlx_array a = mlx_array_new(), t = mlx_array_new();
  int rc = mxpy_Array_Check(o) ? mlx_array_set(&a, MXPY_ARR(o)) : mxpy_array_from_object(o, NULL, &a);
  if (rc) {
    mlx_array_free(a);
    return -1;
  }
  mxpy_error_clear();
  rc = mlx_atleast_2d(&t, a, s);
  if (!rc && !rowvar && mlx_array_shape(t)[0] != 1) rc = mlx_transpose(out, t, s);
  else if (!rc) rc = mlx_array_set(out, t);
  mlx_array_free(a), mlx_array_free(t);
  return rc ? mxpy_check_op(rc) : 0;
}

/* numpy's corrcoef (MLX has none; the seed uses it): Pearson correlation of the rows of x
 * (and y). The covariance's normalization cancels, so it is never divided by N - 1. */
static PyObject *f_corrcoef(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {"x", "y", "rowvar", "stream", NULL};
  PyObject *xo, *yo = Py_None, *stream = Py_None;
  int rowvar = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Op$O:corrcoef", kwlist, &xo, &yo, &rowvar,
                                   &stream))
    return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array x = mlx_array_new(), y = mlx_array_new(), v[8];
  for (int i = 0; i < 8; i++) v[i] = mlx_array_new();
  mlx_vector_array both = mlx_vector_array_new();
  PyObject *result = NULL;
  if (as_rows(&x, xo, rowvar, s) < 0 || (yo != Py_None && as_rows(&y, yo, rowvar, s) < 0))
    goto done;
  if (mlx_array_ndim(x) > 2 || (yo != Py_None && mlx_array_ndim(y) > 2)) {
    PyErr_SetString(PyExc_ValueError, "[corrcoef] x and y must have at most 2 dimensions.");
    goto done;
  }
  mxpy_error_clear();
  int rc = 0;
  if (yo != Py_None)
    rc = mlx_vector_array_append_value(both, x) || mlx_vector_array_append_value(both, y) ||
         mlx_concatenate_axis(&x, both, 0, s);
  /* v0 centred rows, v1 = v0 v0^T, v2 its diagonal, v3 sqrt, v4/v5 as column/row, v6 result */
  if (!rc) rc = mlx_mean_axis(&v[7], x, 1, true, s) || mlx_subtract(&v[0], x, v[7], s);
  if (!rc) rc = mlx_transpose(&v[7], v[0], s) || mlx_matmul(&v[1], v[0], v[7], s);
  if (!rc) rc = mlx_diagonal(&v[2], v[1], 0, 0, 1, s) || mlx_sqrt(&v[3], v[2], s);
  if (!rc) rc = mlx_expand_dims(&v[4], v[3], 1, s) || mlx_expand_dims(&v[5], v[3], 0, s);
  if (!rc) rc = mlx_divide(&v[6], v[1], v[4], s) || mlx_divide(&v[6], v[6], v[5], s);
  if (!rc) { /* rounding can leave |r| slightly above 1 */
    mlx_array lo = mlx_array_new_float(-1.0f), hi = mlx_array_new_float(1.0f);
    rc = mlx_clip(&v[6], v[6], lo, hi, s);
    mlx_array_free(lo), mlx_array_free(hi);
  }
  if (!rc && mlx_array_shape(v[6])[0] == 1) rc = mlx_reshape(&v[6], v[6], NULL, 0, s);
  if (mxpy_check_op(rc) == 0) {
    result = mxpy_array_wrap(v[6]);
    v[6] = mlx_array_new();
  }
done:
  mlx_array_free(x), mlx_array_free(y), mlx_vector_array_free(both);
  for (int i = 0; i < 8; i++) mlx_array_free(v[i]);
  return result;
}

PyMethodDef mxpy_linalg_methods[] = {
    {"corrcoef", KW f_corrcoef, METH_VARARGS | METH_KEYWORDS,
     "corrcoef(x: array, y: Optional[array] = None, rowvar: bool = True, *, stream: "
     "StreamOrDevice = None) -> array\n\nPearson correlation coefficients of the rows (or, with "
     "rowvar=False, the columns) of x and y, as numpy.corrcoef."},
    {"addmm", KW f_addmm, METH_VARARGS | METH_KEYWORDS,
     "addmm(c: array, a: array, b: array, /, alpha: float = 1.0, beta: float = 1.0, *, stream: "
     "StreamOrDevice = None) -> array\n\nalpha * (a @ b) + beta * c."},
    {"inner", KW f_inner, METH_VARARGS | METH_KEYWORDS,
     "inner(a: array, b: array, /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Ordinary inner product of vectors for 1-D arrays, in higher dimensions a sum product over "
     "the last axes."},
    {"outer", KW f_outer, METH_VARARGS | METH_KEYWORDS,
     "outer(a: array, b: array, /, *, stream: StreamOrDevice = None) -> array\n\n"
     "Outer product of the flattened inputs."},
    {"vecdot", KW f_vecdot, METH_VARARGS | METH_KEYWORDS,
     "vecdot(a: array, b: array, /, *, axis: int = -1, stream: StreamOrDevice = None) -> array\n\n"
     "Vector dot product sum(conj(a) * b) along axis."},
    {"tensordot", KW f_tensordot, METH_VARARGS | METH_KEYWORDS,
     "tensordot(a: array, b: array, /, axes: int | list[Sequence[int]] = 2, *, stream: "
     "StreamOrDevice = None) -> array\n\nTensor dot product over the given axes."},
    {"kron", KW f_kron, METH_VARARGS | METH_KEYWORDS,
     "kron(a: array, b: array, *, stream: StreamOrDevice = None) -> array\n\n"
     "Kronecker product of a and b."},
    {"einsum", KW f_einsum, METH_VARARGS | METH_KEYWORDS,
     "einsum(subscripts: str, *operands, stream: StreamOrDevice = None) -> array\n\n"
     "Einstein summation."},
    {"einsum_path", KW f_einsum_path, METH_VARARGS | METH_KEYWORDS,
     "einsum_path(subscripts: str, *operands)\n\n"
     "The contraction order einsum uses: (list of position tuples, summary string)."},
    {"block_masked_mm", KW f_block_masked_mm, METH_VARARGS | METH_KEYWORDS,
     "block_masked_mm(a: array, b: array, /, block_size: int = 64, mask_out: array | None = None, "
     "mask_lhs: array | None = None, mask_rhs: array | None = None, *, stream: StreamOrDevice = "
     "None) -> array\n\nMatrix multiplication with block masks."},
    {"gather_mm", KW f_gather_mm, METH_VARARGS | METH_KEYWORDS,
     "gather_mm(a: array, b: array, /, lhs_indices: array, rhs_indices: array, *, "
     "sorted_indices: bool = False, stream: StreamOrDevice = None) -> array\n\n"
     "Matrix multiplication with matrix-level gather."},
    {"segmented_mm", KW f_segmented_mm, METH_VARARGS | METH_KEYWORDS,
     "segmented_mm(a: array, b: array, /, segments: array, *, stream: StreamOrDevice = None) -> "
     "array\n\nMatrix products over segments of the contracted dimension."},
    {"hadamard_transform", KW f_hadamard_transform, METH_VARARGS | METH_KEYWORDS,
     "hadamard_transform(a: array, scale: float | None = None, stream: StreamOrDevice = None) -> "
     "array\n\nWalsh-Hadamard transform along the last axis."},
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_linalg_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
