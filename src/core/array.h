/* The lazy array.
 *
 * Every array is an output of a node. A node is one application of a primitive: its inputs
 * (strong references), its parameters and its outputs, all in one allocation:
 *
 *   [mx_node][mx_array out[nout]][mx_array *inputs[nin]][params][shapes and strides]
 *
 * Arrays made from data are outputs of a node with primitive MX_PRIM_NONE and no inputs.
 * An array's refs count its holders (users, consumer nodes). When an output's refs reach 0 it
 * drops its hold on the node; the node (and every output buffer) is freed when no output is
 * held and no evaluation holds it. Freeing is iterative: a graph 10^6 deep frees without
 * recursion. After evaluation a node is detached: its inputs are released, so the graph's
 * memory goes as soon as nothing else needs it.
 */
#ifndef MX_CORE_ARRAY_H
#define MX_CORE_ARRAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/allocator.h"
#include "core/device.h"
#include "core/dtype.h"

#define MX_MAX_NDIM 64

typedef enum {
  MX_UNSCHEDULED = 0, /* has a primitive to run */
  MX_EVALUATED = 1,   /* scheduled on a stream; data may not be ready yet */
  MX_AVAILABLE = 2,   /* data ready (or the node failed: node->error is set) */
} mx_status;

enum {
  MX_CONTIGUOUS = 1,     /* elements fill [0, data_size) of the view with no holes */
  MX_ROW_CONTIGUOUS = 2, /* C order, dense */
  MX_COL_CONTIGUOUS = 4, /* Fortran order, dense */
};

typedef struct mx_node mx_node;
typedef struct mx_array mx_array;

struct mx_array {
  mx_node *node;
  atomic_int refs;
  atomic_uchar status; /* mx_status */
  uint8_t dtype;       /* mx_dtype */
  uint8_t flags;       /* MX_*_CONTIGUOUS, set when the data is set */
  uint16_t index;      /* which output of node */
  int ndim;
  int32_t *shape;    /* ndim entries */
  int64_t *strides;  /* ndim entries, in elements; valid once data is set */
  int64_t size;      /* product of shape */
  mx_buffer *buf;    /* NULL until evaluated */
  int64_t offset;    /* bytes from buf->ptr to element 0 */
  int64_t data_size; /* elements the view spans in buf (1 for a broadcast scalar) */
};

struct mx_node {
  atomic_int live; /* outputs with refs > 0, plus holds by evaluations */
  uint16_t prim;   /* mx_prim_id */
  uint16_t nout;
  int nin; /* 0 once detached */
  /* Made while a vjp/jvp traces a function, from a traced input: evaluated while a trace is in
   * progress, it stays attached (and its inputs' buffers are not donated), so the transform
   * still sees the graph; evaluated later, it detaches as usual. */
  bool tracer;
  mx_stream stream;
  mx_array **inputs;
  void *params;
  size_t params_size;
  char *error; /* set when evaluation failed; sticks to the outputs */
  mx_node *next; /* link for worklists (freeing, scheduling) */
  mx_array out[];
};

/* ---- construction ---- */

/* > 0 while this thread traces a function for vjp/jvp (transforms.c); mx_traces_active counts
 * the traces in progress on all threads (evaluation runs on worker threads). */
extern _Thread_local int mx_tracing;
extern atomic_int mx_traces_active;
static inline bool mx_node_keeps_graph(const mx_node *n) {
  return n->tracer && atomic_load_explicit(&mx_traces_active, memory_order_relaxed) > 0;
}

/* A node for prim with inputs (retained), a copy of params, and nout outputs with the given
 * shapes and dtypes. Each out[i] is returned with refs = 1 owned by the caller. */
int mx_node_new(int prim, const void *params, size_t params_size, mx_array *const *inputs, int nin,
                int nout, const int *ndims, const int32_t *const *shapes, const mx_dtype *dtypes,
                mx_stream stream, mx_array **outs);
/* Single-output shorthand; NULL with an error set on failure. */
mx_array *mx_array_make(int prim, const void *params, size_t params_size, mx_array *const *inputs,
                        int nin, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream stream);

/* An evaluated array that owns a fresh row-contiguous buffer (contents uninitialized). */
mx_array *mx_array_alloc(int ndim, const int32_t *shape, mx_dtype dtype);
/* An evaluated array whose data is copied from `data` (row-major). */
mx_array *mx_array_from_data(const void *data, int ndim, const int32_t *shape, mx_dtype dtype);
/* An evaluated array over external memory; dtor(payload) runs when the buffer is released. */
mx_array *mx_array_from_external(void *data, int ndim, const int32_t *shape, mx_dtype dtype,
                                 void (*dtor)(void *), void *payload);
mx_array *mx_array_scalar(mx_dtype dtype, double value);
mx_array *mx_array_scalar_complex(float re, float im);

/* The stream of a's node; arrays made from data use the default stream. */
mx_stream mx_array_stream(const mx_array *a);

/* ---- references ---- */

static inline mx_array *mx_array_retain(mx_array *a) {
  atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
  return a;
}
void mx_array_release(mx_array *a); /* NULL is fine */
void mx_node_retain(mx_node *n);
void mx_node_release(mx_node *n);

/* ---- data ---- */

static inline size_t mx_array_itemsize(const mx_array *a) {
  return mx_dtype_size((mx_dtype)a->dtype);
}
static inline size_t mx_array_nbytes(const mx_array *a) {
  return (size_t)a->size * mx_array_itemsize(a);
}
static inline void *mx_array_data(const mx_array *a) {
  return a->buf ? (char *)a->buf->ptr + a->offset : NULL;
}
static inline mx_status mx_array_status(const mx_array *a) {
  return (mx_status)atomic_load_explicit(&a->status, memory_order_acquire);
}

/* Gives `out` a new row-contiguous buffer (or one donated by an input, see eval.c). */
int mx_array_alloc_data(mx_array *out);
/* Makes `out` a view of `src`'s buffer with the given strides, byte offset relative to src's
 * element 0, data_size and flags. */
void mx_array_set_view(mx_array *out, const mx_array *src, const int64_t *strides,
                       int64_t offset_bytes, int64_t data_size, uint8_t flags);
/* Sets `out` to share `src`'s data and layout exactly (same shape). */
void mx_array_copy_shared(mx_array *out, const mx_array *src);
/* Row-contiguous strides for shape; returns the element count. */
int64_t mx_row_strides(int ndim, const int32_t *shape, int64_t *strides);
/* Computes MX_*_CONTIGUOUS flags and data_size from shape and strides. */
uint8_t mx_layout_flags(int ndim, const int32_t *shape, const int64_t *strides,
                        int64_t *data_size);

/* ---- evaluation (eval.c) ---- */

/* Schedules every unscheduled array reachable from arrs. Synchronous mode waits for arrs and
 * returns the first error among them; async mode returns at once. */
int mx_eval(mx_array *const *arrs, int n, bool async);
/* Evaluates a if needed and waits until its data is available; error if evaluation failed. */
int mx_array_ensure(mx_array *a);

#endif
