/*
 * Sync engine on a hostile wire: strangers, wrong keys, tampered, replayed,
 * reordered, truncated and oversized handshakes and frames, garbage.
 * The handshake is also rebuilt here from docs/PROTOCOL.md with libsodium
 * alone, to forge a responder that signs with the wrong key.
 */
#include "cptest.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "credport/sync.h"

typedef struct side {
  cp_sync *s;
  int hs_done, need_heads, peer_err, other_events;
  cp_sync_head none;
} side;

/* The last CHECKPOINT_FORK event any side took, copied. */
static struct {
  int n;
  uint8_t log[32];
  uint8_t *item[3];
  size_t len[3];
  uint32_t count, bytes;
} cpf;

static void cpf_take(const cp_sync_event *ev) {
  cpf.n++;
  memcpy(cpf.log, ev->log, 32);
  cpf.count = ev->count;
  cpf.bytes = ev->bytes;
  for (int i = 0; i < 3; i++) {
    free(cpf.item[i]);
    cpf.item[i] = malloc(ev->items[i].len + 1);
    assert_non_null(cpf.item[i]);
    memcpy(cpf.item[i], ev->items[i].p, ev->items[i].len);
    cpf.len[i] = ev->items[i].len;
  }
}

static void cpf_reset(void) {
  for (int i = 0; i < 3; i++) free(cpf.item[i]);
  memset(&cpf, 0, sizeof cpf);
}

static cp_key *ka, *kb, *kc;
static uint8_t pka[32], pkb[32], pkc[32];

static int setup(void **state) {
  (void)state;
  assert_int_equal(cp_key_generate(&ka), 0);
  assert_int_equal(cp_key_generate(&kb), 0);
  assert_int_equal(cp_key_generate(&kc), 0);
  cp_key_public(ka, pka);
  cp_key_public(kb, pkb);
  cp_key_public(kc, pkc);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cp_key_free(ka);
  cp_key_free(kb);
  cp_key_free(kc);
  return 0;
}

static void open_side(side *x, cp_key *k, cp_sync_role role, const uint8_t *allow, size_t n) {
  memset(x, 0, sizeof *x);
  cp_sync_config cfg = {role, k, allow, n, 0, 0, 0};
  assert_int_equal(cp_sync_create(&cfg, &x->s), 0);
}

static void drain(side *x) {
  cp_sync_event ev;
  while (cp_sync_next_event(x->s, &ev) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_HANDSHAKE_DONE: x->hs_done = 1; break;
    case CP_SYNC_EV_NEED_HEADS:
      x->need_heads = 1;
      assert_int_equal(cp_sync_provide_heads(x->s, &x->none, 0), 0);
      break;
    case CP_SYNC_EV_PEER_ERROR: x->peer_err = 1; break;
    case CP_SYNC_EV_CHECKPOINT_FORK: cpf_take(&ev); break;
    default: x->other_events++; break;
    }
  }
}

/* Feeds bytes, taking events whenever the engine asks for that. */
static int feed(side *x, const uint8_t *p, size_t n) {
  size_t off = 0;
  int rc = 0;
  while (off < n) {
    size_t used;
    rc = cp_sync_feed(x->s, p + off, n - off, &used);
    off += used;
    drain(x);
    if (rc != 0 && rc != CP_EAGAIN) break;
    rc = 0;
  }
  return rc;
}

/* Takes everything x has to send. */
static uint8_t *take(side *x, size_t *n) {
  const uint8_t *o = cp_sync_out(x->s, n);
  uint8_t *c = malloc(*n + 1);
  assert_non_null(c);
  memcpy(c, o, *n);
  cp_sync_out_ack(x->s, *n);
  return c;
}

/* Moves bytes both ways until quiet. If flip_at is given, the byte at that
 * offset of the dir stream (0: initiator to responder, 1: the other way) is
 * altered on the way. Returns 1 if the altered byte was handed to the
 * receiving session, 0 if that stream never reached the offset. */
static int pump(side *i, side *r, int dir, long flip_at) {
  size_t sent[2] = {0, 0};
  int delivered = 0;
  for (int round = 0; round < 50; round++) {
    size_t moved = 0;
    for (int d = 0; d < 2; d++) {
      side *from = d ? r : i, *to = d ? i : r;
      size_t n;
      uint8_t *b = take(from, &n);
      int flip = d == dir && flip_at >= 0 && (size_t)flip_at >= sent[d] &&
                 (size_t)flip_at < sent[d] + n;
      if (flip) b[flip_at - (long)sent[d]] ^= 0x20;
      sent[d] += n;
      moved += n;
      if (n > 0) (void)feed(to, b, n); /* its first cp_sync_feed is offered all n bytes */
      delivered |= flip;
      free(b);
    }
    drain(i);
    drain(r);
    if (moved == 0) break;
  }
  return delivered;
}

