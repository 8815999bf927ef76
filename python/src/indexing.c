/* mlx.core: parsing of array indices and __getitem__.
 *
 * Reading: one strided slice (a view, no copy) for the basic items, then one gather for the
 * integer arrays, placed as numpy does (the broadcast index dims replace adjacent advanced
 * indices, or lead the result when they are separated). Integers count as advanced indices
 * when any array is present, as in numpy. Assignments and array.at are in indexing_update.c.
 *
 * Errors follow MLX: ValueError for index types it cannot use (the message says "yet" for an
 * element of a tuple), for non-integral index arrays and for boolean ones; too many indices and
 * ints outside int32 raise IndexingError, which is both MLX's ValueError and numpy's IndexError.
 * Where MLX reads out of bounds (an int past the axis), this raises numpy's IndexError. */
#include "indexing.h"

#include <string.h>

static PyObject *indexing_error(void) {
  static PyObject *type;
  if (!type) {
    PyObject *bases = PyTuple_Pack(2, PyExc_ValueError, PyExc_IndexError);
    if (bases) type = PyErr_NewException("mlx.core.IndexingError", bases, NULL);
    Py_XDECREF(bases);
  }
  return type ? type : PyExc_ValueError;
}

void mxpy_ix_free(ix_index *ix) {
  for (int i = 0; i < ix->n; i++)
    if (ix->items[i].arr.ctx) mlx_array_free(ix->items[i].arr);
  PyMem_Free(ix->items);
  if (ix->mask.ctx) mlx_array_free(ix->mask);
  ix->items = NULL;
  ix->n = 0;
}

static int bad_type(bool in_tuple) {
  PyErr_SetString(PyExc_ValueError, in_tuple ? "Cannot index mlx array using the given type yet"
                                             : "Cannot index mlx array using the given type.");
  return -1;
}

static bool is_array_like(PyObject *o) {
  return mxpy_Array_Check(o) || PyList_Check(o) || PyObject_CheckBuffer(o);
}

/* An array-like index element (mx.array, list, numpy array) as an array handle (owned). */
static int index_array(PyObject *o, mlx_array *out) {
  *out = mlx_array_new();
  mxpy_error_clear();
  int rc = mxpy_Array_Check(o) ? mxpy_check_op(mlx_array_set(out, MXPY_ARR(o)))
                               : mxpy_array_from_object(o, NULL, out);
  if (rc < 0) {
    mlx_array_free(*out);
    out->ctx = NULL;
  }
  return rc;
}

/* An int index along an axis of size n, wrapped. */
static int int_index(PyObject *o, int dim, Py_ssize_t n, Py_ssize_t *out) {
  int overflow = 0;
  long long v = PyLong_Check(o) ? PyLong_AsLongLongAndOverflow(o, &overflow)
                                : (long long)PyNumber_AsSsize_t(o, NULL);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v < INT32_MIN || v > INT32_MAX) {
    PyErr_SetString(indexing_error(), "Slice indices must be 32-bit integers.");
    return -1;
  }
  Py_ssize_t w = v < 0 ? (Py_ssize_t)v + n : (Py_ssize_t)v;
  if (w < 0 || w >= n) {
    PyErr_Format(PyExc_IndexError, "index %lld is out of bounds for axis %d with size %zd", v, dim,
                 n);
    return -1;
  }
  *out = w;
  return 0;
}

/* A slice over an axis of size n: start, step and length (a step beyond the length is 1). */
static int slice_index(PyObject *o, Py_ssize_t n, ix_item *it) {
  PySliceObject *sl = (PySliceObject *)o;
  PyObject *parts[3] = {sl->start, sl->stop, sl->step};
  for (int i = 0; i < 3; i++)
    if (parts[i] != Py_None && (!PyIndex_Check(parts[i]) || mxpy_Array_Check(parts[i]))) {
      PyErr_SetString(PyExc_ValueError, "Slice indices must be integers or None.");
      return -1;
    }
  Py_ssize_t st, sp, step;
  if (PySlice_Unpack(o, &st, &sp, &step) < 0) return -1;
  it->len = PySlice_AdjustIndices(n, &st, &sp, step);
  if (it->len <= 1) step = 1;
  it->kind = IX_SLICE;
  it->start = st;
  it->step = step;
  it->stop = st + step * it->len;
  return 0;
}

