/* compile.h (mlx-c): a compiled closure calls its function through the core's trace cache
 * (core/compile.h). mlx_compile keys the cache by the function's closure object and drops its
 * traces with the compiled closure; mlx_detail_compile takes the caller's id and constants (the
 * Python face passes its own), and the caller erases them. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/compile.h"

typedef struct {
  mlx_closure fun; /* a reference */
  uint64_t fun_id;
  bool shapeless, erase_on_free;
  uint64_t *constants;
  int nconst;
} compiled;

static void compiled_free(void *payload) {
  compiled *c = payload;
  if (c->erase_on_free) mx_compile_erase(c->fun_id);
  mlx_closure_free(c->fun);
  free(c->constants);
  free(c);
}

static int compiled_apply(mlx_vector_array *res, const mlx_vector_array input, void *payload) {
  compiled *c = payload;
  mx_arrays in = {0}, out = {0};
  int rc = mlx_api_arrays_from_vector(&in, input);
  if (!rc) rc = mx_compile_call((mx_fun){mlx_api_run_closure, c->fun.ctx}, c->fun_id, c->shapeless,
                                c->constants, c->nconst, &in, &out);
  if (!rc) rc = mlx_api_vector_from_arrays(res, &out);
  mx_arrays_free(&in);
  mx_arrays_free(&out);
  return rc ? 1 : 0;
}

static int make_compiled(mlx_closure *res, const mlx_closure fun, uint64_t fun_id, bool shapeless,
                         const uint64_t *constants, size_t nconst, bool erase_on_free,
                         const char *op) {
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  if (!fun.ctx) return mlx_api_error("[%s] Empty closure handle.", op);
  if (nconst > 0 && !constants) return mlx_api_error("[%s] constants is NULL.", op);
  if (nconst > (size_t)1 << 20) return mlx_api_error("[%s] Too many constants.", op);
  compiled *c = calloc(1, sizeof *c);
  uint64_t *k = calloc(nconst + 1, sizeof *k);
  if (!c || !k) {
    free(c), free(k);
    return mlx_api_error("[%s] Out of memory.", op);
  }
  if (nconst) memcpy(k, constants, nconst * sizeof *k);
  c->fun = mlx_closure_new();
  mlx_closure_set(&c->fun, fun);
  *c = (compiled){c->fun, fun_id, shapeless, erase_on_free, k, (int)nconst};
  mlx_closure made = mlx_closure_new_func_payload(compiled_apply, c, compiled_free);
  if (!made.ctx) return mlx_api_fail(); /* (the payload was freed) */
  int rc = mlx_closure_set(res, made);
  mlx_closure_free(made);
  return rc;
}

int mlx_compile(mlx_closure *res, const mlx_closure fun, bool shapeless) {
  return make_compiled(res, fun, (uint64_t)(uintptr_t)fun.ctx, shapeless, NULL, 0, true,
                       "compile");
}

int mlx_detail_compile(mlx_closure *res, const mlx_closure fun, uintptr_t fun_id, bool shapeless,
                       const uint64_t *constants, size_t constants_num) {
  return make_compiled(res, fun, fun_id, shapeless, constants, constants_num, false, "compile");
}

int mlx_detail_compile_clear_cache(void) {
  mx_compile_clear_cache();
  return 0;
}

int mlx_detail_compile_erase(uintptr_t fun_id) {
  mx_compile_erase(fun_id);
  return 0;
}

int mlx_disable_compile(void) {
  mx_compile_set_mode(MX_COMPILE_DISABLED);
  return 0;
}

int mlx_enable_compile(void) {
  mx_compile_set_mode(MX_COMPILE_ENABLED);
  return 0;
}

int mlx_set_compile_mode(mlx_compile_mode mode) {
  if ((int)mode < MLX_COMPILE_MODE_DISABLED || (int)mode > MLX_COMPILE_MODE_ENABLED)
    return mlx_api_error("[set_compile_mode] Invalid mode %d.", (int)mode);
  mx_compile_set_mode((mx_compile_mode)mode);
  return 0;
}
