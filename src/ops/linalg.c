/* Ops of the matmul family: addmm, inner, outer, tensordot, kron, einsum, block_masked_mm,
 * gather_mm, segmented_mm, hadamard_transform; and the output_shapes rules of their
 * primitives. inner / outer / tensordot / kron / einsum compose reshape, transpose,
 * broadcasting multiply, sum and matmul (as MLX does). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

static void release_all(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]);
}

static int64_t prod32(const int32_t *s, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) p *= s[i];
  return p;
}

static bool is_real_float(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64 || t == MX_BFLOAT16;
}

/* ------------------------------------------------------------------ output_shapes */

int mx_shapes_addmm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_addmm_params *p = (const mx_addmm_params *)params;
  const mx_array *a = inputs[0], *b = inputs[1];
  int nd = a->ndim, n = 0;
  for (int d = 0; d < nd - 2; d++) shapes[0][n++] = a->shape[d];
  if (!p->a_vec) shapes[0][n++] = a->shape[nd - 2];
  if (!p->b_vec) shapes[0][n++] = b->shape[nd - 1];
  ndims[0] = n;
  return 0;
}

int mx_shapes_gather_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[0], *b = inputs[1], *idx = inputs[2];
  int n = idx->ndim;
  memcpy(shapes[0], idx->shape, (size_t)n * sizeof(int32_t));
  shapes[0][n] = a->shape[a->ndim - 2];
  shapes[0][n + 1] = b->shape[b->ndim - 1];
  ndims[0] = n + 2;
  return 0;
}

int mx_shapes_block_masked_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                              int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[0], *b = inputs[1];
  memcpy(shapes[0], a->shape, (size_t)a->ndim * sizeof(int32_t));
  shapes[0][a->ndim - 1] = b->shape[b->ndim - 1];
  ndims[0] = a->ndim;
  return 0;
}

int mx_shapes_segmented_mm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                           int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[0], *b = inputs[1], *sg = inputs[2];
  int n = sg->ndim - 1;
  memcpy(shapes[0], sg->shape, (size_t)n * sizeof(int32_t));
  shapes[0][n] = a->shape[0];
  shapes[0][n + 1] = b->shape[1];
  ndims[0] = n + 2;
  return 0;
}

/* ------------------------------------------------------------------ matmul-like operands */

/* a and b cast to t, vectors made matrices, batch dims broadcast: a (batch..., M, K),
 * b (batch..., K, N). */
typedef struct {
  bool a_vec, b_vec;
  int nb;
  int32_t batch[MX_MAX_NDIM];
  int32_t M, K, N;
  mx_array *a, *b;
} mm_operands;

static int mm_prepare(const char *op, mx_array *a, mx_array *b, mx_dtype t, mm_operands *p,
                      mx_stream s) {
  p->a = p->b = NULL;
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error("[%s] Got 0 dimension input. Inputs must have at least one dimension.", op);
  int32_t as[MX_MAX_NDIM + 1], bs[MX_MAX_NDIM + 1];
  int an = a->ndim, bn = b->ndim;
  memcpy(as, a->shape, (size_t)an * sizeof(int32_t));
  memcpy(bs, b->shape, (size_t)bn * sizeof(int32_t));
  p->a_vec = an == 1;
  p->b_vec = bn == 1;
  if (p->a_vec) as[1] = as[0], as[0] = 1, an = 2;
  if (p->b_vec) bs[1] = 1, bn = 2;
  if (as[an - 1] != bs[bn - 2]) {
    char sa[512], sb[512];
    return mx_error("[%s] Last dimension of first input with shape %s must match second to last "
                    "dimension of second input with shape %s.",
                    op, mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, b->ndim, b->shape));
  }
  MX_TRY(mx_broadcast_shapes(op, an - 2, as, bn - 2, bs, &p->nb, p->batch));
  if (p->nb + 2 > MX_MAX_NDIM) return mx_error("[%s] Too many dimensions.", op);
  p->M = as[an - 2];
  p->K = as[an - 1];
  p->N = bs[bn - 1];
  int32_t fa[MX_MAX_NDIM], fb[MX_MAX_NDIM];
  int nb = p->nb;
  memcpy(fa, p->batch, (size_t)nb * sizeof(int32_t));
  memcpy(fb, p->batch, (size_t)nb * sizeof(int32_t));
  fa[nb] = p->M, fa[nb + 1] = p->K;
  fb[nb] = p->K, fb[nb + 1] = p->N;
  mx_array *ca = NULL, *cb = NULL, *ra = NULL, *rb = NULL;
  int rc = mx_astype(&ca, a, t, s);
  if (!rc) rc = mx_astype(&cb, b, t, s);
  if (!rc) rc = mx_reshape(&ra, ca, an, as, s);
  if (!rc) rc = mx_reshape(&rb, cb, bn, bs, s);
  if (!rc) rc = mx_broadcast_to(&p->a, ra, nb + 2, fa, s);
  if (!rc) rc = mx_broadcast_to(&p->b, rb, nb + 2, fb, s);
  mx_array *tmp[] = {ca, cb, ra, rb};
  release_all(tmp, 4);
  if (rc) {
    mx_array_release(p->a);
    mx_array_release(p->b);
    p->a = p->b = NULL;
  }
  return rc;
}

/* The result shape without the dims added for vector operands. */
static int mm_final_shape(const mm_operands *p, int32_t *shape) {
  int n = p->nb;
  memcpy(shape, p->batch, (size_t)n * sizeof(int32_t));
  if (!p->a_vec) shape[n++] = p->M;
  if (!p->b_vec) shape[n++] = p->N;
  return n;
}

/* ------------------------------------------------------------------ addmm */

