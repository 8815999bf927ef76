/* Formats an array as MLX prints it (evaluating it first). */
#ifndef MX_CORE_PRINT_H
#define MX_CORE_PRINT_H

#include "core/array.h"

/* A malloc'd string, or NULL with an error set. */
char *mx_array_format(mx_array *a);

#endif
