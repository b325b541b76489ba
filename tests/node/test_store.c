/*
 * The ledger store: the own log (init, appender), reads, indexes, proofs and
 * checkpoints. Expected IDs and Merkle values come from the reference in
 * test_store_fixture.h, never from the store.
 */
#include <unistd.h>

#include "test_store_fixture.h"

static void add_ok(cp_appender *a, cp_entry *e, uint8_t id[32]) {
  cp_diag d = {{0}};
  int rc = cp_appender_add(a, e, id, &d);
  if (rc != 0) fail_msg("cp_appender_add: %d %s", rc, d.msg);
}

static void commit_ok(cp_appender *a) {
  cp_diag d = {{0}};
  int rc = cp_appender_commit(a, &d);
  if (rc != 0) fail_msg("cp_appender_commit: %d %s", rc, d.msg);
}

static cp_appender *begin_ok(fx_store *f, uint64_t now) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  int rc = cp_appender_begin(f->s, f->k, now, &a, &d);
  if (rc != 0) fail_msg("cp_appender_begin: %d %s", rc, d.msg);
  return a;
}

/* The raw entry at (log, seq) and its reference ID. */
static size_t entry_at(fx_store *f, uint64_t seq, uint8_t *copy, uint8_t id[32]) {
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_entry(r, f->pk, seq, &buf, &len), CP_OK);
  memcpy(copy, buf, len);
  ref_leaf(buf, len, id);
  cp_reader_end(r);
  return len;
}

static void snapshot(fx_store *f, cp_log_info *li) {
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, f->pk, li), CP_OK);
  li->name = li->jurisdiction = li->origin = (cp_str){NULL, 0};
  cp_reader_end(r);
}

static void store_init_authority(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0, NULL);
  cp_reader *r = NULL;
  uint8_t self[32], id[32], buf[CP_ENTRY_MAX];
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_self(r, self), CP_ENOTFOUND);
  cp_reader_end(r);
  /* No appender before init; an empty store audits clean. */
  cp_appender *a0 = NULL;
  cp_key *k0 = fx_key(0x30);
  cp_diag d0 = {{0}};
  assert_int_equal(cp_appender_begin(f.s, k0, T0, &a0, &d0), CP_ENOTFOUND);
  assert_non_null(strstr(d0.msg, "init"));
  cp_key_free(k0);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.logs, 0);

  f.k = fx_key(0x31);
  cp_key_public(f.k, f.pk);
  cp_diag d = {{0}};
  assert_int_equal(cp_store_init_authority(f.s, f.k, "NC DPI", "US-NC", CP_ROLE_STATE,
                                           "credport/us-nc/test", T0, &d), CP_OK);
  size_t len = entry_at(&f, 0, buf, id);
  cp_entry e;
  assert_int_equal(cp_entry_decode(buf, len, &e, NULL), CP_OK);
  assert_int_equal(e.type, CP_T_AUTHORITY);
  assert_int_equal(e.seq, 0);
  assert_int_equal(e.time, T0);
  assert_memory_equal(e.log, f.pk, 32);
  assert_int_equal(cp_entry_verify(buf, len, f.pk), CP_OK);

  cp_log_info li;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_self(r, self), CP_OK);
  assert_memory_equal(self, f.pk, 32);
  assert_int_equal(cp_reader_log(r, f.pk, &li), CP_OK);
  assert_int_equal(li.size, 1);
  assert_memory_equal(li.head, id, 32);
  assert_memory_equal(li.root, id, 32); /* MTH of one leaf is the leaf hash */
  assert_memory_equal(li.signer, f.pk, 32);
  assert_int_equal(li.flags, 0);
  assert_int_equal(li.last_time, T0);
  assert_int_equal(li.role, CP_ROLE_STATE);
  assert_true(cp_str_eq(li.name, "NC DPI"));
  assert_true(cp_str_eq(li.jurisdiction, "US-NC"));
  assert_true(cp_str_eq(li.origin, "credport/us-nc/test"));
  cp_reader_end(r);

  /* A second init is refused and changes nothing. */
  cp_key *k2 = fx_key(0x32);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_init_authority(f.s, k2, "Other", "US-SC", CP_ROLE_DISTRICT, "o/x",
                                           T0 + 5, &d), CP_EEXIST);
  assert_non_null(strstr(d.msg, "already"));
  cp_key_free(k2);
  cp_log_info li2;
  snapshot(&f, &li2);
  assert_int_equal(li2.size, 1);
  assert_memory_equal(li2.head, id, 32);

  /* Everything survives close and reopen; a read-only store refuses writes. */
  cp_store_close(f.s);
  assert_int_equal(cp_store_open(f.dir, CP_STORE_RDONLY, &f.s, &d), CP_OK);
  snapshot(&f, &li2);
  assert_int_equal(li2.size, 1);
  cp_appender *a = NULL;
  assert_int_not_equal(cp_appender_begin(f.s, f.k, T0 + 1, &a, &d), CP_OK);
  assert_null(a);
  fx_free(&f);
}

