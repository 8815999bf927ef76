/* Runs a Compiled node (see fused.h). Layout contract of the row function: in[i] points at the
 * row's first element of input i (a row input: at its one value), read with element stride
 * stride[i]; out[o] at the row's first element of output o (row-contiguous; a row output: its
 * one value); scratch holds plan.nscratch slots of d 4-byte elements. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/fused.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/params.h"

/* ---- plan ---- */

static int max_i(int a, int b) {
  return a > b ? a : b;
}

enum { RECOMPUTE_MAX_OPS = 3 }; /* most ops computed again for one value */

/* Ops computed again when op x is: x and the cheap full ops it reads, recursively (capped). */
static int recompute_size(const mx_fused *f, int x, int depth) {
  const mx_fop *op = &f->ops[x];
  if (op->row || op->kind == MX_FOP_INPUT || op->kind == MX_FOP_CONST) return 0;
  if (depth > RECOMPUTE_MAX_OPS || !mx_fused_cheap(f, x)) return RECOMPUTE_MAX_OPS + 1;
  int n = 1;
  for (int a = 0; a < 3; a++)
    if (op->args[a] >= 0 && mx_fused_cheap(f, op->args[a]))
      n += recompute_size(f, op->args[a], depth + 1);
  return n;
}

/* The guard of pass q when the pass can be skipped (mx_fused_plan.skip), else -1: it stores no
 * output and no scratch slot, and each reduction it accumulates is read only by a select on
 * one row bool computed before the pass that picks another value when it holds. */
static int skip_guard(const mx_fused *f, const mx_fused_plan *p, int q) {
  int guard = -1;
  for (int o = 0; o < f->nout; o++)
    if (p->store_loop[o] == q || (f->out_row[o] && f->ops[f->outs[o]].kind == MX_FOP_REDUCE &&
                                  p->phase[f->ops[f->outs[o]].args[0]] == q))
      return -1;
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (!op->row && p->phase[i] == q && p->slot[i] >= 0) return -1;
    if (op->kind != MX_FOP_REDUCE || p->phase[op->args[0]] != q) continue;
    for (int j = i + 1; j < f->nops; j++) {
      const mx_fop *user = &f->ops[j];
      bool reads = user->kind >= MX_FOP_UNARY &&
                   (user->args[0] == i || user->args[1] == i || user->args[2] == i);
      if (!reads) continue;
      if (user->kind != MX_FOP_SELECT || user->args[2] != i || user->args[0] == i ||
          user->args[1] == i || (guard >= 0 && user->args[0] != guard) ||
          !f->ops[user->args[0]].row || p->phase[user->args[0]] > q)
        return -1;
      guard = user->args[0];
    }
  }
  return guard;
}

int mx_fused_plan_make(const mx_fused *f, mx_fused_plan *p, bool recompute) {
  *p = (mx_fused_plan){.phase = calloc((size_t)f->nops, sizeof(int)),
                       .slot = malloc(sizeof(int) * (size_t)f->nops),
                       .store_loop = calloc((size_t)f->nout + 1, sizeof(int)),
                       .again = calloc((size_t)f->nops, sizeof(uint64_t))};
  if (!p->phase || !p->slot || !p->store_loop || !p->again) {
    mx_fused_plan_free(p);
    return mx_error("[compile] Out of memory.");
  }
  int last = -1; /* the last pass a full op needs */
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    int ph = 0;
    for (int a = 0; a < 3 && op->kind >= MX_FOP_UNARY; a++)
      if (op->args[a] >= 0) ph = max_i(ph, p->phase[op->args[a]]);
    if (op->kind == MX_FOP_REDUCE) ph = p->phase[op->args[0]] + 1;
    p->phase[i] = ph;
    p->slot[i] = -1;
    if (!op->row) last = max_i(last, ph);
    if (op->kind == MX_FOP_REDUCE) last = max_i(last, ph - 1); /* (its pass, even for a row arg) */
  }
  p->nloops = last + 1;
  for (int o = 0; o < f->nout; o++) { /* a row op written out in full: in the pass it is ready */
    p->store_loop[o] = f->out_row[o] ? -1 : p->phase[f->outs[o]];
    if (!f->out_row[o]) p->nloops = max_i(p->nloops, p->store_loop[o] + 1);
  }
  /* full values read in a later pass than their own: computed again there or kept in a slot
   * (consumers first, so that a value's readers include the passes that recompute them) */
  for (int x = f->nops - 1; x >= 0; x--) {
    if (f->ops[x].row || f->ops[x].kind == MX_FOP_INPUT) continue;
    uint64_t later = 0;
    bool far = false; /* read in a pass past the 64 bits of `again` */
    for (int i = x + 1; i < f->nops; i++) {
      const mx_fop *op = &f->ops[i];
      if (op->kind < MX_FOP_UNARY || op->kind == MX_FOP_REDUCE ||
          (op->args[0] != x && op->args[1] != x && op->args[2] != x))
        continue;
      if (p->phase[i] > p->phase[x]) {
        far |= p->phase[i] >= 64;
        if (p->phase[i] < 64) later |= (uint64_t)1 << p->phase[i];
      }
      later |= p->again[i];
    }
    if (!later && !far) continue;
    if (recompute && !far && recompute_size(f, x, 0) <= RECOMPUTE_MAX_OPS)
      p->again[x] = later;
    else
      p->slot[x] = p->nscratch++;
  }
  if (!(p->skip = malloc(sizeof(int) * (size_t)(p->nloops + 1)))) {
    mx_fused_plan_free(p);
    return mx_error("[compile] Out of memory.");
  }
  for (int q = 0; q < p->nloops; q++) p->skip[q] = skip_guard(f, p, q);
  return 0;
}

