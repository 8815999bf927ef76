/* Primitive table fragment: the fft family (issue 6). Rows have the columns of MX_PRIMITIVES in
 * src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent) */
#ifndef MX_OPS_PRIMS_FFT_H
#define MX_OPS_PRIMS_FFT_H

#include "ops/fft.h"

/* clang-format off */
#define MX_PRIMS_FFT(X) \
  X(FFT, "FFT", 0, mx_cpu_fft, NULL, mx_vjp_fft, mx_jvp_fft, mx_vmap_fft, mx_shapes_fft, mx_equiv_params)
/* clang-format on */
#endif
