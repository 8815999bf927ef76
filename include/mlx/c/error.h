/* mlxc: error handler (mlx-c compatible). */
#ifndef MLX_C_ERROR_H
#define MLX_C_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*mlx_error_handler_func)(const char *msg, void *data);

/* The default handler prints the message to stderr; it never exits. */
void mlx_set_error_handler( mlx_error_handler_func handler, void* data, void (*dtor)(void*));

#ifdef __cplusplus
}
#endif

#endif
