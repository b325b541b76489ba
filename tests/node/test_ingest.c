/*
 * Ingesting entries from anywhere: copies of another store's log,
 * duplicates, forks, key rotation and retirement, and logs interleaved in
 * one batch. The rejection rules are in test_ingest_reject.c.
 */
#include <time.h>

#include "test_store_fixture.h"

typedef struct {
  const void *unused;
  fx_batch *b;
  fx_buf *bufs;
  size_t n;
} copyctx;

static int copy_cb(void *ctx, const uint8_t *buf, size_t len) {
  copyctx *c = ctx;
  fx_buf *x = &c->bufs[c->n++];
  memcpy(x->b, buf, len);
  x->len = len;
  fx_push(c->b, x);
  return 0;
}

static void ingest_copy_from_store(void **state) {
  (void)state;
  fx_store a, b;
  cp_appender *ap = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[32], aw[32], other[32], da[32], db[32];
  fx_new(&a, 0x51, "credport/test/a");
  fx_new(&b, 0x52, "credport/test/b");
  assert_int_equal(cp_appender_begin(b.s, b.k, T0 + 5, &ap, &d), CP_OK);
  fx_credential(&e, "b-cred");
  assert_int_equal(cp_appender_add(ap, &e, cred, &d), CP_OK);
  for (int i = 0; i < 4; i++) {
    fx_award(&e, cred, (uint8_t)(0x10 + i), "assessor");
    assert_int_equal(cp_appender_add(ap, &e, aw, &d), CP_OK);
  }
  fx_revoke(&e, aw);
  assert_int_equal(cp_appender_add(ap, &e, NULL, &d), CP_OK);
  fx_endorse(&e, CP_SUBJECT_AUTHORITY, a.pk);
  assert_int_equal(cp_appender_add(ap, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK);

  fx_buf *bufs = calloc(16, sizeof *bufs);
  fx_batch bt = {{0}, {0}, 0};
  copyctx cc = {NULL, &bt, bufs, 0};
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(b.s, &r), CP_OK);
  assert_int_equal(cp_reader_each_entry(r, b.pk, 0, copy_cb, &cc), CP_OK);
  cp_reader_end(r);
  assert_int_equal(bt.n, 8);

  cp_ingest_report rep;
  int rc = fx_ingest(&a, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest: %d %s", rc, d.msg);
  assert_int_equal(rep.added, 8);
  assert_int_equal(rep.duplicates, 0);
  assert_int_equal(rep.forked, 0);

  cp_log_info la, lb;
  assert_int_equal(cp_reader_begin(b.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, b.pk, &lb), CP_OK);
  lb.name = lb.jurisdiction = (cp_str){NULL, 0};
  cp_str borigin = lb.origin;
  char ob[64];
  snprintf(ob, sizeof ob, "%.*s", (int)borigin.len, borigin.p);
  cp_reader_end(r);
  assert_int_equal(cp_reader_begin(a.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, b.pk, &la), CP_OK);
  assert_int_equal(la.size, 8);
  assert_int_equal(la.size, lb.size);
  assert_memory_equal(la.head, lb.head, 32);
  assert_memory_equal(la.root, lb.root, 32);
  assert_true(cp_str_eq(la.origin, ob));
  /* B's awards are found by educator and by credential in A. */
  size_t n = 0;
  memset(other, 0x12, 32);
  assert_int_equal(cp_reader_by_educator(r, other, fx_count_cb, &n), CP_OK);
  assert_int_equal(n, 1);
  n = 0;
  assert_int_equal(cp_reader_by_credential(r, cred, fx_count_cb, &n), CP_OK);
  assert_int_equal(n, 4);
  const uint8_t *p;
  size_t plen;
  assert_int_equal(cp_reader_revocation(r, aw, &p, &plen), CP_OK);
  n = 0;
  assert_int_equal(cp_reader_by_subject(r, a.pk, fx_count_cb, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(cp_reader_credential(r, b.pk, "b-cred", &p, &plen), CP_OK);
  cp_reader_end(r);

  /* The same batch again adds nothing and reports duplicates. */
  digest(&a, da);
  rc = fx_ingest(&a, &bt, &rep, &d);
  assert_int_equal(rc, CP_OK);
  assert_int_equal(rep.added, 0);
  assert_int_equal(rep.duplicates, 8);
  digest(&a, db);
  assert_memory_equal(da, db, 32);

  cp_audit_report ar;
  assert_int_equal(cp_store_audit(a.s, 2, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.logs, 2);
  assert_int_equal(ar.entries, 9);
  assert_int_equal(ar.problems, 0);
  free(bufs);
  fx_free(&a);
  fx_free(&b);
}

/* Part held, part new; then timing: duplicates are not verified again. */
static void ingest_duplicates(void **state) {
  (void)state;
  enum { N = 200 };
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(N, sizeof *b);
  fx_batch half = {{0}, {0}, 0}, all = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  fx_new(&f, 0x53, "credport/test/dup");
  fx_log_init(&l, 0x54);
  fx_genesis(&l, "dup.example/log", &b[0]);
  for (int i = 1; i < N; i++) {
    cp_entry e;
    char id[16];
    snprintf(id, sizeof id, "c%d", i);
    fx_credential(&e, id);
    fx_sign(&l, &e, &b[i]);
  }
  for (int i = 0; i < N; i++) {
    if (i < N / 2) fx_push(&half, &b[i]);
    fx_push(&all, &b[i]);
  }
  assert_int_equal(fx_ingest(&f, &half, &rep, &d), CP_OK);
  assert_int_equal(rep.added, N / 2);
  assert_int_equal(fx_ingest(&f, &all, &rep, &d), CP_OK);
  assert_int_equal(rep.added, N - N / 2);
  assert_int_equal(rep.duplicates, N / 2);
  assert_int_equal(fx_size(&f, l.log), N);
  /* A batch whose last entry is a duplicate: the new ones before it count. */
  fx_log m;
  fx_buf *mb = calloc(2, sizeof *mb);
  fx_batch tail = {{0}, {0}, 0};
  fx_log_init(&m, 0x55);
  fx_genesis(&m, "dup.example/other", &mb[0]);
  fx_push(&tail, &mb[0]);
  fx_push(&tail, &mb[0]); /* twice in one batch: the second is a duplicate */
  fx_push(&tail, &b[N - 1]);
  int rc = fx_ingest(&f, &tail, &rep, &d);
  if (rc != 0) fail_msg("a batch ending in a duplicate: %d %s", rc, d.msg);
  assert_int_equal(rep.added, 1);
  assert_int_equal(rep.duplicates, 2);
  assert_int_equal(fx_size(&f, m.log), 1);
  fx_log_free(&m);
  free(mb);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int k = 0; k < 5; k++) {
    assert_int_equal(fx_ingest(&f, &all, &rep, &d), CP_OK);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.duplicates, N);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double dup = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  /* 5 x N signature checks, timed the same way, for scale. */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int k = 0; k < 5; k++)
    for (int i = 0; i < N; i++) assert_int_equal(cp_entry_verify(b[i].b, b[i].len, l.log), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ver = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (dup > ver / 2) fail_msg("duplicates took %.4f s, verifying them %.4f s: re-verified?", dup, ver);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

/* ---- forks -------------------------------------------------------------- */

typedef struct {
  int forked;
  char line[512];
} auditlines;

static void audit_cb(void *ctx, const char *line) {
  auditlines *a = ctx;
  if (strstr(line, "fork") != NULL) {
    a->forked = 1;
    snprintf(a->line, sizeof a->line, "%s", line);
  }
}

static void ingest_fork(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d;
  fx_log alt = x->l;
  fx_buf *fb = calloc(2, sizeof *fb);
  /* A differing entry at a held seq that is not validly signed: refused,
   * and not taken for a fork. */
  alt.seq = 2;
  memcpy(alt.prev, x->cred, 32);
  alt.time = T0 + 2;
  fx_award(&e, x->cred, 0x2F, "other");
  fx_sign_with(&alt, &e, NULL, &fb[0], 0);
  fb[0].b[fb[0].len - 1] ^= 1;
  x->bt.n = 0;
  fx_push(&x->bt, &x->mg);
  fx_push(&x->bt, &fb[0]);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EBADSIG);
  assert_int_equal(rep.forked, 0);

  /* The same seq, validly signed: equivocation. */
  fx_sign_with(&alt, &e, NULL, &fb[0], 0);
  x->bt.n = 0;
  fx_push(&x->bt, &x->mg);
  fx_push(&x->bt, &fb[0]);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORK);
  assert_int_equal(rep.forked, 1);
  assert_int_equal(rep.failed_at, 1);
  assert_non_null(strstr(d.msg, "equivocation"));
  assert_int_equal(fx_size(&x->f, x->m.log), 0); /* the batch itself is refused */

  cp_reader *r = NULL;
  const uint8_t *pa, *pb;
  size_t la, lb;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  cp_fork_proof fp;
  assert_int_equal(cp_reader_fork(r, x->l.log, &fp), CP_OK);
  assert_int_equal(fp.kind, CP_FORK_ENTRIES);
  pa = fp.a, la = fp.alen, pb = fp.b, lb = fp.blen;
  assert_true(la == x->base[2].len && memcmp(pa, x->base[2].b, la) == 0);
  assert_true(lb == fb[0].len && memcmp(pb, fb[0].b, lb) == 0);
  assert_int_equal(cp_reader_log(r, x->l.log, &li), CP_OK);
  assert_true(li.flags & CP_LOG_FORKED);
  assert_int_equal(li.size, 3);
  cp_reader_end(r);

  /* The log refuses everything now: its next entry, and even a copy of a
   * held one. Other logs are still accepted. */
  x->bt.n = 0;
  fx_push(&x->bt, &x->good);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORKED);
  assert_non_null(strstr(d.msg, "forked"));
  x->bt.n = 0;
  fx_push(&x->bt, &x->base[1]);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORKED);
  x->bt.n = 0;
  fx_push(&x->bt, &fb[0]);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORKED);
  x->bt.n = 0;
  fx_push(&x->bt, &x->mg);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_OK);
  assert_int_equal(fx_size(&x->f, x->l.log), 3);

  /* Audit reports the fork. */
  auditlines al = {0, ""};
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 2, audit_cb, &al, &ar), CP_EAUDIT);
  assert_int_equal(ar.forks, 1);
  assert_true(ar.problems >= 1);
  assert_true(al.forked);
  /* Survives reopening. */
  cp_store_close(x->f.s);
  fx_open(&x->f);
  x->bt.n = 0;
  fx_push(&x->bt, &x->good);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORKED);
  free(fb);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