static void close_side(side *x) { cp_sync_free(x->s); }

static void wire_handshake_ok(void **state) {
  (void)state;
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  side i, r;
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 2);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
  pump(&i, &r, 0, -1);
  assert_true(i.hs_done && r.hs_done);
  assert_int_equal(cp_sync_status(i.s), 0);
  assert_int_equal(cp_sync_status(r.s), 0);
  assert_string_equal(cp_sync_error(i.s), "");
  close_side(&i);
  close_side(&r);
}

static void wire_stranger_refused(void **state) {
  (void)state;
  /* The responder knows only C; A dials it. */
  side i, r;
  uint8_t allow_i[1][32], allow_r[1][32];
  memcpy(allow_i[0], pkb, 32);
  memcpy(allow_r[0], pkc, 32);
  open_side(&i, ka, CP_SYNC_INITIATOR, allow_i[0], 1);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow_r[0], 1);
  size_t n;
  uint8_t *hs1 = take(&i, &n);
  assert_int_equal(feed(&r, hs1, n), 0);
  free(hs1);
  uint8_t *hs2 = take(&r, &n);
  assert_int_equal(feed(&i, hs2, n), 0);
  free(hs2);
  /* The initiator is done on its side and sends HS3 and its first ledger
   * messages in one flight; the responder stops at HS3. */
  assert_true(i.hs_done);
  uint8_t *flight = take(&i, &n);
  assert_true(n > 117);
  assert_int_equal(feed(&r, flight, n), CP_EDENIED);
  free(flight);
  assert_non_null(strstr(cp_sync_error(r.s), "HS3"));
  assert_non_null(strstr(cp_sync_error(r.s), "not on the allowlist"));
  assert_false(r.hs_done);
  assert_false(r.need_heads);
  assert_int_equal(r.other_events, 0);
  cp_sync_stats st;
  cp_sync_get_stats(r.s, &st);
  assert_int_equal(st.frames_in, 2); /* HS1 and HS3; no ledger frame parsed */
  /* Every later call reports the same error. */
  size_t used;
  assert_int_equal(cp_sync_feed(r.s, (const uint8_t *)"x", 1, &used), CP_EDENIED);
  assert_int_equal(used, 0);
  /* The stranger is told why. */
  uint8_t *why = take(&r, &n);
  assert_int_equal(feed(&i, why, n), CP_EPROTO);
  free(why);
  assert_true(i.peer_err);
  assert_non_null(strstr(cp_sync_error(i.s), "not on the allowlist"));
  close_side(&i);
  close_side(&r);

  /* And the other way: the initiator does not know the responder. */
  memcpy(allow_i[0], pkc, 32);
  memcpy(allow_r[0], pka, 32);
  open_side(&i, ka, CP_SYNC_INITIATOR, allow_i[0], 1);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow_r[0], 1);
  pump(&i, &r, 0, -1);
  assert_int_equal(cp_sync_status(i.s), CP_EDENIED);
  assert_non_null(strstr(cp_sync_error(i.s), "HS2: responder key"));
  assert_false(i.hs_done);
  assert_false(r.hs_done);
  assert_true(r.peer_err); /* told why, in a cleartext CLOSE */
  close_side(&i);
  close_side(&r);
}

static void wire_tampered_handshake_every_byte(void **state) {
  (void)state;
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  /* Stream lengths: initiator HS1 (38) + HS3 (117); responder HS2 (149). */
  const long len[2] = {38 + 117, 149};
  int refused = 0;
  for (int dir = 0; dir < 2; dir++) {
    for (long at = 0; at < len[dir]; at++) {
      side i, r;
      open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 2);
      open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
      assert_int_equal(cp_sync_tick(i.s, 0), 0);
      assert_int_equal(cp_sync_tick(r.s, 0), 0);
      int delivered = pump(&i, &r, dir, at);
      /* A length made larger leaves a side waiting: the clock ends it. */
      (void)cp_sync_tick(i.s, CP_SYNC_HANDSHAKE_MS + 1);
      (void)cp_sync_tick(r.s, CP_SYNC_HANDSHAKE_MS + 1);
      if (r.hs_done) fail_msg("dir %d byte %ld: responder accepted a tampered handshake", dir, at);
      if (dir == 1 && i.hs_done)
        fail_msg("dir %d byte %ld: initiator accepted a tampered HS2", dir, at);
      assert_int_not_equal(cp_sync_status(r.s), 0);
      assert_int_not_equal(cp_sync_status(i.s), 0);
      assert_int_equal(r.other_events, 0);
      /* Counted only when the altered byte reached the receiving side and
       * that side ended the session, without completing the handshake. */
      const side *to = dir ? &i : &r;
      if (delivered && !to->hs_done && cp_sync_status(to->s) != 0) refused++;
      close_side(&i);
      close_side(&r);
    }
  }
  assert_int_equal(refused, 38 + 117 + 149);
}

