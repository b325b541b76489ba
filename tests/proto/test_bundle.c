/*
 * Wallets and bundles (proto/bundle.c, bundle_present.c, bundle_armor.c):
 * round trips byte for byte, presenting subsets, the strict decoder's
 * refusals (truncation, trailing bytes, counts that lie, oversize input,
 * order and duplicates), every bit flip of a bundle refused by the decoder
 * or its signature, and the armour through email-style mangling.
 */
#include "cptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_fixture.h"

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint8_t *wallet_bytes(bfx *f, size_t *len) {
  uint8_t *w = NULL;
  cp_diag d = {{0}};
  assert_int_equal(bfx_build(f), CP_OK);
  int rc = cp_bundle_encode(&f->wallet, NULL, &w, len, &d);
  if (rc != CP_OK) fail_msg("encode: %s", d.msg);
  return w;
}

static uint8_t *bundle_bytes(bfx *f, const uint8_t (*ids)[32], size_t n, size_t *len) {
  size_t wlen;
  uint8_t *w = wallet_bytes(f, &wlen), *out = NULL;
  cp_bundle wb;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_decode(w, wlen, &wb, &d), CP_OK);
  int rc = cp_bundle_present(&wb, ids, n, f->edu, "nonce-123", 9, "Private School", 14, &out, len,
                             &d);
  if (rc != CP_OK) fail_msg("present: %s", d.msg);
  cp_bundle_free(&wb);
  free(w);
  return out;
}

/* Re-encodes a decoded view and expects the same bytes. */
static void reencode_same(const cp_bundle *b, const cp_key *k) {
  uint8_t *again = NULL;
  size_t len = 0;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_encode(b, k, &again, &len, &d), CP_OK);
  assert_int_equal(len, b->len);
  assert_memory_equal(again, b->bytes, len);
  free(again);
}

static void check_roots(const cp_bundle *b) {
  for (size_t i = 0; i < b->nlogs; i++) {
    uint8_t root[32];
    assert_int_equal(cp_bundle_log_root(b, i, root), CP_OK);
    assert_memory_equal(root, b->logs[i].cp.root, 32);
  }
}

static void wallet_round_trip(void **state) {
  (void)state;
  bfx f;
  size_t len;
  uint8_t *w = wallet_bytes(&f, &len);
  cp_bundle b;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_decode(w, len, &b, &d), CP_OK);
  assert_int_equal(b.kind, CP_BUNDLE_KIND_WALLET);
  assert_memory_equal(b.educator, f.edu_pk, 32);
  assert_int_equal(b.nlogs, 2);
  assert_int_equal(b.nentries, 8);
  check_roots(&b);
  size_t i;
  assert_int_equal(cp_bundle_find(&b, f.a.id[5], &i), CP_OK);
  assert_int_equal(b.entries[i].status, CP_AWARD_REVOKED);
  assert_int_equal(b.entries[i].seq, 5);
  assert_memory_equal(b.logs[b.entries[i].log].key, f.a.pk, 32);
  assert_int_equal(cp_bundle_find(&b, f.a.id[4], &i), CP_OK);
  cp_absence_proof p;
  cp_revstat st;
  assert_int_equal(cp_bundle_absence(&b, i, &p, &d), CP_OK);
  const cp_bundle_log *la = &b.logs[b.entries[i].log];
  assert_int_equal(cp_revstat_parse(la->statement, la->statement_len, &st, &d), CP_OK);
  assert_int_equal(cp_rev_verify_absent(f.a.id[4], st.count, st.rev_root, &p), CP_OK);
  assert_int_equal(cp_bundle_find(&b, f.a.id[6], &i), CP_ENOTFOUND);
  reencode_same(&b, NULL);
  cp_bundle_free(&b);
  free(w);
  bfx_free(&f);
}

