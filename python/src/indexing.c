/* mlx.core: array indexing (__getitem__, __setitem__) and the `at` helper (array.at[idx].add(y)).
 *
 * An index is parsed into items (int, slice, None, integer array) over the array's axes, with
 * one Ellipsis expanded to full slices. Reading: one strided slice (a view) for the basic items,
 * then one gather for the integer arrays, placed as numpy does (the broadcast index dims replace
 * adjacent advanced indices, or lead the result when they are separated). Integers count as
 * advanced indices when any array is present, as in numpy. Writing: a slice update for basic
 * indices, else a scatter whose index arrays address every axis up to the trailing full slices;
 * a boolean mask over the leading axes becomes a masked scatter. */
#include "mlxpy.h"

#include <string.h>

#define MAXD 64

typedef enum { IX_INT, IX_SLICE, IX_NONE, IX_ARRAY } ix_kind;

typedef struct {
  ix_kind kind;
  bool adv;                          /* advanced index (an array, or an int next to arrays) */
  int dim;                           /* source axis (not for NONE) */
  int pos;                           /* position in the result (SLICE, NONE) */
  Py_ssize_t start, stop, step, len; /* SLICE; INT: start is the wrapped index */
  mlx_array arr;                     /* ARRAY: owned handle */
} ix_item;

typedef struct {
  ix_item *items;
  int n;
  int nadv;
  bool adjacent;
  int first_adv;  /* item index of the first advanced item */
  mlx_array mask; /* a boolean mask (the whole index), owned; ctx NULL otherwise */
} ix_index;

static void ix_free(ix_index *ix) {
  for (int i = 0; i < ix->n; i++)
    if (ix->items[i].arr.ctx) mlx_array_free(ix->items[i].arr);
  PyMem_Free(ix->items);
  if (ix->mask.ctx) mlx_array_free(ix->mask);
  ix->items = NULL;
  ix->n = 0;
}

static int bad_type(void) {
  PyErr_SetString(PyExc_ValueError, "Cannot index mlx array using the given type.");
  return -1;
}

/* An array-like index element (mx.array, list, numpy array) as an array handle (owned). */
static int index_array(PyObject *o, mlx_array *out) {
  *out = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_Array_Check(o)) return mxpy_check_op(mlx_array_set(out, MXPY_ARR(o)));
  if (mxpy_array_from_object(o, NULL, out) < 0) {
    mlx_array_free(*out);
    out->ctx = NULL;
    return -1;
  }
  return 0;
}

static bool is_array_like(PyObject *o) {
  return mxpy_Array_Check(o) || PyList_Check(o) || PyObject_CheckBuffer(o);
}

