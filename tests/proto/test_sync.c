/*
 * Sync engine: engines wired back to back in memory, each with a fake
 * ledger (sorted logs of raw byte strings). The engine treats entries as
 * opaque, so fake entries only need a valid log key and seq header.
 */
#include "cptest.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  char note[256];
} peer;

static cp_key *new_key(void) {
  cp_key *k = NULL;
  assert_int_equal(cp_key_generate(&k), 0);
  return k;
}

static void peer_open(peer *p, fledger *L, cp_key *key, cp_sync_role role, const uint8_t *allow,
                      size_t n_allow, uint32_t credit_e, uint32_t credit_b) {
  memset(p, 0, sizeof *p);
  p->L = L;
  p->key = key;
  cp_key_public(key, p->pk);
  cp_sync_config cfg = {role, key, allow, n_allow, credit_e, credit_b};
  assert_int_equal(cp_sync_create(&cfg, &p->s), 0);
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

/* ---- tests ---------------------------------------------------------- */

static void sync_handshake_both_ways(void **state) {
  (void)state;
  world w;
  world_init(&w);
  for (int dir = 0; dir < 2; dir++) {
    peer_open(&w.A, &w.La, w.ka, dir ? CP_SYNC_RESPONDER : CP_SYNC_INITIATOR, w.allow[0], 2, 0, 0);
    peer_open(&w.B, &w.Lb, w.kb, dir ? CP_SYNC_INITIATOR : CP_SYNC_RESPONDER, w.allow[0], 2, 0, 0);
    run(dir ? &w.B : &w.A, dir ? &w.A : &w.B, 0, NULL);
    assert_healthy(&w.A);
    assert_healthy(&w.B);
    assert_true(w.A.hs_done && w.B.hs_done && w.A.synced && w.B.synced);
    assert_memory_equal(w.A.peer_pk, w.allow[1], 32);
    assert_memory_equal(w.B.peer_pk, w.allow[0], 32);
    uint8_t pk[32];
    assert_int_equal(cp_sync_peer(w.A.s, pk), 0);
    assert_memory_equal(pk, w.allow[1], 32);
    peer_close(&w.A);
    peer_close(&w.B);
  }
  world_free(&w);
}

/* Same random logs on both sides; sizes 1..3. */
static void shared_logs(world *w, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t k[32];
    random_key(k);
    size_t sz = 1 + (size_t)(rnd() % 3);
    log_fill(add_log(&w->La, k, 0), sz, 0);
    log_fill(add_log(&w->Lb, k, 0), sz, 0);
  }
  ledger_sort(&w->La);
  ledger_sort(&w->Lb);
}

/* Handshake with heads held back, so what follows can be measured. */
static uint64_t handshake_only(world *w) {
  w->A.defer_heads = w->B.defer_heads = 1;
  run(&w->A, &w->B, 0, NULL);
  assert_true(w->A.hs_done && w->B.hs_done);
  return wire_bytes(&w->A, &w->B);
}

static void sync_in_sync_one_round_trip(void **state) {
  (void)state;
  world w;
  world_init(&w);
  shared_logs(&w, 1000);
  open_ab(&w, 0, 0);
  uint64_t hs = handshake_only(&w);
  give_heads(&w.A);
  give_heads(&w.B);
  trace = 1;
  int rounds = run(&w.A, &w.B, 0, NULL);
  trace = 0;
  uint64_t total = wire_bytes(&w.A, &w.B);
  print_message("in sync, 1000 logs: handshake %llu bytes, then %d round trip(s), %llu bytes\n",
                (unsigned long long)hs, rounds, (unsigned long long)(total - hs));
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  assert_int_equal(rounds, 1);
  assert_true(total - hs < 300);
  assert_true(total < 1024);
  cp_sync_stats st;
  cp_sync_get_stats(w.A.s, &st);
  assert_int_equal(st.recon_in + st.recon_out + st.requests_out, 0);
  world_free(&w);
}

static int someone_requested(peer *a, peer *b) {
  cp_sync_stats x, y;
  cp_sync_get_stats(a->s, &x);
  cp_sync_get_stats(b->s, &y);
  return x.requests_out + y.requests_out > 0;
}

