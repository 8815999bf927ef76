/* mlx/c/linalg.h: mx.linalg through the lapack family's ops (src/ops/lapack.h). */
#include "api/api_ops.h"
#include "ops/lapack.h"


/* Stores two results; both handles are checked before anything is made. */
static int finish2(mlx_array *r0, mlx_array *r1, int rc, mx_array *o0, mx_array *o1) {
  if (rc) return mlx_api_fail();
  mlx_api_set_arr(r0, o0);
  mlx_api_set_arr(r1, o1);
  return 0;
}

static int finish_vec(mlx_vector_array *res, int rc, mx_array **outs, int n) {
  if (rc) return mlx_api_fail();
  mlx_array h[3];
  for (int i = 0; i < n; i++) h[i].ctx = outs[i];
  rc = mlx_vector_array_set_data(res, h, (size_t)n);
  for (int i = 0; i < n; i++) mx_array_release(outs[i]);
  return rc;
}

/* Two-output ops: res_0 doubles as OP_BEGIN's res. */
#define OP2_BEGIN(name, ...)                                                                       \
  mlx_array *res = res_0;                                                                          \
  OP_BEGIN(name, 1, __VA_ARGS__);                                                                  \
  if (!res_1) return mlx_api_error("[%s] Output handle is NULL.", op_);                            \
  mx_array *out1_ = NULL

int mlx_linalg_inv(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("linalg::inv", 1, a);
  OP_END(mx_linalg_inv(&out_, in_[0], st_));
}

int mlx_linalg_tri_inv(mlx_array *res, const mlx_array a, bool upper, const mlx_stream s) {
  OP_BEGIN("linalg::tri_inv", 1, a);
  OP_END(mx_linalg_tri_inv(&out_, in_[0], upper, st_));
}

int mlx_linalg_cholesky(mlx_array *res, const mlx_array a, bool upper, const mlx_stream s) {
  OP_BEGIN("linalg::cholesky", 1, a);
  OP_END(mx_linalg_cholesky(&out_, in_[0], upper, st_));
}

int mlx_linalg_cholesky_inv(mlx_array *res, const mlx_array a, bool upper, const mlx_stream s) {
  OP_BEGIN("linalg::cholesky_inv", 1, a);
  OP_END(mx_linalg_cholesky_inv(&out_, in_[0], upper, st_));
}

int mlx_linalg_pinv(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("linalg::pinv", 1, a);
  OP_END(mx_linalg_pinv(&out_, in_[0], st_));
}

int mlx_linalg_cross(mlx_array *res, const mlx_array a, const mlx_array b, int axis,
                     const mlx_stream s) {
  OP_BEGIN("linalg::cross", 2, a, b);
  OP_END(mx_linalg_cross(&out_, in_[0], in_[1], axis, st_));
}

int mlx_linalg_solve(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("linalg::solve", 2, a, b);
  OP_END(mx_linalg_solve(&out_, in_[0], in_[1], st_));
}

int mlx_linalg_solve_triangular(mlx_array *res, const mlx_array a, const mlx_array b, bool upper,
                                const mlx_stream s) {
  OP_BEGIN("linalg::solve_triangular", 2, a, b);
  OP_END(mx_linalg_solve_triangular(&out_, in_[0], in_[1], upper, st_));
}

int mlx_linalg_eigvalsh(mlx_array *res, const mlx_array a, const char *UPLO, const mlx_stream s) {
  OP_BEGIN("linalg::eigvalsh", 1, a);
  OP_END(mx_linalg_eigh(&out_, NULL, in_[0], UPLO, st_));
}

int mlx_linalg_eigh(mlx_array *res_0, mlx_array *res_1, const mlx_array a, const char *UPLO,
                    const mlx_stream s) {
  OP2_BEGIN("linalg::eigh", a);
  int rc = mx_linalg_eigh(&out_, &out1_, in_[0], UPLO, st_);
  return finish2(res_0, res_1, rc, out_, out1_);
}

