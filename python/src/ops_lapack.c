/* mlx.core.linalg: the lapack family (norm, pinv, cross, det, slogdet, inv, tri_inv, cholesky,
 * cholesky_inv, qr, svd, eig, eigvals, eigh, eigvalsh, lu, lu_factor, solve, solve_triangular).
 * Array arguments must be mx.array (TypeError otherwise), as in MLX. */
#include "mlxpy.h"

#include "mlx/c/linalg.h"

#define KW (PyCFunction)(void (*)(void))

static int array_arg(PyObject *o, const char *fname, mlx_array *out) {
  if (!mxpy_Array_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): incompatible function arguments: expected an "
                 "mlx.core.array, got %.200s.", fname, Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = MXPY_ARR(o);
  return 0;
}

/* Parses (a[, flag or string], *, stream) into a, the optional bool / string, and a stream. */
typedef struct {
  mlx_array a, b;
  int flag;
  const char *str;
  mlx_stream s;
} call_args;

static int parse(PyObject *args, PyObject *kwds, const char *fmt, char **kw, const char *fname,
                 bool two, call_args *c) {
  PyObject *a, *b = NULL, *stream = Py_None;
  c->s.ctx = NULL;
  int ok = two ? PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &b, &c->flag, &stream)
         : c->str ? PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &c->str, &stream)
                  : PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &c->flag, &stream);
  if (!ok || array_arg(a, fname, &c->a) < 0 || (b && array_arg(b, fname, &c->b) < 0)) return -1;
  return mxpy_stream_arg(stream, &c->s);
}

static PyObject *wrap_vector(int status, mlx_vector_array v, bool tuple, mlx_stream s) {
  size_t n = status ? 0 : mlx_vector_array_size(v);
  mlx_array r[3];
  for (size_t i = 0; i < n && i < 3; i++) {
    r[i] = mlx_array_new();
    mlx_vector_array_get(&r[i], v, i);
  }
  mlx_vector_array_free(v);
  return mxpy_finish_n(status, r, (int)n, tuple, s);
}

/* ------------------------------------------------------------------ one array, one result */

typedef int (*unary_fn)(mlx_array *, const mlx_array, const mlx_stream);
typedef int (*flag_fn)(mlx_array *, const mlx_array, bool, const mlx_stream);

static PyObject *unary(PyObject *args, PyObject *kwds, const char *fname, unary_fn fn) {
  static char *kw[] = {"a", "stream", NULL};
  call_args c = {.str = NULL};
  char fmt[64];
  snprintf(fmt, sizeof fmt, "O|$O:%s", fname);
  PyObject *a, *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &stream) ||
      array_arg(a, fname, &c.a) < 0 || mxpy_stream_arg(stream, &c.s) < 0)
    return NULL;
  mlx_array r = mlx_array_new();
  return mxpy_finish_n(fn(&r, c.a, c.s), &r, 1, false, c.s);
}

static PyObject *with_upper(PyObject *args, PyObject *kwds, const char *fname, flag_fn fn) {
  static char *kw[] = {"a", "upper", "stream", NULL};
  call_args c = {.flag = 0, .str = NULL};
  char fmt[64];
  snprintf(fmt, sizeof fmt, "O|p$O:%s", fname);
  if (parse(args, kwds, fmt, kw, fname, false, &c) < 0) return NULL;
  mlx_array r = mlx_array_new();
  return mxpy_finish_n(fn(&r, c.a, c.flag, c.s), &r, 1, false, c.s);
}

static PyObject *py_inv(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return unary(args, kwds, "inv", mlx_linalg_inv);
}

static PyObject *py_pinv(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return unary(args, kwds, "pinv", mlx_linalg_pinv);
}

static PyObject *py_cross(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "b", "axis", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  int axis = -1;
  call_args c;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|i$O:cross", kw, &a, &b, &axis, &stream) ||
      array_arg(a, "cross", &c.a) < 0 || array_arg(b, "cross", &c.b) < 0 ||
      mxpy_stream_arg(stream, &c.s) < 0)
    return NULL;
  mlx_array r = mlx_array_new();
  return mxpy_finish_n(mlx_linalg_cross(&r, c.a, c.b, axis, c.s), &r, 1, false, c.s);
}

