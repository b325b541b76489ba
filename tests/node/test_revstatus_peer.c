/*
 * Revocation statements of another log, as a partner relays them
 * (docs/FORMATS.md R-rev-07, docs/PROTOCOL.md L-5): a replica stores one
 * only when it is signed by the key the log signs with at its size, bound
 * to the held tree at that size, and counts exactly the revocations the
 * held log has below it; anything else is refused with its reason and
 * nothing is stored. The audit checks stored foreign statements as it
 * checks the own log's.
 */
#include "test_store_fixture.h"

#include "credport/revstatus.h"
#include "../../node/store_internal.h"

#define ORIGIN "peer.example/log"

static int cmp32(const void *a, const void *b) { return memcmp(a, b, 32); }

/* The revocation root over ids[0..n), sorted here (RFC 9162 reference). */
static void expected_rev_root(uint8_t (*ids)[32], size_t n, uint8_t out[32]) {
  uint8_t sorted[4][32], lh[4][32];
  memcpy(sorted, ids, n * 32);
  qsort(sorted, n, 32, cmp32);
  for (size_t i = 0; i < n; i++) ref_leaf(sorted[i], 32, lh[i]);
  ref_mth((const uint8_t(*)[32])lh, n, out);
}

/* A foreign log in f: genesis, credential, awards A and B, revoke A (all
 * k1), rotation to k2 (seq 5, by k1), revoke B (k2). b[i].id are the entry
 * IDs (the tree's leaves); aw gets the award IDs. */
static void foreign_log(fx_store *f, fx_log *l, fx_buf *b, cp_key *k2, uint8_t aw[2][32]) {
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  uint8_t cred[32];
  fx_genesis(l, ORIGIN, &b[0]);
  fx_credential(&e, "c1");
  fx_sign(l, &e, &b[1]);
  memcpy(cred, b[1].id, 32);
  for (int i = 0; i < 2; i++) {
    fx_award(&e, cred, (uint8_t)(0x20 + i), "Assessor");
    fx_sign(l, &e, &b[2 + i]);
    memcpy(aw[i], b[2 + i].id, 32);
  }
  fx_revoke(&e, aw[0]);
  fx_sign(l, &e, &b[4]);
  memset(&e, 0, sizeof e);
  e.type = CP_T_KEY;
  e.u.key.action = CP_KEY_ROTATE;
  cp_key_public(k2, e.u.key.new_key);
  fx_sign(l, &e, &b[5]);
  cp_key *k1 = l->k;
  l->k = k2;
  fx_revoke(&e, aw[1]);
  fx_sign(l, &e, &b[6]);
  l->k = k1;
  for (int i = 0; i < 7; i++) fx_push(&bt, &b[i]);
  int rc = fx_ingest(f, &bt, &rep, &d);
  if (rc != 0) fail_msg("foreign log refused: %d %s", rc, d.msg);
}

/* Offers one statement; returns its verdict (and the reason in why). */
static int offer(fx_store *f, const uint8_t log[32], const char *text, size_t len, char *why) {
  cp_store_revstat v;
  cp_diag d = {{0}};
  memset(&v, 0, sizeof v);
  memcpy(v.log, log, 32);
  v.text = text;
  v.len = len;
  assert_int_equal(cp_store_add_revstats(f->s, &v, 1, &d), CP_OK);
  if (why != NULL) snprintf(why, sizeof d.msg, "%s", v.d.msg);
  return v.rc;
}

/* The size of the latest statement held for log (0: none). */
static uint64_t held_at(fx_store *f, const uint8_t log[32]) {
  cp_reader *r = NULL;
  const char *t;
  size_t len;
  uint64_t at = 0;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  int rc = cp_reader_revstat(r, log, 0, &t, &len, &at);
  cp_reader_end(r);
  return rc == 0 ? at : 0;
}

typedef struct {
  int found;
  const char *want;
} lines;

static void on_problem(void *ctx, const char *line) {
  lines *l = ctx;
  if (strstr(line, l->want) != NULL) l->found++;
}

