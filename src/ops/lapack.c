/* Ops of the lapack family (mx.linalg): the factorization primitives' ops and output_shapes,
 * and the ops MLX composes from them (tri_inv, cholesky_inv, solve, solve_triangular, lu). */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/lapack.h"
#include "ops/ops.h"

/* ------------------------------------------------------------------ output_shapes */

/* The input's shape with its last two dims dropped: the batch. */
static int batch_of(mx_array *const *in, int32_t *shape) {
  int nb = in[0]->ndim - 2;
  memcpy(shape, in[0]->shape, (size_t)nb * sizeof(int32_t));
  return nb;
}

static int set_shape(int *ndims, int32_t (*shapes)[MX_MAX_NDIM], int i, mx_array *const *in,
                     int ntail, int32_t d0, int32_t d1) {
  int nb = batch_of(in, shapes[i]);
  if (ntail > 0) shapes[i][nb] = d0;
  if (ntail > 1) shapes[i][nb + 1] = d1;
  ndims[i] = nb + ntail;
  return 0;
}

int mx_shapes_qrf(const void *params, mx_array *const *in, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  int32_t M = in[0]->shape[in[0]->ndim - 2], N = in[0]->shape[in[0]->ndim - 1];
  int32_t K = M < N ? M : N;
  set_shape(ndims, shapes, 0, in, 2, M, K);
  return set_shape(ndims, shapes, 1, in, 2, K, N);
}

int mx_shapes_svd(const void *params, mx_array *const *in, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  int32_t M = in[0]->shape[in[0]->ndim - 2], N = in[0]->shape[in[0]->ndim - 1];
  int32_t K = M < N ? M : N;
  if (!((const mx_svd_params *)params)->compute_uv) return set_shape(ndims, shapes, 0, in, 1, K, 0);
  set_shape(ndims, shapes, 0, in, 2, M, M);
  set_shape(ndims, shapes, 1, in, 1, K, 0);
  return set_shape(ndims, shapes, 2, in, 2, N, N);
}

int mx_shapes_eigh(const void *params, mx_array *const *in, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  int32_t N = in[0]->shape[in[0]->ndim - 1];
  set_shape(ndims, shapes, 0, in, 1, N, 0);
  if (((const mx_eigh_params *)params)->vectors) set_shape(ndims, shapes, 1, in, 2, N, N);
  return 0;
}

int mx_shapes_eig(const void *params, mx_array *const *in, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  int32_t N = in[0]->shape[in[0]->ndim - 1];
  set_shape(ndims, shapes, 0, in, 1, N, 0);
  if (((const mx_eig_params *)params)->vectors) set_shape(ndims, shapes, 1, in, 2, N, N);
  return 0;
}

int mx_shapes_luf(const void *params, mx_array *const *in, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  int32_t M = in[0]->shape[in[0]->ndim - 2], N = in[0]->shape[in[0]->ndim - 1];
  set_shape(ndims, shapes, 0, in, 2, M, N);
  set_shape(ndims, shapes, 1, in, 1, M < N ? M : N, 0);
  return set_shape(ndims, shapes, 2, in, 1, M, 0);
}

/* ------------------------------------------------------------------ checks and node making */

/* Dtype (float32 or float64; also complex64 when cx), rank and, with square, shape checks. */
static int check_matrix_cx(const char *op, mx_array *a, bool square, const char *sq_msg,
                           bool cx) {
  mx_dtype t = (mx_dtype)a->dtype;
  if (t != MX_FLOAT32 && t != MX_FLOAT64 && !(cx && t == MX_COMPLEX64))
    return mx_error("[%s] Arrays must have type float32%s float64%s. Received array with type %s.",
                    op, cx ? "," : " or", cx ? " or complex64" : "", mx_dtype_name(t));
  if (a->ndim < 2)
    return mx_error("[%s] Arrays must have >= 2 dimensions. Received array with %d dimensions.",
                    op, a->ndim);
  if (square && a->shape[a->ndim - 1] != a->shape[a->ndim - 2]) return mx_error("[%s] %s", op, sq_msg);
  return 0;
}