static void wire_replayed_handshake(void **state) {
  (void)state;
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  side i, r;
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 2);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
  size_t n1, n2, n3;
  uint8_t *hs1 = take(&i, &n1);
  assert_int_equal(feed(&r, hs1, n1), 0);
  uint8_t *hs2 = take(&r, &n2);
  assert_int_equal(feed(&i, hs2, n2), 0);
  uint8_t *hs3 = take(&i, &n3);
  assert_int_equal(feed(&r, hs3, n3), 0);
  assert_true(i.hs_done && r.hs_done);
  close_side(&i);
  close_side(&r);

  /* The initiator's recorded flights, replayed to a new responder. */
  side r2;
  open_side(&r2, kb, CP_SYNC_RESPONDER, allow[0], 2);
  assert_int_equal(feed(&r2, hs1, n1), 0);
  size_t n;
  free(take(&r2, &n));
  assert_int_equal(feed(&r2, hs3, n3), CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(r2.s), "HS3: authentication failed"));
  assert_false(r2.hs_done);
  close_side(&r2);

  /* The responder's recorded HS2, replayed to a new initiator. */
  side i2;
  open_side(&i2, ka, CP_SYNC_INITIATOR, allow[0], 2);
  free(take(&i2, &n));
  assert_int_equal(feed(&i2, hs2, n2), CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(i2.s), "HS2"));
  assert_false(i2.hs_done);
  close_side(&i2);

  /* HS1 twice to one responder. */
  side r3;
  open_side(&r3, kb, CP_SYNC_RESPONDER, allow[0], 2);
  assert_int_equal(feed(&r3, hs1, n1), 0);
  assert_int_equal(feed(&r3, hs1, n1), CP_EPROTO);
  close_side(&r3);
  free(hs1);
  free(hs2);
  free(hs3);
}

/* ---- a responder rebuilt from docs/PROTOCOL.md ----------------------- */

static void h_mix(uint8_t h[32], const uint8_t *p, size_t n) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_update(&st, p, n);
  crypto_generichash_final(&st, h, 32);
}

static void h_kdf(const uint8_t ck[32], const char *label, const uint8_t h[32], uint8_t out[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, ck, 32, 32);
  crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_final(&st, out, 32);
}

/* Builds HS2 (with its frame header) answering hs1, claiming claimed_pk and
 * signing with signer. */
static void forge_hs2(const uint8_t *hs1, const uint8_t claimed_pk[32], const cp_key *signer,
                      uint8_t out[4 + 145]) {
  uint8_t h[32], e_pk[32], e_sk[32], dh[32], ck[32], k2[32], msg[65];
  static const uint8_t zero[12];
  const char *name = "credport/v1/sync";
  crypto_generichash(h, 32, (const uint8_t *)name, strlen(name), NULL, 0);
  h_mix(h, hs1 + 4, 34);
  crypto_box_keypair(e_pk, e_sk);
  uint8_t *m = out + 4;
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = 145;
  m[0] = 0x02;
  memcpy(m + 1, e_pk, 32);
  h_mix(h, m, 33);
  assert_int_equal(crypto_scalarmult(dh, e_sk, hs1 + 4 + 2), 0);
  crypto_generichash(ck, 32, h, 32, dh, 32);
  h_kdf(ck, "hs2", h, k2);
  memcpy(msg, h, 32);
  msg[32] = 'R';
  memcpy(msg + 33, claimed_pk, 32);
  memcpy(m + 33, claimed_pk, 32);
  cp_sig_sign(signer, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, m + 65);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(m + 33, m + 129, NULL, m + 33, 96, h, 32,
                                                      NULL, zero, k2);
}

static void wire_wrong_key(void **state) {
  (void)state;
  uint8_t allow[1][32];
  memcpy(allow[0], pkb, 32);
  size_t n;
  uint8_t hs2[149];
  /* Control: the rebuilt responder, signing with B's key, is accepted. */
  side i;
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 1);
  uint8_t *hs1 = take(&i, &n);
  assert_int_equal(n, 38);
  forge_hs2(hs1, pkb, kb, hs2);
  assert_int_equal(feed(&i, hs2, sizeof hs2), 0);
  assert_true(i.hs_done);
  free(hs1);
  close_side(&i);
  /* Claims B's key, signs with C's: refused, the signature named. */
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 1);
  hs1 = take(&i, &n);
  forge_hs2(hs1, pkb, kc, hs2);
  assert_int_equal(feed(&i, hs2, sizeof hs2), CP_EBADSIG);
  assert_non_null(strstr(cp_sync_error(i.s), "HS2: transcript signature"));
  assert_false(i.hs_done);
  free(hs1);
  close_side(&i);
  /* C's key honestly: not on the allowlist. */
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 1);
  hs1 = take(&i, &n);
  forge_hs2(hs1, pkc, kc, hs2);
  assert_int_equal(feed(&i, hs2, sizeof hs2), CP_EDENIED);
  free(hs1);
  close_side(&i);
}