static void one_changed(int ahead_is_b) {
  world w;
  world_init(&w);
  shared_logs(&w, 10000);
  size_t victim = (size_t)(rnd() % 10000);
  fledger *ahead = ahead_is_b ? &w.Lb : &w.La;
  log_fill(&ahead->logs[victim], ahead->logs[victim].n + 2, 0);
  open_ab(&w, 0, 0);
  uint64_t hs = handshake_only(&w);
  give_heads(&w.A);
  give_heads(&w.B);
  trace = 1;
  int rounds = run(&w.A, &w.B, 0, someone_requested);
  trace = 0;
  uint64_t bytes = wire_bytes(&w.A, &w.B) - hs;
  print_message("one changed log of 10000 (%s ahead): found in %d round trip(s), %llu bytes\n",
                ahead_is_b ? "responder" : "initiator", rounds, (unsigned long long)bytes);
  assert_true(someone_requested(&w.A, &w.B));
  assert_true(rounds <= 3);
  assert_true(bytes <= 4096);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  assert_int_equal(w.A.got + w.B.got, 2);
  world_free(&w);
}

static void sync_one_changed_of_10000_responder_ahead(void **state) {
  (void)state;
  one_changed(1);
}
static void sync_one_changed_of_10000_initiator_ahead(void **state) {
  (void)state;
  one_changed(0);
}

/* A mixed scenario: shared logs, logs on one side only, prefixes, a log
 * longer than one batch. */
static void mixed_logs(world *w, unsigned n_shared) {
  shared_logs(w, n_shared);
  for (int i = 0; i < 6; i++) {
    uint8_t k[32];
    random_key(k);
    flog *a = add_log(&w->La, k, 1), *b = add_log(&w->Lb, k, 1);
    switch (i) {
    case 0: log_fill(a, 50, 0); log_fill(b, 20, 0); break;
    case 1: log_fill(a, 3, 0); break;
    case 2: log_fill(b, 300, 0); break;
    case 3: log_fill(b, 5, 0); log_fill(a, 9, 0); break;
    case 4: log_fill(a, 600, 0); break;
    default: log_fill(b, 1, 0); break;
    }
  }
  /* Many small logs on one side only, more than one RECON can list. */
  for (int i = 0; i < 1500; i++) {
    uint8_t k[32];
    random_key(k);
    log_fill(add_log(i % 2 ? &w->La : &w->Lb, k, 0), 1 + (size_t)(rnd() % 2), 0);
  }
  ledger_sort(&w->La);
  ledger_sort(&w->Lb);
}

static void sync_full_converges(void **state) {
  (void)state;
  world w;
  world_init(&w);
  mixed_logs(&w, 3000);
  open_ab(&w, 0, 0);
  int rounds = run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  cp_sync_stats x, y;
  cp_sync_get_stats(w.A.s, &x);
  cp_sync_get_stats(w.B.s, &y);
  print_message("full sync: %d round trips, %llu + %llu entries, %llu bytes\n", rounds,
                (unsigned long long)x.entries_in, (unsigned long long)y.entries_in,
                (unsigned long long)(x.bytes_out + y.bytes_out));
  world_free(&w);
}

static void sync_empty_to_full(void **state) {
  (void)state;
  world w;
  world_init(&w);
  for (int i = 0; i < 5000; i++) {
    uint8_t k[32];
    random_key(k);
    log_fill(add_log(&w.La, k, 0), 1 + (size_t)(rnd() % 4), 0);
  }
  ledger_sort(&w.La);
  open_ab(&w, 0, 0);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  world_free(&w);
}

/* Property: random chunking of both byte streams ends in the same state as
 * one-shot feeding. */