static void store_appender_commit(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x33, "credport/test/a");
  cp_appender *a = NULL;
  cp_key *wrong = fx_key(0x3F);
  cp_diag dw = {{0}};
  assert_int_equal(cp_appender_begin(f.s, wrong, T0 + 10, &a, &dw), CP_EDENIED);
  cp_key_free(wrong);
  a = begin_ok(&f, T0 + 10);
  cp_entry e;
  uint8_t cred[32], aw[3][32], got[32], buf[CP_ENTRY_MAX];
  fx_credential(&e, "mc-1");
  add_ok(a, &e, cred);
  uint8_t viaid[32];
  assert_int_equal(cp_appender_credential(a, "mc-1", viaid), CP_OK);
  assert_memory_equal(viaid, cred, 32);
  assert_int_equal(cp_appender_size(a), 2);
  for (int i = 0; i < 3; i++) {
    fx_award(&e, cred, (uint8_t)(0x70 + i), "R. Alvarez");
    add_ok(a, &e, aw[i]);
    assert_int_equal(e.seq, 2 + (uint64_t)i);
  }
  /* Not visible before commit. */
  assert_int_equal(fx_size(&f, f.pk), 1);
  commit_ok(a);
  assert_int_equal(fx_size(&f, f.pk), 5);

  /* IDs the appender returned are the reference leaf hashes of what is stored. */
  size_t len = entry_at(&f, 1, buf, got);
  assert_memory_equal(got, cred, 32);
  for (int i = 0; i < 3; i++) {
    len = entry_at(&f, 2 + (uint64_t)i, buf, got);
    assert_memory_equal(got, aw[i], 32);
    cp_entry d;
    assert_int_equal(cp_entry_decode(buf, len, &d, NULL), CP_OK);
    assert_int_equal(d.type, CP_T_AWARD);
    assert_int_equal(d.seq, 2 + (uint64_t)i);
    assert_int_equal(d.time, T0 + 10);
    assert_int_equal(d.u.award.educator[0], 0x70 + i);
    assert_int_equal(cp_entry_verify(buf, len, f.pk), CP_OK);
  }
  /* The hash chain: each prev is the previous entry's reference ID. */
  uint8_t prev[32];
  entry_at(&f, 0, buf, prev);
  for (uint64_t s = 1; s < 5; s++) {
    cp_entry d;
    len = entry_at(&f, s, buf, got);
    assert_int_equal(cp_entry_decode(buf, len, &d, NULL), CP_OK);
    assert_memory_equal(d.prev, prev, 32);
    memcpy(prev, got, 32);
  }
  cp_reader *r = NULL;
  const uint8_t *p;
  size_t plen;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, aw[1], &p, &plen), CP_OK);
  ref_leaf(p, plen, got);
  assert_memory_equal(got, aw[1], 32);
  assert_int_equal(cp_reader_entry(r, f.pk, 5, &p, &plen), CP_ENOTFOUND);
  uint8_t nobody[32];
  memset(nobody, 0xEE, 32);
  assert_int_equal(cp_reader_entry(r, nobody, 0, &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_entry_by_id(r, nobody, &p, &plen), CP_ENOTFOUND);
  cp_log_info li;
  assert_int_equal(cp_reader_log(r, nobody, &li), CP_ENOTFOUND);
  assert_int_equal(cp_reader_log(r, f.pk, &li), CP_OK);
  assert_memory_equal(li.head, aw[2], 32);
  assert_int_equal(li.last_time, T0 + 10);
  cp_reader_end(r);

  /* A later appender continues the chain; time never goes back. */
  a = begin_ok(&f, T0 + 5);
  fx_award(&e, cred, 0x7F, "x");
  add_ok(a, &e, got);
  assert_int_equal(e.seq, 5);
  assert_true(e.time >= T0 + 10);
  assert_memory_equal(e.prev, aw[2], 32);
  commit_ok(a);
  assert_int_equal(fx_size(&f, f.pk), 6);
  fx_free(&f);
}

