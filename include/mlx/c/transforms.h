/* mlxc: evaluation (transforms come with the transforms issue) (mlx-c compatible). */
#ifndef MLX_C_TRANSFORMS_H
#define MLX_C_TRANSFORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mlx/c/vector.h"

#ifdef __cplusplus
extern "C" {
#endif

int mlx_async_eval(const mlx_vector_array outputs);
int mlx_eval(const mlx_vector_array outputs);

#ifdef __cplusplus
}
#endif

#endif
