/* Evaluation: build the tape, queue it on the streams, run nodes, detach, wait.
 *
 * mx_eval holds schedule_lock while it walks the graph and queues work, so each stream's queue
 * is in one global topological order: a node only ever waits for nodes queued before it, which
 * cannot wait for it, so cross-stream waits never deadlock. The walk is iterative (an explicit
 * stack), so graphs 10^6 deep are fine. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/allocator.h"
#include "core/error.h"
#include "core/primitives.h"
#include "core/scheduler.h"

static pthread_mutex_t schedule_lock = PTHREAD_MUTEX_INITIALIZER;

/* Threads waiting for an array to become available sleep on ready_cv; finishing a node wakes
 * them only when someone waits (the counter), so the common path takes no lock. */
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static atomic_int num_waiters;

static void wait_available(const mx_array *a) {
  if (mx_array_status(a) == MX_AVAILABLE) return;
  pthread_mutex_lock(&ready_lock);
  atomic_fetch_add(&num_waiters, 1);
  while (mx_array_status(a) != MX_AVAILABLE) pthread_cond_wait(&ready_cv, &ready_lock);
  atomic_fetch_sub(&num_waiters, 1);
  pthread_mutex_unlock(&ready_lock);
}

static void publish(mx_node *n) {
  for (int i = 0; i < n->nout; i++)
    atomic_store_explicit(&n->out[i].status, MX_AVAILABLE, memory_order_seq_cst);
  if (atomic_load(&num_waiters) > 0) {
    pthread_mutex_lock(&ready_lock);
    pthread_cond_broadcast(&ready_cv);
    pthread_mutex_unlock(&ready_lock);
  }
}

static char *copy_message(const char *msg) {
  size_t len = strlen(msg) + 1;
  char *s = malloc(len);
  if (s) memcpy(s, msg, len);
  return s;
}

/* Runs one node: waits for inputs from other streams, propagates an input's error instead of
 * running, records a kernel failure, then detaches the inputs and publishes the outputs. */
static void run_node(mx_node *n) {
  const char *input_error = NULL;
  for (int i = 0; i < n->nin; i++) {
    wait_available(n->inputs[i]);
    if (n->inputs[i]->node->error) input_error = n->inputs[i]->node->error;
  }
  if (input_error) {
    n->error = copy_message(input_error);
  } else if (mx_prim_eval(n) != 0) {
    n->error = copy_message(mx_last_error());
    if (!n->error) n->error = copy_message("[eval] Out of memory.");
  }
  if (n->error) {
    for (int i = 0; i < n->nout; i++) {
      mx_buffer_release(n->out[i].buf);
      n->out[i].buf = NULL;
    }
  }
  if (!mx_node_keeps_graph(n)) { /* detach */
    mx_array **inputs = n->inputs;
    int nin = n->nin;
    n->nin = 0;
    for (int i = 0; i < nin; i++) mx_array_release(inputs[i]);
  }
  publish(n);
}

void mx_run_batch(mx_node **nodes, int n) {
  for (int i = 0; i < n; i++) {
    run_node(nodes[i]);
    mx_node_release(nodes[i]);
  }
}

/* ---- the tape ---- */

typedef struct {
  mx_node **items;
  int n, cap;
} node_list;

static int list_push(node_list *l, mx_node *n) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 64;
    mx_node **items = realloc(l->items, (size_t)cap * sizeof *items);
    if (!items) return mx_error("[eval] Out of memory building the tape.");
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = n;
  return 0;
}

/* vmap traces with data-less stand-ins (placeholders): evaluating one is the user's mistake. */
static int placeholder_error(void) {
  return mx_error("[eval] Attempting to eval an array during function transformations like "
                  "compile or vmap is not allowed.");
}

static void mark_scheduled(mx_node *n) {
  for (int i = 0; i < n->nout; i++)
    atomic_store_explicit(&n->out[i].status, MX_EVALUATED, memory_order_relaxed);
}

/* Post-order walk from the roots over unscheduled nodes. Nodes are marked scheduled when first
 * pushed, so each is visited once; the walk state lives in `stack` (node + next input index). */