bool mx_fused_in_pass(const mx_fused_plan *plan, int i, int p) {
  return plan->phase[i] == p || (p >= 0 && p < 64 && (plan->again[i] >> p & 1));
}

bool mx_fused_used_in_loop(const mx_fused *f, const mx_fused_plan *plan, int x, int p) {
  for (int i = x + 1; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind < MX_FOP_UNARY) continue;
    bool red = op->kind == MX_FOP_REDUCE;
    if ((op->row && !red) || (red ? plan->phase[op->args[0]] : plan->phase[i]) != p) continue;
    for (int k = 0; k < 3; k++)
      if (op->args[k] == x) return true;
  }
  for (int o = 0; o < f->nout; o++)
    if (f->outs[o] == x && plan->store_loop[o] == p) return true;
  return false;
}

void mx_fused_plan_free(mx_fused_plan *p) {
  free(p->skip);
  free(p->again);
  free(p->phase);
  free(p->slot);
  free(p->store_loop);
  *p = (mx_fused_plan){0};
}

/* ---- the executor of a program: its plan and its row function ---- */

typedef struct {
  mx_fused_plan plan;
  mx_fused_row_fn fn;  /* NULL: the interpreter */
  mx_fused_row_fn far; /* fn for rows past the caches, or NULL (mx_fused_codegen) */
} executor;

static void executor_free(void *e) {
  mx_fused_plan_free(&((executor *)e)->plan);
  free(e);
}

static executor *get_executor(mx_fused *f) {
  if (atomic_load(&f->ready)) return f->exec;
  pthread_mutex_lock(&f->lock);
  if (!atomic_load(&f->ready)) {
    executor *e = calloc(1, sizeof *e);
    bool ok = e && mx_fused_plan_make(f, &e->plan, true) == 0;
    if (ok) {
      e->fn = mx_fused_codegen(f, &e->plan, &e->far);
      if (!e->fn) { /* the interpreter reads every later value from a slot */
        mx_fused_plan_free(&e->plan);
        ok = mx_fused_plan_make(f, &e->plan, false) == 0;
      }
    }
    if (ok) {
      f->exec = e;
      f->exec_free = executor_free;
      atomic_store(&f->ready, 1);
    } else {
      free(e);
    }
  }
  pthread_mutex_unlock(&f->lock);
  return f->exec;
}

/* ---- layout ---- */

enum { MAX_OPERANDS = 64 };

typedef struct {
  const mx_fused *f;
  const executor *e;
  int nin, nout;
  int nouter;                                 /* outer axes */
  int64_t outer[MX_MAX_NDIM];                 /* their sizes */
  int64_t d;                                  /* inner length */
  int64_t piece, npieces;                     /* rows split in pieces (no reductions) */
  char *base[MAX_OPERANDS];                   /* inputs, then outputs */
  int64_t ostride[MAX_OPERANDS][MX_MAX_NDIM]; /* bytes per step of each outer axis */
  int64_t istride[MAX_OPERANDS];              /* inner stride, elements */
  int64_t isize[MAX_OPERANDS];                /* item size, bytes */
  bool stream;                                /* outputs streamed out (stream_piece) */
  bool far;                                   /* rows past the caches (far_rows) */
  int64_t max_out_size;
} frame;

