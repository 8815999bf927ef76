/* mlx.core: shape manipulation, slicing, gather/scatter. */
#include "mlxpy.h"

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_indexing_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_indexing_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
