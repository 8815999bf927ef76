/* Ops: random numbers and creation ops. Conventions as in src/ops/ops.h.
 *
 * Random numbers follow MLX's construction so that a key gives the same values as MLX: a key is
 * a uint32 array of shape (2,); RandomBits hashes (key, counter) with threefry 2x32 (20 rounds)
 * into uint32 words; every distribution is composed from those bits with ops. Where an op the
 * composition needs is not in the library (erfinv, log, comparisons, clipping, argmax, argsort,
 * SVD), the step runs in one of this family's internal primitives (RandomMap, RandomPermute,
 * CategoricalArgMax, CategoricalSearch, CovSqrt), computing what MLX's op sequence computes.
 *
 * Keys: a NULL key means "the next key of this thread's global key sequence" (split the global
 * key, keep the first half, use the second), as MLX's KeySequence; mx_random_seed sets it. */
#ifndef MX_OPS_RANDOM_H
#define MX_OPS_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* ------------------------------------------------------------------ parameters */

/* RANDOM_BITS: output shape and the width of one value in bytes (1, 2 or 4). */
typedef struct {
  int32_t width;
  int32_t ndim;
  int32_t shape[];
} mx_random_bits_params;

/* RANDOM_MAP: the elementwise steps of the distributions (see the list of functions). All
 * inputs have the output's shape; their dtypes are given per function. */
typedef enum {
  MX_RMAP_UNIFORM01,  /* uint32 bits -> float32: min(float(b) / 2^32, c0) */
  MX_RMAP_BITS_UNIT,  /* uint32 bits -> float32 or float64: float(b) * 2^-32 */
  MX_RMAP_ERFINV,     /* float -> same dtype */
  MX_RMAP_ERF,        /* float -> same dtype */
  MX_RMAP_GUMBEL,     /* float u -> -log(-log(u)), rounded to the dtype after each step */
  MX_RMAP_LAPLACE,    /* float32 u -> sign(u) * log1p(-|u|) */
  MX_RMAP_FLOOR,      /* float32 -> float32 */
  MX_RMAP_LESS,       /* (a, b) of one float dtype -> bool: a < b */
  MX_RMAP_CLAMP,      /* (x, lo, hi) of one real dtype -> max(min(x, hi), lo) */
} mx_rmap_fn;

typedef struct {
  int32_t fn; /* mx_rmap_fn */
  int32_t pad;
  double c0;
} mx_rmap_params;

/* TAKE_ROW: a view of row `index` along axis 0 (the axis is dropped). */
typedef struct {
  int32_t index;
} mx_take_row_params;

/* RANDOM_PERMUTE: inputs keys (n,) uint32 [, x]. One input: the stable argsort of the keys
 * (uint32). Two inputs: x with `axis` (of size n) reordered by that argsort. */
/* CATEGORICAL_ARGMAX: index (uint32) of the first maximum along `axis`, which is removed. */
typedef struct {
  int32_t axis;
} mx_axis_params;

/* CATEGORICAL_SEARCH: inputs logits (n,) and u (float32, any shape) -> uint32 of u's shape: the
 * category whose slot of the cumulative weights exp(logits - max) holds u * total. */

/* COV_SQRT: (..., n, n) float32 -> U sqrt(S) V^T of each matrix's SVD (float32). */

/* EYE, TRI: an (n, m) matrix with ones where j == i + k (EYE) or j <= i + k (TRI). */
typedef struct {
  int32_t n, m, k;
} mx_eye_params;

/* WINDOW: a float32 window of length m (numpy's formulas, computed in double). */
typedef enum { MX_WINDOW_HANNING, MX_WINDOW_HAMMING, MX_WINDOW_BLACKMAN, MX_WINDOW_BARTLETT } mx_window_kind;
typedef struct {
  int32_t kind; /* mx_window_kind */
  int32_t m;
} mx_window_params;

/* ------------------------------------------------------------------ rules (random.c) */