static void sync_chunking_equals_oneshot(void **state) {
  (void)state;
  for (int seed = 1; seed <= 8; seed++) {
    world w1, w2;
    uint64_t s0 = 0x9e3779b97f4a7c15ull * (uint64_t)seed;
    rng_state = s0;
    world_init(&w1);
    mixed_logs(&w1, 200);
    open_ab(&w1, 0, 0);
    run(&w1.A, &w1.B, 0, NULL);
    rng_state = s0;
    world_init(&w2);
    mixed_logs(&w2, 200);
    open_ab(&w2, 0, 0);
    run(&w2.A, &w2.B, 1, NULL);
    assert_healthy(&w1.A);
    assert_healthy(&w2.A);
    assert_healthy(&w1.B);
    assert_healthy(&w2.B);
    assert_true(w1.A.synced && w1.B.synced && w2.A.synced && w2.B.synced);
    assert_true(ledgers_equal(&w1.La, &w1.Lb));
    assert_true(ledgers_equal(&w2.La, &w2.Lb));
    /* The same seed gives the same ledgers: both worlds end identical. */
    assert_true(ledgers_equal(&w1.La, &w2.La));
    assert_int_equal(w1.A.got, w2.A.got);
    assert_int_equal(w1.B.got, w2.B.got);
    assert_int_equal(w1.La.n, w2.La.n);
    world_free(&w1);
    world_free(&w2);
  }
}

/* A receiver that never commits stops the sender within the credit it
 * granted, counted in entries or in bytes, whichever runs out first. */
static void flow_control(uint32_t credit_e, uint32_t credit_b) {
  world w;
  world_init(&w);
  uint8_t k[32];
  random_key(k);
  log_fill(add_log(&w.La, k, 1), 5000, 0);
  peer_open(&w.A, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, 0, 0);
  peer_open(&w.B, &w.Lb, w.kb, CP_SYNC_RESPONDER, w.allow[0], 3, credit_e, credit_b);
  w.B.no_commit = 1;
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  cp_sync_stats x;
  cp_sync_get_stats(w.A.s, &x);
  size_t pending;
  (void)cp_sync_out(w.A.s, &pending);
  print_message("receiver never commits (credit %u entries, %u bytes): sender sent %llu entries "
                "(%llu entry bytes), %llu wire bytes, %zu queued\n",
                credit_e, credit_b, (unsigned long long)x.entries_out,
                (unsigned long long)w.B.unc_b, (unsigned long long)x.bytes_out, pending);
  assert_true(x.entries_out <= credit_e);
  assert_true(w.B.unc_b <= credit_b);
  assert_int_equal(w.B.got, x.entries_out);
  assert_int_equal(pending, 0);
  assert_true(x.bytes_out <= (uint64_t)credit_b + 4096 + 8 * x.entries_out);
  assert_false(w.B.synced);
  /* More rounds change nothing. */
  run(&w.A, &w.B, 0, NULL);
  cp_sync_stats y;
  cp_sync_get_stats(w.A.s, &y);
  assert_int_equal(y.entries_out, x.entries_out);
  /* Now commit: credit flows back and the transfer finishes. */
  w.B.no_commit = 0;
  assert_int_equal(cp_sync_entries_committed(w.B.s, (uint32_t)w.B.unc_e, (uint32_t)w.B.unc_b), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.B);
  assert_true(w.B.synced);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  world_free(&w);
}

/* Seeded A/B/both: random ledgers that agree where they overlap, random
 * chunking, small credit, lazy commits; both sides must end identical. */
static void sync_random_seeds(void **state) {
  (void)state;
  size_t moved = 0;
  for (int seed = 1; seed <= 20; seed++) {
    world w;
    rng_state = 0x2545f4914f6cdd1dull * (uint64_t)seed;
    world_init(&w);
    size_t nlogs = 20 + (size_t)(rnd() % 400);
    for (size_t i = 0; i < nlogs; i++) {
      uint8_t k[32];
      random_key(k);
      size_t full = 1 + (size_t)(rnd() % (i % 10 == 0 ? 700 : 12));
      unsigned where = (unsigned)(rnd() % 3); /* 0: A, 1: B, 2: both */
      if (where != 1) log_fill(add_log(&w.La, k, 0), where == 2 ? 1 + rnd() % full : full, 0);
      if (where != 0) log_fill(add_log(&w.Lb, k, 0), full, 0);
    }
    ledger_sort(&w.La);
    ledger_sort(&w.Lb);
    uint32_t ce = 1 + (uint32_t)(rnd() % 300);
    peer_open(&w.A, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, ce, 0);
    peer_open(&w.B, &w.Lb, w.kb, CP_SYNC_RESPONDER, w.allow[0], 3, ce, 70000);
    w.A.lazy = w.B.lazy = 1;
    run(&w.A, &w.B, (int)(seed % 2), NULL);
    assert_healthy(&w.A);
    assert_healthy(&w.B);
    if (!(w.A.synced && w.B.synced)) fail_msg("seed %d: not synced", seed);
    if (!ledgers_equal(&w.La, &w.Lb)) fail_msg("seed %d: ledgers differ", seed);
    moved += w.A.got + w.B.got;
    world_free(&w);
  }
  print_message("20 seeds: %zu entries moved\n", moved);
  assert_true(moved > 1000);
}