int mx_addmm(mx_array **out, mx_array *c, mx_array *a, mx_array *b, float alpha, float beta,
             mx_stream s) {
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error("[addmm] Got 0 dimension input. Inputs must have at least one dimension.");
  mx_dtype t = mx_promote_types(mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype),
                                (mx_dtype)c->dtype);
  if (!mx_dtype_is_inexact(t))
    return mx_error("[addmm] Only real floating point types are supported but %s, %s and %s were "
                    "provided which results in %s, which is not a real floating point type.",
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype),
                    mx_dtype_name((mx_dtype)c->dtype), mx_dtype_name(t));
  int32_t flat[2], folded[MX_MAX_NDIM];
  bool c_rowwise = true; /* c broadcasts along every dim but the last */
  for (int d = 0; d + 1 < c->ndim; d++) c_rowwise &= c->shape[d] == 1;
  if (c->ndim && c->shape[c->ndim - 1] != 1 && b->ndim == 2)
    c_rowwise &= c->shape[c->ndim - 1] == b->shape[1];
  if (c_rowwise && c->ndim <= a->ndim && b->shape[0] == a->shape[a->ndim - 1] &&
      mx_matmul_fold(a, b, flat, folded)) { /* one 2-d product (see mx_matmul_fold) */
    int32_t crow[1] = {c->ndim ? c->shape[c->ndim - 1] : 1};
    mx_array *a2 = NULL, *c2 = NULL, *r2 = NULL;
    int rc = mx_reshape(&a2, a, 2, flat, s);
    if (!rc) rc = mx_reshape(&c2, c, 1, crow, s);
    if (!rc) rc = mx_addmm(&r2, c2, a2, b, alpha, beta, s);
    if (!rc) rc = mx_reshape(out, r2, a->ndim, folded, s);
    mx_array *tmp[] = {a2, c2, r2};
    release_all(tmp, 3);
    return rc;
  }
  mm_operands p;
  MX_TRY(mm_prepare("addmm", a, b, t, &p, s));
  int32_t fshape[MX_MAX_NDIM], joint[MX_MAX_NDIM];
  int fn = mm_final_shape(&p, fshape), jn = 0;
  int rc = 0;
  mx_array *cc = NULL, *cbr = NULL;
  if (c->ndim > fn || mx_broadcast_shapes("addmm", c->ndim, c->shape, fn, fshape, &jn, joint) ||
      jn != fn || memcmp(joint, fshape, (size_t)fn * sizeof(int32_t)) != 0) {
    char sc[512], so[512];
    rc = mx_error("[addmm] Input c with shape %s must broadcast to the output shape %s.",
                  mx_shape_str(sc, sizeof sc, c->ndim, c->shape),
                  mx_shape_str(so, sizeof so, fn, fshape));
  }
  if (!rc) rc = mx_astype(&cc, c, t, s);
  if (!rc) rc = mx_broadcast_to(&cbr, cc, fn, fshape, s);
  if (!rc) {
    mx_addmm_params prm = {alpha, beta, p.a_vec, p.b_vec};
    mx_array *in[3] = {p.a, p.b, cbr};
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_ADDMM, &prm, in, 3, &ndim, shape);
    if (!rc) {
      *out = mx_array_make(MX_PRIM_ADDMM, &prm, sizeof prm, in, 3, ndim, shape[0], t, s);
      rc = *out ? 0 : MX_ERR;
    }
  }
  mx_array *tmp[] = {p.a, p.b, cc, cbr};
  release_all(tmp, 4);
  return rc;
}

/* ------------------------------------------------------------------ tensordot, inner, outer */

int mx_tensordot(mx_array **out, mx_array *a, mx_array *b, const int *axes_a, int na,
                 const int *axes_b, int nb, mx_stream s) {
  if (na != nb) return mx_error("[tensordot] axes must have the same size.");
  int ca[MX_MAX_NDIM], cb[MX_MAX_NDIM];
  bool used_a[MX_MAX_NDIM] = {false}, used_b[MX_MAX_NDIM] = {false};
  if (na > a->ndim || na > b->ndim)
    return mx_error("[tensordot] More contracted axes than dimensions.");
  for (int i = 0; i < na; i++) {
    MX_TRY(mx_normalize_axis("tensordot", axes_a[i], a->ndim, &ca[i]));
    MX_TRY(mx_normalize_axis("tensordot", axes_b[i], b->ndim, &cb[i]));
    if (used_a[ca[i]] || used_b[cb[i]]) return mx_error("[tensordot] Repeated axis in axes.");
    used_a[ca[i]] = used_b[cb[i]] = true;
    if (a->shape[ca[i]] != b->shape[cb[i]])
      return mx_error("[tensordot] a and b must have the same shape on the contracted axes.");
  }
  /* a -> (free_a, contracted), b -> (contracted, free_b) */
  int perm_a[MX_MAX_NDIM], perm_b[MX_MAX_NDIM], nfa = 0, nfb = 0;
  int32_t out_shape[2 * MX_MAX_NDIM];
  int64_t fa = 1, fb = 1, kk = 1;
  for (int d = 0; d < a->ndim; d++)
    if (!used_a[d]) {
      perm_a[nfa++] = d;
      out_shape[nfa - 1] = a->shape[d];
      fa *= a->shape[d];
    }
  for (int i = 0; i < na; i++) {
    perm_a[nfa + i] = ca[i];
    kk *= a->shape[ca[i]];
  }
  for (int i = 0; i < na; i++) perm_b[i] = cb[i];
  for (int d = 0; d < b->ndim; d++)
    if (!used_b[d]) {
      perm_b[na + nfb++] = d;
      out_shape[nfa + nfb - 1] = b->shape[d];
      fb *= b->shape[d];
    }
  if (nfa + nfb > MX_MAX_NDIM) return mx_error("[tensordot] Too many dimensions.");
  if (fa > INT32_MAX || fb > INT32_MAX || kk > INT32_MAX)
    return mx_error("[tensordot] Dimensions are too large.");
  mx_array *ta = NULL, *tb = NULL, *ra = NULL, *rb = NULL, *prod = NULL;
  int32_t sa[2] = {(int32_t)fa, (int32_t)kk}, sb[2] = {(int32_t)kk, (int32_t)fb};
  int rc = mx_transpose(&ta, a, perm_a, a->ndim, s);
  if (!rc) rc = mx_transpose(&tb, b, perm_b, b->ndim, s);
  if (!rc) rc = mx_reshape(&ra, ta, 2, sa, s);
  if (!rc) rc = mx_reshape(&rb, tb, 2, sb, s);
  if (!rc) rc = mx_matmul(&prod, ra, rb, s);
  if (!rc) rc = mx_reshape(out, prod, nfa + nfb, out_shape, s);
  mx_array *tmp[] = {ta, tb, ra, rb, prod};
  release_all(tmp, 5);
  return rc;
}

int mx_tensordot_axis(mx_array **out, mx_array *a, mx_array *b, int axis, mx_stream s) {
  if (axis < 0) return mx_error("[tensordot] axis must be greater or equal to 0.");
  if (axis > a->ndim || axis > b->ndim)
    return mx_error("[tensordot] axis must be less than the number of dimensions of a and b.");
  int xa[MX_MAX_NDIM], xb[MX_MAX_NDIM];
  for (int i = 0; i < axis; i++) {
    xa[i] = a->ndim - axis + i;
    xb[i] = i;
  }
  return mx_tensordot(out, a, b, xa, axis, xb, axis, s);
}

int mx_inner(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  if (a->ndim == 0 || b->ndim == 0) return mx_multiply(out, a, b, s);
  if (a->shape[a->ndim - 1] != b->shape[b->ndim - 1])
    return mx_error("[inner] a and b must have the same last dimension.");
  int xa = -1, xb = -1;
  return mx_tensordot(out, a, b, &xa, 1, &xb, 1, s);
}

