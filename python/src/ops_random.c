/* mlx.core: random numbers (the mlx.core.random submodule) and creation ops. */
#include "mlxpy.h"

/* Module-level functions of mlx.core. */
PyMethodDef mxpy_random_methods[] = {
    {NULL, NULL, 0, NULL},
};

/* Methods of mlx.core.array (added to the type at import). */
PyMethodDef mxpy_random_array_methods[] = {
    {NULL, NULL, 0, NULL},
};