/* A piece of a row too large for the caches: computed EW_STREAM_BYTES of each output at a
 * time into a buffer on the stack and streamed out (no read of the output lines first; see
 * elementwise.h). */
static void stream_piece(const frame *fr, int64_t len, void *const *ptr, const int64_t *rstride) {
  enum { MAX_STREAMED = 8 };
  _Alignas(64) char buf[MAX_STREAMED][EW_STREAM_BYTES];
  int64_t block = EW_STREAM_BYTES / fr->max_out_size;
  void *in[MAX_OPERANDS], *out[MAX_STREAMED];
  for (int o = 0; o < fr->nout; o++) out[o] = buf[o];
  for (int64_t j = 0; j < len; j += block) {
    int64_t m = len - j < block ? len - j : block;
    for (int k = 0; k < fr->nin; k++) in[k] = (char *)ptr[k] + j * fr->istride[k] * fr->isize[k];
    fr->e->fn(m, 1, in, fr->istride, rstride, out, NULL);
    for (int o = 0; o < fr->nout; o++) {
      int64_t sz = fr->isize[fr->nin + o];
      mx_ew_stream_copy((char *)ptr[fr->nin + o] + j * sz, buf[o], (size_t)(m * sz));
    }
  }
}

/* Rows of a reducing kernel past the caches: the row function's far variant prefetches the
 * inputs, and each row's full outputs are computed into buffers (rowbuf, FAR_ROW_BYTES each) and
 * streamed out (GELU -> layer norm -> softmax over 10^8 floats, bench/compile.py: 65-69 -> 56
 * ms). */
enum { FAR_ROW_BYTES = 32 << 10 };
static void far_rows(const frame *fr, int64_t len, int64_t run, void *const *ptr,
                     const int64_t *rstride, void *scratch, char *rowbuf) {
  void *at[MAX_OPERANDS], *out[MAX_OPERANDS];
  for (int64_t r = 0; r < run; r++) {
    for (int k = 0; k < fr->nin + fr->nout; k++) at[k] = (char *)ptr[k] + r * rstride[k];
    for (int o = 0; o < fr->nout; o++)
      out[o] = fr->istride[fr->nin + o] ? rowbuf + (size_t)o * FAR_ROW_BYTES : at[fr->nin + o];
    fr->e->far(len, 1, at, fr->istride, rstride, out, scratch);
    for (int o = 0; o < fr->nout; o++)
      if (out[o] != at[fr->nin + o])
        mx_ew_stream_copy(at[fr->nin + o], out[o], (size_t)(len * fr->isize[fr->nin + o]));
  }
}

/* Pointers of every operand at the start of the row with multi-index idx (outer axes). */
static void row_pointers(const frame *fr, const int64_t *idx, void **ptr) {
  for (int k = 0; k < fr->nin + fr->nout; k++) {
    char *p = fr->base[k];
    for (int a = 0; a < fr->nouter; a++) p += idx[a] * fr->ostride[k][a];
    ptr[k] = p;
  }
}

/* Units begin..end, unit u = row * npieces + piece. Rows are walked with a multi-index
 * (divisions once per task, not per row): short rows of many-axis frames made those divisions
 * a visible share of the time. */
/* A worker's scratch slots, rounded to 64 bytes; with far rows the output rows' buffers follow
 * (worker_bytes: the whole allocation, 0 when none is needed). */
static size_t scratch_bytes(const frame *fr) {
  return ((size_t)fr->e->plan.nscratch * (size_t)fr->d * 4 + 127) & ~(size_t)63;
}
static size_t worker_bytes(const frame *fr) {
  if (!fr->e->plan.nscratch && !fr->far) return 0;
  return scratch_bytes(fr) + (fr->far ? (size_t)fr->nout * FAR_ROW_BYTES : 0);
}

