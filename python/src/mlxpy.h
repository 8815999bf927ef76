/* mlx.core: shared declarations of the CPython extension.
 *
 * The extension calls only the public mlxc C API (mlx/c/mlx.h). Every Python object that wraps a
 * library handle owns exactly one reference to it (created with a _new / op result, released with
 * _free in tp_dealloc). Functions returning int use 0 = ok, -1 = a Python exception is set. */
#ifndef MLXPY_H
#define MLXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlx/c/mlx.h"

#define MLXPY_VERSION "0.1.0"
#define MLXPY_NUM_DTYPES 14

/* ------------------------------------------------------------------ object layouts */

typedef struct {
  PyObject_HEAD mlx_array arr;
} mxpy_ArrayObject;

typedef struct {
  PyObject_HEAD mlx_dtype dtype;
} mxpy_DtypeObject;

typedef struct {
  PyObject_HEAD int type; /* mlx_device_type */
  int index;
} mxpy_DeviceObject;

typedef struct {
  PyObject_HEAD mlx_stream s;
} mxpy_StreamObject;

extern PyTypeObject mxpy_ArrayType;
extern PyTypeObject mxpy_ArrayIterType;
extern PyTypeObject mxpy_DtypeType;
extern PyTypeObject mxpy_DeviceObjType;
extern PyTypeObject mxpy_StreamType;
extern PyTypeObject mxpy_StreamContextType;

#define mxpy_Array_Check(o) PyObject_TypeCheck((o), &mxpy_ArrayType)
#define mxpy_Dtype_Check(o) PyObject_TypeCheck((o), &mxpy_DtypeType)
#define mxpy_Device_Check(o) PyObject_TypeCheck((o), &mxpy_DeviceObjType)
#define mxpy_Stream_Check(o) PyObject_TypeCheck((o), &mxpy_StreamType)
#define MXPY_ARR(o) (((mxpy_ArrayObject *)(o))->arr)

/* ------------------------------------------------------------------ errors.c */

/* Installs the library error handler (thread-local message buffer). */
void mxpy_errors_init(void);
/* Forgets any pending library message of this thread. */
void mxpy_error_clear(void);
/* Raises the pending library message (or a generic one) as exc; messages about invalid axes
 * become mxpy_AxisError (a subclass of both ValueError and IndexError, as MLX raises IndexError
 * there). Always returns -1. */
int mxpy_raise_lib(PyObject *exc);
/* status != 0 -> raise (ValueError for op construction, RuntimeError for evaluation). */
static inline int mxpy_check_op(int status) {
  return status ? mxpy_raise_lib(PyExc_ValueError) : 0;
}
static inline int mxpy_check_eval(int status) {
  return status ? mxpy_raise_lib(PyExc_RuntimeError) : 0;
}
extern PyObject *mxpy_AxisError;
int mxpy_errors_add_types(PyObject *m);

/* ------------------------------------------------------------------ dtype.c */

int mxpy_dtype_module_init(PyObject *m);
/* New reference to the singleton Dtype object of d. */
PyObject *mxpy_dtype_object(mlx_dtype d);
/* Dtype argument: o must be an mx.Dtype (TypeError otherwise). With allow_none, None leaves
 * *has false. fname names the function for the message. */
int mxpy_dtype_arg(PyObject *o, bool allow_none, const char *fname, mlx_dtype *out, bool *has);
const char *mxpy_dtype_name(mlx_dtype d);
size_t mxpy_dtype_size(mlx_dtype d);
mlx_dtype mxpy_promote(mlx_dtype a, mlx_dtype b);
bool mxpy_is_bool(mlx_dtype d);
bool mxpy_is_unsigned(mlx_dtype d);
bool mxpy_is_signed_int(mlx_dtype d);
bool mxpy_is_integral(mlx_dtype d); /* signed or unsigned, not bool */
bool mxpy_is_floating(mlx_dtype d); /* float16, float32, float64, bfloat16 */
bool mxpy_is_complex(mlx_dtype d);

/* ------------------------------------------------------------------ scalar.c */

typedef enum { MXV_BOOL, MXV_INT, MXV_UINT, MXV_FLOAT, MXV_COMPLEX } mxpy_vkind;

typedef struct {
  mxpy_vkind kind;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double f;
    struct {
      double re, im;
    } c;
  } v;
} mxpy_value;

float mxpy_f16_to_float(uint16_t h);
uint16_t mxpy_float_to_f16(float f);
float mxpy_bf16_to_float(uint16_t h);
uint16_t mxpy_float_to_bf16(float f);