/* An integral array element of the index (*pre: o already converted, or ctx NULL). */
static int array_item(PyObject *o, bool in_tuple, mlx_array *pre, ix_item *it) {
  if (pre->ctx) {
    it->arr = *pre;
    pre->ctx = NULL;
  } else if (index_array(o, &it->arr) < 0) {
    return -1;
  }
  mlx_dtype dt = mlx_array_dtype(it->arr);
  if (dt == MLX_BOOL) {
    if (!mxpy_Array_Check(o) && !PyList_Check(o) && mlx_array_ndim(it->arr) == 0)
      return bad_type(in_tuple); /* a numpy bool scalar */
    PyErr_SetString(PyExc_ValueError, in_tuple ? "[Gather] Boolean indices not supported."
                                               : "boolean indices are not yet supported");
    return -1;
  }
  if (!mxpy_is_integral(dt)) {
    PyErr_SetString(PyExc_ValueError,
                    "[gather] Got indices with invalid dtype. Indices must be integral.");
    return -1;
  }
  it->kind = IX_ARRAY;
  return 0;
}

/* Marks the advanced items and whether they are adjacent. */
static void mark_advanced(ix_index *ix) {
  bool any_array = false;
  for (int i = 0; i < ix->n; i++) any_array |= ix->items[i].kind == IX_ARRAY;
  int first = -1, last = -1;
  for (int i = 0; i < ix->n; i++) {
    ix_item *it = &ix->items[i];
    it->adv = it->kind == IX_ARRAY || (any_array && it->kind == IX_INT);
    if (it->adv) {
      ix->nadv++;
      if (first < 0) first = i;
      last = i;
    }
  }
  ix->first_adv = first;
  ix->adjacent = true;
  for (int i = first + 1; first >= 0 && i < last; i++)
    if (!ix->items[i].adv) ix->adjacent = false;
}

static int too_many(int ndim) {
  if (ndim == 0)
    PyErr_SetString(indexing_error(), "too many indices for array: array is 0-dimensional");
  else
    PyErr_Format(indexing_error(), "Too many indices for array with %d dimensions.", ndim);
  return -1;
}

int mxpy_ix_parse(mlx_array a, PyObject *key, bool allow_mask, ix_index *ix) {
  memset(ix, 0, sizeof *ix);
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  bool in_tuple = PyTuple_Check(key);
  if (allow_mask && PyBool_Check(key)) {
    ix->mask = mlx_array_new_bool(key == Py_True);
    return 0;
  }
  PyObject *tup = in_tuple ? (Py_INCREF(key), key) : PyTuple_Pack(1, key);
  if (!tup) return -1;
  Py_ssize_t nk = PyTuple_GET_SIZE(tup);
  mlx_array pre = {NULL}; /* a lone array-like key, converted: a mask if boolean */
  if (allow_mask && nk == 1 && is_array_like(PyTuple_GET_ITEM(tup, 0))) {
    if (index_array(PyTuple_GET_ITEM(tup, 0), &pre) < 0) goto fail;
    if (mlx_array_dtype(pre) == MLX_BOOL) {
      ix->mask = pre;
      Py_DECREF(tup);
      return 0;
    }
  }
  int consumed = 0, ellipsis = -1;
  for (Py_ssize_t i = 0; i < nk; i++) {
    PyObject *o = PyTuple_GET_ITEM(tup, i);
    if (o == Py_Ellipsis) {
      if (ellipsis >= 0) {
        PyErr_SetString(PyExc_ValueError, "An index can only have a single ellipsis (...)");
        goto fail;
      }
      ellipsis = (int)i;
    } else if (o != Py_None) {
      consumed++;
    }
  }
  if (consumed > ndim) {
    too_many(ndim);
    goto fail;
  }
  if (ndim + (nk - consumed - (ellipsis >= 0)) > IX_MAXD) {
    PyErr_Format(PyExc_ValueError, "Indexing gives more than %d dimensions.", IX_MAXD);
    goto fail;
  }
  ix->items = PyMem_Calloc((size_t)(nk + ndim + 1), sizeof(ix_item));
  if (!ix->items) {
    PyErr_NoMemory();
    goto fail;
  }
  int dim = 0;
  for (Py_ssize_t i = 0; i <= nk; i++) {
    PyObject *o = i < nk ? PyTuple_GET_ITEM(tup, i) : NULL;
    if (o == Py_Ellipsis || (o == NULL && ellipsis < 0)) {
      for (int k = 0; k < ndim - consumed; k++) {
        ix_item *it = &ix->items[ix->n++];
        it->kind = IX_SLICE;
        it->dim = dim;
        it->start = 0;
        it->step = 1;
        it->stop = it->len = shape[dim++];
      }
      continue;
    }
    if (o == NULL) break;
    ix_item *it = &ix->items[ix->n++];
    int rc = 0;
    if (o == Py_None) {
      it->kind = IX_NONE;
      continue;
    } else if (mxpy_is_int_like(o)) {
      it->kind = IX_INT;
      rc = int_index(o, dim, shape[dim], &it->start);
    } else if (PySlice_Check(o)) {
      rc = slice_index(o, shape[dim], it);
    } else if (is_array_like(o)) {
      rc = array_item(o, in_tuple, &pre, it);
    } else {
      rc = bad_type(in_tuple);
    }
    if (rc < 0) goto fail;
    it->dim = dim++;
  }
  Py_DECREF(tup);
  mark_advanced(ix);
  return 0;
fail:
  if (pre.ctx) mlx_array_free(pre);
  Py_DECREF(tup);
  mxpy_ix_free(ix);
  return -1;
}

