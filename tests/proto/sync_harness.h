/*
 * Test harness for the sync engine: an in-memory fake ledger per side and
 * peers wired back to back. Included by test_sync.c only.
 */
#ifndef CP_TEST_SYNC_HARNESS_H
#define CP_TEST_SYNC_HARNESS_H

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cptest.h"
#include "credport/sync.h"
/* ---- fake ledger ---------------------------------------------------- */

typedef struct flog {
  uint8_t key[32];
  uint8_t **e;
  uint32_t *len;
  size_t n, cap;
} flog;

typedef struct fledger {
  flog *logs;
  size_t n, cap;
} fledger;

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  return v;
}

/* A fake entry: version, type, log key, seq, then variant-dependent filler. */
static uint8_t *make_entry(const uint8_t key[32], uint64_t seq, unsigned variant, uint32_t *len) {
  uint32_t n = 64 + (uint32_t)((seq * 7 + variant * 13) % 100);
  uint8_t *e = malloc(n);
  assert_non_null(e);
  e[0] = 1;
  e[1] = 3;
  memcpy(e + 2, key, 32);
  put64(e + 34, seq);
  for (uint32_t i = 42; i < n; i++) e[i] = (uint8_t)(i * 31 + variant * 7 + seq + key[0]);
  *len = n;
  return e;
}

static int logcmp(const void *a, const void *b) {
  return memcmp(((const flog *)a)->key, ((const flog *)b)->key, 32);
}

static flog *find_log(fledger *L, const uint8_t key[32]) {
  size_t lo = 0, hi = L->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = memcmp(L->logs[mid].key, key, 32);
    if (c == 0) return &L->logs[mid];
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return NULL;
}

/* Adds a log (kept sorted when sorted != 0, else call ledger_sort). */
static flog *add_log(fledger *L, const uint8_t key[32], int sorted) {
  if (L->n == L->cap) {
    L->cap = L->cap ? L->cap * 2 : 16;
    L->logs = realloc(L->logs, L->cap * sizeof *L->logs);
    assert_non_null(L->logs);
  }
  size_t at = L->n;
  if (sorted)
    while (at > 0 && memcmp(L->logs[at - 1].key, key, 32) > 0) at--;
  memmove(&L->logs[at + 1], &L->logs[at], (L->n - at) * sizeof *L->logs);
  memset(&L->logs[at], 0, sizeof *L->logs);
  memcpy(L->logs[at].key, key, 32);
  L->n++;
  return &L->logs[at];
}

static void ledger_sort(fledger *L) { qsort(L->logs, L->n, sizeof *L->logs, logcmp); }

static void log_append(flog *g, uint8_t *e, uint32_t len) {
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 4;
    g->e = realloc(g->e, g->cap * sizeof *g->e);
    g->len = realloc(g->len, g->cap * sizeof *g->len);
    assert_true(g->e != NULL && g->len != NULL);
  }
  g->e[g->n] = e;
  g->len[g->n] = len;
  g->n++;
}

static void log_fill(flog *g, size_t upto, unsigned variant) {
  while (g->n < upto) {
    uint32_t len;
    uint8_t *e = make_entry(g->key, g->n, variant, &len);
    log_append(g, e, len);
  }
}

static void ledger_free(fledger *L) {
  for (size_t i = 0; i < L->n; i++) {
    for (size_t j = 0; j < L->logs[i].n; j++) free(L->logs[i].e[j]);
    free(L->logs[i].e);
    free(L->logs[i].len);
  }
  free(L->logs);
  memset(L, 0, sizeof *L);
}

static cp_sync_head *snapshot(const fledger *L) {
  cp_sync_head *h = calloc(L->n + 1, sizeof *h);
  assert_non_null(h);
  for (size_t i = 0; i < L->n; i++) {
    const flog *g = &L->logs[i];
    memcpy(h[i].log, g->key, 32);
    h[i].size = g->n;
    if (g->n > 0) crypto_generichash(h[i].head, 32, g->e[g->n - 1], g->len[g->n - 1], NULL, 0);
  }
  return h;
}

static int ledgers_equal(const fledger *a, const fledger *b) {
  size_t na = 0, nb = 0;
  for (size_t i = 0; i < a->n; i++) na += a->logs[i].n > 0;
  for (size_t i = 0; i < b->n; i++) nb += b->logs[i].n > 0;
  if (na != nb) return 0;
  for (size_t i = 0; i < a->n; i++) {
    const flog *x = &a->logs[i];
    if (x->n == 0) continue;
    const flog *y = find_log((fledger *)b, x->key);
    if (y == NULL || y->n != x->n) return 0;
    for (size_t j = 0; j < x->n; j++)
      if (x->len[j] != y->len[j] || memcmp(x->e[j], y->e[j], x->len[j]) != 0) return 0;
  }
  return 1;
}

/* Keys from the seeded generator, so a seed fixes a whole ledger. */
static void random_key(uint8_t k[32]) {
  for (int i = 0; i < 32; i += 8) put64(k + i, rnd());
}