static void store_abort_unchanged(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x34, "credport/test/b");
  cp_log_info before, after;
  snapshot(&f, &before);
  cp_appender *a = begin_ok(&f, T0 + 1);
  cp_entry e;
  uint8_t cred[32], aw[32];
  fx_credential(&e, "mc-x");
  add_ok(a, &e, cred);
  fx_award(&e, cred, 0x71, "x");
  add_ok(a, &e, aw);
  cp_appender_abort(a);
  snapshot(&f, &after);
  assert_memory_equal(&before, &after, sizeof before);

  cp_reader *r = NULL;
  const uint8_t *p;
  size_t plen, n = 0;
  uint8_t edu[32];
  memset(edu, 0x71, 32);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, aw, &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_credential(r, f.pk, "mc-x", &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_by_educator(r, edu, fx_count_cb, &n), CP_OK);
  assert_int_equal(n, 0);
  cp_reader_end(r);
  fx_free(&f);
}

/* A rule broken in the middle of an appender: commit fails, names the add,
 * and nothing of the transaction is stored. */
static void store_commit_failure_unchanged(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x35, "credport/test/c");
  cp_log_info before, after;
  snapshot(&f, &before);
  cp_appender *a = begin_ok(&f, T0 + 1);
  cp_entry e;
  uint8_t cred[32], bogus[32], id[32];
  cp_diag d = {{0}};
  memset(bogus, 0xAB, 32);
  fx_credential(&e, "mc-ok");
  add_ok(a, &e, cred);
  fx_award(&e, cred, 0x71, "a");
  add_ok(a, &e, id);
  fx_award(&e, bogus, 0x72, "b"); /* add #2 names no credential */
  int rc = cp_appender_add(a, &e, id, &d);
  for (int i = 0; rc == 0 && i < 2; i++) {
    fx_award(&e, cred, 0x73, "c");
    rc = cp_appender_add(a, &e, id, &d);
  }
  if (rc == 0) rc = cp_appender_finish(a, &d);
  assert_int_equal(rc, CP_ERULE);
  assert_int_equal(cp_appender_failed_at(a), 2);
  assert_non_null(strstr(d.msg, "award.credential"));
  cp_appender_abort(a);
  snapshot(&f, &after);
  assert_memory_equal(&before, &after, sizeof before);
  /* The store still works afterwards. */
  a = begin_ok(&f, T0 + 2);
  fx_credential(&e, "mc-ok");
  add_ok(a, &e, cred);
  commit_ok(a);
  assert_int_equal(fx_size(&f, f.pk), 2);
  fx_free(&f);
}

/* Thousands of entries through the appender's queue, some too big for a
 * queue slot; then a failure early in a long transaction, which must be
 * reported (not hang) and leave nothing behind. */
