/*
 * Sync engine on a hostile wire, message by message: an initiator rebuilt
 * from docs/PROTOCOL.md sends any message, well-formed or not, and every
 * malformed one must end the session with its code and a reason naming it.
 */
#include "sync_wire.h"
#include "credport/revstatus.h"

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

/* REVSTAT (docs/PROTOCOL.md): log(32) u16 len statement, 1 <= len <=
 * CP_REVSTAT_MAX. Built here byte by byte from the table. */
static size_t revstat_msg(uint8_t *m, const uint8_t log[32], const char *t, size_t len) {
  m[0] = 0x33;
  memcpy(m + 1, log, 32);
  m[33] = (uint8_t)(len >> 8);
  m[34] = (uint8_t)len;
  memcpy(m + 35, t, len);
  return 35 + len;
}

/* A revocation statement crosses the wire whole, sent by one engine or
 * built from the documented layout; an empty, oversized, truncated or
 * padded one ends the session. The engine does not look inside. */
static void wire_revstat(void **state) {
  (void)state;
  static uint8_t m[64 + 2 * CP_REVSTAT_MAX];
  static char big[CP_REVSTAT_MAX + 1];
  uint8_t log[32];
  const char *st = "credport revocation status v1\norigin o\n";
  memset(log, 0x3d, sizeof log);
  memset(big, 'y', sizeof big);
  memset(&rsv, 0, sizeof rsv);

  side i, r;
  uint8_t allow[2][32];
  memcpy(allow[0], pka, 32);
  memcpy(allow[1], pkb, 32);
  open_side(&i, ka, CP_SYNC_INITIATOR, allow[0], 2);
  open_side(&r, kb, CP_SYNC_RESPONDER, allow[0], 2);
  assert_int_equal(cp_sync_send_revstat(i.s, log, st, strlen(st)), CP_EINVAL); /* before HS */
  pump(&i, &r, 0, -1);
  assert_true(i.hs_done && r.hs_done);
  assert_int_equal(cp_sync_send_revstat(i.s, log, st, strlen(st)), 0);
  assert_int_equal(cp_sync_send_revstat(i.s, log, st, 0), CP_EINVAL);
  assert_int_equal(cp_sync_send_revstat(i.s, log, big, CP_REVSTAT_MAX + 1), CP_ETOOBIG);
  assert_int_equal(cp_sync_send_revstat(i.s, log, big, CP_REVSTAT_MAX), 0);
  pump(&i, &r, 0, -1);
  assert_int_equal(cp_sync_status(r.s), 0);
  assert_int_equal(rsv.n, 2);
  assert_memory_equal(rsv.log, log, 32);
  assert_int_equal(rsv.count, 1);
  assert_int_equal(rsv.len, CP_REVSTAT_MAX);
  assert_int_equal(rsv.bytes, CP_REVSTAT_MAX);
  assert_memory_equal(rsv.text, big, CP_REVSTAT_MAX);
  close_side(&i);
  close_side(&r);

  /* From the table: the shortest and the largest are taken. */
  raw_i x;
  raw_open(&x);
  assert_int_equal(raw_send(&x, m, revstat_msg(m, log, "z", 1)), 0);
  assert_int_equal(rsv.n, 3);
  assert_true(rsv.len == 1 && rsv.text[0] == 'z');
  size_t n = revstat_msg(m, log, big, CP_REVSTAT_MAX);
  assert_int_equal(n, 35 + 1024);
  assert_int_equal(raw_send(&x, m, n), 0);
  assert_int_equal(rsv.n, 4);
  close_side(&x.r);

  expect_refused(m, revstat_msg(m, log, big, CP_REVSTAT_MAX + 1), CP_ETOOBIG,
                 "REVSTAT: statement of 1025 bytes");
  expect_refused(m, revstat_msg(m, log, big, 0), CP_ETOOBIG, "REVSTAT: statement of 0 bytes");
  n = revstat_msg(m, log, st, strlen(st));
  expect_refused(m, n + 1, CP_EPROTO, "REVSTAT: statement length"); /* a trailing byte */
  expect_refused(m, n - 1, CP_EPROTO, "REVSTAT: statement length"); /* a byte short */
  expect_refused(m, 34, CP_EPROTO, "REVSTAT: truncated header");
  assert_int_equal(rsv.n, 4);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(wire_bad_messages),
    cmocka_unit_test(wire_done_twice),
    cmocka_unit_test(wire_checkpoint_fork),
    cmocka_unit_test(wire_revstat),
};

int main(int argc, char **argv) {
  if (cp_crypto_init() != 0) return 1;
  if (setup(NULL) != 0) return 1;
  int rc = cpt_main(argc, argv, tests, sizeof tests / sizeof tests[0], __FILE__);
  (void)teardown(NULL);
  return rc;
}