static int check_matrix(const char *op, mx_array *a, bool square, const char *sq_msg) {
  return check_matrix_cx(op, a, square, sq_msg, false);
}

/* A node of prim on a with params; outputs in outs (dtypes: the input's, uint32 for LUF's
 * index outputs). */
static int make(int prim, const void *params, size_t psize, mx_array *a, mx_array **outs,
                mx_stream s) {
  int nd[4];
  int32_t shapes[4][MX_MAX_NDIM];
  const int32_t *sp[4];
  mx_dtype dt[4];
  if (mx_prim_output_shapes(prim, params, &a, 1, nd, shapes)) return MX_ERR;
  int nout = prim == MX_PRIM_QRF ? 2 : prim == MX_PRIM_LUF ? 3 : 1;
  if (prim == MX_PRIM_SVD && ((const mx_svd_params *)params)->compute_uv) nout = 3;
  if (prim == MX_PRIM_EIGH && ((const mx_eigh_params *)params)->vectors) nout = 2;
  if (prim == MX_PRIM_EIG && ((const mx_eig_params *)params)->vectors) nout = 2;
  for (int i = 0; i < nout; i++) {
    sp[i] = shapes[i];
    dt[i] = prim == MX_PRIM_LUF && i > 0 ? MX_UINT32
            : prim == MX_PRIM_EIG        ? MX_COMPLEX64
                                         : (mx_dtype)a->dtype;
  }
  /* complex64 input: the singular values and Hermitian eigenvalues are float32 */
  if (a->dtype == MX_COMPLEX64 && prim == MX_PRIM_SVD) dt[nout == 3 ? 1 : 0] = MX_FLOAT32;
  if (a->dtype == MX_COMPLEX64 && prim == MX_PRIM_EIGH) dt[0] = MX_FLOAT32;
  return mx_node_new(prim, params, psize, &a, 1, nout, nd, sp, dt, s, outs);
}

static int make1(int prim, const void *params, size_t psize, mx_array *a, mx_array **out,
                 mx_stream s) {
  return make(prim, params, psize, a, out, s);
}

/* ------------------------------------------------------------------ primitives' ops */

static int inverse(const char *op, mx_array **out, mx_array *a, bool tri, bool upper,
                   mx_stream s) {
  MX_TRY(check_matrix(op, a, true, "Inverses are only defined for square matrices."));
  mx_inverse_params p = {tri, upper};
  return make1(MX_PRIM_INVERSE, &p, sizeof p, a, out, s);
}

int mx_linalg_inv(mx_array **out, mx_array *a, mx_stream s) {
  return inverse("linalg::inv", out, a, false, false, s);
}

int mx_linalg_tri_inv(mx_array **out, mx_array *a, bool upper, mx_stream s) {
  return inverse("linalg::tri_inv", out, a, true, upper, s);
}

int mx_linalg_cholesky(mx_array **out, mx_array *a, bool upper, mx_stream s) {
  MX_TRY(check_matrix("linalg::cholesky", a, true,
                      "Cholesky decomposition is only defined for square matrices."));
  mx_cholesky_params p = {upper};
  return make1(MX_PRIM_CHOLESKY, &p, sizeof p, a, out, s);
}

int mx_linalg_qr(mx_array **q, mx_array **r, mx_array *a, mx_stream s) {
  MX_TRY(check_matrix("linalg::qr", a, false, NULL));
  mx_array *o[2];
  MX_TRY(make(MX_PRIM_QRF, NULL, 0, a, o, s));
  *q = o[0];
  *r = o[1];
  return 0;
}

