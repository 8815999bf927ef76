/* closure.h and transforms.h (vjp, jvp, value_and_grad).
 *
 * A closure handle's ctx is a refcounted closure_obj: _set shares it, _free drops a reference,
 * the payload's destructor runs with the last one. A failing user function (non-zero status)
 * becomes an error status of the transform, never a crash. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/custom.h"
#include "core/transforms.h"

typedef enum {
  PLAIN,
  PAYLOAD,
  UNARY,
  KWARGS,
  VAG_USER,
  VAG_TRANSFORM,
  CUSTOM_VJP,
  CUSTOM_JVP,
  CUSTOM_VMAP,
  CUSTOM_FN
} closure_kind;

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
    int (*custom_vjp)(mlx_vector_array *, const mlx_vector_array, const mlx_vector_array,
                      const mlx_vector_array, void *);
    int (*custom_jvp)(mlx_vector_array *, const mlx_vector_array, const mlx_vector_array,
                      const int *, size_t, void *);
    int (*custom_vmap)(mlx_vector_array *, mlx_vector_int *, const mlx_vector_array, const int *,
                       size_t, void *);
  } fn;
  void *payload;
  void (*dtor)(void *);
  /* VAG_TRANSFORM, CUSTOM_FN: the function transformed (and its argument numbers or rules). */
  struct closure_obj *inner;
  mx_custom *custom;
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
  mx_custom_release(c->custom);
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

int mlx_api_vector_from_arrays(mlx_vector_array *res, const mx_arrays *l) {
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

int mlx_api_arrays_from_vector(mx_arrays *l, const mlx_vector_array v) {
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
int mlx_api_run_closure(void *payload, const mx_arrays *in, mx_arrays *out) {
  closure_obj *c = payload;
  if (c->kind == CUSTOM_FN) return mx_custom_call((mx_fun){mlx_api_run_closure, c->inner}, c->custom, in, out);
  mlx_vector_array vin = mlx_vector_array_new(), vout = mlx_vector_array_new();
  int rc = mlx_api_vector_from_arrays(&vin, in);
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
  if (!rc) rc = mlx_api_arrays_from_vector(out, vout);
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
  int rc = mlx_api_arrays_from_vector(&in, input);
  if (!rc) rc = mlx_api_run_closure(cls.ctx, &in, &out);
  if (!rc) rc = mlx_api_vector_from_arrays(res, &out);
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
  mx_fun f = {mlx_api_run_closure, c->inner};
  int rc = mlx_api_arrays_from_vector(&in, input);
  if (!rc) rc = mx_value_and_grad(f, &in, c->argnums, c->nargs, &values, &grads);
  if (!rc) rc = mlx_api_vector_from_arrays(res_0, &values) || mlx_api_vector_from_arrays(res_1, &grads);
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
  mx_fun f = {mlx_api_run_closure, fun.ctx};
  int rc = mlx_api_arrays_from_vector(&p, primals) || mlx_api_arrays_from_vector(&s, seeds);
  if (!rc) rc = t(f, &p, &s, &outs, &derivs);
  if (!rc) rc = mlx_api_vector_from_arrays(res_0, &outs) || mlx_api_vector_from_arrays(res_1, &derivs);
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
  mx_fun f = {mlx_api_run_closure, fun.ctx};
  int rc = mlx_api_arrays_from_vector(&in, inputs);
  if (!rc && check_axes("in_axes", in_axes, in_axes_num, (size_t)in.n)) {
    mx_arrays_free(&in);
    return 1;
  }
  if (!rc) rc = mx_vmap_trace(f, &in, in_axes, &stand_ins, &outs);
  if (!rc) rc = mlx_api_vector_from_arrays(res_0, &stand_ins) || mlx_api_vector_from_arrays(res_1, &outs);
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
  int rc = mlx_api_arrays_from_vector(&in, inputs) || mlx_api_arrays_from_vector(&stand_ins, s_inputs) ||
           mlx_api_arrays_from_vector(&traced, s_outputs);
  if (!rc && (check_axes("in_axes", in_axes, in_axes_num, (size_t)in.n) ||
              (out_axes_num != 1 &&
               check_axes("out_axes", out_axes, out_axes_num, (size_t)traced.n)))) {
    mx_arrays_free(&in), mx_arrays_free(&stand_ins), mx_arrays_free(&traced);
    return 1;
  }
  if (!rc) rc = mx_vmap_replace(&in, &stand_ins, &traced, in_axes, out_axes, (int)out_axes_num, &outs);
  if (!rc) rc = mlx_api_vector_from_arrays(res, &outs);
  mx_arrays_free(&in);
  mx_arrays_free(&stand_ins);
  mx_arrays_free(&traced);
  mx_arrays_free(&outs);
  return rc ? mlx_api_fail() : 0;
}

/* ---- custom vjp / jvp / vmap closures ---- */

#define CLOSURE_HANDLE_FUNCS(type, kind_)                                                          \
  type type##_new(void) {                                                                          \
    return (type){NULL};                                                                           \
  }                                                                                                \
  int type##_free(type cls) {                                                                      \
    closure_release(cls.ctx);                                                                      \
    return 0;                                                                                      \
  }                                                                                                \
  int type##_set(type *cls, const type src) {                                                      \
    if (!cls) return mlx_api_error("[" #type "_set] Output handle is NULL.");                      \
    return closure_set(&cls->ctx, src.ctx);                                                        \
  }                                                                                                \
  static type kind_##_wrap(closure_obj *c) {                                                       \
    return (type){c};                                                                              \
  }

