/*
 * Checkpoint fork proofs (docs/FORMATS.md, "Fork proofs", R-fork-03): a
 * checkpoint signed by the log whose root contradicts the tree held is
 * recorded with a held checkpoint and a consistency proof; a partner's
 * proof is checked before it is kept; the audit checks a stored one again.
 * Expected roots and paths come from the RFC 9162 reference in the fixture.
 */
#include "test_store_fixture.h"

#include "../../node/store_internal.h"

#define ORIGIN "l.example/cpfork"
#define N 8 /* entries of each branch */

typedef struct {
  fx_store f;
  fx_log l;                 /* owns the log key */
  fx_buf a[N], b[N];        /* two branches, equal up to seq 2 */
  uint8_t la[N][32], lb[N][32];
} cpx;

static cpx *cpx_new(void) {
  cpx *x = calloc(1, sizeof *x);
  cp_entry e;
  fx_new(&x->f, 0x71, "credport/test/cpfork");
  fx_log_init(&x->l, 0x72);
  fx_genesis(&x->l, ORIGIN, &x->a[0]);
  fx_credential(&e, "c1");
  fx_sign(&x->l, &e, &x->a[1]);
  x->b[0] = x->a[0];
  x->b[1] = x->a[1];
  fx_log la = x->l, lb = x->l;
  lb.time += 100; /* B's entries differ from A's from seq 2 on */
  for (int i = 2; i < N; i++) {
    fx_award(&e, x->a[1].id, (uint8_t)(0x30 + i), "branch a");
    fx_sign(&la, &e, &x->a[i]);
    fx_award(&e, x->a[1].id, (uint8_t)(0x40 + i), "branch b");
    fx_sign(&lb, &e, &x->b[i]);
  }
  for (int i = 0; i < N; i++) {
    memcpy(x->la[i], x->a[i].id, 32);
    memcpy(x->lb[i], x->b[i].id, 32);
  }
  return x;
}

static void cpx_free(cpx *x) {
  fx_log_free(&x->l);
  fx_free(&x->f);
  free(x);
}

/* Holds branch br (its first n entries) in f. */
static void hold(fx_store *f, const fx_buf *br, size_t n) {
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  for (size_t i = 0; i < n; i++) fx_push(&bt, &br[i]);
  int rc = fx_ingest(f, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest: %d %s", rc, d.msg);
}

typedef struct {
  char t[CP_NOTE_MAX];
  size_t len;
} note;

/* A checkpoint of ORIGIN at size over the first `size` leaves of lh,
 * signed by k. */
static void sign_note(const cp_key *k, const uint8_t (*lh)[32], uint64_t size, note *out) {
  uint8_t root[32];
  ref_mth(lh, size, root);
  assert_int_equal(cp_checkpoint_sign(k, ORIGIN, size, root, out->t, sizeof out->t, &out->len),
                   CP_OK);
}

static int add_note(fx_store *f, const note *n, cp_diag *d) {
  memset(d, 0, sizeof *d);
  return cp_store_add_checkpoint(f->s, n->t, n->len, d);
}

static int forked(fx_store *f, const uint8_t log[CP_PK_BYTES]) {
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, log, &li), CP_OK);
  cp_reader_end(r);
  return (li.flags & CP_LOG_FORKED) != 0;
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

static void expect_audit(fx_store *f, int invalid) {
  alines al;
  cp_audit_report ar;
  memset(&al, 0, sizeof al);
  assert_int_equal(cp_store_audit(f->s, 1, audit_cb, &al, &ar), CP_EAUDIT);
  assert_int_equal(ar.forks, 1);
  assert_int_equal(al.forked, 1);
  if (strstr(al.line, "checkpoints") == NULL) fail_msg("audit says \"%s\"", al.line);
  if (al.invalid != invalid) fail_msg("audit found %d invalid proofs, not %d", al.invalid, invalid);
}

/* A node holding branch A (8 entries) and its checkpoints at sizes 5 and 8
 * gets a note signed by the log at size m over branch B: whether m is below
 * a held checkpoint's size (m = 3, not a power of two; m = 4, one; m = 6)
 * or equal to it (m = 5), the note, the held checkpoint at the least size
 * >= m and the consistency proof are recorded, and the log accepts nothing
 * more. */