int mx_linalg_svd(mx_array **outs, int *nout, mx_array *a, bool compute_uv, mx_stream s) {
  if (a->ndim < 2) /* MLX's wording for svd */
    return mx_error("[linalg::svd] Input array must have >= 2 dimensions. Received array with %d "
                    "dimensions.",
                    a->ndim);
  MX_TRY(check_matrix_cx("linalg::svd", a, false, NULL, true));
  mx_svd_params p = {compute_uv};
  MX_TRY(make(MX_PRIM_SVD, &p, sizeof p, a, outs, s));
  *nout = compute_uv ? 3 : 1;
  return 0;
}

int mx_linalg_eigh(mx_array **w, mx_array **v, mx_array *a, const char *uplo, mx_stream s) {
  const char *op = v ? "linalg::eigh" : "linalg::eigvalsh";
  MX_TRY(check_matrix_cx(op, a, true, "Only defined for square matrices.", true));
  if (!uplo || strlen(uplo) != 1 || (uplo[0] != 'L' && uplo[0] != 'U'))
    return mx_error("[%s] UPLO must be 'L' or 'U'.", op);
  mx_eigh_params p;
  memset(&p, 0, sizeof p);
  p.vectors = v != NULL;
  p.uplo = uplo[0];
  mx_array *o[2];
  MX_TRY(make(MX_PRIM_EIGH, &p, sizeof p, a, o, s));
  *w = o[0];
  if (v) *v = o[1];
  return 0;
}

int mx_linalg_eig(mx_array **w, mx_array **v, mx_array *a, mx_stream s) {
  const char *op = v ? "linalg::eig" : "linalg::eigvals";
  MX_TRY(check_matrix_cx(op, a, true, "Only defined for square matrices.", true));
  mx_eig_params p = {v != NULL};
  mx_array *o[2];
  MX_TRY(make(MX_PRIM_EIG, &p, sizeof p, a, o, s));
  *w = o[0];
  if (v) *v = o[1];
  return 0;
}

static int luf(const char *op, mx_array **o, mx_array *a, mx_stream s) {
  MX_TRY(check_matrix(op, a, false, NULL));
  return make(MX_PRIM_LUF, NULL, 0, a, o, s);
}

int mx_linalg_lu_factor(mx_array **lu, mx_array **pivots, mx_array *a, mx_stream s) {
  mx_array *o[3];
  MX_TRY(luf("linalg::lu_factor", o, a, s));
  *lu = o[0];
  *pivots = o[1];
  mx_array_release(o[2]);
  return 0;
}

/* ------------------------------------------------------------------ composed ops */

int mx_linalg_lu(mx_array **outs, mx_array *a, mx_stream s) {
  mx_array *o[3], *l0 = NULL;
  MX_TRY(luf("linalg::lu", o, a, s));
  int32_t M = a->shape[a->ndim - 2], N = a->shape[a->ndim - 1], K = M < N ? M : N;
  int nd = a->ndim;
  int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
  for (int d = 0; d < nd; d++) stop[d] = a->shape[d], step[d] = 1;
  /* L: the unit lower triangle of the first K columns; U: the upper triangle of the first K
   * rows */
  stop[nd - 1] = K;
  int rc = mx_slice(&l0, o[0], start, stop, step, nd, s);
  mx_array *lt = NULL, *l = NULL, *ut = NULL;
  if (!rc) rc = mx_tril(&lt, l0, -1, s);
  mx_array_release(l0);
  l0 = NULL;
  if (!rc) {
    /* ones on the diagonal: an (M, K) identity pattern */
    mx_array *i0 = NULL, *i1 = NULL, *one = NULL;
    rc = mx_ones(&one, 2, (int32_t[]){M, K}, (mx_dtype)a->dtype, s);
    if (!rc) rc = mx_tril(&i0, one, 0, s);
    if (!rc) rc = mx_triu(&i1, i0, 0, s);
    if (!rc) rc = mx_add(&l, lt, i1, s);
    mx_array_release(one);
    mx_array_release(i0);
    mx_array_release(i1);
  }
  stop[nd - 1] = N;
  stop[nd - 2] = K;
  if (!rc) rc = mx_slice(&l0, o[0], start, stop, step, nd, s);
  if (!rc) rc = mx_triu(&ut, l0, 0, s);
  mx_array_release(l0);
  mx_array_release(lt);
  mx_array_release(o[0]);
  mx_array_release(o[1]);
  if (rc) {
    mx_array_release(o[2]);
    mx_array_release(l);
    mx_array_release(ut);
    return rc;
  }
  outs[0] = o[2];
  outs[1] = l;
  outs[2] = ut;
  return 0;
}