static void run_units(void *ctx, int64_t begin, int64_t end) {
  const frame *fr = ctx;
  int nops = fr->nin + fr->nout;
  void *scratch = NULL;
  if (worker_bytes(fr)) {
    scratch = aligned_alloc(64, worker_bytes(fr));
    if (!scratch) return; /* (the caller checked a first allocation) */
  }
  int64_t rstride[MAX_OPERANDS]; /* bytes between rows along the innermost outer axis */
  for (int k = 0; k < nops; k++) rstride[k] = fr->nouter ? fr->ostride[k][fr->nouter - 1] : 0;
  int64_t idx[MX_MAX_NDIM], row = begin / fr->npieces, piece = begin % fr->npieces;
  for (int a = fr->nouter - 1; a >= 0; a--) {
    idx[a] = row % fr->outer[a];
    row /= fr->outer[a];
  }
  void *rowptr[MAX_OPERANDS], *ptr[MAX_OPERANDS];
  row_pointers(fr, idx, rowptr);
  for (int64_t u = begin; u < end;) {
    int64_t run = 1, j0 = piece * fr->piece;
    int64_t len = fr->d - j0 < fr->piece ? fr->d - j0 : fr->piece;
    if (fr->npieces == 1 && fr->nouter) { /* consecutive rows along the innermost outer axis */
      int64_t left = fr->outer[fr->nouter - 1] - idx[fr->nouter - 1];
      run = left < end - u ? left : end - u;
    }
    for (int k = 0; k < nops; k++)
      ptr[k] = (char *)rowptr[k] + j0 * fr->istride[k] * fr->isize[k];
    if (fr->e->fn && fr->stream) {
      stream_piece(fr, len, ptr, rstride);
    } else if (fr->far) {
      far_rows(fr, len, run, ptr, rstride, scratch, (char *)scratch + scratch_bytes(fr));
    } else if (fr->e->fn) {
      fr->e->fn(len, run, ptr, fr->istride, rstride, ptr + fr->nin, scratch);
    } else {
      for (int64_t r = 0; r < run; r++) {
        void *at[MAX_OPERANDS];
        for (int k = 0; k < nops; k++) at[k] = (char *)ptr[k] + r * rstride[k];
        mx_fused_interp_row(fr->f, &fr->e->plan, len, at, fr->istride, at + fr->nin, scratch);
      }
    }
    u += run;
    if (++piece < fr->npieces) continue; /* (run is 1 when rows are in pieces) */
    piece = 0;
    if (fr->nouter == 0) continue;
    /* advance the multi-index by run rows (run never passes the innermost axis' end) */
    int a = fr->nouter - 1;
    idx[a] += run;
    while (a > 0 && idx[a] == fr->outer[a]) {
      idx[a] = 0;
      idx[--a]++;
    }
    row_pointers(fr, idx, rowptr);
  }
  if (fr->stream || fr->far) mx_ew_stream_fence();
  free(scratch);
}

/* Whether the program is cheap enough per element that memory limits it (then streaming its
 * outputs pays; a transcendental makes it compute-bound, where plain stores do better). */
static bool memory_bound(const mx_fused *f) {
  static const int cheap[] = {
      MX_PRIM_ADD,         MX_PRIM_SUBTRACT,   MX_PRIM_MULTIPLY,     MX_PRIM_DIVIDE,
      MX_PRIM_MAXIMUM,     MX_PRIM_MINIMUM,    MX_PRIM_NEGATIVE,     MX_PRIM_ABS,
      MX_PRIM_SQUARE,      MX_PRIM_SQRT,       MX_PRIM_RSQRT,        MX_PRIM_FLOOR,
      MX_PRIM_CEIL,        MX_PRIM_ROUND,      MX_PRIM_SIGN,         MX_PRIM_BITWISE_INVERT,
      MX_PRIM_LOGICAL_NOT, MX_PRIM_ISNAN,      MX_PRIM_ISINF,        MX_PRIM_ISFINITE,
      MX_PRIM_BITWISE_AND, MX_PRIM_BITWISE_OR, MX_PRIM_BITWISE_XOR,  MX_PRIM_LOGICAL_AND,
      MX_PRIM_LOGICAL_OR,  MX_PRIM_EQUAL,      MX_PRIM_NOT_EQUAL,    MX_PRIM_LESS,
      MX_PRIM_LESS_EQUAL,  MX_PRIM_GREATER,    MX_PRIM_GREATER_EQUAL};
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_UNARY && op->kind != MX_FOP_BINARY) continue;
    bool found = false;
    for (size_t c = 0; c < sizeof cheap / sizeof cheap[0] && !found; c++)
      found = cheap[c] == op->prim;
    if (!found) return false;
  }
  return true;
}

