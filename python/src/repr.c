/* mlx.core: array printing. The library formats (mlx_array_tostring, MLX's format); while a
 * print precision is set (print_opts.c) floats print in fixed notation instead. The array is
 * evaluated first with the GIL released. */
#include "mlxpy.h"

PyObject *mxpy_array_repr(mlx_array arr) {
  int precision = mxpy_print_precision();
  if (precision != -1) return mxpy_array_format_fixed(arr, precision);
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return NULL;
  mlx_string s = mlx_string_new();
  PyObject *r = NULL;
  if (mlx_array_tostring(&s, a) != 0) mxpy_raise_lib(PyExc_RuntimeError);
  else r = PyUnicode_FromString(mlx_string_data(s));
  mlx_string_free(s);
  mlx_array_free(a);
  return r;
}
