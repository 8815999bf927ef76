/* mlxc: CUDA availability (mlx-c compatible). */
#ifndef MLX_C_CUDA_H
#define MLX_C_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int mlx_cuda_is_available(bool* res);

#ifdef __cplusplus
}
#endif

#endif
