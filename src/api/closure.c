/* closure.h and transforms.h (vjp, jvp, value_and_grad).
 *
 * A closure handle's ctx is a refcounted closure_obj: _set shares it, _free drops a reference,
 * the payload's destructor runs with the last one. A failing user function (non-zero status)
 * becomes an error status of the transform, never a crash. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/transforms.h"

typedef enum { PLAIN, PAYLOAD, UNARY, KWARGS, VAG_USER, VAG_TRANSFORM } closure_kind;

typedef struct closure_obj {
  atomic_int refs;
  closure_kind kind;
  union {
    int (*plain)(mlx_vector_array *, const mlx_vector_array);
    int (*payload)(mlx_vector_array *, const mlx_vector_array, void *);
    int (*unary)(mlx_array *, const mlx_array);
    int (*kwargs)(mlx_vector_array *, const mlx_vector_array, const mlx_map_string_to_array,
                  void *);
    int (*vag)(mlx_vector_array *, mlx_vector_array *, const mlx_vector_array, void *);
  } fn;
  void *payload;
  void (*dtor)(void *);
  /* VAG_TRANSFORM: the function differentiated and the argument numbers. */
  struct closure_obj *inner;
  int *argnums;
  int nargs;
} closure_obj;

static closure_obj *closure_alloc(closure_kind kind, void *payload, void (*dtor)(void *)) {
  closure_obj *c = calloc(1, sizeof *c);
  if (!c) {
    mlx_api_error("[closure] Out of memory.");
    if (dtor) dtor(payload);
    return NULL;
  }
  atomic_init(&c->refs, 1);
  c->kind = kind;
  c->payload = payload;
  c->dtor = dtor;
  return c;
}

static void closure_release(closure_obj *c) {
  if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
  if (c->dtor) c->dtor(c->payload);
  closure_release(c->inner);
  free(c->argnums);
  free(c);
}

static int closure_set(void **dst, void *src) {
  closure_obj *c = src;
  if (c) atomic_fetch_add(&c->refs, 1);
  closure_release(*dst);
  *dst = c;
  return 0;
}

/* ---- vectors <-> core lists ---- */

static int to_vector(mlx_vector_array *res, const mx_arrays *l) {
  mlx_vector_array v = mlx_vector_array_new();
  for (int i = 0; i < l->n; i++)
    if (mlx_vector_array_append_value(v, (mlx_array){l->items[i]})) {
      mlx_vector_array_free(v);
      return 1;
    }
  int rc = mlx_vector_array_set(res, v);
  mlx_vector_array_free(v);
  return rc;
}

static int from_vector(mx_arrays *l, const mlx_vector_array v) {
  size_t n;
  const mlx_array *items = mlx_api_vector_array_items(v, &n);
  mx_array *stack[64], **arrays = n <= 64 ? stack : malloc(n * sizeof *arrays);
  if (!arrays) return mx_error("[closure] Out of memory.");
  for (size_t i = 0; i < n; i++) arrays[i] = mlx_api_arr(items[i]);
  int rc = mx_arrays_from(l, arrays, (int)n);
  if (arrays != stack) free(arrays);
  return rc;
}

/* Runs a closure on core arrays (the mx_fun of the transforms). */
static int run_closure(void *payload, const mx_arrays *in, mx_arrays *out) {
  closure_obj *c = payload;
  mlx_vector_array vin = mlx_vector_array_new(), vout = mlx_vector_array_new();
  int rc = to_vector(&vin, in);
  if (!rc) {
    mx_clear_error();
    switch (c->kind) {
    case PLAIN: rc = c->fn.plain(&vout, vin); break;
    case PAYLOAD: rc = c->fn.payload(&vout, vin, c->payload); break;
    case UNARY: {
      mlx_array x = mlx_array_new(), y = mlx_array_new();
      rc = mlx_vector_array_get(&x, vin, 0) || c->fn.unary(&y, x) ||
           mlx_vector_array_set_value(&vout, y);
      mlx_array_free(x);
      mlx_array_free(y);
      break;
    }
    default: rc = mx_error("[closure] This closure takes other arguments.");
    }
    if (rc && !mx_last_error()[0]) mx_error("[closure] The function returned an error status.");
  }
  if (!rc) rc = from_vector(out, vout);
  mlx_vector_array_free(vin);
  mlx_vector_array_free(vout);
  return rc ? MX_ERR : 0;
}

/* ---- mlx_closure ---- */