static void store_appender_large(void **state) {
  (void)state;
  enum { N = 3000, M = 2500, BAD = 10 };
  fx_store f;
  cp_entry e;
  cp_diag d = {{0}};
  uint8_t cred[32], id[32], buf[CP_ENTRY_MAX], got[32];
  static char longtext[CP_TEXT_MAX], longname[CP_STR_MAX];
  memset(longtext, 'x', sizeof longtext);
  memset(longname, 'n', sizeof longname);
  alarm(120); /* a deadlock fails the test instead of stalling the run */
  fx_new(&f, 0x3B, "credport/test/large");
  cp_appender *a = begin_ok(&f, T0 + 1);
  fx_credential(&e, "big");
  e.u.credential.competency = (cp_str){longtext, sizeof longtext};
  add_ok(a, &e, cred);
  uint8_t last[32];
  for (int i = 0; i < N; i++) {
    fx_award(&e, cred, (uint8_t)i, "");
    if (i % 7 == 0) e.u.award.assessor = (cp_str){longname, sizeof longname};
    add_ok(a, &e, last);
  }
  commit_ok(a);
  assert_int_equal(fx_size(&f, f.pk), N + 2);
  entry_at(&f, N + 1, buf, got);
  assert_memory_equal(got, last, 32);
  entry_at(&f, 1, buf, got);
  assert_memory_equal(got, cred, 32);

  cp_log_info before, after;
  snapshot(&f, &before);
  uint8_t bogus[32];
  memset(bogus, 0xBB, 32);
  a = begin_ok(&f, T0 + 2);
  int rc = 0, i;
  for (i = 0; rc == 0 && i < M; i++) {
    fx_award(&e, i == BAD ? bogus : cred, 1, "");
    rc = cp_appender_add(a, &e, id, &d);
  }
  if (rc == 0) rc = cp_appender_finish(a, &d);
  assert_int_equal(rc, CP_ERULE);
  assert_int_equal(cp_appender_failed_at(a), BAD);
  cp_appender_abort(a);
  snapshot(&f, &after);
  assert_memory_equal(&before, &after, sizeof before);
  cp_audit_report rep;
  assert_int_equal(cp_store_audit(f.s, 2, NULL, NULL, &rep), CP_OK);
  alarm(0);
  fx_free(&f);
}

typedef struct {
  uint8_t ids[16][32];
  size_t n;
} idlist;

static int collect_ids(void *ctx, const uint8_t *buf, size_t len) {
  idlist *l = ctx;
  assert_true(l->n < 16);
  ref_leaf(buf, len, l->ids[l->n++]);
  return 0;
}

static int has_id(const idlist *l, const uint8_t id[32]) {
  for (size_t i = 0; i < l->n; i++)
    if (memcmp(l->ids[i], id, 32) == 0) return 1;
  return 0;
}