static int64_t shape_size(int nd, const int32_t *shape) {
  int64_t n = 1;
  for (int d = 0; d < nd; d++) n *= shape[d];
  return n;
}

/* ---- one long row with reductions, split over the threads ---- */

enum { SPLIT_PIECE = 65536, MAX_SPLIT = 64 };

/* Whether a single row may be computed in pieces whose partial reductions combine: one pass,
 * every row value an input, a constant or a reduction, and only reductions as row outputs. */
static bool splittable(const mx_fused *f, const mx_fused_plan *plan) {
  if (plan->nloops != 1 || plan->nscratch) return false;
  for (int i = 0; i < f->nops; i++)
    if (f->ops[i].row && f->ops[i].kind >= MX_FOP_UNARY && f->ops[i].kind != MX_FOP_REDUCE)
      return false;
  for (int o = 0; o < f->nout; o++)
    if (f->out_row[o] && f->ops[f->outs[o]].kind != MX_FOP_REDUCE) return false;
  return true;
}

typedef struct {
  const frame *fr;
  int64_t npieces, piece;
  float *partial; /* [piece][output]: each piece's reductions */
} split_job;

static float load_float(int dtype, const void *p) {
  return dtype == MX_FLOAT16    ? mx_h2f(*(const uint16_t *)p)
         : dtype == MX_BFLOAT16 ? mx_bf2f(*(const uint16_t *)p)
                                : *(const float *)p;
}

static void run_split(void *ctx, int64_t begin, int64_t end) {
  const split_job *job = ctx;
  const frame *fr = job->fr;
  const mx_fused *f = fr->f;
  void *ptr[MAX_OPERANDS];
  int64_t rstride[MAX_OPERANDS] = {0};
  for (int64_t u = begin; u < end; u++) {
    int64_t j0 = u * job->piece, len = fr->d - j0 < job->piece ? fr->d - j0 : job->piece;
    uint32_t row_out[MAX_OPERANDS]; /* a piece's row outputs, in their dtypes */
    for (int k = 0; k < fr->nin + fr->nout; k++)
      ptr[k] = (char *)fr->base[k] + j0 * fr->istride[k] * fr->isize[k];
    for (int o = 0; o < fr->nout; o++)
      if (f->out_row[o]) ptr[fr->nin + o] = &row_out[o];
    if (fr->e->fn)
      fr->e->fn(len, 1, ptr, fr->istride, rstride, ptr + fr->nin, NULL);
    else
      mx_fused_interp_row(f, &fr->e->plan, len, ptr, fr->istride, ptr + fr->nin, NULL);
    for (int o = 0; o < fr->nout; o++)
      if (f->out_row[o])
        job->partial[u * fr->nout + o] = load_float(f->ops[f->outs[o]].dtype, &row_out[o]);
  }
}

static int run_split_row(const frame *fr) {
  const mx_fused *f = fr->f;
  split_job job = {fr, (fr->d + SPLIT_PIECE - 1) / SPLIT_PIECE, 0, NULL};
  if (job.npieces > MAX_SPLIT) job.npieces = MAX_SPLIT;
  job.piece = (fr->d + job.npieces - 1) / job.npieces;
  job.npieces = (fr->d + job.piece - 1) / job.piece;
  if (!(job.partial = malloc(sizeof(float) * (size_t)(job.npieces * fr->nout + 1))))
    return mx_error("[compile] Out of memory.");
  mx_ew_parallel_for(job.npieces, 1, run_split, &job);
  for (int o = 0; o < fr->nout; o++) { /* combine in double; NaN wins max and min */
    if (!f->out_row[o]) continue;
    const mx_fop *op = &f->ops[f->outs[o]];
    double acc = op->prim == MX_REDUCE_PROD ? 1.0 : 0.0;
    for (int64_t u = 0; u < job.npieces; u++) {
      double v = job.partial[u * fr->nout + o];
      if (op->prim == MX_REDUCE_SUM)
        acc += v;
      else if (op->prim == MX_REDUCE_PROD)
        acc *= v;
      else if (u == 0 || v != v || acc != acc)
        acc = u == 0 || v != v ? v : acc;
      else
        acc = op->prim == MX_REDUCE_MAX ? (v > acc ? v : acc) : (v < acc ? v : acc);
    }
    float r = (float)acc;
    void *dst = fr->base[fr->nin + o];
    if (op->dtype == MX_FLOAT16)
      *(uint16_t *)dst = mx_f2h(r);
    else if (op->dtype == MX_BFLOAT16)
      *(uint16_t *)dst = mx_f2bf(r);
    else
      *(float *)dst = r;
  }
  free(job.partial);
  return 0;
}