static int build_tape(mx_array *const *roots, int nroots, node_list *tape) {
  typedef struct {
    mx_node *node;
    int next_input;
  } frame;
  frame *stack = NULL;
  int depth = 0, cap = 0, rc = 0;
  /* Roots are walked last to first: value_and_grad and optimizers list parameters (and their
   * gradients) in layer order, and the backward pass makes the last layer's first, so each
   * gradient is computed as soon as its cotangent exists instead of every cotangent being held
   * until the first layer's gradient is done. */
  for (int r = nroots - 1; r >= 0 && rc == 0; r--) {
    if (!roots[r] || mx_array_status(roots[r]) != MX_UNSCHEDULED) continue;
    mx_node *start = roots[r]->node;
    if (start->prim == MX_PRIM_PLACEHOLDER) {
      rc = placeholder_error();
      break;
    }
    mark_scheduled(start);
    stack = stack ? stack : malloc(64 * sizeof *stack);
    if (!stack) return mx_error("[eval] Out of memory building the tape.");
    cap = cap ? cap : 64;
    stack[depth++] = (frame){start, 0};
    while (depth > 0) {
      frame *f = &stack[depth - 1];
      if (f->next_input == f->node->nin) {
        if ((rc = list_push(tape, f->node)) != 0) break;
        depth--;
        continue;
      }
      mx_array *in = f->node->inputs[f->next_input++];
      if (mx_array_status(in) != MX_UNSCHEDULED) continue;
      if (in->node->prim == MX_PRIM_PLACEHOLDER) {
        rc = placeholder_error();
        break;
      }
      mark_scheduled(in->node);
      if (depth == cap) {
        frame *grown = realloc(stack, (size_t)cap * 2 * sizeof *stack);
        if (!grown) {
          rc = mx_error("[eval] Out of memory building the tape.");
          break;
        }
        stack = grown;
        cap *= 2;
      }
      stack[depth++] = (frame){in->node, 0};
    }
  }
  /* After a failure, frames still open were marked but never reached the tape: unmark them. */
  for (int i = 0; i < depth; i++)
    for (int k = 0; k < stack[i].node->nout; k++)
      atomic_store(&stack[i].node->out[k].status, MX_UNSCHEDULED);
  free(stack);
  return rc;
}

/* Hands the tape to the streams: one batch per stream, each in tape order. A synchronous
 * evaluation on a single idle stream runs inline on the calling thread. */
static int dispatch(node_list *tape, bool async) {
  int first_stream = tape->items[0]->stream.index;
  bool one_stream = true;
  for (int i = 0; i < tape->n; i++) {
    mx_node_retain(tape->items[i]);
    if (tape->items[i]->stream.index != first_stream) one_stream = false;
  }
  if (one_stream) {
    if (!async && mx_stream_try_claim(first_stream)) {
      pthread_mutex_unlock(&schedule_lock);
      mx_run_batch(tape->items, tape->n);
      mx_stream_unclaim(first_stream);
      free(tape->items);
      return 0;
    }
    int rc = mx_stream_enqueue(first_stream, tape->items, tape->n);
    pthread_mutex_unlock(&schedule_lock);
    if (rc) mx_run_batch(tape->items, tape->n), free(tape->items);
    return rc;
  }
  /* Several streams: one batch per stream, in tape order. Whatever cannot be queued (out of
   * memory) runs here, in order, so no marked node is left unrun. */
  int rc = 0;
  bool *queued = calloc((size_t)tape->n, sizeof *queued);
  for (int i = 0; i < tape->n && queued && rc == 0; i++) {
    if (queued[i]) continue;
    int s = tape->items[i]->stream.index, count = 0;
    for (int j = i; j < tape->n; j++) count += tape->items[j]->stream.index == s;
    mx_node **part = malloc((size_t)count * sizeof *part);
    if (!part) {
      rc = mx_error("[eval] Out of memory queuing work.");
      break;
    }
    for (int j = i, k = 0; j < tape->n; j++)
      if (tape->items[j]->stream.index == s) part[k++] = tape->items[j];
    if ((rc = mx_stream_enqueue(s, part, count)) != 0) {
      free(part);
      break;
    }
    for (int j = i; j < tape->n; j++)
      if (tape->items[j]->stream.index == s) queued[j] = true;
  }
  pthread_mutex_unlock(&schedule_lock);
  if (!queued && rc == 0) rc = mx_error("[eval] Out of memory queuing work.");
  int unqueued = 0;
  for (int i = 0; i < tape->n; i++)
    if (!queued || !queued[i]) tape->items[unqueued++] = tape->items[i];
  if (rc) mx_run_batch(tape->items, unqueued);
  free(queued);
  free(tape->items);
  return rc;
}

int mx_eval(mx_array *const *arrs, int n, bool async) {
  /* Throttle: past the memory limit, let queued work finish (and free) before adding more. */
  if (mx_get_active_memory() > mx_get_memory_limit()) mx_synchronize_all();

  node_list tape = {0};
  pthread_mutex_lock(&schedule_lock);
  int rc = build_tape(arrs, n, &tape);
  if (rc == 0 && tape.n > 0) {
    rc = dispatch(&tape, async); /* unlocks schedule_lock */
  } else {
    /* On a failed walk, marked nodes still get run so nothing waits forever. */
    for (int i = 0; i < tape.n; i++) mx_node_retain(tape.items[i]);
    pthread_mutex_unlock(&schedule_lock);
    if (tape.n) mx_run_batch(tape.items, tape.n);
    free(tape.items);
  }
  if (rc || async) return rc;
  for (int i = 0; i < n; i++) {
    if (!arrs[i]) continue;
    wait_available(arrs[i]);
    if (arrs[i]->node->error) return mx_error("%s", arrs[i]->node->error);
  }
  return 0;
}

int mx_array_ensure(mx_array *a) {
  if (mx_array_status(a) == MX_UNSCHEDULED) MX_TRY(mx_eval(&a, 1, false));
  wait_available(a);
  if (a->node->error) return mx_error("%s", a->node->error);
  return 0;
}
