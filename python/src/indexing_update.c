/* mlx.core: assignments through indices (__setitem__) and the `at` helper
 * (array.at[idx].add(y)).
 *
 * The value broadcasts to the shape R of a[key] after its leading size-1 axes beyond R's rank
 * are dropped (as MLX does). Basic indices become a slice update; advanced ones a scatter whose
 * index arrays address every axis up to the trailing full slices (the last write wins on
 * repeated indices; `at` accumulates them). An empty R changes nothing. A boolean mask over
 * the leading axes (or a Python bool) follows MLX's rules: a value of at most the trailing
 * rank is broadcast to every selected position, one of one axis more gives the selected
 * positions its rows in order. */
#include "indexing.h"

#include <string.h>

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

/* ValueError "[broadcast_shapes] Shapes X and Y cannot be broadcast." (MLX's text). */
static int shapes_error(int nx, const int *x, int ny, const int *y) {
  char a[512], b[512];
  mxpy_ix_shape_str(a, sizeof a, nx, x);
  mxpy_ix_shape_str(b, sizeof b, ny, y);
  PyErr_Format(PyExc_ValueError, "[broadcast_shapes] Shapes %s and %s cannot be broadcast.", a, b);
  return -1;
}

static bool broadcastable(int nx, const int *x, int ny, const int *y) {
  if (nx > ny) return false;
  for (int i = 1; i <= nx; i++)
    if (x[nx - i] != 1 && x[nx - i] != y[ny - i]) return false;
  return true;
}

/* v broadcast to R (rank dims) after dropping its leading size-1 axes beyond rank. */
static int broadcast_value(mlx_array v, int rank, const int *R, mlx_stream s, mlx_array *out) {
  int vnd = (int)mlx_array_ndim(v), lead = 0;
  const int *vs = mlx_array_shape(v);
  while (vnd - lead > rank && vs[lead] == 1) lead++;
  int n = vnd - lead;
  if (n > rank) {
    char a[512], b[512];
    mxpy_ix_shape_str(a, sizeof a, n, vs + lead);
    mxpy_ix_shape_str(b, sizeof b, rank, R);
    PyErr_Format(PyExc_ValueError, "Cannot broadcast array of shape %s into shape %s.", a, b);
    return -1;
  }
  if (!broadcastable(n, vs + lead, rank, R)) return shapes_error(n, vs + lead, rank, R);
  mlx_array t = mlx_array_new();
  int st = mlx_reshape(&t, v, vs + lead, (size_t)n, s);
  if (st == 0) st = mlx_broadcast_to(out, t, R, (size_t)rank, s);
  mlx_array_free(t);
  return mxpy_check_op(st);
}

/* ---- boolean masks ---- */

static int mask_shape_error(mlx_array mask, mlx_array a) {
  char sm[512], sa[512];
  mxpy_ix_shape_str(sm, sizeof sm, (int)mlx_array_ndim(mask), mlx_array_shape(mask));
  mxpy_ix_shape_str(sa, sizeof sa, (int)mlx_array_ndim(a), mlx_array_shape(a));
  PyErr_Format(PyExc_ValueError,
               "[masked_scatter] The boolean mask should have the same shape as the beginning "
               "of the indexed array but the mask has shape %s and the array has shape %s",
               sm, sa);
  return -1;
}