int mx_outer(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  if (a->size > INT32_MAX || b->size > INT32_MAX)
    return mx_error("[outer] Inputs are too large.");
  int32_t sa[2] = {(int32_t)a->size, 1}, sb[1] = {(int32_t)b->size};
  mx_array *ra = NULL, *rb = NULL;
  int rc = mx_reshape(&ra, a, 2, sa, s);
  if (!rc) rc = mx_reshape(&rb, b, 1, sb, s);
  if (!rc) rc = mx_multiply(out, ra, rb, s);
  mx_array_release(ra);
  mx_array_release(rb);
  return rc;
}

/* ------------------------------------------------------------------ kron */

int mx_kron(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  if (a->size == 0 || b->size == 0) return mx_error("[kron] Input arrays cannot be empty.");
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  if (2 * nd > MX_MAX_NDIM) return mx_error("[kron] Too many dimensions.");
  int32_t ea[2 * MX_MAX_NDIM], eb[2 * MX_MAX_NDIM], os[MX_MAX_NDIM];
  for (int d = 0; d < nd; d++) {
    int ia = d - (nd - a->ndim), ib = d - (nd - b->ndim);
    int32_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
    ea[2 * d] = da, ea[2 * d + 1] = 1;
    eb[2 * d] = 1, eb[2 * d + 1] = db;
    if ((int64_t)da * db > INT32_MAX) return mx_error("[kron] Result is too large.");
    os[d] = da * db;
  }
  mx_array *ra = NULL, *rb = NULL, *prod = NULL;
  int rc = mx_reshape(&ra, a, 2 * nd, ea, s);
  if (!rc) rc = mx_reshape(&rb, b, 2 * nd, eb, s);
  if (!rc) rc = mx_multiply(&prod, ra, rb, s);
  if (!rc) rc = mx_reshape(out, prod, nd, os, s);
  mx_array *tmp[] = {ra, rb, prod};
  release_all(tmp, 3);
  return rc;
}

/* ------------------------------------------------------------------ einsum */

/* Labels are letters; an ellipsis becomes letters unused by the subscripts (the last ones of
 * a..zA..Z that are free, right-aligned so that ellipsis dims broadcast like numpy's). A set of
 * labels is a 64-bit mask over label ids 0..51. */
#define EIN_MAXLAB (MX_MAX_NDIM + 1)

typedef uint64_t labset;

static int lab_id(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + c - 'A';
  return -1;
}

static labset lab_set(const char *s) {
  labset m = 0;
  for (; *s; s++) m |= (labset)1 << lab_id(*s);
  return m;
}

typedef struct {
  int n;                        /* operands */
  char (*in)[EIN_MAXLAB];       /* expanded input subscripts */
  char out[EIN_MAXLAB];         /* expanded output subscript */
  uint64_t size[52];            /* broadcast size of each label */
} ein_spec;

typedef struct {
  int npos;
  int *pos;        /* positions in the current list, increasing */
  labset result;   /* labels kept by this step (final step: the output's) */
} ein_step;

typedef struct {
  int nsteps;
  ein_step *steps;
  int *pos_buf;
  uint64_t naive_cost, opt_cost;
  int naive_scaling, opt_scaling;
} ein_path;

static void ein_spec_free(ein_spec *e) {
  free(e->in);
  e->in = NULL;
}

static void ein_path_free(ein_path *p) {
  free(p->steps);
  free(p->pos_buf);
  p->steps = NULL;
  p->pos_buf = NULL;
}

static bool is_alpha(char c) {
  return lab_id(c) >= 0;
}

/* Checks the letters of one subscript and replaces its ellipsis (if any) by the last len
 * letters of `spare`. ndim < 0: the output (len = max_ell). */
static int ein_expand(const char *fn, const char *sub, int ndim, int idx, const char *spare,
                      int *max_ell, char *dst) {
  int before = 0, after = 0;
  bool ell = false;
  int L = (int)strlen(sub);
  for (int i = 0; i < L; i++) {
    if (!is_alpha(sub[i])) {
      if (i + 2 >= L || sub[i] != '.' || sub[i + 1] != '.' || sub[i + 2] != '.')
        return mx_error("[%s] Subscripts must be letters, but got '%c'.", fn, sub[i]);
      if (ell)
        return mx_error("[%s] Only one ellipsis per subscript is allowed but found more in '%s'.",
                        fn, sub);
      ell = true;
      i += 2;
      continue;
    }
    if (ell)
      after++;
    else
      before++;
  }
  int elen = 0;
  if (ell) {
    if (ndim >= 0) {
      elen = ndim - before - after;
      if (elen < 0)
        return mx_error("[%s] Operand %d has insufficient dimensions for subscript '%s'. The "
                        "ellipsis requires at least %d dimensions but the operand has %d "
                        "dimensions.",
                        fn, idx, sub, before + after, ndim);
      if (elen > *max_ell) *max_ell = elen;
    } else {
      elen = *max_ell;
    }
    if (elen > (int)strlen(spare))
      return mx_error("[%s] Not enough unused letters to expand the ellipsis.", fn);
  }
  if (before + after + elen >= EIN_MAXLAB) return mx_error("[%s] Too many subscripts.", fn);
  int k = 0;
  for (int i = 0; i < L; i++) {
    if (sub[i] == '.') {
      const char *tail = spare + strlen(spare) - elen;
      for (int j = 0; j < elen; j++) dst[k++] = tail[j];
      i += 2;
      continue;
    }
    dst[k++] = sub[i];
  }
  dst[k] = 0;
  return 0;
}