/* Reads one element of dtype dt at p. */
void mxpy_read_elem(const void *p, mlx_dtype dt, mxpy_value *out);
/* Writes v converted to dtype dt at p (C conversion rules; complex -> real keeps the real part). */
void mxpy_write_elem(void *p, mlx_dtype dt, const mxpy_value *v);
PyObject *mxpy_value_to_py(const mxpy_value *v);
/* Copies an n-d strided block (byte strides) into contiguous memory at dst. */
void mxpy_copy_strided(char *dst, const char *src, int ndim, const int *shape,
                       const int64_t *bstrides, size_t itemsize);

/* ------------------------------------------------------------------ convert.c, access.c */

/* Wraps a (taking ownership of the handle) in a new mx.array; frees a on failure. */
PyObject *mxpy_array_wrap(mlx_array a);
/* Converts any supported Python value to an array (MLX's array(val, dtype) rules).
 * dtype NULL: inferred. *out must be an initialized handle. */
int mxpy_array_from_object(PyObject *o, const mlx_dtype *dtype, mlx_array *out);
/* Can o take part in arithmetic with arrays? (array, bool/int/float/complex, buffer) */
bool mxpy_is_operand(PyObject *o);
bool mxpy_is_scalar(PyObject *o);
/* A Python scalar next to an array of dtype `other`, using MLX's weak promotion. */
int mxpy_scalar_weak(PyObject *o, mlx_dtype other, mlx_array *out);
/* -1 with MLX's overflow error when the Python int o does not fit the integer dtype d. */
int mxpy_check_int_fits(PyObject *o, mlx_dtype d);
/* A scalar value stored as a 0-d array of dtype d. */
int mxpy_array_from_value(const mxpy_value *v, mlx_dtype d, mlx_array *out);
/* Evaluates a with the GIL released; RuntimeError on failure. */
int mxpy_eval_array(mlx_array a);
/* Same, through a new handle *keep (free it when done) that stays valid even if another thread
 * updates the Python object in place while the GIL is released. */
int mxpy_eval_keep(mlx_array a, mlx_array *keep);
/* Data pointer of an evaluated array (first element of its view). */
const char *mxpy_data_ptr(mlx_array a);
/* Byte strides of a (ndim entries written to out). */
void mxpy_byte_strides(mlx_array a, int64_t *out);
PyObject *mxpy_tolist(mlx_array a);
PyObject *mxpy_item(mlx_array a);
/* Row i of an evaluated array with ndim >= 1, as a new contiguous array. */
int mxpy_array_row(mlx_array a, Py_ssize_t i, mlx_array *out);

/* Integer lists (shapes, axes) */
typedef struct {
  int *data;
  size_t n;
  int buf[16];
} mxpy_ints;
void mxpy_ints_init(mxpy_ints *v);
void mxpy_ints_free(mxpy_ints *v);
/* Makes room for n ints in a freshly initialized list. */
int mxpy_ints_reserve(mxpy_ints *v, size_t n);
/* Parses an int or (when allow_int is false) only a sequence of ints into v. */
int mxpy_ints_from(PyObject *o, bool allow_int, const char *what, mxpy_ints *v);
/* int, or an object with __index__ (numpy integers); not bool, float or arrays. */
bool mxpy_is_int_like(PyObject *o);

/* ------------------------------------------------------------------ args.c */

/* The result of an op call: r wrapped on success (status 0), else the library's error raised
 * and r freed; s is freed either way. */
PyObject *mxpy_finish(int status, mlx_array r, mlx_stream s);
/* The same for n results r[0..n-1]: a tuple of them when tuple is true (else r[0] alone, n 1);
 * all freed on failure. */
PyObject *mxpy_finish_n(int status, mlx_array *r, int n, bool tuple, mlx_stream s);
/* o must be an mx.array (TypeError "fname(): what must be an mlx.core.array"); borrowed. */
int mxpy_array_arg(PyObject *o, const char *fname, const char *what, mlx_array *out);
/* The same, with None (or a missing argument) giving an empty handle. */
int mxpy_opt_array_arg(PyObject *o, const char *fname, const char *what, mlx_array *out);

/* ------------------------------------------------------------------ tree.c */

/* Appends every array leaf of tree to v (other leaves are skipped). */
int mxpy_tree_flatten(PyObject *tree, mlx_vector_array v);
/* A copy of tree whose array leaves are v[*pos], v[*pos + 1], ... in flattening order. */
PyObject *mxpy_tree_replace(PyObject *tree, mlx_vector_array v, size_t *pos);
/* tree with its array leaves replaced by slots that mxpy_tree_replace fills like arrays: keeps
 * a call's structure without keeping its arrays alive. */
PyObject *mxpy_tree_skeleton(PyObject *tree);

/* ------------------------------------------------------------------ repr.c */

PyObject *mxpy_array_repr(mlx_array a);

/* ------------------------------------------------------------------ print_opts.c */

int mxpy_print_opts_init(PyObject *m);
/* The precision set by set_printoptions / printoptions(); -1 = the library's format. */
int mxpy_print_precision(void);
/* repr in MLX's fixed format with that many decimals (a negative precision means 6). */
PyObject *mxpy_array_format_fixed(mlx_array arr, int precision);

