/* fft.h (mlx-c): the C API of the fft family. n / axes are (pointer, count) pairs; n_num 0 means
 * the input's sizes, axes NULL means every axis. */
#include "api/api_ops.h"
#include "mlx/c/fft.h"
#include "ops/fft.h"

static int check_norm(const char *op, mlx_fft_norm norm) {
  if (norm == MLX_FFT_NORM_BACKWARD || norm == MLX_FFT_NORM_ORTHO || norm == MLX_FFT_NORM_FORWARD)
    return 0;
  return mlx_api_error("[%s] Invalid norm %d.", op, (int)norm);
}

static int fft_1d(mlx_array *res, const mlx_array a, int n, int axis, mlx_fft_norm norm,
                  const mlx_stream s, const char *name, bool real, bool inverse) {
  OP_BEGIN(name, 1, a);
  if (check_norm(op_, norm)) return 1;
  OP_END(mx_fft_nd(&out_, in_[0], &n, 1, &axis, 1, real, inverse, (mx_fft_norm)norm, op_, st_));
}

static int fft_nd(mlx_array *res, const mlx_array a, const int *n, size_t n_num, const int *axes,
                  size_t axes_num, mlx_fft_norm norm, const mlx_stream s, const char *name,
                  bool real, bool inverse) {
  OP_BEGIN(name, 1, a);
  if (check_norm(op_, norm)) return 1;
  if (mlx_api_check_shape(op_, n, n_num) || mlx_api_check_shape(op_, axes, axes_num)) return 1;
  OP_END(mx_fft_nd(&out_, in_[0], n_num ? n : NULL, (int)n_num, axes, axes ? (int)axes_num : -1,
                   real, inverse, (mx_fft_norm)norm, op_, st_));
}

#define FFT_1D(fn, name, real, inverse)                                                            \
  int fn(mlx_array *res, const mlx_array a, int n, int axis, mlx_fft_norm norm,                    \
         const mlx_stream s) {                                                                     \
    return fft_1d(res, a, n, axis, norm, s, name, real, inverse);                                  \
  }
#define FFT_ND(fn, name, real, inverse)                                                            \
  int fn(mlx_array *res, const mlx_array a, const int *n, size_t n_num, const int *axes,           \
         size_t axes_num, mlx_fft_norm norm, const mlx_stream s) {                                 \
    return fft_nd(res, a, n, n_num, axes, axes_num, norm, s, name, real, inverse);                 \
  }

FFT_1D(mlx_fft_fft, "fft", false, false)
FFT_1D(mlx_fft_ifft, "ifft", false, true)
FFT_1D(mlx_fft_rfft, "rfft", true, false)
FFT_1D(mlx_fft_irfft, "irfft", true, true)
FFT_ND(mlx_fft_fft2, "fft2", false, false)
FFT_ND(mlx_fft_ifft2, "ifft2", false, true)
FFT_ND(mlx_fft_rfft2, "rfft2", true, false)
FFT_ND(mlx_fft_irfft2, "irfft2", true, true)
FFT_ND(mlx_fft_fftn, "fftn", false, false)
FFT_ND(mlx_fft_ifftn, "ifftn", false, true)
FFT_ND(mlx_fft_rfftn, "rfftn", true, false)
FFT_ND(mlx_fft_irfftn, "irfftn", true, true)

static int freq(mlx_array *res, int n, double d, const mlx_stream s, bool real) {
  const char *op = real ? "rfftfreq" : "fftfreq";
  mx_stream st;
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  if (mlx_api_stream(op, s, &st)) return 1;
  mx_array *out = NULL;
  int rc = mx_fftfreq(&out, n, d, real, st);
  return mlx_api_finish(res, rc, out);
}

int mlx_fft_fftfreq(mlx_array *res, int n, double d, const mlx_stream s) {
  return freq(res, n, d, s, false);
}

int mlx_fft_rfftfreq(mlx_array *res, int n, double d, const mlx_stream s) {
  return freq(res, n, d, s, true);
}

static int shift(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                 const mlx_stream s, const char *name, bool inverse) {
  OP_BEGIN(name, 1, a);
  if (mlx_api_check_shape(op_, axes, axes_num)) return 1;
  OP_END(mx_fftshift(&out_, in_[0], axes, axes ? (int)axes_num : -1, inverse, st_));
}

int mlx_fft_fftshift(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                     const mlx_stream s) {
  return shift(res, a, axes, axes_num, s, "fftshift", false);
}

int mlx_fft_ifftshift(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                      const mlx_stream s) {
  return shift(res, a, axes, axes_num, s, "ifftshift", true);
}