static mlx_closure wrap_closure(closure_obj *c) {
  return (mlx_closure){c};
}

mlx_closure mlx_closure_new(void) {
  return (mlx_closure){NULL};
}

int mlx_closure_free(mlx_closure cls) {
  closure_release(cls.ctx);
  return 0;
}

mlx_closure mlx_closure_new_func(int (*fun)(mlx_vector_array *, const mlx_vector_array)) {
  closure_obj *c = closure_alloc(PLAIN, NULL, NULL);
  if (c) c->fn.plain = fun;
  return wrap_closure(c);
}

mlx_closure mlx_closure_new_func_payload(int (*fun)(mlx_vector_array *, const mlx_vector_array,
                                                    void *),
                                         void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(PAYLOAD, payload, dtor);
  if (c) c->fn.payload = fun;
  return wrap_closure(c);
}

mlx_closure mlx_closure_new_unary(int (*fun)(mlx_array *, const mlx_array)) {
  closure_obj *c = closure_alloc(UNARY, NULL, NULL);
  if (c) c->fn.unary = fun;
  return wrap_closure(c);
}

int mlx_closure_set(mlx_closure *cls, const mlx_closure src) {
  if (!cls) return mlx_api_error("[closure_set] Output handle is NULL.");
  return closure_set(&cls->ctx, src.ctx);
}

static int check_closure(const char *op, void *ctx) {
  return ctx ? 0 : mlx_api_error("[%s] Empty closure handle.", op);
}

int mlx_closure_apply(mlx_vector_array *res, mlx_closure cls, const mlx_vector_array input) {
  mx_arrays in = {0}, out = {0};
  if (!res) return mlx_api_error("[closure_apply] Output handle is NULL.");
  if (check_closure("closure_apply", cls.ctx)) return 1;
  int rc = from_vector(&in, input);
  if (!rc) rc = run_closure(cls.ctx, &in, &out);
  if (!rc) rc = to_vector(res, &out);
  mx_arrays_free(&in);
  mx_arrays_free(&out);
  return rc ? mlx_api_fail() : 0;
}

/* ---- mlx_closure_kwargs ---- */

mlx_closure_kwargs mlx_closure_kwargs_new(void) {
  return (mlx_closure_kwargs){NULL};
}

int mlx_closure_kwargs_free(mlx_closure_kwargs cls) {
  closure_release(cls.ctx);
  return 0;
}

mlx_closure_kwargs mlx_closure_kwargs_new_func_payload(
    int (*fun)(mlx_vector_array *, const mlx_vector_array, const mlx_map_string_to_array, void *),
    void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(KWARGS, payload, dtor);
  if (c) c->fn.kwargs = fun;
  return (mlx_closure_kwargs){c};
}

/* Adapts a payload-less kwargs function: the payload is the function pointer itself. */
typedef int (*kwargs_plain_fn)(mlx_vector_array *, const mlx_vector_array,
                               const mlx_map_string_to_array);
static int call_kwargs_plain(mlx_vector_array *res, const mlx_vector_array in,
                             const mlx_map_string_to_array kw, void *payload) {
  kwargs_plain_fn fn;
  memcpy(&fn, payload, sizeof fn);
  return fn(res, in, kw);
}

mlx_closure_kwargs mlx_closure_kwargs_new_func(kwargs_plain_fn fun) {
  kwargs_plain_fn *boxed = malloc(sizeof *boxed);
  if (!boxed) return mlx_api_error("[closure_kwargs] Out of memory."), (mlx_closure_kwargs){NULL};
  memcpy(boxed, &fun, sizeof fun);
  return mlx_closure_kwargs_new_func_payload(call_kwargs_plain, boxed, free);
}

int mlx_closure_kwargs_set(mlx_closure_kwargs *cls, const mlx_closure_kwargs src) {
  if (!cls) return mlx_api_error("[closure_kwargs_set] Output handle is NULL.");
  return closure_set(&cls->ctx, src.ctx);
}

int mlx_closure_kwargs_apply(mlx_vector_array *res, mlx_closure_kwargs cls,
                             const mlx_vector_array input_0,
                             const mlx_map_string_to_array input_1) {
  if (!res) return mlx_api_error("[closure_kwargs_apply] Output handle is NULL.");
  if (check_closure("closure_kwargs_apply", cls.ctx)) return 1;
  closure_obj *c = cls.ctx;
  mx_clear_error();
  if (c->fn.kwargs(res, input_0, input_1, c->payload) == 0) return 0;
  if (!mx_last_error()[0]) mx_error("[closure] The function returned an error status.");
  return mlx_api_fail();
}