static int ein_parse(const char *fn, const char *subscripts, mx_array *const *ops, int n,
                     ein_spec *e) {
  memset(e, 0, sizeof *e);
  if (n <= 0) return mx_error("[%s] At least one operand is required.", fn);
  size_t len = strlen(subscripts);
  char *str = malloc(len + 4), *rhs = malloc(len + 4);
  if (!str || !rhs) {
    free(str);
    free(rhs);
    return mx_error("[%s] Out of memory.", fn);
  }
  size_t k = 0;
  for (size_t i = 0; i < len; i++)
    if (subscripts[i] != ' ') str[k++] = subscripts[i];
  str[k] = 0;
  int rc = 0;
  char *arrow = strstr(str, "->");
  if (arrow) {
    *arrow = 0;
    strcpy(rhs, arrow + 2);
  } else {
    /* implicit output: an ellipsis first, then the letters seen once, sorted */
    int counts[256] = {0};
    bool ell = false;
    for (char *c = str; *c; c++) {
      if (*c == ',') continue;
      if (*c == '.' && !ell) {
        ell = true;
        continue;
      }
      counts[(unsigned char)*c]++;
    }
    size_t r = 0;
    if (ell) rhs[r++] = '.', rhs[r++] = '.', rhs[r++] = '.';
    for (int c = 0; c < 256; c++)
      if (counts[c] == 1 && c != '.') rhs[r++] = (char)c;
    rhs[r] = 0;
  }
  /* split the inputs on commas (empty subscripts are scalars) */
  int nin = 1;
  for (char *c = str; *c; c++) nin += *c == ',';
  if (nin != n) {
    rc = mx_error("[%s] Number of operands, %d, does not match number of input subscripts, %d", fn,
                  n, nin);
    goto done;
  }
  e->n = n;
  e->in = calloc((size_t)n, sizeof *e->in);
  if (!e->in) {
    rc = mx_error("[%s] Out of memory.", fn);
    goto done;
  }
  char spare[53];
  {
    bool used[256] = {false};
    for (const char *c = subscripts; *c; c++) used[(unsigned char)*c] = true;
    int q = 0;
    for (char c = 'a'; c <= 'z'; c++)
      if (!used[(unsigned char)c]) spare[q++] = c;
    for (char c = 'A'; c <= 'Z'; c++)
      if (!used[(unsigned char)c]) spare[q++] = c;
    spare[q] = 0;
  }
  int max_ell = 0;
  char *p = str;
  for (int i = 0; i < n && !rc; i++) {
    char *comma = strchr(p, ',');
    if (comma) *comma = 0;
    rc = ein_expand(fn, p, ops[i]->ndim, i, spare, &max_ell, e->in[i]);
    p = comma ? comma + 1 : p + strlen(p);
  }
  if (!rc) rc = ein_expand(fn, rhs, -1, -1, spare, &max_ell, e->out);
  if (rc) goto done;
  /* output: no repeats, only known labels */
  labset seen = 0, all = 0;
  for (const char *c = e->out; *c; c++) {
    labset bit = (labset)1 << lab_id(*c);
    if (seen & bit) {
      rc = mx_error("[%s] Repeat indices not allowed in output.", fn);
      goto done;
    }
    seen |= bit;
  }
  for (int i = 0; i < n; i++) all |= lab_set(e->in[i]);
  for (const char *c = e->out; *c; c++)
    if (!(all & ((labset)1 << lab_id(*c)))) {
      rc = mx_error("[%s] Output subscript '%c' does not appear in any input subscript.", fn, *c);
      goto done;
    }
  /* sizes: repeated labels of one operand agree; across operands size-1 dims broadcast */
  bool known[52] = {false};
  for (int i = 0; i < n && !rc; i++) {
    const char *in = e->in[i];
    int L = (int)strlen(in);
    if (L != ops[i]->ndim) {
      rc = mx_error("[%s] Invalid number of subscripts %d for input %d with %d dimensions.", fn,
                    L, i, ops[i]->ndim);
      break;
    }
    for (int j = 0; j < L && !rc; j++)
      for (int q = 0; q < j; q++)
        if (in[q] == in[j] && ops[i]->shape[q] != ops[i]->shape[j]) {
          rc = mx_error("[%s] Dimensions of repeated subscripts do not have the same size (%d != "
                        "%d).",
                        fn, ops[i]->shape[q], ops[i]->shape[j]);
          break;
        }
    for (int j = 0; j < L && !rc; j++) {
      int id = lab_id(in[j]);
      uint64_t d = (uint64_t)ops[i]->shape[j];
      if (!known[id]) {
        known[id] = true;
        e->size[id] = d;
        continue;
      }
      if (d != 1 && e->size[id] != 1 && e->size[id] != d) {
        char sh[512];
        rc = mx_error("[%s] Cannot broadcast dimension %d of input %d with shape %s to size %llu.",
                      fn, j, i, mx_shape_str(sh, sizeof sh, ops[i]->ndim, ops[i]->shape),
                      (unsigned long long)e->size[id]);
        break;
      }
      if (d > e->size[id]) e->size[id] = d;
    }
  }
done:
  free(str);
  free(rhs);
  if (rc) ein_spec_free(e);
  return rc;
}

static uint64_t set_size(labset s, const uint64_t *size) {
  uint64_t r = 1;
  for (int i = 0; i < 52; i++)
    if (s & ((labset)1 << i)) r *= size[i];
  return r;
}

static int set_count(labset s) {
  return __builtin_popcountll(s);
}

static uint64_t flop_count(labset s, bool inner, int nterms, const uint64_t *size) {
  uint64_t f = nterms - 1 > 1 ? (uint64_t)(nterms - 1) : 1;
  if (inner) f += 1;
  return set_size(s, size) * f;
}

static uint64_t str_size(const char *s, const uint64_t *size) {
  uint64_t r = 1;
  for (; *s; s++) r *= size[lab_id(*s)];
  return r;
}

/* The greedy contraction order (numpy's / opt_einsum's greedy algorithm, as MLX runs it):
 * candidate pairs are ranked by the size they remove, then by cost; outer products only when
 * nothing else is possible; candidates found earlier stay in the list with their first
 * evaluation; after a step only pairs with the new term are evaluated. */