/* a with the positions selected by the mask (over a's leading axes) replaced by v. */
static int masked_update(mlx_array a, mlx_array mask, mlx_array v, mlx_stream s, mlx_array *out) {
  int ndim = (int)mlx_array_ndim(a), mnd = (int)mlx_array_ndim(mask);
  const int *shape = mlx_array_shape(a), *ms = mlx_array_shape(mask);
  if (mnd > ndim) {
    PyErr_SetString(PyExc_ValueError,
                    "[masked_scatter] The mask cannot have more dimensions than the target.");
    return -1;
  }
  if (mnd && memcmp(ms, shape, (size_t)mnd * sizeof(int)) != 0) return mask_shape_error(mask, a);
  int t = ndim - mnd, vnd = (int)mlx_array_ndim(v);
  const int *vs = mlx_array_shape(v);
  if (vnd > t + 1) {
    PyErr_Format(PyExc_ValueError,
                 "[masked_scatter] Value array shape must be broadcastable with the last %d "
                 "dimensions of the input.",
                 t);
    return -1;
  }
  /* target: (N, T...) when v is broadcast to each position, (rows, T...) when v gives rows */
  int target[IX_MAXD + 1], padded[IX_MAXD + 1];
  target[0] = vnd > t ? vs[0] : 1;
  for (int i = 0; vnd <= t && i < mnd; i++) target[0] *= ms[i];
  for (int i = 0; i < t; i++) target[1 + i] = shape[mnd + i];
  for (int i = 0; i <= t; i++) padded[i] = i < t + 1 - vnd ? 1 : vs[i - (t + 1 - vnd)];
  if (!broadcastable(t + 1, padded, t + 1, target))
    return shapes_error(t + 1, padded, t + 1, target);

  int mshape[IX_MAXD];
  for (int i = 0; i < ndim; i++) mshape[i] = i < mnd ? ms[i] : 1;
  mlx_array m = mlx_array_new(), c = mlx_array_new(), src = mlx_array_new();
  int st = mlx_reshape(&m, mask, mshape, (size_t)ndim, s);
  if (st == 0) st = mlx_astype(&c, v, mlx_array_dtype(a), s);
  if (vnd <= t) {
    if (st == 0) st = mlx_broadcast_to(&src, c, shape + mnd, (size_t)t, s);
    if (st == 0) st = mlx_where(out, m, src, a, s);
  } else {
    if (st == 0) st = mlx_broadcast_to(&src, c, target, (size_t)t + 1, s);
    if (st == 0) st = mlx_masked_scatter(out, a, m, src, s);
  }
  mlx_array_free(m);
  mlx_array_free(c);
  mlx_array_free(src);
  return mxpy_check_op(st);
}

/* ---- slices and scatters ---- */

/* The update through basic indices only: vb (shaped R) becomes the slice's shape. */
static int slice_update(mlx_array a, ix_index *ix, mlx_array vb, upd_op op, mlx_stream s,
                        mlx_array *out) {
  int ndim = (int)mlx_array_ndim(a);
  int start[IX_MAXD], stop[IX_MAXD], step[IX_MAXD];
  mxpy_ix_basic_bounds(ix, a, start, stop, step);
  /* R -> the slice's shape: drop the None axes, restore the int axes */
  int sq[IX_MAXD], nsq = 0, ex[IX_MAXD], nex = 0;
  for (int i = 0; i < ix->n; i++) {
    if (ix->items[i].kind == IX_NONE) sq[nsq++] = ix->items[i].pos;
    if (ix->items[i].kind == IX_INT) ex[nex++] = ix->items[i].dim;
  }
  mlx_array x = mlx_array_new(), r = mlx_array_new();
  int rc = mxpy_check_op(mlx_array_set(&x, vb));
  if (rc == 0 && nsq) rc = mxpy_ix_adopt(&x, &r, mlx_squeeze_axes(&r, x, sq, (size_t)nsq, s));
  if (rc == 0 && nex) rc = mxpy_ix_adopt(&x, &r, mlx_expand_dims_axes(&r, x, ex, (size_t)nex, s));
  if (rc == 0)
    rc = mxpy_check_op(
        slice_fns[op](out, a, x, start, (size_t)ndim, stop, (size_t)ndim, step, (size_t)ndim, s));
  mlx_array_free(x);
  mlx_array_free(r);
  return rc;
}

/* The update through advanced indices: trailing full slices stay slices of the scatter; every
 * other axis gets an index array shaped to its place in R[:rl] (B, nb dims, sits at pb). */
