/* mlx.core.fft: fft, ifft, rfft, irfft (one axis), fft2 / ifft2 / rfft2 / irfft2, fftn / ifftn /
 * rfftn / irfftn, fftfreq, rfftfreq, fftshift, ifftshift. Array arguments accept anything
 * mx.array accepts. */
#include "mlxpy.h"

#include <string.h>

#include "mlx/c/fft.h"

#define KW (PyCFunction)(void (*)(void))

typedef int (*fft1_fn)(mlx_array *, const mlx_array, int, int, mlx_fft_norm, const mlx_stream);
typedef int (*fftn_fn)(mlx_array *, const mlx_array, const int *, size_t, const int *, size_t,
                       mlx_fft_norm, const mlx_stream);

static int norm_arg(PyObject *o, mlx_fft_norm *out) {
  const char *v = o ? PyUnicode_AsUTF8(o) : "backward";
  if (!v) {
    PyErr_Clear();
    PyErr_SetString(PyExc_TypeError, "[fft] norm must be a str.");
    return -1;
  }
  if (!strcmp(v, "backward")) *out = MLX_FFT_NORM_BACKWARD;
  else if (!strcmp(v, "ortho")) *out = MLX_FFT_NORM_ORTHO;
  else if (!strcmp(v, "forward")) *out = MLX_FFT_NORM_FORWARD;
  else {
    PyErr_SetString(PyExc_ValueError,
                    "[fft] Invalid norm. Expected one of {'backward', 'ortho', 'forward'}.");
    return -1;
  }
  return 0;
}

/* Parses the array (a new handle in *x) and the stream; -1 with an exception. */
static int common_args(PyObject *a, PyObject *stream, mlx_array *x, mlx_stream *s) {
  *x = mlx_array_new();
  if (mxpy_array_from_object(a, NULL, x) < 0) return -1;
  return mxpy_stream_arg(stream, s);
}

static PyObject *finish(int status, mlx_array r, mlx_array x, mlx_stream s) {
  mlx_array_free(x);
  mlx_stream_free(s);
  if (mxpy_check_op(status) < 0) {
    mlx_array_free(r);
    return NULL;
  }
  return mxpy_array_wrap(r);
}

static PyObject *call_1d(PyObject *args, PyObject *kwds, const char *fmt, fft1_fn fn, bool irfft) {
  static char *kwlist[] = {"a", "n", "axis", "norm", "stream", NULL};
  PyObject *a, *n_obj = Py_None, *norm = NULL, *stream = Py_None;
  int axis = -1, n = 0;
  mlx_fft_norm nm;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &n_obj, &axis, &norm, &stream))
    return NULL;
  if (norm_arg(norm, &nm) < 0) return NULL;
  if (n_obj != Py_None) {
    n = (int)PyLong_AsLong(n_obj);
    if (n == -1 && PyErr_Occurred()) return NULL;
  }
  mlx_array x, r = mlx_array_new();
  mlx_stream s = {0};
  if (common_args(a, stream, &x, &s) < 0) {
    mlx_array_free(x), mlx_array_free(r), mlx_stream_free(s);
    return NULL;
  }
  if (n_obj == Py_None) { /* the input's size (irfft: 2 (m - 1)); a bad axis errors below */
    int nd = (int)mlx_array_ndim(x), ax = axis < 0 ? axis + nd : axis;
    int m = ax >= 0 && ax < nd ? mlx_array_shape(x)[ax] : 1;
    n = irfft ? 2 * (m - 1) : m;
  }
  return finish(fn(&r, x, n, axis, nm, s), r, x, s);
}

/* Optional int sequence: None leaves *has false. */
static int opt_ints(PyObject *o, const char *what, mxpy_ints *v, bool *has) {
  *has = o && o != Py_None;
  return *has ? mxpy_ints_from(o, false, what, v) : 0;
}