/* ---- transport frames ------------------------------------------------ */

/* An established pair, and three HAVE frames from i to r in *frames with
 * their offsets. */
static void established(side *i, side *r, uint8_t **frames, size_t off[4]) {
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  open_side(i, ka, CP_SYNC_INITIATOR, allow[0], 2);
  open_side(r, kb, CP_SYNC_RESPONDER, allow[0], 2);
  pump(i, r, 0, -1);
  assert_true(i->hs_done && r->hs_done);
  i->other_events = r->other_events = 0; /* SYNCED */
  off[0] = 0;
  for (int k = 0; k < 3; k++) {
    cp_sync_head h;
    memset(&h, 0, sizeof h);
    h.log[0] = (uint8_t)(k + 1);
    h.size = (uint64_t)k + 1;
    assert_int_equal(cp_sync_announce(i->s, &h), 0);
    size_t n;
    (void)cp_sync_out(i->s, &n);
    off[k + 1] = n;
  }
  size_t n;
  *frames = take(i, &n);
  assert_int_equal(n, off[3]);
}

static void wire_frames_tampered_replayed_reordered(void **state) {
  (void)state;
  side i, r;
  uint8_t *f;
  size_t off[4];

  /* Intact: three HAVE events. */
  established(&i, &r, &f, off);
  assert_int_equal(feed(&r, f, off[3]), 0);
  assert_int_equal(r.other_events, 3);
  free(f);
  close_side(&i);
  close_side(&r);

  /* Every byte of the second frame, altered. */
  for (size_t at = off[1]; at < off[2]; at++) {
    established(&i, &r, &f, off);
    f[at] ^= 0x01;
    assert_int_equal(cp_sync_tick(r.s, 1), 0);
    int rc = feed(&r, f, off[3]);
    /* A length made larger leaves the frame incomplete: the clock ends it. */
    if (rc == 0) rc = cp_sync_tick(r.s, 2 + CP_SYNC_IDLE_MS);
    if (rc == 0) fail_msg("byte %zu of frame 2 altered and accepted", at);
    assert_true(r.other_events <= 1);
    free(f);
    close_side(&i);
    close_side(&r);
  }

  /* Replayed: frame 1 twice. */
  established(&i, &r, &f, off);
  assert_int_equal(feed(&r, f, off[1]), 0);
  assert_int_equal(feed(&r, f, off[1]), CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(r.s), "authentication failed"));
  free(f);
  close_side(&i);
  close_side(&r);

  /* Reordered: frame 2 before frame 1. */
  established(&i, &r, &f, off);
  assert_int_equal(feed(&r, f + off[1], off[2] - off[1]), CP_EPROTO);
  assert_int_equal(r.other_events, 0);
  free(f);
  close_side(&i);
  close_side(&r);

  /* Dropped: frame 1 missing. */
  established(&i, &r, &f, off);
  assert_int_equal(feed(&r, f + off[1], off[3] - off[1]), CP_EPROTO);
  free(f);
  close_side(&i);
  close_side(&r);

  /* Truncated: frame 1 cut short, then frame 2 runs into it. */
  established(&i, &r, &f, off);
  uint8_t *cut = malloc(off[3]);
  memcpy(cut, f, off[1] - 3);
  memcpy(cut + off[1] - 3, f + off[1], off[2] - off[1]);
  assert_int_equal(feed(&r, cut, off[1] - 3 + off[2] - off[1]), CP_EPROTO);
  assert_int_equal(r.other_events, 0);
  free(cut);
  free(f);
  close_side(&i);
  close_side(&r);

  /* Truncated at the end of the stream: nothing delivered, and the clock
   * ends the wait. */
  established(&i, &r, &f, off);
  assert_int_equal(cp_sync_tick(r.s, 1), 0);
  assert_int_equal(feed(&r, f, off[1] - 1), 0);
  assert_int_equal(r.other_events, 0);
  assert_int_equal(cp_sync_tick(r.s, 2 + CP_SYNC_IDLE_MS), -ETIMEDOUT);
  free(f);
  close_side(&i);
  close_side(&r);
}

