/* mlx.core: array indexing (__getitem__, __setitem__). */
#include "mlxpy.h"

/* Integer indexing only (rows along axis 0, copied from the evaluated data). */
PyObject *mxpy_getitem(PyObject *self, PyObject *key) {
  mlx_array a = MXPY_ARR(self);
  if (!PyLong_Check(key) || PyBool_Check(key)) {
    PyErr_Format(PyExc_TypeError, "array indices must be integers for now, not %.200s.",
                 Py_TYPE(key)->tp_name);
    return NULL;
  }
  if (mlx_array_ndim(a) == 0) {
    PyErr_SetString(PyExc_IndexError, "Too many indices for array with 0 dimensions.");
    return NULL;
  }
  Py_ssize_t i = PyLong_AsSsize_t(key);
  if (i == -1 && PyErr_Occurred()) return NULL;
  Py_ssize_t n = mlx_array_shape(a)[0];
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    PyErr_Format(PyExc_IndexError, "Index %S is out of bounds for axis 0 with size %zd.", key, n);
    return NULL;
  }
  return mxpy_row_object(self, i);
}

int mxpy_setitem(PyObject *self, PyObject *key, PyObject *value) {
  (void)self, (void)key, (void)value;
  PyErr_SetString(PyExc_TypeError, "mlx.core.array does not support item assignment yet.");
  return -1;
}