static void sync_flow_control_bounds_sender(void **state) {
  (void)state;
  flow_control(100, 64 * 1024);   /* entries run out first */
  flow_control(100000, 64 * 1024); /* bytes run out first */
}

static void sync_resume_from_committed(void **state) {
  (void)state;
  world w;
  world_init(&w);
  uint8_t k[32];
  random_key(k);
  log_fill(add_log(&w.La, k, 1), 1000, 0);
  /* First session: B takes 300 entries, then the connection drops. */
  peer_open(&w.A, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, 0, 0);
  peer_open(&w.B, &w.Lb, w.kb, CP_SYNC_RESPONDER, w.allow[0], 3, 300, 0);
  w.B.no_commit = 1;
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(w.B.got, 300);
  peer_close(&w.A);
  peer_close(&w.B);
  /* Second session resumes from B's committed size. */
  open_ab(&w, 0, 0);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.first_want_set);
  assert_int_equal(w.A.first_want_seq, 300);
  assert_int_equal(w.B.got, 700);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  world_free(&w);
}

static void sync_fork_proof_relayed(void **state) {
  (void)state;
  world w;
  world_init(&w);
  uint8_t k[32];
  random_key(k);
  flog *fa = add_log(&w.La, k, 1), *fb = add_log(&w.Lb, k, 1);
  log_fill(fa, 5, 0);
  log_fill(fb, 5, 0);
  log_fill(fa, 6, 1); /* two different entries at seq 5 */
  log_fill(fb, 6, 2);
  /* A second session of A's node, to C. */
  peer a2, c;
  peer_open(&a2, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, 0, 0);
  peer_open(&c, &w.Lc, w.kc, CP_SYNC_RESPONDER, w.allow[0], 3, 0, 0);
  run(&a2, &c, 0, NULL);
  assert_true(a2.synced && c.synced);
  open_ab(&w, 0, 0);
  w.A.relay = &a2;
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_int_equal(w.A.forks_found, 1);
  assert_int_equal(w.B.forks_found, 1);
  run(&a2, &c, 0, NULL);
  assert_healthy(&c);
  assert_int_equal(c.fork_proofs, 1);
  peer_close(&a2);
  peer_close(&c);
  world_free(&w);
}