static void wire_oversized_frames(void **state) {
  (void)state;
  side i, r;
  uint8_t *f;
  size_t off[4], used;
  /* After the handshake: one byte over CP_FRAME_MAX, refused from the
   * header alone. */
  established(&i, &r, &f, off);
  uint8_t hdr[8] = {0, 0, 0, 0, 1, 2, 3, 4};
  uint32_t big = CP_FRAME_MAX + 1;
  hdr[0] = (uint8_t)(big >> 24);
  hdr[1] = (uint8_t)(big >> 16);
  hdr[2] = (uint8_t)(big >> 8);
  hdr[3] = (uint8_t)big;
  assert_int_equal(cp_sync_feed(r.s, hdr, sizeof hdr, &used), CP_ETOOBIG);
  assert_int_equal(used, 4);
  assert_non_null(strstr(cp_sync_error(r.s), "exceeds"));
  free(f);
  close_side(&i);
  close_side(&r);
  /* Before it: the stricter limit. */
  uint8_t allow[1][32];
  memcpy(allow[0], pka, 32);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 1);
  big = CP_FRAME_MAX_PREAUTH + 1;
  hdr[0] = (uint8_t)(big >> 24);
  hdr[1] = (uint8_t)(big >> 16);
  hdr[2] = (uint8_t)(big >> 8);
  hdr[3] = (uint8_t)big;
  assert_int_equal(cp_sync_feed(r.s, hdr, sizeof hdr, &used), CP_ETOOBIG);
  assert_int_equal(used, 4);
  assert_non_null(strstr(cp_sync_error(r.s), "pre-handshake"));
  close_side(&r);
  /* A zero-length frame. */
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 1);
  memset(hdr, 0, sizeof hdr);
  assert_int_equal(cp_sync_feed(r.s, hdr, sizeof hdr, &used), CP_EPROTO);
  close_side(&r);
}

/* ---- an initiator rebuilt from docs/PROTOCOL.md, to send any message -- */

typedef struct raw_i {
  side r;
  uint8_t k_tx[32];
  uint64_t ctr;
} raw_i;

/* Completes a handshake with a fresh responder (which knows A) as A. */
static void raw_open(raw_i *x) {
  static const uint8_t zero[12];
  uint8_t h[32], e_pk[32], e_sk[32], dh[32], ck[32], k3[32], msg[65];
  uint8_t f1[4 + 34] = {0, 0, 0, 34, 0x01, CP_SYNC_VERSION};
  uint8_t f3[4 + 113] = {0, 0, 0, 113, 0x03};
  const char *name = "credport/v1/sync";
  memset(x, 0, sizeof *x);
  open_side(&x->r, kb, CP_SYNC_RESPONDER, pka, 1);
  crypto_generichash(h, 32, (const uint8_t *)name, strlen(name), NULL, 0);
  crypto_box_keypair(e_pk, e_sk);
  memcpy(f1 + 6, e_pk, 32);
  h_mix(h, f1 + 4, 34);
  assert_int_equal(feed(&x->r, f1, sizeof f1), 0);
  size_t n;
  uint8_t *o = take(&x->r, &n);
  assert_int_equal(n, 149);
  h_mix(h, o + 4, 33);
  assert_int_equal(crypto_scalarmult(dh, e_sk, o + 5), 0);
  crypto_generichash(ck, 32, h, 32, dh, 32);
  h_mix(h, o + 37, 112);
  free(o);
  h_kdf(ck, "hs3", h, k3);
  memcpy(msg, h, 32);
  msg[32] = 'I';
  memcpy(msg + 33, pka, 32);
  memcpy(f3 + 5, pka, 32);
  cp_sig_sign(ka, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, f3 + 37);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(f3 + 5, f3 + 101, NULL, f3 + 5, 96, h, 32,
                                                      NULL, zero, k3);
  h_mix(h, f3 + 5, 112);
  assert_int_equal(feed(&x->r, f3, sizeof f3), 0);
  assert_true(x->r.hs_done);
  h_kdf(ck, "i2r", h, x->k_tx);
  free(take(&x->r, &n)); /* its CREDIT and DIGEST */
  x->r.other_events = 0;
}

/* Seals msg into the next frame and feeds it to the responder. */
static int raw_send(raw_i *x, const uint8_t *msg, size_t n) {
  uint8_t *f = malloc(4 + n + 16);
  uint8_t nonce[12] = {0};
  assert_non_null(f);
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(x->ctr >> (56 - 8 * i));
  x->ctr++;
  size_t L = n + 16;
  f[0] = (uint8_t)(L >> 24);
  f[1] = (uint8_t)(L >> 16);
  f[2] = (uint8_t)(L >> 8);
  f[3] = (uint8_t)L;
  memcpy(f + 4, msg, n);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(f + 4, f + 4 + n, NULL, f + 4, n, f, 4,
                                                      NULL, nonce, x->k_tx);
  int rc = feed(&x->r, f, 4 + L);
  free(f);
  return rc;
}