static int scatter_update(mlx_array a, ix_index *ix, mlx_vector_array idx, int rank, int nb, int pb,
                          mlx_array vb, upd_op op, mlx_stream s, mlx_array *out) {
  int ndim = (int)mlx_array_ndim(a);
  const int *shape = mlx_array_shape(a);
  int k = 0;
  for (int i = ix->n - 1; i >= 0; i--) {
    ix_item *it = &ix->items[i];
    if (it->kind != IX_SLICE || it->adv || it->start != 0 || it->step != 1 ||
        it->len != shape[it->dim])
      break;
    k++;
  }
  int t = ndim - k, rl = rank - k;
  mlx_vector_array all = mlx_vector_array_new();
  int axes[IX_MAXD], na = 0, nadv = 0, st = 0;
  for (int i = 0; i < ix->n && st == 0; i++) {
    ix_item *it = &ix->items[i];
    if (it->kind == IX_NONE || it->dim >= t) continue;
    mlx_array ia = mlx_array_new(), e = mlx_array_new();
    int ins[IX_MAXD], nins = 0;
    if (it->adv) {
      st = mlx_vector_array_get(&ia, idx, (size_t)nadv++);
      for (int p = 0; p < rl; p++)
        if (p < pb || p >= pb + nb) ins[nins++] = p;
    } else {
      st = mlx_arange(&ia, (double)it->start, (double)it->stop, (double)it->step, MLX_INT32, s);
      for (int p = 0; p < rl; p++)
        if (p != it->pos) ins[nins++] = p;
    }
    if (st == 0)
      st = nins ? mlx_expand_dims_axes(&e, ia, ins, (size_t)nins, s) : mlx_array_set(&e, ia);
    if (st == 0) st = mlx_vector_array_append_value(all, e);
    axes[na++] = it->dim;
    mlx_array_free(ia);
    mlx_array_free(e);
  }
  /* the updates: R[:rl] + the scattered slice's own dims (1 each) + the trailing slices */
  mlx_array u = mlx_array_new();
  if (st == 0) {
    int ins[IX_MAXD];
    for (int i = 0; i < t; i++) ins[i] = rl + i;
    st = mlx_expand_dims_axes(&u, vb, ins, (size_t)t, s);
  }
  if (st == 0) st = scatter_fns[op](out, a, all, u, axes, (size_t)na, s);
  mlx_array_free(u);
  mlx_vector_array_free(all);
  return mxpy_check_op(st);
}

/* The updated array: a with a[key] replaced by (or combined with, op) v. */
static int compute_update(mlx_array a, PyObject *key, mlx_array v, upd_op op, mlx_array *out) {
  ix_index ix;
  if (mxpy_ix_parse(a, key, op == UPD_SET, &ix) < 0) return -1;
  mlx_stream s;
  if (mxpy_stream_arg(Py_None, &s) < 0) {
    mxpy_ix_free(&ix);
    return -1;
  }
  mxpy_error_clear();
  int rc = 0, nb = 0, pb = 0, bshape[IX_MAXD], R[IX_MAXD];
  mlx_array vb = mlx_array_new();
  mlx_vector_array idx = {NULL};
  if (ix.mask.ctx) {
    rc = masked_update(a, ix.mask, v, s, out);
    goto done;
  }
  if (ix.nadv) {
    if ((rc = mxpy_ix_adv_arrays(&ix, s, &idx)) != 0) goto done;
    mlx_array first = mlx_array_new();
    mlx_vector_array_get(&first, idx, 0);
    nb = (int)mlx_array_ndim(first);
    for (int i = 0; i < nb; i++) bshape[i] = mlx_array_shape(first)[i];
    mlx_array_free(first);
  }
  int rank = mxpy_ix_result_layout(&ix, nb, &pb);
  if (rank > IX_MAXD) {
    PyErr_Format(PyExc_ValueError, "Indexing gives more than %d dimensions.", IX_MAXD);
    rc = -1;
    goto done;
  }
  size_t size = 1;
  for (int i = 0; i < nb; i++) R[pb + i] = bshape[i];
  for (int i = 0; i < ix.n; i++) {
    ix_item *it = &ix.items[i];
    if (it->kind == IX_NONE)
      R[it->pos] = 1;
    else if (it->kind == IX_SLICE && !it->adv)
      R[it->pos] = (int)it->len;
  }
  for (int i = 0; i < rank; i++) size *= (size_t)R[i];
  if ((rc = broadcast_value(v, rank, R, s, &vb)) != 0) goto done;
  if (size == 0)
    rc = mxpy_check_op(mlx_array_set(out, a)); /* nothing selected */
  else if (ix.nadv == 0)
    rc = slice_update(a, &ix, vb, op, s, out);
  else
    rc = scatter_update(a, &ix, idx, rank, nb, pb, vb, op, s, out);
done:
  if (idx.ctx) mlx_vector_array_free(idx);
  mlx_array_free(vb);
  mlx_stream_free(s);
  mxpy_ix_free(&ix);
  return rc ? -1 : 0;
}