/* Parses key for the array a. allow_mask: a lone boolean array becomes ix->mask. */
static int ix_parse(mlx_array a, PyObject *key, bool allow_mask, ix_index *ix) {
  memset(ix, 0, sizeof *ix);
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  PyObject *tup = PyTuple_Check(key) ? (Py_INCREF(key), key) : PyTuple_Pack(1, key);
  if (!tup) return -1;
  Py_ssize_t nk = PyTuple_GET_SIZE(tup);
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
    PyErr_Format(PyExc_IndexError, "Too many indices for array with %d dimensions.", ndim);
    goto fail;
  }
  if (ndim + (nk - consumed - (ellipsis >= 0)) > MAXD) {
    PyErr_Format(PyExc_ValueError, "Indexing gives more than %d dimensions.", MAXD);
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
        it->stop = it->len = shape[dim];
        dim++;
      }
      continue;
    }
    if (o == NULL) break;
    ix_item *it = &ix->items[ix->n++];
    if (o == Py_None) {
      it->kind = IX_NONE;
    } else if (PyBool_Check(o)) {
      bad_type();
      goto fail;
    } else if (mxpy_is_int_like(o)) {
      Py_ssize_t v = PyNumber_AsSsize_t(o, PyExc_IndexError);
      if (v == -1 && PyErr_Occurred()) goto fail;
      Py_ssize_t n = shape[dim];
      Py_ssize_t w = v < 0 ? v + n : v;
      if (w < 0 || w >= n) {
        PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for axis %d with size %zd", v,
                     dim, n);
        goto fail;
      }
      it->kind = IX_INT;
      it->start = w;
      it->dim = dim++;
    } else if (PySlice_Check(o)) {
      Py_ssize_t st, sp, step;
      if (PySlice_Unpack(o, &st, &sp, &step) < 0) goto fail;
      it->len = PySlice_AdjustIndices(shape[dim], &st, &sp, step);
      it->kind = IX_SLICE;
      it->start = st;
      it->stop = sp;
      it->step = step;
      it->dim = dim++;
    } else if (is_array_like(o)) {
      if (index_array(o, &it->arr) < 0) goto fail;
      if (mlx_array_dtype(it->arr) == MLX_BOOL) {
        if (allow_mask && nk == 1) {
          ix->mask = it->arr;
          it->arr.ctx = NULL;
          ix->n--;
          Py_DECREF(tup);
          return 0;
        }
        PyErr_SetString(PyExc_ValueError, "boolean indices are not yet supported");
        goto fail;
      }
      it->kind = IX_ARRAY;
      it->dim = dim++;
    } else {
      bad_type();
      goto fail;
    }
  }
  Py_DECREF(tup);
  /* Advanced items and their adjacency. */
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
  return 0;
fail:
  Py_DECREF(tup);
  ix_free(ix);
  return -1;
}

/* ---- helpers over the C API ---- */

static int fail_op(int st) {
  return mxpy_check_op(st);
}

/* After `st = op(&r, ...)` (call it as adopt(&x, &r, op(&r, ...))): on success *x (owned)
 * takes the result and *r is a fresh empty handle again. */
static int adopt(mlx_array *x, mlx_array *r, int st) {
  if (st) return fail_op(st);
  mlx_array_free(*x);
  *x = *r;
  *r = mlx_array_new();
  return 0;
}

/* The start/stop/step of the basic slice for every axis (advanced axes kept whole). */
static void basic_bounds(const ix_index *ix, mlx_array a, int *start, int *stop, int *step) {
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
      Py_ssize_t end = it->start + it->step * it->len; /* one past the last, may be -1 */
      start[d] = (int)it->start;
      stop[d] = (int)(end < 0 ? -(Py_ssize_t)shape[d] - 1 : end);
      step[d] = (int)it->step;
    }
  }
}

/* Positions of the items in the result; returns its rank. B (nb dims) sits at *pb. */
static int result_layout(ix_index *ix, int nb, int *pb) {
  int pos = 0;
  *pb = 0;
  if (ix->nadv && !ix->adjacent) pos = nb;
  for (int i = 0; i < ix->n; i++) {
    ix_item *it = &ix->items[i];
    if (it->kind == IX_SLICE && !it->adv) {
      it->pos = pos++;
    } else if (it->kind == IX_NONE) {
      it->pos = pos++;
    } else if (it->adv && i == ix->first_adv && ix->adjacent) {
      *pb = pos;
      pos += nb;
    }
  }
  return pos;
}

/* The advanced index arrays broadcast together (owned handles, in item order). */
static int adv_arrays(ix_index *ix, mlx_stream s, mlx_vector_array *out) {
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
  return rc ? fail_op(rc) : 0;
}

/* ---- __getitem__ ---- */

static PyObject *at_new(PyObject *arr, PyObject *key);