static void be64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static void be32(uint8_t *p, uint32_t v) {
  for (int i = 3; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* One message that must end the session with err and a reason naming it. */
static void expect_refused(const uint8_t *msg, size_t n, int err, const char *reason) {
  raw_i x;
  raw_open(&x);
  int rc = raw_send(&x, msg, n);
  if (rc != err || strstr(cp_sync_error(x.r.s), reason) == NULL)
    fail_msg("message 0x%02x: got %d \"%s\", want %d \"%s\"", msg[0], rc,
             cp_sync_error(x.r.s), err, reason);
  assert_int_equal(x.r.other_events, 0);
  /* The refusal goes back to the peer as a CLOSE. */
  size_t out;
  (void)cp_sync_out(x.r.s, &out);
  assert_true(out > 0);
  close_side(&x.r);
}

/* D-4: DONE is sent once; a second one ends the session. */
static void wire_done_twice(void **state) {
  (void)state;
  raw_i x;
  uint8_t digest[49] = {0x10}, done[1] = {0x12};
  raw_open(&x);
  assert_int_equal(raw_send(&x, digest, sizeof digest), 0);
  assert_int_equal(raw_send(&x, done, 1), 0);
  assert_int_equal(raw_send(&x, done, 1), CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(x.r.s), "DONE: sent twice"));
  close_side(&x.r);
}

static void wire_bad_messages(void **state) {
  (void)state;
  static uint8_t m[4 + 1 + 64 + CP_NOTE_MAX + 4096];
  memset(m, 0, sizeof m);
  m[0] = 0x55;
  expect_refused(m, 1, CP_EPROTO, "unknown type 0x55");
  m[0] = 0x01;
  expect_refused(m, 35, CP_EPROTO, "HS1: handshake message after the handshake");
  m[0] = 0x10;
  expect_refused(m, 40, CP_EPROTO, "DIGEST: length");
  expect_refused(m, 41, CP_EPROTO, "DIGEST: length is not 49 bytes"); /* without its clock */
  m[0] = 0x12;
  expect_refused(m, 1, CP_EPROTO, "DONE: before DIGEST");
  expect_refused(m, 2, CP_EPROTO, "DONE: carries 1 extra");
  m[0] = 0x11;
  expect_refused(m, 5, CP_EPROTO, "RECON: not this side's turn");
  m[0] = 0x20;
  expect_refused(m, 42, CP_EPROTO, "REQ: length");
  m[0] = 0x22;
  expect_refused(m, 8, CP_EPROTO, "CREDIT: length");
  m[0] = 0x40;
  expect_refused(m, 1, CP_EPROTO, "PING: length is not 9 bytes"); /* without its clock */
  expect_refused(m, 10, CP_EPROTO, "PING: length is not 9 bytes");
  /* ENTRIES that no request asked for, and beyond credit. */
  uint8_t e[1 + 32 + 1 + 8 + 2 + 4 + 60];
  memset(e, 0, sizeof e);
  e[0] = 0x21;
  e[1] = 7;
  e[43] = 1; /* n = 1 */
  be32(e + 44, 60);
  e[48 + 2] = 7; /* the entry's log key */
  expect_refused(e, sizeof e, CP_EPROTO, "no request is open");
  e[33] = 0x02; /* LIVE: no request needed */
  e[48 + 2 + 32 + 7] = 5; /* seq 5, but first_seq says 0 */
  expect_refused(e, sizeof e, CP_EPROTO, "is not seq 0");
  e[33] = 0x03;
  expect_refused(e, sizeof e, CP_EPROTO, "bad flags");
  e[33] = 0x02;
  e[48 + 2 + 32 + 7] = 0;
  be32(e + 44, 30);
  expect_refused(e, sizeof e, CP_ETOOBIG, "entry 0 of 30 bytes");
  /* A checkpoint over CP_NOTE_MAX. */
  m[0] = 0x30;
  be32(m + 33, CP_NOTE_MAX + 1);
  expect_refused(m, 37 + CP_NOTE_MAX + 1, CP_ETOOBIG, "CHECKPOINT: note of");
  /* A fork proof of two identical entries. */
  uint8_t f[1 + 4 + 50 + 4 + 50];
  memset(f, 0, sizeof f);
  f[0] = 0x31;
  be32(f + 1, 50);
  be32(f + 55, 50);
  expect_refused(f, sizeof f, CP_EPROTO, "FORK: the two entries are identical");
  /* More than CP_SYNC_WINDOW open requests. */
  raw_i x;
  raw_open(&x);
  uint8_t req[41] = {0x20};
  int rc = 0;
  for (unsigned i = 0; i <= CP_SYNC_WINDOW && rc == 0; i++) {
    be64(req + 33, i);
    rc = raw_send(&x, req, sizeof req);
  }
  assert_int_equal(rc, CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(x.r.s), "REQ: more than 32 requests open"));
  close_side(&x.r);
  /* ENTRIES beyond the credit granted. */
  raw_open(&x);
  static uint8_t big[1 + 32 + 1 + 8 + 2 + 2000 * 64];
  memset(big, 0, sizeof big);
  big[0] = 0x21;
  big[33] = 0x02;
  unsigned n = 255;
  big[42] = (uint8_t)(n >> 8);
  big[43] = (uint8_t)n;
  size_t off = 44;
  for (unsigned i = 0; i < n; i++) {
    be32(big + off, 60);
    be64(big + off + 4 + 34, i);
    off += 64;
  }
  /* The responder granted 1024 entries by default: four batches of 255
   * fit, the fifth does not. */
  rc = 0;
  for (int k = 0; k < 5 && rc == 0; k++) {
    be64(big + 34, (uint64_t)k * n);
    size_t o2 = 44;
    for (unsigned i = 0; i < n; i++, o2 += 64) be64(big + o2 + 4 + 34, (uint64_t)k * n + i);
    rc = raw_send(&x, big, off); /* never committed */
  }
  assert_int_equal(rc, CP_EPROTO);
  assert_non_null(strstr(cp_sync_error(x.r.s), "exceed the granted credit"));
  close_side(&x.r);
  /* A CLOSE from the peer: reported, and the session ends. */
  raw_open(&x);
  uint8_t cl[1 + 4 + 2 + 5] = {0x7f, 0xff, 0xff, 0xb1, 0xe0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
  assert_int_equal(raw_send(&x, cl, sizeof cl), CP_EPROTO);
  assert_true(x.r.peer_err);
  assert_non_null(strstr(cp_sync_error(x.r.s), "hello"));
  close_side(&x.r);
}

/* CPFORK (docs/PROTOCOL.md): log(32) u32 len_a note_a u32 len_b note_b
 * u8 k old_root(32) then k hashes. Built here byte by byte from the table. */
static size_t cpfork_msg(uint8_t *m, const uint8_t log[32], const char *a, size_t al,
                         const char *b, size_t bl, const uint8_t *hashes, unsigned k) {
  size_t o = 0;
  m[o++] = 0x32;
  memcpy(m + o, log, 32);
  o += 32;
  be32(m + o, (uint32_t)al);
  memcpy(m + o + 4, a, al);
  o += 4 + al;
  be32(m + o, (uint32_t)bl);
  memcpy(m + o + 4, b, bl);
  o += 4 + bl;
  m[o++] = (uint8_t)k;
  memcpy(m + o, hashes, 32);
  o += 32;
  memcpy(m + o, hashes + 32, (size_t)k * 32);
  return o + (size_t)k * 32;
}

/* A checkpoint fork proof crosses the wire whole: sent by one engine and
 * taken by the other, and built from the documented layout; a malformed
 * or oversized one ends the session. */
static void wire_checkpoint_fork(void **state) {
  (void)state;
  static uint8_t m[2 * CP_NOTE_MAX + 4096];
  uint8_t log[32], hashes[66][32]; /* the old root and up to 65 path hashes */
  const char *na = "origin\n3\nroot-a\n\n\u2014 sig a\n", *nb = "origin\n5\nroot-b\n\n\u2014 sig b\n";
  memset(log, 0x5c, sizeof log);
  for (int i = 0; i < 66; i++) memset(hashes[i], i + 1, 32);
  cpf_reset();

  /* Engine to engine. */
  side i, r;
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 2);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
  pump(&i, &r, 0, -1);
  assert_true(i.hs_done && r.hs_done);
  assert_int_equal(cp_sync_send_checkpoint_fork(i.s, log, na, strlen(na), nb, strlen(nb),
                                                hashes[0], (const uint8_t(*)[32])hashes[1], 3),
                   0);
  assert_int_equal(cp_sync_send_checkpoint_fork(i.s, log, na, CP_NOTE_MAX + 1, nb, strlen(nb),
                                                hashes[0], (const uint8_t(*)[32])hashes[1], 3),
                   CP_ETOOBIG);
  assert_int_equal(cp_sync_send_checkpoint_fork(i.s, log, na, strlen(na), nb, strlen(nb),
                                                hashes[0], (const uint8_t(*)[32])hashes[1], 65),
                   CP_ETOOBIG);
  assert_int_equal(cp_sync_send_checkpoint_fork(i.s, log, na, 0, nb, strlen(nb), hashes[0],
                                                (const uint8_t(*)[32])hashes[1], 3),
                   CP_EINVAL);
  pump(&i, &r, 0, -1);
  assert_int_equal(cp_sync_status(r.s), 0);
  assert_int_equal(cpf.n, 1);
  assert_memory_equal(cpf.log, log, 32);
  assert_int_equal(cpf.count, 3);
  assert_true(cpf.len[0] == strlen(na) && memcmp(cpf.item[0], na, cpf.len[0]) == 0);
  assert_true(cpf.len[1] == strlen(nb) && memcmp(cpf.item[1], nb, cpf.len[1]) == 0);
  assert_int_equal(cpf.len[2], 4 * 32);
  assert_memory_equal(cpf.item[2], hashes, 4 * 32);
  assert_int_equal(cpf.bytes, strlen(na) + strlen(nb) + 4 * 32);
  close_side(&i);
  close_side(&r);

  /* From the table: the largest proof (two notes of CP_NOTE_MAX, 64
   * hashes) is taken. */
  static char big[CP_NOTE_MAX];
  memset(big, 'x', sizeof big);
  raw_i x;
  raw_open(&x);
  size_t n = cpfork_msg(m, log, big, CP_NOTE_MAX, big, CP_NOTE_MAX, hashes[0], 64);
  assert_int_equal(n, 2122 + 32 * 1024);
  assert_int_equal(raw_send(&x, m, n), 0);
  assert_int_equal(cpf.n, 2);
  assert_int_equal(cpf.len[0], CP_NOTE_MAX);
  assert_int_equal(cpf.len[2], 65 * 32);
  assert_memory_equal(cpf.item[2], hashes, 65 * 32);
  close_side(&x.r);

  n = cpfork_msg(m, log, na, strlen(na), nb, strlen(nb), hashes[0], 65);
  expect_refused(m, n, CP_EPROTO, "CPFORK: malformed");
  n = cpfork_msg(m, log, big, CP_NOTE_MAX, big, CP_NOTE_MAX, hashes[0], 2);
  be32(m + 33, CP_NOTE_MAX + 1); /* note a over the limit */
  expect_refused(m, n, CP_EPROTO, "CPFORK: malformed");
  n = cpfork_msg(m, log, na, 0, nb, strlen(nb), hashes[0], 2);
  expect_refused(m, n, CP_EPROTO, "CPFORK: malformed");
  n = cpfork_msg(m, log, na, strlen(na), nb, strlen(nb), hashes[0], 2);
  expect_refused(m, n + 1, CP_EPROTO, "CPFORK: malformed"); /* a trailing byte */
  expect_refused(m, n - 1, CP_EPROTO, "CPFORK: malformed"); /* a byte short */
  assert_int_equal(cpf.n, 2);
  cpf_reset();
}