static void present_all(void **state) {
  (void)state;
  bfx f;
  size_t len, i;
  uint8_t *out = bundle_bytes(&f, NULL, 0, &len);
  cp_bundle b;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_decode(out, len, &b, &d), CP_OK);
  assert_int_equal(b.kind, CP_BUNDLE_KIND_BUNDLE);
  assert_int_equal(b.challenge_len, 9);
  assert_memory_equal(b.challenge, "nonce-123", 9);
  assert_memory_equal(b.audience, "Private School", 14);
  /* A: genesis, two definitions, awards 3 and 4; B: genesis, endorsement. */
  assert_int_equal(b.nlogs, 2);
  assert_int_equal(b.nentries, 7);
  assert_int_equal(cp_bundle_find(&b, f.a.id[5], &i), CP_ENOTFOUND);
  assert_int_equal(cp_bundle_find(&b, f.b.id[1], &i), CP_OK);
  check_roots(&b);
  assert_int_equal(cp_sig_verify(CP_PURPOSE_BUNDLE, b.sig, b.bytes, b.len - 64, f.edu_pk), CP_OK);
  reencode_same(&b, f.edu);
  cp_bundle_free(&b);
  free(out);
  bfx_free(&f);
}

static void present_one(void **state) {
  (void)state;
  bfx f;
  size_t len, i;
  uint8_t id[1][32];
  assert_int_equal(bfx_build(&f), CP_OK);
  memcpy(id[0], f.a.id[4], 32);
  bfx_free(&f);
  uint8_t *out = bundle_bytes(&f, (const uint8_t(*)[32])id, 1, &len);
  cp_bundle b;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_decode(out, len, &b, &d), CP_OK);
  /* Coaching is not endorsed: log B stays out. */
  assert_int_equal(b.nlogs, 1);
  assert_int_equal(b.nentries, 3);
  assert_int_equal(cp_bundle_find(&b, f.a.id[2], &i), CP_OK);
  assert_int_equal(cp_bundle_find(&b, f.a.id[3], &i), CP_ENOTFOUND);
  check_roots(&b);
  cp_bundle_free(&b);
  free(out);
  bfx_free(&f);
}

static void present_errors(void **state) {
  (void)state;
  bfx f;
  size_t wlen, len = 7;
  uint8_t *w = wallet_bytes(&f, &wlen), *out = NULL, id[1][32];
  cp_bundle wb;
  cp_diag d = {{0}};
  cp_key *other = NULL;
  assert_int_equal(cp_bundle_decode(w, wlen, &wb, &d), CP_OK);
  memcpy(id[0], f.a.id[5], 32);
  assert_int_equal(cp_bundle_present(&wb, (const uint8_t(*)[32])id, 1, f.edu, "n", 1, "a", 1, &out,
                                     &len, &d),
                   CP_ERULE);
  assert_non_null(strstr(d.msg, "revoked"));
  memset(id[0], 0x77, 32);
  assert_int_equal(cp_bundle_present(&wb, (const uint8_t(*)[32])id, 1, f.edu, "n", 1, "a", 1, &out,
                                     &len, &d),
                   CP_ENOTFOUND);
  assert_non_null(strstr(d.msg, "not in the wallet"));
  memcpy(id[0], f.a.id[1], 32);
  assert_int_equal(cp_bundle_present(&wb, (const uint8_t(*)[32])id, 1, f.edu, "n", 1, "a", 1, &out,
                                     &len, &d),
                   CP_ENOTFOUND);
  assert_int_equal(cp_key_generate(&other), CP_OK);
  assert_int_equal(cp_bundle_present(&wb, NULL, 0, other, "n", 1, "a", 1, &out, &len, &d),
                   CP_EDENIED);
  assert_int_equal(cp_bundle_present(&wb, NULL, 0, f.edu, "", 0, "a", 1, &out, &len, &d),
                   CP_EINVAL);
  assert_int_equal(cp_bundle_present(&wb, NULL, 0, f.edu, "n", 1, "a\001", 2, &out, &len, &d),
                   CP_EINVAL);
  assert_null(out);
  cp_key_free(other);
  cp_bundle_free(&wb);
  free(w);
  bfx_free(&f);
}

