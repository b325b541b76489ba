/*
 * The revocation section of wallets and bundles (proto/bundle.c,
 * proto/bundle_rev.c, proto/bundle_present.c; docs/FORMATS.md W-rev-*):
 * one log's awards shown absent together by the revocation-tree leaves
 * that bracket them, each held once, and one multiproof. Log A of the
 * fixture is sealed again over revocation sets placed around the IDs of
 * its awards 3 and 4 (lo < hi below): both between the same two revoked
 * IDs, one leaf shared, both below the first or above the last, the empty
 * tree; then a forged leaf, a missing leaf and the decoder's refusals.
 */
#include "cptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_fixture.h"

typedef uint8_t id32[32];

/* x + d as 256-bit big-endian numbers (d in -3..3; no wrap for hashes). */
static void add(const uint8_t *x, int d, uint8_t *out) {
  memcpy(out, x, 32);
  for (; d > 0; d--)
    for (int i = 31; i >= 0 && ++out[i] == 0; i--) {
    }
  for (; d < 0; d++)
    for (int i = 31; i >= 0 && out[i]-- == 0; i--) {
    }
}

typedef struct rfx {
  bfx f;
  size_t ia;          /* index of log A in f.logs */
  id32 lo, hi;        /* the IDs of awards 3 and 4, ascending */
  id32 set[4];
  size_t nset;
} rfx;

/* Seals log A again over set[0..nset) (ascending) and rebuilds its
 * revocation section from the absence proofs of awards 3 and 4, plus the
 * proofs extra[0..nextra) when given. */
static void reseal(rfx *r, const cp_absence_proof *extra, size_t nextra) {
  bfx *f = &r->f;
  cp_absence_proof ps[4];
  uint8_t *rl = NULL, (*rh)[CP_HASH_BYTES] = NULL;
  cp_bundle_log *o = &f->logs[r->ia];
  assert_int_equal(bfx_seal(&f->a, (const uint8_t(*)[32])r->set, r->nset), CP_OK);
  o->note_len = f->a.note_len;
  o->statement_len = f->a.st_len;
  for (int i = 0; i < 2; i++)
    assert_int_equal(
        cp_rev_prove_absent((const uint8_t(*)[32])r->set, r->nset, f->a.id[3 + i], &ps[i]), CP_OK);
  for (size_t i = 0; i < nextra; i++) ps[2 + i] = extra[i];
  assert_int_equal(cp_bundle_rev_section(ps, 2 + nextra, r->nset, &rl, &f->nrev, &rh,
                                         &f->nrev_hashes),
                   CP_OK);
  assert_true(f->nrev <= 4 && f->nrev_hashes <= 16);
  if (f->nrev > 0) memcpy(f->rev_leaves, rl, f->nrev * CP_BUNDLE_REV_LEAF_BYTES);
  if (f->nrev_hashes > 0) memcpy(f->rev_hashes, rh, f->nrev_hashes * CP_HASH_BYTES);
  o->nrev = f->nrev;
  o->nrev_hashes = f->nrev_hashes;
  free(rl);
  free(rh);
}

static void rfx_build(rfx *r) {
  memset(r, 0, sizeof *r);
  assert_int_equal(bfx_build(&r->f), CP_OK);
  r->ia = r->f.logs[0].n == 6 ? 0 : 1;
  int order = memcmp(r->f.a.id[3], r->f.a.id[4], 32) < 0;
  memcpy(r->lo, r->f.a.id[order ? 3 : 4], 32);
  memcpy(r->hi, r->f.a.id[order ? 4 : 3], 32);
}

static uint8_t *encode_wallet(rfx *r, size_t *len) {
  uint8_t *w = NULL;
  cp_diag d = {{0}};
  int rc = cp_bundle_encode(&r->f.wallet, NULL, &w, len, &d);
  if (rc != CP_OK) fail_msg("encode: %s", d.msg);
  return w;
}

