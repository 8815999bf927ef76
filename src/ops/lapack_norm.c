/* linalg::norm: vector norms (any numeric order) over one axis and matrix norms ("fro", "nuc",
 * +-1, +-2, +-inf) over two, composed from elementwise ops, reductions and SVD, as MLX does.
 * Reductions keep their axes; the result is squeezed at the end unless keepdims. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "ops/lapack.h"
#include "ops/ops.h"

#define OP "linalg::norm"

/* *x = f(*x), releasing the old *x (also on failure, leaving NULL). */
static int step_rc(mx_array **x, int rc, mx_array *y) {
  mx_array_release(*x);
  *x = rc ? NULL : y;
  return rc;
}

typedef int (*reduce_fn)(mx_array **, mx_array *, const int *, int, bool, mx_stream);

static int reduce(mx_array **x, reduce_fn f, const int *ax, int n, mx_stream s) {
  mx_array *y = NULL;
  int rc = f(&y, *x, ax, n, true, s); /* before step_rc reads y */
  return step_rc(x, rc, y);
}

static int unary(mx_array **x, int (*f)(mx_array **, mx_array *, mx_stream), mx_stream s) {
  mx_array *y = NULL;
  int rc = f(&y, *x, s);
  return step_rc(x, rc, y);
}

/* *x = *x op scalar v (of *x's dtype). */
static int with_scalar(mx_array **x, int (*f)(mx_array **, mx_array *, mx_array *, mx_stream),
                       double v, mx_stream s) {
  mx_array *c = mx_array_scalar((mx_dtype)(*x)->dtype, v), *y = NULL;
  if (!c) return step_rc(x, MX_ERR, NULL);
  int rc = f(&y, *x, c, s);
  mx_array_release(c);
  return step_rc(x, rc, y);
}

static int sum_squares_sqrt(mx_array **x, const int *ax, int n, mx_stream s) {
  mx_array *sq = NULL;
  int rc = mx_multiply(&sq, *x, *x, s);
  step_rc(x, rc, sq);
  if (!rc) rc = reduce(x, mx_sum, ax, n, s);
  if (!rc) rc = unary(x, mx_sqrt, s);
  return rc;
}

static int vector_norm(mx_array **x, bool has_ord, double ord, int ax, mx_stream s) {
  if (!has_ord || ord == 2) return sum_squares_sqrt(x, &ax, 1, s);
  if (ord == 0) {
    mx_array *z = mx_array_scalar((mx_dtype)(*x)->dtype, 0), *nz = NULL, *f = NULL;
    mx_dtype t = (mx_dtype)(*x)->dtype;
    int rc = z ? mx_not_equal(&nz, *x, z, s) : MX_ERR;
    if (!rc) rc = mx_astype(&f, nz, t, s);
    mx_array_release(z);
    mx_array_release(nz);
    step_rc(x, rc, f);
    return rc ? rc : reduce(x, mx_sum, &ax, 1, s);
  }
  MX_TRY(unary(x, mx_abs, s));
  if (isinf(ord)) return reduce(x, ord > 0 ? mx_max : mx_min, &ax, 1, s);
  if (ord == 1) return reduce(x, mx_sum, &ax, 1, s);
  MX_TRY(with_scalar(x, mx_power, ord, s));
  MX_TRY(reduce(x, mx_sum, &ax, 1, s));
  return with_scalar(x, mx_power, 1.0 / ord, s);
}

/* Singular values of the (a0, a1) matrices, reduced with f over them; keeps both axes. */
static int singular_reduce(mx_array **x, int a0, int a1, reduce_fn f, mx_stream s) {
  int nd = (*x)->ndim, perm[MX_MAX_NDIM], k = 0;
  int32_t kshape[MX_MAX_NDIM];
  for (int d = 0; d < nd; d++) {
    kshape[d] = d == a0 || d == a1 ? 1 : (*x)->shape[d];
    if (d != a0 && d != a1) perm[k++] = d;
  }
  perm[k++] = a0;
  perm[k++] = a1;
  mx_array *t = NULL, *sv[3] = {NULL};
  int n = 0, last = -1;
  int rc = mx_transpose(&t, *x, perm, nd, s);
  if (!rc) rc = mx_linalg_svd(sv, &n, t, false, s);
  mx_array_release(t);
  step_rc(x, rc, sv[0]);
  if (!rc) rc = reduce(x, f, &last, 1, s);
  mx_array *r = NULL;
  if (!rc) rc = mx_reshape(&r, *x, nd, kshape, s);
  return step_rc(x, rc, r); /* releases the partial result on failure */
}