static PyObject *py_tri_inv(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return with_upper(args, kwds, "tri_inv", mlx_linalg_tri_inv);
}

static PyObject *py_cholesky(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return with_upper(args, kwds, "cholesky", mlx_linalg_cholesky);
}

static PyObject *py_cholesky_inv(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return with_upper(args, kwds, "cholesky_inv", mlx_linalg_cholesky_inv);
}

/* ------------------------------------------------------------------ two arrays */

static PyObject *py_solve(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "b", "stream", NULL};
  PyObject *a, *b, *stream = Py_None;
  call_args c;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O:solve", kw, &a, &b, &stream) ||
      array_arg(a, "solve", &c.a) < 0 || array_arg(b, "solve", &c.b) < 0 ||
      mxpy_stream_arg(stream, &c.s) < 0)
    return NULL;
  mlx_array r = mlx_array_new();
  return mxpy_finish_n(mlx_linalg_solve(&r, c.a, c.b, c.s), &r, 1, false, c.s);
}

static PyObject *py_solve_triangular(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "b", "upper", "stream", NULL};
  call_args c = {.flag = 0};
  if (parse(args, kwds, "OO|$pO:solve_triangular", kw, "solve_triangular", true, &c) < 0)
    return NULL;
  mlx_array r = mlx_array_new();
  return mxpy_finish_n(mlx_linalg_solve_triangular(&r, c.a, c.b, c.flag, c.s), &r, 1, false, c.s);
}

/* ------------------------------------------------------------------ factorizations */

typedef int (*pair_fn)(mlx_array *, mlx_array *, const mlx_array, const mlx_stream);

static PyObject *pair(PyObject *args, PyObject *kwds, const char *fname, pair_fn fn) {
  static char *kw[] = {"a", "stream", NULL};
  char fmt[64];
  snprintf(fmt, sizeof fmt, "O|$O:%s", fname);
  PyObject *a, *stream = Py_None;
  call_args c;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &stream) ||
      array_arg(a, fname, &c.a) < 0 || mxpy_stream_arg(stream, &c.s) < 0)
    return NULL;
  mlx_array r[2] = {mlx_array_new(), mlx_array_new()};
  return mxpy_finish_n(fn(&r[0], &r[1], c.a, c.s), r, 2, true, c.s);
}

static PyObject *py_qr(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return pair(args, kwds, "qr", mlx_linalg_qr);
}

static PyObject *py_lu_factor(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return pair(args, kwds, "lu_factor", mlx_linalg_lu_factor);
}

static PyObject *py_lu(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "stream", NULL};
  PyObject *a, *stream = Py_None;
  call_args c;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:lu", kw, &a, &stream) ||
      array_arg(a, "lu", &c.a) < 0 || mxpy_stream_arg(stream, &c.s) < 0)
    return NULL;
  mlx_vector_array v = mlx_vector_array_new();
  return wrap_vector(mlx_linalg_lu(&v, c.a, c.s), v, true, c.s);
}

static PyObject *py_svd(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "compute_uv", "stream", NULL};
  call_args c = {.flag = 1, .str = NULL};
  if (parse(args, kwds, "O|p$O:svd", kw, "svd", false, &c) < 0) return NULL;
  mlx_vector_array v = mlx_vector_array_new();
  return wrap_vector(mlx_linalg_svd(&v, c.a, c.flag, c.s), v, c.flag, c.s);
}

static PyObject *eigh_common(PyObject *args, PyObject *kwds, const char *fname, bool vectors) {
  static char *kw[] = {"a", "UPLO", "stream", NULL};
  call_args c = {.str = "L"};
  char fmt[64];
  snprintf(fmt, sizeof fmt, "O|s$O:%s", fname);
  if (parse(args, kwds, fmt, kw, fname, false, &c) < 0) return NULL;
  mlx_array r[2] = {mlx_array_new(), mlx_array_new()};
  int st = vectors ? mlx_linalg_eigh(&r[0], &r[1], c.a, c.str, c.s)
                   : mlx_linalg_eigvalsh(&r[0], c.a, c.str, c.s);
  if (!vectors) mlx_array_free(r[1]);
  return mxpy_finish_n(st, r, vectors ? 2 : 1, vectors, c.s);
}