static void cpfork_recorded(void **state) {
  (void)state;
  static const uint64_t ms[] = {3, 4, 5, 6};
  for (size_t t = 0; t < sizeof ms / sizeof ms[0]; t++) {
    cpx *x = cpx_new();
    note held5, held8, bad, bad2;
    cp_diag d;
    uint64_t m = ms[t], n = m <= 5 ? 5 : 8;
    hold(&x->f, x->a, N);
    sign_note(x->l.k, (const uint8_t(*)[32])x->la, 5, &held5);
    sign_note(x->l.k, (const uint8_t(*)[32])x->la, 8, &held8);
    assert_int_equal(add_note(&x->f, &held5, &d), CP_OK);
    assert_int_equal(add_note(&x->f, &held8, &d), CP_OK);
    assert_false(forked(&x->f, x->l.log));

    sign_note(x->l.k, (const uint8_t(*)[32])x->lb, m, &bad);
    int rc = add_note(&x->f, &bad, &d);
    if (rc != CP_EFORK) fail_msg("m = %llu: got %d \"%s\"", (unsigned long long)m, rc, d.msg);
    assert_non_null(strstr(d.msg, "fork proof recorded"));
    assert_true(forked(&x->f, x->l.log));
    assert_int_equal(fx_size(&x->f, x->l.log), N);

    cp_reader *r = NULL;
    cp_fork_proof p;
    uint8_t old_root[32], path[64][32];
    ref_mth((const uint8_t(*)[32])x->la, m, old_root);
    size_t np = ref_consistency(m, (const uint8_t(*)[32])x->la, n, path);
    const note *hn = n == 5 ? &held5 : &held8;
    assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
    assert_int_equal(cp_reader_fork(r, x->l.log, &p), CP_OK);
    assert_int_equal(p.kind, CP_FORK_CHECKPOINTS);
    assert_true(p.alen == bad.len && memcmp(p.a, bad.t, bad.len) == 0);
    assert_true(p.blen == hn->len && memcmp(p.b, hn->t, hn->len) == 0);
    assert_memory_equal(p.old_root, old_root, 32);
    assert_int_equal(p.npath, np);
    if (np) assert_memory_equal(p.path, path, np * 32);
    cp_reader_end(r);

    /* Forked: another contradiction adds nothing, and no entry is taken. */
    sign_note(x->l.k, (const uint8_t(*)[32])x->lb, 7, &bad2);
    assert_int_equal(add_note(&x->f, &bad2, &d), CP_EFORKED);
    fx_log more = x->l;
    fx_buf extra;
    cp_entry e;
    fx_batch bt = {{0}, {0}, 0};
    cp_ingest_report rep;
    more.seq = N;
    more.time = T0 + 1000;
    memcpy(more.prev, x->a[N - 1].id, 32);
    fx_award(&e, x->a[1].id, 0x77, "after the fork");
    fx_sign(&more, &e, &extra);
    fx_push(&bt, &extra);
    assert_int_equal(fx_ingest(&x->f, &bt, &rep, &d), CP_EFORKED);
    expect_audit(&x->f, 0);
    cpx_free(x);
  }
}

/* What proves nothing changes nothing: a consistent note is stored; a note
 * signed by another key is refused as before; a contradicting note with no
 * held checkpoint at its size or later is refused (CP_EPROOF). */
static void cpfork_not_a_fork(void **state) {
  (void)state;
  cpx *x = cpx_new();
  note n5, ok6, other, lone;
  cp_diag d;
  uint8_t before[32], after[32];
  cp_key *stranger = fx_key(0x73);
  hold(&x->f, x->a, N);
  sign_note(x->l.k, (const uint8_t(*)[32])x->la, 5, &n5);
  assert_int_equal(add_note(&x->f, &n5, &d), CP_OK);
  digest(&x->f, before);

  sign_note(x->l.k, (const uint8_t(*)[32])x->la, 6, &ok6);
  assert_int_equal(add_note(&x->f, &ok6, &d), CP_OK);
  assert_false(forked(&x->f, x->l.log));

  sign_note(stranger, (const uint8_t(*)[32])x->lb, 3, &other);
  assert_int_equal(add_note(&x->f, &other, &d), CP_EBADSIG);
  assert_false(forked(&x->f, x->l.log));

  sign_note(x->l.k, (const uint8_t(*)[32])x->lb, 7, &lone);
  assert_int_equal(add_note(&x->f, &lone, &d), CP_EPROOF);
  assert_non_null(strstr(d.msg, "no held checkpoint"));
  assert_false(forked(&x->f, x->l.log));
  digest(&x->f, after);
  assert_memory_equal(before, after, 32);

  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 1, NULL, NULL, &ar), CP_OK);
  cp_key_free(stranger);
  cpx_free(x);
}

/* The proof one node records, every node holding the log accepts, whichever
 * branch it holds; a tampered or contradiction-free one is refused. */
