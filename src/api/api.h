/* Shared by the C API sources: the public declarations with default visibility (the library is
 * built with hidden visibility), handle <-> core conversions, and error reporting.
 *
 * Handle conventions (mlx-c's): a handle is {void *ctx}; ctx NULL is an empty handle; each
 * _new has one _free; output arguments (mlx_array *res, ...) must hold an initialized handle,
 * whose old content is released when the result is stored. Status 0 = success, 1 = failure, and
 * on failure the error handler receives the message (see error.c). */
#ifndef MX_API_API_H
#define MX_API_API_H

#pragma GCC visibility push(default)
#include "mlx/c/mlx.h"
#pragma GCC visibility pop

#include "core/array.h"
#include "core/device.h"
#include "core/error.h"
#include "core/transforms.h"

/* Reports the thread's current error (mx_last_error) to the error handler; returns 1. */
int mlx_api_fail(void);
/* Sets a message (printf-style), reports it, returns 1. */
int mlx_api_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline mx_array *mlx_api_arr(mlx_array a) {
  return (mx_array *)a.ctx;
}
/* Stores a (a new reference, may be NULL) into *res, releasing what *res held. */
static inline void mlx_api_set_arr(mlx_array *res, mx_array *a) {
  mx_array *old = (mx_array *)res->ctx;
  res->ctx = a;
  mx_array_release(old);
}
/* The stream a handle names; fails (reported) when the handle is empty or unknown. */
int mlx_api_stream(const char *op, mlx_stream s, mx_stream *out);
int mlx_api_device(const char *op, mlx_device d, mx_device *out);
/* The handles stored in a vector (borrowed; NULL with *size 0 for an empty vector). */
const mlx_array *mlx_api_vector_array_items(const mlx_vector_array vec, size_t *size);

/* Core array lists <-> vector handles (closure.c); both retain what they store. */
int mlx_api_vector_from_arrays(mlx_vector_array *res, const mx_arrays *l);
int mlx_api_arrays_from_vector(mx_arrays *l, const mlx_vector_array v);
/* Runs the closure whose handle ctx is payload on core arrays (an mx_fun; closure.c). */
int mlx_api_run_closure(void *payload, const mx_arrays *in, mx_arrays *out);

#endif
