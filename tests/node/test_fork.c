/*
 * Fork proofs: two branches of one log of unequal length (5 and 6 entries)
 * are equivocation whichever a node holds and whichever part of the other
 * it receives; fork proofs of both kinds are checked the same way when they
 * come from a partner and when the audit reads them back; and a verified
 * batch is bound to the key each signature was checked with.
 */
#include "test_store_fixture.h"

#include "../../node/store_internal.h"

typedef struct {
  fx_store f;
  fx_log l;                 /* the log both branches share; owns the key */
  fx_buf *base;             /* seq 0 (genesis), 1 (credential) */
  fx_buf *a;                /* branch A: seqs 2..4 (5 entries in all) */
  fx_buf *b;                /* branch B: seqs 2..5 (6 entries in all) */
} two;

static two *two_setup(void) {
  two *x = calloc(1, sizeof *x);
  cp_entry e;
  x->base = calloc(2, sizeof *x->base);
  x->a = calloc(3, sizeof *x->a);
  x->b = calloc(4, sizeof *x->b);
  fx_new(&x->f, 0x71, "credport/test/fork");
  fx_log_init(&x->l, 0x72);
  fx_genesis(&x->l, "l.example/fork", &x->base[0]);
  fx_credential(&e, "c1");
  fx_sign(&x->l, &e, &x->base[1]);
  fx_log la = x->l, lb = x->l;
  lb.time += 100; /* B's entries differ from A's from seq 2 on */
  for (int i = 0; i < 3; i++) {
    fx_award(&e, x->base[1].id, (uint8_t)(0x30 + i), "branch a");
    fx_sign(&la, &e, &x->a[i]);
  }
  for (int i = 0; i < 4; i++) {
    fx_award(&e, x->base[1].id, (uint8_t)(0x40 + i), "branch b");
    fx_sign(&lb, &e, &x->b[i]);
  }
  return x;
}

static void two_free(two *x) {
  fx_log_free(&x->l);
  fx_free(&x->f);
  free(x->base);
  free(x->a);
  free(x->b);
  free(x);
}

