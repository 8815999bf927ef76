/* Rules of the lapack family. MLX has no vjp / jvp for these primitives (their table slots are
 * NULL); vmap is free: each primitive maps the matrices in its last two axes independently, so
 * the batch axis moves to the front and the node is remade on the batched input. */
#include "core/error.h"
#include "core/primitives.h"
#include "ops/foundation_rules.h"
#include "ops/lapack.h"

int mx_vmap_lapack(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  mx_array *f = NULL;
  MX_TRY(mx_rule_to_front(&f, in[0], axes[0]));
  int nd[4];
  int32_t shapes[4][MX_MAX_NDIM];
  const int32_t *sp[4];
  mx_dtype dt[4];
  int rc = mx_prim_output_shapes(n->prim, n->params, &f, 1, nd, shapes);
  for (int i = 0; i < n->nout; i++) {
    sp[i] = shapes[i];
    dt[i] = (mx_dtype)n->out[i].dtype;
    out_axes[i] = axes[0] < 0 ? -1 : 0;
  }
  if (!rc) rc = mx_node_new(n->prim, n->params, n->params_size, &f, 1, n->nout, nd, sp, dt,
                            n->stream, out);
  mx_array_release(f);
  return rc;
}