/* The update value as an array (mx.array as is; Python scalars take a's type where they can). */
static int value_arg(PyObject *value, mlx_dtype dt, mlx_array *out) {
  *out = mlx_array_new();
  mxpy_error_clear();
  if (mxpy_Array_Check(value)) return mxpy_check_op(mlx_array_set(out, MXPY_ARR(value)));
  return mxpy_is_scalar(value) ? mxpy_scalar_weak(value, dt, out)
                               : mxpy_array_from_object(value, NULL, out);
}

int mxpy_setitem(PyObject *self, PyObject *key, PyObject *value) {
  if (!value) {
    PyErr_SetString(PyExc_TypeError, "Cannot delete array elements.");
    return -1;
  }
  mlx_array a = MXPY_ARR(self), v, r = mlx_array_new();
  int rc = value_arg(value, mlx_array_dtype(a), &v);
  if (rc == 0) rc = compute_update(a, key, v, UPD_SET, &r);
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

PyTypeObject *mxpy_array_at_type(void) {
  if (!(ArrayAtType.tp_flags & Py_TPFLAGS_READY) && PyType_Ready(&ArrayAtType) < 0) return NULL;
  return &ArrayAtType;
}

PyObject *mxpy_ix_at_new(PyObject *arr, PyObject *key) {
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
  return mxpy_ix_at_new(((ArrayAtObject *)self)->arr, key);
}

typedef enum { AT_ADD, AT_SUBTRACT, AT_MULTIPLY, AT_DIVIDE, AT_MAXIMUM, AT_MINIMUM } at_kind;

/* The operand of the accumulating update for kind (subtract adds -v, divide multiplies 1/v). */
static int at_operand(at_kind kind, mlx_array v, mlx_stream s, mlx_array *w, upd_op *op) {
  static const upd_op ops[] = {UPD_ADD, UPD_ADD, UPD_PROD, UPD_PROD, UPD_MAX, UPD_MIN};
  *op = ops[kind];
  if (kind == AT_SUBTRACT) {
    mlx_array z = mlx_array_new();
    int st = mlx_zeros_like(&z, v, s);
    if (st == 0) st = mlx_subtract(w, z, v, s);
    mlx_array_free(z);
    return st;
  }
  if (kind == AT_DIVIDE) {
    mlx_array one = mlx_array_new_int(1);
    int st = mlx_divide(w, one, v, s);
    mlx_array_free(one);
    return st;
  }
  return mlx_array_set(w, v);
}

static PyObject *at_apply(PyObject *self, PyObject *value, at_kind kind) {
  ArrayAtObject *o = (ArrayAtObject *)self;
  if (!o->key) {
    PyErr_SetString(PyExc_ValueError, "Must give indices to array.at (e.g. `x.at[0].add(4)`).");
    return NULL;
  }
  mlx_array a = MXPY_ARR(o->arr), v, w = mlx_array_new(), r = mlx_array_new();
  mlx_stream s = {NULL};
  upd_op op = UPD_ADD;
  int rc = value_arg(value, mlx_array_dtype(a), &v);
  if (rc == 0) rc = mxpy_stream_arg(Py_None, &s);
  if (rc == 0) {
    mxpy_error_clear();
    rc = mxpy_check_op(at_operand(kind, v, s, &w, &op));
  }
  if (rc == 0) rc = compute_update(a, o->key, w, op, &r);
  if (s.ctx) mlx_stream_free(s);
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
