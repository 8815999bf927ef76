#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[1024];

int mx_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return MX_ERR;
}

const char *mx_last_error(void) {
  return last_error;
}

void mx_clear_error(void) {
  last_error[0] = '\0';
}

char *mx_shape_str(char *buf, size_t cap, int ndim, const int *shape) {
  size_t len = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, i + 1 < ndim ? "%d," : "%d", shape[i]);
  if (len < cap) snprintf(buf + len, cap - len, ")");
  return buf;
}