static PyObject *call_nd(PyObject *args, PyObject *kwds, const char *fmt, fftn_fn fn,
                         bool two) {
  static char *kwlist[] = {"a", "s", "axes", "norm", "stream", NULL};
  PyObject *a, *s_obj = Py_None, *ax_obj = NULL, *norm = NULL, *stream = Py_None;
  mlx_fft_norm nm;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &s_obj, &ax_obj, &norm, &stream))
    return NULL;
  if (norm_arg(norm, &nm) < 0) return NULL;
  mxpy_ints sv, av;
  mxpy_ints_init(&sv), mxpy_ints_init(&av);
  bool has_s, has_ax;
  static const int two_axes[2] = {-2, -1};
  PyObject *res = NULL;
  mlx_array x = {0}, r = mlx_array_new();
  mlx_stream st = {0};
  if (opt_ints(s_obj, "s", &sv, &has_s) < 0) goto done;
  if (two && !ax_obj) {
    has_ax = true;
  } else if (opt_ints(ax_obj, "axes", &av, &has_ax) < 0) {
    goto done;
  }
  if (has_s && !has_ax) {
    PyErr_SetString(PyExc_ValueError, "[fftn] `axes` should not be `None` if `s` is not `None`.");
    goto done;
  }
  if (common_args(a, stream, &x, &st) < 0) goto done;
  const int *axes = has_ax ? (two && !ax_obj ? two_axes : av.data) : NULL;
  size_t naxes = has_ax ? (two && !ax_obj ? 2 : av.n) : 0;
  int rc = fn(&r, x, has_s ? sv.data : NULL, has_s ? sv.n : 0, axes, naxes, nm, st);
  res = finish(rc, r, x, st);
  x.ctx = NULL, r.ctx = NULL, st.ctx = NULL;
done:
  mlx_array_free(x), mlx_array_free(r), mlx_stream_free(st);
  mxpy_ints_free(&sv), mxpy_ints_free(&av);
  return res;
}

#define ONE_D(name, fn, irfft)                                                                     \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    return call_1d(args, kwds, "O|OiOO:" #name, fn, irfft);                                        \
  }
#define N_D(name, fn, two)                                                                         \
  static PyObject *f_##name(PyObject *m, PyObject *args, PyObject *kwds) {                         \
    (void)m;                                                                                       \
    return call_nd(args, kwds, "O|OOOO:" #name, fn, two);                                          \
  }
ONE_D(fft, mlx_fft_fft, false)
ONE_D(ifft, mlx_fft_ifft, false)
ONE_D(rfft, mlx_fft_rfft, false)
ONE_D(irfft, mlx_fft_irfft, true)
N_D(fft2, mlx_fft_fft2, true)
N_D(ifft2, mlx_fft_ifft2, true)
N_D(rfft2, mlx_fft_rfft2, true)
N_D(irfft2, mlx_fft_irfft2, true)
N_D(fftn, mlx_fft_fftn, false)
N_D(ifftn, mlx_fft_ifftn, false)
N_D(rfftn, mlx_fft_rfftn, false)
N_D(irfftn, mlx_fft_irfftn, false)

static PyObject *call_freq(PyObject *args, PyObject *kwds, const char *fmt,
                           int (*fn)(mlx_array *, int, double, const mlx_stream)) {
  static char *kwlist[] = {"n", "d", "stream", NULL};
  int n;
  double d = 1.0;
  PyObject *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &n, &d, &stream)) return NULL;
  mlx_stream s;
  if (mxpy_stream_arg(stream, &s) < 0) return NULL;
  mlx_array r = mlx_array_new();
  return finish(fn(&r, n, d, s), r, (mlx_array){0}, s);
}

static PyObject *f_fftfreq(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_freq(args, kwds, "i|dO:fftfreq", mlx_fft_fftfreq);
}

static PyObject *f_rfftfreq(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_freq(args, kwds, "i|dO:rfftfreq", mlx_fft_rfftfreq);
}

static PyObject *call_shift(PyObject *args, PyObject *kwds, const char *fmt,
                            int (*fn)(mlx_array *, const mlx_array, const int *, size_t,
                                      const mlx_stream)) {
  static char *kwlist[] = {"a", "axes", "stream", NULL};
  PyObject *a, *ax_obj = Py_None, *stream = Py_None, *res = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &a, &ax_obj, &stream)) return NULL;
  mxpy_ints av;
  mxpy_ints_init(&av);
  bool has_ax = ax_obj != Py_None;
  if (has_ax && mxpy_ints_from(ax_obj, true, "axes", &av) < 0) return NULL;
  mlx_array x, r = mlx_array_new();
  mlx_stream s = {0};
  if (common_args(a, stream, &x, &s) < 0) {
    mlx_array_free(x), mlx_array_free(r), mlx_stream_free(s);
  } else {
    res = finish(fn(&r, x, has_ax ? av.data : NULL, has_ax ? av.n : 0, s), r, x, s);
  }
  mxpy_ints_free(&av);
  return res;
}