static void store_indexes(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x36, "credport/test/d");
  cp_appender *a = begin_ok(&f, T0 + 1);
  cp_entry e;
  uint8_t c1[32], c2[32], a1[32], a2[32], a3[32], ap[32], en1[32], en2[32], rv[32];
  uint8_t other[32];
  memset(other, 0x99, 32);
  fx_credential(&e, "c-one");
  add_ok(a, &e, c1);
  fx_credential(&e, "c-two");
  add_ok(a, &e, c2);
  fx_award(&e, c1, 0x71, "x");
  add_ok(a, &e, a1);
  fx_award(&e, c2, 0x71, "x");
  add_ok(a, &e, a2);
  fx_award(&e, c1, 0x72, "x");
  add_ok(a, &e, a3);
  fx_approve(&e, 0x71, c2);
  add_ok(a, &e, ap);
  fx_endorse(&e, CP_SUBJECT_AUTHORITY, other);
  add_ok(a, &e, en1);
  fx_endorse(&e, CP_SUBJECT_CREDENTIAL, c1);
  add_ok(a, &e, en2);
  fx_revoke(&e, a3);
  add_ok(a, &e, rv);
  commit_ok(a);

  cp_reader *r = NULL;
  uint8_t k[32], got[32];
  const uint8_t *p;
  size_t plen;
  idlist l;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);

  memset(k, 0x71, 32);
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_educator(r, k, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 3);
  assert_true(has_id(&l, a1) && has_id(&l, a2) && has_id(&l, ap));
  memset(k, 0x72, 32);
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_educator(r, k, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_true(has_id(&l, a3));
  memset(k, 0x7A, 32);
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_educator(r, k, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 0);

  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_credential(r, c1, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 2);
  assert_true(has_id(&l, a1) && has_id(&l, a3));
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_credential(r, c2, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_true(has_id(&l, a2));

  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_subject(r, other, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_true(has_id(&l, en1));
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_subject(r, c1, collect_ids, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_true(has_id(&l, en2));

  static const struct { unsigned type; size_t n; } types[] = {
      {CP_T_AUTHORITY, 1}, {CP_T_CREDENTIAL, 2}, {CP_T_REVOKE, 1}, {CP_T_ENDORSE, 2},
      {CP_T_APPROVE, 1},   {CP_T_POLICY, 0},     {CP_T_KEY, 0}};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    memset(&l, 0, sizeof l);
    assert_int_equal(cp_reader_by_type(r, types[i].type, collect_ids, &l), CP_OK);
    if (l.n != types[i].n) fail_msg("by_type %u: %zu entries, want %zu", types[i].type, l.n, types[i].n);
  }
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_reader_by_type(r, CP_T_CREDENTIAL, collect_ids, &l), CP_OK);
  assert_true(has_id(&l, c1) && has_id(&l, c2));
  assert_int_equal(cp_reader_by_type(r, CP_T_AWARD, collect_ids, &l), CP_EINVAL);

  /* Revocations and credential lookups. */
  assert_int_equal(cp_reader_revocation(r, a3, &p, &plen), CP_OK);
  ref_leaf(p, plen, got);
  assert_memory_equal(got, rv, 32);
  assert_int_equal(cp_reader_revocation(r, a1, &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_credential(r, f.pk, "c-two", &p, &plen), CP_OK);
  ref_leaf(p, plen, got);
  assert_memory_equal(got, c2, 32);
  assert_int_equal(cp_reader_credential(r, f.pk, "c-three", &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_credential(r, f.pk, "", &p, &plen), CP_ENOTFOUND);
  assert_int_equal(cp_reader_credential(r, other, "c-one", &p, &plen), CP_ENOTFOUND);
  cp_fork_proof fp;
  assert_int_equal(cp_reader_fork(r, f.pk, &fp), CP_ENOTFOUND);

  cp_reader_end(r);
  fx_free(&f);
}

typedef struct {
  uint64_t seen, stop_at;
  uint64_t first_seq;
} walk;

static int walk_cb(void *ctx, const uint8_t *buf, size_t len) {
  walk *w = ctx;
  cp_entry e;
  assert_int_equal(cp_entry_decode(buf, len, &e, NULL), CP_OK);
  assert_int_equal(e.seq, w->first_seq + w->seen);
  w->seen++;
  return w->seen == w->stop_at ? 77 : 0;
}

static void store_each_entry(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x37, "credport/test/e");
  cp_appender *a = begin_ok(&f, T0 + 1);
  cp_entry e;
  char id[16];
  for (int i = 0; i < 9; i++) {
    snprintf(id, sizeof id, "c%d", i);
    fx_credential(&e, id);
    add_ok(a, &e, NULL);
  }
  commit_ok(a);
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  walk w = {0, 0, 0};
  assert_int_equal(cp_reader_each_entry(r, f.pk, 0, walk_cb, &w), CP_OK);
  assert_int_equal(w.seen, 10);
  w = (walk){0, 0, 4};
  assert_int_equal(cp_reader_each_entry(r, f.pk, 4, walk_cb, &w), CP_OK);
  assert_int_equal(w.seen, 6);
  w = (walk){0, 3, 2};
  assert_int_equal(cp_reader_each_entry(r, f.pk, 2, walk_cb, &w), 77);
  assert_int_equal(w.seen, 3);
  w = (walk){0, 0, 10};
  assert_int_equal(cp_reader_each_entry(r, f.pk, 10, walk_cb, &w), CP_OK);
  assert_int_equal(w.seen, 0);
  uint8_t nobody[32];
  memset(nobody, 0xEE, 32);
  assert_int_equal(cp_reader_each_entry(r, nobody, 0, walk_cb, &w), CP_ENOTFOUND);
  cp_reader_end(r);
  fx_free(&f);
}

/* Grows the own log to n entries, committing in chunks of 1, 2, 3, ... so
 * checkpoints exist at many sizes; leaves the reference leaf hashes in lh. */
static void grow(fx_store *f, size_t n, uint8_t (*lh)[32]) {
  uint8_t buf[CP_ENTRY_MAX];
  size_t have = 1, chunk = 1;
  char id[16];
  while (have < n) {
    cp_appender *a = begin_ok(f, T0 + have);
    for (size_t i = 0; i < chunk && have < n; i++, have++) {
      cp_entry e;
      snprintf(id, sizeof id, "c%zu", have);
      fx_credential(&e, id);
      add_ok(a, &e, NULL);
    }
    commit_ok(a);
    chunk++;
  }
  for (size_t i = 0; i < n; i++) entry_at(f, i, buf, lh[i]);
}

#define NPROOF 70

static void store_proofs_every_size(void **state) {
  (void)state;
  fx_store f;
  static uint8_t lh[NPROOF][32];
  uint8_t want[CP_MERKLE_MAX_LEVELS][32], got[CP_MERKLE_MAX_LEVELS][32], root[32], ref[32],
      old[32];
  size_t nw, ng;
  fx_new(&f, 0x38, "credport/test/proofs");
  grow(&f, NPROOF, lh);
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, f.pk, &li), CP_OK);
  assert_int_equal(li.size, NPROOF);
  ref_mth((const uint8_t(*)[32])lh, NPROOF, ref);
  assert_memory_equal(li.root, ref, 32);
  assert_memory_equal(li.head, lh[NPROOF - 1], 32);
  for (size_t n = 1; n <= NPROOF; n++) {
    ref_mth((const uint8_t(*)[32])lh, n, ref);
    assert_int_equal(cp_reader_root(r, f.pk, n, root), CP_OK);
    if (memcmp(root, ref, 32) != 0) fail_msg("root at size %zu differs from RFC 9162", n);
    for (size_t m = 0; m < n; m++) {
      nw = ref_path(m, (const uint8_t(*)[32])lh, n, want);
      assert_int_equal(cp_reader_inclusion(r, f.pk, m, n, got, &ng), CP_OK);
      if (ng != nw || memcmp(got, want, nw * 32) != 0)
        fail_msg("inclusion proof of leaf %zu at size %zu differs from RFC 9162", m, n);
      assert_int_equal(cp_merkle_verify_inclusion(lh[m], m, n, (const uint8_t(*)[32])got, ng,
                                                  ref), CP_OK);
    }
    for (size_t m = 1; m <= n; m++) {
      nw = ref_consistency(m, (const uint8_t(*)[32])lh, n, want);
      assert_int_equal(cp_reader_consistency(r, f.pk, m, n, got, &ng), CP_OK);
      if (ng != nw || memcmp(got, want, nw * 32) != 0)
        fail_msg("consistency proof %zu -> %zu differs from RFC 9162", m, n);
      ref_mth((const uint8_t(*)[32])lh, m, old);
      assert_int_equal(cp_merkle_verify_consistency(m, n, old, ref, (const uint8_t(*)[32])got,
                                                    ng), CP_OK);
    }
  }
  /* The empty tree's root is SHA-256 of nothing. */
  crypto_hash_sha256(ref, NULL, 0);
  assert_int_equal(cp_reader_root(r, f.pk, 0, root), CP_OK);
  assert_memory_equal(root, ref, 32);
  /* Impossible requests are refused, not answered. */
  assert_int_not_equal(cp_reader_root(r, f.pk, NPROOF + 1, root), CP_OK);
  assert_int_not_equal(cp_reader_inclusion(r, f.pk, 5, 5, got, &ng), CP_OK);
  assert_int_not_equal(cp_reader_inclusion(r, f.pk, 0, NPROOF + 1, got, &ng), CP_OK);
  assert_int_not_equal(cp_reader_consistency(r, f.pk, 6, 5, got, &ng), CP_OK);
  assert_int_not_equal(cp_reader_consistency(r, f.pk, 1, NPROOF + 1, got, &ng), CP_OK);
  cp_reader_end(r);
  fx_free(&f);
}