/* A second, validly signed version of an entry of the node's own log (say,
 * from a restored backup) forks it: the node itself can append no more. */
static void ingest_fork_of_own_log(void **state) {
  (void)state;
  fx_store f;
  fx_log own;
  fx_buf *b = calloc(1, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  cp_appender *a = NULL;
  const uint8_t *g;
  size_t glen;
  cp_reader *r = NULL;
  fx_new(&f, 0x56, "credport/test/ownfork");
  fx_log_init(&own, 0x56); /* the same key */
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry(r, f.pk, 0, &g, &glen), CP_OK);
  ref_leaf(g, glen, own.prev);
  cp_reader_end(r);
  own.seq = 1;
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 1, &a, &d), CP_OK);
  fx_credential(&e, "mine");
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  fx_credential(&e, "the-other-mine");
  fx_sign(&own, &e, &b[0]);
  fx_push(&bt, &b[0]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_EFORK);
  assert_int_equal(rep.forked, 1);
  a = NULL;
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 2, &a, &d), CP_EFORKED);
  assert_null(a);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &ar), CP_EAUDIT);
  assert_int_equal(ar.forks, 1);
  fx_log_free(&own);
  free(b);
  fx_free(&f);
}

/* A fork proof received from a partner. */
static void ingest_add_fork_proof(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_diag d;
  fx_log alt = x->l, stranger;
  fx_buf *fb = calloc(3, sizeof *fb);
  alt.seq = 2;
  memcpy(alt.prev, x->cred, 32);
  alt.time = T0 + 2;
  fx_award(&e, x->cred, 0x2E, "other");
  fx_sign_with(&alt, &e, NULL, &fb[0], 0);
  /* The same entry twice is no proof; an unsigned one neither. */
  assert_int_equal(cp_store_add_fork(x->f.s, fb[0].b, fb[0].len, fb[0].b, fb[0].len, &d),
                   CP_EINVAL);
  fb[1] = fb[0];
  fb[1].b[fb[1].len - 1] ^= 1;
  assert_int_equal(cp_store_add_fork(x->f.s, x->base[2].b, x->base[2].len, fb[1].b, fb[1].len,
                                     &d), CP_EBADSIG);
  /* Entries at different seqs are no proof. */
  assert_int_equal(cp_store_add_fork(x->f.s, x->base[1].b, x->base[1].len, fb[0].b, fb[0].len,
                                     &d), CP_EINVAL);
  /* A log this node does not hold. */
  fx_log_init(&stranger, 0x66);
  fx_genesis(&stranger, "s.example/log", &fb[2]);
  fx_log st2 = stranger;
  st2.seq = 0;
  st2.time = T0 + 9;
  memset(st2.prev, 0, 32);
  fx_buf *g2 = calloc(1, sizeof *g2);
  fx_genesis(&st2, "s.example/other", g2);
  assert_int_equal(cp_store_add_fork(x->f.s, fb[2].b, fb[2].len, g2->b, g2->len, &d),
                   CP_ENOTFOUND);
  free(g2);
  fx_log_free(&stranger);
  assert_int_equal(fx_size(&x->f, x->l.log), 3);
  /* Nothing so far marked the log forked. */
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, x->l.log, &li), CP_OK);
  assert_false(li.flags & CP_LOG_FORKED);
  cp_reader_end(r);
  /* A real proof: recorded; the log takes nothing more; a second is EEXIST. */
  int rc = cp_store_add_fork(x->f.s, x->base[2].b, x->base[2].len, fb[0].b, fb[0].len, &d);
  if (rc != 0) fail_msg("add_fork: %d %s", rc, d.msg);
  x->bt.n = 0;
  fx_push(&x->bt, &x->good);
  cp_ingest_report rep;
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_EFORKED);
  assert_int_equal(cp_store_add_fork(x->f.s, x->base[2].b, x->base[2].len, fb[0].b, fb[0].len,
                                     &d), CP_EEXIST);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 1, NULL, NULL, &ar), CP_EAUDIT);
  assert_int_equal(ar.forks, 1);
  free(fb);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

