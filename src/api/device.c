/* device.h and stream.h: handles own a heap copy of the core device / stream value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static const char *type_name(mx_device_type t) {
  return t == MX_CPU ? "cpu" : "gpu";
}

int mlx_api_device(const char *op, mlx_device d, mx_device *out) {
  if (!d.ctx) return mlx_api_error("[%s] Empty device handle.", op);
  *out = *(mx_device *)d.ctx;
  return 0;
}

int mlx_api_stream(const char *op, mlx_stream s, mx_stream *out) {
  if (!s.ctx) return mlx_api_error("[%s] Empty stream handle.", op);
  *out = *(mx_stream *)s.ctx;
  if (!mx_stream_valid(*out)) return mlx_api_error("[%s] Invalid stream %d.", op, out->index);
  return 0;
}

static void *copy_of(const void *src, size_t size) {
  void *p = malloc(size);
  if (p) memcpy(p, src, size);
  else mlx_api_error("[device] Out of memory.");
  return p;
}

/* Replaces *ctx with a copy of value. */
static int store(void **ctx, const void *value, size_t size) {
  void *p = copy_of(value, size);
  if (!p) return 1;
  free(*ctx);
  *ctx = p;
  return 0;
}

static int set_string(mlx_string *str, const char *text) {
  if (!str) return mlx_api_error("[tostring] Output handle is NULL.");
  mlx_string tmp = mlx_string_new_data(text);
  int rc = mlx_string_set(str, tmp);
  mlx_string_free(tmp);
  return rc;
}

/* ---- devices ---- */

mlx_device mlx_device_new(void) {
  return (mlx_device){NULL};
}

mlx_device mlx_device_new_type(mlx_device_type type, int index) {
  mx_device d = {(mx_device_type)type, index};
  return (mlx_device){copy_of(&d, sizeof d)};
}

int mlx_device_free(mlx_device dev) {
  free(dev.ctx);
  return 0;
}

int mlx_device_set(mlx_device *dev, const mlx_device src) {
  mx_device d = {MX_CPU, 0};
  if (!dev) return mlx_api_error("[device_set] Output handle is NULL.");
  if (mlx_api_device("device_set", src, &d)) return 1;
  return store(&dev->ctx, &d, sizeof d);
}

int mlx_device_tostring(mlx_string *str, mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  char text[64];
  if (mlx_api_device("device_tostring", dev, &d)) return 1;
  snprintf(text, sizeof text, "Device(%s, %d)", type_name(d.type), d.index);
  return set_string(str, text);
}

bool mlx_device_equal(mlx_device lhs, mlx_device rhs) {
  if (!lhs.ctx || !rhs.ctx) return lhs.ctx == rhs.ctx;
  return mx_device_equal(*(mx_device *)lhs.ctx, *(mx_device *)rhs.ctx);
}

int mlx_device_get_index(int *index, mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  if (!index) return mlx_api_error("[device_get_index] Output pointer is NULL.");
  if (mlx_api_device("device_get_index", dev, &d)) return 1;
  *index = d.index;
  return 0;
}

int mlx_device_get_type(mlx_device_type *type, mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  if (!type) return mlx_api_error("[device_get_type] Output pointer is NULL.");
  if (mlx_api_device("device_get_type", dev, &d)) return 1;
  *type = (mlx_device_type)d.type;
  return 0;
}

int mlx_get_default_device(mlx_device *dev) {
  if (!dev) return mlx_api_error("[get_default_device] Output handle is NULL.");
  mx_device d = mx_default_device();
  return store(&dev->ctx, &d, sizeof d);
}

int mlx_set_default_device(mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  if (mlx_api_device("set_default_device", dev, &d)) return 1;
  return mx_set_default_device(d) ? mlx_api_fail() : 0;
}

int mlx_device_is_available(bool *avail, mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  if (!avail) return mlx_api_error("[device_is_available] Output pointer is NULL.");
  if (mlx_api_device("device_is_available", dev, &d)) return 1;
  *avail = mx_device_is_available(d);
  return 0;
}