static void cpfork_from_partner(void **state) {
  (void)state;
  cpx *x = cpx_new();
  note n5, bad, other5;
  cp_diag d;
  cp_key *stranger = fx_key(0x73);
  hold(&x->f, x->a, N);
  sign_note(x->l.k, (const uint8_t(*)[32])x->la, 5, &n5);
  assert_int_equal(add_note(&x->f, &n5, &d), CP_OK);
  sign_note(x->l.k, (const uint8_t(*)[32])x->lb, 3, &bad);
  assert_int_equal(add_note(&x->f, &bad, &d), CP_EFORK);

  uint8_t old_root[32], wrong[32], ra[32], path[64][32];
  ref_mth((const uint8_t(*)[32])x->la, 3, old_root);
  ref_mth((const uint8_t(*)[32])x->lb, 3, ra);
  size_t np = ref_consistency(3, (const uint8_t(*)[32])x->la, 5, path);
  cp_fork_proof p = {CP_FORK_CHECKPOINTS, (const uint8_t *)bad.t, (const uint8_t *)n5.t, bad.len,
                     n5.len, old_root, (const uint8_t(*)[32])path, np};

  for (int branch = 0; branch < 2; branch++) {
    fx_store y;
    fx_new(&y, 0x74, "credport/test/cpfork-y");
    hold(&y, branch ? x->b : x->a, N);
    memset(&d, 0, sizeof d);
    assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &p, &d), CP_OK);
    assert_true(forked(&y, x->l.log));
    assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &p, &d), CP_EEXIST);
    expect_audit(&y, 0);
    fx_free(&y);
  }

  fx_store y;
  fx_new(&y, 0x74, "credport/test/cpfork-y");
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &p, &d), CP_ENOTFOUND);
  hold(&y, x->a, N);
  cp_fork_proof q = p;
  memcpy(wrong, old_root, 32);
  wrong[0] ^= 1;
  q.old_root = wrong;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EPROOF);
  q = p;
  q.old_root = ra; /* the old root a's note states: no contradiction */
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EINVAL);
  q = p;
  q.npath = np - 1;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EPROOF);
  q = p; /* the larger note first */
  q.a = p.b, q.alen = p.blen, q.b = p.a, q.blen = p.alen;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EINVAL);
  sign_note(stranger, (const uint8_t(*)[32])x->la, 5, &other5);
  q = p;
  q.b = (const uint8_t *)other5.t, q.blen = other5.len;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EBADSIG);
  q = p; /* one note twice: same size, same root */
  q.a = q.b, q.alen = q.blen, q.npath = 0;
  uint8_t r5[32];
  ref_mth((const uint8_t(*)[32])x->la, 5, r5);
  q.old_root = r5;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, x->l.log, &q, &d), CP_EINVAL);
  assert_false(forked(&y, x->l.log));
  fx_free(&y);
  cp_key_free(stranger);
  cpx_free(x);
}

/* A checkpoint of ORIGIN at size with the given root, signed by k. */
static void sign_root(const cp_key *k, uint64_t size, const uint8_t root[32], note *out) {
  assert_int_equal(cp_checkpoint_sign(k, ORIGIN, size, root, out->t, sizeof out->t, &out->len),
                   CP_OK);
}

/* A log that rotated its key twice (k0 -> k1 at seq 2, k1 -> k2 at seq 4):
 * a proof's notes may be signed by any key of the log the chain held
 * gives, the middle one included; a received checkpoint is verified under
 * the current key, as every checkpoint the node takes. */
