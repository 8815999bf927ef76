/* mlx_string: ctx is a malloc'd NUL-terminated copy; ctx NULL is the empty handle. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static char *copy_text(const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = malloc(len);
  if (copy) memcpy(copy, text, len);
  return copy;
}

mlx_string mlx_string_new(void) {
  return (mlx_string){NULL};
}

mlx_string mlx_string_new_data(const char *str) {
  mlx_string result = {NULL};
  if (!str) return result;
  result.ctx = copy_text(str);
  if (!result.ctx) mlx_api_error("[string_new_data] Out of memory copying a string.");
  return result;
}

int mlx_string_set(mlx_string *str, const mlx_string src) {
  if (!str) return mlx_api_error("[string_set] Destination string is NULL.");
  if (str->ctx == src.ctx) return 0;
  char *copy = NULL;
  if (src.ctx) {
    copy = copy_text((const char *)src.ctx);
    if (!copy) return mlx_api_error("[string_set] Out of memory copying a string.");
  }
  free(str->ctx);
  str->ctx = copy;
  return 0;
}

const char *mlx_string_data(mlx_string str) {
  return (const char *)str.ctx;
}

int mlx_string_free(mlx_string str) {
  free(str.ctx);
  return 0;
}
