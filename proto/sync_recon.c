/*
 * credport — range-based set reconciliation over log heads
 * (docs/PROTOCOL.md, "Reconciliation"), in the manner of negentropy.
 *
 * Both sides hold a set of heads (log key, size, head hash) sorted by log
 * key. A RECON message splits the whole key space into consecutive ranges,
 * each closed by an upper bound, and says one thing about each:
 *
 *   RECON  u8 0x11 | u8 flags | u16 nranges | nranges x range
 *   range  bound | u8 mode | payload
 *   bound  u8 L (0..32, or 0xff = infinity) | L bytes: the key prefix; the
 *          bound is the prefix padded with zeros; canonical: no trailing zero
 *   mode   0 SKIP   nothing more to say (equal, or resolved)
 *          1 FP     16 bytes: BLAKE2b-128 fingerprint of the sender's heads
 *          2 ITEMS  u16 n (<= 16) | n x head: the sender's heads, answer needed
 *          3 DONE   u16 n (<= 16) | n x head: the sender's heads, final
 *   head   32 log | u64 size | 32 head hash
 *   flags  0x01 FINAL: no range needs an answer (only SKIP and DONE)
 *
 * Answering a range [lo, hi) with c of our heads in it:
 *   SKIP          -> SKIP
 *   FP f          -> SKIP if our fingerprint is f; else ITEMS if c <= 16;
 *                    else 16 FP sub-ranges of about c/16 heads each
 *   ITEMS list    -> request what the list shows we lack; then SKIP if our
 *                    heads are the list, else DONE chunks of <= 16 heads
 *   DONE list     -> request what we lack; SKIP
 * Adjacent SKIPs merge. A reply that would pass RECON_BUDGET bytes ends
 * with one FP range from where it stopped to infinity, which the peer
 * answers in the next round, so every message stays under
 * CP_SYNC_RECON_MAX. Turns alternate: the responder opens (as soon as it has seen a
 * DIGEST that differs from its own), and the side that sends a FINAL
 * message ends the reconciliation.
 */
#include <stdio.h>

#include "sync_internal.h"

typedef struct bound {
  uint8_t k[CP_PK_BYTES];
  int inf;
} bound;

enum { M_SKIP = 0, M_FP = 1, M_ITEMS = 2, M_DONE = 3 };

typedef struct wr {
  uint8_t *p;
  size_t len;
  unsigned nranges;
  int skip_pending, answer_needed, stop;
  bound skip_lo;
} wr;

/* key < b */
static int key_below(const uint8_t *key, const bound *b) {
  return b->inf || memcmp(key, b->k, CP_PK_BYTES) < 0;
}