PyObject *mxpy_getitem(PyObject *self, PyObject *key) {
  /* The `at` property reaches here through the getset table with its sentinel (array.c). */
  if (key == (PyObject *)(void *)mxpy_indexing_array_methods) return at_new(self, NULL);
  mlx_array a = MXPY_ARR(self);
  ix_index ix;
  if (ix_parse(a, key, false, &ix) < 0) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) {
    ix_free(&ix);
    return NULL;
  }
  int ndim = (int)mlx_array_ndim(a);
  int start[MAXD], stop[MAXD], step[MAXD];
  basic_bounds(&ix, a, start, stop, step);
  mlx_array x = mlx_array_new(), r = mlx_array_new();
  int rc = 0;
  mxpy_error_clear();
  if (ndim > 0)
    rc = adopt(&x, &r, mlx_slice(&r, a, start, ndim, stop, ndim, step, ndim, s));
  else
    rc = fail_op(mlx_array_set(&x, a));
  int nb = 0, pb = 0;
  if (rc == 0 && ix.nadv == 0) {
    /* drop the int axes */
    int sq[MAXD], nsq = 0;
    for (int i = 0; i < ix.n; i++)
      if (ix.items[i].kind == IX_INT) sq[nsq++] = ix.items[i].dim;
    if (nsq) rc = adopt(&x, &r, mlx_squeeze_axes(&r, x, sq, (size_t)nsq, s));
  } else if (rc == 0 && ix.nadv == 1 && ix.items[ix.first_adv].kind == IX_ARRAY) {
    /* one index array: a take along its axis puts B in place */
    ix_item *it = &ix.items[ix.first_adv];
    rc = adopt(&x, &r, mlx_take_axis(&r, x, it->arr, it->dim, s));
    if (rc == 0) nb = (int)mlx_array_ndim(it->arr);
  } else if (rc == 0) {
    mlx_vector_array idx = {NULL};
    rc = adv_arrays(&ix, s, &idx);
    int axes[MAXD], sizes[MAXD], na = 0;
    const int *xs = mlx_array_shape(x);
    for (int d = 0; d < ndim; d++) sizes[d] = xs[d];
    for (int i = 0; i < ix.n; i++)
      if (ix.items[i].adv) {
        axes[na++] = ix.items[i].dim;
        sizes[ix.items[i].dim] = 1;
      }
    if (rc == 0)
      rc = adopt(&x, &r, mlx_gather(&r, x, idx, axes, (size_t)na, sizes, (size_t)ndim, s));
    mlx_vector_array_free(idx);
    if (rc == 0) {
      nb = (int)mlx_array_ndim(x) - ndim;
      int sq[MAXD];
      for (int k = 0; k < na; k++) sq[k] = nb + axes[k];
      rc = adopt(&x, &r, mlx_squeeze_axes(&r, x, sq, (size_t)na, s));
    }
    /* B goes after the slices that precede the first advanced index (Nones come later) */
    int p = 0;
    for (int i = 0; ix.adjacent && i < ix.first_adv; i++) p += ix.items[i].kind == IX_SLICE;
    if (rc == 0 && p > 0) {
      /* [B, S...] -> [S[:p], B, S[p:]] */
      int perm[MAXD], n = 0, rank = (int)mlx_array_ndim(x);
      for (int i = 0; i < p; i++) perm[n++] = nb + i;
      for (int i = 0; i < nb; i++) perm[n++] = i;
      for (int i = nb + p; i < rank; i++) perm[n++] = i;
      rc = adopt(&x, &r, mlx_transpose_axes(&r, x, perm, (size_t)rank, s));
    }
  }
  if (rc == 0) {
    (void)result_layout(&ix, nb, &pb);
    int ex[MAXD], nex = 0;
    for (int i = 0; i < ix.n; i++)
      if (ix.items[i].kind == IX_NONE) ex[nex++] = ix.items[i].pos;
    if (nex) rc = adopt(&x, &r, mlx_expand_dims_axes(&r, x, ex, (size_t)nex, s));
  }
  mlx_stream_free(s);
  mlx_array_free(r);
  ix_free(&ix);
  if (rc) {
    mlx_array_free(x);
    return NULL;
  }
  return mxpy_array_wrap(x);
}

/* ---- updates (__setitem__ and at) ---- */

