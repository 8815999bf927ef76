/* Ops: the fft family (mx.fft). Conventions as in src/ops/ops.h: each op returns 0 and stores a
 * new reference in *out, or returns MX_ERR with an op-named message. Inputs are borrowed.
 *
 * One primitive, FFT: the (multi-axis) discrete Fourier transform of its single input along
 * params.axes, unnormalized forward, divided by the transformed size when inverse ("backward"
 * norm; the ops scale for "ortho" / "forward").
 *   complex (real = 0): complex64 -> complex64, same shape.
 *   real forward:  float32 -> complex64, the last of axes shrinks from n to n / 2 + 1.
 *   real inverse:  complex64 -> float32, the last of axes becomes params.n_last (its input
 *                  holds n_last / 2 + 1 values, Hermitian symmetry gives the rest).
 * Its CPU kernel (src/backend/cpu/fft.c, plans in fft_plan.h) runs any length in float32:
 * Stockham mixed-radix stages, four-step for long lengths, Bluestein for large prime factors. */
#ifndef MX_OPS_FFT_H
#define MX_OPS_FFT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

typedef enum { MX_FFT_BACKWARD = 0, MX_FFT_ORTHO = 1, MX_FFT_FORWARD = 2 } mx_fft_norm;

/* FFT: axes unique and non-negative, in the order transformed (the real axis last). */
typedef struct {
  int32_t naxes;
  int32_t inverse, real;
  int32_t n_last; /* real inverse: output length of the last axis */
  int32_t axes[MX_MAX_NDIM];
} mx_fft_params;

int mx_shapes_fft(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);
int mx_cpu_fft(mx_node *n);
int mx_vjp_fft(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_fft(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_fft(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

/* A FFT node on x (cast to the primitive's input dtype), params p (naxes, axes, inverse, real,
 * n_last) as given: no validation, no scaling. For the rules. */
int mx_fft_prim(mx_array **out, mx_array *x, const mx_fft_params *p, mx_stream st);
/* x with axis zero padded or truncated to len. */
int mx_fft_resize_axis(mx_array **out, mx_array *x, int axis, int len, mx_stream st);
/* x * f (a float32 scalar: keeps complex64 / float32). */
int mx_fft_scale(mx_array **out, mx_array *x, double f, mx_stream st);

/* The n-dimensional transforms. s (sizes, NULL: the input's) pads with zeros or truncates each
 * axis first (for irfftn the last size is the output's: its input keeps s / 2 + 1); axes NULL
 * with naxes < 0: all axes (s must then be NULL). op names the errors. */
int mx_fft_nd(mx_array **out, mx_array *a, const int *s, int ns, const int *axes, int naxes,
              bool real, bool inverse, mx_fft_norm norm, const char *op, mx_stream st);
/* One axis: n < 0 is the input's size (irfft: 2 (m - 1)). */
int mx_fft_1d(mx_array **out, mx_array *a, int n, int axis, bool real, bool inverse,
              mx_fft_norm norm, const char *op, mx_stream st);
int mx_fftfreq(mx_array **out, int n, double d, bool real, mx_stream st);
/* axes NULL with naxes < 0: all axes. */
int mx_fftshift(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverse,
                mx_stream st);

#endif
