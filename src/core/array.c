#include "core/array.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"

static size_t align8(size_t n) {
  return (n + 7) & ~(size_t)7;
}

int64_t mx_row_strides(int ndim, const int32_t *shape, int64_t *strides) {
  int64_t size = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    strides[i] = size;
    size *= shape[i];
  }
  return size;
}

uint8_t mx_layout_flags(int ndim, const int32_t *shape, const int64_t *strides,
                        int64_t *data_size) {
  int64_t size = 1, span = 1;
  bool row = true, col = true;
  for (int i = 0; i < ndim; i++) size *= shape[i];
  int64_t expect = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    if (shape[i] != 1 && strides[i] != expect) row = false;
    expect *= shape[i];
  }
  expect = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] != 1 && strides[i] != expect) col = false;
    expect *= shape[i];
  }
  if (size == 0) {
    *data_size = 0;
    return MX_CONTIGUOUS | MX_ROW_CONTIGUOUS | MX_COL_CONTIGUOUS;
  }
  for (int i = 0; i < ndim; i++) span += (int64_t)(shape[i] - 1) * llabs(strides[i]);
  uint8_t flags = (row ? MX_ROW_CONTIGUOUS : 0) | (col ? MX_COL_CONTIGUOUS : 0);
  if (row || col) {
    *data_size = size;
    return flags | MX_CONTIGUOUS;
  }
  *data_size = span;
  return span == size ? MX_CONTIGUOUS : 0;
}

/* ---- construction ---- */

static int check_shape(int prim, int ndim, const int32_t *shape, int64_t *size) {
  const char *name = prim >= 0 && prim < MX_NUM_PRIMS ? mx_prims[prim].name : "array";
  if (ndim < 0 || ndim > MX_MAX_NDIM)
    return mx_error("[%s] Arrays have at most %d dimensions, got %d.", name, MX_MAX_NDIM, ndim);
  int64_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return mx_error("[%s] Negative dimensions not allowed.", name);
    if (shape[i] != 0 && n > INT64_MAX / shape[i])
      return mx_error("[%s] Array size overflows.", name);
    n *= shape[i];
  }
  *size = n;
  return 0;
}

int mx_node_new(int prim, const void *params, size_t params_size, mx_array *const *inputs, int nin,
                int nout, const int *ndims, const int32_t *const *shapes, const mx_dtype *dtypes,
                mx_stream stream, mx_array **outs) {
  int64_t sizes[nout > 0 ? nout : 1];
  size_t bytes = sizeof(mx_node) + (size_t)nout * sizeof(mx_array);
  size_t inputs_at = bytes;
  bytes += (size_t)nin * sizeof(mx_array *);
  size_t params_at = align8(bytes);
  bytes = params_at + align8(params_size);
  size_t dims_at = bytes;
  for (int i = 0; i < nout; i++) {
    MX_TRY(check_shape(prim, ndims[i], shapes[i], &sizes[i]));
    bytes += (size_t)ndims[i] * (sizeof(int64_t) + sizeof(int32_t)) + 8;
  }
  char *block = malloc(bytes);
  if (!block) return mx_error("[%s] Out of memory building the graph.", mx_prims[prim].name);

  mx_node *n = (mx_node *)block;
  atomic_init(&n->live, nout);
  n->prim = (uint16_t)prim;
  n->nout = (uint16_t)nout;
  n->nin = nin;
  n->stream = stream;
  n->inputs = (mx_array **)(block + inputs_at);
  n->params = params_size ? block + params_at : NULL;
  n->params_size = params_size;
  n->error = NULL;
  n->next = NULL;
  n->tracer = false;
  for (int i = 0; i < nin; i++) {
    n->inputs[i] = mx_array_retain(inputs[i]);
    n->tracer |= mx_tracing > 0 && inputs[i]->node->tracer;
  }
  if (params_size) memcpy(n->params, params, params_size);

  char *dims = block + dims_at;
  for (int i = 0; i < nout; i++) {
    mx_array *a = &n->out[i];
    atomic_init(&a->refs, 1);
    atomic_init(&a->status, prim == MX_PRIM_NONE ? MX_AVAILABLE : MX_UNSCHEDULED);
    a->node = n;
    a->dtype = (uint8_t)dtypes[i];
    a->flags = 0;
    a->index = (uint16_t)i;
    a->ndim = ndims[i];
    a->strides = (int64_t *)dims;
    a->shape = (int32_t *)(dims + (size_t)ndims[i] * sizeof(int64_t));
    dims += align8((size_t)ndims[i] * (sizeof(int64_t) + sizeof(int32_t)) + 1);
    if (ndims[i]) memcpy(a->shape, shapes[i], (size_t)ndims[i] * sizeof(int32_t));
    a->size = sizes[i];
    a->buf = NULL;
    a->offset = 0;
    a->data_size = 0;
    outs[i] = a;
  }
  return 0;
}

mx_array *mx_array_make(int prim, const void *params, size_t params_size, mx_array *const *inputs,
                        int nin, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream stream) {
  mx_array *out = NULL;
  if (mx_node_new(prim, params, params_size, inputs, nin, 1, &ndim, &shape, &dtype, stream, &out))
    return NULL;
  return out;
}

static mx_stream no_stream(void) {
  return (mx_stream){.index = -1, .device = {MX_CPU, 0}};
}