/* ---- key rotation and retirement ------------------------------------------ */

static void key_entry(cp_entry *e, unsigned action, const cp_key *k) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_KEY;
  e->u.key.action = (uint8_t)action;
  if (k != NULL) cp_key_public(k, e->u.key.new_key);
}

static void ingest_key_rotation(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(12, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  cp_key *k1, *k2 = fx_key(0x72), *k3 = fx_key(0x73);
  uint8_t pk2[32], pk3[32];
  cp_key_public(k2, pk2);
  cp_key_public(k3, pk3);
  fx_new(&f, 0x70, "credport/test/rot");
  fx_log_init(&l, 0x71);
  k1 = l.k;
  fx_genesis(&l, "rot.example/log", &b[0]);
  key_entry(&e, CP_KEY_ROTATE, k1); /* to the same key: refused */
  fx_sign(&l, &e, &b[1]);
  fx_push(&bt, &b[0]);
  fx_push(&bt, &b[1]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_ERULE);
  assert_non_null(strstr(d.msg, "same key"));
  l.seq = 1;
  memcpy(l.prev, b[0].id, 32);
  key_entry(&e, CP_KEY_ROTATE, k2);
  fx_sign(&l, &e, &b[1]); /* signed by the old key */
  l.k = k2;
  fx_credential(&e, "after-rotation");
  fx_sign(&l, &e, &b[2]);
  bt.n = 0;
  for (int i = 0; i < 3; i++) fx_push(&bt, &b[i]);
  int rc = fx_ingest(&f, &bt, &rep, &d);
  if (rc != 0) fail_msg("rotation refused: %d %s", rc, d.msg);
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, l.log, &li), CP_OK);
  assert_memory_equal(li.signer, pk2, 32);
  assert_memory_equal(li.log, l.log, 32);
  cp_reader_end(r);

  /* The old key is refused from now on. */
  fx_credential(&e, "old-key");
  fx_sign_with(&l, &e, k1, &b[3], 0);
  bt.n = 0;
  fx_push(&bt, &b[3]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_EBADSIG);

  /* A checkpoint by the new key is accepted. */
  uint8_t lh[3][32], root[32];
  char note[CP_NOTE_MAX];
  size_t len;
  for (int i = 0; i < 3; i++) memcpy(lh[i], b[i].id, 32);
  ref_mth((const uint8_t(*)[32])lh, 3, root);
  assert_int_equal(cp_checkpoint_sign(k2, "rot.example/log", 3, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_OK);

  /* A second rotation: k2 -> k3, then k3 signs. */
  key_entry(&e, CP_KEY_ROTATE, k3);
  fx_sign(&l, &e, &b[3]);
  l.k = k3;
  fx_credential(&e, "after-second");
  fx_sign(&l, &e, &b[4]);
  bt.n = 0;
  fx_push(&bt, &b[3]);
  fx_push(&bt, &b[4]);
  rc = fx_ingest(&f, &bt, &rep, &d);
  if (rc != 0) fail_msg("second rotation refused: %d %s", rc, d.msg);
  assert_int_equal(fx_size(&f, l.log), 5);

  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 2, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.problems, 0);
  l.k = k1;
  cp_key_free(k2);
  cp_key_free(k3);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