/* First index whose key is not below b. */
static size_t lower_idx(const cp_sync *s, const bound *b) {
  size_t lo = 0, hi = s->n_heads;
  if (b->inf) return hi;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (memcmp(s->heads[mid].log, b->k, CP_PK_BYTES) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static void fingerprint(const cp_sync *s, size_t a, size_t b, uint8_t out[RECON_FP_BYTES]) {
  cp__sync_heads_hash("credport/v1/range", s->heads, a, b, out, RECON_FP_BYTES);
}

/* The shortest bound above heads[i-1] and not above heads[i]. */
static void split_bound(const cp_sync *s, size_t i, bound *b) {
  const uint8_t *prev = s->heads[i - 1].log, *cur = s->heads[i].log;
  size_t d = 0;
  while (d < CP_PK_BYTES && prev[d] == cur[d]) d++;
  memset(b, 0, sizeof *b);
  memcpy(b->k, cur, d + 1);
}

static void put_bound(wr *w, const bound *b) {
  if (b->inf) {
    w->p[w->len++] = 0xff;
    return;
  }
  size_t L = CP_PK_BYTES;
  while (L > 0 && b->k[L - 1] == 0) L--;
  w->p[w->len++] = (uint8_t)L;
  memcpy(w->p + w->len, b->k, L);
  w->len += L;
}

static void put_heads(wr *w, const cp_sync *s, size_t a, size_t b) {
  be16_put(w->p + w->len, (uint16_t)(b - a));
  w->len += 2;
  for (size_t i = a; i < b; i++) {
    memcpy(w->p + w->len, s->heads[i].log, CP_PK_BYTES);
    be64_put(w->p + w->len + 32, s->heads[i].size);
    memcpy(w->p + w->len + 40, s->heads[i].head, CP_HASH_BYTES);
    w->len += RECON_ITEM_BYTES;
  }
}

/* Starts range [lo, hi) of mode m; the caller writes the payload. SKIPs
 * are held back and merged into one range closed by the next bound. */
static int open_range(wr *w, const bound *lo, const bound *hi, int m) {
  if (m == M_SKIP) {
    if (!w->skip_pending) w->skip_lo = *lo;
    w->skip_pending = 1;
    return 0;
  }
  if (w->skip_pending) {
    put_bound(w, lo);
    w->p[w->len++] = M_SKIP;
    w->nranges++;
    w->skip_pending = 0;
  }
  put_bound(w, hi);
  w->p[w->len++] = (uint8_t)m;
  w->nranges++;
  if (m == M_FP || m == M_ITEMS) w->answer_needed = 1;
  return 1;
}

static void emit_fp(wr *w, const cp_sync *s, const bound *lo, const bound *hi, size_t a,
                    size_t b) {
  open_range(w, lo, hi, M_FP);
  fingerprint(s, a, b, w->p + w->len);
  w->len += RECON_FP_BYTES;
}

/* Budget spent: everything from lo upward becomes one FP range. */
static void emit_rest(wr *w, const cp_sync *s, const bound *lo) {
  static const bound inf = {{0}, 1};
  size_t a = lower_idx(s, lo);
  emit_fp(w, s, lo, &inf, a, s->n_heads);
  w->stop = 1;
}

/* Requests what their heads list shows we lack or disagree on, except logs
 * we hold a fork proof of. SPEC: R-4 */
static void diff(cp_sync *s, const uint8_t *items, size_t n, size_t a, size_t b) {
  size_t i = 0, j = a;
  while (i < n) {
    const uint8_t *t = items + i * RECON_ITEM_BYTES;
    uint64_t tsize = be64_get(t + 32);
    int c = j < b ? memcmp(t, s->heads[j].log, CP_PK_BYTES) : -1;
    if (c > 0) {
      j++;
      continue;
    }
    if (c < 0) {
      if (tsize > 0 && cp__req_enqueue(s, t, 0) == 0) s->st.entries_expected += tsize;
    } else {
      const cp_sync_head *m = &s->heads[j++];
      if (m->flags & CP_SYNC_HEAD_FORKED)
        ; /* a fork proof is held: the peer's branch is not replicated */
      else if (tsize > m->size && cp__req_enqueue(s, t, m->size) == 0)
        s->st.entries_expected += tsize - m->size;
      else if (tsize > m->size)
        ; /* the queue is full: the peer's HAVE will bring it later */
      else if (tsize == m->size && tsize > 0 && memcmp(t + 40, m->head, CP_HASH_BYTES) != 0)
        (void)cp__req_enqueue(s, t, m->size - 1);
    }
    i++;
  }
}

static int same_heads(const cp_sync *s, const uint8_t *items, size_t n, size_t a, size_t b) {
  if (n != b - a) return 0;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *t = items + i * RECON_ITEM_BYTES;
    const cp_sync_head *m = &s->heads[a + i];
    if (memcmp(t, m->log, CP_PK_BYTES) != 0 || be64_get(t + 32) != m->size ||
        memcmp(t + 40, m->head, CP_HASH_BYTES) != 0)
      return 0;
  }
  return 1;
}

/* SPEC */
static void answer(cp_sync *s, wr *w, const bound *lo, const bound *hi, int mode,
                   const uint8_t *payload, size_t nitems) {
  size_t a = lower_idx(s, lo), b = lower_idx(s, hi), c = b - a;
  uint8_t fp[RECON_FP_BYTES];
  /* What a list teaches is taken in even when the answer is cut short. */
  if (mode == M_ITEMS || mode == M_DONE) diff(s, payload, nitems, a, b);
  if (mode == M_DONE) {
    open_range(w, lo, hi, M_SKIP);
    return;
  }
  if (w->len > RECON_BUDGET) {
    emit_rest(w, s, lo);
    return;
  }
  switch (mode) {
  case M_SKIP: open_range(w, lo, hi, M_SKIP); return;
  case M_FP:
    if (payload != NULL) {
      fingerprint(s, a, b, fp);
      if (memcmp(fp, payload, RECON_FP_BYTES) == 0) {
        open_range(w, lo, hi, M_SKIP);
        return;
      }
    }
    if (c <= RECON_ITEMS_MAX) {
      open_range(w, lo, hi, M_ITEMS);
      put_heads(w, s, a, b);
      return;
    }
    for (size_t k = 0; k < RECON_SPLIT; k++) {
      size_t x = a + c * k / RECON_SPLIT, y = a + c * (k + 1) / RECON_SPLIT;
      bound l, h;
      if (k == 0) l = *lo; else split_bound(s, x, &l);
      if (k + 1 == RECON_SPLIT) h = *hi; else split_bound(s, y, &h);
      emit_fp(w, s, &l, &h, x, y);
    }
    return;
  case M_ITEMS:
    if (same_heads(s, payload, nitems, a, b)) {
      open_range(w, lo, hi, M_SKIP);
      return;
    }
    for (size_t x = a;;) {
      size_t y = b - x > RECON_ITEMS_MAX ? x + RECON_ITEMS_MAX : b;
      bound l, h;
      if (x == a) l = *lo; else split_bound(s, x, &l);
      if (y == b) h = *hi; else split_bound(s, y, &h);
      if (w->len > RECON_BUDGET) {
        emit_rest(w, s, &l);
        return;
      }
      open_range(w, &l, &h, M_DONE);
      put_heads(w, s, x, y);
      x = y;
      if (x == b) return;
    }
  default: return;
  }
}

/* One parsed range. */
typedef struct rrange {
  bound hi;
  int mode;
  const uint8_t *payload;
  size_t n;
} rrange;

static int rd_bound(cp_rd *r, bound *b) {
  uint8_t L;
  const uint8_t *k;
  memset(b, 0, sizeof *b);
  if (rd_u8(r, &L) != 0) return CP_EPROTO;
  if (L == 0xff) {
    b->inf = 1;
    return 0;
  }
  if (L > CP_PK_BYTES || rd_bytes(r, L, &k) != 0) return CP_EPROTO;
  if (L > 0 && k[L - 1] == 0) return CP_EPROTO;
  memcpy(b->k, k, L);
  return 0;
}

/* Parses the next range; lo is the previous bound. SPEC: R-1 */
static int rd_range(cp_rd *r, const bound *lo, int final, rrange *out) {
  uint8_t m;
  uint16_t n;
  if (rd_bound(r, &out->hi) != 0 || rd_u8(r, &m) != 0 || m > M_DONE) return CP_EPROTO;
  if (lo->inf || (!out->hi.inf && memcmp(out->hi.k, lo->k, CP_PK_BYTES) <= 0)) return CP_EPROTO;
  if (final && (m == M_FP || m == M_ITEMS)) return CP_EPROTO;
  out->mode = m;
  out->payload = NULL;
  out->n = 0;
  if (m == M_FP) return rd_bytes(r, RECON_FP_BYTES, &out->payload);
  if (m == M_SKIP) return 0;
  if (rd_u16(r, &n) != 0 || n > RECON_ITEMS_MAX) return CP_EPROTO;
  if (rd_bytes(r, (size_t)n * RECON_ITEM_BYTES, &out->payload) != 0) return CP_EPROTO;
  out->n = n;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *k = out->payload + i * RECON_ITEM_BYTES;
    if (memcmp(k, lo->k, CP_PK_BYTES) < 0 || !key_below(k, &out->hi)) return CP_EPROTO;
    if (i > 0 && memcmp(k - RECON_ITEM_BYTES, k, CP_PK_BYTES) >= 0) return CP_EPROTO;
  }
  return 0;
}

