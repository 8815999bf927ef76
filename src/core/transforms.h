/* Function transforms: vjp, jvp, vmap over traced graphs.
 *
 * A function is traced by calling it on tracer inputs (identity nodes over the primals, so each
 * input is a distinct node even when the caller passes one array twice). The graph between the
 * tracers and the outputs is then walked with each primitive's rule from the table:
 * backwards with vjp, forwards with jvp, forwards with vmap over batched replacements. */
#ifndef MX_CORE_TRANSFORMS_H
#define MX_CORE_TRANSFORMS_H

#include "core/array.h"
#include "core/ptrmap.h"

/* A list of array references (owned: one reference per item). */
typedef struct {
  mx_array **items;
  int n;
} mx_arrays;

void mx_arrays_free(mx_arrays *l);
/* Copies (retains) n arrays into a new owned list. */
int mx_arrays_from(mx_arrays *l, mx_array *const *arrays, int n);

/* The nodes between the inputs' nodes and the outputs, inputs before users. depends[i]: node i
 * is the node of an input (traced[j], or every input when traced is NULL) or has an input that
 * depends on one. */
typedef struct {
  mx_node **nodes;
  bool *depends;
  int n;
  mx_ptrmap index; /* node -> position */
} mx_graph;

int mx_graph_collect(mx_graph *g, const mx_arrays *inputs, const bool *traced,
                     const mx_arrays *outs);
void mx_graph_free(mx_graph *g);

/* A function of arrays: fills *out (owned) from `in` (borrowed). */
typedef int (*mx_fun_fn)(void *payload, const mx_arrays *in, mx_arrays *out);
typedef struct {
  mx_fun_fn fn;
  void *payload;
} mx_fun;

/* outs = f(primals); vjps[i] = cotangents^T d outs / d primals[i] (one per primal). A NULL
 * cotangent item means zero for that output. */
int mx_vjp(mx_fun f, const mx_arrays *primals, const mx_arrays *cotangents, mx_arrays *outs,
           mx_arrays *vjps);
/* outs = f(primals); jvps[j] = d outs[j] / d primals . tangents (one per output). */
int mx_jvp(mx_fun f, const mx_arrays *primals, const mx_arrays *tangents, mx_arrays *outs,
           mx_arrays *jvps);
/* outs = f(inputs); grads = d outs[0] / d inputs[argnums[i]]; outs[0] must be a scalar. */
int mx_value_and_grad(mx_fun f, const mx_arrays *inputs, const int *argnums, int nargs,
                      mx_arrays *outs, mx_arrays *grads);
/* Maps f over axis in_axes[i] of inputs[i] (in [0, ndim), or -1: not mapped); output j is
 * stacked along out_axes[j] (negative counts from the end; one entry applies to all outputs). */
int mx_vmap(mx_fun f, const mx_arrays *inputs, const int *in_axes, const int *out_axes,
            int nout_axes, mx_arrays *outs);
/* vmap in two steps (mlx-c's detail API): trace f on stand-ins for one slice of each mapped
 * input, then replay the traced graph on the batched inputs. */
int mx_vmap_trace(mx_fun f, const mx_arrays *inputs, const int *in_axes, mx_arrays *stand_ins,
                  mx_arrays *outs);
int mx_vmap_replace(const mx_arrays *inputs, const mx_arrays *stand_ins,
                    const mx_arrays *traced_outs, const int *in_axes, const int *out_axes,
                    int nout_axes, mx_arrays *outs);

/* Helpers for the primitives' vjp, jvp and vmap rules. */
/* Zeros shaped and typed like a. */
int mx_zeros_like(mx_array **out, mx_array *a);
/* Moves axis `from` of a to position `to`. */
int mx_move_axis(mx_array **out, mx_array *a, int from, int to);
/* Sums a over leading/size-1 axes so it has shape (ndim, shape) (inverse of broadcasting). */
int mx_unbroadcast(mx_array **out, mx_array *a, int ndim, const int32_t *shape);

#endif