static void ingest_key_retire(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(4, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  fx_new(&f, 0x74, "credport/test/ret");
  fx_log_init(&l, 0x75);
  fx_genesis(&l, "ret.example/log", &b[0]);
  fx_credential(&e, "c1");
  fx_sign(&l, &e, &b[1]);
  key_entry(&e, CP_KEY_RETIRE, NULL);
  fx_sign(&l, &e, &b[2]);
  for (int i = 0; i < 3; i++) fx_push(&bt, &b[i]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);
  fx_credential(&e, "c2");
  fx_sign(&l, &e, &b[3]);
  bt.n = 0;
  fx_push(&bt, &b[3]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_ERETIRED);
  assert_non_null(strstr(d.msg, "retired"));
  assert_int_equal(fx_size(&f, l.log), 3);
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, l.log, &li), CP_OK);
  assert_true(li.flags & CP_LOG_RETIRED);
  cp_reader_end(r);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &ar), CP_OK);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

static int count_cp(void *ctx, uint64_t size, const char *note, size_t len) {
  (void)note;
  (void)len;
  uint64_t *sizes = ctx;
  sizes[sizes[0] + 1] = size;
  sizes[0]++;
  return 0;
}

/* cp_store_add_checkpoint: a foreign log's checkpoints. */
static void store_add_checkpoint(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf b[5];
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  uint8_t lh[5][32], root[32];
  char note[CP_NOTE_MAX];
  size_t len;
  const char *origin = "foreign.example/log";
  fx_new(&f, 0x3A, "credport/test/own");
  fx_log_init(&l, 0x41);
  fx_genesis(&l, origin, &b[0]);
  for (int i = 1; i < 5; i++) {
    cp_entry e;
    char id[8];
    snprintf(id, sizeof id, "f%d", i);
    fx_credential(&e, id);
    fx_sign(&l, &e, &b[i]);
  }
  for (int i = 0; i < 5; i++) {
    fx_push(&bt, &b[i]);
    memcpy(lh[i], b[i].id, 32);
  }
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);

  /* A valid checkpoint at a past size is accepted. */
  ref_mth((const uint8_t(*)[32])lh, 3, root);
  assert_int_equal(cp_checkpoint_sign(l.k, origin, 3, root, note, sizeof note, &len), CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_OK);
  /* Wrong root (the size-3 root claimed for size 4). */
  assert_int_equal(cp_checkpoint_sign(l.k, origin, 4, root, note, sizeof note, &len), CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EPROOF);
  assert_non_null(strstr(d.msg, "root at size 4 differs"));
  /* Bigger than the log. */
  ref_mth((const uint8_t(*)[32])lh, 5, root);
  assert_int_equal(cp_checkpoint_sign(l.k, origin, 6, root, note, sizeof note, &len), CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "size 6 is beyond the 5 entries"));
  /* The right tree, signed by another key under the same origin. */
  cp_key *other = fx_key(0x42);
  assert_int_equal(cp_checkpoint_sign(other, origin, 5, root, note, sizeof note, &len), CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EBADSIG);
  assert_non_null(strstr(d.msg, "not signed by any log"));
  cp_key_free(other);
  /* The right tree and key under another origin. */
  assert_int_equal(cp_checkpoint_sign(l.k, "foreign.example/other", 5, root, note, sizeof note,
                                      &len), CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EBADSIG);
  assert_non_null(strstr(d.msg, "not signed by any log"));
  /* And the full size, correctly. */
  assert_int_equal(cp_checkpoint_sign(l.k, origin, 5, root, note, sizeof note, &len), CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_OK);

  uint64_t sizes[8] = {0};
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_each_checkpoint(r, l.log, count_cp, sizes), CP_OK);
  assert_int_equal(sizes[0], 2);
  assert_int_equal(sizes[1], 3);
  assert_int_equal(sizes[2], 5);
  cp_reader_end(r);
  fx_log_free(&l);
  fx_free(&f);
}

