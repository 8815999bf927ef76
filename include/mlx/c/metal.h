/* mlxc: Metal stubs (no Metal on Linux) (mlx-c compatible). */
#ifndef MLX_C_METAL_H
#define MLX_C_METAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int mlx_metal_is_available(bool* res);
int mlx_metal_start_capture(const char* path);
int mlx_metal_stop_capture(void);

#ifdef __cplusplus
}
#endif

#endif