static int matrix_norm(mx_array **x, bool has_ord, double ord, const char *sord, int a0, int a1,
                       mx_stream s) {
  int both[2] = {a0, a1};
  if (sord) {
    if (!strcmp(sord, "fro")) return sum_squares_sqrt(x, both, 2, s);
    if (!strcmp(sord, "nuc")) return singular_reduce(x, a0, a1, mx_sum, s);
    mx_array_release(*x);
    *x = NULL;
    return mx_error("[%s] Invalid ord value '%s' for matrix norm.", OP, sord);
  }
  if (!has_ord) return sum_squares_sqrt(x, both, 2, s);
  if (ord == 2 || ord == -2) return singular_reduce(x, a0, a1, ord > 0 ? mx_max : mx_min, s);
  if (ord != 1 && ord != -1 && !isinf(ord)) {
    mx_array_release(*x);
    *x = NULL;
    return mx_error("[%s] Invalid ord %g for matrix norm.", OP, ord);
  }
  /* 1: max over columns of the column sums (sum over a0); inf: over rows (sum over a1) */
  bool cols = fabs(ord) == 1;
  int sum_ax = cols ? a0 : a1, red_ax = cols ? a1 : a0;
  MX_TRY(unary(x, mx_abs, s));
  MX_TRY(reduce(x, mx_sum, &sum_ax, 1, s));
  return reduce(x, ord > 0 ? mx_max : mx_min, &red_ax, 1, s);
}

int mx_linalg_norm(mx_array **out, mx_array *a, bool has_ord, double ord, const char *sord,
                   const int *axes, int naxes, bool keepdims, mx_stream s) {
  int ax[MX_MAX_NDIM], n = naxes, nd = a->ndim;
  if (!axes) {
    if (!has_ord && !sord) n = nd; /* the 2-norm of the flattened array */
    else if (nd > 2 || nd == 0) return mx_error("[%s] Received too many axes for norm.", OP);
    else n = nd;
    for (int i = 0; i < n; i++) ax[i] = i;
  } else {
    if (n > 2 || n < 1) return mx_error("[%s] Received too many axes for norm.", OP);
    for (int i = 0; i < n; i++) MX_TRY(mx_normalize_axis(OP, axes[i], nd, &ax[i]));
    if (n == 2 && ax[0] == ax[1]) return mx_error("[%s] Received duplicate axes.", OP);
  }
  if (sord && n != 2)
    return mx_error("[%s] Norm '%s' only supported for matrices, but received %d axis/axes.", OP,
                    sord, n);
  mx_dtype t = (mx_dtype)a->dtype;
  bool fl = t == MX_FLOAT16 || t == MX_BFLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64;
  /* complex64: the SVD takes it as is (float32 singular values); the other norms read
   * magnitudes only */
  bool spectral = n == 2 && ((sord && !strcmp(sord, "nuc")) || (has_ord && fabs(ord) == 2));
  mx_array *x = NULL;
  if (fl || (t == MX_COMPLEX64 && spectral)) x = mx_array_retain(a);
  else if (t == MX_COMPLEX64) MX_TRY(mx_abs(&x, a, s));
  else MX_TRY(mx_astype(&x, a, MX_FLOAT32, s));
  int rc;
  if (!axes && !has_ord && !sord) rc = sum_squares_sqrt(&x, ax, n, s);
  else if (n == 1) rc = vector_norm(&x, has_ord, ord, ax[0], s);
  else rc = matrix_norm(&x, has_ord, ord, sord, ax[0], ax[1], s);
  if (rc) {
    mx_array_release(x); /* NULL when the failing step already released it */
    return rc;
  }
  if (keepdims) {
    *out = x;
    return 0;
  }
  rc = mx_squeeze(out, x, ax, n, s);
  mx_array_release(x);
  return rc;
}