/* Ingests base then the first n entries of branch br; must succeed. */
static void hold(two *x, const fx_buf *br, size_t n) {
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  fx_push(&bt, &x->base[0]);
  fx_push(&bt, &x->base[1]);
  for (size_t i = 0; i < n; i++) fx_push(&bt, &br[i]);
  int rc = fx_ingest(&x->f, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest of a branch: %d %s", rc, d.msg);
  assert_int_equal(fx_size(&x->f, x->l.log), 2 + n);
}

typedef struct {
  int forked, invalid;
  char line[512];
} alines;

static void audit_cb(void *ctx, const char *line) {
  alines *a = ctx;
  if (strstr(line, "is forked") != NULL) {
    a->forked++;
    snprintf(a->line, sizeof a->line, "%s", line);
  }
  if (strstr(line, "not a valid proof") != NULL) a->invalid++;
}

/* The stored proof is (pa, pb) and the log is marked forked at size. */
static void expect_proof(two *x, const fx_buf *pa, const fx_buf *pb, uint64_t size) {
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  cp_fork_proof fp;
  assert_int_equal(cp_reader_fork(r, x->l.log, &fp), CP_OK);
  assert_int_equal(fp.kind, CP_FORK_ENTRIES);
  assert_true(fp.alen == pa->len && memcmp(fp.a, pa->b, fp.alen) == 0);
  assert_true(fp.blen == pb->len && memcmp(fp.b, pb->b, fp.blen) == 0);
  assert_int_equal(cp_reader_log(r, x->l.log, &li), CP_OK);
  assert_true(li.flags & CP_LOG_FORKED);
  assert_int_equal(li.size, size);
  cp_reader_end(r);
}

static void expect_audit_fork(two *x, const char *says) {
  alines al;
  cp_audit_report ar;
  memset(&al, 0, sizeof al);
  assert_int_equal(cp_store_audit(x->f.s, 2, audit_cb, &al, &ar), CP_EAUDIT);
  assert_int_equal(ar.forks, 1);
  assert_int_equal(al.forked, 1);
  assert_int_equal(al.invalid, 0);
  if (strstr(al.line, says) == NULL) fail_msg("audit says \"%s\", not \"%s\"", al.line, says);
}

/* Holding the 5-entry branch, a node asks for seq 5 on and gets B's seq 5,
 * whose prev is the ID of B's entry 4, not of the entry 4 held: the log key
 * signed both branches. */
static void fork_longer_branch_on_shorter(void **state) {
  (void)state;
  two *x = two_setup();
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  hold(x, x->a, 3);
  fx_push(&bt, &x->b[3]);
  assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_EFORK);
  assert_int_equal(rep.forked, 1);
  assert_int_equal(rep.failed_at, 0);
  assert_int_equal(rep.added, 0);
  assert_non_null(strstr(d.msg, "seq 5: equivocation"));
  expect_proof(x, &x->a[2], &x->b[3], 5);
  /* Nothing more is taken from that log. */
  assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_EFORKED);
  expect_audit_fork(x, "entry 5 names a prev that is not entry 4");
  /* The proof is the same to a partner holding either branch. */
  for (int order = 0; order < 2; order++) {
    two *y = two_setup();
    hold(y, y->b, 4);
    int rc = order == 0 ? cp_store_add_fork(y->f.s, x->a[2].b, x->a[2].len, x->b[3].b,
                                            x->b[3].len, &d)
                        : cp_store_add_fork(y->f.s, x->b[3].b, x->b[3].len, x->a[2].b,
                                            x->a[2].len, &d);
    if (rc != 0) fail_msg("add_fork (order %d) on the 6-entry branch: %d %s", order, rc, d.msg);
    expect_proof(y, &x->a[2], &x->b[3], 6);
    expect_audit_fork(y, "entry 5 names a prev that is not entry 4");
    two_free(y);
  }
  two_free(x);
}

/* Holding the 6-entry branch, the 5-entry one arrives (whole, or from the
 * seq where they part): two entries at one seq. */
static void fork_shorter_branch_on_longer(void **state) {
  (void)state;
  for (int whole = 0; whole < 2; whole++) {
    two *x = two_setup();
    fx_batch bt = {{0}, {0}, 0};
    cp_ingest_report rep;
    cp_diag d;
    hold(x, x->b, 4);
    if (whole) {
      fx_push(&bt, &x->base[0]);
      fx_push(&bt, &x->base[1]);
    }
    for (int i = 0; i < 3; i++) fx_push(&bt, &x->a[i]);
    assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_EFORK);
    assert_int_equal(rep.forked, 1);
    assert_int_equal(rep.failed_at, whole ? 2 : 0);
    expect_proof(x, &x->b[0], &x->a[0], 6);
    expect_audit_fork(x, "two signed entries at one seq");
    two_free(x);
  }
}

/* What is not a proof of the new kind. */
static void fork_prev_proof_rules(void **state) {
  (void)state;
  two *x = two_setup();
  cp_diag d;
  fx_buf *t = calloc(1, sizeof *t);
  hold(x, x->a, 3);
  /* Consecutive entries of one branch: no contradiction. */
  assert_int_equal(cp_store_add_fork(x->f.s, x->b[2].b, x->b[2].len, x->b[3].b, x->b[3].len, &d),
                   CP_EINVAL);
  assert_non_null(strstr(d.msg, "no contradiction"));
  /* Seqs two apart. */
  assert_int_equal(cp_store_add_fork(x->f.s, x->a[1].b, x->a[1].len, x->b[3].b, x->b[3].len, &d),
                   CP_EINVAL);
  /* A contradiction whose second entry is not signed by the log. */
  *t = x->b[3];
  t->b[t->len - 3] ^= 0x10;
  assert_int_equal(cp_store_add_fork(x->f.s, x->a[2].b, x->a[2].len, t->b, t->len, &d),
                   CP_EBADSIG);
  /* Received in a batch, the same forged entry is a broken chain. */
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  fx_push(&bt, t);
  assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_ECHAIN);
  assert_int_equal(rep.forked, 0);
  assert_non_null(strstr(d.msg, "prev does not match the ID of entry 4"));
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, x->l.log, &li), CP_OK);
  assert_false(li.flags & CP_LOG_FORKED);
  cp_reader_end(r);
  free(t);
  two_free(x);
}