/* ---- peers ---------------------------------------------------------- */

typedef struct peer {
  cp_sync *s;
  cp_key *key;
  uint8_t pk[32];
  fledger *L;
  cp_sync_head *snap;
  int defer_heads, heads_pending;
  int no_commit, lazy;
  uint64_t unc_e, unc_b;
  int hs_done, synced, peer_err;
  uint8_t peer_pk[32];
  size_t wants, got, forks_found, fork_proofs, checkpoints, peer_has;
  int first_want_set;
  uint64_t first_want_seq;
  struct peer *relay;
  const uint8_t *forked; /* a log whose head is given as CP_SYNC_HEAD_FORKED */
  char note[256];
  uint64_t peer_clock; /* PEER_CLOCK events: the last time given */
  size_t clock_events;
} peer;

static cp_key *new_key(void) {
  cp_key *k = NULL;
  assert_int_equal(cp_key_generate(&k), 0);
  return k;
}

static void peer_open_idle(peer *p, fledger *L, cp_key *key, cp_sync_role role,
                           const uint8_t *allow, size_t n_allow, uint32_t credit_e,
                           uint32_t credit_b, uint32_t idle_ms) {
  memset(p, 0, sizeof *p);
  p->L = L;
  p->key = key;
  cp_key_public(key, p->pk);
  cp_sync_config cfg = {role, key, allow, n_allow, credit_e, credit_b, idle_ms};
  assert_int_equal(cp_sync_create(&cfg, &p->s), 0);
}

static void peer_open(peer *p, fledger *L, cp_key *key, cp_sync_role role, const uint8_t *allow,
                      size_t n_allow, uint32_t credit_e, uint32_t credit_b) {
  peer_open_idle(p, L, key, role, allow, n_allow, credit_e, credit_b, 0);
}

static void peer_close(peer *p) {
  cp_sync_free(p->s);
  free(p->snap);
  p->s = NULL;
  p->snap = NULL;
}

static void give_heads(peer *p) {
  free(p->snap);
  p->snap = snapshot(p->L);
  for (size_t i = 0; p->forked != NULL && i < p->L->n; i++)
    if (memcmp(p->snap[i].log, p->forked, 32) == 0) p->snap[i].flags = CP_SYNC_HEAD_FORKED;
  assert_int_equal(cp_sync_provide_heads(p->s, p->snap, p->L->n), 0);
  p->heads_pending = 0;
}

static void on_want(peer *p, const cp_sync_event *ev) {
  static cp_sync_blob b[CP_SYNC_BATCH_MAX];
  flog *g = find_log(p->L, ev->log);
  size_t n = 0, bytes = 0;
  p->wants++;
  if (!p->first_want_set) {
    p->first_want_set = 1;
    p->first_want_seq = ev->seq;
  }
  while (g != NULL && ev->seq + n < g->n && n < ev->count &&
         bytes + g->len[ev->seq + n] <= ev->bytes) {
    b[n].p = g->e[ev->seq + n];
    b[n].len = g->len[ev->seq + n];
    bytes += b[n].len;
    n++;
  }
  int end = g == NULL || ev->seq + n >= g->n;
  assert_int_equal(cp_sync_provide_entries(p->s, ev->log, ev->seq, b, n, end), 0);
}

static void on_entries(peer *p, const cp_sync_event *ev) {
  for (uint32_t i = 0; i < ev->count; i++) {
    const cp_sync_blob *it = &ev->items[i];
    uint64_t seq = get64(it->p + 34);
    flog *g = find_log(p->L, it->p + 2);
    if (g == NULL) g = add_log(p->L, it->p + 2, 1);
    if (seq == g->n) {
      uint8_t *c = malloc(it->len);
      assert_non_null(c);
      memcpy(c, it->p, it->len);
      log_append(g, c, (uint32_t)it->len);
    } else if (seq < g->n && (g->len[seq] != it->len || memcmp(g->e[seq], it->p, it->len) != 0)) {
      p->forks_found++;
      if (p->relay != NULL)
        assert_int_equal(cp_sync_send_fork_proof(p->relay->s, g->e[seq], g->len[seq], it->p,
                                                 it->len), 0);
    }
  }
  p->got += ev->count;
  if (p->no_commit || p->lazy) {
    p->unc_e += ev->count;
    p->unc_b += ev->bytes;
  } else {
    assert_int_equal(cp_sync_entries_committed(p->s, ev->count, ev->bytes), 0);
  }
}