CLOSURE_HANDLE_FUNCS(mlx_closure_custom, custom_vjp)
CLOSURE_HANDLE_FUNCS(mlx_closure_custom_jvp, custom_jvp)
CLOSURE_HANDLE_FUNCS(mlx_closure_custom_vmap, custom_vmap)

mlx_closure_custom mlx_closure_custom_new_func_payload(
    int (*fun)(mlx_vector_array *, const mlx_vector_array, const mlx_vector_array,
               const mlx_vector_array, void *),
    void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(CUSTOM_VJP, payload, dtor);
  if (c) c->fn.custom_vjp = fun;
  return custom_vjp_wrap(c);
}

mlx_closure_custom_jvp mlx_closure_custom_jvp_new_func_payload(
    int (*fun)(mlx_vector_array *, const mlx_vector_array, const mlx_vector_array, const int *,
               size_t, void *),
    void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(CUSTOM_JVP, payload, dtor);
  if (c) c->fn.custom_jvp = fun;
  return custom_jvp_wrap(c);
}

mlx_closure_custom_vmap mlx_closure_custom_vmap_new_func_payload(
    int (*fun)(mlx_vector_array *, mlx_vector_int *, const mlx_vector_array, const int *, size_t,
               void *),
    void *payload, void (*dtor)(void *)) {
  closure_obj *c = closure_alloc(CUSTOM_VMAP, payload, dtor);
  if (c) c->fn.custom_vmap = fun;
  return custom_vmap_wrap(c);
}

/* The payload-less forms keep the function pointer as the payload. */
typedef int (*custom_vjp_plain)(mlx_vector_array *, const mlx_vector_array,
                                const mlx_vector_array, const mlx_vector_array);
typedef int (*custom_jvp_plain)(mlx_vector_array *, const mlx_vector_array,
                                const mlx_vector_array, const int *, size_t);
typedef int (*custom_vmap_plain)(mlx_vector_array *, mlx_vector_int *, const mlx_vector_array,
                                 const int *, size_t);

static void *box(const void *fn_ptr, size_t size) {
  void *p = malloc(size);
  if (p) memcpy(p, fn_ptr, size);
  else mlx_api_error("[closure] Out of memory.");
  return p;
}

static int call_vjp_plain(mlx_vector_array *r, const mlx_vector_array a, const mlx_vector_array b,
                          const mlx_vector_array c, void *p) {
  custom_vjp_plain fn;
  memcpy(&fn, p, sizeof fn);
  return fn(r, a, b, c);
}
static int call_jvp_plain(mlx_vector_array *r, const mlx_vector_array a, const mlx_vector_array b,
                          const int *n, size_t k, void *p) {
  custom_jvp_plain fn;
  memcpy(&fn, p, sizeof fn);
  return fn(r, a, b, n, k);
}
static int call_vmap_plain(mlx_vector_array *r, mlx_vector_int *r1, const mlx_vector_array a,
                           const int *n, size_t k, void *p) {
  custom_vmap_plain fn;
  memcpy(&fn, p, sizeof fn);
  return fn(r, r1, a, n, k);
}

