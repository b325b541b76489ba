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

#include "sync_harness.h"

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
  /* The digests settle it in one round trip; each side then sends DONE
   * (D-4), which needs no answer. */
  assert_true(rounds <= 2);
  assert_true(cp_sync_complete(w.A.s) && cp_sync_complete(w.B.s));
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

/* Branches of one log of unequal length (5 and 6 entries): the proof is
 * entry 4 of one and entry 5 of the other, and travels as a FORK; a log
 * whose head is marked forked is never requested again, while the rest of
 * the ledger still syncs. */
static void sync_fork_unequal_branches(void **state) {
  (void)state;
  world w;
  world_init(&w);
  uint8_t k[32], only_b[32];
  random_key(k);
  random_key(only_b);
  flog *fa = add_log(&w.La, k, 1), *fb = add_log(&w.Lb, k, 1);
  log_fill(fa, 2, 0);
  log_fill(fb, 2, 0);
  log_fill(fa, 5, 1);
  log_fill(fb, 6, 2);
  open_ab(&w, 0, 0);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_int_equal(w.A.got, 1); /* B's entry 5: its node finds the contradiction */
  fa = find_log(&w.La, k);
  fb = find_log(&w.Lb, k);
  assert_int_equal(cp_sync_send_fork_proof(w.A.s, fa->e[4], fa->len[4], fb->e[5], fb->len[5]), 0);
  /* Not a proof's shape: seqs two apart, or the later entry first. */
  assert_int_equal(cp_sync_send_fork_proof(w.A.s, fa->e[3], fa->len[3], fb->e[5], fb->len[5]),
                   CP_EINVAL);
  assert_int_equal(cp_sync_send_fork_proof(w.A.s, fb->e[5], fb->len[5], fa->e[4], fa->len[4]),
                   CP_EINVAL);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_int_equal(w.B.fork_proofs, 1);
  peer_close(&w.A);
  peer_close(&w.B);

  /* A holds the proof now (and only its own branch); B gained a log. */
  free(fa->e[5]);
  fa->n = 5;
  log_fill(add_log(&w.Lb, only_b, 1), 3, 0);
  open_ab(&w, 0, 0);
  w.A.forked = k;
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  assert_int_equal(find_log(&w.La, k)->n, 5);
  assert_int_equal(w.A.got, 3); /* the new log only */
  assert_int_equal(find_log(&w.La, only_b)->n, 3);
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
  assert_int_equal(w.B.clock_events, 0); /* A never set its clock: the PING said 0 */
  /* D-5: a PING carries the sender's clock as it is now. */
  cp_sync_set_clock(w.A.s, 1767225700000ull);
  assert_int_equal(cp_sync_tick(w.A.s, 1000 + 2 * CP_SYNC_KEEPALIVE_MS), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(w.B.clock_events, 1);
  assert_int_equal(w.B.peer_clock, 1767225700000ull);
  assert_int_equal(cp_sync_tick(w.B.s, 1000 + CP_SYNC_IDLE_MS + 1), -ETIMEDOUT);
  assert_non_null(strstr(cp_sync_error(w.B.s), "silent"));
  world_free(&w);
}

/* A configured idle time: the peer is dropped after it, and keepalives go
 * out after a quarter of it (well before the default's 15 s). */
static void sync_idle_configured(void **state) {
  (void)state;
  world w;
  size_t n;
  world_init(&w);
  peer_open_idle(&w.A, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, 0, 0, 2000);
  peer_open_idle(&w.B, &w.Lb, w.kb, CP_SYNC_RESPONDER, w.allow[0], 3, 0, 0, 2000);
  assert_int_equal(cp_sync_tick(w.A.s, 1000), 0);
  assert_int_equal(cp_sync_tick(w.B.s, 1000), 0);
  run(&w.A, &w.B, 0, NULL);
  assert_int_equal(cp_sync_tick(w.A.s, 1000 + 499), 0);
  (void)cp_sync_out(w.A.s, &n);
  assert_int_equal(n, 0); /* not yet */
  assert_int_equal(cp_sync_tick(w.A.s, 1000 + 500), 0);
  (void)cp_sync_out(w.A.s, &n);
  assert_true(n > 0); /* a PING */
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.B);
  assert_int_equal(cp_sync_tick(w.B.s, 1000 + 2000), 0);
  assert_int_equal(cp_sync_tick(w.B.s, 1000 + 2000 + 1), -ETIMEDOUT);
  assert_non_null(strstr(cp_sync_error(w.B.s), "silent for more than 2000 ms"));
  world_free(&w);
}