/* Walks a whole message, checking it; with s, answers each range into w
 * (or, without w, takes in the DONE ranges of a FINAL message). */
static int walk(cp_sync *s, wr *w, const uint8_t *msg, size_t len, size_t *items) {
  cp_rd r = {msg + 1, msg + len};
  uint8_t flags;
  uint16_t n;
  bound lo;
  memset(&lo, 0, sizeof lo);
  if (rd_u8(&r, &flags) != 0 || rd_u16(&r, &n) != 0) return CP_EPROTO;
  if ((flags & ~RECON_FINAL) != 0 || n == 0 || n > RECON_RANGES_MAX) return CP_EPROTO;
  *items = 0;
  for (unsigned i = 0; i < n; i++) {
    rrange rr;
    if (rd_range(&r, &lo, flags & RECON_FINAL, &rr) != 0) return CP_EPROTO;
    *items += rr.n;
    if (s != NULL) {
      if (w != NULL && !w->stop)
        answer(s, w, &lo, &rr.hi, rr.mode, rr.payload, rr.n);
      else if (rr.mode == M_DONE)
        diff(s, rr.payload, rr.n, lower_idx(s, &lo), lower_idx(s, &rr.hi));
    }
    lo = rr.hi;
  }
  if (!lo.inf || rd_left(&r) != 0) return CP_EPROTO;
  return 0;
}

