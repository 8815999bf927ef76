/* mlx.core: array printing in MLX's format.
 *
 *   array([[1, 2, 3],
 *          [4, 5, 6]], dtype=int32)
 *
 * Elements print like C++ streams with the default precision (printf "%g"), booleans as
 * True/False, complex as re+imj. Any dimension longer than 6 shows its first 3 and last 3
 * entries around "...". Nested rows are separated by ",\n" and indented to align with the
 * outer bracket. */
#include "mlxpy.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  char *p;
  size_t n, cap;
} sbuf;

static int sb_add(sbuf *sb, const char *s, size_t n) {
  if (sb->n + n + 1 > sb->cap) {
    size_t nc = sb->cap ? sb->cap : 256;
    while (nc < sb->n + n + 1) nc *= 2;
    char *q = (char *)PyMem_Realloc(sb->p, nc);
    if (!q) {
      PyErr_NoMemory();
      return -1;
    }
    sb->p = q;
    sb->cap = nc;
  }
  memcpy(sb->p + sb->n, s, n);
  sb->n += n;
  sb->p[sb->n] = '\0';
  return 0;
}

static int sb_str(sbuf *sb, const char *s) {
  return sb_add(sb, s, strlen(s));
}

static int sb_spaces(sbuf *sb, int k) {
  static const char sp[] = "                                                                ";
  while (k > 0) {
    int m = k > 64 ? 64 : k;
    if (sb_add(sb, sp, (size_t)m) < 0) return -1;
    k -= m;
  }
  return 0;
}

static int print_elem(sbuf *sb, const char *p, mlx_dtype dt) {
  mxpy_value v;
  char tmp[96];
  mxpy_read_elem(p, dt, &v);
  switch (v.kind) {
  case MXV_BOOL:
    return sb_str(sb, v.v.b ? "True" : "False");
  case MXV_INT:
    snprintf(tmp, sizeof(tmp), "%lld", (long long)v.v.i);
    break;
  case MXV_UINT:
    snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v.v.u);
    break;
  case MXV_FLOAT:
    snprintf(tmp, sizeof(tmp), "%g", v.v.f);
    break;
  case MXV_COMPLEX:
    snprintf(tmp, sizeof(tmp), "%g%s%gj", v.v.c.re, v.v.c.im < 0 ? "" : "+", v.v.c.im);
    break;
  }
  return sb_str(sb, tmp);
}

#define EDGE 3
#define MAX_FULL 6

static int print_rec(sbuf *sb, const char *p, int d, int nd, const int *shape, const int64_t *bs,
                     mlx_dtype dt) {
  if (d == nd) return print_elem(sb, p, dt);
  int n = shape[d];
  if (sb_str(sb, "[") < 0) return -1;
  bool summarize = n > MAX_FULL;
  bool first = true;
  for (int i = 0; i < n; i++) {
    if (summarize && i == EDGE) {
      /* the ellipsis entry, then jump to the tail */
      if (d + 1 == nd) {
        if (sb_str(sb, ", ...") < 0) return -1;
      } else {
        if (sb_str(sb, ",\n") < 0 || sb_spaces(sb, 7 + d) < 0 || sb_str(sb, "...") < 0) return -1;
      }
      i = n - EDGE;
    }
    if (!first) {
      if (d + 1 == nd) {
        if (sb_str(sb, ", ") < 0) return -1;
      } else {
        if (sb_str(sb, ",\n") < 0 || sb_spaces(sb, 7 + d) < 0) return -1;
      }
    }
    first = false;
    if (print_rec(sb, p + (int64_t)i * bs[d], d + 1, nd, shape, bs, dt) < 0) return -1;
  }
  return sb_str(sb, "]");
}

PyObject *mxpy_array_repr(mlx_array arr) {
  mlx_array a;
  if (mxpy_eval_keep(arr, &a) < 0) return NULL;
  int nd = (int)mlx_array_ndim(a);
  mlx_dtype dt = mlx_array_dtype(a);
  const int *shape = mlx_array_shape(a);
  int64_t bs_buf[16];
  int64_t *bs = nd <= 16 ? bs_buf : (int64_t *)PyMem_Malloc((size_t)nd * sizeof(int64_t));
  if (!bs) {
    mlx_array_free(a);
    return PyErr_NoMemory();
  }
  mxpy_byte_strides(a, bs);
  static const char zero[16] = {0};
  const char *p = mlx_array_size(a) ? mxpy_data_ptr(a) : zero;
  PyObject *r = NULL;
  sbuf sb = {NULL, 0, 0};
  if (!p) {
    PyErr_SetString(PyExc_RuntimeError, "[print] Array has no data.");
    goto done;
  }
  if (sb_str(&sb, "array(") < 0) goto done;
  if (print_rec(&sb, p, 0, nd, shape, bs, dt) < 0) goto done;
  if (sb_str(&sb, ", dtype=") < 0 || sb_str(&sb, mxpy_dtype_name(dt)) < 0 || sb_str(&sb, ")") < 0)
    goto done;
  r = PyUnicode_FromStringAndSize(sb.p, (Py_ssize_t)sb.n);
done:
  PyMem_Free(sb.p);
  if (bs != bs_buf) PyMem_Free(bs);
  mlx_array_free(a);
  return r;
}
