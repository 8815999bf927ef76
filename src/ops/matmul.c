/* Matrix multiplication with numpy's vector and batch-broadcast rules. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

/* A batched a (batch..., M, K) times a matrix b (K, N) is one (batch * M, K) x (K, N) product:
 * the rows of a stacked (a reshape: a view of a row-contiguous a). Broadcasting b instead would
 * make its gradient a batch of products summed afterwards (a (batch, K, N) intermediate and
 * small products: the weight gradients of nn.Linear on 3-d inputs). Returns 1 when the product
 * folds, with flat the shape of a's reshape and folded (a->ndim dims) the result's shape. */
int mx_matmul_fold(const mx_array *a, const mx_array *b, int32_t flat[2], int32_t *folded) {
  if (a->ndim <= 2 || b->ndim != 2) return 0;
  int64_t n = 1;
  for (int d = 0; d < a->ndim - 1; d++) n *= a->shape[d];
  if (n > INT32_MAX) return 0;
  flat[0] = (int32_t)n, flat[1] = a->shape[a->ndim - 1];
  memcpy(folded, a->shape, (size_t)(a->ndim - 1) * sizeof(int32_t));
  folded[a->ndim - 1] = b->shape[1];
  return 1;
}

/* a (..., M, K) @ b (..., K, N) -> (..., M, N). A 1-d a is (1, K) and a 1-d b is (K, 1); the
 * added dimension is removed from the result. Batch dims broadcast. */
int mx_matmul(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error("[matmul] Got 0 dimension input. Inputs must have at least one dimension.");
  if (a->ndim > MX_MAX_NDIM || b->ndim > MX_MAX_NDIM)
    return mx_error("[matmul] Too many dimensions.");
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (!mx_dtype_is_inexact(t))
    return mx_error("[matmul] Only inexact types are supported but %s and %s were provided which "
                    "results in %s, which is not a floating point type.",
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype),
                    mx_dtype_name(t));

  int32_t as[MX_MAX_NDIM + 1], bs[MX_MAX_NDIM + 1];
  int an = a->ndim, bn = b->ndim;
  memcpy(as, a->shape, (size_t)an * sizeof(int32_t));
  memcpy(bs, b->shape, (size_t)bn * sizeof(int32_t));
  bool a_vec = an == 1, b_vec = bn == 1;
  if (a_vec) as[1] = as[0], as[0] = 1, an = 2;
  if (b_vec) bs[1] = 1, bn = 2;
  if (as[an - 1] != bs[bn - 2]) {
    char sa[512], sb[512];
    return mx_error("[matmul] Last dimension of first input with shape %s must match second to "
                    "last dimension of second input with shape %s.",
                    mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, b->ndim, b->shape));
  }
  int32_t batch[MX_MAX_NDIM];
  int nb;
  MX_TRY(mx_broadcast_shapes("matmul", an - 2, as, bn - 2, bs, &nb, batch));
  if (nb + 2 > MX_MAX_NDIM) return mx_error("[matmul] Too many dimensions.");
  int32_t flat[2], folded[MX_MAX_NDIM];
  if (mx_matmul_fold(a, b, flat, folded)) {
    mx_array *a2 = NULL, *prod2 = NULL;
    int rc = mx_reshape(&a2, a, 2, flat, s);
    if (!rc) rc = mx_matmul(&prod2, a2, b, s);
    if (!rc) rc = mx_reshape(out, prod2, a->ndim, folded, s);
    mx_array_release(a2);
    mx_array_release(prod2);
    return rc;
  }

  /* Inputs: cast, add vector dims, broadcast batch dims. */
  int32_t full_a[MX_MAX_NDIM], full_b[MX_MAX_NDIM], out_shape[MX_MAX_NDIM];
  memcpy(full_a, batch, (size_t)nb * sizeof(int32_t));
  memcpy(full_b, batch, (size_t)nb * sizeof(int32_t));
  full_a[nb] = as[an - 2], full_a[nb + 1] = as[an - 1];
  full_b[nb] = bs[bn - 2], full_b[nb + 1] = bs[bn - 1];

  mx_array *ca = NULL, *cb = NULL, *ra = NULL, *rb = NULL, *in[2] = {NULL, NULL}, *prod = NULL;
  int rc = mx_astype(&ca, a, t, s);
  if (!rc) rc = mx_astype(&cb, b, t, s);
  if (!rc) rc = mx_reshape(&ra, ca, an, as, s);
  if (!rc) rc = mx_reshape(&rb, cb, bn, bs, s);
  if (!rc) rc = mx_broadcast_to(&in[0], ra, nb + 2, full_a, s);
  if (!rc) rc = mx_broadcast_to(&in[1], rb, nb + 2, full_b, s);
  if (!rc) {
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_MATMUL, NULL, in, 2, &ndim, shape);
    if (!rc) {
      prod = mx_array_make(MX_PRIM_MATMUL, NULL, 0, in, 2, ndim, shape[0], t, s);
      rc = prod ? 0 : MX_ERR;
    }
  }
  if (!rc) {
    /* Drop the dimensions added for vector operands. */
    int n = 0;
    memcpy(out_shape, batch, (size_t)nb * sizeof(int32_t));
    n = nb;
    if (!a_vec) out_shape[n++] = full_a[nb];
    if (!b_vec) out_shape[n++] = full_b[nb + 1];
    rc = mx_reshape(out, prod, n, out_shape, s);
  }
  mx_array *tmp[] = {ca, cb, ra, rb, in[0], in[1], prod};
  for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) mx_array_release(tmp[i]);
  return rc;
}