/* Every status-0 award of b is shown absent (want 1) or not (want 0)
 * from its log's statement. */
static void check_absent(const cp_bundle *b, int want) {
  size_t seen = 0;
  for (size_t i = 0; i < b->nentries; i++) {
    const cp_bundle_entry *en = &b->entries[i];
    const cp_bundle_log *lg = &b->logs[en->log];
    cp_absence_proof p;
    cp_revstat st;
    cp_diag d = {{0}};
    if (en->type != CP_T_AWARD || en->status != CP_AWARD_NOT_REVOKED) continue;
    assert_int_equal(cp_revstat_parse(lg->statement, lg->statement_len, &st, &d), CP_OK);
    assert_int_equal(cp_bundle_absence(b, i, &p, &d), CP_OK);
    int ok = cp_rev_verify_absent(en->id, st.count, st.rev_root, &p) == CP_OK;
    assert_int_equal(ok, want);
    seen++;
  }
  assert_true(seen > 0);
}

/* The wallet decodes, shows both awards absent, re-encodes to itself,
 * and the bundle presented from it holds nrev leaves and shows the same;
 * every bit flip of that bundle is refused by the decoder or the
 * signature. */
static void round_trip(rfx *r, size_t nrev, int flips) {
  size_t len, blen;
  uint8_t *w = encode_wallet(r, &len), *out = NULL, *again = NULL;
  cp_bundle b, bb;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_decode(w, len, &b, &d), CP_OK);
  assert_int_equal(b.logs[r->ia].nrev, nrev);
  assert_int_equal(b.logs[r->ia].rev_count, r->nset);
  check_absent(&b, 1);
  assert_int_equal(cp_bundle_encode(&b, NULL, &again, &blen, &d), CP_OK);
  assert_int_equal(blen, len);
  assert_memory_equal(again, w, len);
  free(again);
  int rc = cp_bundle_present(&b, NULL, 0, r->f.edu, "n", 1, "a", 1, &out, &blen, &d);
  if (rc != CP_OK) fail_msg("present: %s", d.msg);
  assert_int_equal(cp_bundle_decode(out, blen, &bb, &d), CP_OK);
  size_t la = memcmp(bb.logs[0].key, r->f.a.pk, 32) == 0 ? 0 : 1;
  assert_memory_equal(bb.logs[la].key, r->f.a.pk, 32);
  assert_int_equal(bb.logs[la].nrev, nrev);
  check_absent(&bb, 1);
  cp_bundle_free(&bb);
  for (size_t i = 0; flips && i < blen * 8; i++) {
    out[i / 8] ^= (uint8_t)(1u << (i % 8));
    if (cp_bundle_decode(out, blen, &bb, NULL) == CP_OK) {
      assert_int_not_equal(
          cp_sig_verify(CP_PURPOSE_BUNDLE, bb.sig, bb.bytes, bb.len - 64, r->f.edu_pk), CP_OK);
      cp_bundle_free(&bb);
    }
    out[i / 8] ^= (uint8_t)(1u << (i % 8));
  }
  free(out);
  cp_bundle_free(&b);
  free(w);
}

static void same_pair(void **state) {
  (void)state;
  rfx r;
  rfx_build(&r);
  add(r.lo, -1, r.set[0]);
  add(r.hi, 1, r.set[1]);
  r.nset = 2;
  reseal(&r, NULL, 0);
  round_trip(&r, 2, 1);
  bfx_free(&r.f);
}

static void shared_leaf(void **state) {
  (void)state;
  rfx r;
  rfx_build(&r);
  add(r.lo, -1, r.set[0]);
  add(r.lo, 1, r.set[1]); /* between lo and hi: the upper leaf of one, the lower of the other */
  add(r.hi, 1, r.set[2]);
  r.nset = 3;
  reseal(&r, NULL, 0);
  assert_int_equal(r.f.nrev, 3);
  round_trip(&r, 3, 0);
  bfx_free(&r.f);
}

