/* mlx.core: the lapack family (issue 6). */
#include "mlxpy.h"

int mxpy_lapack_init(PyObject *m) {
  (void)m;
  return 0;
}