static int ein_greedy(const char *fn, const ein_spec *e, ein_path *path) {
  int n = e->n;
  memset(path, 0, sizeof *path);
  labset out = lab_set(e->out);
  labset all = 0;
  labset *sets = malloc((size_t)n * sizeof(labset));
  typedef struct {
    int64_t removed;
    uint64_t cost;
    labset res;
    int dims, x, y;
  } cand;
  size_t cap = (size_t)n * (size_t)n + 4;
  cand *cands = malloc(cap * sizeof(cand));
  int *pairs = malloc(2 * cap * sizeof(int));
  path->steps = calloc((size_t)n + 1, sizeof(ein_step));
  path->pos_buf = malloc(((size_t)n * 2 + (size_t)n + 2) * sizeof(int));
  if (!sets || !cands || !pairs || !path->steps || !path->pos_buf) {
    free(sets);
    free(cands);
    free(pairs);
    ein_path_free(path);
    return mx_error("[%s] Out of memory.", fn);
  }
  uint64_t max_size = str_size(e->out, e->size);
  for (int i = 0; i < n; i++) {
    sets[i] = lab_set(e->in[i]);
    all |= sets[i];
    uint64_t sz = str_size(e->in[i], e->size);
    if (sz > max_size) max_size = sz;
  }
  path->naive_cost = flop_count(all, (all & ~out) != 0, n, e->size);
  path->naive_scaling = set_count(all);
  int *pb = path->pos_buf;
  if (n <= 2) {
    ein_step *st = &path->steps[0];
    st->npos = n;
    st->pos = pb;
    for (int i = 0; i < n; i++) pb[i] = i;
    st->result = out;
    path->nsteps = 1;
    path->opt_cost = path->naive_cost;
    path->opt_scaling = path->naive_scaling;
    goto done;
  }
  int ncur = n, npairs = 0, ncand = 0;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) pairs[2 * npairs] = i, pairs[2 * npairs + 1] = j, npairs++;
  uint64_t path_cost = 0;
  int scaling = 0;
  for (int it = 0; it < n - 1; it++) {
    for (int pass = 0; pass < 2; pass++) {
      if (pass == 1 && ncand > 0) break;
      for (int q = 0; q < npairs; q++) {
        int x = pairs[2 * q], y = pairs[2 * q + 1];
        if (pass == 0 && (sets[x] & sets[y]) == 0) continue; /* outer products later */
        labset uni = sets[x] | sets[y], keep = out;
        for (int k = 0; k < ncur; k++)
          if (k != x && k != y) keep |= sets[k];
        labset res = uni & keep;
        uint64_t new_size = set_size(res, e->size);
        if (new_size > max_size) continue;
        int64_t removed = (int64_t)(set_size(sets[x], e->size) + set_size(sets[y], e->size) -
                                    new_size);
        uint64_t cost = flop_count(uni, set_count(uni) > set_count(res), 2, e->size);
        if (path_cost + cost > path->naive_cost) continue;
        if ((size_t)ncand < cap) cands[ncand++] = (cand){removed, cost, res, set_count(uni), x, y};
      }
    }
    ein_step *st = &path->steps[path->nsteps++];
    if (ncand == 0) { /* the rest at once */
      st->npos = ncur;
      st->pos = pb;
      labset uni = 0;
      for (int k = 0; k < ncur; k++) pb[k] = k, uni |= sets[k];
      pb += ncur;
      st->result = out;
      path_cost += flop_count(uni, (uni & ~out) != 0, ncur, e->size);
      if (set_count(uni) > scaling) scaling = set_count(uni);
      break;
    }
    int best = 0;
    for (int q = 1; q < ncand; q++)
      if (cands[q].removed > cands[best].removed ||
          (cands[q].removed == cands[best].removed && cands[q].cost < cands[best].cost))
        best = q;
    cand b = cands[best];
    if (b.dims > scaling) scaling = b.dims;
    st->npos = 2;
    st->pos = pb;
    pb[0] = b.x, pb[1] = b.y;
    pb += 2;
    st->result = b.res;
    /* remove x and y (x < y), append the result */
    int w = 0;
    for (int k = 0; k < ncur; k++)
      if (k != b.x && k != b.y) sets[w++] = sets[k];
    sets[w++] = b.res;
    ncur = w;
    int nc = 0;
    for (int q = 0; q < ncand; q++) {
      cand c = cands[q];
      if (c.x == b.x || c.x == b.y || c.y == b.x || c.y == b.y) continue;
      c.x = c.x - (c.x > b.x) - (c.x > b.y);
      c.y = c.y - (c.y > b.x) - (c.y > b.y);
      cands[nc++] = c;
    }
    ncand = nc;
    path_cost += b.cost;
    npairs = 0;
    for (int k = 0; k < ncur - 1; k++)
      pairs[2 * npairs] = k, pairs[2 * npairs + 1] = ncur - 1, npairs++;
  }
  path->steps[path->nsteps - 1].result = out;
  path->opt_cost = path_cost;
  path->opt_scaling = scaling;
done:
  free(sets);
  free(cands);
  free(pairs);
  return 0;
}

/* An operand during the contraction: the array and its labels (one per dim). */
typedef struct {
  mx_array *a; /* owned */
  char lab[EIN_MAXLAB];
} ein_term;

/* Takes diagonals of repeated labels and sums labels that no other term of the step (nor its
 * result) has. count[id]: occurrences of label id among the step's terms and result. */
static int ein_collapse(ein_term *t, const int *count, mx_stream s) {
  for (;;) { /* repeated labels */
    int L = (int)strlen(t->lab), p = -1, q = -1;
    for (int j = 0; j < L && p < 0; j++)
      for (int i = 0; i < j; i++)
        if (t->lab[i] == t->lab[j]) {
          p = i, q = j;
          break;
        }
    if (p < 0) break;
    mx_array *d = NULL;
    MX_TRY(mx_diagonal(&d, t->a, 0, p, q, s));
    mx_array_release(t->a);
    t->a = d;
    char c = t->lab[p];
    int w = 0;
    for (int i = 0; i < L; i++)
      if (i != p && i != q) t->lab[w++] = t->lab[i];
    t->lab[w++] = c;
    t->lab[w] = 0;
  }
  int axes[MX_MAX_NDIM], na = 0, L = (int)strlen(t->lab), w = 0;
  for (int i = 0; i < L; i++) {
    if (count[lab_id(t->lab[i])] == 1)
      axes[na++] = i;
    else
      t->lab[w++] = t->lab[i];
  }
  t->lab[w] = 0;
  if (na) {
    mx_array *r = NULL;
    MX_TRY(mx_sum(&r, t->a, axes, na, false, s));
    mx_array_release(t->a);
    t->a = r;
  }
  return 0;
}

/* Transposes t to the label order `order` (a permutation of t's labels). */
static int ein_transpose_to(ein_term *t, const char *order, mx_stream s) {
  int L = (int)strlen(order), perm[MX_MAX_NDIM];
  bool id = true;
  for (int i = 0; i < L; i++) {
    perm[i] = (int)(strchr(t->lab, order[i]) - t->lab);
    id = id && perm[i] == i;
  }
  if (!id) {
    mx_array *r = NULL;
    MX_TRY(mx_transpose(&r, t->a, perm, L, s));
    mx_array_release(t->a);
    t->a = r;
  }
  memcpy(t->lab, order, (size_t)L + 1);
  return 0;
}

/* dst = a b c (label strings; the total never exceeds a term's labels). */
static void cat3(char *dst, const char *a, const char *b, const char *c) {
  size_t n = 0;
  for (const char *p[3] = {a, b, c}, **q = p; q < p + 3; q++)
    for (const char *t = *q; *t && n < EIN_MAXLAB - 1; t++) dst[n++] = *t;
  dst[n] = 0;
}

/* A contraction of two terms through matmul: batch labels (in both and kept), free labels of
 * each (kept, in one only), contracted labels (in both, not kept). Broadcast size-1 dims. */