int mx_shapes_random_bits(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_take_row(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_random_permute(const void *params, mx_array *const *inputs, int nin, int *ndims,
                             int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_categorical_argmax(const void *params, mx_array *const *inputs, int nin,
                                 int *ndims, int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_categorical_search(const void *params, mx_array *const *inputs, int nin,
                                 int *ndims, int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_eye(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_window(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);
/* The TAKE_ROW view (any device). */
int mx_eval_take_row(mx_node *n);

/* ------------------------------------------------------------------ random ops (random.c) */

/* key(seed) = [seed >> 32, seed & 0xffffffff] (uint32, evaluated). */
int mx_random_key(mx_array **out, uint64_t seed);
/* Seeds this thread's global key sequence. */
void mx_random_seed(uint64_t seed);
/* The next key of this thread's global sequence (seeded from the clock on first use). */
int mx_random_next_key(mx_array **out);

/* Shapes are (ndim, shape); "no shape" arguments pass ndim < 0. key NULL: the global sequence. */
int mx_random_bits(mx_array **out, int ndim, const int32_t *shape, int width, mx_array *key,
                   mx_stream s);
int mx_random_split(mx_array **out, mx_array *key, int num, mx_stream s);
int mx_random_split2(mx_array **first, mx_array **second, mx_array *key, mx_stream s);
int mx_random_uniform(mx_array **out, mx_array *low, mx_array *high, int ndim,
                      const int32_t *shape, mx_dtype dtype, mx_array *key, mx_stream s);
/* loc / scale NULL: 0 / 1. */
int mx_random_normal(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                     mx_array *loc, mx_array *scale, mx_array *key, mx_stream s);
/* The float-parameter form: scale == 1 and loc == 0 are skipped (as MLX). */
int mx_random_normal_f(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                       float loc, float scale, mx_array *key, mx_stream s);
int mx_random_multivariate_normal(mx_array **out, mx_array *mean, mx_array *cov, int ndim,
                                  const int32_t *shape, mx_dtype dtype, mx_array *key,
                                  mx_stream s);
int mx_random_randint(mx_array **out, mx_array *low, mx_array *high, int ndim,
                      const int32_t *shape, mx_dtype dtype, mx_array *key, mx_stream s);
int mx_random_bernoulli(mx_array **out, mx_array *p, int ndim, const int32_t *shape,
                        mx_array *key, mx_stream s);
int mx_random_truncated_normal(mx_array **out, mx_array *lower, mx_array *upper, int ndim,
                               const int32_t *shape, mx_dtype dtype, mx_array *key,
                               mx_stream s);
int mx_random_gumbel(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                     mx_array *key, mx_stream s);
/* shape (ndim >= 0) and num_samples (>= 0) are exclusive; neither: one sample per distribution. */
int mx_random_categorical(mx_array **out, mx_array *logits, int axis, int ndim,
                          const int32_t *shape, int num_samples, mx_array *key, mx_stream s);
int mx_random_laplace(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, float loc,
                      float scale, mx_array *key, mx_stream s);
int mx_random_permutation(mx_array **out, mx_array *x, int axis, mx_array *key, mx_stream s);
int mx_random_permutation_arange(mx_array **out, int n, mx_array *key, mx_stream s);

/* ------------------------------------------------------------------ creation ops (creation2.c) */

int mx_linspace(mx_array **out, double start, double stop, int num, bool endpoint,
                mx_dtype dtype, mx_stream s);
int mx_eye(mx_array **out, int n, int m, int k, mx_dtype dtype, mx_stream s);
int mx_identity(mx_array **out, int n, mx_dtype dtype, mx_stream s);
int mx_tri(mx_array **out, int n, int m, int k, mx_dtype dtype, mx_stream s);
/* outs: n new references. indexing "xy" or "ij". */
int mx_meshgrid(mx_array **outs, mx_array *const *arrays, int n, bool sparse,
                const char *indexing, mx_stream s);
int mx_window(mx_array **out, mx_window_kind kind, int m, mx_stream s);
/* vals broadcast with a's shape (as MLX's full_like). */
int mx_full_like(mx_array **out, mx_array *a, mx_array *vals, mx_dtype dtype, mx_stream s);

/* ------------------------------------------------------------------ rules (random_rules.c) */

/* Integer outputs: no vjp, zero tangents of the output's dtype. */
int mx_vjp_random_none(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_random_zero(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* The primitive applied to each batch entry and stacked (one key / distribution per call). */
int mx_vmap_random_unrolled(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_random_map(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_random_map(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_random_map(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_take_row(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_take_row(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_take_row(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_random_permute(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_random_permute(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_random_permute(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vmap_categorical_argmax(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vmap_categorical_search(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vmap_cov_sqrt(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