typedef struct {
  const uint8_t (*lh)[32];
  cp_note_verifier v;
  uint64_t count, last;
} cpcheck;

static int check_cp(void *ctx, uint64_t size, const char *note, size_t len) {
  cpcheck *c = ctx;
  cp_note_result res;
  cp_diag d = {{0}};
  uint8_t ref[32];
  char head[300];
  int rc = cp_note_open_checkpoint(note, len, &c->v, 1, c->v.name, &res, &d);
  if (rc != 0) fail_msg("checkpoint at size %llu: %d %s", (unsigned long long)size, rc, d.msg);
  assert_int_equal(res.cp.size, size);
  assert_true(size > c->last || c->count == 0);
  ref_mth(c->lh, size, ref);
  assert_memory_equal(res.cp.root, ref, 32);
  snprintf(head, sizeof head, "%s\n%llu\n", c->v.name, (unsigned long long)size);
  assert_true(len > strlen(head) && memcmp(note, head, strlen(head)) == 0);
  c->count++;
  c->last = size;
  return 0;
}

static void store_checkpoints_verify(void **state) {
  (void)state;
  fx_store f;
  static uint8_t lh[30][32];
  const char *origin = "credport/test/checkpoints";
  fx_new(&f, 0x39, origin);
  grow(&f, 30, lh);
  char vk[CP_VKEY_MAX];
  cpcheck c;
  cp_diag d = {{0}};
  memset(&c, 0, sizeof c);
  c.lh = (const uint8_t(*)[32])lh;
  assert_int_equal(cp_note_vkey_format(origin, CP_NOTE_ALG_ED25519, f.pk, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &c.v, &d), CP_OK);
  cp_reader *r = NULL;
  const char *note;
  size_t len;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_each_checkpoint(r, f.pk, check_cp, &c), CP_OK);
  /* init (size 1) and one per commit: sizes 1, 2, 4, 7, 11, 16, 22, 29, 30. */
  assert_int_equal(c.count, 9);
  assert_int_equal(c.last, 30);
  assert_int_equal(cp_reader_checkpoint(r, f.pk, &note, &len), CP_OK);
  c.count = 0;
  assert_int_equal(check_cp(&c, 30, note, len), 0);
  cp_reader_end(r);
  /* cp_store_checkpoint at a size already signed adds nothing new. */
  assert_int_equal(cp_store_checkpoint(f.s, f.k, &d), CP_OK);
  memset(&c, 0, sizeof c);
  c.lh = (const uint8_t(*)[32])lh;
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &c.v, &d), CP_OK);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_each_checkpoint(r, f.pk, check_cp, &c), CP_OK);
  assert_int_equal(c.count, 9);
  cp_reader_end(r);
  /* A log held without any checkpoint, next to one with nine: none. */
  fx_log l;
  fx_buf g;
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  fx_log_init(&l, 0x3a);
  fx_genesis(&l, "credport/test/no-checkpoint", &g);
  fx_push(&bt, &g);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_checkpoint(r, l.log, &note, &len), CP_ENOTFOUND);
  assert_int_equal(cp_reader_checkpoint(r, f.pk, &note, &len), CP_OK);
  cp_reader_end(r);
  fx_log_free(&l);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(store_init_authority),
    cmocka_unit_test(store_appender_commit),
    cmocka_unit_test(store_abort_unchanged),
    cmocka_unit_test(store_commit_failure_unchanged),
    cmocka_unit_test(store_appender_large),
    cmocka_unit_test(store_indexes),
    cmocka_unit_test(store_each_entry),
    cmocka_unit_test(store_proofs_every_size),
    cmocka_unit_test(store_checkpoints_verify),
};

CP_TEST_MAIN(tests)