static PyObject *py_eigh(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return eigh_common(args, kwds, "eigh", true);
}

static PyObject *py_eigvalsh(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return eigh_common(args, kwds, "eigvalsh", false);
}

static PyObject *py_eig(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return pair(args, kwds, "eig", mlx_linalg_eig);
}

static PyObject *py_eigvals(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return unary(args, kwds, "eigvals", mlx_linalg_eigvals);
}

/* ------------------------------------------------------------------ norm */

static PyObject *py_norm(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  static char *kw[] = {"a", "ord", "axis", "keepdims", "stream", NULL};
  PyObject *a, *ord = Py_None, *axis = Py_None, *stream = Py_None;
  int keepdims = 0;
  mlx_array x;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOp$O:norm", kw, &a, &ord, &axis, &keepdims,
                                   &stream) ||
      array_arg(a, "norm", &x) < 0)
    return NULL;
  double num = 0;
  if (ord != Py_None && !PyUnicode_Check(ord)) {
    if (!(PyFloat_Check(ord) || PyBool_Check(ord) || mxpy_is_int_like(ord))) { /* as MLX */
      PyErr_Format(PyExc_TypeError, "norm(): ord must be None, a number or a string, got %.200s.",
                   Py_TYPE(ord)->tp_name);
      return NULL;
    }
    num = PyFloat_AsDouble(ord);
    if (num == -1.0 && PyErr_Occurred()) return NULL;
  }
  const char *sord = PyUnicode_Check(ord) ? PyUnicode_AsUTF8(ord) : NULL;
  if (PyUnicode_Check(ord) && !sord) return NULL;
  mxpy_ints ax;
  mxpy_ints_init(&ax);
  if (axis != Py_None && mxpy_ints_from(axis, true, "axis", &ax) < 0) return NULL;
  const int *axp = axis == Py_None ? NULL : (ax.data ? ax.data : ax.buf);
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    mxpy_ints_free(&ax);
    return NULL;
  }
  mlx_array r = mlx_array_new();
  int st = sord ? mlx_linalg_norm_matrix(&r, x, sord, axp, ax.n, keepdims, s)
           : ord != Py_None ? mlx_linalg_norm(&r, x, num, axp, ax.n, keepdims, s)
                            : mlx_linalg_norm_l2(&r, x, axp, ax.n, keepdims, s);
  mxpy_ints_free(&ax);
  return mxpy_finish_n(st, &r, 1, false, s);
}

/* ------------------------------------------------------------------ det, slogdet */

/* mlx-c has no det. Up to 3 x 3 it is a closed form of elementwise ops (as MLX: every
 * transform applies); larger, it is composed from public ops over lu_factor, as MLX composes it,
 * inside a custom function carrying a vjp and a jvp (d det = det tr(A^-1 dA), d log|det| =
 * tr(A^-1 dA); the sign has none), where MLX has no gradient; vmap goes through the
 * composition. slogdet's function
 * returns one array, (sign, log|det|) stacked in a last axis of 2, split afterwards: the core's
 * vjp fails on a custom function with two outputs ("[vjp] Too many inputs or outputs."). */
typedef struct {
  mlx_stream s;
  bool slog; /* slogdet: the output is (..., 2): sign, log|det| */
} det_ctx;

static void *det_ctx_new(mlx_stream s, bool slog) {
  det_ctx *p = malloc(sizeof *p);
  if (!p) return NULL;
  p->s = mlx_stream_new();
  mlx_stream_set(&p->s, s);
  p->slog = slog;
  return p;
}

static void det_ctx_free(void *p) {
  if (p) mlx_stream_free(((det_ctx *)p)->s);
  free(p);
}

/* Frees n arrays. */
static void free_arrays(mlx_array *v, int n) {
  for (int i = 0; i < n; i++) mlx_array_free(v[i]);
}

