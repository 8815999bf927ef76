/* mlx.core: unary, binary and ternary elementwise ops, comparisons, logical ops. */
#include "mlxpy.h"

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_elementwise_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_elementwise_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