static void foreign_statements_checked(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(7, sizeof *b);
  cp_key *k2 = fx_key(0x72), *other = fx_key(0x73);
  uint8_t aw[2][32], lh[7][32], root5[32], root7[32], rev1[32], rev2[32], bad[32];
  char text[CP_REVSTAT_MAX], why[400];
  size_t len;
  fx_new(&f, 0x70, "credport/test/own");
  fx_log_init(&l, 0x71);
  foreign_log(&f, &l, b, k2, aw);
  for (int i = 0; i < 7; i++) memcpy(lh[i], b[i].id, 32);
  ref_mth((const uint8_t(*)[32])lh, 5, root5);
  ref_mth((const uint8_t(*)[32])lh, 7, root7);
  expected_rev_root(aw, 1, rev1);
  expected_rev_root(aw, 2, rev2);
  assert_int_equal(held_at(&f, l.log), 0);

  /* Size 5: k1 in force (the rotation is entry 5), award A revoked. */
  assert_int_equal(cp_revstat_sign(l.k, ORIGIN, 5, root5, 1, rev1, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_OK);
  assert_int_equal(held_at(&f, l.log), 5);
  /* The same again, and an older one: no newer than the one held. */
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EEXIST);
  assert_non_null(strstr(why, "no newer than the 5 held"));
  ref_mth((const uint8_t(*)[32])lh, 4, bad);
  uint8_t empty[32];
  cp_merkle_empty_root(empty);
  assert_int_equal(cp_revstat_sign(l.k, ORIGIN, 4, bad, 0, empty, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EEXIST);

  /* Size 7: k2 in force. The rotated-away key is refused there. */
  assert_int_equal(cp_revstat_sign(l.k, ORIGIN, 7, root7, 2, rev2, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EBADSIG);
  assert_non_null(strstr(why, "the key the log signs with at that size"));
  assert_int_equal(cp_revstat_sign(other, ORIGIN, 7, root7, 2, rev2, text, sizeof text, &len),
                   CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EBADSIG);
  /* Validly signed by k2, but hiding award B's revocation. */
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 1, rev1, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EPROOF);
  assert_non_null(strstr(why, "says 1 revoked; the log holds 2 revocations"));
  /* The right count under another revocation root. */
  memcpy(bad, rev2, 32);
  bad[5] ^= 1;
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 2, bad, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EPROOF);
  assert_non_null(strstr(why, "under another revocation root"));
  /* Bound to another checkpoint root. */
  memcpy(bad, root7, 32);
  bad[0] ^= 1;
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, bad, 2, rev2, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EPROOF);
  assert_non_null(strstr(why, "another root than the held tree's"));
  /* Another origin, beyond the entries held, not a statement, too big. */
  assert_int_equal(cp_revstat_sign(k2, "other.example/log", 7, root7, 2, rev2, text, sizeof text,
                                   &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EBADSIG);
  assert_non_null(strstr(why, "names origin \"other.example/log\""));
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 8, root7, 2, rev2, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_EINVAL);
  assert_non_null(strstr(why, "beyond the 7 entries held"));
  assert_int_equal(offer(&f, l.log, "credport revocation status v1\n", 30, why), CP_ECORRUPT);
  static char big[CP_REVSTAT_MAX + 1];
  memset(big, 'x', sizeof big);
  assert_int_equal(offer(&f, l.log, big, sizeof big, why), CP_ETOOBIG);
  assert_int_equal(held_at(&f, l.log), 5);

  /* The true statement at 7 is taken. */
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 2, rev2, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, why), CP_OK);
  assert_int_equal(held_at(&f, l.log), 7);

  /* One more entry, no revoke: the set of the statement at 7 carries to
   * size 8, and a count that differs from it is still refused. */
  {
    fx_batch bt = {{0}, {0}, 0};
    cp_ingest_report rep;
    cp_diag id;
    cp_entry e;
    static fx_buf more;
    cp_key *k1 = l.k;
    l.k = k2;
    fx_credential(&e, "c2");
    fx_sign(&l, &e, &more);
    l.k = k1;
    fx_push(&bt, &more);
    assert_int_equal(fx_ingest(&f, &bt, &rep, &id), CP_OK);
    uint8_t lh8[8][32], root8[32];
    memcpy(lh8, lh, sizeof lh);
    memcpy(lh8[7], more.id, 32);
    ref_mth((const uint8_t(*)[32])lh8, 8, root8);
    assert_int_equal(cp_revstat_sign(k2, ORIGIN, 8, root8, 1, rev1, text, sizeof text, &len),
                     CP_OK);
    assert_int_equal(offer(&f, l.log, text, len, why), CP_EPROOF);
    assert_non_null(strstr(why, "says 1 revoked; the log holds 2 revocations"));
    assert_int_equal(cp_revstat_sign(k2, ORIGIN, 8, root8, 2, rev2, text, sizeof text, &len),
                     CP_OK);
    assert_int_equal(offer(&f, l.log, text, len, why), CP_OK);
    assert_int_equal(held_at(&f, l.log), 8);
  }

  /* A log not held, and the own log (it signs its own statements). */
  uint8_t stranger[32];
  memset(stranger, 0x99, sizeof stranger);
  assert_int_equal(offer(&f, stranger, text, len, why), CP_ENOTFOUND);
  assert_int_equal(offer(&f, f.pk, text, len, why), CP_EEXIST);
  assert_non_null(strstr(why, "own log"));

  /* Several in one transaction: each has its own verdict. */
  char t2[CP_REVSTAT_MAX];
  size_t l2;
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 2, rev2, t2, sizeof t2, &l2), CP_OK);
  cp_store_revstat v[2];
  cp_diag d = {{0}};
  memset(v, 0, sizeof v);
  memcpy(v[0].log, l.log, 32);
  v[0].text = t2;
  v[0].len = l2;
  memcpy(v[1].log, stranger, 32);
  v[1].text = t2;
  v[1].len = l2;
  assert_int_equal(cp_store_add_revstats(f.s, v, 2, &d), CP_OK);
  assert_int_equal(v[0].rc, CP_EEXIST);
  assert_int_equal(v[1].rc, CP_ENOTFOUND);

  cp_key_free(other);
  cp_key_free(k2);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

