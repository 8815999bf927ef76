#include "core/primitives.h"

#include "core/error.h"

const mx_prim_info mx_prims[MX_NUM_PRIMS] = {
#define MX_PRIM_INFO(id, name, flags, cpu, cuda, vjp, jvp, vmap, shapes, equiv)                    \
  [MX_PRIM_##id] = {name, flags, cpu, cuda, vjp, jvp, vmap, shapes, equiv},
    MX_PRIMITIVES(MX_PRIM_INFO)
#undef MX_PRIM_INFO
};

int mx_prim_eval(mx_node *n) {
  const mx_prim_info *p = &mx_prims[n->prim];
  mx_eval_fn fn = n->stream.device.type == MX_GPU ? p->eval_cuda : p->eval_cpu;
  if (!fn)
    return mx_error("[%s] Has no %s kernel.", p->name,
                    n->stream.device.type == MX_GPU ? "CUDA" : "CPU");
  return fn(n);
}

int mx_prim_output_shapes(int prim, const void *params, mx_array *const *inputs, int nin,
                          int *ndims, int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_prim_info *p = &mx_prims[prim];
  if (!p->output_shapes) return mx_error("[%s] Cannot infer output shapes.", p->name);
  return p->output_shapes(params, inputs, nin, ndims, shapes);
}