/* a (float, square, validated): d = the diagonal of U in a's LU, psign = (-1)^(row swaps). */
static int lu_parts(mlx_array a, mlx_stream s, mlx_array *d, mlx_array *psign) {
  int n = mlx_array_shape(a)[mlx_array_ndim(a) - 1];
  mlx_array v[7];
  for (int i = 0; i < 7; i++) v[i] = mlx_array_new();
  mlx_array two = mlx_array_new_int(2), m2 = mlx_array_new_float(-2), one = mlx_array_new_float(1);
  int st = mlx_linalg_lu_factor(&v[0], &v[1], a, s);
  st = st || mlx_diagonal(d, v[0], 0, -2, -1, s);
  st = st || mlx_arange(&v[2], 0, n, 1, MLX_UINT32, s);
  st = st || mlx_not_equal(&v[3], v[1], v[2], s); /* pivots that swap */
  st = st || mlx_sum_axis(&v[4], v[3], -1, false, s);
  st = st || mlx_remainder(&v[5], v[4], two, s);
  st = st || mlx_astype(&v[6], v[5], mlx_array_dtype(a), s);
  st = st || mlx_multiply(&v[5], v[6], m2, s);
  st = st || mlx_add(psign, v[5], one, s);
  free_arrays(v, 7);
  free_arrays((mlx_array[]){two, m2, one}, 3);
  return st;
}

/* res = [stack((x, y), -1)]. */
static int set_pair(mlx_vector_array *res, mlx_array x, mlx_array y, mlx_stream s) {
  mlx_vector_array v = mlx_vector_array_new_data((mlx_array[]){x, y}, 2);
  mlx_array r = mlx_array_new();
  int st = mlx_stack_axis(&r, v, -1, s) || mlx_vector_array_set_data(res, &r, 1);
  mlx_vector_array_free(v);
  mlx_array_free(r);
  return st;
}

/* The forward: det, or (sign, log|det|) stacked. */
static int det_fun(mlx_vector_array *res, const mlx_vector_array in, void *payload) {
  const det_ctx *c = payload;
  mlx_array a0 = mlx_array_new(), a = mlx_array_new(), d = mlx_array_new(), ps = mlx_array_new();
  mlx_array v[5], r[2];
  for (int i = 0; i < 5; i++) v[i] = mlx_array_new();
  r[0] = mlx_array_new(), r[1] = mlx_array_new();
  /* the derivatives come from the custom rules only: the composition (LUF has none) is cut
   * off from the input, so that jvp does not walk into it */
  int st = mlx_vector_array_get(&a0, in, 0) || mlx_stop_gradient(&a, a0, c->s) ||
           lu_parts(a, c->s, &d, &ps);
  if (!c->slog) {
    st = st || mlx_prod_axis(&v[0], d, -1, false, c->s) || mlx_multiply(&r[0], v[0], ps, c->s);
  } else {
    st = st || mlx_sign(&v[0], d, c->s) || mlx_prod_axis(&v[1], v[0], -1, false, c->s) ||
         mlx_multiply(&r[0], v[1], ps, c->s) || mlx_abs(&v[2], d, c->s) ||
         mlx_log(&v[3], v[2], c->s) || mlx_sum_axis(&r[1], v[3], -1, false, c->s);
  }
  st = st || (c->slog ? set_pair(res, r[0], r[1], c->s) : mlx_vector_array_set_data(res, r, 1));
  free_arrays(v, 5);
  free_arrays(r, 2);
  free_arrays((mlx_array[]){a0, a, d, ps}, 4);
  return st;
}

/* g = inv(a)^T, the gradient of log|det a|. */
static int inv_t(mlx_array *g, mlx_array a, mlx_stream s) {
  mlx_array i = mlx_array_new();
  int st = mlx_linalg_inv(&i, a, s) || mlx_swapaxes(g, i, -1, -2, s);
  mlx_array_free(i);
  return st;
}

