/* mlx.core indexing internals, shared by indexing.c (parsing, __getitem__) and
 * indexing_update.c (__setitem__, array.at).
 *
 * An index is parsed into items (int, slice, None, integer array) over the array's axes, with
 * one Ellipsis expanded to full slices (an Ellipsis is not an item: one that covers no axis
 * does not separate advanced indices, as in MLX). */
#ifndef MLXPY_INDEXING_H
#define MLXPY_INDEXING_H

#include "mlxpy.h"

#define IX_MAXD 64

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
  bool adjacent;  /* the advanced items are consecutive: their result dims stay in place */
  int first_adv;  /* item index of the first advanced item */
  mlx_array mask; /* a boolean mask (the whole index of an assignment), owned; ctx NULL otherwise */
} ix_index;

/* Parses key for the array a. allow_mask (assignments): a lone boolean key (array, list or
 * Python bool) becomes ix->mask instead of items. */
int mxpy_ix_parse(mlx_array a, PyObject *key, bool allow_mask, ix_index *ix);
void mxpy_ix_free(ix_index *ix);

/* After `st = op(&r, ...)` (call it as mxpy_ix_adopt(&x, &r, op(&r, ...))): on success *x
 * (owned) takes the result and *r is a fresh empty handle again. 0 or -1 (exception set). */
int mxpy_ix_adopt(mlx_array *x, mlx_array *r, int st);
/* The start/stop/step of the basic slice for every axis of a (advanced axes kept whole). */
void mxpy_ix_basic_bounds(const ix_index *ix, mlx_array a, int *start, int *stop, int *step);
/* Positions of the items in the result; returns its rank. B (nb dims) sits at *pb. */
int mxpy_ix_result_layout(ix_index *ix, int nb, int *pb);
/* The advanced index arrays broadcast together (owned handles, in item order). */
int mxpy_ix_adv_arrays(ix_index *ix, mlx_stream s, mlx_vector_array *out);
/* "(2,3)" style shape text. */
void mxpy_ix_shape_str(char *buf, size_t cap, int ndim, const int *shape);

/* indexing_update.c: the ArrayAt object of array.at (key NULL until indexed). */
PyObject *mxpy_ix_at_new(PyObject *arr, PyObject *key);

#endif