/* ---- helpers over the C API ---- */

int mxpy_ix_adopt(mlx_array *x, mlx_array *r, int st) {
  if (st) return mxpy_check_op(st);
  mlx_array_free(*x);
  *x = *r;
  *r = mlx_array_new();
  return 0;
}

void mxpy_ix_basic_bounds(const ix_index *ix, mlx_array a, int *start, int *stop, int *step) {
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  for (int d = 0; d < ndim; d++) {
    start[d] = 0;
    stop[d] = shape[d];
    step[d] = 1;
  }
  for (int i = 0; i < ix->n; i++) {
    const ix_item *it = &ix->items[i];
    if (it->adv || it->kind == IX_NONE) continue;
    int d = it->dim;
    if (it->kind == IX_INT) {
      start[d] = (int)it->start;
      stop[d] = (int)it->start + 1;
    } else if (it->len == 0) {
      start[d] = stop[d] = 0;
    } else {
      /* it->stop is one past the last taken index; -1 (before the start) becomes -size-1 */
      start[d] = (int)it->start;
      stop[d] = (int)(it->stop < 0 ? -(Py_ssize_t)shape[d] - 1 : it->stop);
      step[d] = (int)it->step;
    }
  }
}

int mxpy_ix_result_layout(ix_index *ix, int nb, int *pb) {
  int pos = 0;
  *pb = 0;
  if (ix->nadv && !ix->adjacent) pos = nb;
  for (int i = 0; i < ix->n; i++) {
    ix_item *it = &ix->items[i];
    if ((it->kind == IX_SLICE && !it->adv) || it->kind == IX_NONE) {
      it->pos = pos++;
    } else if (it->adv && i == ix->first_adv && ix->adjacent) {
      *pb = pos;
      pos += nb;
    }
  }
  return pos;
}

int mxpy_ix_adv_arrays(ix_index *ix, mlx_stream s, mlx_vector_array *out) {
  mlx_vector_array in = mlx_vector_array_new();
  int rc = 0;
  for (int i = 0; i < ix->n && rc == 0; i++) {
    ix_item *it = &ix->items[i];
    if (!it->adv) continue;
    if (it->kind == IX_INT) {
      mlx_array v = mlx_array_new_int((int)it->start);
      rc = mlx_vector_array_append_value(in, v);
      mlx_array_free(v);
    } else {
      rc = mlx_vector_array_append_value(in, it->arr);
    }
  }
  *out = mlx_vector_array_new();
  if (rc == 0) rc = mlx_broadcast_arrays(out, in, s);
  mlx_vector_array_free(in);
  return mxpy_check_op(rc);
}

void mxpy_ix_shape_str(char *buf, size_t cap, int ndim, const int *shape) {
  size_t n = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, i ? ",%d" : "%d", shape[i]);
  if (n < cap) snprintf(buf + n, cap - n, ")");
}

/* ---- __getitem__ ---- */

