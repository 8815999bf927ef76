/* mlx.core: the fft family (issue 6). */
#include "mlxpy.h"

int mxpy_fft_init(PyObject *m) {
  (void)m;
  return 0;
}