/* vjp: det: (cot det) inv(a)^T; slogdet: cot_log inv(a)^T (the sign's cotangent is dropped). */
static int det_vjp(mlx_vector_array *res, const mlx_vector_array primals,
                   const mlx_vector_array cots, const mlx_vector_array outs, void *payload) {
  const det_ctx *c = payload;
  mlx_array a = mlx_array_new(), ct = mlx_array_new(), o = mlx_array_new(), v[4];
  for (int i = 0; i < 4; i++) v[i] = mlx_array_new();
  int st = mlx_vector_array_get(&a, primals, 0) || mlx_vector_array_get(&ct, cots, 0);
  if (!st && !ct.ctx) { /* no cotangent: a zero gradient */
    st = mlx_zeros_like(&v[3], a, c->s);
  } else if (!st) {
    mlx_array one = mlx_array_new_int(1);
    st = c->slog ? mlx_take_axis(&v[0], ct, one, -1, c->s) /* log|det|'s cotangent */
                 : mlx_vector_array_get(&o, outs, 0) || mlx_multiply(&v[0], ct, o, c->s);
    st = st || mlx_expand_dims_axes(&v[1], v[0], (int[]){-1, -2}, 2, c->s) ||
         inv_t(&v[2], a, c->s) || mlx_multiply(&v[3], v[1], v[2], c->s);
    mlx_array_free(one);
  }
  st = st || mlx_vector_array_set_data(res, &v[3], 1);
  free_arrays(v, 4);
  free_arrays((mlx_array[]){a, ct, o}, 3);
  return st;
}

/* jvp: t = tr(inv(a) da) = sum(inv(a)^T * da); det: det t; slogdet: (0, t). */
static int det_jvp(mlx_vector_array *res, const mlx_vector_array primals,
                   const mlx_vector_array tangents, const int *argnums, size_t nargs,
                   void *payload) {
  (void)argnums, (void)nargs; /* one primal */
  const det_ctx *c = payload;
  mlx_array a = mlx_array_new(), da = mlx_array_new(), v[4], r[2];
  for (int i = 0; i < 4; i++) v[i] = mlx_array_new();
  r[0] = mlx_array_new(), r[1] = mlx_array_new();
  mlx_vector_array f = mlx_vector_array_new();
  int st = mlx_vector_array_get(&a, primals, 0) || mlx_vector_array_get(&da, tangents, 0) ||
           inv_t(&v[0], a, c->s) || mlx_multiply(&v[1], v[0], da, c->s) ||
           mlx_sum_axes(&v[2], v[1], (int[]){-2, -1}, 2, false, c->s) ||
           det_fun(&f, primals, payload) || mlx_vector_array_get(&v[3], f, 0);
  if (c->slog)
    st = st || mlx_zeros_like(&r[0], v[2], c->s) || set_pair(res, r[0], v[2], c->s);
  else
    st = st || mlx_multiply(&r[0], v[3], v[2], c->s) || mlx_vector_array_set_data(res, r, 1);
  free_arrays(v, 4);
  free_arrays(r, 2);
  free_arrays((mlx_array[]){a, da}, 2);
  mlx_vector_array_free(f);
  return st;
}

/* r = a b - c d. */
static int mad(mlx_array *r, mlx_array a, mlx_array b, mlx_array c, mlx_array d, mlx_stream s) {
  mlx_array x = mlx_array_new(), y = mlx_array_new();
  int st = mlx_multiply(&x, a, b, s) || mlx_multiply(&y, c, d, s) || mlx_subtract(r, x, y, s);
  free_arrays((mlx_array[]){x, y}, 2);
  return st;
}

/* det of (..., n, n), 1 <= n <= 3, by cofactors: elementwise ops, so every transform applies
 * (MLX does the same for these sizes, with vjp and jvp). */
