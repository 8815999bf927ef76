/* Streams as work queues. Each stream runs batches of nodes in FIFO order on its own worker
 * thread (started on first use). A caller may instead run a batch inline when the stream is idle,
 * which keeps the stream's order (nothing is queued or running) and saves a thread handoff. */
#ifndef MX_CORE_SCHEDULER_H
#define MX_CORE_SCHEDULER_H

#include <stdbool.h>

#include "core/array.h"

/* Queues nodes (in topological order; the batch takes over the array and one hold on each
 * node) on stream `index`. */
int mx_stream_enqueue(int index, mx_node **nodes, int n);
/* Claims an idle stream for inline execution; false when work is queued or running. */
bool mx_stream_try_claim(int index);
void mx_stream_unclaim(int index);

/* Runs a batch's nodes in order and releases the batch's holds (eval.c). */
void mx_run_batch(mx_node **nodes, int n);

#endif
