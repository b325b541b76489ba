/*
 * Revocation statements of the own log: one signed with every checkpoint,
 * its count and root recomputed here (RFC 9162 reference of the fixture,
 * over the sorted IDs of the revoked awards); the audit recomputes them
 * and reports a tampered statement.
 */
#include "test_store_fixture.h"

#include "credport/revstatus.h"
#include "../../node/store_internal.h"

#define ORIGIN "example.org/revstatus"

static int cmp32(const void *a, const void *b) { return memcmp(a, b, 32); }

/* The expected revocation root over ids[0..n), sorted here. */
static void expected_root(uint8_t (*ids)[32], size_t n, uint8_t out[32]) {
  uint8_t sorted[8][32], lh[8][32];
  memcpy(sorted, ids, n * 32);
  qsort(sorted, n, 32, cmp32);
  for (size_t i = 0; i < n; i++) ref_leaf(sorted[i], 32, lh[i]);
  ref_mth((const uint8_t(*)[32])lh, n, out);
}

static void open_statement(fx_store *f, uint64_t size, cp_revstat *st) {
  cp_reader *r = NULL;
  cp_note_verifier v;
  cp_diag d = {{0}};
  const char *text;
  size_t len;
  uint64_t at;
  memset(&v, 0, sizeof v);
  snprintf(v.name, sizeof v.name, "%s", ORIGIN);
  v.alg = CP_NOTE_ALG_ED25519;
  memcpy(v.pk, f->pk, 32);
  v.key_id = cp_note_key_id(ORIGIN, v.alg, v.pk);
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_revstat(r, f->pk, size, &text, &len, &at), CP_OK);
  if (size != 0) assert_int_equal(at, size);
  int rc = cp_revstat_open(text, len, &v, 1, st, &d);
  if (rc != 0) fail_msg("statement: %d %s", rc, d.msg);
  assert_int_equal(st->size, at);
  /* Bound to the checkpoint of the same size. */
  const char *note;
  size_t nlen;
  cp_note_result res;
  assert_int_equal(cp_reader_checkpoint(r, f->pk, &note, &nlen), CP_OK);
  assert_int_equal(cp_note_open_checkpoint(note, nlen, &v, 1, ORIGIN, &res, &d), CP_OK);
  if (size == 0) {
    assert_int_equal(res.cp.size, st->size);
    assert_memory_equal(res.cp.root, st->root, 32);
  }
  cp_reader_end(r);
}

/* Own log: genesis, a credential, 4 awards; then revokes of awards 2 and 0. */
static void build(fx_store *f, uint8_t aw[4][32]) {
  cp_appender *a = NULL;
  cp_entry e;
  cp_diag d = {{0}};
  uint8_t cred[32];
  fx_new(f, 0x51, ORIGIN);
  assert_int_equal(cp_appender_begin(f->s, f->k, T0 + 1, &a, &d), CP_OK);
  fx_credential(&e, "c1");
  assert_int_equal(cp_appender_add(a, &e, cred, &d), CP_OK);
  for (int i = 0; i < 4; i++) {
    fx_award(&e, cred, (uint8_t)(0x10 + i), "Assessor");
    assert_int_equal(cp_appender_add(a, &e, aw[i], &d), CP_OK);
  }
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
}

static void revoke(fx_store *f, const uint8_t award[32]) {
  cp_appender *a = NULL;
  cp_entry e;
  cp_diag d = {{0}};
  assert_int_equal(cp_appender_begin(f->s, f->k, T0 + 2, &a, &d), CP_OK);
  fx_revoke(&e, award);
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
}

static void statement_with_every_checkpoint(void **state) {
  (void)state;
  fx_store f;
  uint8_t aw[4][32], want[32], ids[2][32];
  cp_revstat st;
  build(&f, aw);
  /* The genesis commit and the award batch each signed one. */
  open_statement(&f, 1, &st);
  assert_int_equal(st.count, 0);
  expected_root(ids, 0, want);
  assert_memory_equal(st.rev_root, want, 32);
  open_statement(&f, 0, &st);
  assert_int_equal(st.size, 6);
  assert_int_equal(st.count, 0);
  /* After a revoke: count 1, then 2, roots over the sorted IDs. */
  revoke(&f, aw[2]);
  open_statement(&f, 0, &st);
  assert_int_equal(st.size, 7);
  assert_int_equal(st.count, 1);
  memcpy(ids[0], aw[2], 32);
  expected_root(ids, 1, want);
  assert_memory_equal(st.rev_root, want, 32);
  revoke(&f, aw[0]);
  open_statement(&f, 0, &st);
  assert_int_equal(st.size, 8);
  assert_int_equal(st.count, 2);
  memcpy(ids[1], aw[0], 32);
  expected_root(ids, 2, want);
  assert_memory_equal(st.rev_root, want, 32);
  /* The earlier statement is kept as it was. */
  open_statement(&f, 7, &st);
  assert_int_equal(st.count, 1);
  /* The set at a size, from the store. */
  cp_reader *r = NULL;
  uint8_t (*set)[32] = NULL;
  size_t n = 0;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_revset(r, f.pk, 7, &set, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_memory_equal(set[0], aw[2], 32);
  free(set);
  assert_int_equal(cp_reader_revset(r, f.pk, 8, &set, &n), CP_OK);
  assert_int_equal(n, 2);
  assert_true(memcmp(set[0], set[1], 32) < 0);
  free(set);
  const char *t;
  size_t len;
  uint64_t at;
  assert_int_equal(cp_reader_revstat(r, f.pk, 5, &t, &len, &at), CP_ENOTFOUND);
  cp_reader_end(r);
  /* An explicit checkpoint signs one too. */
  cp_diag d = {{0}};
  assert_int_equal(cp_store_checkpoint(f.s, f.k, &d), CP_OK);
  open_statement(&f, 8, &st);
  fx_free(&f);
}

typedef struct {
  int found;
  const char *want;
} lines;

static void on_problem(void *ctx, const char *line) {
  lines *l = ctx;
  if (strstr(line, l->want) != NULL) l->found++;
}

/* Replaces the stored statement of the own log at size with text. */
static void put_statement(fx_store *f, uint64_t size, const char *text, size_t len) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t kb[12];
  assert_int_equal(cp__tx_begin(f->s, 1, &tx, NULL), CP_OK);
  assert_int_equal(cp__logrec_get(&tx, f->pk, &lr), CP_OK);
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, size);
  MDB_val k = {12, kb}, v = {len, (void *)text};
  assert_int_equal(mdb_put(tx.txn, f->s->revstatus, &k, &v, 0), 0);
  assert_int_equal(cp__tx_commit(&tx, NULL), CP_OK);
}

