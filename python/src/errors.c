/* mlx.core: library error messages -> Python exceptions.
 *
 * The library reports a failure by calling the installed error handler with a message and
 * returning a nonzero status. The handler runs in the failing thread (possibly with the GIL
 * released), so it only copies the message into a thread-local buffer; the caller turns it into
 * an exception once it holds the GIL again. */
#include "mlxpy.h"

#include <string.h>

#define MXPY_MSG_CAP 2048

static _Thread_local char tls_msg[MXPY_MSG_CAP];
static _Thread_local bool tls_has_msg;

PyObject *mxpy_AxisError;

static void error_handler(const char *msg, void *data) {
  (void)data;
  if (!msg) msg = "";
  size_t n = strlen(msg);
  if (n >= MXPY_MSG_CAP) n = MXPY_MSG_CAP - 1;
  memcpy(tls_msg, msg, n);
  tls_msg[n] = '\0';
  tls_has_msg = true;
}

void mxpy_errors_init(void) {
  mlx_set_error_handler(error_handler, NULL, NULL);
}

void mxpy_error_clear(void) {
  tls_has_msg = false;
  tls_msg[0] = '\0';
}

int mxpy_raise_lib(PyObject *exc) {
  const char *msg = tls_has_msg ? tls_msg : "[mlx] Operation failed (no message).";
  if (strstr(msg, "Invalid axis") || strstr(msg, "out of bounds for array with")) {
    exc = mxpy_AxisError;
  } else if (!strncmp(msg, "[eval] Attempting to eval", 25)) {
    exc = PyExc_ValueError; /* eval inside vmap/compile: MLX's invalid_argument */
  } else if (strstr(msg, "Failed to open file")) {
    exc = PyExc_RuntimeError; /* files: MLX's runtime_error */
  }
  PyErr_SetString(exc, msg);
  mxpy_error_clear();
  return -1;
}

int mxpy_errors_add_types(PyObject *m) {
  (void)m;
  /* Not exported as a module attribute (MLX has no such name); it is raised where MLX raises
   * IndexError for a bad axis, and it is also a ValueError like the other op errors. */
  PyObject *bases = PyTuple_Pack(2, PyExc_ValueError, PyExc_IndexError);
  if (!bases) return -1;
  mxpy_AxisError = PyErr_NewException("mlx.core.AxisError", bases, NULL);
  Py_DECREF(bases);
  return mxpy_AxisError ? 0 : -1;
}