/* Replaces the stored statement of log at size with text. */
static void put_statement(fx_store *f, const uint8_t log[32], uint64_t size, const char *text,
                          size_t len) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t kb[12];
  assert_int_equal(cp__tx_begin(f->s, 1, &tx, NULL), CP_OK);
  assert_int_equal(cp__logrec_get(&tx, log, &lr), CP_OK);
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, size);
  MDB_val k = {12, kb}, v = {len, (void *)text};
  assert_int_equal(mdb_put(tx.txn, f->s->revstatus, &k, &v, 0), 0);
  assert_int_equal(cp__tx_commit(&tx, NULL), CP_OK);
}

/* The audit checks a stored statement of another log under that log's
 * keys (the rotation followed) against the held entries. */
static void audit_checks_foreign_statements(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(7, sizeof *b);
  cp_key *k2 = fx_key(0x82);
  uint8_t aw[2][32], lh[7][32], root5[32], root7[32], rev1[32], rev2[32];
  char text[CP_REVSTAT_MAX];
  size_t len;
  cp_audit_report rep;
  fx_new(&f, 0x80, "credport/test/own");
  fx_log_init(&l, 0x81);
  foreign_log(&f, &l, b, k2, aw);
  for (int i = 0; i < 7; i++) memcpy(lh[i], b[i].id, 32);
  ref_mth((const uint8_t(*)[32])lh, 5, root5);
  ref_mth((const uint8_t(*)[32])lh, 7, root7);
  expected_rev_root(aw, 1, rev1);
  expected_rev_root(aw, 2, rev2);
  assert_int_equal(cp_revstat_sign(l.k, ORIGIN, 5, root5, 1, rev1, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, NULL), CP_OK);
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 2, rev2, text, sizeof text, &len), CP_OK);
  assert_int_equal(offer(&f, l.log, text, len, NULL), CP_OK);
  lines li = {0, "revocation statement"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &li, &rep), CP_OK);
  assert_int_equal(li.found, 0);
  /* On disk, the statement at 7 replaced by one that hides a revocation
   * (validly signed by the log's key in force). */
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 1, rev1, text, sizeof text, &len), CP_OK);
  put_statement(&f, l.log, 7, text, len);
  char name[17];
  cp_hex_encode(l.log, 8, name);
  char want[128];
  snprintf(want, sizeof want, "log %s: revocation statement at size 7 says 1 revoked", name);
  li = (lines){0, want};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &li, &rep), CP_EAUDIT);
  assert_int_equal(li.found, 1);
  /* One with a broken signature. */
  assert_int_equal(cp_revstat_sign(k2, ORIGIN, 7, root7, 2, rev2, text, sizeof text, &len), CP_OK);
  text[len - 10] = text[len - 10] == 'A' ? 'B' : 'A';
  put_statement(&f, l.log, 7, text, len);
  li = (lines){0, "revocation statement at size 7 does not verify"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &li, &rep), CP_EAUDIT);
  assert_int_equal(li.found, 1);
  cp_key_free(k2);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(foreign_statements_checked),
    cmocka_unit_test(audit_checks_foreign_statements),
};

CP_TEST_MAIN(tests)
