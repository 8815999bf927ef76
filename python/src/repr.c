/* mlx.core: array printing. The library formats (mlx_array_tostring, MLX's format); here the
 * array is evaluated first with the GIL released. */
#include "mlxpy.h"

PyObject *mxpy_array_repr(mlx_array arr) {
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