static int small_det(mlx_array *r, mlx_array a, int n, mlx_stream s) {
  mlx_array f = mlx_array_new(), e[9], c[4];
  for (int i = 0; i < 9; i++) e[i] = mlx_array_new();
  for (int i = 0; i < 4; i++) c[i] = mlx_array_new();
  int st = mlx_flatten(&f, a, -2, -1, s);
  for (int k = 0; !st && k < n * n; k++) {
    mlx_array idx = mlx_array_new_int(k);
    st = mlx_take_axis(&e[k], f, idx, -1, s);
    mlx_array_free(idx);
  }
  if (n == 1)
    st = st || mlx_array_set(r, e[0]);
  else if (n == 2)
    st = st || mad(r, e[0], e[3], e[1], e[2], s);
  else /* e0 (e4 e8 - e5 e7) - e1 (e3 e8 - e5 e6) + e2 (e3 e7 - e4 e6) */
    st = st || mad(&c[0], e[4], e[8], e[5], e[7], s) || mad(&c[1], e[3], e[8], e[5], e[6], s) ||
         mad(&c[2], e[3], e[7], e[4], e[6], s) || mad(&c[3], e[0], c[0], e[1], c[1], s) ||
         mlx_multiply(&c[0], e[2], c[2], s) || mlx_add(r, c[3], c[0], s);
  mlx_array_free(f);
  free_arrays(e, 9);
  free_arrays(c, 4);
  return st;
}

/* det or (sign, log|det|) of small matrices (1 <= n <= 3) through small_det. */
static int small_det_outputs(mlx_vector_array *out, mlx_array a, int n, bool slog,
                             mlx_stream s) {
  mlx_array d = mlx_array_new(), r[2] = {mlx_array_new(), mlx_array_new()}, ad = mlx_array_new();
  int st = small_det(&d, a, n, s);
  if (slog)
    st = st || mlx_sign(&r[0], d, s) || mlx_abs(&ad, d, s) || mlx_log(&r[1], ad, s);
  else
    st = st || mlx_array_set(&r[0], d);
  st = st || mlx_vector_array_set_data(out, r, slog ? 2 : 1);
  free_arrays((mlx_array[]){d, r[0], r[1], ad}, 4);
  return st;
}

/* det (slog false) or slogdet: closed forms up to 3 x 3, else a custom function (LU forward,
 * the custom vjp) of the float input. */
static PyObject *det_call(PyObject *args, PyObject *kwds, const char *fname, bool slog) {
  static char *kw[] = {"a", "stream", NULL};
  char fmt[64];
  snprintf(fmt, sizeof fmt, "O|$O:%s", fname);
  PyObject *a, *stream = Py_None;
  call_args c;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kw, &a, &stream) ||
      array_arg(a, fname, &c.a) < 0)
    return NULL;
  int nd = (int)mlx_array_ndim(c.a);
  const int *sh = mlx_array_shape(c.a);
  if (nd < 2)
    return PyErr_Format(PyExc_ValueError,
                        "[linalg::%s] Arrays must have >= 2 dimensions. Received array with %d "
                        "dimensions.", fname, nd);
  if (sh[nd - 1] != sh[nd - 2])
    return PyErr_Format(PyExc_ValueError, "[linalg::%s] Only defined for square matrices.", fname);
  if (mxpy_stream_arg(stream, &c.s) < 0) return NULL;
  mlx_dtype t = mlx_array_dtype(c.a);
  mlx_array af = mlx_array_new();
  int st = mlx_astype(&af, c.a, t == MLX_FLOAT64 ? MLX_FLOAT64 : MLX_FLOAT32, c.s);
  int n = sh[nd - 1];
  if (n >= 1 && n <= 3) {
    mlx_vector_array out = mlx_vector_array_new();
    st = st || small_det_outputs(&out, af, n, slog, c.s);
    mlx_array_free(af);
    return wrap_vector(st, out, slog, c.s);
  }
  void *p[3] = {det_ctx_new(c.s, slog), det_ctx_new(c.s, slog), det_ctx_new(c.s, slog)};
  mlx_closure fun = mlx_closure_new_func_payload(det_fun, p[0], det_ctx_free);
  mlx_closure_custom vjp = mlx_closure_custom_new_func_payload(det_vjp, p[1], det_ctx_free);
  mlx_closure_custom_jvp jvp = mlx_closure_custom_jvp_new_func_payload(det_jvp, p[2], det_ctx_free);
  mlx_closure_custom_vmap vmap = mlx_closure_custom_vmap_new();
  mlx_closure cf = mlx_closure_new();
  mlx_vector_array in = mlx_vector_array_new_data(&af, 1), out = mlx_vector_array_new();
  st = st || !p[0] || !p[1] || !p[2] || mlx_custom_function(&cf, fun, vjp, jvp, vmap) ||
       mlx_closure_apply(&out, cf, in);
  mlx_closure_free(fun), mlx_closure_custom_free(vjp), mlx_closure_custom_jvp_free(jvp);
  mlx_closure_custom_vmap_free(vmap), mlx_closure_free(cf);
  mlx_vector_array_free(in);
  mlx_array_free(af);
  if (slog && !st) { /* (sign, log|det|) from the stacked pair */
    mlx_array r = mlx_array_new(), p0 = mlx_array_new(), p1 = mlx_array_new();
    mlx_array i0 = mlx_array_new_int(0), i1 = mlx_array_new_int(1);
    st = mlx_vector_array_get(&r, out, 0) || mlx_take_axis(&p0, r, i0, -1, c.s) ||
         mlx_take_axis(&p1, r, i1, -1, c.s) ||
         mlx_vector_array_set_data(&out, (mlx_array[]){p0, p1}, 2);
    free_arrays((mlx_array[]){r, p0, p1, i0, i1}, 5);
  }
  return wrap_vector(st, out, slog, c.s);
}

