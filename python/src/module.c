/* mlx.core: the extension module (PyInit_core). */
#include "mlxpy.h"

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mlx.core",
    .m_doc = "mlx.core: MLX-compatible arrays on the mlxc C library.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_core(void) {
  mxpy_errors_init();
  PyObject *m = PyModule_Create(&core_module);
  if (!m) return NULL;
  PyMethodDef *tables[] = {mxpy_ops_methods,         mxpy_transforms_methods,
                           mxpy_memory_methods,      mxpy_device_methods,
                           mxpy_elementwise_methods, mxpy_reduce_methods,
                           mxpy_indexing_methods,    mxpy_linalg_methods,
                           mxpy_random_methods,      mxpy_grad_methods,
                           mxpy_custom_methods};
  PyMethodDef *array_tables[] = {mxpy_elementwise_array_methods, mxpy_reduce_array_methods,
                                 mxpy_indexing_array_methods, mxpy_linalg_array_methods,
                                 mxpy_random_array_methods};
  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
    if (PyModule_AddFunctions(m, tables[i]) < 0) goto fail;
  }
  if (mxpy_errors_add_types(m) < 0) goto fail;
  if (mxpy_dtype_module_init(m) < 0) goto fail;
  if (mxpy_device_module_init(m) < 0) goto fail;
  if (mxpy_array_module_init(m) < 0) goto fail;
  for (size_t i = 0; i < sizeof(array_tables) / sizeof(array_tables[0]); i++) {
    if (mxpy_array_add_methods(array_tables[i]) < 0) goto fail;
  }
  if (mxpy_submodules_init(m) < 0) goto fail;
  if (mxpy_conv_init(m) < 0 || mxpy_fast_init(m) < 0 || mxpy_lapack_init(m) < 0 ||
      mxpy_fft_init(m) < 0)
    goto fail;
  { int mxpy_random_init(PyObject *m); if (mxpy_random_init(m) < 0) goto fail; }
  if (PyModule_AddStringConstant(m, "__version__", MLXPY_VERSION) < 0) goto fail;
  return m;
fail:
  Py_DECREF(m);
  return NULL;
}