int cp__recon_accept(cp_sync *s, const uint8_t *msg, size_t len) {
  size_t items;
  s->st.recon_in++;
  if (len > CP_SYNC_RECON_MAX)
    return cp__sync_fail(s, CP_ETOOBIG, "RECON: %zu bytes (limit %u)", len, CP_SYNC_RECON_MAX);
  if (!s->expect_recon || s->rpending) /* SPEC: R-2 */
    return cp__sync_fail(s, CP_EPROTO, "RECON: not this side's turn to receive one");
  if (walk(NULL, NULL, msg, len, &items) != 0)
    return cp__sync_fail(s, CP_EPROTO, "RECON: malformed range list (message %llu)",
                         (unsigned long long)s->st.recon_in);
  memcpy(s->rbuf, msg, len);
  s->rlen = len;
  s->ritems = items;
  s->rpending = 1;
  s->expect_recon = 0;
  return 0;
}

int cp__recon_start(cp_sync *s) {
  s->rstart = 1;
  return cp__recon_pump(s);
}

static void send_reply(cp_sync *s, wr *w) {
  if (w->skip_pending) {
    static const bound inf = {{0}, 1};
    put_bound(w, &inf);
    w->p[w->len++] = M_SKIP;
    w->nranges++;
  }
  w->p[0] = MSG_RECON;
  w->p[1] = (uint8_t)(w->answer_needed ? 0 : RECON_FINAL);
  be16_put(w->p + 2, (uint16_t)w->nranges);
  cp__frame_end(s, w->len);
  s->st.recon_out++;
  if (w->answer_needed)
    s->expect_recon = 1;
  else
    s->recon = RECON_DONE;
}

int cp__recon_pump(cp_sync *s) {
  if (!s->have_heads || (!s->rpending && !s->rstart)) return 0;
  /* SPEC: R-6. Wait until every request the message can cause fits in the
   * queue; the queue drains as entries arrive, and entries keep flowing. */
  if (s->rpending && SYNC_REQQ - s->reqq_n < s->ritems) return 0;
  int final_in = s->rpending && (s->rbuf[1] & RECON_FINAL);
  wr w;
  memset(&w, 0, sizeof w);
  if (!final_in) {
    w.p = cp__frame_begin(s, CP_SYNC_RECON_MAX, 0);
    if (w.p == NULL) return 0;
    w.len = 4;
  }
  if (s->rstart) {
    static const bound zero = {{0}, 0}, inf = {{0}, 1};
    s->rstart = 0;
    answer(s, &w, &zero, &inf, M_FP, NULL, 0);
  } else {
    size_t items;
    s->rpending = 0;
    (void)walk(s, final_in ? NULL : &w, s->rbuf, s->rlen, &items);
  }
  if (final_in)
    s->recon = RECON_DONE;
  else
    send_reply(s, &w);
  return 0;
}