/* ---- several logs interleaved ---------------------------------------------- */

static void ingest_interleaved(void **state) {
  (void)state;
  enum { N = 40 };
  fx_store f;
  fx_log l[3];
  fx_buf *b = calloc(3 * N, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  uint8_t lh[3][N][32];
  fx_new(&f, 0x80, "credport/test/mix");
  for (int j = 0; j < 3; j++) {
    char origin[32];
    snprintf(origin, sizeof origin, "mix%d.example/log", j);
    fx_log_init(&l[j], (uint8_t)(0x81 + j));
    fx_genesis(&l[j], origin, &b[j * N]);
    for (int i = 1; i < N; i++) {
      cp_entry e;
      char id[16];
      snprintf(id, sizeof id, "m%d", i);
      fx_credential(&e, id);
      fx_sign(&l[j], &e, &b[j * N + i]);
    }
    for (int i = 0; i < N; i++) memcpy(lh[j][i], b[j * N + i].id, 32);
  }
  /* Round-robin in uneven batches, the own log growing in between. */
  int next[3] = {0, 0, 0}, step = 1, round = 0;
  while (next[0] < N || next[1] < N || next[2] < N) {
    bt.n = 0;
    for (int k = 0; k < step; k++)
      for (int j = 0; j < 3; j++)
        if (next[j] < N) fx_push(&bt, &b[j * N + next[j]++]);
    int rc = fx_ingest(&f, &bt, &rep, &d);
    if (rc != 0) fail_msg("ingest: %d %s", rc, d.msg);
    cp_appender *a = NULL;
    cp_entry e;
    char id[16];
    snprintf(id, sizeof id, "own%d", round++);
    assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 1, &a, &d), CP_OK);
    fx_credential(&e, id);
    assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    assert_int_equal(cp_appender_commit(a, &d), CP_OK);
    step = step % 4 + 1;
  }
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  for (int j = 0; j < 3; j++) {
    uint8_t root[32], ref[32], path[CP_MERKLE_MAX_LEVELS][32], want[CP_MERKLE_MAX_LEVELS][32];
    size_t n, nw;
    for (int i = 0; i < N; i++) {
      const uint8_t *p;
      size_t len;
      assert_int_equal(cp_reader_entry(r, l[j].log, (uint64_t)i, &p, &len), CP_OK);
      if (len != b[j * N + i].len || memcmp(p, b[j * N + i].b, len) != 0)
        fail_msg("log %d seq %d reads back other bytes", j, i);
    }
    for (size_t s = 1; s <= N; s++) {
      ref_mth((const uint8_t(*)[32])lh[j], s, ref);
      assert_int_equal(cp_reader_root(r, l[j].log, s, root), CP_OK);
      assert_memory_equal(root, ref, 32);
      nw = ref_path(s - 1, (const uint8_t(*)[32])lh[j], s, want);
      assert_int_equal(cp_reader_inclusion(r, l[j].log, s - 1, s, path, &n), CP_OK);
      assert_int_equal(n, nw);
      assert_memory_equal(path, want, nw * 32);
    }
  }
  cp_reader_end(r);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 2, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.logs, 4);
  for (int j = 0; j < 3; j++) fx_log_free(&l[j]);
  free(b);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ingest_copy_from_store),
    cmocka_unit_test(ingest_duplicates),
    cmocka_unit_test(ingest_fork),
    cmocka_unit_test(ingest_fork_of_own_log),
    cmocka_unit_test(ingest_add_fork_proof),
    cmocka_unit_test(ingest_key_rotation),
    cmocka_unit_test(ingest_key_retire),
    cmocka_unit_test(store_add_checkpoint),
    cmocka_unit_test(ingest_interleaved),
};

CP_TEST_MAIN(tests)