/* Element strides of input a read broadcast to the frame shape (row inputs: the row shape). */
static void broadcast_strides(const mx_array *a, const mx_fused *f, int row, int64_t *st) {
  int off = f->ndim - a->ndim;
  for (int d = 0; d < f->ndim; d++) {
    int ad = d - off;
    bool inner = d >= f->ndim - f->ninner;
    st[d] = ad < 0 || a->shape[ad] == 1 || (row && inner) ? 0 : a->strides[ad];
  }
}

/* Merges outer axes that every operand steps through as one; when the innermost outer axis is
 * short, the next one inward-out of at least 8 takes its place. A call of the row function
 * runs along that axis, so short rows of a many-axis frame (a pooling gradient: rows of 32
 * channels, innermost outer axis 2) take fewer calls while consecutive rows stay close in
 * memory (the longest axis, often the batch, would put them far apart). */
static void order_outer_axes(frame *fr, int nops) {
  int m = 0;
  for (int a = 0; a < fr->nouter; a++) {
    bool merge = m > 0;
    for (int k = 0; k < nops && merge; k++)
      merge = fr->ostride[k][m - 1] == fr->ostride[k][a] * fr->outer[a];
    if (merge) {
      fr->outer[m - 1] *= fr->outer[a];
      for (int k = 0; k < nops; k++) fr->ostride[k][m - 1] = fr->ostride[k][a];
      continue;
    }
    fr->outer[m] = fr->outer[a];
    for (int k = 0; k < nops; k++) fr->ostride[k][m] = fr->ostride[k][a];
    m++;
  }
  fr->nouter = m;
  int longest = m - 1;
  for (int a = m - 1; a >= 0 && fr->outer[longest] < 8; a--)
    if (fr->outer[a] > fr->outer[longest]) longest = a;
  if (m < 2 || longest == m - 1) return;
  int64_t t = fr->outer[longest];
  fr->outer[longest] = fr->outer[m - 1], fr->outer[m - 1] = t;
  for (int k = 0; k < nops; k++) {
    t = fr->ostride[k][longest];
    fr->ostride[k][longest] = fr->ostride[k][m - 1], fr->ostride[k][m - 1] = t;
  }
}

