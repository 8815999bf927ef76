/* The quicksort of sort_simd.c for one key width, included once per width with these defined:
 *   QS_T      the key type (uint32_t, uint64_t)        QS_L   lanes per vector (16, 8)
 *   QS_M      the lane mask type                        QS_SUFFIX(f)  f's name for this width
 *   V_*       the vector operations (sort_simd.c)
 * and the width's networks: V_SORT(v) sorts a vector's lanes, V_CLEAN(v) sorts a bitonic one. */

#define QS_NET_MAX (16 * QS_L) /* runs of up to 16 vectors sorted by the networks */

/* Sorts the keys of nv vectors (a power of two up to 16) as one sequence. */
QS_INLINE void QS_SUFFIX(sort_vectors)(__m512i *v, const int nv) {
  for (int i = 0; i < nv; i++) v[i] = V_SORT(v[i]);
  for (int w = 1; w < nv; w *= 2)
    for (int b = 0; b < nv; b += 2 * w) {
      for (int i = 0; i < w; i++) { /* mirror: key j against key 2 w QS_L - 1 - j */
        __m512i x = v[b + i], y = V_REVERSE(v[b + 2 * w - 1 - i]);
        v[b + i] = V_MIN(x, y);
        v[b + 2 * w - 1 - i] = V_REVERSE(V_MAX(x, y));
      }
      for (int d = w / 2; d >= 1; d /= 2)
        for (int i = b; i < b + 2 * w; i++)
          if (!((i - b) & d)) {
            __m512i x = v[i], y = v[i + d];
            v[i] = V_MIN(x, y);
            v[i + d] = V_MAX(x, y);
          }
      for (int i = b; i < b + 2 * w; i++) v[i] = V_CLEAN(v[i]);
    }
}

QS_INLINE QS_M QS_SUFFIX(lanes_of)(int64_t n, int i) {
  int64_t m = n - QS_L * (int64_t)i;
  return m >= QS_L ? (QS_M)~0u : m <= 0 ? (QS_M)0 : (QS_M)((1u << m) - 1);
}

/* n keys, n <= QS_L * nv, padded with the largest key */
QS_INLINE void QS_SUFFIX(sort_run)(QS_T *a, int64_t n, const int nv) {
  __m512i v[16];
  const __m512i pad = _mm512_set1_epi32(-1);
  for (int i = 0; i < nv; i++) v[i] = V_MASK_LOADU(pad, QS_SUFFIX(lanes_of)(n, i), a + QS_L * i);
  QS_SUFFIX(sort_vectors)(v, nv);
  for (int i = 0; i < nv; i++) V_MASK_STOREU(a + QS_L * i, QS_SUFFIX(lanes_of)(n, i), v[i]);
}

QS_TARGET static void QS_SUFFIX(sort_small)(QS_T *a, int64_t n) {
  if (n <= QS_L)
    QS_SUFFIX(sort_run)(a, n, 1);
  else if (n <= 2 * QS_L)
    QS_SUFFIX(sort_run)(a, n, 2);
  else if (n <= 4 * QS_L)
    QS_SUFFIX(sort_run)(a, n, 4);
  else if (n <= 8 * QS_L)
    QS_SUFFIX(sort_run)(a, n, 8);
  else
    QS_SUFFIX(sort_run)(a, n, 16);
}

/* ---- partition ---- */

/* the keys of v in m packed at a + *l (left side, growing up) or ending at a + *r (right side,
 * growing down); a compress straight to memory was faster here than a register compress and a
 * masked store */
QS_INLINE void QS_SUFFIX(put_left)(QS_T *a, int64_t *l, __m512i v, QS_M m) {
  V_COMPRESS_STOREU(a + *l, m, v);
  *l += __builtin_popcount(m);
}

QS_INLINE void QS_SUFFIX(put_right)(QS_T *a, int64_t *r, __m512i v, QS_M m) {
  *r -= __builtin_popcount(m);
  V_COMPRESS_STOREU(a + *r, m, v);
}

QS_INLINE void QS_SUFFIX(put_both)(QS_T *a, int64_t *l, int64_t *r, __m512i v, __m512i pv) {
  QS_M lt = V_LT(v, pv);
  QS_SUFFIX(put_left)(a, l, v, lt);
  QS_SUFFIX(put_right)(a, r, v, (QS_M)~lt);
}

/* Keys < pivot to a[0, l), the rest to a[l, n); returns l. n >= 2 UNROLL QS_L. The first and
 * last UNROLL vectors wait in registers, and the loop reads UNROLL vectors from one side per
 * branch (the branch's outcome follows the data: one mispredict per UNROLL vectors, not per
 * vector). */