static void handle(peer *p) {
  cp_sync_event ev;
  int rc;
  /* A lazy ledger commits what it got one turn later, as a writer thread
   * would. */
  if (p->lazy && p->unc_e > 0 && cp_sync_status(p->s) == 0) {
    assert_int_equal(cp_sync_entries_committed(p->s, (uint32_t)p->unc_e, (uint32_t)p->unc_b), 0);
    p->unc_e = p->unc_b = 0;
  }
  while ((rc = cp_sync_next_event(p->s, &ev)) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_HANDSHAKE_DONE:
      p->hs_done = 1;
      memcpy(p->peer_pk, ev.log, 32);
      break;
    case CP_SYNC_EV_NEED_HEADS:
      if (p->defer_heads) p->heads_pending = 1; else give_heads(p);
      break;
    case CP_SYNC_EV_SYNCED: p->synced = 1; break;
    case CP_SYNC_EV_WANT_ENTRIES: on_want(p, &ev); break;
    case CP_SYNC_EV_ENTRIES: on_entries(p, &ev); break;
    case CP_SYNC_EV_PEER_HAS: {
      flog *g = find_log(p->L, ev.log);
      uint64_t have = g ? g->n : 0;
      p->peer_has++;
      if (ev.seq > have) assert_int_equal(cp_sync_request(p->s, ev.log, have), 0);
      break;
    }
    case CP_SYNC_EV_CHECKPOINT:
      p->checkpoints++;
      snprintf(p->note, sizeof p->note, "%.*s", (int)ev.items[0].len,
               (const char *)ev.items[0].p);
      break;
    case CP_SYNC_EV_FORK_PROOF: p->fork_proofs++; break;
    case CP_SYNC_EV_PEER_ERROR: p->peer_err = 1; break;
    case CP_SYNC_EV_PEER_CLOCK:
      p->peer_clock = ev.time_ms;
      p->clock_events++;
      break;
    default: fail_msg("unexpected event %d", ev.type);
    }
  }
}

/* Moves a's pending output into b, in random chunks when chunked. */
static size_t xfer(peer *a, peer *b, int chunked) {
  size_t n;
  const uint8_t *o = cp_sync_out(a->s, &n);
  if (n == 0) return 0;
  uint8_t *buf = malloc(n);
  assert_non_null(buf);
  memcpy(buf, o, n);
  cp_sync_out_ack(a->s, n);
  size_t off = 0;
  while (off < n) {
    size_t k = n - off, used = 0;
    if (chunked) {
      size_t c = 1 + (size_t)(rnd() % 700);
      if (c < k) k = c;
    }
    int rc = cp_sync_feed(b->s, buf + off, k, &used);
    off += used;
    if (rc == CP_EAGAIN || (rc == 0 && used == k)) {
      handle(b);
      continue;
    }
    if (rc != 0) break;
  }
  free(buf);
  handle(b);
  return n;
}

typedef int (*stop_fn)(peer *a, peer *b);

/* Runs until quiet (or stop says so). Returns the number of round trips
 * (an a->b flight then a b->a flight) that carried bytes. */
static int trace; /* print each flight's size */

static int run(peer *a, peer *b, int chunked, stop_fn stop) {
  int rounds = 0;
  for (int i = 0; i < 100000; i++) {
    handle(a);
    handle(b);
    size_t m1 = xfer(a, b, chunked);
    if (stop != NULL && stop(a, b)) return rounds + 1;
    size_t m2 = xfer(b, a, chunked);
    size_t m = m1 + m2;
    if (trace && m > 0) print_message("  round %d: %zu bytes ->, %zu bytes <-\n", rounds + 1, m1, m2);
    if (m == 0) break;
    rounds++;
    if (stop != NULL && stop(a, b)) return rounds;
  }
  return rounds;
}

static uint64_t wire_bytes(const peer *a, const peer *b) {
  cp_sync_stats x, y;
  size_t pa, pb;
  cp_sync_get_stats(a->s, &x);
  cp_sync_get_stats(b->s, &y);
  (void)cp_sync_out(a->s, &pa);
  (void)cp_sync_out(b->s, &pb);
  return x.bytes_out + y.bytes_out + pa + pb;
}

typedef struct world {
  cp_key *ka, *kb, *kc;
  uint8_t allow[3][32];
  fledger La, Lb, Lc;
  peer A, B, C;
} world;

static void world_init(world *w) {
  memset(w, 0, sizeof *w);
  w->ka = new_key();
  w->kb = new_key();
  w->kc = new_key();
  cp_key_public(w->ka, w->allow[0]);
  cp_key_public(w->kb, w->allow[1]);
  cp_key_public(w->kc, w->allow[2]);
}

static void world_free(world *w) {
  if (w->A.s) peer_close(&w->A);
  if (w->B.s) peer_close(&w->B);
  if (w->C.s) peer_close(&w->C);
  ledger_free(&w->La);
  ledger_free(&w->Lb);
  ledger_free(&w->Lc);
  cp_key_free(w->ka);
  cp_key_free(w->kb);
  cp_key_free(w->kc);
}

static void open_ab(world *w, uint32_t ce, uint32_t cb) {
  peer_open(&w->A, &w->La, w->ka, CP_SYNC_INITIATOR, w->allow[0], 3, ce, cb);
  peer_open(&w->B, &w->Lb, w->kb, CP_SYNC_RESPONDER, w->allow[0], 3, ce, cb);
}

static void assert_healthy(const peer *p) {
  if (cp_sync_status(p->s) != 0) fail_msg("session failed: %s", cp_sync_error(p->s));
}

#endif