static int ein_dot(ein_term *x, ein_term *y, labset keep, ein_term *res, mx_stream s) {
  char bat[EIN_MAXLAB], fx[EIN_MAXLAB], fy[EIN_MAXLAB], con[EIN_MAXLAB];
  int nbat = 0, nfx = 0, nfy = 0, ncon = 0;
  labset ys = lab_set(y->lab), xs = lab_set(x->lab);
  for (const char *c = x->lab; *c; c++) {
    labset bit = (labset)1 << lab_id(*c);
    if (!(keep & bit))
      con[ncon++] = *c;
    else if (ys & bit)
      bat[nbat++] = *c;
    else
      fx[nfx++] = *c;
  }
  for (const char *c = y->lab; *c; c++)
    if ((keep & ((labset)1 << lab_id(*c))) && !(xs & ((labset)1 << lab_id(*c)))) fy[nfy++] = *c;
  bat[nbat] = fx[nfx] = fy[nfy] = con[ncon] = 0;
  char ox[EIN_MAXLAB], oy[EIN_MAXLAB];
  cat3(ox, bat, fx, con);
  cat3(oy, bat, con, fy);
  MX_TRY(ein_transpose_to(x, ox, s));
  MX_TRY(ein_transpose_to(y, oy, s));
  /* broadcast the batch and contracted dims to the common sizes, then matrices */
  int32_t bx[MX_MAX_NDIM], by[MX_MAX_NDIM], mx_[MX_MAX_NDIM], my[MX_MAX_NDIM];
  memcpy(bx, x->a->shape, (size_t)x->a->ndim * sizeof(int32_t));
  memcpy(by, y->a->shape, (size_t)y->a->ndim * sizeof(int32_t));
  for (int i = 0; i < nbat; i++) {
    int32_t d = bx[i] > by[i] ? bx[i] : by[i];
    bx[i] = by[i] = d;
  }
  for (int i = 0; i < ncon; i++) {
    int32_t d = bx[nbat + nfx + i] > by[nbat + i] ? bx[nbat + nfx + i] : by[nbat + i];
    bx[nbat + nfx + i] = by[nbat + i] = d;
  }
  memcpy(mx_, bx, (size_t)nbat * sizeof(int32_t));
  memcpy(my, by, (size_t)nbat * sizeof(int32_t));
  int64_t px = prod32(bx + nbat, nfx), pk = prod32(bx + nbat + nfx, ncon),
          py = prod32(by + nbat + ncon, nfy);
  if (px > INT32_MAX || pk > INT32_MAX || py > INT32_MAX)
    return mx_error("[einsum] Dimensions are too large.");
  mx_[nbat] = (int32_t)px, mx_[nbat + 1] = (int32_t)pk;
  my[nbat] = (int32_t)pk, my[nbat + 1] = (int32_t)py;
  mx_array *xb = NULL, *yb = NULL, *xr = NULL, *yr = NULL, *prod = NULL;
  int32_t rshape[MX_MAX_NDIM];
  memcpy(rshape, bx, (size_t)(nbat + nfx) * sizeof(int32_t));
  memcpy(rshape + nbat + nfx, by + nbat + ncon, (size_t)nfy * sizeof(int32_t));
  int rc = mx_broadcast_to(&xb, x->a, (int)strlen(ox), bx, s);
  if (!rc) rc = mx_broadcast_to(&yb, y->a, (int)strlen(oy), by, s);
  if (!rc) rc = mx_reshape(&xr, xb, nbat + 2, mx_, s);
  if (!rc) rc = mx_reshape(&yr, yb, nbat + 2, my, s);
  if (!rc) rc = mx_matmul(&prod, xr, yr, s);
  if (!rc) rc = mx_reshape(&res->a, prod, nbat + nfx + nfy, rshape, s);
  if (!rc) cat3(res->lab, bat, fx, fy);
  mx_array *tmp[] = {xb, yb, xr, yr, prod};
  release_all(tmp, 5);
  return rc;
}

/* Broadcasting product of the terms, then a sum over the labels not kept. */
static int ein_naive(ein_term *ts, int nt, const char *out_order, labset keep, ein_term *res,
                     mx_stream s) {
  char all[EIN_MAXLAB];
  int na = 0;
  labset have = 0;
  for (int i = 0; i < nt; i++)
    for (const char *c = ts[i].lab; *c; c++) {
      labset bit = (labset)1 << lab_id(*c);
      if (!(have & bit)) {
        if (na >= MX_MAX_NDIM) return mx_error("[einsum] Too many dimensions.");
        have |= bit;
        all[na++] = *c;
      }
    }
  all[na] = 0;
  mx_array *acc = NULL;
  for (int i = 0; i < nt; i++) {
    /* order this term's labels as in `all`, then insert size-1 dims for the missing ones */
    char ord[EIN_MAXLAB];
    int no = 0;
    for (int k = 0; k < na; k++)
      if (strchr(ts[i].lab, all[k])) ord[no++] = all[k];
    ord[no] = 0;
    int rc = ein_transpose_to(&ts[i], ord, s);
    int32_t shape[MX_MAX_NDIM];
    for (int k = 0, j = 0; k < na && !rc; k++)
      shape[k] = strchr(ts[i].lab, all[k]) ? ts[i].a->shape[j++] : 1;
    mx_array *r = NULL, *m = NULL;
    if (!rc) rc = mx_reshape(&r, ts[i].a, na, shape, s);
    if (!rc && acc) {
      rc = mx_multiply(&m, acc, r, s);
      mx_array_release(r);
      r = m;
    }
    mx_array_release(acc);
    acc = rc ? NULL : r;
    if (rc) return rc;
  }
  int axes[MX_MAX_NDIM], nax = 0, w = 0;
  char rem[EIN_MAXLAB];
  for (int k = 0; k < na; k++) {
    if (!(keep & ((labset)1 << lab_id(all[k]))))
      axes[nax++] = k;
    else
      rem[w++] = all[k];
  }
  rem[w] = 0;
  if (nax) {
    mx_array *r = NULL;
    int rc = mx_sum(&r, acc, axes, nax, false, s);
    mx_array_release(acc);
    if (rc) return rc;
    acc = r;
  }
  res->a = acc;
  memcpy(res->lab, rem, (size_t)w + 1);
  return out_order ? ein_transpose_to(res, out_order, s) : 0;
}

int mx_einsum(mx_array **out, const char *subscripts, mx_array *const *operands, int n,
              mx_stream s) {
  ein_spec e;
  MX_TRY(ein_parse("einsum", subscripts, operands, n, &e));
  ein_path path;
  if (ein_greedy("einsum", &e, &path)) {
    ein_spec_free(&e);
    return MX_ERR;
  }
  ein_term *terms = calloc((size_t)n + 1, sizeof(ein_term));
  int rc = terms ? 0 : mx_error("[einsum] Out of memory.");
  int nterms = 0;
  for (int i = 0; i < n && !rc; i++) {
    terms[i].a = mx_array_retain(operands[i]);
    memcpy(terms[i].lab, e.in[i], sizeof terms[i].lab);
    nterms++;
  }
  for (int st = 0; st < path.nsteps && !rc; st++) {
    const ein_step *step = &path.steps[st];
    bool last = st == path.nsteps - 1;
    labset keep = step->result;
    /* label counts among the step's terms and its result */
    int count[52] = {0};
    for (int k = 0; k < step->npos; k++) {
      labset ls = lab_set(terms[step->pos[k]].lab);
      for (int id = 0; id < 52; id++) count[id] += (ls >> id) & 1;
    }
    for (int id = 0; id < 52; id++) count[id] += (keep >> id) & 1;
    for (int k = 0; k < step->npos && !rc; k++) rc = ein_collapse(&terms[step->pos[k]], count, s);
    if (rc) break;
    ein_term res = {NULL, {0}};
    ein_term *x = &terms[step->pos[0]];
    bool dot = false;
    if (step->npos == 2)
      for (const char *c = x->lab; *c; c++)
        if (!(keep & ((labset)1 << lab_id(*c)))) dot = true;
    if (dot) {
      rc = ein_dot(x, &terms[step->pos[1]], keep, &res, s);
      if (!rc && last) rc = ein_transpose_to(&res, e.out, s);
    } else {
      ein_term sel[EIN_MAXLAB];
      ein_term *tsel = step->npos <= EIN_MAXLAB ? sel : malloc((size_t)step->npos * sizeof *tsel);
      if (!tsel) {
        rc = mx_error("[einsum] Out of memory.");
        break;
      }
      for (int k = 0; k < step->npos; k++) tsel[k] = terms[step->pos[k]];
      rc = ein_naive(tsel, step->npos, last ? e.out : NULL, keep, &res, s);
      /* the terms may have been transposed in place: keep their new arrays */
      for (int k = 0; k < step->npos; k++) terms[step->pos[k]] = tsel[k];
      if (tsel != sel) free(tsel);
    }
    if (rc) {
      mx_array_release(res.a);
      break;
    }
    /* drop the step's terms (positions increase), append the result */
    for (int k = step->npos - 1; k >= 0; k--) {
      int pidx = step->pos[k];
      mx_array_release(terms[pidx].a);
      memmove(&terms[pidx], &terms[pidx + 1], (size_t)(nterms - pidx - 1) * sizeof(ein_term));
      nterms--;
    }
    terms[nterms++] = res;
  }
  if (!rc) {
    *out = terms[0].a;
    terms[0].a = NULL;
  }
  for (int i = 0; terms && i < nterms; i++) mx_array_release(terms[i].a);
  free(terms);
  ein_path_free(&path);
  ein_spec_free(&e);
  return rc;
}

