/* memory.h, metal.h, cuda.h, version.h. */
#include "api/api.h"

#define CHECK_OUT(op, p)                                                                           \
  if (!(p)) return mlx_api_error("[" op "] Output pointer is NULL.")

int mlx_clear_cache(void) {
  mx_clear_cache();
  return 0;
}

int mlx_get_active_memory(size_t *res) {
  CHECK_OUT("get_active_memory", res);
  *res = mx_get_active_memory();
  return 0;
}

int mlx_get_cache_memory(size_t *res) {
  CHECK_OUT("get_cache_memory", res);
  *res = mx_get_cache_memory();
  return 0;
}

int mlx_get_memory_limit(size_t *res) {
  CHECK_OUT("get_memory_limit", res);
  *res = mx_get_memory_limit();
  return 0;
}

int mlx_get_peak_memory(size_t *res) {
  CHECK_OUT("get_peak_memory", res);
  *res = mx_get_peak_memory();
  return 0;
}

int mlx_reset_peak_memory(void) {
  mx_reset_peak_memory();
  return 0;
}

int mlx_set_cache_limit(size_t *res, size_t limit) {
  CHECK_OUT("set_cache_limit", res);
  *res = mx_set_cache_limit(limit);
  return 0;
}

int mlx_set_memory_limit(size_t *res, size_t limit) {
  CHECK_OUT("set_memory_limit", res);
  *res = mx_set_memory_limit(limit);
  return 0;
}

/* Wiring memory is a Metal notion; on Linux the limit is recorded and has no effect. */
int mlx_set_wired_limit(size_t *res, size_t limit) {
  static size_t wired_limit;
  CHECK_OUT("set_wired_limit", res);
  *res = wired_limit;
  wired_limit = limit;
  return 0;
}

int mlx_metal_is_available(bool *res) {
  CHECK_OUT("metal_is_available", res);
  *res = false;
  return 0;
}

int mlx_metal_start_capture(const char *path) {
  return mlx_api_error("[metal_start_capture] Metal is not available on this platform.");
}

int mlx_metal_stop_capture(void) {
  return mlx_api_error("[metal_stop_capture] Metal is not available on this platform.");
}

int mlx_cuda_is_available(bool *res) {
  CHECK_OUT("cuda_is_available", res);
  *res = mx_device_count(MX_GPU) > 0;
  return 0;
}

int mlx_version(mlx_string *str) {
  CHECK_OUT("version", str);
  mlx_string tmp = mlx_string_new_data(MLXC_VERSION);
  int rc = mlx_string_set(str, tmp);
  mlx_string_free(tmp);
  return rc;
}
