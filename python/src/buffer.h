/* mlx.core: data exchange of mlx.core.array with other libraries, shared by array.c,
 * convert.c, buffer.c and dlpack.c: the buffer protocol (export), __array__, __bytes__,
 * pickling, DLPack (export and import) and the strided-block import behind both imports. */
#ifndef MLXPY_BUFFER_H
#define MLXPY_BUFFER_H

#include "mlxpy.h"

/* Element kinds of foreign data: an mlx_dtype, or numpy's complex128 (no mlx dtype). */
#define MXPY_SRC_COMPLEX128 (-2)

/* convert.c: an array from an n-d strided block of foreign elements of kind src (byte strides,
 * may be negative or 0), converted to *dtype, or when dtype is NULL to src's own type except
 * float64 -> float32 and complex128 -> complex64 (MLX's rule for numpy data). A contiguous
 * block of the right type is copied once (into the array); gathering a strided block and
 * converting each add one staging copy. */
int mxpy_array_from_strided(const char *data, int nd, const int *shape, const int64_t *bstrides,
                            int src, const mlx_dtype *dtype, mlx_array *out);

/* convert.c: o.__mlx_array__() (checked to be an mx.array) for an object that defines it, as a
 * new reference; NULL without an exception when o does not define it. */
PyObject *mxpy_mlx_array_protocol(PyObject *o);

/* buffer.c: the buffer protocol of mlx.core.array and its numpy, bytes and pickle methods. */
extern PyBufferProcs mxpy_array_buffer_procs;
extern PyMethodDef mxpy_buffer_array_methods[];

/* dlpack.c: __dlpack__ / __dlpack_device__ (array methods), mx.from_dlpack (module function),
 * and the import used by mx.array() for objects that only speak DLPack. */
extern PyMethodDef mxpy_dlpack_array_methods[];
extern PyMethodDef mxpy_dlpack_methods[];
int mxpy_array_from_dlpack(PyObject *o, const mlx_dtype *dtype, mlx_array *out);

#endif
