/* mlx.core: the extension module (PyInit_core). */
#include "mlxpy.h"

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mlx.core",
    .m_doc = "mlx.core: MLX-compatible arrays on the mlxc C library.",
    .m_size = -1,
};


/* Names MLX binds to the same function objects as their originals (array API spellings). */
static const char *const aliases[][2] = {
    {"acos", "arccos"},
    {"acosh", "arccosh"},
    {"asin", "arcsin"},
    {"asinh", "arcsinh"},
    {"atan", "arctan"},
    {"atan2", "arctan2"},
    {"atanh", "arctanh"},
    {"bitwise_left_shift", "left_shift"},
    {"bitwise_right_shift", "right_shift"},
    {"pow", "power"},
    {"cumulative_sum", "cumsum"},
    {"cumulative_prod", "cumprod"},
};

static int add_aliases(PyObject *m) {
  for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
    PyObject *f = PyObject_GetAttrString(m, aliases[i][1]);
    if (!f || PyModule_AddObject(m, aliases[i][0], f) < 0) {
      Py_XDECREF(f);
      return -1;
    }
  }
  /* mx.matrix_norm is linalg.norm (MLX 0.32.4) */
  PyObject *linalg = PyObject_GetAttrString(m, "linalg");
  PyObject *norm = linalg ? PyObject_GetAttrString(linalg, "norm") : NULL;
  Py_XDECREF(linalg);
  if (!norm || PyModule_AddObject(m, "matrix_norm", norm) < 0) {
    Py_XDECREF(norm);
    return -1;
  }
  return 0;
}

PyMODINIT_FUNC PyInit_core(void) {
  mxpy_errors_init();
  PyObject *m = PyModule_Create(&core_module);
  if (!m) return NULL;
  PyMethodDef *tables[] = {mxpy_ops_methods,      mxpy_transforms_methods,  mxpy_memory_methods,
                           mxpy_device_methods,   mxpy_elementwise_methods, mxpy_reduce_methods,
                           mxpy_indexing_methods, mxpy_linalg_methods,      mxpy_random_methods,
                           mxpy_grad_methods,     mxpy_custom_methods,      mxpy_unique_methods};
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
      mxpy_fft_init(m) < 0 || mxpy_quant_init(m) < 0 ||
      mxpy_io_init(m) < 0 || mxpy_compile_init(m) < 0 || mxpy_custom_init(m) < 0)
    goto fail;
  { int mxpy_random_init(PyObject *m); if (mxpy_random_init(m) < 0) goto fail; }
  if (mxpy_print_opts_init(m) < 0 || add_aliases(m) < 0) goto fail;
  if (PyModule_AddStringConstant(m, "__version__", MLXPY_VERSION) < 0) goto fail;
  return m;
fail:
  Py_DECREF(m);
  return NULL;
}