static void sync_live_push_and_announce(void **state) {
  (void)state;
  world w;
  world_init(&w);
  shared_logs(&w, 10);
  open_ab(&w, 0, 0);
  run(&w.A, &w.B, 0, NULL);
  assert_true(w.A.synced && w.B.synced);
  /* A commits two new entries on a log and pushes them. */
  flog *g = &w.La.logs[3];
  size_t from = g->n;
  log_fill(g, from + 2, 0);
  cp_sync_blob b[2] = {{g->e[from], g->len[from]}, {g->e[from + 1], g->len[from + 1]}};
  assert_int_equal(cp_sync_push(w.A.s, g->key, from, b, 2), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(w.B.got, 2);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  /* A new log, announced instead: B pulls it. */
  uint8_t k[32];
  random_key(k);
  flog *n = add_log(&w.La, k, 1);
  log_fill(n, 4, 0);
  cp_sync_head h;
  memcpy(h.log, k, 32);
  h.size = 4;
  memset(h.head, 0, 32);
  assert_int_equal(cp_sync_announce(w.A.s, &h), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_int_equal(w.B.peer_has, 1);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  /* A checkpoint travels as is. */
  const char note[] = "example.org/log\n4\nAAAA\n\n\xe2\x80\x94 example.org/log sig\n";
  assert_int_equal(cp_sync_send_checkpoint(w.A.s, k, note, sizeof note - 1), 0);
  static char big[CP_NOTE_MAX + 1];
  memset(big, 'a', sizeof big);
  assert_int_equal(cp_sync_send_checkpoint(w.A.s, k, big, sizeof big), CP_ETOOBIG);
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(w.B.checkpoints, 1);
  assert_string_equal(w.B.note, note);
  world_free(&w);
}

static void sync_close_carries_reason(void **state) {
  (void)state;
  world w;
  world_init(&w);
  open_ab(&w, 0, 0);
  run(&w.A, &w.B, 0, NULL);
  cp_sync_close(w.A.s, CP_EBADSIG, "ENTRIES: entry 3 of log 1234: bad signature");
  assert_int_equal(cp_sync_status(w.A.s), CP_EBADSIG);
  assert_int_equal(cp_sync_tick(w.A.s, 5), CP_EBADSIG);
  run(&w.A, &w.B, 0, NULL);
  assert_true(w.B.peer_err);
  assert_int_equal(cp_sync_status(w.B.s), CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(w.B.s), "bad signature"));
  world_free(&w);
}

static void sync_keepalive_and_timeout(void **state) {
  (void)state;
  world w;
  world_init(&w);
  open_ab(&w, 0, 0);
  assert_int_equal(cp_sync_tick(w.A.s, 1000), 0);
  assert_int_equal(cp_sync_tick(w.B.s, 1000), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(cp_sync_tick(w.A.s, 1000 + CP_SYNC_KEEPALIVE_MS), 0);
  size_t n;
  (void)cp_sync_out(w.A.s, &n);
  assert_true(n > 0); /* a PING */
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.B);
  assert_int_equal(cp_sync_tick(w.B.s, 1000 + CP_SYNC_IDLE_MS + 1), -ETIMEDOUT);
  assert_non_null(strstr(cp_sync_error(w.B.s), "silent"));
  world_free(&w);
}

static void sync_api_misuse(void **state) {
  (void)state;
  world w;
  world_init(&w);
  cp_sync_config bad = {CP_SYNC_INITIATOR, NULL, NULL, 0, 0, 0};
  cp_sync *s = (cp_sync *)1;
  assert_int_equal(cp_sync_create(&bad, &s), CP_EINVAL);
  assert_null(s);
  open_ab(&w, 0, 0);
  uint8_t k[32] = {0};
  assert_int_equal(cp_sync_request(w.A.s, k, 0), CP_EINVAL); /* before the handshake */
  run(&w.A, &w.B, 0, NULL);
  cp_sync_head unsorted[2];
  memset(unsorted, 0, sizeof unsorted);
  unsorted[0].log[0] = 2;
  unsorted[1].log[0] = 1;
  assert_int_equal(cp_sync_provide_heads(w.A.s, unsorted, 2), CP_EINVAL); /* already given */
  assert_int_equal(cp_sync_provide_entries(w.A.s, k, 0, NULL, 0, 1), CP_EINVAL); /* no WANT */
  assert_int_equal(cp_sync_entries_committed(w.A.s, 1, 1), CP_EINVAL);
  assert_healthy(&w.A);
  world_free(&w);
}

static const struct CMUnitTest tests[] = {
      cmocka_unit_test(sync_handshake_both_ways),
      cmocka_unit_test(sync_in_sync_one_round_trip),
      cmocka_unit_test(sync_one_changed_of_10000_responder_ahead),
      cmocka_unit_test(sync_one_changed_of_10000_initiator_ahead),
      cmocka_unit_test(sync_full_converges),
      cmocka_unit_test(sync_empty_to_full),
      cmocka_unit_test(sync_chunking_equals_oneshot),
      cmocka_unit_test(sync_random_seeds),
      cmocka_unit_test(sync_flow_control_bounds_sender),
      cmocka_unit_test(sync_resume_from_committed),
      cmocka_unit_test(sync_fork_proof_relayed),
      cmocka_unit_test(sync_live_push_and_announce),
      cmocka_unit_test(sync_close_carries_reason),
      cmocka_unit_test(sync_keepalive_and_timeout),
      cmocka_unit_test(sync_api_misuse),
};

CP_TEST_MAIN(tests)