mx_array *mx_array_alloc(int ndim, const int32_t *shape, mx_dtype dtype) {
  mx_array *a = mx_array_make(MX_PRIM_NONE, NULL, 0, NULL, 0, ndim, shape, dtype, no_stream());
  if (a && mx_array_alloc_data(a)) {
    mx_array_release(a);
    return NULL;
  }
  return a;
}

mx_array *mx_array_from_data(const void *data, int ndim, const int32_t *shape, mx_dtype dtype) {
  mx_array *a = mx_array_alloc(ndim, shape, dtype);
  if (a && a->size) memcpy(mx_array_data(a), data, mx_array_nbytes(a));
  return a;
}

mx_array *mx_array_from_external(void *data, int ndim, const int32_t *shape, mx_dtype dtype,
                                 void (*dtor)(void *), void *payload) {
  mx_array *a = mx_array_make(MX_PRIM_NONE, NULL, 0, NULL, 0, ndim, shape, dtype, no_stream());
  if (!a) return NULL;
  a->buf = mx_buffer_wrap(data, mx_array_nbytes(a), dtor, payload);
  if (!a->buf) {
    mx_array_release(a);
    return NULL;
  }
  mx_row_strides(ndim, shape, a->strides);
  a->flags = mx_layout_flags(ndim, shape, a->strides, &a->data_size);
  return a;
}

mx_array *mx_array_scalar(mx_dtype dtype, double value) {
  mx_array *a = mx_array_alloc(0, NULL, dtype);
  if (a) mx_store_from_double(mx_array_data(a), dtype, 0, value);
  return a;
}

mx_array *mx_array_scalar_complex(float re, float im) {
  mx_complex64 v = {re, im};
  return mx_array_from_data(&v, 0, NULL, MX_COMPLEX64);
}

mx_stream mx_array_stream(const mx_array *a) {
  mx_stream s = a->node->stream;
  if (s.index < 0 && mx_default_stream(mx_default_device(), &s)) s = a->node->stream;
  return s;
}

/* ---- references ---- */

void mx_node_retain(mx_node *n) {
  atomic_fetch_add_explicit(&n->live, 1, memory_order_relaxed);
}

/* Frees nodes iteratively: a dead node's inputs may die in turn; they join a worklist linked
 * through mx_node.next instead of recursing. */
void mx_node_release(mx_node *n) {
  if (atomic_fetch_sub_explicit(&n->live, 1, memory_order_acq_rel) != 1) return;
  n->next = NULL;
  while (n) {
    mx_node *dead = n;
    n = n->next;
    for (int i = 0; i < dead->nin; i++) {
      mx_array *in = dead->inputs[i];
      if (atomic_fetch_sub_explicit(&in->refs, 1, memory_order_acq_rel) != 1) continue;
      mx_node *m = in->node;
      if (atomic_fetch_sub_explicit(&m->live, 1, memory_order_acq_rel) != 1) continue;
      m->next = n;
      n = m;
    }
    for (int i = 0; i < dead->nout; i++) mx_buffer_release(dead->out[i].buf);
    if (mx_prims[dead->prim].flags & MX_PF_PARAMS_REF) {
      mx_params_ref *ref = dead->params;
      ref->release(ref->obj);
    }
    free(dead->error);
    free(dead);
  }
}

void mx_array_release(mx_array *a) {
  if (!a || atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1) return;
  mx_node_release(a->node);
}

_Thread_local int mx_tracing;
atomic_int mx_traces_active;

/* ---- data ---- */

/* An input of out's node whose buffer out may take over: the node holds the only reference to
 * it, its buffer has no other user, and it has out's size, item size and a dense row layout. */
static mx_array *donor_for(mx_array *out) {
  mx_node *n = out->node;
  if (!(mx_prims[n->prim].flags & MX_PF_ELEMENTWISE) || mx_node_keeps_graph(n)) return NULL;
  for (int i = 0; i < n->nin; i++) {
    mx_array *in = n->inputs[i];
    mx_buffer *b = in->buf;
    if (!b || b->capacity == 0 || atomic_load(&in->refs) != 1 || atomic_load(&b->refs) != 1)
      continue;
    if (in->size != out->size || mx_array_itemsize(in) != mx_array_itemsize(out)) continue;
    if (!(in->flags & MX_ROW_CONTIGUOUS) || in->data_size != in->size) continue;
    return in;
  }
  return NULL;
}

int mx_array_alloc_data(mx_array *out) {
  mx_row_strides(out->ndim, out->shape, out->strides);
  out->flags = mx_layout_flags(out->ndim, out->shape, out->strides, &out->data_size);
  mx_array *donor = donor_for(out);
  if (donor) {
    mx_buffer_retain(donor->buf);
    out->buf = donor->buf;
    out->offset = donor->offset;
    return 0;
  }
  out->buf = mx_buffer_alloc(mx_array_nbytes(out));
  out->offset = 0;
  return out->buf ? 0 : MX_ERR;
}

void mx_array_set_view(mx_array *out, const mx_array *src, const int64_t *strides,
                       int64_t offset_bytes, int64_t data_size, uint8_t flags) {
  mx_buffer_retain(src->buf);
  out->buf = src->buf;
  out->offset = src->offset + offset_bytes;
  memcpy(out->strides, strides, (size_t)out->ndim * sizeof(int64_t));
  out->data_size = data_size;
  out->flags = flags;
}

void mx_array_copy_shared(mx_array *out, const mx_array *src) {
  mx_array_set_view(out, src, src->strides, 0, src->data_size, src->flags);
}