static PyObject *f_fftshift(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_shift(args, kwds, "O|OO:fftshift", mlx_fft_fftshift);
}

static PyObject *f_ifftshift(PyObject *m, PyObject *args, PyObject *kwds) {
  (void)m;
  return call_shift(args, kwds, "O|OO:ifftshift", mlx_fft_ifftshift);
}

#define SIG1(name, what)                                                                           \
  #name "(a: array, n: int | None = None, axis: int = -1, norm: str = 'backward', stream: "       \
        "StreamOrDevice = None) -> array\n\n" what
#define SIGN(name, axes, what)                                                                     \
  #name "(a: array, s: Sequence[int] | None = None, axes: Sequence[int] | None = " axes            \
        ", norm: str = 'backward', stream: StreamOrDevice = None) -> array\n\n" what

static PyMethodDef fft_methods[] = {
    {"fft", KW f_fft, METH_VARARGS | METH_KEYWORDS, SIG1(fft, "One dimensional DFT.")},
    {"ifft", KW f_ifft, METH_VARARGS | METH_KEYWORDS, SIG1(ifft, "One dimensional inverse DFT.")},
    {"rfft", KW f_rfft, METH_VARARGS | METH_KEYWORDS,
     SIG1(rfft, "One dimensional DFT of a real input (n // 2 + 1 outputs).")},
    {"irfft", KW f_irfft, METH_VARARGS | METH_KEYWORDS,
     SIG1(irfft, "Inverse of rfft (real output of length n).")},
    {"fft2", KW f_fft2, METH_VARARGS | METH_KEYWORDS, SIGN(fft2, "[-2, -1]", "Two dimensional DFT.")},
    {"ifft2", KW f_ifft2, METH_VARARGS | METH_KEYWORDS,
     SIGN(ifft2, "[-2, -1]", "Two dimensional inverse DFT.")},
    {"rfft2", KW f_rfft2, METH_VARARGS | METH_KEYWORDS,
     SIGN(rfft2, "[-2, -1]", "Two dimensional DFT of a real input.")},
    {"irfft2", KW f_irfft2, METH_VARARGS | METH_KEYWORDS,
     SIGN(irfft2, "[-2, -1]", "Inverse of rfft2.")},
    {"fftn", KW f_fftn, METH_VARARGS | METH_KEYWORDS, SIGN(fftn, "None", "n-dimensional DFT.")},
    {"ifftn", KW f_ifftn, METH_VARARGS | METH_KEYWORDS,
     SIGN(ifftn, "None", "n-dimensional inverse DFT.")},
    {"rfftn", KW f_rfftn, METH_VARARGS | METH_KEYWORDS,
     SIGN(rfftn, "None", "n-dimensional DFT of a real input.")},
    {"irfftn", KW f_irfftn, METH_VARARGS | METH_KEYWORDS, SIGN(irfftn, "None", "Inverse of rfftn.")},
    {"fftfreq", KW f_fftfreq, METH_VARARGS | METH_KEYWORDS,
     "fftfreq(n: int, d: float = 1.0, stream: StreamOrDevice = None) -> array\n\n"
     "Sample frequencies of an n-point DFT with spacing d."},
    {"rfftfreq", KW f_rfftfreq, METH_VARARGS | METH_KEYWORDS,
     "rfftfreq(n: int, d: float = 1.0, stream: StreamOrDevice = None) -> array\n\n"
     "Sample frequencies of rfft's outputs."},
    {"fftshift", KW f_fftshift, METH_VARARGS | METH_KEYWORDS,
     "fftshift(a: array, axes: int | Sequence[int] | None = None, stream: StreamOrDevice = None) "
     "-> array\n\nMoves the zero frequency to the center."},
    {"ifftshift", KW f_ifftshift, METH_VARARGS | METH_KEYWORDS,
     "ifftshift(a: array, axes: int | Sequence[int] | None = None, stream: StreamOrDevice = None) "
     "-> array\n\nInverse of fftshift."},
    {NULL, NULL, 0, NULL},
};

int mxpy_fft_init(PyObject *m) {
  return mxpy_add_submodule(m, "fft", "mlx.core.fft", fft_methods,
                            "mlx.core.fft: fast Fourier transforms.");
}