int mlx_device_count(int *count, mlx_device_type type) {
  if (!count) return mlx_api_error("[device_count] Output pointer is NULL.");
  *count = mx_device_count((mx_device_type)type);
  return 0;
}

/* ---- streams ---- */

mlx_stream mlx_stream_new(void) {
  return (mlx_stream){NULL};
}

mlx_stream mlx_stream_new_device(mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  mx_stream s = {0};
  if (mlx_api_device("stream_new_device", dev, &d)) return (mlx_stream){NULL};
  if (mx_new_stream(d, &s)) return mlx_api_fail(), (mlx_stream){NULL};
  return (mlx_stream){copy_of(&s, sizeof s)};
}

int mlx_stream_set(mlx_stream *stream, const mlx_stream src) {
  mx_stream s = {0};
  if (!stream) return mlx_api_error("[stream_set] Output handle is NULL.");
  if (mlx_api_stream("stream_set", src, &s)) return 1;
  return store(&stream->ctx, &s, sizeof s);
}

int mlx_stream_free(mlx_stream stream) {
  free(stream.ctx);
  return 0;
}

int mlx_stream_tostring(mlx_string *str, mlx_stream stream) {
  mx_stream s = {0};
  char text[96];
  if (mlx_api_stream("stream_tostring", stream, &s)) return 1;
  snprintf(text, sizeof text, "Stream(Device(%s, %d), %d)", type_name(s.device.type),
           s.device.index, s.index);
  return set_string(str, text);
}

bool mlx_stream_equal(mlx_stream lhs, mlx_stream rhs) {
  if (!lhs.ctx || !rhs.ctx) return lhs.ctx == rhs.ctx;
  mx_stream *a = lhs.ctx, *b = rhs.ctx;
  return a->index == b->index && mx_device_equal(a->device, b->device);
}

int mlx_stream_get_device(mlx_device *dev, mlx_stream stream) {
  mx_stream s = {0};
  if (!dev) return mlx_api_error("[stream_get_device] Output handle is NULL.");
  if (mlx_api_stream("stream_get_device", stream, &s)) return 1;
  return store(&dev->ctx, &s.device, sizeof s.device);
}

int mlx_stream_get_index(int *index, mlx_stream stream) {
  mx_stream s = {0};
  if (!index) return mlx_api_error("[stream_get_index] Output pointer is NULL.");
  if (mlx_api_stream("stream_get_index", stream, &s)) return 1;
  *index = s.index;
  return 0;
}

int mlx_synchronize(mlx_stream stream) {
  mx_stream s = {0};
  if (mlx_api_stream("synchronize", stream, &s)) return 1;
  return mx_synchronize(s) ? mlx_api_fail() : 0;
}

int mlx_get_default_stream(mlx_stream *stream, mlx_device dev) {
  mx_device d = {MX_CPU, 0};
  mx_stream s = {0};
  if (!stream) return mlx_api_error("[get_default_stream] Output handle is NULL.");
  if (mlx_api_device("get_default_stream", dev, &d)) return 1;
  if (mx_default_stream(d, &s)) return mlx_api_fail();
  return store(&stream->ctx, &s, sizeof s);
}

int mlx_set_default_stream(mlx_stream stream) {
  mx_stream s = {0};
  if (mlx_api_stream("set_default_stream", stream, &s)) return 1;
  return mx_set_default_stream(s) ? mlx_api_fail() : 0;
}

static mlx_stream default_stream_of(mx_device_type type) {
  mx_stream s = {0};
  if (mx_default_stream((mx_device){type, 0}, &s)) return mlx_api_fail(), (mlx_stream){NULL};
  return (mlx_stream){copy_of(&s, sizeof s)};
}

mlx_stream mlx_default_cpu_stream_new(void) {
  return default_stream_of(MX_CPU);
}

mlx_stream mlx_default_gpu_stream_new(void) {
  return default_stream_of(MX_GPU);
}