int mlx_linalg_eigvals(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("linalg::eigvals", 1, a);
  OP_END(mx_linalg_eig(&out_, NULL, in_[0], st_));
}

int mlx_linalg_eig(mlx_array *res_0, mlx_array *res_1, const mlx_array a, const mlx_stream s) {
  OP2_BEGIN("linalg::eig", a);
  int rc = mx_linalg_eig(&out_, &out1_, in_[0], st_);
  return finish2(res_0, res_1, rc, out_, out1_);
}

int mlx_linalg_qr(mlx_array *res_0, mlx_array *res_1, const mlx_array a, const mlx_stream s) {
  OP2_BEGIN("linalg::qr", a);
  int rc = mx_linalg_qr(&out_, &out1_, in_[0], st_);
  return finish2(res_0, res_1, rc, out_, out1_);
}

int mlx_linalg_lu_factor(mlx_array *res_0, mlx_array *res_1, const mlx_array a,
                         const mlx_stream s) {
  OP2_BEGIN("linalg::lu_factor", a);
  int rc = mx_linalg_lu_factor(&out_, &out1_, in_[0], st_);
  return finish2(res_0, res_1, rc, out_, out1_);
}

/* The common start of the vector-result ops: output handle, input, stream. */
static int vec_begin(const char *op, mlx_vector_array *res, const mlx_array a, mlx_stream s,
                     mx_array **in, mx_stream *st) {
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  if (mlx_api_get_arrays(op, &a, in, 1)) return 1;
  return mlx_api_stream(op, s, st);
}

int mlx_linalg_lu(mlx_vector_array *res, const mlx_array a, const mlx_stream s) {
  mx_array *in = NULL, *o[3];
  mx_stream st;
  if (vec_begin("linalg::lu", res, a, s, &in, &st)) return 1;
  return finish_vec(res, mx_linalg_lu(o, in, st), o, 3);
}

int mlx_linalg_svd(mlx_vector_array *res, const mlx_array a, bool compute_uv,
                   const mlx_stream s) {
  mx_array *in = NULL, *o[3];
  mx_stream st;
  int n = 0;
  if (vec_begin("linalg::svd", res, a, s, &in, &st)) return 1;
  int rc = mx_linalg_svd(o, &n, in, compute_uv, st); /* sets n: before finish_vec reads it */
  return finish_vec(res, rc, o, n);
}

static int norm_axes(const char *op, const int *axis, size_t n) {
  return axis ? mlx_api_check_shape(op, axis, n) : 0;
}

int mlx_linalg_norm(mlx_array *res, const mlx_array a, double ord, const int *axis,
                    size_t axis_num, bool keepdims, const mlx_stream s) {
  OP_BEGIN("linalg::norm", 1, a);
  if (norm_axes(op_, axis, axis_num)) return 1;
  OP_END(mx_linalg_norm(&out_, in_[0], true, ord, NULL, axis, (int)axis_num, keepdims, st_));
}

int mlx_linalg_norm_matrix(mlx_array *res, const mlx_array a, const char *ord, const int *axis,
                           size_t axis_num, bool keepdims, const mlx_stream s) {
  OP_BEGIN("linalg::norm", 1, a);
  if (norm_axes(op_, axis, axis_num)) return 1;
  if (!ord) return mlx_api_error("[linalg::norm] Order string is NULL.");
  OP_END(mx_linalg_norm(&out_, in_[0], false, 0, ord, axis, (int)axis_num, keepdims, st_));
}

int mlx_linalg_norm_l2(mlx_array *res, const mlx_array a, const int *axis, size_t axis_num,
                       bool keepdims, const mlx_stream s) {
  OP_BEGIN("linalg::norm", 1, a);
  if (norm_axes(op_, axis, axis_num)) return 1;
  OP_END(mx_linalg_norm(&out_, in_[0], false, 0, NULL, axis, (int)axis_num, keepdims, st_));
}