int mx_linalg_cholesky_inv(mx_array **out, mx_array *a, bool upper, mx_stream s) {
  MX_TRY(check_matrix("linalg::cholesky_inv", a, true,
                      "Cholesky inverse is only defined for square matrices."));
  /* A = L L^T (lower) or U^T U: A^-1 = L^-T L^-1 or U^-1 U^-T */
  mx_array *li = NULL, *lt = NULL;
  int rc = mx_linalg_tri_inv(&li, a, upper, s);
  if (!rc) rc = mx_swapaxes(&lt, li, -1, -2, s);
  if (!rc) rc = upper ? mx_matmul(out, li, lt, s) : mx_matmul(out, lt, li, s);
  mx_array_release(li);
  mx_array_release(lt);
  return rc;
}

/* out = inv(a) @ b: b a vector (1-D) or a batch of matrices, broadcast against a's batch (as
 * numpy 2; MLX takes b as a vector only when it is 1-D too). */
static int apply_inverse(const char *op, mx_array **out, mx_array *ai, mx_array *a, mx_array *b,
                         mx_stream s) {
  int32_t n = a->shape[a->ndim - 1];
  int32_t bn = b->ndim < 1 ? -1 : b->shape[b->ndim == 1 ? 0 : b->ndim - 2];
  if (bn != n) {
    char sa[256], sb[256];
    return mx_error("[%s] Last dimension of first input with shape %s must match second to last "
                    "dimension of second input with shape %s.",
                    op, mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, b->ndim, b->shape));
  }
  return mx_matmul(out, ai, b, s); /* a 1-D b is a vector there too */
}

static int solve_with(const char *op, mx_array **out, mx_array *a, mx_array *b, bool tri,
                      bool upper, mx_stream s) {
  if (a->ndim < 2)
    return mx_error("[%s] First input must have >= 2 dimensions. Received array with %d "
                    "dimensions.",
                    op, a->ndim);
  if (a->shape[a->ndim - 1] != a->shape[a->ndim - 2]) {
    char sa[256];
    return mx_error("[%s] First input must be a square matrix. Received array with shape %s.", op,
                    mx_shape_str(sa, sizeof sa, a->ndim, a->shape));
  }
  MX_TRY(check_matrix(op, a, false, NULL)); /* square: checked above */
  /* b may be any real dtype: it takes the promoted type (float32 or float64 as a is) */
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (t != MX_FLOAT32 && t != MX_FLOAT64)
    return mx_error("[%s] Arrays must have type float32 or float64. Received array with type "
                    "%s.",
                    op, mx_dtype_name((mx_dtype)b->dtype));
  mx_array *ac = NULL, *bc = NULL, *ai = NULL;
  int rc = mx_astype(&ac, a, t, s);
  if (!rc) rc = mx_astype(&bc, b, t, s);
  if (!rc) rc = inverse(op, &ai, ac, tri, upper, s);
  if (!rc) rc = apply_inverse(op, out, ai, ac, bc, s);
  mx_array_release(ac);
  mx_array_release(bc);
  mx_array_release(ai);
  return rc;
}

int mx_linalg_solve(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return solve_with("linalg::solve", out, a, b, false, false, s);
}

int mx_linalg_solve_triangular(mx_array **out, mx_array *a, mx_array *b, bool upper,
                               mx_stream s) {
  return solve_with("linalg::solve_triangular", out, a, b, true, upper, s);
}