typedef enum { UPD_SET, UPD_ADD, UPD_PROD, UPD_MAX, UPD_MIN } upd_op;

typedef int (*slice_upd_fn)(mlx_array *, const mlx_array, const mlx_array, const int *, size_t,
                            const int *, size_t, const int *, size_t, const mlx_stream);
typedef int (*scatter_fn)(mlx_array *, const mlx_array, const mlx_vector_array, const mlx_array,
                          const int *, size_t, const mlx_stream);

static const slice_upd_fn slice_fns[] = {mlx_slice_update, mlx_slice_update_add,
                                         mlx_slice_update_prod, mlx_slice_update_max,
                                         mlx_slice_update_min};
static const scatter_fn scatter_fns[] = {mlx_scatter, mlx_scatter_add, mlx_scatter_prod,
                                         mlx_scatter_max, mlx_scatter_min};

static int shape_str(char *buf, size_t cap, int ndim, const int *shape) {
  size_t n = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, i ? ",%d" : "%d", shape[i]);
  if (n < cap) snprintf(buf + n, cap - n, ndim == 1 ? ")" : ")");
  return 0;
}

static int broadcast_error(mlx_array v, int ndim, const int *shape) {
  char a[512], b[512];
  shape_str(a, sizeof a, (int)mlx_array_ndim(v), mlx_array_shape(v));
  shape_str(b, sizeof b, ndim, shape);
  PyErr_Format(PyExc_ValueError, "Cannot broadcast array of shape %s into shape %s.", a, b);
  return -1;
}

/* a with the boolean mask's positions replaced by v's elements (in order). */
static int masked_update(mlx_array a, ix_index *ix, mlx_array v, mlx_stream s, mlx_array *out) {
  int ndim = (int)mlx_array_ndim(a), mnd = (int)mlx_array_ndim(ix->mask);
  const int *shape = mlx_array_shape(a), *ms = mlx_array_shape(ix->mask);
  bool ok = mnd <= ndim;
  for (int i = 0; ok && i < mnd; i++) ok = ms[i] == shape[i];
  if (!ok) {
    char sa[512], sb[512];
    shape_str(sa, sizeof sa, mnd, ms);
    shape_str(sb, sizeof sb, ndim, shape);
    PyErr_Format(PyExc_ValueError,
                 "[masked_scatter] The boolean mask should have the same shape as the beginning "
                 "of the indexed array but the mask has shape %s and the array has shape %s",
                 sa, sb);
    return -1;
  }
  int mshape[MAXD];
  for (int i = 0; i < ndim; i++) mshape[i] = i < mnd ? ms[i] : 1;
  mlx_array m = mlx_array_new(), src = mlx_array_new();
  int st = mlx_reshape(&m, ix->mask, mshape, (size_t)ndim, s);
  if (st == 0) {
    if (mlx_array_size(v) == 1)
      st = mlx_broadcast_to(&src, v, shape, (size_t)ndim, s);
    else
      st = mlx_array_set(&src, v);
  }
  if (st == 0) st = mlx_masked_scatter(out, a, m, src, s);
  mlx_array_free(m);
  mlx_array_free(src);
  return fail_op(st);
}