static void expect_refused(const uint8_t *buf, size_t len, int err, const char *needle) {
  cp_bundle b;
  cp_diag d = {{0}};
  int rc = cp_bundle_decode(buf, len, &b, &d);
  if (rc != err) fail_msg("expected %d, got %d: %s", err, rc, d.msg);
  if (needle != NULL && strstr(d.msg, needle) == NULL) fail_msg("message \"%s\" lacks \"%s\"", d.msg, needle);
  assert_true(d.msg[0] != 0);
  assert_null(b.logs);
  assert_null(b.entries);
}

static void truncated_and_trailing(void **state) {
  (void)state;
  bfx f;
  size_t len;
  uint8_t *w = bundle_bytes(&f, NULL, 0, &len);
  for (size_t n = 0; n < len; n++) {
    cp_bundle b;
    cp_diag d = {{0}};
    assert_int_not_equal(cp_bundle_decode(w, n, &b, &d), CP_OK);
    assert_true(d.msg[0] != 0);
  }
  uint8_t *t = malloc(len + 1);
  assert_non_null(t);
  memcpy(t, w, len);
  t[len] = 0;
  expect_refused(t, len + 1, CP_ECORRUPT, "unexpected bytes");
  free(t);
  free(w);
  bfx_free(&f);
}

static void counts_that_lie(void **state) {
  (void)state;
  bfx f;
  size_t len;
  uint8_t *w = wallet_bytes(&f, &len), *c = malloc(len);
  cp_bundle b;
  cp_diag d = {{0}};
  assert_non_null(c);
  assert_int_equal(cp_bundle_decode(w, len, &b, &d), CP_OK);
  size_t nent_at = b.logs[0].offset + 32 + 4 + b.logs[0].note_len + 4 + b.logs[0].statement_len;
  size_t nh_at = (size_t)((const uint8_t *)b.logs[0].hashes - b.bytes) - 4;
  cp_bundle_free(&b);
  /* nlogs: over the limit, and under it but more than the bytes hold. */
  memcpy(c, w, len);
  put32(c + 42, 1000000);
  expect_refused(c, len, CP_ETOOBIG, "nlogs at byte 42");
  put32(c + 42, 60);
  expect_refused(c, len, CP_ECORRUPT, "cannot fit");
  put32(c + 42, 0);
  expect_refused(c, len, CP_ECORRUPT, "no logs");
  /* 10^6 awards claimed: refused at the count, before any allocation. */
  memcpy(c, w, len);
  put32(c + nent_at, 1000000);
  char want[64];
  snprintf(want, sizeof want, "log[0].nentries at byte %zu", nent_at);
  expect_refused(c, len, CP_ETOOBIG, want);
  put32(c + nent_at, 4000);
  expect_refused(c, len, CP_ECORRUPT, "cannot fit");
  /* One hash more or fewer than the multiproof needs. */
  memcpy(c, w, len);
  put32(c + nh_at, (uint32_t)f.logs[0].nhashes + 1);
  expect_refused(c, len, CP_ECORRUPT, "log[0].nhashes");
  put32(c + nh_at, (uint32_t)f.logs[0].nhashes - 1);
  expect_refused(c, len, CP_ECORRUPT, "the multiproof of these entries");
  /* The note's length beyond the input. */
  memcpy(c, w, len);
  put32(c + 42 + 4 + 32, 16000);
  expect_refused(c, len, CP_ECORRUPT, "truncated");
  put32(c + 42 + 4 + 32, 70000);
  expect_refused(c, len, CP_ETOOBIG, "log[0].note");
  free(c);
  free(w);
  bfx_free(&f);
}