static void audit_catches_tampered_statement(void **state) {
  (void)state;
  fx_store f;
  uint8_t aw[4][32], root[32], rev[32];
  cp_revstat st;
  cp_audit_report rep;
  char text[CP_REVSTAT_MAX];
  size_t len;
  build(&f, aw);
  revoke(&f, aw[1]);
  lines l = {0, "revocation statement"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_OK);
  assert_int_equal(l.found, 0);
  open_statement(&f, 7, &st);
  memcpy(root, st.root, 32);
  memcpy(rev, st.rev_root, 32);

  /* Validly signed, but it hides the revocation. */
  uint8_t empty[32];
  cp_merkle_empty_root(empty);
  assert_int_equal(cp_revstat_sign(f.k, ORIGIN, 7, root, 0, empty, text, sizeof text, &len), CP_OK);
  put_statement(&f, 7, text, len);
  l = (lines){0, "says 0 revoked, the log holds 1"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);

  /* Validly signed, bound to another root. */
  root[0] ^= 1;
  assert_int_equal(cp_revstat_sign(f.k, ORIGIN, 7, root, 1, rev, text, sizeof text, &len), CP_OK);
  put_statement(&f, 7, text, len);
  l = (lines){0, "names another checkpoint"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);
  root[0] ^= 1;

  /* The right content, a flipped signature byte. */
  assert_int_equal(cp_revstat_sign(f.k, ORIGIN, 7, root, 1, rev, text, sizeof text, &len), CP_OK);
  put_statement(&f, 7, text, len);
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_OK);
  text[len - 10] = text[len - 10] == 'A' ? 'B' : 'A';
  put_statement(&f, 7, text, len);
  l = (lines){0, "does not verify"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);

  /* Signed by another key. */
  cp_key *other = fx_key(0x77);
  assert_int_equal(cp_revstat_sign(other, ORIGIN, 7, root, 1, rev, text, sizeof text, &len), CP_OK);
  put_statement(&f, 7, text, len);
  l = (lines){0, "does not verify"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);
  cp_key_free(other);

  /* A statement beyond the log. */
  assert_int_equal(cp_revstat_sign(f.k, ORIGIN, 9, root, 1, rev, text, sizeof text, &len), CP_OK);
  put_statement(&f, 7, "x", 1);
  put_statement(&f, 9, text, len);
  l = (lines){0, "revocation statement at size 9 names another checkpoint"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);
  fx_free(&f);
}

/* A commit without a revoke carries the previous statement's set forward,
 * but only a statement that is signed by the log and bound to the held
 * tree: a record altered on disk is recomputed, not signed again. */
static void altered_statement_not_carried(void **state) {
  (void)state;
  fx_store f;
  uint8_t aw[4][32], want[32];
  cp_revstat st;
  char text[CP_REVSTAT_MAX];
  size_t len;
  build(&f, aw);
  revoke(&f, aw[3]);
  expected_root(&aw[3], 1, want);
  open_statement(&f, 7, &st);
  /* The stored statement at 7 with a flipped signature byte and a count
   * of 0, as a disk fault or an intruder without the key could leave it. */
  uint8_t empty[32];
  cp_merkle_empty_root(empty);
  assert_int_equal(cp_revstat_sign(f.k, ORIGIN, 7, st.root, 0, empty, text, sizeof text, &len),
                   CP_OK);
  text[len - 10] = text[len - 10] == 'A' ? 'B' : 'A';
  put_statement(&f, 7, text, len);
  /* The next commit has no revoke: it recomputes (count 1, not 0); the one
   * after it carries that set. */
  cp_diag d = {{0}};
  static const char *const ids[2] = {"c2", "c3"};
  for (int i = 0; i < 2; i++) {
    cp_appender *a = NULL;
    cp_entry e;
    assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 3, &a, &d), CP_OK);
    fx_credential(&e, ids[i]);
    assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    assert_int_equal(cp_appender_commit(a, &d), CP_OK);
    open_statement(&f, (uint64_t)(8 + i), &st);
    assert_int_equal(st.count, 1);
    assert_memory_equal(st.rev_root, want, 32);
  }
  /* The audit reports the altered statement alone; 8 and 9 (one set,
   * computed once) hold. */
  cp_audit_report rep;
  lines l = {0, "revocation statement"};
  assert_int_equal(cp_store_audit(f.s, 1, on_problem, &l, &rep), CP_EAUDIT);
  assert_int_equal(l.found, 1);
  assert_int_equal(rep.problems, 1);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(statement_with_every_checkpoint),
    cmocka_unit_test(audit_catches_tampered_statement),
    cmocka_unit_test(altered_statement_not_carried),
};

CP_TEST_MAIN(tests)