/* The updated array: a with a[key] replaced by (or combined with, op) v. */
static int compute_update(mlx_array a, PyObject *key, mlx_array v, upd_op op, mlx_array *out) {
  ix_index ix;
  if (ix_parse(a, key, op == UPD_SET, &ix) < 0) return -1;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) {
    ix_free(&ix);
    return -1;
  }
  mxpy_error_clear();
  int rc = 0;
  mlx_array vb = mlx_array_new(), r = mlx_array_new();
  if (ix.mask.ctx) {
    rc = masked_update(a, &ix, v, s, out);
    goto done;
  }
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  int start[MAXD], stop[MAXD], step[MAXD];
  basic_bounds(&ix, a, start, stop, step);

  /* the shape R of a[key] */
  int nb = 0;
  int bshape[MAXD];
  mlx_vector_array idx = {NULL};
  if (ix.nadv) {
    if ((rc = adv_arrays(&ix, s, &idx)) != 0) goto done_idx;
    mlx_array first = mlx_array_new();
    mlx_vector_array_get(&first, idx, 0);
    nb = (int)mlx_array_ndim(first);
    memcpy(bshape, mlx_array_shape(first), (size_t)nb * sizeof(int));
    mlx_array_free(first);
  }
  int pb;
  int rank = result_layout(&ix, nb, &pb);
  if (rank > MAXD) {
    PyErr_SetString(PyExc_ValueError, "Too many dimensions in the indexed result.");
    rc = -1;
    goto done_idx;
  }
  int R[MAXD];
  for (int i = 0; i < nb; i++) R[pb + i] = bshape[i];
  for (int i = 0; i < ix.n; i++) {
    ix_item *it = &ix.items[i];
    if (it->kind == IX_NONE)
      R[it->pos] = 1;
    else if (it->kind == IX_SLICE && !it->adv)
      R[it->pos] = (int)it->len;
  }
  /* v: leading size-1 axes dropped beyond R's rank, then broadcast to R */
  int vnd = (int)mlx_array_ndim(v), lead = 0;
  const int *vs = mlx_array_shape(v);
  while (vnd - lead > rank && vs[lead] == 1) lead++;
  if (vnd - lead > rank) {
    rc = broadcast_error(v, rank, R);
    goto done_idx;
  }
  {
    int vshape[MAXD];
    for (int i = lead; i < vnd; i++) vshape[i - lead] = vs[i];
    mlx_array t = mlx_array_new();
    rc = mlx_reshape(&t, v, vshape, (size_t)(vnd - lead), s);
    if (rc == 0) rc = mlx_broadcast_to(&vb, t, R, (size_t)rank, s);
    mlx_array_free(t);
    if (rc) {
      mxpy_error_clear();
      rc = broadcast_error(v, rank, R);
      goto done_idx;
    }
  }
  if (ix.nadv == 0) {
    /* R -> the slice's shape: drop the None axes, restore the int axes */
    int sq[MAXD], nsq = 0, ex[MAXD], nex = 0;
    for (int i = 0; i < ix.n; i++) {
      if (ix.items[i].kind == IX_NONE) sq[nsq++] = ix.items[i].pos;
      if (ix.items[i].kind == IX_INT) ex[nex++] = ix.items[i].dim;
    }
    if (nsq) rc = adopt(&vb, &r, mlx_squeeze_axes(&r, vb, sq, (size_t)nsq, s));
    if (rc == 0 && nex) rc = adopt(&vb, &r, mlx_expand_dims_axes(&r, vb, ex, (size_t)nex, s));
    if (rc == 0) {
      rc = fail_op(slice_fns[op](out, a, vb, start, (size_t)ndim, stop, (size_t)ndim, step,
                                 (size_t)ndim, s));
    }
    goto done_idx;
  }
  {
    /* Trailing full slices stay slices of the scatter; every other axis gets an index array
     * shaped to its place in R[:rl]. */
    int k = 0;
    for (int i = ix.n - 1; i >= 0; i--) {
      ix_item *it = &ix.items[i];
      if (it->kind != IX_SLICE || it->adv || it->start != 0 || it->step != 1 ||
          it->len != shape[it->dim])
        break;
      k++;
    }
    int t = ndim - k, rl = rank - k;
    mlx_vector_array all = mlx_vector_array_new();
    int axes[MAXD], nadv = 0;
    for (int i = 0; i < ix.n && rc == 0; i++) {
      ix_item *it = &ix.items[i];
      if (it->kind == IX_NONE || it->dim >= t) continue;
      mlx_array ia = mlx_array_new(), e = mlx_array_new();
      int ins[MAXD], nins = 0;
      if (it->adv) {
        rc = mlx_vector_array_get(&ia, idx, (size_t)nadv++);
        for (int p = 0; p < rl; p++)
          if (p < pb || p >= pb + nb) ins[nins++] = p;
      } else {
        rc = mlx_arange(&ia, (double)it->start, (double)(it->start + it->step * it->len),
                        (double)it->step, MLX_INT32, s);
        for (int p = 0; p < rl; p++)
          if (p != it->pos) ins[nins++] = p;
      }
      if (rc == 0)
        rc = nins ? mlx_expand_dims_axes(&e, ia, ins, (size_t)nins, s) : mlx_array_set(&e, ia);
      if (rc == 0) rc = mlx_vector_array_append_value(all, e);
      if (rc == 0) axes[mlx_vector_array_size(all) - 1] = it->dim;
      mlx_array_free(ia);
      mlx_array_free(e);
    }
    rc = fail_op(rc);
    if (rc == 0) {
      int ins[MAXD];
      for (int i = 0; i < t; i++) ins[i] = rl + i;
      rc = adopt(&vb, &r, mlx_expand_dims_axes(&r, vb, ins, (size_t)t, s));
    }
    if (rc == 0)
      rc = fail_op(scatter_fns[op](out, a, all, vb, axes, mlx_vector_array_size(all), s));
    mlx_vector_array_free(all);
  }
