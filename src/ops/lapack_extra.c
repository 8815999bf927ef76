/* linalg::pinv (through SVD) and linalg::cross (slices and elementwise products), composed as
 * MLX composes them. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ops/lapack.h"
#include "ops/ops.h"

static void release_n(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]);
}

/* The first n entries of axis ax (negative counts from the end) of a. */
static int head(mx_array **out, mx_array *a, int ax, int n, mx_stream s) {
  int nd = a->ndim, start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
  for (int d = 0; d < nd; d++) stop[d] = a->shape[d], step[d] = 1;
  stop[ax < 0 ? nd + ax : ax] = n;
  return mx_slice(out, a, start, stop, step, nd, s);
}

int mx_linalg_pinv(mx_array **out, mx_array *a, mx_stream s) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t != MX_FLOAT32 && t != MX_FLOAT64)
    return mx_error("[linalg::pinv] Arrays must have type float32 or float64. Received array "
                    "with type %s.",
                    mx_dtype_name(t));
  if (a->ndim < 2)
    return mx_error("[linalg::pinv] Arrays must have >= 2 dimensions. Received array with %d "
                    "dimensions.",
                    a->ndim);
  int32_t M = a->shape[a->ndim - 2], N = a->shape[a->ndim - 1], K = M < N ? M : N;
  if (K == 0) { /* no singular values: the (..., N, M) zero matrix */
    int32_t shape[MX_MAX_NDIM];
    memcpy(shape, a->shape, sizeof(int32_t) * (size_t)a->ndim);
    shape[a->ndim - 2] = N, shape[a->ndim - 1] = M;
    return mx_zeros(out, a->ndim, shape, t, s);
  }
  /* pinv = V[:, :K] diag(1 / s) U[:, :K]^T, singular values below max(s) max(M, N) eps
   * dropped */
  mx_array *usv[3] = {NULL}, *v[12] = {NULL};
  int n = 0, last = -1;
  double eps = t == MX_FLOAT32 ? FLT_EPSILON : DBL_EPSILON;
  int rc = mx_linalg_svd(usv, &n, a, true, s);
  if (!rc) rc = mx_max(&v[0], usv[1], &last, 1, true, s);
  v[1] = mx_array_scalar(t, eps * (M > N ? M : N));
  v[2] = mx_array_scalar(t, 0);
  if (!v[1] || !v[2]) rc = MX_ERR;
  if (!rc) rc = mx_multiply(&v[3], v[0], v[1], s); /* cutoff */
  if (!rc) rc = mx_greater(&v[4], usv[1], v[3], s);
  if (!rc) rc = mx_reciprocal(&v[5], usv[1], s);
  if (!rc) rc = mx_where(&v[6], v[4], v[5], v[2], s); /* (..., K) */
  if (!rc) rc = head(&v[7], usv[2], -2, K, s);         /* Vt[:K] (..., K, N) */
  if (!rc) rc = mx_swapaxes(&v[8], v[7], -1, -2, s);   /* (..., N, K) */
  if (!rc) rc = mx_expand_dims(&v[9], v[6], (int[]){-2}, 1, s);
  if (!rc) rc = mx_multiply(&v[10], v[8], v[9], s);
  if (!rc) rc = head(&v[11], usv[0], -1, K, s); /* U[:, :K] (..., M, K) */
  mx_array *ut = NULL;
  if (!rc) rc = mx_swapaxes(&ut, v[11], -1, -2, s);
  if (!rc) rc = mx_matmul(out, v[10], ut, s);
  mx_array_release(ut);
  release_n(usv, 3);
  release_n(v, 12);
  return rc;
}

/* c = x - y where either may be NULL (a product with a missing third component, zero); zero:
 * a zero of the broadcast shape and result dtype. */
static int diff_or_zero(mx_array **c, mx_array *x, mx_array *y, mx_array *zero, mx_stream s) {
  if (x && y) return mx_subtract(c, x, y, s);
  if (y) return mx_negative(c, y, s);
  *c = mx_array_retain(x ? x : zero);
  return 0;
}

static int cross_axis(mx_array *x, int axis, int *ax) {
  if (axis < -x->ndim || axis >= x->ndim)
    return mx_error("[linalg::cross] Axis %d is out of bounds for array with %d dimensions.", axis,
                    x->ndim);
  *ax = axis < 0 ? axis + x->ndim : axis;
  return 0;
}

int mx_linalg_cross(mx_array **out, mx_array *a, mx_array *b, int axis, mx_stream s) {
  int aa = 0, ab = 0;
  MX_TRY(cross_axis(a, axis, &aa));
  MX_TRY(cross_axis(b, axis, &ab));
  int na = a->shape[aa], nb = b->shape[ab];
  if ((na != 2 && na != 3) || (nb != 2 && nb != 3))
    return mx_error("[linalg::cross] The specified axis must have size 2 or 3.");
  /* components; a size-2 vector has a zero third one (NULL) */
  mx_array **pa = NULL, **pb = NULL, *A[3] = {NULL}, *B[3] = {NULL}, *c[3] = {NULL};
  mx_array *z0 = NULL, *zero = NULL;
  int ka = 0, kb = 0;
  int rc = mx_split(&pa, &ka, a, na, NULL, 0, axis, s);
  if (!rc) rc = mx_split(&pb, &kb, b, nb, NULL, 0, axis, s);
  for (int i = 0; !rc && i < 3; i++) {
    A[i] = i < ka ? pa[i] : NULL;
    B[i] = i < kb ? pb[i] : NULL;
  }
  if (!rc && na == 2 && nb == 2) { /* c0 = c1 = 0 */
    rc = mx_multiply(&z0, A[0], B[0], s);
    if (!rc) rc = mx_zeros(&zero, z0->ndim, z0->shape, (mx_dtype)z0->dtype, s);
  }
  /* c_i = a_j b_k - a_k b_j, (i, j, k) cyclic */
  for (int i = 0; !rc && i < 3; i++) {
    int j = (i + 1) % 3, k = (i + 2) % 3;
    mx_array *p = NULL, *q = NULL;
    if (A[j] && B[k]) rc = mx_multiply(&p, A[j], B[k], s);
    if (!rc && A[k] && B[j]) rc = mx_multiply(&q, A[k], B[j], s);
    if (!rc) rc = diff_or_zero(&c[i], p, q, zero, s);
    mx_array_release(p);
    mx_array_release(q);
  }
  if (!rc) rc = mx_concatenate(out, c, 3, axis, s);
  release_n(c, 3);
  mx_array_release(z0);
  mx_array_release(zero);
  if (pa) release_n(pa, ka);
  if (pb) release_n(pb, kb);
  free(pa);
  free(pb);
  return rc;
}