static PyObject *py_det(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return det_call(args, kwds, "det", false);
}

static PyObject *py_slogdet(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwds) {
  return det_call(args, kwds, "slogdet", true);
}

static PyMethodDef lapack_methods[] = {
    {"norm", KW py_norm, METH_VARARGS | METH_KEYWORDS, "Vector and matrix norms."},
    {"pinv", KW py_pinv, METH_VARARGS | METH_KEYWORDS, "Moore-Penrose pseudo-inverse."},
    {"cross", KW py_cross, METH_VARARGS | METH_KEYWORDS, "Cross product of 2- or 3-vectors."},
    {"det", KW py_det, METH_VARARGS | METH_KEYWORDS, "Determinant (through lu_factor)."},
    {"slogdet", KW py_slogdet, METH_VARARGS | METH_KEYWORDS,
     "Sign and log of the absolute determinant."},
    {"inv", KW py_inv, METH_VARARGS | METH_KEYWORDS, "Inverse of square matrices."},
    {"tri_inv", KW py_tri_inv, METH_VARARGS | METH_KEYWORDS, "Inverse of triangular matrices."},
    {"cholesky", KW py_cholesky, METH_VARARGS | METH_KEYWORDS, "Cholesky factor."},
    {"cholesky_inv", KW py_cholesky_inv, METH_VARARGS | METH_KEYWORDS,
     "Inverse of a matrix from its Cholesky factor."},
    {"qr", KW py_qr, METH_VARARGS | METH_KEYWORDS, "QR factorization: (Q, R)."},
    {"svd", KW py_svd, METH_VARARGS | METH_KEYWORDS, "Singular value decomposition."},
    {"eigh", KW py_eigh, METH_VARARGS | METH_KEYWORDS, "Eigen-decomposition of symmetric matrices."},
    {"eigvalsh", KW py_eigvalsh, METH_VARARGS | METH_KEYWORDS,
     "Eigenvalues of symmetric matrices."},
    {"eig", KW py_eig, METH_VARARGS | METH_KEYWORDS,
     "Eigenvalues and right eigenvectors of general matrices (complex64)."},
    {"eigvals", KW py_eigvals, METH_VARARGS | METH_KEYWORDS,
     "Eigenvalues of general matrices (complex64)."},
    {"lu", KW py_lu, METH_VARARGS | METH_KEYWORDS, "LU factorization: (P, L, U)."},
    {"lu_factor", KW py_lu_factor, METH_VARARGS | METH_KEYWORDS,
     "Packed LU factorization: (LU, pivots)."},
    {"solve", KW py_solve, METH_VARARGS | METH_KEYWORDS, "Solves a x = b."},
    {"solve_triangular", KW py_solve_triangular, METH_VARARGS | METH_KEYWORDS,
     "Solves a x = b for triangular a."},
    {NULL, NULL, 0, NULL}};

int mxpy_lapack_init(PyObject *m) {
  return mxpy_add_submodule(m, "linalg", "mlx.core.linalg", lapack_methods,
                            "mlx.core.linalg: linear algebra.");
}