/* x (the basic slice of the source) gathered at the advanced items: [S[:p], B, S[p:]]. */
static int gather_advanced(ix_index *ix, int ndim, mlx_stream s, mlx_array *x, int *nb) {
  mlx_array r = mlx_array_new();
  int rc = 0;
  if (ix->nadv == 1 && ix->items[ix->first_adv].kind == IX_ARRAY) {
    /* one index array: a take along its axis puts B in place */
    ix_item *it = &ix->items[ix->first_adv];
    rc = mxpy_ix_adopt(x, &r, mlx_take_axis(&r, *x, it->arr, it->dim, s));
    if (rc == 0) *nb = (int)mlx_array_ndim(it->arr);
    mlx_array_free(r);
    return rc;
  }
  mlx_vector_array idx = {NULL};
  rc = mxpy_ix_adv_arrays(ix, s, &idx);
  int axes[IX_MAXD], sizes[IX_MAXD], na = 0;
  const int *xs = mlx_array_shape(*x);
  for (int d = 0; d < ndim; d++) sizes[d] = xs[d];
  for (int i = 0; i < ix->n; i++)
    if (ix->items[i].adv) {
      axes[na++] = ix->items[i].dim;
      sizes[ix->items[i].dim] = 1;
    }
  if (rc == 0)
    rc = mxpy_ix_adopt(x, &r, mlx_gather(&r, *x, idx, axes, (size_t)na, sizes, (size_t)ndim, s));
  if (idx.ctx) mlx_vector_array_free(idx);
  if (rc == 0) {
    *nb = (int)mlx_array_ndim(*x) - ndim;
    int sq[IX_MAXD];
    for (int k = 0; k < na; k++) sq[k] = *nb + axes[k];
    rc = mxpy_ix_adopt(x, &r, mlx_squeeze_axes(&r, *x, sq, (size_t)na, s));
  }
  /* B goes after the slices that precede the first advanced index (Nones come later) */
  int p = 0;
  for (int i = 0; ix->adjacent && i < ix->first_adv; i++) p += ix->items[i].kind == IX_SLICE;
  if (rc == 0 && p > 0) {
    int perm[IX_MAXD], n = 0, rank = (int)mlx_array_ndim(*x);
    for (int i = 0; i < p; i++) perm[n++] = *nb + i;
    for (int i = 0; i < *nb; i++) perm[n++] = i;
    for (int i = *nb + p; i < rank; i++) perm[n++] = i;
    rc = mxpy_ix_adopt(x, &r, mlx_transpose_axes(&r, *x, perm, (size_t)rank, s));
  }
  mlx_array_free(r);
  return rc;
}

PyObject *mxpy_getitem(PyObject *self, PyObject *key) {
  /* The `at` property reaches here through the getset table with its sentinel (array.c). */
  if (key == (PyObject *)(void *)mxpy_indexing_array_methods) return mxpy_ix_at_new(self, NULL);
  mlx_array a = MXPY_ARR(self);
  ix_index ix;
  if (mxpy_ix_parse(a, key, false, &ix) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) {
    mxpy_ix_free(&ix);
    return NULL;
  }
  int ndim = (int)mlx_array_ndim(a);
  int start[IX_MAXD], stop[IX_MAXD], step[IX_MAXD];
  mxpy_ix_basic_bounds(&ix, a, start, stop, step);
  mlx_array x = mlx_array_new(), r = mlx_array_new();
  mxpy_error_clear();
  int rc = ndim > 0
               ? mxpy_ix_adopt(&x, &r, mlx_slice(&r, a, start, ndim, stop, ndim, step, ndim, s))
               : mxpy_check_op(mlx_array_set(&x, a));
  int nb = 0, pb = 0;
  if (rc == 0 && ix.nadv == 0) {
    /* drop the int axes */
    int sq[IX_MAXD], nsq = 0;
    for (int i = 0; i < ix.n; i++)
      if (ix.items[i].kind == IX_INT) sq[nsq++] = ix.items[i].dim;
    if (nsq) rc = mxpy_ix_adopt(&x, &r, mlx_squeeze_axes(&r, x, sq, (size_t)nsq, s));
  } else if (rc == 0) {
    rc = gather_advanced(&ix, ndim, s, &x, &nb);
  }
  if (rc == 0) {
    (void)mxpy_ix_result_layout(&ix, nb, &pb);
    int ex[IX_MAXD], nex = 0;
    for (int i = 0; i < ix.n; i++)
      if (ix.items[i].kind == IX_NONE) ex[nex++] = ix.items[i].pos;
    if (nex) rc = mxpy_ix_adopt(&x, &r, mlx_expand_dims_axes(&r, x, ex, (size_t)nex, s));
  }
  mlx_stream_free(s);
  mlx_array_free(r);
  mxpy_ix_free(&ix);
  if (rc) {
    mlx_array_free(x);
    return NULL;
  }
  return mxpy_array_wrap(x);
}
