/* MATMUL: (..., M, K) @ (..., K, N) -> (..., M, N), batch dims equal (broadcast ones have
 * stride 0). Each product goes through mx_cpu_gemm (gemm.h): OpenBLAS for float32 / float64 /
 * complex64 on the operands in place when BLAS can address them, the packed AVX-512 kernels for
 * float16 / bfloat16. When b is the same matrix for every batch and a's rows are evenly spaced
 * across the batch, the batch folds into M (one product). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"
#include "core/error.h"

int mx_cpu_matmul(mx_node *n) {
  if (n->nin != 2) return mx_error("[matmul] Expected two inputs.");
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  mx_array *out = &n->out[0];
  mx_dtype adt = (mx_dtype)a->dtype, bdt = (mx_dtype)b->dtype, odt = (mx_dtype)out->dtype;
  if (!mx_dtype_valid(adt) || !mx_dtype_valid(bdt) || !mx_dtype_valid(odt))
    return mx_error("[matmul] Invalid dtype.");
  if (!mx_dtype_is_inexact(odt) || adt != odt || bdt != odt)
    return mx_error("[matmul] Only inexact types are supported but %s and %s were provided which "
                    "results in %s, which is not a floating point type.",
                    mx_dtype_name(adt), mx_dtype_name(bdt), mx_dtype_name(odt));
  int nd = out->ndim;
  if (a->ndim != nd || b->ndim != nd || nd < 2)
    return mx_error("[matmul] Inputs must have the output's rank (at least 2).");
  int64_t M = a->shape[nd - 2], K = a->shape[nd - 1], N = b->shape[nd - 1];
  if (b->shape[nd - 2] != K || out->shape[nd - 2] != M || out->shape[nd - 1] != N)
    return mx_error("[matmul] Last dimension of first input with shape (..., %lld, %lld) must "
                    "match second to last dimension of second input with shape (..., %d, %lld).",
                    (long long)M, (long long)K, b->shape[nd - 2], (long long)N);
  for (int d = 0; d < nd - 2; d++)
    if (a->shape[d] != out->shape[d] || b->shape[d] != out->shape[d])
      return mx_error("[matmul] Batch dimensions of the inputs must match the output's.");
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX)
    return mx_error("[matmul] Matrix dimensions are too large.");

  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  char *op = (char *)mx_array_data(out);
  if (!op) return mx_error("[matmul] Array has no data.");
  if (K > 0 && (!mx_array_data(a) || !mx_array_data(b)))
    return mx_error("[matmul] Array has no data.");
  if (out->buf && (out->buf == a->buf || out->buf == b->buf))
    return mx_error("[matmul] The output must not share an input's buffer.");

  int64_t batch = out->size / (M * N);
  /* Fold the batch into M when b is one matrix for all batches and a's rows are evenly spaced
   * (stride rs) across the batch. */
  int64_t Mf = M;
  int64_t a_rs = a->strides[nd - 2], a_cs = a->strides[nd - 1];
  if (batch > 1) {
    bool b_same = true;
    for (int d = 0; d < nd - 2; d++)
      if (b->shape[d] > 1 && b->strides[d] != 0) b_same = false;
    if (b_same && (K == 1 || a_cs == 1) && M * batch <= INT_MAX) {
      int64_t rs = M > 1 ? a_rs : (K > 1 ? K : 1);
      int64_t expect = rs * M;
      bool ok = rs >= (K > 1 ? K : 1);
      for (int d = nd - 3; d >= 0 && ok; d--) {
        if (a->shape[d] == 1) continue;
        if (a->strides[d] != expect) ok = false;
        expect *= a->shape[d];
      }
      if (ok) {
        Mf = M * batch;
        batch = 1;
        a_rs = rs;
        a_cs = 1;
      }
    }
  }

  mx_gemm_args g;
  memset(&g, 0, sizeof g);
  g.dt = odt;
  g.M = Mf;
  g.N = N;
  g.K = K;
  g.a = (mx_gemm_view){mx_array_data(a), a_rs, a_cs};
  g.b = (mx_gemm_view){mx_array_data(b), b->strides[nd - 2], b->strides[nd - 1]};
  g.alpha = 1.0f;
  g.out = op;
  g.ldo = N;
  if (batch == 1) return mx_cpu_gemm("matmul", &g);

  /* batch offsets (odometer over the batch dims) */
  int64_t *offs = malloc(2 * (size_t)batch * sizeof(int64_t));
  if (!offs) return mx_error("[matmul] Out of memory.");
  int64_t *aoff = offs, *boff = offs + batch;
  int64_t idx[MX_MAX_NDIM] = {0};
  int64_t ao = 0, bo = 0;
  for (int64_t bi = 0; bi < batch; bi++) {
    aoff[bi] = ao;
    boff[bi] = bo;
    for (int d = nd - 3; d >= 0; d--) {
      ao += a->strides[d];
      bo += b->strides[d];
      if (++idx[d] < a->shape[d]) break;
      ao -= a->strides[d] * a->shape[d];
      bo -= b->strides[d] * b->shape[d];
      idx[d] = 0;
    }
  }
  int rc = mx_cpu_gemm_batched("matmul", &g, batch, aoff, boff, NULL, M * N);
  free(offs);
  return rc;
}