static void sync_api_misuse(void **state) {
  (void)state;
  world w;
  world_init(&w);
  cp_sync_config bad = {CP_SYNC_INITIATOR, NULL, NULL, 0, 0, 0, 0};
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

  /* A fresh session past its handshake, heads not yet given: heads out of
   * order, or with a log key twice, are refused for their order alone. The
   * session stays healthy (no reason recorded: the call is refused, the
   * session not poisoned) and then takes the same heads sorted, and syncs. */
  world_init(&w);
  shared_logs(&w, 3);
  open_ab(&w, 0, 0);
  (void)handshake_only(&w);
  cp_sync_head *sorted = snapshot(&w.La), mixed[3];
  memcpy(mixed, sorted, sizeof mixed);
  mixed[0] = sorted[1];
  mixed[1] = sorted[0];
  assert_int_equal(cp_sync_provide_heads(w.A.s, mixed, 3), CP_EINVAL); /* not ascending */
  memcpy(mixed, sorted, sizeof mixed);
  mixed[2] = sorted[1];
  assert_int_equal(cp_sync_provide_heads(w.A.s, mixed, 3), CP_EINVAL); /* a key twice */
  assert_int_equal(cp_sync_status(w.A.s), 0);
  assert_string_equal(cp_sync_error(w.A.s), "");
  assert_healthy(&w.A);
  give_heads(&w.A); /* the same heads, sorted: accepted */
  give_heads(&w.B);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_true(w.A.synced && w.B.synced);
  free(sorted);
  world_free(&w);
}

/* D-4: a side is complete only when the peer said DONE, every request of
 * the peer was served and every entry sent was credited back. A receiver
 * that has not committed holds the sender back, however long it is quiet. */
static void sync_complete_waits_for_peer_commit(void **state) {
  (void)state;
  world w;
  world_init(&w);
  uint8_t k[32];
  random_key(k);
  log_fill(add_log(&w.La, k, 1), 3000, 0);
  peer_open(&w.A, &w.La, w.ka, CP_SYNC_INITIATOR, w.allow[0], 3, 0, 0);
  peer_open(&w.B, &w.Lb, w.kb, CP_SYNC_RESPONDER, w.allow[0], 3, 1024, 0);
  w.B.no_commit = 1;
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  /* A's own side is done (it requested nothing), the wire is quiet, but B
   * holds 1024 of 3000 entries uncommitted. */
  assert_true(w.A.synced);
  assert_false(cp_sync_complete(w.A.s));
  assert_false(cp_sync_complete(w.B.s));
  cp_sync_progress pa;
  cp_sync_get_progress(w.A.s, &pa);
  assert_int_equal(pa.peer_requests, 1);
  assert_int_equal(pa.sent_unacked, 1024);
  uint8_t log[32];
  uint64_t seq;
  assert_int_equal(cp_sync_peer_request(w.A.s, 0, log, &seq), 0);
  assert_memory_equal(log, k, 32);
  assert_int_equal(seq, 1024);
  assert_int_equal(cp_sync_peer_request(w.A.s, 1, log, &seq), CP_ENOTFOUND);
  /* B commits: the rest flows, both sides send DONE, both are complete. */
  w.B.no_commit = 0;
  assert_int_equal(cp_sync_entries_committed(w.B.s, (uint32_t)w.B.unc_e, (uint32_t)w.B.unc_b), 0);
  w.B.unc_e = w.B.unc_b = 0;
  run(&w.A, &w.B, 0, NULL);
  assert_true(ledgers_equal(&w.La, &w.Lb));
  assert_true(cp_sync_complete(w.A.s));
  assert_true(cp_sync_complete(w.B.s));
  cp_sync_get_progress(w.A.s, &pa);
  assert_int_equal(pa.sent_unacked, 0);
  assert_int_equal(pa.peer_requests, 0);
  world_free(&w);
}

/* D-5: each DIGEST carries its sender's clock; the receiver reports it once.
 * A side that never set its clock sends 0, and no event is raised. */
static void sync_digest_carries_clock(void **state) {
  (void)state;
  world w;
  world_init(&w);
  shared_logs(&w, 3);
  open_ab(&w, 0, 0);
  cp_sync_set_clock(w.A.s, 1767225600123ull);
  run(&w.A, &w.B, 0, NULL);
  assert_healthy(&w.A);
  assert_healthy(&w.B);
  assert_int_equal(w.B.clock_events, 1);
  assert_int_equal(w.B.peer_clock, 1767225600123ull);
  assert_int_equal(w.A.clock_events, 0);
  world_free(&w);
}

static const struct CMUnitTest tests[] = {
      cmocka_unit_test(sync_complete_waits_for_peer_commit),
      cmocka_unit_test(sync_digest_carries_clock),
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
      cmocka_unit_test(sync_fork_unequal_branches),
      cmocka_unit_test(sync_live_push_and_announce),
      cmocka_unit_test(sync_close_carries_reason),
      cmocka_unit_test(sync_keepalive_and_timeout),
    cmocka_unit_test(sync_idle_configured),
      cmocka_unit_test(sync_api_misuse),
};

CP_TEST_MAIN(tests)