/* ---- mlx_closure_value_and_grad ---- */

mlx_closure_value_and_grad mlx_closure_value_and_grad_new(void) {
  return (mlx_closure_value_and_grad){NULL};
}

int mlx_closure_value_and_grad_free(mlx_closure_value_and_grad cls) {
  closure_release(cls.ctx);
  return 0;
}

mlx_closure_value_and_grad mlx_closure_value_and_grad_new_func_payload(
    int (*fun)(mlx_vector_array *, mlx_vector_array *, const mlx_vector_array, void *),
    void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(VAG_USER, payload, dtor);
  if (c) c->fn.vag = fun;
  return (mlx_closure_value_and_grad){c};
}

typedef int (*vag_plain_fn)(mlx_vector_array *, mlx_vector_array *, const mlx_vector_array);
static int call_vag_plain(mlx_vector_array *r0, mlx_vector_array *r1, const mlx_vector_array in,
                          void *payload) {
  vag_plain_fn fn;
  memcpy(&fn, payload, sizeof fn);
  return fn(r0, r1, in);
}

mlx_closure_value_and_grad mlx_closure_value_and_grad_new_func(vag_plain_fn fun) {
  vag_plain_fn *boxed = malloc(sizeof *boxed);
  if (!boxed)
    return mlx_api_error("[closure_value_and_grad] Out of memory."),
           (mlx_closure_value_and_grad){NULL};
  memcpy(boxed, &fun, sizeof fun);
  return mlx_closure_value_and_grad_new_func_payload(call_vag_plain, boxed, free);
}

int mlx_closure_value_and_grad_set(mlx_closure_value_and_grad *cls,
                                   const mlx_closure_value_and_grad src) {
  if (!cls) return mlx_api_error("[closure_value_and_grad_set] Output handle is NULL.");
  return closure_set(&cls->ctx, src.ctx);
}

int mlx_closure_value_and_grad_apply(mlx_vector_array *res_0, mlx_vector_array *res_1,
                                     mlx_closure_value_and_grad cls,
                                     const mlx_vector_array input) {
  if (!res_0 || !res_1) return mlx_api_error("[value_and_grad] Output handle is NULL.");
  if (check_closure("value_and_grad", cls.ctx)) return 1;
  closure_obj *c = cls.ctx;
  if (c->kind == VAG_USER) {
    mx_clear_error();
    if (c->fn.vag(res_0, res_1, input, c->payload) == 0) return 0;
    if (!mx_last_error()[0]) mx_error("[closure] The function returned an error status.");
    return mlx_api_fail();
  }
  mx_arrays in = {0}, values = {0}, grads = {0};
  mx_fun f = {run_closure, c->inner};
  int rc = from_vector(&in, input);
  if (!rc) rc = mx_value_and_grad(f, &in, c->argnums, c->nargs, &values, &grads);
  if (!rc) rc = to_vector(res_0, &values) || to_vector(res_1, &grads);
  mx_arrays_free(&in);
  mx_arrays_free(&values);
  mx_arrays_free(&grads);
  return rc ? mlx_api_fail() : 0;
}

/* ---- transforms ---- */

int mlx_value_and_grad(mlx_closure_value_and_grad *res, const mlx_closure fun, const int *argnums,
                       size_t argnums_num) {
  if (!res) return mlx_api_error("[value_and_grad] Output handle is NULL.");
  if (check_closure("value_and_grad", fun.ctx)) return 1;
  if (argnums_num && !argnums) return mlx_api_error("[value_and_grad] argnums is NULL.");
  closure_obj *c = closure_alloc(VAG_TRANSFORM, NULL, NULL);
  if (!c) return 1;
  int default_arg = 0;
  if (argnums_num == 0) argnums = &default_arg, argnums_num = 1; /* MLX: the first argument */
  c->argnums = malloc(argnums_num * sizeof *c->argnums);
  if (!c->argnums) {
    closure_release(c);
    return mlx_api_error("[value_and_grad] Out of memory.");
  }
  memcpy(c->argnums, argnums, argnums_num * sizeof *c->argnums);
  c->nargs = (int)argnums_num;
  closure_set((void **)&c->inner, fun.ctx);
  closure_release(res->ctx);
  res->ctx = c;
  return 0;
}

typedef int (*transform_fn)(mx_fun, const mx_arrays *, const mx_arrays *, mx_arrays *,
                            mx_arrays *);