QS_TARGET static int64_t QS_SUFFIX(partition_lt)(QS_T *a, int64_t n, QS_T pivot) {
  const __m512i pv = V_SET1(pivot);
  __m512i first[UNROLL], last[UNROLL];
  for (int u = 0; u < UNROLL; u++) {
    first[u] = _mm512_loadu_si512(a + QS_L * u);
    last[u] = _mm512_loadu_si512(a + n - QS_L * (UNROLL - u));
  }
  /* written [0, l) and [r, n); unread [lr, rr); the gap between, 2 UNROLL QS_L keys */
  int64_t l = 0, r = n, lr = QS_L * UNROLL, rr = n - QS_L * UNROLL;
  int64_t rem = (rr - lr) % QS_L;
  if (rem) {
    QS_M m = (QS_M)((1u << rem) - 1);
    __m512i t = V_MASKZ_LOADU(m, a + lr);
    QS_M lt = V_MASK_LT(m, t, pv);
    lr += rem;
    QS_SUFFIX(put_left)(a, &l, t, lt);
    QS_SUFFIX(put_right)(a, &r, t, (QS_M)(m & ~lt));
  }
  while (rr - lr >= QS_L * UNROLL) {
    /* vectors in the order that lets the writes reach only vectors already read */
    const QS_T *from;
    int64_t step;
    if (lr - l <= r - rr) {
      from = a + lr;
      step = QS_L;
      lr += QS_L * UNROLL;
    } else {
      rr -= QS_L * UNROLL;
      from = a + rr + QS_L * (UNROLL - 1);
      step = -QS_L;
    }
    for (int u = 0; u < UNROLL; u++) {
      /* this VM's prefetchers leave the two streams waiting on memory */
      __builtin_prefetch(from + (u + PREFETCH) * step, 1, 3);
      QS_SUFFIX(put_both)(a, &l, &r, _mm512_loadu_si512(from + u * step), pv);
    }
  }
  while (lr < rr) {
    __m512i t;
    if (lr - l <= r - rr) {
      t = _mm512_loadu_si512(a + lr);
      lr += QS_L;
    } else {
      rr -= QS_L;
      t = _mm512_loadu_si512(a + rr);
    }
    QS_SUFFIX(put_both)(a, &l, &r, t, pv);
  }
  for (int u = 0; u < UNROLL; u++) {
    QS_SUFFIX(put_both)(a, &l, &r, first[u], pv);
    QS_SUFFIX(put_both)(a, &l, &r, last[u], pv);
  }
  return l;
}

/* the median of QS_L nv keys sampled evenly (nv 1 or 16) */
QS_TARGET static QS_T QS_SUFFIX(pick_pivot)(const QS_T *a, int64_t n, const int nv) {
  QS_T s[QS_NET_MAX] __attribute__((aligned(64)));
  int ns = QS_L * nv;
  for (int i = 0; i < ns; i++) s[i] = a[(int64_t)((2 * (int64_t)i + 1) * (n / 2) / ns)];
  if (nv == 1)
    QS_SUFFIX(sort_run)(s, QS_L, 1);
  else
    QS_SUFFIX(sort_run)(s, QS_NET_MAX, 16);
  return s[ns / 2];
}

/* Partitions a[0, n) around a sampled pivot; *left_done when the pivot was the smallest key and
 * the left part holds its equals only (sorted already). Returns the left part's length,
 * 0 < l <= n (n when every key is equal). */
QS_TARGET static int64_t QS_SUFFIX(split)(QS_T *a, int64_t n, int nv, int *left_done) {
  QS_T p = QS_SUFFIX(pick_pivot)(a, n, nv);
  int64_t m = QS_SUFFIX(partition_lt)(a, n, p);
  *left_done = 0;
  if (m) return m;
  *left_done = 1; /* p is the smallest key: take its equals */
  return p == (QS_T) ~(QS_T)0 ? n : QS_SUFFIX(partition_lt)(a, n, p + 1);
}

static void QS_SUFFIX(sift_down)(QS_T *a, int64_t i, int64_t n) {
  QS_T v = a[i];
  for (int64_t c; (c = 2 * i + 1) < n; i = c) {
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[c] <= v) break;
    a[i] = a[c];
  }
  a[i] = v;
}

static void QS_SUFFIX(heap_sort)(QS_T *a, int64_t n) {
  for (int64_t i = n / 2; i-- > 0;) QS_SUFFIX(sift_down)(a, i, n);
  for (int64_t e = n - 1; e > 0; e--) {
    QS_T t = a[0];
    a[0] = a[e];
    a[e] = t;
    QS_SUFFIX(sift_down)(a, 0, e);
  }
}

QS_TARGET static void QS_SUFFIX(quick_sort)(QS_T *a, int64_t n, int depth) {
  while (n > QS_NET_MAX) {
    if (depth-- == 0) {
      QS_SUFFIX(heap_sort)(a, n);
      return;
    }
    int left_done;
    int64_t m = QS_SUFFIX(split)(a, n, 1, &left_done);
    if (left_done) {
      a += m;
      n -= m;
      continue;
    }
    if (m < n - m) { /* recurse into the smaller part: stack depth log n */
      QS_SUFFIX(quick_sort)(a, m, depth);
      a += m;
      n -= m;
    } else {
      QS_SUFFIX(quick_sort)(a + m, n - m, depth);
      n = m;
    }
  }
  if (n > 1) QS_SUFFIX(sort_small)(a, n);
}

typedef struct {
  QS_T *a[2];
  int64_t n[2];
  int depth;
} QS_SUFFIX(halves);

static void QS_SUFFIX(sort_half)(void *c_, int64_t t0, int64_t t1) {
  QS_SUFFIX(halves) *h = c_;
  for (int64_t t = t0; t < t1; t++) QS_SUFFIX(quick_sort)(h->a[t], h->n[t], h->depth);
}

static bool QS_SUFFIX(sort_capped)(QS_T *k, int64_t n, int depth) {
  if (!mx_sort_simd_available()) return false;
  if (n < POOL_MIN || mx_ew_num_threads() < 2) {
    QS_SUFFIX(quick_sort)(k, n, depth);
    return true;
  }
  /* one split with a pivot from 16 vectors of samples, then each side on its own thread */
  int left_done;
  int64_t m = QS_SUFFIX(split)(k, n, 16, &left_done);
  QS_SUFFIX(halves) h = {{k, k + m}, {left_done ? 0 : m, n - m}, depth};
  mx_ew_parallel_for(2, 1, QS_SUFFIX(sort_half), &h);
  return true;
}

#undef QS_NET_MAX