static void cpfork_rotated_keys(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *v = calloc(6, sizeof *v);
  uint8_t lh[6][32], pk[3][32], root4[32], bad4[32], path[64][32];
  cp_key *k[3] = {NULL, fx_key(0x81), fx_key(0x82)};
  cp_key *stranger = fx_key(0x83);
  cp_entry e;
  cp_diag d;
  fx_new(&f, 0x71, "credport/test/cpfork-rot");
  fx_log_init(&l, 0x80);
  k[0] = l.k;
  for (int i = 0; i < 3; i++) cp_key_public(k[i], pk[i]);
  fx_genesis(&l, ORIGIN, &v[0]);
  fx_credential(&e, "c1");
  fx_sign(&l, &e, &v[1]);
  for (int r = 0; r < 2; r++) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_KEY;
    e.u.key.action = CP_KEY_ROTATE;
    memcpy(e.u.key.new_key, pk[r + 1], 32);
    fx_sign_with(&l, &e, k[r], &v[2 + 2 * r], 1);
    fx_award(&e, v[1].id, (uint8_t)(0x60 + r), "after a rotation");
    fx_sign_with(&l, &e, k[r + 1], &v[3 + 2 * r], 1);
  }
  hold(&f, v, 6);
  for (int i = 0; i < 6; i++) memcpy(lh[i], v[i].id, 32);

  note n6, a1, a0, ax, a2;
  sign_note(k[2], (const uint8_t(*)[32])lh, 6, &n6);
  assert_int_equal(add_note(&f, &n6, &d), CP_OK);
  ref_mth((const uint8_t(*)[32])lh, 4, root4);
  memcpy(bad4, root4, 32);
  bad4[5] ^= 0x10;
  size_t np = ref_consistency(4, (const uint8_t(*)[32])lh, 6, path);
  sign_root(k[1], 4, bad4, &a1);
  sign_root(k[0], 4, bad4, &a0);
  sign_root(stranger, 4, bad4, &ax);
  sign_root(k[2], 4, bad4, &a2);
  cp_fork_proof p = {CP_FORK_CHECKPOINTS, (const uint8_t *)a1.t, (const uint8_t *)n6.t, a1.len,
                     n6.len, root4, (const uint8_t(*)[32])path, np};

  /* Received: under the current key only. */
  assert_int_equal(add_note(&f, &a1, &d), CP_EBADSIG);
  assert_false(forked(&f, l.log));
  /* In a proof: the middle key, the genesis key; never a stranger's. */
  fx_store y;
  fx_new(&y, 0x74, "credport/test/cpfork-y");
  hold(&y, v, 6);
  cp_fork_proof q = p;
  q.a = (const uint8_t *)ax.t, q.alen = ax.len;
  assert_int_equal(cp_store_add_checkpoint_fork(y.s, l.log, &q, &d), CP_EBADSIG);
  q.a = (const uint8_t *)a0.t, q.alen = a0.len;
  memset(&d, 0, sizeof d);
  int rc = cp_store_add_checkpoint_fork(y.s, l.log, &q, &d);
  if (rc != CP_OK) fail_msg("note by the genesis key: %d %s", rc, d.msg);
  fx_free(&y);
  fx_new(&y, 0x74, "credport/test/cpfork-y");
  hold(&y, v, 6);
  memset(&d, 0, sizeof d);
  rc = cp_store_add_checkpoint_fork(y.s, l.log, &p, &d);
  if (rc != CP_OK) fail_msg("note by the middle key: %d %s", rc, d.msg);
  expect_audit(&y, 0);
  fx_free(&y);

  /* Under the current key, the node builds the proof itself. */
  assert_int_equal(add_note(&f, &a2, &d), CP_EFORK);
  expect_audit(&f, 0);
  cp_key_free(k[1]);
  cp_key_free(k[2]);
  cp_key_free(stranger);
  fx_log_free(&l);
  fx_free(&f);
  free(v);
}

/* Offsets in a version 2 record: u32 0 | u8 2 | u32 la | a | u32 lb | b |
 * u8 k | old root | path. */
static size_t off_b(const uint8_t *p) { return 13 + cp__rd32(p + 5); }
static size_t off_k(const uint8_t *p) { return off_b(p) + cp__rd32(p + off_b(p) - 4); }
static size_t off_root(const uint8_t *p) { return off_k(p) + 1; }

static void flip_old_root(uint8_t *p, size_t n) {
  (void)n;
  p[off_root(p) + 7] ^= 0x01;
}
/* A base64 character inside note b's signature line. */
static void flip_b_signature(uint8_t *p, size_t n) {
  (void)n;
  p[off_k(p) - 20] ^= 0x01;
}
/* The last hash of the path. */
static void flip_path(uint8_t *p, size_t n) { p[n - 1] ^= 0x01; }

static void tamper(fx_store *f, const uint8_t log[CP_PK_BYTES], void (*fn)(uint8_t *, size_t)) {
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

/* The audit checks a stored checkpoint fork proof as a partner's is
 * checked: a record altered in its old root, a note's signature or its
 * path is reported as not a valid proof. */
static void cpfork_audit_tampered(void **state) {
  (void)state;
  void (*fns[3])(uint8_t *, size_t) = {flip_old_root, flip_b_signature, flip_path};
  for (int t = 0; t < 3; t++) {
    cpx *x = cpx_new();
    note n8, bad;
    cp_diag d;
    hold(&x->f, x->a, N);
    sign_note(x->l.k, (const uint8_t(*)[32])x->la, 8, &n8);
    assert_int_equal(add_note(&x->f, &n8, &d), CP_OK);
    sign_note(x->l.k, (const uint8_t(*)[32])x->lb, 3, &bad);
    assert_int_equal(add_note(&x->f, &bad, &d), CP_EFORK);
    expect_audit(&x->f, 0);
    tamper(&x->f, x->l.log, fns[t]);
    expect_audit(&x->f, 1);
    cpx_free(x);
  }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(cpfork_recorded),
    cmocka_unit_test(cpfork_not_a_fork),
    cmocka_unit_test(cpfork_from_partner),
    cmocka_unit_test(cpfork_audit_tampered),
    cmocka_unit_test(cpfork_rotated_keys),
};

CP_TEST_MAIN(tests)