/* Rewrites the stored fork record of log with fn applied to its bytes. */
static void tamper_fork(fx_store *f, const uint8_t log[CP_PK_BYTES],
                        void (*fn)(uint8_t *p, size_t n)) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t kb[4], *copy;
  assert_int_equal(cp__tx_begin(f->s, 1, &tx, NULL), CP_OK);
  assert_int_equal(cp__logrec_get(&tx, log, &lr), CP_OK);
  cp__be32(kb, lr.logno);
  MDB_val k = {4, kb}, v;
  assert_int_equal(mdb_get(tx.txn, f->s->forks, &k, &v), 0);
  copy = malloc(v.mv_size);
  memcpy(copy, v.mv_data, v.mv_size);
  fn(copy, v.mv_size);
  v.mv_data = copy;
  assert_int_equal(mdb_put(tx.txn, f->s->forks, &k, &v, 0), 0);
  assert_int_equal(cp__tx_commit(&tx, NULL), CP_OK);
  free(copy);
}

/* The last byte of the record is the last byte of entry b's signature. */
static void flip_b_signature(uint8_t *p, size_t n) { p[n - 1] ^= 0x01; }
/* The first entry's signature ends just before b's length field. */
static void flip_a_signature(uint8_t *p, size_t n) {
  (void)n;
  p[4 + cp__rd32(p) - 1] ^= 0x01;
}

/* The audit checks the stored proof as a partner's proof is checked: both
 * signatures and the contradiction. */
static void audit_checks_stored_fork(void **state) {
  (void)state;
  void (*tamper[2])(uint8_t *, size_t) = {flip_a_signature, flip_b_signature};
  /* Kind 1 (two entries at one seq) first: it is the older kind. */
  for (int kind = 1; kind >= 0; kind--)
    for (int which = 0; which < 2; which++) {
      two *x = two_setup();
      fx_batch bt = {{0}, {0}, 0};
      cp_ingest_report rep;
      cp_diag d;
      alines al;
      cp_audit_report ar;
      hold(x, x->a, 3);
      if (kind == 0) fx_push(&bt, &x->b[3]); /* entry k+1 of the other branch */
      else fx_push(&bt, &x->b[2]);           /* a second entry at seq 4 */
      assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_EFORK);
      memset(&al, 0, sizeof al);
      assert_int_equal(cp_store_audit(x->f.s, 1, audit_cb, &al, &ar), CP_EAUDIT);
      assert_int_equal(al.invalid, 0);
      tamper_fork(&x->f, x->l.log, tamper[which]);
      memset(&al, 0, sizeof al);
      assert_int_equal(cp_store_audit(x->f.s, 1, audit_cb, &al, &ar), CP_EAUDIT);
      if (al.invalid != 1)
        fail_msg("kind %d, entry %c tampered: the audit did not find the proof invalid", kind,
                 which ? 'b' : 'a');
      two_free(x);
    }
}

/* A key rotation in one batch and entries signed by the new key in a later
 * one, both verified by workers against a snapshot taken before either was
 * committed (as the pipeline does): the check is bound to the key used. */