static void header_and_order(void **state) {
  (void)state;
  bfx f;
  size_t len;
  uint8_t *w = wallet_bytes(&f, &len), *c = malloc(len), *out = NULL;
  cp_diag d = {{0}};
  assert_non_null(c);
  memcpy(c, w, len);
  c[0] = 'C';
  expect_refused(c, len, CP_ECORRUPT, "not a credport wallet or bundle");
  memcpy(c, w, len);
  c[8] = 1; /* the form with one absence proof per award */
  expect_refused(c, len, CP_EVERSION, "version");
  c[8] = 3;
  expect_refused(c, len, CP_EVERSION, "version");
  memcpy(c, w, len);
  c[9] = 3;
  expect_refused(c, len, CP_ECORRUPT, "kind");
  /* An award for another educator than the header's. */
  memcpy(c, w, len);
  c[10] ^= 1;
  expect_refused(c, len, CP_ECORRUPT, "another educator");
  /* Logs out of order, the same log twice, entries out of order: the
   * encoder refuses what the decoder would. */
  cp_bundle_log swapped[2] = {f.logs[1], f.logs[0]};
  cp_bundle desc = f.wallet;
  desc.logs = swapped;
  assert_int_equal(cp_bundle_encode(&desc, NULL, &out, &len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "ascending key order"));
  swapped[0] = f.logs[0];
  swapped[1] = f.logs[0];
  assert_int_equal(cp_bundle_encode(&desc, NULL, &out, &len, &d), CP_EINVAL);
  cp_bundle_entry ents[8];
  memcpy(ents, f.entries, sizeof ents);
  desc = f.wallet;
  desc.entries = ents;
  size_t a0 = f.logs[0].n == 6 ? 0 : 2; /* the first entry of log A */
  cp_bundle_entry tmp = ents[a0 + 1];
  ents[a0 + 1] = ents[a0 + 2];
  ents[a0 + 2] = tmp;
  assert_int_equal(cp_bundle_encode(&desc, NULL, &out, &len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "strictly ascending"));
  /* A revoked award in a bundle. */
  desc = f.wallet;
  desc.kind = CP_BUNDLE_KIND_BUNDLE;
  desc.challenge = desc.audience = "x";
  desc.challenge_len = desc.audience_len = 1;
  assert_int_equal(cp_bundle_encode(&desc, f.edu, &out, &len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "only awards shown not revoked"));
  assert_null(out);
  free(c);
  free(w);
  bfx_free(&f);
}

static void oversize(void **state) {
  (void)state;
  size_t n = CP_BUNDLE_MAX + 1;
  uint8_t *big = calloc(1, n);
  assert_non_null(big);
  memcpy(big, "credport\001\001", 10);
  expect_refused(big, n, CP_ETOOBIG, "at most");
  free(big);
  char *arm = malloc(CP_BUNDLE_ARMOR_MAX + 2);
  assert_non_null(arm);
  memset(arm, 'A', CP_BUNDLE_ARMOR_MAX + 1);
  memcpy(arm, "-----BEGIN CREDPORT BUNDLE-----\n", 32);
  expect_refused((uint8_t *)arm, CP_BUNDLE_ARMOR_MAX + 1, CP_ETOOBIG, "armour");
  free(arm);
}

/* Every single-bit flip of a bundle is refused by the decoder or by the
 * educator's signature. */
static void every_bit_flip(void **state) {
  (void)state;
  bfx f;
  size_t len;
  uint8_t *w = bundle_bytes(&f, NULL, 0, &len), *c = malloc(len);
  assert_non_null(c);
  memcpy(c, w, len);
  for (size_t i = 0; i < len * 8; i++) {
    cp_bundle b;
    c[i / 8] ^= (uint8_t)(1u << (i % 8));
    if (cp_bundle_decode(c, len, &b, NULL) == CP_OK) {
      assert_int_not_equal(cp_sig_verify(CP_PURPOSE_BUNDLE, b.sig, b.bytes, b.len - 64, f.edu_pk),
                           CP_OK);
      cp_bundle_free(&b);
    }
    c[i / 8] ^= (uint8_t)(1u << (i % 8));
  }
  free(c);
  free(w);
  bfx_free(&f);
}