static void beyond_the_ends(void **state) {
  (void)state;
  rfx r;
  rfx_build(&r);
  add(r.hi, 1, r.set[0]); /* both awards below the first revoked ID */
  add(r.hi, 2, r.set[1]);
  r.nset = 2;
  reseal(&r, NULL, 0);
  round_trip(&r, 1, 0);
  add(r.lo, -2, r.set[0]); /* both above the last */
  add(r.lo, -1, r.set[1]);
  reseal(&r, NULL, 0);
  round_trip(&r, 1, 0);
  bfx_free(&r.f);
}

static void empty_tree(void **state) {
  (void)state;
  rfx r;
  rfx_build(&r);
  r.nset = 0;
  reseal(&r, NULL, 0);
  assert_int_equal(r.f.nrev, 0);
  assert_int_equal(r.f.nrev_hashes, 0);
  round_trip(&r, 0, 0);
  bfx_free(&r.f);
}

/* Offset of log A's first revocation leaf record in the wallet bytes. */
static size_t rev_at(const uint8_t *w, size_t len, size_t ia) {
  cp_bundle b;
  assert_int_equal(cp_bundle_decode(w, len, &b, NULL), CP_OK);
  size_t at = (size_t)(b.logs[ia].rev_leaves - b.bytes);
  cp_bundle_free(&b);
  return at;
}

static void present_refuses(const uint8_t *w, size_t len, rfx *r) {
  cp_bundle b;
  cp_diag d = {{0}};
  uint8_t *out = NULL;
  size_t blen = 0;
  assert_int_equal(cp_bundle_decode(w, len, &b, &d), CP_OK);
  check_absent(&b, 0);
  assert_int_equal(cp_bundle_present(&b, NULL, 0, r->f.edu, "n", 1, "a", 1, &out, &blen, &d),
                   CP_EPROOF);
  assert_non_null(strstr(d.msg, "absent from the revocation tree"));
  assert_null(out);
  cp_bundle_free(&b);
}

static void forged_leaf(void **state) {
  (void)state;
  rfx r;
  size_t len;
  rfx_build(&r);
  add(r.lo, -1, r.set[0]);
  add(r.lo, 1, r.set[1]);
  add(r.hi, 1, r.set[2]);
  r.nset = 3;
  reseal(&r, NULL, 0);
  uint8_t *w = encode_wallet(&r, &len);
  /* The middle leaf's ID moved, still between the awards: it decodes,
   * and its path no longer leads to the revocation root. */
  w[rev_at(w, len, r.ia) + 40 + 8 + 20] ^= 1;
  present_refuses(w, len, &r);
  free(w);
  bfx_free(&r.f);
}

static void missing_leaf(void **state) {
  (void)state;
  rfx r;
  size_t len;
  rfx_build(&r);
  add(r.lo, -1, r.set[0]);
  add(r.lo, 1, r.set[1]);
  add(r.hi, 1, r.set[2]);
  r.nset = 3;
  reseal(&r, NULL, 0);
  /* Leaves 0 and 2 only, with a multiproof that proves them: the awards
   * seem bracketed by leaves that are not adjacent. */
  cp_absence_proof ps[2];
  uint8_t *rl = NULL, (*rh)[CP_HASH_BYTES] = NULL;
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])r.set, 3, r.lo, &ps[0]), CP_OK);
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])r.set, 3, r.hi, &ps[1]), CP_OK);
  ps[0].nleaves = 1;
  ps[1].leaf[0] = ps[1].leaf[1];
  ps[1].nleaves = 1;
  assert_int_equal(cp_bundle_rev_section(ps, 2, 3, &rl, &r.f.nrev, &rh, &r.f.nrev_hashes), CP_OK);
  assert_int_equal(r.f.nrev, 2);
  memcpy(r.f.rev_leaves, rl, 2 * CP_BUNDLE_REV_LEAF_BYTES);
  memcpy(r.f.rev_hashes, rh, r.f.nrev_hashes * CP_HASH_BYTES);
  r.f.logs[r.ia].nrev = 2;
  r.f.logs[r.ia].nrev_hashes = r.f.nrev_hashes;
  free(rl);
  free(rh);
  uint8_t *w = encode_wallet(&r, &len);
  present_refuses(w, len, &r);
  free(w);
  /* No leaf at all against a tree of 3. */
  r.f.logs[r.ia].nrev = 0;
  r.f.logs[r.ia].nrev_hashes = 0;
  w = encode_wallet(&r, &len);
  present_refuses(w, len, &r);
  free(w);
  bfx_free(&r.f);
}

