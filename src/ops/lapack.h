/* Ops: mx.linalg through LAPACK (the "lapack" family). Conventions as in src/ops/ops.h: each op
 * returns 0 and stores new references in its outputs, or returns MX_ERR with an op-named
 * message (`[linalg::inv] ...`, as MLX). Inputs are borrowed. The factorizations are
 * primitives (kernels in src/backend/cpu/lapack.c, calling OpenBLAS's LAPACK); the rest compose
 * them with other ops, as MLX does. Matrices are the last two axes; leading axes are a batch.
 * float32 and float64 are accepted; svd, eigh / eigvalsh and eig / eigvals also take complex64
 * (as MLX: their singular values and Hermitian eigenvalues are float32, eig's outputs always
 * complex64). */
#ifndef MX_OPS_LAPACK_H
#define MX_OPS_LAPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* ------------------------------------------------------------------ parameter blocks */

/* INVERSE: (..., N, N) -> (..., N, N). tri: the input is triangular (upper or lower part read,
 * the other triangle of the output is zero). */
typedef struct {
  int32_t tri, upper;
} mx_inverse_params;

/* CHOLESKY: (..., N, N) symmetric positive definite -> its factor (the other triangle zero). */
typedef struct {
  int32_t upper;
} mx_cholesky_params;

/* SVD: (..., M, N) -> U (..., M, M), S (..., K), Vt (..., N, N), K = min(M, N); only S when
 * compute_uv is 0. */
typedef struct {
  int32_t compute_uv;
} mx_svd_params;

/* EIGH: (..., N, N) symmetric (the `uplo` triangle read) -> w (..., N) ascending, and V
 * (..., N, N) (eigenvectors in columns) when vectors is 1. */
typedef struct {
  int32_t vectors;
  char uplo;
} mx_eigh_params;

/* EIG: (..., N, N) general (float32, float64 or complex64) -> w (..., N) and, when vectors is 1,
 * V (..., N, N) (right eigenvectors in columns, unit 2-norm), both complex64 as in MLX. */
typedef struct {
  int32_t vectors;
} mx_eig_params;

/* QRF: (..., M, N) -> Q (..., M, K), R (..., K, N). LUF: (..., M, N) -> LU (..., M, N), pivots
 * (..., K) uint32 (0-based row swapped with row i), row permutation (..., M) uint32. No
 * params. */

/* ------------------------------------------------------------------ output_shapes */

int mx_shapes_qrf(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_svd(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_eigh(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_eig(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_luf(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);

/* ------------------------------------------------------------------ CPU kernels (lapack.c) */

int mx_cpu_inverse(mx_node *n);
int mx_cpu_cholesky(mx_node *n);
int mx_cpu_qrf(mx_node *n);
int mx_cpu_svd(mx_node *n);
int mx_cpu_eigh(mx_node *n);
int mx_cpu_luf(mx_node *n);
int mx_cpu_eig(mx_node *n);

/* ------------------------------------------------------------------ rules (lapack_rules.c) */

/* Every primitive of the family maps its matrices independently: vmap moves the batch axis to
 * the front and remakes the node. */
int mx_vmap_lapack(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes);

/* ------------------------------------------------------------------ ops */

int mx_linalg_inv(mx_array **out, mx_array *a, mx_stream s);
int mx_linalg_tri_inv(mx_array **out, mx_array *a, bool upper, mx_stream s);
int mx_linalg_cholesky(mx_array **out, mx_array *a, bool upper, mx_stream s);
/* a is the Cholesky factor; the inverse of the matrix it factors. */
int mx_linalg_cholesky_inv(mx_array **out, mx_array *a, bool upper, mx_stream s);
int mx_linalg_qr(mx_array **q, mx_array **r, mx_array *a, mx_stream s);
/* outs: U, S, Vt (compute_uv) or S alone; *nout set to 3 or 1. */
int mx_linalg_svd(mx_array **outs, int *nout, mx_array *a, bool compute_uv, mx_stream s);
/* v NULL: eigenvalues only (eigvalsh). */
int mx_linalg_eigh(mx_array **w, mx_array **v, mx_array *a, const char *uplo, mx_stream s);
/* v NULL: eigenvalues only (eigvals). Outputs complex64. */
int mx_linalg_eig(mx_array **w, mx_array **v, mx_array *a, mx_stream s);
int mx_linalg_lu_factor(mx_array **lu, mx_array **pivots, mx_array *a, mx_stream s);
/* P, L, U with a = P @ L @ U. */
int mx_linalg_lu(mx_array **outs, mx_array *a, mx_stream s);
int mx_linalg_solve(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_linalg_solve_triangular(mx_array **out, mx_array *a, mx_array *b, bool upper,
                               mx_stream s);
/* (lapack_extra.c) */
int mx_linalg_pinv(mx_array **out, mx_array *a, mx_stream s);
int mx_linalg_cross(mx_array **out, mx_array *a, mx_array *b, int axis, mx_stream s);
/* (lapack_norm.c) ord: has_ord false and sord NULL is the default (2-norm of vectors, Frobenius
 * of matrices); a string order ("fro", "nuc") in sord, else the number ord. axes NULL: None (all
 * axes; a must be 1-D or 2-D when an order is given). */
int mx_linalg_norm(mx_array **out, mx_array *a, bool has_ord, double ord, const char *sord,
                   const int *axes, int naxes, bool keepdims, mx_stream s);

#endif
