/* Ops: the matmul family. Conventions as in src/ops/ops.h: each op returns 0 and stores a new
 * reference in *out, or returns MX_ERR with an op-named message. Inputs are borrowed; optional
 * array arguments are NULL when absent.
 *
 * Also here: the parameter blocks of the family's primitives (plain data, byte-compared by
 * mx_equiv_params) and their output_shapes rules (src/ops/linalg.c). Their CPU kernels are
 * declared in src/backend/cpu/gemm.h. */
#ifndef MX_OPS_LINALG_H
#define MX_OPS_LINALG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* ------------------------------------------------------------------ parameter blocks */

/* ADDMM: inputs (a, b, c): a (..., M, K), b (..., K, N) with equal batch dims, c broadcast
 * (stride 0 allowed) to the output. out = alpha * a @ b + beta * c. The output drops the M
 * dimension when a_vec and the N dimension when b_vec (vector operands); c has the output's
 * shape. */
typedef struct {
  float alpha, beta;
  int32_t a_vec, b_vec;
} mx_addmm_params;

/* GATHER_MM: inputs (a, b, lhs_indices, rhs_indices): a (Ba, M, K), b (Bb, K, N), the index
 * arrays int64 of one shape I (broadcast views). out (I..., M, N); out[i] = a[lhs[i]] @ b[rhs[i]].
 * Negative indices count from the end; out-of-range indices are clamped (never read outside
 * the operands). sorted is a hint only. */
typedef struct {
  int32_t sorted;
} mx_gather_mm_params;

/* BLOCK_MASKED_MM: inputs (a, b, [mask_out], [mask_lhs], [mask_rhs]) in that order, present
 * ones flagged. a (..., M, K), b (..., K, N), masks broadcast to (..., ceil(M/bs), ceil(N/bs)),
 * (..., ceil(M/bs), ceil(K/bs)), (..., ceil(K/bs), ceil(N/bs)); a mask is bool (keep / zero a
 * block) or the output dtype (scale a block). */
typedef struct {
  int32_t block_size;
  int32_t has_out, has_lhs, has_rhs;
} mx_block_masked_mm_params;

/* SEGMENTED_MM: inputs (a, b, segments): a (M, K), b (K, N), segments int64 (S..., 2).
 * out (S..., M, N); out[s] = a[:, lo:hi] @ b[lo:hi, :] with [lo, hi) clamped into [0, K]. */

/* HADAMARD: out = scale * (x @ H) along the last axis, n = m * 2^k, H = H_m (x) H_{2^k}
 * (Sylvester). The input is float16 / bfloat16 / float32 / float64; the output has its dtype. */
typedef struct {
  double scale;
  int32_t m; /* 1, 12, 20 or 28 */
  int32_t pad_;
} mx_hadamard_params;

/* ------------------------------------------------------------------ output_shapes */

int mx_shapes_addmm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_gather_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_block_masked_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                              int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_segmented_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                           int32_t (*shapes)[MX_MAX_NDIM]);

/* ------------------------------------------------------------------ ops */

/* alpha * (a @ b) + beta * c, numpy's matmul rules for a and b; c broadcasts to the result. */
int mx_addmm(mx_array **out, mx_array *c, mx_array *a, mx_array *b, float alpha, float beta,
             mx_stream s);
/* Contraction over the last axes (a scalar operand multiplies). */
int mx_inner(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* Outer product of the flattened inputs. */
int mx_outer(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* Contraction of a's axes_a with b's axes_b (pairwise). */
int mx_tensordot(mx_array **out, mx_array *a, mx_array *b, const int *axes_a, int na,
                 const int *axes_b, int nb, mx_stream s);
/* Contraction of a's last `axis` axes with b's first `axis` axes. */
int mx_tensordot_axis(mx_array **out, mx_array *a, mx_array *b, int axis, mx_stream s);
/* Kronecker product. */
int mx_kron(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* numpy's einsum (explicit / implicit output, ellipsis, repeated subscripts); contractions in
 * a greedy order (the path of einsum_path). */
int mx_einsum(mx_array **out, const char *subscripts, mx_array *const *operands, int n,
              mx_stream s);
int mx_block_masked_mm(mx_array **out, mx_array *a, mx_array *b, int block_size,
                       mx_array *mask_out, mx_array *mask_lhs, mx_array *mask_rhs, mx_stream s);
int mx_gather_mm(mx_array **out, mx_array *a, mx_array *b, mx_array *lhs_indices,
                 mx_array *rhs_indices, bool sorted_indices, mx_stream s);
int mx_segmented_mm(mx_array **out, mx_array *a, mx_array *b, mx_array *segments, mx_stream s);
/* has_scale false: scale = 1 / sqrt(n). */
int mx_hadamard_transform(mx_array **out, mx_array *a, bool has_scale, float scale, mx_stream s);

/* ------------------------------------------------------------------ rules (linalg_rules.c) */


int mx_vjp_addmm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_addmm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_addmm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_gather_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_gather_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_gather_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_block_masked_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_block_masked_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_block_masked_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_segmented_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_segmented_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_segmented_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_hadamard(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_hadamard(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_hadamard(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