static void expect_refused(const uint8_t *buf, size_t len, int err, const char *needle) {
  cp_bundle b;
  cp_diag d = {{0}};
  int rc = cp_bundle_decode(buf, len, &b, &d);
  if (rc != err) fail_msg("expected %d, got %d: %s", err, rc, d.msg);
  if (strstr(d.msg, needle) == NULL) fail_msg("message \"%s\" lacks \"%s\"", d.msg, needle);
  assert_null(b.logs);
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

static void decoder_refusals(void **state) {
  (void)state;
  rfx r;
  size_t len, at;
  char want[64];
  rfx_build(&r);
  add(r.lo, -1, r.set[0]);
  add(r.lo, 1, r.set[1]);
  add(r.hi, 1, r.set[2]);
  add(r.hi, 3, r.set[3]);
  r.nset = 4;
  /* A leaf that brackets no award (hi+3, from a proof for hi+2). */
  cp_absence_proof extra;
  id32 x;
  add(r.hi, 2, x);
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])r.set, 4, x, &extra), CP_OK);
  reseal(&r, &extra, 1);
  assert_int_equal(r.f.nrev, 4);
  uint8_t *out = NULL;
  cp_diag d = {{0}};
  assert_int_equal(cp_bundle_encode(&r.f.wallet, NULL, &out, &len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "rev[3]"));
  assert_non_null(strstr(d.msg, "brackets no award"));
  assert_null(out);
  reseal(&r, NULL, 0);
  uint8_t *w = encode_wallet(&r, &len), *c = malloc(len);
  assert_non_null(c);
  at = rev_at(w, len, r.ia);
  /* An index not below the count; two leaves out of order. */
  memcpy(c, w, len);
  put64(c + at, 4);
  snprintf(want, sizeof want, "rev[0] at byte %zu", at);
  expect_refused(c, len, CP_ECORRUPT, want);
  expect_refused(c, len, CP_ECORRUPT, "not below the revocation count");
  memcpy(c, w, len);
  memcpy(c + at + 40, c + at, 40);
  expect_refused(c, len, CP_ECORRUPT, "strictly ascending");
  /* The leaf count more than two per award; the hash count one off. */
  memcpy(c, w, len);
  c[at - 1] = 5;
  expect_refused(c, len, CP_ECORRUPT, "at most 2 for each");
  memcpy(c, w, len);
  c[at + 3 * 40 + 3] ^= 1;
  expect_refused(c, len, CP_ECORRUPT, "nrevhashes");
  free(c);
  free(w);
  /* Leaves where none is needed: the empty tree. */
  r.nset = 0;
  reseal(&r, NULL, 0);
  r.f.logs[r.ia].nrev = 1;
  assert_int_equal(cp_bundle_encode(&r.f.wallet, NULL, &out, &len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "none is needed"));
  bfx_free(&r.f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_pair),   cmocka_unit_test(shared_leaf),  cmocka_unit_test(beyond_the_ends),
    cmocka_unit_test(empty_tree),  cmocka_unit_test(forged_leaf),  cmocka_unit_test(missing_leaf),
    cmocka_unit_test(decoder_refusals),
};

CP_TEST_MAIN(tests)