static void ingest_checked_follows_rotation(void **state) {
  (void)state;
  two *x = two_setup();
  cp_key *k2 = fx_key(0x73);
  uint8_t pk1[CP_PK_BYTES], pk2[CP_PK_BYTES];
  cp_key_public(x->l.k, pk1);
  cp_key_public(k2, pk2);
  fx_buf *rot = calloc(1, sizeof *rot), *nw = calloc(2, sizeof *nw), *old = calloc(1, sizeof *old);
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d = {{0}};
  hold(x, x->a, 0); /* seq 0, 1 */
  fx_log l = x->l;
  memset(&e, 0, sizeof e);
  e.type = CP_T_KEY;
  e.u.key.action = CP_KEY_ROTATE;
  memcpy(e.u.key.new_key, pk2, CP_PK_BYTES);
  fx_sign(&l, &e, rot); /* seq 2, by the old key */
  fx_log after = l;
  fx_award(&e, x->base[1].id, 0x50, "new key");
  fx_sign_with(&after, &e, k2, &nw[0], 1); /* seq 3, by the new key */
  fx_award(&e, x->base[1].id, 0x51, "new key");
  fx_sign_with(&after, &e, k2, &nw[1], 1);
  fx_award(&e, x->base[1].id, 0x52, "retired key");
  fx_sign_with(&l, &e, NULL, old, 0); /* seq 3, by the retired key */

  /* The rotation, checked under the key then in force. */
  const uint8_t *b1[1] = {rot->b}, *k1v[1] = {pk1};
  size_t l1[1] = {rot->len};
  int rc = cp_store_ingest_checked(x->f.s, b1, l1, k1v, 1, T0 + 100000, &rep, &d);
  if (rc != 0) fail_msg("rotation: %d %s", rc, d.msg);

  /* A later batch checked by a worker whose snapshot predates the rotation:
   * entries by the retired key passed there; they are refused at commit. */
  const uint8_t *b2[1] = {old->b}, *k2v[1] = {pk1};
  size_t l2[1] = {old->len};
  rc = cp_store_ingest_checked(x->f.s, b2, l2, k2v, 1, T0 + 100000, &rep, &d);
  assert_int_equal(rc, CP_EBADSIG);
  assert_non_null(strstr(d.msg, "signature"));
  assert_int_equal(fx_size(&x->f, x->l.log), 3);

  /* The honest entries failed there (NULL: not verified) and are verified
   * at commit under the new key. A wrong recorded key is not trusted. */
  const uint8_t *b3[2] = {nw[0].b, nw[1].b}, *k3v[2] = {NULL, pk1};
  size_t l3[2] = {nw[0].len, nw[1].len};
  rc = cp_store_ingest_checked(x->f.s, b3, l3, k3v, 2, T0 + 100000, &rep, &d);
  if (rc != 0) fail_msg("entries by the new key: %d %s", rc, d.msg);
  assert_int_equal(rep.added, 2);
  assert_int_equal(fx_size(&x->f, x->l.log), 5);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 1, NULL, NULL, &ar), CP_OK);

  /* Rotation and later entries in one batch, all recorded as verified under
   * the old key: the entries after the rotation are verified again. */
  two *y = two_setup();
  hold(y, y->a, 0);
  const uint8_t *b4[2] = {rot->b, old->b}, *k4v[2] = {pk1, pk1};
  size_t l4[2] = {rot->len, old->len};
  assert_int_equal(cp_store_ingest_checked(y->f.s, b4, l4, k4v, 2, T0 + 100000, &rep, &d),
                   CP_EBADSIG);
  assert_int_equal(rep.failed_at, 1);
  assert_int_equal(fx_size(&y->f, y->l.log), 2);
  two_free(y);
  cp_key_free(k2);
  free(rot);
  free(nw);
  free(old);
  two_free(x);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fork_longer_branch_on_shorter),
    cmocka_unit_test(fork_shorter_branch_on_longer),
    cmocka_unit_test(fork_prev_proof_rules),
    cmocka_unit_test(audit_checks_stored_fork),
    cmocka_unit_test(ingest_checked_follows_rotation),
};

CP_TEST_MAIN(tests)
