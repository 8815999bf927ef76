/* mlx.core: the conv family (issue 6). */
#include "mlxpy.h"

int mxpy_conv_init(PyObject *m) {
  (void)m;
  return 0;
}
