/* mlx.core: reductions, scans, sort, partition, search. */
#include "mlxpy.h"

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_reduce_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_reduce_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