mlx_closure_custom mlx_closure_custom_new_func(custom_vjp_plain fun) {
  void *p = box(&fun, sizeof fun);
  return p ? mlx_closure_custom_new_func_payload(call_vjp_plain, p, free) : (mlx_closure_custom){NULL};
}
mlx_closure_custom_jvp mlx_closure_custom_jvp_new_func(custom_jvp_plain fun) {
  void *p = box(&fun, sizeof fun);
  return p ? mlx_closure_custom_jvp_new_func_payload(call_jvp_plain, p, free)
           : (mlx_closure_custom_jvp){NULL};
}
mlx_closure_custom_vmap mlx_closure_custom_vmap_new_func(custom_vmap_plain fun) {
  void *p = box(&fun, sizeof fun);
  return p ? mlx_closure_custom_vmap_new_func_payload(call_vmap_plain, p, free)
           : (mlx_closure_custom_vmap){NULL};
}

/* Runs a user function, turning a non-zero status into an error with a message. */
static int user_status(int rc) {
  if (rc && !mx_last_error()[0]) mx_error("[closure] The function returned an error status.");
  return rc ? MX_ERR : 0;
}

int mlx_closure_custom_apply(mlx_vector_array *res, mlx_closure_custom cls,
                             const mlx_vector_array input_0, const mlx_vector_array input_1,
                             const mlx_vector_array input_2) {
  if (check_closure("closure_custom_apply", cls.ctx)) return 1;
  closure_obj *c = cls.ctx;
  mx_clear_error();
  return user_status(c->fn.custom_vjp(res, input_0, input_1, input_2, c->payload)) ? mlx_api_fail() : 0;
}

int mlx_closure_custom_jvp_apply(mlx_vector_array *res, mlx_closure_custom_jvp cls,
                                 const mlx_vector_array input_0, const mlx_vector_array input_1,
                                 const int *input_2, size_t input_2_num) {
  if (check_closure("closure_custom_jvp_apply", cls.ctx)) return 1;
  closure_obj *c = cls.ctx;
  mx_clear_error();
  return user_status(c->fn.custom_jvp(res, input_0, input_1, input_2, input_2_num, c->payload))
             ? mlx_api_fail()
             : 0;
}

int mlx_closure_custom_vmap_apply(mlx_vector_array *res_0, mlx_vector_int *res_1,
                                  mlx_closure_custom_vmap cls, const mlx_vector_array input_0,
                                  const int *input_1, size_t input_1_num) {
  if (check_closure("closure_custom_vmap_apply", cls.ctx)) return 1;
  closure_obj *c = cls.ctx;
  mx_clear_error();
  return user_status(c->fn.custom_vmap(res_0, res_1, input_0, input_1, input_1_num, c->payload))
             ? mlx_api_fail()
             : 0;
}

/* ---- custom_function, custom_vjp, checkpoint ---- */

/* The rules' payload: the user's closures (NULL where not given). */
typedef struct {
  closure_obj *vjp, *jvp, *vmap, *fun; /* fun: checkpoint recomputes it */
} custom_closures;

static void free_custom_closures(void *p) {
  custom_closures *cc = p;
  closure_release(cc->vjp);
  closure_release(cc->jvp);
  closure_release(cc->vmap);
  closure_release(cc->fun);
  free(cc);
}

static int rule_vjp(void *payload, const mx_arrays *primals, const mx_arrays *cotangents,
                    const mx_arrays *outputs, mx_arrays *grads) {
  closure_obj *c = ((custom_closures *)payload)->vjp;
  mlx_vector_array p = mlx_vector_array_new(), ct = mlx_vector_array_new(),
                   o = mlx_vector_array_new(), r = mlx_vector_array_new();
  int rc = mlx_api_vector_from_arrays(&p, primals) || mlx_api_vector_from_arrays(&ct, cotangents) || mlx_api_vector_from_arrays(&o, outputs);
  if (!rc) {
    mx_clear_error();
    rc = user_status(c->fn.custom_vjp(&r, p, ct, o, c->payload));
  }
  if (!rc) rc = mlx_api_arrays_from_vector(grads, r);
  mlx_vector_array_free(p), mlx_vector_array_free(ct), mlx_vector_array_free(o),
      mlx_vector_array_free(r);
  return rc ? MX_ERR : 0;
}

