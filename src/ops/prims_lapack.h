/* Primitive table fragment: the lapack family (issue 6). Rows have the columns of MX_PRIMITIVES in
 * src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * MLX 0.32.4 has no vjp or jvp for any of these ("[Primitive::vjp] Not implemented for Inverse",
 * likewise Cholesky, QRF, SVD, Eigh, LUF, Eig), so those slots are NULL; vmap is free (matrices
 * are the last two axes). */
#ifndef MX_OPS_PRIMS_LAPACK_H
#define MX_OPS_PRIMS_LAPACK_H

#include "ops/lapack.h"

/* clang-format off */
#define MX_PRIMS_LAPACK(X) \
  /* ID        name        flags  eval_cpu          eval_cuda  vjp   jvp   vmap            output_shapes    is_equivalent */ \
  X(INVERSE,   "Inverse",  0,     mx_cpu_inverse,   NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_same,  mx_equiv_params) \
  X(CHOLESKY,  "Cholesky", 0,     mx_cpu_cholesky,  NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_same,  mx_equiv_params) \
  X(QRF,       "QRF",      0,     mx_cpu_qrf,       NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_qrf,   mx_equiv_params) \
  X(SVD,       "SVD",      0,     mx_cpu_svd,       NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_svd,   mx_equiv_params) \
  X(EIGH,      "Eigh",     0,     mx_cpu_eigh,      NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_eigh,  mx_equiv_params) \
  X(LUF,       "LUF",      0,     mx_cpu_luf,       NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_luf,   mx_equiv_params) \
  X(EIG,       "Eig",      0,     mx_cpu_eig,       NULL,      NULL, NULL, mx_vmap_lapack, mx_shapes_eig,   mx_equiv_params)
/* clang-format on */
#endif
