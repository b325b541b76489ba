/*
 * Sync engine on a hostile wire: strangers, wrong keys, tampered, replayed,
 * reordered, truncated and oversized handshakes and frames, garbage.
 * The handshake is also rebuilt here from docs/PROTOCOL.md with libsodium
 * alone, to forge a responder that signs with the wrong key.
 */
#include "cptest.h"
#include "sync_wire.h"

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
/* ---- a responder rebuilt from docs/PROTOCOL.md ----------------------- */


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
    cmocka_unit_test(wire_garbage),
};

int main(int argc, char **argv) {
  if (cp_crypto_init() != 0) return 1;
  if (setup(NULL) != 0) return 1;
  int rc = cpt_main(argc, argv, tests, sizeof tests / sizeof tests[0], __FILE__);
  (void)teardown(NULL);
  return rc;
}