static uint64_t rs = 0x243f6a8885a308d3ull;
static uint64_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}

static void wire_garbage(void **state) {
  (void)state;
  uint8_t buf[4096];
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  for (int k = 0; k < 200; k++) {
    size_t n = 1 + (size_t)(rnd() % sizeof buf);
    for (size_t j = 0; j < n; j++) buf[j] = (uint8_t)rnd();
    if (k % 2) buf[0] = buf[1] = 0; /* small lengths reach the parsers */
    side r;
    open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
    (void)feed(&r, buf, n);
    assert_false(r.hs_done);
    assert_int_equal(r.other_events, 0);
    close_side(&r);
    /* Garbage after a good handshake never reaches the ledger. */
    side i, r2;
    uint8_t *f;
    size_t off[4];
    established(&i, &r2, &f, off);
    assert_int_equal(cp_sync_tick(r2.s, 1), 0);
    (void)feed(&r2, buf, n);
    assert_int_equal(r2.other_events, 0);
    /* Refused at once, or left waiting for the rest of a frame. */
    (void)cp_sync_tick(r2.s, 2 + CP_SYNC_IDLE_MS);
    assert_int_not_equal(cp_sync_status(r2.s), 0);
    free(f);
    close_side(&i);
    close_side(&r2);
  }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(wire_handshake_ok),
    cmocka_unit_test(wire_stranger_refused),
    cmocka_unit_test(wire_tampered_handshake_every_byte),
    cmocka_unit_test(wire_replayed_handshake),
    cmocka_unit_test(wire_wrong_key),
    cmocka_unit_test(wire_frames_tampered_replayed_reordered),
    cmocka_unit_test(wire_oversized_frames),
    cmocka_unit_test(wire_bad_messages),
    cmocka_unit_test(wire_done_twice),
    cmocka_unit_test(wire_checkpoint_fork),
    cmocka_unit_test(wire_garbage),
};

int main(int argc, char **argv) {
  if (cp_crypto_init() != 0) return 1;
  if (setup(NULL) != 0) return 1;
  int rc = cpt_main(argc, argv, tests, sizeof tests / sizeof tests[0], __FILE__);
  (void)teardown(NULL);
  return rc;
}
