/* mlx.core: the quantization family (issue 6): quantize, dequantize, quantized_matmul,
 * gather_qmm, to_fp8, from_fp8. */
#include "mlxpy.h"

int mxpy_quant_init(PyObject *m) {
  (void)m;
  return 0;
}
