/* Rule cases of the lapack family (see rule_cases.h): Inverse (general and triangular),
 * Cholesky, QRF, SVD (with and without U, V), Eigh (values and vectors), LUF, Eig (values and
 * vectors). MLX 0.32.4 has no vjp / jvp for these, so only vmap is checked. Inputs are made well conditioned inside the cases
 * (a diagonal shift, symmetrized, or x x^T + shift for positive definite). */
#include "core/error.h"
#include "ops/lapack.h"

#define LAPACK_NO_GRAD "MLX has no vjp or jvp for this primitive (only vmap is checked)"

/* x (..., n, n) + 4 I. */
static int lp_shift(mx_array **out, mx_array *x, mx_stream s) {
  int n = x->shape[x->ndim - 1];
  double d[16] = {0};
  for (int i = 0; i < n && i < 4; i++) d[i * n + i] = 4.0;
  mx_array *e = mx_array_from_data(d, 2, (int32_t[]){n, n}, MX_FLOAT64);
  if (!e) return MX_ERR;
  int rc = mx_add(out, x, e, s);
  mx_array_release(e);
  return rc;
}

/* x x^T + 4 I: symmetric positive definite. */
static int lp_spd(mx_array **out, mx_array *x, mx_stream s) {
  mx_array *t = NULL, *p = NULL;
  int rc = mx_swapaxes(&t, x, -1, -2, s);
  if (!rc) rc = mx_matmul(&p, x, t, s);
  if (!rc) rc = lp_shift(out, p, s);
  mx_array_release(t);
  mx_array_release(p);
  return rc;
}

static int lpcase_inv(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *a = NULL;
  int rc = lp_shift(&a, x[0], s);
  if (!rc) rc = mx_linalg_inv(out, a, s);
  mx_array_release(a);
  return rc;
}

static int lpcase_tri_inv(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *a = NULL;
  int rc = lp_shift(&a, x[0], s);
  if (!rc) rc = mx_linalg_tri_inv(out, a, true, s);
  mx_array_release(a);
  return rc;
}

static int lpcase_cholesky(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *a = NULL;
  int rc = lp_spd(&a, x[0], s);
  if (!rc) rc = mx_linalg_cholesky(out, a, false, s);
  mx_array_release(a);
  return rc;
}

static int lpcase_qr(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_linalg_qr(&out[0], &out[1], x[0], s);
}

static int lpcase_svd(mx_array *const *x, mx_array **out, mx_stream s) {
  int n;
  return mx_linalg_svd(out, &n, x[0], true, s);
}

static int lpcase_svd_s(mx_array *const *x, mx_array **out, mx_stream s) {
  int n;
  return mx_linalg_svd(out, &n, x[0], false, s);
}

static int lpcase_eigh(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *a = NULL;
  int rc = lp_spd(&a, x[0], s);
  if (!rc) rc = mx_linalg_eigh(&out[0], &out[1], a, "U", s);
  mx_array_release(a);
  return rc;
}

static int lpcase_luf(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_linalg_lu_factor(&out[0], &out[1], x[0], s);
}

/* eig: the real and imaginary parts of w and V (complex64 outputs; the driver reads real parts). */
static int lpcase_eig(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *wv[2] = {NULL, NULL};
  int rc = mx_linalg_eig(&wv[0], &wv[1], x[0], s);
  if (!rc) rc = mx_real(&out[0], wv[0], s);
  if (!rc) rc = mx_imag(&out[1], wv[0], s);
  if (!rc) rc = mx_real(&out[2], wv[1], s);
  if (!rc) rc = mx_imag(&out[3], wv[1], s);
  mx_array_release(wv[0]);
  mx_array_release(wv[1]);
  return rc;
}

static int lpcase_eigvals(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *w = NULL;
  int rc = mx_linalg_eig(&w, NULL, x[0], s);
  if (!rc) rc = mx_real(&out[0], w, s);
  if (!rc) rc = mx_imag(&out[1], w, s);
  mx_array_release(w);
  return rc;
}

#define LP_CASE(prim, name, fn, nout, r, c)                                                        \
  {prim, name, fn, 1, nout, {2}, {{r, c}}, .lo = -1, .hi = 1, .flags = RULE_GRAD_SKIP,             \
   .why = LAPACK_NO_GRAD}

static const rule_case rule_cases_lapack[] = {
    LP_CASE(MX_PRIM_INVERSE, "inv", lpcase_inv, 1, 3, 3),
    LP_CASE(MX_PRIM_INVERSE, "tri_inv", lpcase_tri_inv, 1, 3, 3),
    LP_CASE(MX_PRIM_CHOLESKY, "cholesky", lpcase_cholesky, 1, 3, 3),
    LP_CASE(MX_PRIM_QRF, "qr", lpcase_qr, 2, 4, 3),
    LP_CASE(MX_PRIM_SVD, "svd", lpcase_svd, 3, 3, 4),
    LP_CASE(MX_PRIM_SVD, "svd_values", lpcase_svd_s, 1, 4, 3),
    LP_CASE(MX_PRIM_EIGH, "eigh", lpcase_eigh, 2, 3, 3),
    LP_CASE(MX_PRIM_LUF, "lu_factor", lpcase_luf, 2, 3, 3),
    LP_CASE(MX_PRIM_LUF, "lu_factor_wide", lpcase_luf, 2, 2, 4),
    LP_CASE(MX_PRIM_EIG, "eig", lpcase_eig, 4, 3, 3),
    LP_CASE(MX_PRIM_EIG, "eigvals", lpcase_eigvals, 2, 4, 4),
    RULE_END};
