/* mlx.core: the fast family (issue 6). */
#include "mlxpy.h"

int mxpy_fast_init(PyObject *m) {
  (void)m;
  return 0;
}