/* ------------------------------------------------------------------ block_masked_mm */

static int prep_mask(const char *name, mx_array *m, mx_dtype t, int nb, const int32_t *batch,
                     int32_t rows, int32_t cols, mx_array **out, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  memcpy(shape, batch, (size_t)nb * sizeof(int32_t));
  shape[nb] = rows, shape[nb + 1] = cols;
  int32_t joint[MX_MAX_NDIM];
  int jn = 0;
  if (m->ndim > nb + 2 ||
      mx_broadcast_shapes("block_masked_mm", m->ndim, m->shape, nb + 2, shape, &jn, joint) ||
      memcmp(joint, shape, (size_t)(nb + 2) * sizeof(int32_t)) != 0) {
    char sm[512], so[512];
    return mx_error("[block_masked_mm] %s with shape %s cannot be broadcast to the block shape %s.",
                    name, mx_shape_str(sm, sizeof sm, m->ndim, m->shape),
                    mx_shape_str(so, sizeof so, nb + 2, shape));
  }
  mx_array *c = NULL;
  if (m->dtype == MX_BOOL)
    c = mx_array_retain(m);
  else
    MX_TRY(mx_astype(&c, m, t, s));
  int rc = mx_broadcast_to(out, c, nb + 2, shape, s);
  mx_array_release(c);
  return rc;
}

int mx_block_masked_mm(mx_array **out, mx_array *a, mx_array *b, int block_size,
                       mx_array *mask_out, mx_array *mask_lhs, mx_array *mask_rhs, mx_stream s) {
  if (!mask_out && !mask_lhs && !mask_rhs) return mx_matmul(out, a, b, s);
  if (block_size != 32 && block_size != 64)
    return mx_error("[block_masked_mm] Only block_sizes 32, 64 are supported. Got block size %d.",
                    block_size);
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error(
        "[block_masked_mm] Got 0 dimension input. Inputs must have at least one dimension.");
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (!is_real_float(t))
    return mx_error("[block_masked_mm] Only real floating point types are supported but %s and "
                    "%s were provided which results in %s, which is not a real floating point "
                    "type.",
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype),
                    mx_dtype_name(t));
  mm_operands p;
  MX_TRY(mm_prepare("block_masked_mm", a, b, t, &p, s));
  int bs = block_size;
  int32_t tm = (p.M + bs - 1) / bs, tk = (p.K + bs - 1) / bs, tn = (p.N + bs - 1) / bs;
  mx_array *in[5] = {p.a, p.b, NULL, NULL, NULL}, *prod = NULL;
  int nin = 2, rc = 0;
  if (mask_out) rc = prep_mask("mask_out", mask_out, t, p.nb, p.batch, tm, tn, &in[nin++], s);
  if (!rc && mask_lhs)
    rc = prep_mask("mask_lhs", mask_lhs, t, p.nb, p.batch, tm, tk, &in[nin++], s);
  if (!rc && mask_rhs)
    rc = prep_mask("mask_rhs", mask_rhs, t, p.nb, p.batch, tk, tn, &in[nin++], s);
  if (!rc) {
    mx_block_masked_mm_params prm = {bs, mask_out != NULL, mask_lhs != NULL, mask_rhs != NULL};
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_BLOCK_MASKED_MM, &prm, in, nin, &ndim, shape);
    if (!rc) {
      prod = mx_array_make(MX_PRIM_BLOCK_MASKED_MM, &prm, sizeof prm, in, nin, ndim, shape[0], t,
                           s);
      rc = prod ? 0 : MX_ERR;
    }
  }
  if (!rc) {
    int32_t fshape[MX_MAX_NDIM];
    int fn = mm_final_shape(&p, fshape);
    rc = mx_reshape(out, prod, fn, fshape, s);
  }
  release_all(in, 5);
  mx_array_release(prod);
  return rc;
}

/* ------------------------------------------------------------------ gather_mm */

/* The given indices as int64, or arange over the batch shaped like the batch dims. */
static int gather_indices(mx_array *idx, int nb, const int32_t *batch, mx_array **out,
                          mx_stream s) {
  if (idx) {
    if (!mx_dtype_is_integral((mx_dtype)idx->dtype))
      return mx_error("[gather_mm] Got indices with invalid dtype. Indices must be integral.");
    return mx_astype(out, idx, MX_INT64, s);
  }
  mx_array *r = NULL;
  MX_TRY(mx_arange(&r, 0, (double)prod32(batch, nb), 1, MX_INT64, s));
  int rc = mx_reshape(out, r, nb, batch, s);
  mx_array_release(r);
  return rc;
}

