/* Primitive table fragment: random bits (threefry) and the creation ops that need a primitive.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here.
 *
 * RandomBits is MLX's primitive. RandomMap, RandomPermute, CategoricalArgMax, CategoricalSearch
 * and CovSqrt are this family's stand-ins for elementwise math, argsort + take, argmax, the
 * categorical inverse-CDF search and the SVD square root (see src/ops/random.h). TakeRow is a
 * view (row i along axis 0) used to split keys. Parameters: src/ops/random.h. */
#ifndef MX_OPS_PRIMS_RANDOM_H
#define MX_OPS_PRIMS_RANDOM_H

#include "backend/cpu/random.h"
#include "ops/random.h"

/* clang-format off */
#define MX_PRIMS_RANDOM(X) \
  /* ID                  name                 flags              eval_cpu                    eval_cuda         vjp                    jvp                    vmap                        output_shapes                  is_equivalent */ \
  X(RANDOM_BITS,         "RandomBits",        0,                 mx_cpu_random_bits,         NULL,             mx_vjp_random_none,    mx_jvp_random_zero,    mx_vmap_random_unrolled,    mx_shapes_random_bits,         mx_equiv_params) \
  X(RANDOM_MAP,          "RandomMap",         MX_PF_ELEMENTWISE, mx_cpu_random_map,          NULL,             mx_vjp_random_map,     mx_jvp_random_map,     mx_vmap_random_map,         mx_shapes_same,                mx_equiv_params) \
  X(TAKE_ROW,            "TakeRow",           0,                 mx_eval_take_row,           mx_eval_take_row, mx_vjp_take_row,       mx_jvp_take_row,       mx_vmap_take_row,           mx_shapes_take_row,            mx_equiv_params) \
  X(RANDOM_PERMUTE,      "RandomPermute",     0,                 mx_cpu_random_permute,      NULL,             mx_vjp_random_permute, mx_jvp_random_permute, mx_vmap_random_permute,     mx_shapes_random_permute,      mx_equiv_params) \
  X(CATEGORICAL_ARGMAX,  "CategoricalArgMax", 0,                 mx_cpu_categorical_argmax,  NULL,             mx_vjp_random_none,    mx_jvp_random_zero,    mx_vmap_categorical_argmax, mx_shapes_categorical_argmax,  mx_equiv_params) \
  X(CATEGORICAL_SEARCH,  "CategoricalSearch", 0,                 mx_cpu_categorical_search,  NULL,             mx_vjp_random_none,    mx_jvp_random_zero,    mx_vmap_categorical_search, mx_shapes_categorical_search,  mx_equiv_params) \
  X(COV_SQRT,            "CovSqrt",           0,                 mx_cpu_cov_sqrt,            NULL,             NULL,                  NULL,                  mx_vmap_cov_sqrt,           mx_shapes_same,                mx_equiv_params) \
  X(EYE,                 "Eye",               0,                 mx_cpu_eye,                 NULL,             NULL,                  NULL,                  NULL,                       mx_shapes_eye,                 mx_equiv_params) \
  X(TRI,                 "Tri",               0,                 mx_cpu_eye,                 NULL,             NULL,                  NULL,                  NULL,                       mx_shapes_eye,                 mx_equiv_params) \
  X(WINDOW,              "Window",            0,                 mx_cpu_window,              NULL,             NULL,                  NULL,                  NULL,                       mx_shapes_window,              mx_equiv_params)
/* clang-format on */

#endif
