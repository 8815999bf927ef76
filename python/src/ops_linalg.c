/* mlx.core: the matmul family. */
#include "mlxpy.h"

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_linalg_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_linalg_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
