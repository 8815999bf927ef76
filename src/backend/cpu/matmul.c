/* MATMUL through CBLAS: (..., M, K) @ (..., K, N) -> (..., M, N), batch dims equal (broadcast
 * ones have stride 0). float32/float64/complex64 call sgemm/dgemm/cgemm on the operands in place
 * when their matrices are row- or column-contiguous (NoTrans/Trans with the right leading
 * dimension), otherwise on a contiguous copy; float16/bfloat16 go through float32 temporaries.
 * When b is the same matrix for every batch and a's rows are contiguous across the batch, the
 * batch folds into M (one gemm). */
#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"

typedef struct {
  const char *base; /* element 0 of the array */
  mx_dtype dt;      /* the array's dtype */
  size_t isz;
  int64_t rows, cols, rs, cs; /* the matrix (last two dims) */
  bool direct;                /* usable by BLAS in place */
  bool trans;
  int64_t ld;
  void *tmp; /* row-major rows x cols of the compute dtype, when not direct */
  int64_t tmp_off;
} operand;

/* Can BLAS read the rows x cols matrix with these strides, and how. */
static bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool *trans,
                        int64_t *ld) {
  int64_t mc = cols > 1 ? cols : 1, mr = rows > 1 ? rows : 1;
  if (cols == 1 || cs == 1) { /* element (i, j) at i * ld + j */
    int64_t l = rows == 1 ? mc : rs;
    if (l >= mc && l <= INT_MAX) {
      *trans = false;
      *ld = l;
      return true;
    }
  }
  if (rows == 1 || rs == 1) { /* element (i, j) at j * ld + i */
    int64_t l = cols == 1 ? mr : cs;
    if (l >= mr && l <= INT_MAX) {
      *trans = true;
      *ld = l;
      return true;
    }
  }
  return false;
}

static int operand_init(operand *o, const mx_array *arr, mx_dtype cdt, int64_t rows, int64_t cols,
                        int64_t rs, int64_t cs) {
  o->base = (const char *)mx_array_data(arr);
  o->dt = (mx_dtype)arr->dtype;
  o->isz = mx_dtype_size(o->dt);
  o->rows = rows;
  o->cols = cols;
  o->rs = rs;
  o->cs = cs;
  o->tmp = NULL;
  o->tmp_off = -1;
  o->direct = o->dt == cdt && blas_layout(rows, cols, rs, cs, &o->trans, &o->ld);
  if (!o->direct) {
    size_t nb = (size_t)rows * (size_t)cols * mx_dtype_size(cdt);
    o->tmp = malloc(nb ? nb : 1);
    if (!o->tmp) return mx_error("[matmul] Out of memory allocating %zu bytes.", nb);
    o->trans = false;
    o->ld = cols > 1 ? cols : 1;
  }
  return 0;
}

/* The matrix at element offset off, ready for BLAS. */
static const void *operand_get(operand *o, mx_dtype cdt, int64_t off) {
  if (o->direct) return o->base + off * (int64_t)o->isz;
  if (o->tmp_off != off) {
    int32_t shape[2] = {(int32_t)o->rows, (int32_t)o->cols};
    int64_t strides[2] = {o->rs, o->cs};
    mx_cpu_copy_strided(o->tmp, cdt, o->base + off * (int64_t)o->isz, o->dt, 2, shape, strides);
    o->tmp_off = off;
  }
  return o->tmp;
}

static void gemm(mx_dtype cdt, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A,
                 int64_t lda, const void *B, int64_t ldb, void *C, int64_t ldc) {
  enum CBLAS_TRANSPOSE TA = ta ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE TB = tb ? CblasTrans : CblasNoTrans;
  switch (cdt) {
  case MX_FLOAT64:
    cblas_dgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, 1.0, (const double *)A, (int)lda,
                (const double *)B, (int)ldb, 0.0, (double *)C, (int)ldc);
    break;
  case MX_COMPLEX64: {
    const float alpha[2] = {1.0f, 0.0f}, beta[2] = {0.0f, 0.0f};
    cblas_cgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb,
                beta, C, (int)ldc);
    break;
  }
  default:
    cblas_sgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, 1.0f, (const float *)A, (int)lda,
                (const float *)B, (int)ldb, 0.0f, (float *)C, (int)ldc);
    break;
  }
}

int mx_cpu_matmul(mx_node *n) {
  if (n->nin != 2) return mx_error("[matmul] Expected two inputs.");
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  mx_array *out = &n->out[0];
  mx_dtype adt = (mx_dtype)a->dtype, bdt = (mx_dtype)b->dtype, odt = (mx_dtype)out->dtype;
  if (!mx_dtype_valid(adt) || !mx_dtype_valid(bdt) || !mx_dtype_valid(odt))
    return mx_error("[matmul] Invalid dtype.");
  if (!mx_dtype_is_inexact(odt) || !mx_dtype_is_inexact(adt) || !mx_dtype_is_inexact(bdt))
    return mx_error("[matmul] Only real floating point types are supported but %s and %s were "
                    "provided which results in %s, which is not a real floating point type.",
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
  if (K == 0) {
    memset(op, 0, mx_array_nbytes(out));
    return 0;
  }
  if (!mx_array_data(a) || !mx_array_data(b)) return mx_error("[matmul] Array has no data.");

  mx_dtype cdt = (odt == MX_FLOAT64 || odt == MX_COMPLEX64) ? odt : MX_FLOAT32;
  size_t csz = mx_dtype_size(cdt), osz = mx_dtype_size(odt);
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

  operand A, B;
  A.tmp = B.tmp = NULL;
  int rc = 0;
  void *ctmp = NULL;
  if (operand_init(&A, a, cdt, Mf, K, a_rs, a_cs) != 0 ||
      operand_init(&B, b, cdt, K, N, b->strides[nd - 2], b->strides[nd - 1]) != 0) {
    rc = MX_ERR;
    goto done;
  }
  /* Results go straight to the output unless a conversion is needed or the output shares an
   * input's buffer (gemm must not write what it reads). */
  bool c_direct = odt == cdt && !(out->buf && (out->buf == a->buf || out->buf == b->buf));
  if (!c_direct) {
    size_t nb = (size_t)Mf * (size_t)N * csz;
    ctmp = malloc(nb);
    if (!ctmp) {
      rc = mx_error("[matmul] Out of memory allocating %zu bytes.", nb);
      goto done;
    }
  }

  /* odometer over the batch dims */
  int64_t idx[MX_MAX_NDIM] = {0};
  int64_t aoff = 0, boff = 0;
  for (int64_t bi = 0; bi < batch; bi++) {
    const void *Ap = operand_get(&A, cdt, aoff);
    const void *Bp = operand_get(&B, cdt, boff);
    char *Cout = op + bi * Mf * N * (int64_t)osz;
    void *Cp = c_direct ? (void *)Cout : ctmp;
    gemm(cdt, A.trans, B.trans, Mf, N, K, Ap, A.ld, Bp, B.ld, Cp, N);
    if (!c_direct) mx_cpu_convert(ctmp, cdt, 1, Cout, odt, 1, Mf * N);
    for (int d = nd - 3; d >= 0; d--) {
      aoff += a->strides[d];
      boff += b->strides[d];
      if (++idx[d] < a->shape[d]) break;
      aoff -= a->strides[d] * a->shape[d];
      boff -= b->strides[d] * b->shape[d];
      idx[d] = 0;
    }
  }

done:
  free(A.tmp);
  free(B.tmp);
  free(ctmp);
  return rc;
}