int mx_cpu_compiled(mx_node *n) {
  mx_fused *f = ((mx_params_ref *)n->params)->obj;
  executor *e = get_executor(f);
  if (!e) return mx_error("[compile] Out of memory.");
  if (n->nin + n->nout > MAX_OPERANDS)
    return mx_error("[compile] A fused kernel has too many inputs and outputs.");
  for (int o = 0; o < n->nout; o++) MX_TRY(mx_array_alloc_data(&n->out[o]));
  frame fr = {.f = f, .e = e, .nin = n->nin, .nout = n->nout};
  int nd = f->ndim;
  int32_t shape[MX_MAX_NDIM];
  mx_fused_frame(f, n->inputs, n->nin, shape);
  int64_t st[MAX_OPERANDS][MX_MAX_NDIM];
  mx_array *copies[MAX_OPERANDS] = {0};
  int rc = 0;
  /* operand strides over the frame shape, in elements */
  for (int i = 0; i < n->nin; i++) {
    int row = -1;
    for (int k = 0; k < f->nops && row < 0; k++)
      if (f->ops[k].kind == MX_FOP_INPUT && f->ops[k].input == i) row = f->ops[k].row;
    broadcast_strides(n->inputs[i], f, row, st[i]);
    fr.base[i] = mx_array_data(n->inputs[i]);
    fr.isize[i] = (int64_t)mx_array_itemsize(n->inputs[i]);
  }
  for (int o = 0; o < n->nout; o++) {
    int k = n->nin + o;
    int64_t s = 1;
    for (int d = nd - 1; d >= 0; d--) {
      bool inner = d >= nd - f->ninner;
      st[k][d] = f->out_row[o] && inner ? 0 : s;
      s *= f->out_row[o] && inner ? 1 : shape[d];
    }
    fr.base[k] = mx_array_data(&n->out[o]);
    fr.isize[k] = (int64_t)mx_array_itemsize(&n->out[o]);
  }
  /* inner axes: the reduced ones, or (no reductions) as many trailing axes as every operand
   * lets merge; an input whose reduced axes do not merge is copied to a row-contiguous buffer */
  int ninner = f->ninner ? f->ninner : nd > 0 ? 1 : 0;
  int nops = n->nin + n->nout;
  for (int k = 0; k < nops; k++) {
    bool merges = true;
    for (int d = nd - ninner; d + 1 < nd; d++)
      if (st[k][d] != st[k][d + 1] * shape[d + 1]) merges = false;
    if (merges || k >= n->nin) continue;
    if (!(copies[k] = mx_array_alloc(nd, shape, (mx_dtype)n->inputs[k]->dtype))) {
      rc = MX_ERR;
      break;
    }
    mx_cpu_copy_strided(mx_array_data(copies[k]), (mx_dtype)copies[k]->dtype, fr.base[k],
                        (mx_dtype)copies[k]->dtype, nd, shape, st[k]);
    fr.base[k] = mx_array_data(copies[k]);
    mx_strided_row_strides(nd, shape, st[k]);
  }
  if (!f->ninner)
    while (ninner < nd) {
      int d = nd - ninner - 1;
      int64_t inner_size = 1;
      for (int a = d + 1; a < nd; a++) inner_size *= shape[a];
      bool ok = true;
      for (int k = 0; k < nops && ok; k++) ok = st[k][d] == st[k][nd - 1] * inner_size;
      if (!ok) break;
      ninner++;
    }
  fr.d = 1;
  for (int d = nd - ninner; d < nd; d++) fr.d *= shape[d];
  fr.nouter = nd - ninner;
  int64_t nrows = 1;
  for (int a = 0; a < fr.nouter; a++) {
    fr.outer[a] = shape[a];
    nrows *= shape[a];
    for (int k = 0; k < nops; k++) fr.ostride[k][a] = st[k][a] * fr.isize[k];
  }
  for (int k = 0; k < nops; k++) fr.istride[k] = ninner ? st[k][nd - 1] : 0;
  order_outer_axes(&fr, nops);
  /* work units: rows, or pieces of rows where nothing reduces along them */
  fr.piece = fr.d > 0 ? fr.d : 1;
  if (!f->ninner && fr.d > 16384) fr.piece = 8192;
  fr.npieces = (fr.d + fr.piece - 1) / fr.piece;
  if (fr.npieces < 1) fr.npieces = 1;
  int64_t units = nrows * fr.npieces;
  /* large elementwise-only outputs (one merged row, outputs of 2 bytes or more) stream out */
  int64_t bytes = 0, min_out = 8;
  for (int k = 0; k < nops; k++) {
    bytes += fr.isize[k] * shape_size(nd, shape);
    if (k >= n->nin) min_out = fr.isize[k] < min_out ? fr.isize[k] : min_out;
    if (k >= n->nin && fr.isize[k] > fr.max_out_size) fr.max_out_size = fr.isize[k];
  }
  fr.stream = e->fn && !f->ninner && !fr.nouter && n->nout <= 8 && min_out >= 2 &&
              !e->plan.nscratch && bytes >= mx_ew_stream_min_bytes() && memory_bound(f);
  fr.far = e->far && fr.npieces == 1 && fr.d * fr.max_out_size <= FAR_ROW_BYTES &&
           bytes >= mx_ew_stream_min_bytes();
  int64_t per_unit = fr.piece * (f->nops + 1);
  if (!rc && nrows == 1 && fr.d >= 2 * SPLIT_PIECE && splittable(f, &e->plan))
    rc = run_split_row(&fr);
  else if (!rc && units > 0 && (fr.d > 0 || f->ninner)) {
    if (worker_bytes(&fr)) { /* fail here, not silently in a worker */
      void *probe = aligned_alloc(64, worker_bytes(&fr));
      if (!probe) rc = mx_error("[compile] Out of memory for a fused kernel's scratch.");
      free(probe);
    }
    if (!rc) mx_ew_parallel_for(units, per_unit > 65536 ? 1 : 65536 / per_unit + 1, run_units, &fr);
  }
  for (int k = 0; k < nops; k++)
    if (copies[k]) mx_array_release(copies[k]);
  return rc;
}