done_idx:
  if (idx.ctx) mlx_vector_array_free(idx);
done:
  mlx_array_free(vb);
  mlx_array_free(r);
  mlx_stream_free(s);
  ix_free(&ix);
  return rc ? -1 : 0;
}

/* The update value as an array (mx.array as is; Python scalars take a's type where they can). */
static int value_arg(PyObject *value, mlx_dtype dt, mlx_array *out) {
  *out = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_Array_Check(value)) return fail_op(mlx_array_set(out, MXPY_ARR(value)));
  int rc = mxpy_is_scalar(value) ? mxpy_scalar_weak(value, dt, out)
                                 : mxpy_array_from_object(value, NULL, out);
  return rc;
}

int mxpy_setitem(PyObject *self, PyObject *key, PyObject *value) {
  (void)self, (void)key, (void)value;
  if (!value) {
    PyErr_SetString(PyExc_TypeError, "Cannot delete array elements.");
    return -1;
  }
  mlx_array a = MXPY_ARR(self), v, r = mlx_array_new();
  if (value_arg(value, mlx_array_dtype(a), &v) < 0) {
    mlx_array_free(v);
    mlx_array_free(r);
    return -1;
  }
  int rc = compute_update(a, key, v, UPD_SET, &r);
  mlx_array_free(v);
  if (rc < 0) {
    mlx_array_free(r);
    return -1;
  }
  /* In place: the Python object now holds the updated graph. */
  mlx_array old = MXPY_ARR(self);
  MXPY_ARR(self) = r;
  mlx_array_free(old);
  return 0;
}

/* ---- array.at ---- */

typedef struct {
  PyObject_HEAD PyObject *arr; /* the array object */
  PyObject *key;               /* NULL until indexed */
} ArrayAtObject;

static PyTypeObject ArrayAtType;

static PyObject *at_new(PyObject *arr, PyObject *key) {
  if (!(ArrayAtType.tp_flags & Py_TPFLAGS_READY) && PyType_Ready(&ArrayAtType) < 0) return NULL;
  ArrayAtObject *o = PyObject_New(ArrayAtObject, &ArrayAtType);
  if (!o) return NULL;
  Py_INCREF(arr);
  Py_XINCREF(key);
  o->arr = arr;
  o->key = key;
  return (PyObject *)o;
}

static void at_dealloc(PyObject *self) {
  ArrayAtObject *o = (ArrayAtObject *)self;
  Py_XDECREF(o->arr);
  Py_XDECREF(o->key);
  PyObject_Free(self);
}

