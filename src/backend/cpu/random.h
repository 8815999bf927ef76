/* CPU kernels of the random / creation family (src/ops/prims_random.h). */
#ifndef MX_BACKEND_CPU_RANDOM_H
#define MX_BACKEND_CPU_RANDOM_H

#include "core/array.h"

int mx_cpu_random_bits(mx_node *n);         /* RANDOM_BITS: threefry 2x32 as MLX lays it out */
int mx_cpu_random_map(mx_node *n);          /* RANDOM_MAP */
int mx_cpu_random_permute(mx_node *n);      /* RANDOM_PERMUTE */
int mx_cpu_categorical_argmax(mx_node *n);  /* CATEGORICAL_ARGMAX */
int mx_cpu_categorical_search(mx_node *n);  /* CATEGORICAL_SEARCH */
int mx_cpu_cov_sqrt(mx_node *n);            /* COV_SQRT */
int mx_cpu_eye(mx_node *n);                 /* EYE, TRI (creation2.c) */
int mx_cpu_window(mx_node *n);              /* WINDOW (creation2.c) */

/* threefry 2x32 with 20 rounds: the hash of counter (c0, c1) under key (k0, k1). */
void mx_threefry2x32(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t *x0,
                     uint32_t *x1);

#endif