static int rule_jvp(void *payload, const mx_arrays *primals, const mx_arrays *tangents,
                    const int *argnums, int nargs, mx_arrays *out) {
  closure_obj *c = ((custom_closures *)payload)->jvp;
  mlx_vector_array p = mlx_vector_array_new(), t = mlx_vector_array_new(),
                   r = mlx_vector_array_new();
  int rc = mlx_api_vector_from_arrays(&p, primals) || mlx_api_vector_from_arrays(&t, tangents);
  if (!rc) {
    mx_clear_error();
    rc = user_status(c->fn.custom_jvp(&r, p, t, argnums, (size_t)nargs, c->payload));
  }
  if (!rc) rc = mlx_api_arrays_from_vector(out, r);
  mlx_vector_array_free(p), mlx_vector_array_free(t), mlx_vector_array_free(r);
  return rc ? MX_ERR : 0;
}

static int rule_vmap(void *payload, const mx_arrays *inputs, const int *axes, mx_arrays *outs,
                     int *out_axes) {
  closure_obj *c = ((custom_closures *)payload)->vmap;
  mlx_vector_array in = mlx_vector_array_new(), r = mlx_vector_array_new();
  mlx_vector_int ra = mlx_vector_int_new();
  int rc = mlx_api_vector_from_arrays(&in, inputs);
  if (!rc) {
    mx_clear_error();
    rc = user_status(c->fn.custom_vmap(&r, &ra, in, axes, (size_t)inputs->n, c->payload));
  }
  if (!rc) rc = mlx_api_arrays_from_vector(outs, r);
  if (!rc && (int)mlx_vector_int_size(ra) != outs->n)
    rc = mx_error("[custom_function] The custom vmap returned %zu axes for %d outputs.",
                  mlx_vector_int_size(ra), outs->n);
  for (int i = 0; !rc && i < outs->n; i++) mlx_vector_int_get(&out_axes[i], ra, (size_t)i);
  mlx_vector_array_free(in), mlx_vector_array_free(r), mlx_vector_int_free(ra);
  return rc ? MX_ERR : 0;
}

/* checkpoint's vjp: recompute the function's vjp from the primals. */
static int rule_recompute_vjp(void *payload, const mx_arrays *primals, const mx_arrays *cotangents,
                              const mx_arrays *outputs, mx_arrays *grads) {
  mx_arrays outs = {0};
  mx_fun f = {mlx_api_run_closure, ((custom_closures *)payload)->fun};
  int rc = mx_vjp(f, primals, cotangents, &outs, grads);
  mx_arrays_free(&outs);
  return rc;
}

static closure_obj *retained(void *ctx) {
  closure_obj *c = ctx;
  if (c) atomic_fetch_add(&c->refs, 1);
  return c;
}

/* A closure computing fun whose rules come from the given closures. */
static int make_custom(mlx_closure *res, const mlx_closure fun, void *vjp, void *jvp, void *vmap,
                       bool checkpoint) {
  if (!res) return mlx_api_error("[custom_function] Output handle is NULL.");
  if (check_closure("custom_function", fun.ctx)) return 1;
  custom_closures *cc = calloc(1, sizeof *cc);
  if (!cc) return mlx_api_error("[custom_function] Out of memory.");
  cc->vjp = retained(vjp), cc->jvp = retained(jvp), cc->vmap = retained(vmap);
  cc->fun = checkpoint ? retained(fun.ctx) : NULL;
  mx_custom_rules rules = {
      .vjp = checkpoint ? rule_recompute_vjp : vjp ? rule_vjp : NULL,
      .jvp = jvp ? rule_jvp : NULL,
      .vmap = vmap ? rule_vmap : NULL,
      .payload = cc,
      .free_payload = free_custom_closures,
  };
  mx_custom *custom = mx_custom_new(rules);
  if (!custom) return mlx_api_fail();
  closure_obj *c = closure_alloc(CUSTOM_FN, NULL, NULL);
  if (!c) {
    mx_custom_release(custom);
    return 1;
  }
  c->custom = custom;
  c->inner = retained(fun.ctx);
  closure_release(res->ctx);
  res->ctx = c;
  return 0;
}

int mlx_custom_function(mlx_closure *res, const mlx_closure fun, const mlx_closure_custom fun_vjp,
                        const mlx_closure_custom_jvp fun_jvp,
                        const mlx_closure_custom_vmap fun_vmap) {
  return make_custom(res, fun, fun_vjp.ctx, fun_jvp.ctx, fun_vmap.ctx, false);
}

int mlx_custom_vjp(mlx_closure *res, const mlx_closure fun, const mlx_closure_custom fun_vjp) {
  return make_custom(res, fun, fun_vjp.ctx, NULL, NULL, false);
}

int mlx_checkpoint(mlx_closure *res, const mlx_closure fun) {
  return make_custom(res, fun, NULL, NULL, NULL, true);
}