int mx_gather_mm(mx_array **out, mx_array *a, mx_array *b, mx_array *lhs_indices,
                 mx_array *rhs_indices, bool sorted_indices, mx_stream s) {
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error("[gather_mm] Got 0 dimension input. Inputs must have at least one dimension.");
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (!is_real_float(t))
    return mx_error("[gather_mm] Only real floating point types are supported but %s and %s were "
                    "provided which results in %s, which is not a real floating point type.",
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype),
                    mx_dtype_name(t));
  bool a_vec = a->ndim == 1, b_vec = b->ndim == 1;
  int32_t as[MX_MAX_NDIM + 1], bs[MX_MAX_NDIM + 1];
  int an = a->ndim, bn = b->ndim;
  memcpy(as, a->shape, (size_t)an * sizeof(int32_t));
  memcpy(bs, b->shape, (size_t)bn * sizeof(int32_t));
  if (a_vec) as[1] = as[0], as[0] = 1, an = 2;
  if (b_vec) bs[1] = 1, bn = 2;
  if (as[an - 1] != bs[bn - 2]) {
    char sa[512], sb[512];
    return mx_error("[gather_mm] Last dimension of first input with shape %s must match second "
                    "to last dimension of second input with shape %s.",
                    mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, b->ndim, b->shape));
  }
  int32_t M = as[an - 2], K = as[an - 1], N = bs[bn - 1];
  int64_t Ba = prod32(as, an - 2), Bb = prod32(bs, bn - 2);
  if (Ba > INT32_MAX || Bb > INT32_MAX) return mx_error("[gather_mm] Inputs are too large.");
  mx_array *li = NULL, *ri = NULL, *lb = NULL, *rb = NULL, *ca = NULL, *cb = NULL, *a3 = NULL,
           *b3 = NULL, *prod = NULL;
  int rc = gather_indices(lhs_indices, an - 2, as, &li, s);
  if (!rc) rc = gather_indices(rhs_indices, bn - 2, bs, &ri, s);
  int32_t ishape[MX_MAX_NDIM];
  int in_ = 0;
  if (!rc) rc = mx_broadcast_shapes("gather_mm", li->ndim, li->shape, ri->ndim, ri->shape, &in_,
                                    ishape);
  if (!rc && in_ + 2 > MX_MAX_NDIM) rc = mx_error("[gather_mm] Too many dimensions.");
  if (!rc && prod32(ishape, in_) > 0 && (Ba == 0 || Bb == 0))
    rc = mx_error("[gather_mm] Cannot gather matrices from an empty batch.");
  if (!rc) rc = mx_broadcast_to(&lb, li, in_, ishape, s);
  if (!rc) rc = mx_broadcast_to(&rb, ri, in_, ishape, s);
  int32_t s3a[3] = {(int32_t)Ba, M, K}, s3b[3] = {(int32_t)Bb, K, N};
  if (!rc) rc = mx_astype(&ca, a, t, s);
  if (!rc) rc = mx_astype(&cb, b, t, s);
  if (!rc) rc = mx_reshape(&a3, ca, 3, s3a, s);
  if (!rc) rc = mx_reshape(&b3, cb, 3, s3b, s);
  if (!rc) {
    mx_gather_mm_params prm = {sorted_indices ? 1 : 0};
    mx_array *in[4] = {a3, b3, lb, rb};
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_GATHER_MM, &prm, in, 4, &ndim, shape);
    if (!rc) {
      prod = mx_array_make(MX_PRIM_GATHER_MM, &prm, sizeof prm, in, 4, ndim, shape[0], t, s);
      rc = prod ? 0 : MX_ERR;
    }
  }
  if (!rc) {
    int32_t fshape[MX_MAX_NDIM];
    int fn = in_;
    memcpy(fshape, ishape, (size_t)in_ * sizeof(int32_t));
    if (!a_vec) fshape[fn++] = M;
    if (!b_vec) fshape[fn++] = N;
    rc = mx_reshape(out, prod, fn, fshape, s);
  }
  mx_array *tmp[] = {li, ri, lb, rb, ca, cb, a3, b3, prod};
  release_all(tmp, 9);
  return rc;
}

/* ------------------------------------------------------------------ segmented_mm */

int mx_segmented_mm(mx_array **out, mx_array *a, mx_array *b, mx_array *segments, mx_stream s) {
  if (a->ndim == 0 || b->ndim == 0)
    return mx_error(
        "[segmented_mm] Got 0 dimension input. Inputs must have at least one dimension.");
  if (a->ndim != 2 || b->ndim != 2)
    return mx_error("[segmented_mm] Batched matmul not supported: a and b must be matrices.");
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (!is_real_float(t))
    return mx_error("[segmented_mm] Only real floating point types are supported but %s and %s "
                    "were provided which results in %s, which is not a real floating point type.",
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype),
                    mx_dtype_name(t));
  if (a->shape[1] != b->shape[0]) {
    char sa[512], sb[512];
    return mx_error("[segmented_mm] Last dimension of first input with shape %s must match "
                    "second to last dimension of second input with shape %s.",
                    mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, b->ndim, b->shape));
  }
  if (!mx_dtype_is_integral((mx_dtype)segments->dtype))
    return mx_error("[segmented_mm] Got segments with invalid dtype. Segments must be integral.");
  if (segments->ndim < 1 || segments->shape[segments->ndim - 1] != 2 ||
      segments->ndim + 1 > MX_MAX_NDIM) {
    char sg[512];
    return mx_error("[segmented_mm] The segments should have shape (..., 2) but %s was provided.",
                    mx_shape_str(sg, sizeof sg, segments->ndim, segments->shape));
  }
  mx_array *ca = NULL, *cb = NULL, *cs = NULL;
  int rc = mx_astype(&ca, a, t, s);
  if (!rc) rc = mx_astype(&cb, b, t, s);
  if (!rc) rc = mx_astype(&cs, segments, MX_INT64, s);
  if (!rc) {
    mx_array *in[3] = {ca, cb, cs};
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_SEGMENTED_MM, NULL, in, 3, &ndim, shape);
    if (!rc) {
      *out = mx_array_make(MX_PRIM_SEGMENTED_MM, NULL, 0, in, 3, ndim, shape[0], t, s);
      rc = *out ? 0 : MX_ERR;
    }
  }
  mx_array *tmp[] = {ca, cb, cs};
  release_all(tmp, 3);
  return rc;
}

/* ------------------------------------------------------------------ hadamard_transform */

int mx_hadamard_transform(mx_array **out, mx_array *a, bool has_scale, float scale,
                          mx_stream s) {
  if (a->size == 0) return mx_error("[hadamard_transform] Does not support empty arrays.");
  mx_dtype t = (mx_dtype)a->dtype;
  if (!is_real_float(t)) t = MX_FLOAT32;
  int64_t n = a->ndim > 0 ? a->shape[a->ndim - 1] : 1;
  int m = 0;
  static const int ms[4] = {28, 20, 12, 1};
  for (int i = 0; i < 4 && !m; i++) {
    if (n % ms[i]) continue;
    int64_t q = n / ms[i];
    if ((q & (q - 1)) == 0) m = ms[i];
  }
  if (!m)
    return mx_error("[hadamard_transform] Only supports n = m*2^k where m in (1, 12, 20, 28), got "
                    "n = %lld.",
                    (long long)n);
  mx_hadamard_params prm = {has_scale ? (double)scale : 1.0 / sqrt((double)n), m, 0};
  mx_array *c = NULL;
  MX_TRY(mx_astype(&c, a, t, s));
  *out = mx_array_make(MX_PRIM_HADAMARD, &prm, sizeof prm, &c, 1, c->ndim, c->shape, t, s);
  mx_array_release(c);
  return *out ? 0 : MX_ERR;
}