static int forward_or_backward(const char *op, transform_fn t, mlx_vector_array *res_0,
                               mlx_vector_array *res_1, const mlx_closure fun,
                               const mlx_vector_array primals, const mlx_vector_array seeds) {
  if (!res_0 || !res_1) return mlx_api_error("[%s] Output handle is NULL.", op);
  if (check_closure(op, fun.ctx)) return 1;
  mx_arrays p = {0}, s = {0}, outs = {0}, derivs = {0};
  mx_fun f = {run_closure, fun.ctx};
  int rc = from_vector(&p, primals) || from_vector(&s, seeds);
  if (!rc) rc = t(f, &p, &s, &outs, &derivs);
  if (!rc) rc = to_vector(res_0, &outs) || to_vector(res_1, &derivs);
  mx_arrays_free(&p);
  mx_arrays_free(&s);
  mx_arrays_free(&outs);
  mx_arrays_free(&derivs);
  return rc ? mlx_api_fail() : 0;
}

int mlx_vjp(mlx_vector_array *res_0, mlx_vector_array *res_1, const mlx_closure fun,
            const mlx_vector_array primals, const mlx_vector_array cotangents) {
  return forward_or_backward("vjp", mx_vjp, res_0, res_1, fun, primals, cotangents);
}

int mlx_jvp(mlx_vector_array *res_0, mlx_vector_array *res_1, const mlx_closure fun,
            const mlx_vector_array primals, const mlx_vector_array tangents) {
  return forward_or_backward("jvp", mx_jvp, res_0, res_1, fun, primals, tangents);
}

/* ---- transforms_impl.h: vmap in two steps ---- */

static int check_axes(const char *what, const int *axes, size_t n, size_t expect) {
  if (n != expect)
    return mlx_api_error("[vmap] %s has %zu entries for %zu arrays.", what, n, expect);
  return n && !axes ? mlx_api_error("[vmap] %s is NULL.", what) : 0;
}

int mlx_detail_vmap_trace(mlx_vector_array *res_0, mlx_vector_array *res_1, const mlx_closure fun,
                          const mlx_vector_array inputs, const int *in_axes, size_t in_axes_num) {
  if (!res_0 || !res_1) return mlx_api_error("[vmap] Output handle is NULL.");
  if (check_closure("vmap", fun.ctx)) return 1;
  mx_arrays in = {0}, stand_ins = {0}, outs = {0};
  mx_fun f = {run_closure, fun.ctx};
  int rc = from_vector(&in, inputs);
  if (!rc && check_axes("in_axes", in_axes, in_axes_num, (size_t)in.n)) {
    mx_arrays_free(&in);
    return 1;
  }
  if (!rc) rc = mx_vmap_trace(f, &in, in_axes, &stand_ins, &outs);
  if (!rc) rc = to_vector(res_0, &stand_ins) || to_vector(res_1, &outs);
  mx_arrays_free(&in);
  mx_arrays_free(&stand_ins);
  mx_arrays_free(&outs);
  return rc ? mlx_api_fail() : 0;
}

int mlx_detail_vmap_replace(mlx_vector_array *res, const mlx_vector_array inputs,
                            const mlx_vector_array s_inputs, const mlx_vector_array s_outputs,
                            const int *in_axes, size_t in_axes_num, const int *out_axes,
                            size_t out_axes_num) {
  if (!res) return mlx_api_error("[vmap] Output handle is NULL.");
  mx_arrays in = {0}, stand_ins = {0}, traced = {0}, outs = {0};
  int rc = from_vector(&in, inputs) || from_vector(&stand_ins, s_inputs) ||
           from_vector(&traced, s_outputs);
  if (!rc && (check_axes("in_axes", in_axes, in_axes_num, (size_t)in.n) ||
              (out_axes_num != 1 &&
               check_axes("out_axes", out_axes, out_axes_num, (size_t)traced.n)))) {
    mx_arrays_free(&in), mx_arrays_free(&stand_ins), mx_arrays_free(&traced);
    return 1;
  }
  if (!rc) rc = mx_vmap_replace(&in, &stand_ins, &traced, in_axes, out_axes, (int)out_axes_num, &outs);
  if (!rc) rc = to_vector(res, &outs);
  mx_arrays_free(&in);
  mx_arrays_free(&stand_ins);
  mx_arrays_free(&traced);
  mx_arrays_free(&outs);
  return rc ? mlx_api_fail() : 0;
}