static PyObject *at_getitem(PyObject *self, PyObject *key) {
  return at_new(((ArrayAtObject *)self)->arr, key);
}

typedef enum { AT_ADD, AT_SUBTRACT, AT_MULTIPLY, AT_DIVIDE, AT_MAXIMUM, AT_MINIMUM } at_kind;

static PyObject *at_apply(PyObject *self, PyObject *value, at_kind kind) {
  ArrayAtObject *o = (ArrayAtObject *)self;
  if (!o->key) {
    PyErr_SetString(PyExc_ValueError,
                    "Cannot update an array without indices: use array.at[idx].add(value).");
    return NULL;
  }
  mlx_array a = MXPY_ARR(o->arr), v, w = mlx_array_new(), r = mlx_array_new();
  if (value_arg(value, mlx_array_dtype(a), &v) < 0) {
    mlx_array_free(v);
    mlx_array_free(w);
    mlx_array_free(r);
    return NULL;
  }
  mlx_stream s;
  int rc = mxpy_stream_arg(Py_None, &s);
  upd_op op = UPD_ADD;
  if (rc == 0) {
    mxpy_error_clear();
    int st = 0;
    switch (kind) {
    case AT_ADD:
      st = mlx_array_set(&w, v);
      break;
    case AT_SUBTRACT: {
      mlx_array z = mlx_array_new();
      st = mlx_zeros_like(&z, v, s);
      if (st == 0) st = mlx_subtract(&w, z, v, s);
      mlx_array_free(z);
      break;
    }
    case AT_MULTIPLY:
      op = UPD_PROD;
      st = mlx_array_set(&w, v);
      break;
    case AT_DIVIDE: {
      op = UPD_PROD;
      mlx_array one = mlx_array_new_int(1);
      st = mlx_divide(&w, one, v, s);
      mlx_array_free(one);
      break;
    }
    case AT_MAXIMUM:
      op = UPD_MAX;
      st = mlx_array_set(&w, v);
      break;
    case AT_MINIMUM:
      op = UPD_MIN;
      st = mlx_array_set(&w, v);
      break;
    }
    rc = fail_op(st);
    mlx_stream_free(s);
  }
  if (rc == 0) rc = compute_update(a, o->key, w, op, &r);
  mlx_array_free(v);
  mlx_array_free(w);
  if (rc < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

#define AT_METHOD(name, kind)                                                                      \
  static PyObject *at_##name(PyObject *self, PyObject *value) {                                    \
    return at_apply(self, value, kind);                                                            \
  }
AT_METHOD(add, AT_ADD)
AT_METHOD(subtract, AT_SUBTRACT)
AT_METHOD(multiply, AT_MULTIPLY)
AT_METHOD(divide, AT_DIVIDE)
AT_METHOD(maximum, AT_MAXIMUM)
AT_METHOD(minimum, AT_MINIMUM)

static PyMethodDef at_methods[] = {
    {"add", at_add, METH_O,
     "add(self, value) -> array\n\nThe array with value added at the indices "
     "(repeated indices accumulate)."},
    {"subtract", at_subtract, METH_O, "subtract(self, value) -> array"},
    {"multiply", at_multiply, METH_O, "multiply(self, value) -> array"},
    {"divide", at_divide, METH_O, "divide(self, value) -> array"},
    {"maximum", at_maximum, METH_O, "maximum(self, value) -> array"},
    {"minimum", at_minimum, METH_O, "minimum(self, value) -> array"},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods at_as_mapping = {
    .mp_subscript = at_getitem,
};

static PyTypeObject ArrayAtType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mlx.core.ArrayAt",
    .tp_basicsize = sizeof(ArrayAtObject),
    .tp_dealloc = at_dealloc,
    .tp_as_mapping = &at_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Updates of an array at indices: array.at[idx].add(value), subtract, multiply, "
              "divide, maximum, minimum. Repeated indices accumulate.",
    .tp_methods = at_methods,
};