static char *mangle(const char *t, size_t len) {
  /* CRLF, an indent, trailing blanks and a blank line after every line. */
  char *m = malloc(len * 4 + 16), *o = m;
  assert_non_null(m);
  *o++ = '\n';
  for (size_t i = 0; i < len; i++) {
    if (t[i] == '\n') {
      memcpy(o, "  \r\n\r\n   ", 9);
      o += 9;
    } else {
      *o++ = t[i];
    }
  }
  *o = 0;
  return m;
}

static void armour(void **state) {
  (void)state;
  bfx f;
  size_t len, alen, blen;
  uint8_t *w = bundle_bytes(&f, NULL, 0, &len), *bin = NULL;
  char *a = NULL;
  cp_bundle b;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_armor(w, len, &a, &alen), CP_OK);
  assert_true(strncmp(a, "-----BEGIN CREDPORT BUNDLE-----\n", 32) == 0);
  assert_non_null(strstr(a, "\n-----END CREDPORT BUNDLE-----\n"));
  for (char *l = strchr(a, '\n') + 1; *l != '='; l = strchr(l, '\n') + 1)
    assert_true(strchr(l, '\n') - l <= 64);
  assert_int_equal(cp_bundle_unarmor(a, alen, &bin, &blen, &d), CP_OK);
  assert_int_equal(blen, len);
  assert_memory_equal(bin, w, len);
  free(bin);
  /* The decoder detects armour; mangled by mail, it still reads the same. */
  char *m = mangle(a, alen);
  assert_int_equal(cp_bundle_decode((uint8_t *)m, strlen(m), &b, &d), CP_OK);
  assert_int_equal(b.len, len);
  assert_memory_equal(b.bytes, w, len);
  cp_bundle_free(&b);
  free(m);
  /* One changed data character: refused (checksum or base64). */
  char *c = strdup(a);
  char *p = strchr(c, '\n') + 10;
  *p = *p == 'A' ? 'B' : 'A';
  expect_refused((uint8_t *)c, alen, CP_ECORRUPT, "armour");
  free(c);
  /* Text before BEGIN, a wrong label, no END, an over-long line. */
  char buf[70000];
  snprintf(buf, sizeof buf, "Hi,\n%s", a);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "not a credport");
  snprintf(buf, sizeof buf, "%s", a);
  memcpy(buf + 20, "WALLET", 6);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "expected \"-----END CREDPORT WALLET");
  memcpy(strstr(buf, "-----END") + 18, "WALLET", 6);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "labelled WALLET but the container is a bundle");
  snprintf(buf, sizeof buf, "%s", a);
  memcpy(buf + 20, "LEDGER", 6);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "armour line 1");
  snprintf(buf, sizeof buf, "%s", a);
  *strstr(buf, "-----END") = 0;
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "no END line");
  snprintf(buf, sizeof buf, "%s", a);
  char *nl = strchr(buf, '\n') + 65; /* join the first two data lines */
  assert_int_equal(*nl, '\n');
  memmove(nl, nl + 1, strlen(nl + 1) + 1);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "at most 76");
  snprintf(buf, sizeof buf, "%sP.S.\n", a);
  expect_refused((uint8_t *)buf, strlen(buf), CP_ECORRUPT, "after the END");
  free(a);
  free(w);
  bfx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(wallet_round_trip), cmocka_unit_test(present_all),
    cmocka_unit_test(present_one),       cmocka_unit_test(present_errors),
    cmocka_unit_test(truncated_and_trailing), cmocka_unit_test(counts_that_lie),
    cmocka_unit_test(header_and_order),  cmocka_unit_test(oversize),
    cmocka_unit_test(every_bit_flip),    cmocka_unit_test(armour),
};

CP_TEST_MAIN(tests)
