/* mx.unique (the real MLX 0.32.4's, after the spec's v0.32.2-dev): the sorted unique elements of
 * the flattened array, in an output of a given size, composed from mlx-c ops so that nothing is
 * evaluated (the shapes do not depend on the values).
 *
 * With the N elements sorted stably (order, sorted), element i starts a group when it differs
 * from element i - 1 (NaN differs from everything, -0.0 equals 0.0); gid, the running count of
 * starts minus one, is its group. start[k], the sorted position where group k starts, is
 * scattered into S + 2 slots holding N until written (slot S + 1 takes the writes of positions
 * that start nothing, or a group past S). Then for k < S:
 *   values[k] = sorted[start[k]] where start[k] < N, else fill (default: the first unique value)
 *   index[k]  = order[start[k]] (the first occurrence, the sort being stable), else order[0]
 *   counts[k] = start[k + 1] - start[k] (0 past the last group)
 *   inverse   = min(gid, S - 1) put back in the input's order (0 everywhere when S is 0). */
#include "mlxpy.h"

#define KW (PyCFunction)(void (*)(void))

enum {
  FLAT,
  ORDER,
  SORTED,
  HEAD,
  TAIL,
  DIFF,
  FIRST1,
  NEW,
  NEW_I,
  CSUM,
  GID,
  POS,
  UPTO,
  STARTS_AT,
  SLOT,
  SLOTS,
  STARTS,
  START,
  NEXT,
  VALID,
  CLAMP,
  VALS_AT,
  FILL,
  IDX_AT,
  IDX0,
  INV_CAP,
  INV_U,
  INV_ZERO,
  INV_FLAT,
  NTEMP
};

/* x[a:b] of a 1-d array */
static int slice1(mlx_array *r, mlx_array x, int a, int b, mlx_stream s) {
  int one = 1;
  return mlx_slice(r, x, &a, 1, &b, 1, &one, 1, s);
}

/* values, index, inverse and counts into out[0..3] of a non-empty a and size S > 0 */
static int unique_parts(mlx_array a, int S, mlx_array fill, mlx_stream s, mlx_array *out) {
  mlx_array t[NTEMP];
  for (int i = 0; i < NTEMP; i++) t[i] = mlx_array_new();
  int n = (int)mlx_array_size(a), minus1 = -1, one1 = 1, nslots = S + 2, st = 0;
  mlx_array c_true = mlx_array_new_bool(true), c_one = mlx_array_new_int(1),
            c_s = mlx_array_new_int(S), c_spare = mlx_array_new_int(S + 1),
            c_n = mlx_array_new_int(n), c_nlast = mlx_array_new_int(n - 1),
            c_slast = mlx_array_new_int(S - 1);
#define DO(call)                                                                                   \
  do {                                                                                             \
    if (!st) st = (call);                                                                          \
  } while (0)
  DO(mlx_reshape(&t[FLAT], a, &minus1, 1, s));
  DO(mlx_argsort(&t[ORDER], t[FLAT], s));
  DO(mlx_take(&t[SORTED], t[FLAT], t[ORDER], s));
  /* group starts: element 0, and each element unequal to the one before */
  DO(slice1(&t[HEAD], t[SORTED], 1, n, s));
  DO(slice1(&t[TAIL], t[SORTED], 0, n - 1, s));
  DO(mlx_not_equal(&t[DIFF], t[HEAD], t[TAIL], s));
  DO(mlx_reshape(&t[FIRST1], c_true, &one1, 1, s));
  if (!st) {
    mlx_array parts[2] = {t[FIRST1], t[DIFF]};
    mlx_vector_array v = mlx_vector_array_new_data(parts, 2);
    st = mlx_concatenate(&t[NEW], v, s);
    mlx_vector_array_free(v);
  }
  DO(mlx_astype(&t[NEW_I], t[NEW], MLX_INT32, s));
  DO(mlx_cumsum(&t[CSUM], t[NEW_I], 0, false, true, s));
  DO(mlx_subtract(&t[GID], t[CSUM], c_one, s));
  /* start[k] for k <= S into S + 2 slots */
  DO(mlx_arange(&t[POS], 0, n, 1, MLX_INT32, s));
  DO(mlx_less_equal(&t[UPTO], t[GID], c_s, s));
  DO(mlx_logical_and(&t[STARTS_AT], t[UPTO], t[NEW], s));
  DO(mlx_where(&t[SLOT], t[STARTS_AT], t[GID], c_spare, s));
  DO(mlx_full(&t[SLOTS], &nslots, 1, c_n, MLX_INT32, s));
  DO(mlx_put_along_axis(&t[STARTS], t[SLOTS], t[SLOT], t[POS], 0, s));
  DO(slice1(&t[START], t[STARTS], 0, S, s));
  DO(slice1(&t[NEXT], t[STARTS], 1, S + 1, s));
  DO(mlx_less(&t[VALID], t[START], c_n, s));
  DO(mlx_minimum(&t[CLAMP], t[START], c_nlast, s));
  /* values, padded with fill (the first unique value by default) */
  DO(mlx_take(&t[VALS_AT], t[SORTED], t[CLAMP], s));
  if (fill.ctx)
    DO(mlx_astype(&t[FILL], fill, mlx_array_dtype(a), s));
  else
    DO(slice1(&t[FILL], t[SORTED], 0, 1, s));
  DO(mlx_where(&out[0], t[VALID], t[VALS_AT], t[FILL], s));
  /* index, padded with the first entry's */
  DO(mlx_take(&t[IDX_AT], t[ORDER], t[CLAMP], s));
  DO(slice1(&t[IDX0], t[ORDER], 0, 1, s));
  DO(mlx_where(&out[1], t[VALID], t[IDX_AT], t[IDX0], s));
  /* inverse: groups past the output clamped to its last entry */
  DO(mlx_minimum(&t[INV_CAP], t[GID], c_slast, s));
  DO(mlx_astype(&t[INV_U], t[INV_CAP], MLX_UINT32, s));
  DO(mlx_zeros(&t[INV_ZERO], &n, 1, MLX_UINT32, s));
  DO(mlx_put_along_axis(&t[INV_FLAT], t[INV_ZERO], t[ORDER], t[INV_U], 0, s));
  DO(mlx_reshape(&out[2], t[INV_FLAT], mlx_array_shape(a), mlx_array_ndim(a), s));
  /* counts */
  DO(mlx_subtract(&out[3], t[NEXT], t[START], s));
#undef DO
  mlx_array consts[] = {c_true, c_one, c_s, c_spare, c_n, c_nlast, c_slast};
  for (size_t i = 0; i < sizeof consts / sizeof *consts; i++) mlx_array_free(consts[i]);
  for (int i = 0; i < NTEMP; i++) mlx_array_free(t[i]);
  return st;
}

