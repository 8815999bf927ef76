/* The error handler. The default one prints the message; it never exits the process. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "api/api.h"

static void print_error(const char *msg, void *data) {
  fprintf(stderr, "mlxc: %s\n", msg);
}

static struct {
  pthread_mutex_t lock;
  mlx_error_handler_func handler;
  void *data;
  void (*dtor)(void *);
} H = {PTHREAD_MUTEX_INITIALIZER, print_error, NULL, NULL};

void mlx_set_error_handler(mlx_error_handler_func handler, void *data, void (*dtor)(void *)) {
  pthread_mutex_lock(&H.lock);
  void *old_data = H.data;
  void (*old_dtor)(void *) = H.dtor;
  H.handler = handler ? handler : print_error;
  H.data = handler ? data : NULL;
  H.dtor = handler ? dtor : NULL;
  pthread_mutex_unlock(&H.lock);
  if (old_dtor) old_dtor(old_data);
}

int mlx_api_fail(void) {
  pthread_mutex_lock(&H.lock);
  mlx_error_handler_func handler = H.handler;
  void *data = H.data;
  pthread_mutex_unlock(&H.lock);
  handler(mx_last_error(), data);
  return 1;
}

int mlx_api_error(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  mx_error("%s", msg);
  return mlx_api_fail();
}