/* ------------------------------------------------------------------ device_stream.c */

extern PyObject *mxpy_DeviceTypeEnum;
int mxpy_device_module_init(PyObject *m);
/* Stream argument: None, Stream, Device or DeviceType. Creates a new handle in *out. */
int mxpy_stream_arg(PyObject *o, mlx_stream *out);
/* Device argument: Device, DeviceType (or its int value). Creates a new handle in *out. */
int mxpy_device_arg(PyObject *o, mlx_device *out);
int mxpy_device_type_arg(PyObject *o, mlx_device_type *out);
PyObject *mxpy_device_object(mlx_device dev);
extern PyMethodDef mxpy_device_methods[];

/* ------------------------------------------------------------------ array.c / ops.c */

int mxpy_array_module_init(PyObject *m);
extern PyMethodDef mxpy_ops_methods[];
extern PyMethodDef mxpy_grad_methods[], mxpy_custom_methods[]; /* grad.c */
int mxpy_custom_init(PyObject *m); /* grad.c: the custom_function type */
PyTypeObject *mxpy_array_at_type(void); /* indexing_update.c: array.at's type (ArrayAt) */
/* Op families, one file each (python/src/ops_<family>.c): module functions and array methods. */
extern PyMethodDef mxpy_elementwise_methods[], mxpy_elementwise_array_methods[];
extern PyMethodDef mxpy_reduce_methods[], mxpy_reduce_array_methods[];
extern PyMethodDef mxpy_indexing_methods[], mxpy_indexing_array_methods[];
extern PyMethodDef mxpy_linalg_methods[], mxpy_linalg_array_methods[];
extern PyMethodDef mxpy_random_methods[], mxpy_random_array_methods[];
extern PyMethodDef mxpy_unique_methods[]; /* ops_unique.c */
/* indexing.c: the mapping slots of mlx.core.array. */
PyObject *mxpy_getitem(PyObject *self, PyObject *key);
int mxpy_setitem(PyObject *self, PyObject *key, PyObject *value);
/* Row i along axis 0 of an array object, as a new array object. */
PyObject *mxpy_row_object(PyObject *self, Py_ssize_t i);
/* Adds methods to mlx.core.array after PyType_Ready. */
int mxpy_array_add_methods(PyMethodDef *defs);

typedef int (*mxpy_binop_fn)(mlx_array *res, const mlx_array a, const mlx_array b,
                             const mlx_stream s);
/* Applies a binary op with MLX's scalar promotion. For operators (is_operator true), an
 * unsupported operand returns NotImplemented. */
PyObject *mxpy_binary(PyObject *a, PyObject *b, mxpy_binop_fn fn, PyObject *stream,
                      bool is_operator);
PyObject *mxpy_reshape_impl(mlx_array a, PyObject *shape, PyObject *stream);
PyObject *mxpy_transpose_impl(mlx_array a, PyObject *axes, PyObject *stream);
PyObject *mxpy_sum_impl(mlx_array a, PyObject *axis, int keepdims, PyObject *stream);
PyObject *mxpy_astype_impl(mlx_array a, PyObject *dtype, PyObject *stream, const char *fname);

/* ------------------------------------------------------------------ transforms.c, memory.c */

extern PyMethodDef mxpy_transforms_methods[];
extern PyMethodDef mxpy_memory_methods[];
int mxpy_submodules_init(PyObject *m);

/* ------------------------------------------------------------------ submodules and families */

/* Adds a submodule m.attr (importable as `full`) with these functions. */
int mxpy_add_submodule(PyObject *m, const char *attr, const char *full, PyMethodDef *methods,
                       const char *doc);
/* Model-op families (issue 6), each registering its own functions / submodule on mlx.core. */
int mxpy_conv_init(PyObject *m);     /* ops_conv.c: conv1d ... conv_transpose3d, convolve */
int mxpy_fast_init(PyObject *m);     /* ops_fast.c: mlx.core.fast */
int mxpy_lapack_init(PyObject *m);   /* ops_lapack.c: mlx.core.linalg */
int mxpy_fft_init(PyObject *m);      /* ops_fft.c: mlx.core.fft */
int mxpy_quant_init(PyObject *m);    /* ops_quant.c: quantize ... from_fp8 */
int mxpy_io_init(PyObject *m);       /* io.c: load, save, savez, save_safetensors, save_gguf */
int mxpy_compile_init(PyObject *m);  /* compile.c: compile, disable_compile, enable_compile */
/* ops_random.c: o is mx.random.state; sets the thread's key (compile's state swaps). */
bool mxpy_random_state_check(PyObject *o);
int mxpy_random_state_set(PyObject *key);

#endif
