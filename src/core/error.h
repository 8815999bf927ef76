/* Errors: functions return 0 on success and MX_ERR on failure, with a thread-local message
 * that names the op: "[reshape] Cannot reshape array of size 6 into shape (4,)." */
#ifndef MX_CORE_ERROR_H
#define MX_CORE_ERROR_H

#include <stddef.h>

#define MX_ERR 1

/* Sets the thread-local message (printf-style) and returns MX_ERR. */
int mx_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *mx_last_error(void);
void mx_clear_error(void);

/* Formats a shape as MLX does: "(2,3)", "(4,)", "()". Returns buf. */
char *mx_shape_str(char *buf, size_t cap, int ndim, const int *shape);

#define MX_TRY(expr)                                                                               \
  do {                                                                                             \
    if ((expr) != 0) return MX_ERR;                                                                \
  } while (0)

#endif