/* The outputs of an empty input or a size of 0: values all fill, index 0, inverse 0, counts 0. */
static int unique_trivial(mlx_array a, int S, mlx_array fill, mlx_stream s, mlx_array *out) {
  int st = fill.ctx ? mlx_full(&out[0], &S, 1, fill, mlx_array_dtype(a), s)
                    : mlx_zeros(&out[0], &S, 1, mlx_array_dtype(a), s);
  if (!st) st = mlx_zeros(&out[1], &S, 1, MLX_UINT32, s);
  if (!st) st = mlx_zeros(&out[2], mlx_array_shape(a), mlx_array_ndim(a), MLX_UINT32, s);
  if (!st) st = mlx_zeros(&out[3], &S, 1, MLX_INT32, s);
  return st;
}

static PyObject *f_unique(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  static char *kwlist[] = {
      "", "size", "return_index", "return_inverse", "return_counts", "fill_value", "stream", NULL};
  PyObject *ao, *so, *fo = Py_None, *stream = Py_None;
  int want[3] = {0, 0, 0};
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|pppO$O:unique", kwlist, &ao, &so, &want[0],
                                   &want[1], &want[2], &fo, &stream))
    return NULL;
  mlx_array a;
  if (mxpy_array_arg(ao, "unique", "a", &a) < 0) return NULL;
  if (!mxpy_is_int_like(so)) {
    PyErr_Format(PyExc_TypeError, "unique(): size must be an int, got %.200s.",
                 Py_TYPE(so)->tp_name);
    return NULL;
  }
  long size = PyLong_AsLong(so);
  if (size == -1 && PyErr_Occurred()) return NULL;
  if (size < 0) {
    PyErr_Format(PyExc_ValueError, "[unique] Received negative size %ld.", size);
    return NULL;
  }
  if (size > INT32_MAX) {
    PyErr_Format(PyExc_ValueError, "[unique] Size %ld is too large.", size);
    return NULL;
  }
  size_t n = mlx_array_size(a);
  if (n > INT32_MAX) {
    PyErr_SetString(PyExc_ValueError,
                    "[unique] Arrays of more than 2^31 - 1 elements are not supported.");
    return NULL;
  }
  if (n == 0 && size > 0 && fo == Py_None) {
    PyErr_SetString(PyExc_ValueError,
                    "[unique] A fill value is required for an empty input with a non-zero size.");
    return NULL;
  }
  mlx_array fill = {NULL};
  if (fo != Py_None && mxpy_array_from_object(fo, NULL, &fill) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) {
    if (fill.ctx) mlx_array_free(fill);
    return NULL;
  }
  mlx_array out[4];
  for (int i = 0; i < 4; i++) out[i] = mlx_array_new();
  mxpy_error_clear();
  int st = n == 0 || size == 0 ? unique_trivial(a, (int)size, fill, s, out)
                               : unique_parts(a, (int)size, fill, s, out);
  if (fill.ctx) mlx_array_free(fill);
  /* the values, then the requested ones of index, inverse and counts */
  int count = 1;
  for (int i = 1; i < 4; i++) {
    if (want[i - 1])
      out[count++] = out[i];
    else
      mlx_array_free(out[i]);
  }
  return mxpy_finish_n(st, out, count, count > 1, s);
}

PyMethodDef mxpy_unique_methods[] = {
    {"unique", KW f_unique, METH_VARARGS | METH_KEYWORDS,
     "unique(a: array, /, size: int, return_index: bool = False, return_inverse: bool = False, "
     "return_counts: bool = False, fill_value: scalar | array | None = None, *, stream: "
     "StreamOrDevice = None) -> array | tuple[array, ...]\n\n"
     "The sorted unique elements of the flattened array, in an output of `size` entries: past the "
     "last unique element, fill_value (default: the first unique element) with a count of 0; "
     "beyond `size` unique elements, the smallest `size`. Optionally also the index of each "
     "one's first occurrence, the inverse (indices that rebuild a; those of dropped elements "
     "clamped to the last entry) and the counts."},
    {NULL, NULL, 0, NULL}};
