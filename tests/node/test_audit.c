/*
 * Audit: a clean store passes; corruption made behind the store's back
 * (bytes flipped in data.mdb, index records removed or added with raw LMDB
 * calls, a checkpoint replaced) is reported, each in its own case.
 */
#include <lmdb.h>

#include "test_store_fixture.h"

typedef struct {
  size_t n;
  char all[4096];
} lines;

static void on_line(void *ctx, const char *line) {
  lines *l = ctx;
  l->n++;
  size_t used = strlen(l->all);
  snprintf(l->all + used, sizeof l->all - used, "%s\n", line);
}

/* A store with an own log (credential, awards, a revocation, an approval,
 * an endorsement; the last award's assessor is marker) and a foreign log. */
static void build(fx_store *f, const char *marker) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[32], aw[32];
  fx_new(f, 0x90, "credport/test/audit");
  /* The own log's commit fills the recent tiers of the random-key indexes
   * and is merged into the main ones; the foreign log's stays recent. */
  cp_store_tune(f->s, &(cp_store_tuning){0, 8});
  assert_int_equal(cp_appender_begin(f->s, f->k, T0 + 1, &a, &d), CP_OK);
  fx_credential(&e, "a-cred");
  assert_int_equal(cp_appender_add(a, &e, cred, &d), CP_OK);
  for (int i = 0; i < 5; i++) {
    fx_award(&e, cred, (uint8_t)(0x10 + i), "Assessor One");
    assert_int_equal(cp_appender_add(a, &e, aw, &d), CP_OK);
  }
  fx_revoke(&e, aw);
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  fx_approve(&e, 0x10, cred);
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  fx_endorse(&e, CP_SUBJECT_CREDENTIAL, cred);
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);

  fx_log l;
  fx_buf *b = calloc(4, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  fx_log_init(&l, 0x91);
  fx_genesis(&l, "audit.example/foreign", &b[0]);
  fx_credential(&e, "f-cred");
  fx_sign(&l, &e, &b[1]);
  fx_award(&e, b[1].id, 0x10, "Foreign");
  fx_sign(&l, &e, &b[2]);
  for (int i = 0; i < 3; i++) fx_push(&bt, &b[i]);
  assert_int_equal(fx_ingest(f, &bt, &rep, &d), CP_OK);
  uint8_t lh[3][32], root[32];
  char note[CP_NOTE_MAX];
  size_t len;
  for (int i = 0; i < 3; i++) memcpy(lh[i], b[i].id, 32);
  ref_mth((const uint8_t(*)[32])lh, 2, root);
  assert_int_equal(cp_checkpoint_sign(l.k, "audit.example/foreign", 2, root, note, sizeof note,
                                      &len), CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f->s, note, len, &d), CP_OK);
  fx_log_free(&l);
  free(b);

  if (marker != NULL) { /* last, so its bytes are written once */
    assert_int_equal(cp_appender_begin(f->s, f->k, T0 + 2, &a, &d), CP_OK);
    fx_award(&e, cred, 0x1F, marker);
    assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  }
}

static void audit_expect_clean(fx_store *f) {
  lines l;
  cp_audit_report rep;
  memset(&l, 0, sizeof l);
  int rc = cp_store_audit(f->s, 2, on_line, &l, &rep);
  if (rc != 0 || rep.problems != 0 || l.n != 0)
    fail_msg("audit %d, %llu problems:\n%s", rc, (unsigned long long)rep.problems, l.all);
}

/* Audits and wants problems, one of whose lines says `what`. */
static void audit_expect_problem(fx_store *f, const char *what) {
  lines l;
  cp_audit_report rep;
  memset(&l, 0, sizeof l);
  int rc = cp_store_audit(f->s, 2, on_line, &l, &rep);
  if (rc != CP_EAUDIT) fail_msg("audit returned %d, want CP_EAUDIT; lines:\n%s", rc, l.all);
  assert_true(rep.problems > 0);
  assert_int_equal(rep.problems, l.n);
  if (strstr(l.all, what) == NULL) fail_msg("no problem line says \"%s\":\n%s", what, l.all);
}

/* Raw LMDB access to the store's environment (the store must be closed). */
typedef struct {
  MDB_env *env;
  MDB_txn *txn;
} raw;

static void raw_open(raw *r, const char *dir) {
  assert_int_equal(mdb_env_create(&r->env), 0);
  assert_int_equal(mdb_env_set_maxdbs(r->env, 16), 0);
  assert_int_equal(mdb_env_set_mapsize(r->env, 64ull << 30), 0);
  assert_int_equal(mdb_env_open(r->env, dir, MDB_NOTLS, 0600), 0);
  assert_int_equal(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
}

static MDB_dbi raw_dbi(raw *r, const char *name, unsigned flags) {
  MDB_dbi dbi;
  int rc = mdb_dbi_open(r->txn, name, flags, &dbi);
  if (rc != 0) fail_msg("mdb_dbi_open %s: %s", name, mdb_strerror(rc));
  return dbi;
}

static void raw_commit(raw *r) {
  assert_int_equal(mdb_txn_commit(r->txn), 0);
  mdb_env_close(r->env);
}

static void audit_clean_store(void **state) {
  (void)state;
  fx_store f;
  build(&f, "Just An Assessor");
  lines l;
  cp_audit_report rep;
  memset(&l, 0, sizeof l);
  assert_int_equal(cp_store_audit(f.s, 2, on_line, &l, &rep), CP_OK);
  assert_int_equal(rep.problems, 0);
  assert_int_equal(l.n, 0);
  assert_int_equal(rep.logs, 2);
  assert_int_equal(rep.entries, 11 + 3);
  assert_int_equal(rep.signatures, rep.entries);
  assert_int_equal(rep.forks, 0);
  assert_int_equal(rep.checkpoints, 3 + 1); /* init, two commits; the foreign one */
  /* One thread or many: the same verdict. */
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &rep), CP_OK);
  assert_int_equal(cp_store_audit(f.s, 16, NULL, NULL, &rep), CP_OK);
  /* And read-only, after reopening. */
  cp_store_close(f.s);
  cp_diag d;
  assert_int_equal(cp_store_open(f.dir, CP_STORE_RDONLY, &f.s, &d), CP_OK);
  audit_expect_clean(&f);
  fx_free(&f);
}

/* (a) One byte of an entry flipped inside data.mdb. */
static void audit_flipped_byte_on_disk(void **state) {
  (void)state;
  static const char marker[] = "QQMARKERQQ";
  fx_store f;
  build(&f, marker);
  audit_expect_clean(&f);
  char path[1024];
  snprintf(path, sizeof path, "%s", cp_store_path(f.s));
  cp_store_close(f.s);
  f.s = NULL;
  size_t len;
  uint8_t *data = cpt_read_file(path, &len);
  size_t hits = 0;
  for (uint8_t *p = data; (p = memmem(p, len - (size_t)(p - data), marker, 10)) != NULL; p += 10) {
    p[4] ^= 0x01; /* 'A' -> '@': still valid UTF-8, same length */
    hits++;
  }
  assert_true(hits >= 1);
  FILE *fp = fopen(path, "r+b");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  fclose(fp);
  free(data);
  fx_open(&f);
  audit_expect_problem(&f, "signature does not verify");
  fx_free(&f);
}

/* (b) One record deleted from an index, in its main tier (an educator with
 * several rows) and in its recent tier (the foreign award, the only row
 * there), and an entry ID deleted from each tier of ids. */
static void delete_first(const char *dbname, unsigned flags, int second_dup, const char *expect) {
  fx_store f;
  raw r;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, dbname, flags);
  assert_int_equal(mdb_cursor_open(r.txn, dbi, &c), 0);
  assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
  if (second_dup) assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP), 0);
  assert_int_equal(mdb_cursor_del(c, 0), 0);
  mdb_cursor_close(c);
  raw_commit(&r);
  fx_open(&f);
  audit_expect_problem(&f, expect);
  fx_free(&f);
}

static void audit_missing_index_record(void **state) {
  (void)state;
  const unsigned dups = MDB_DUPSORT | MDB_DUPFIXED;
  delete_first("by_edu", dups, 1, "index by_edu lacks");
  delete_first("by_edu_new", dups, 0, "index by_edu lacks");
  delete_first("ids", 0, 0, "index ids lacks");
  delete_first("ids_new", 0, 0, "index ids lacks");
}

/* (c) An extra record in an index (found only by the count). */
static void audit_extra_index_record(void **state) {
  (void)state;
  fx_store f;
  raw r;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "by_edu", MDB_DUPSORT | MDB_DUPFIXED);
  uint8_t key[32], val[8] = {0, 0, 0, 0, 0, 0, 0, 1}; /* row 1: the credential */
  memset(key, 0x5E, sizeof key);
  MDB_val k = {32, key}, v = {8, val};
  assert_int_equal(mdb_put(r.txn, dbi, &k, &v, 0), 0);
  raw_commit(&r);
  fx_open(&f);
  audit_expect_problem(&f, "by_edu holds");
  fx_free(&f);
}

/* The same for the unique indexes and the type index. */
static void audit_extra_record_other_indexes(void **state) {
  (void)state;
  static const struct { const char *name; unsigned flags; size_t klen; } dbs[] = {
      {"ids", 0, 32}, {"by_type", MDB_DUPSORT | MDB_DUPFIXED, 1},
      {"by_cred", MDB_DUPSORT | MDB_DUPFIXED, 32}, {"revoked", 0, 32}};
  for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
    fx_store f;
    raw r;
    char what[64];
    build(&f, NULL);
    cp_store_close(f.s);
    f.s = NULL;
    raw_open(&r, f.dir);
    MDB_dbi dbi = raw_dbi(&r, dbs[i].name, dbs[i].flags);
    uint8_t key[32], val[8] = {0, 0, 0, 0, 0, 0, 0, 2};
    memset(key, 0x09, sizeof key); /* by_type 9: no key entries exist */
    MDB_val k = {dbs[i].klen, key}, v = {8, val};
    assert_int_equal(mdb_put(r.txn, dbi, &k, &v, 0), 0);
    raw_commit(&r);
    fx_open(&f);
    snprintf(what, sizeof what, "index %s holds", dbs[i].name);
    audit_expect_problem(&f, what);
    fx_free(&f);
  }
}

/* A record present in both tiers of a random-key index: the first record
 * of the main tier copied, key and value, into the recent tier (for by_edu,
 * one (educator, row) dup). Every lookup still finds it, so only the count
 * across both tiers shows it. */
static void copy_to_recent(const char *main_name, const char *recent_name, unsigned flags,
                           const char *expect) {
  fx_store f;
  raw r;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  uint8_t kb[32], vb[8];
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi from = raw_dbi(&r, main_name, flags), to = raw_dbi(&r, recent_name, flags);
  MDB_stat before, after;
  assert_int_equal(mdb_stat(r.txn, to, &before), 0);
  assert_true(before.ms_entries > 0); /* both tiers hold records */
  assert_int_equal(mdb_cursor_open(r.txn, from, &c), 0);
  assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
  assert_int_equal(k.mv_size, 32);
  assert_int_equal(v.mv_size, 8);
  memcpy(kb, k.mv_data, 32);
  memcpy(vb, v.mv_data, 8);
  mdb_cursor_close(c);
  MDB_val nk = {32, kb}, nv = {8, vb};
  assert_int_equal(mdb_put(r.txn, to, &nk, &nv, (flags & MDB_DUPSORT) ? MDB_NODUPDATA
                                                                       : MDB_NOOVERWRITE), 0);
  assert_int_equal(mdb_stat(r.txn, to, &after), 0);
  assert_int_equal(after.ms_entries, before.ms_entries + 1);
  raw_commit(&r);
  fx_open(&f);
  audit_expect_problem(&f, expect);
  fx_free(&f);
}

static void audit_record_in_both_tiers(void **state) {
  (void)state;
  copy_to_recent("ids", "ids_new", 0, "index ids holds");
  copy_to_recent("by_edu", "by_edu_new", MDB_DUPSORT | MDB_DUPFIXED, "index by_edu holds");
}

/* (d) A stored checkpoint replaced by one for a wrong root, validly signed. */
static void audit_wrong_checkpoint(void **state) {
  (void)state;
  fx_store f;
  raw r;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  char note[CP_NOTE_MAX];
  size_t len;
  uint8_t wrong[32];
  build(&f, NULL);
  cp_reader *rd = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f.s, &rd), CP_OK);
  assert_int_equal(cp_reader_log(rd, f.pk, &li), CP_OK);
  char origin[64];
  snprintf(origin, sizeof origin, "%.*s", (int)li.origin.len, li.origin.p);
  cp_reader_end(rd);
  memcpy(wrong, li.root, 32);
  wrong[0] ^= 0x80;
  assert_int_equal(cp_checkpoint_sign(f.k, origin, li.size, wrong, note, sizeof note, &len),
                   CP_OK);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "checkpoints", 0);
  /* The own log was created first: its checkpoints come first; the one at
   * its full size is the last of them. */
  assert_int_equal(mdb_cursor_open(r.txn, dbi, &c), 0);
  uint8_t kb[12];
  int found = 0;
  for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    const uint8_t *p = k.mv_data;
    uint64_t size = 0;
    for (int i = 4; i < 12; i++) size = size << 8 | p[i];
    if (k.mv_size == 12 && size == li.size && memmem(v.mv_data, v.mv_size, origin,
                                                     strlen(origin)) != NULL) {
      memcpy(kb, p, 12);
      found = 1;
    }
  }
  mdb_cursor_close(c);
  assert_true(found);
  MDB_val ck = {12, kb}, cv = {len, note};
  assert_int_equal(mdb_put(r.txn, dbi, &ck, &cv, 0), 0);
  raw_commit(&r);
  fx_open(&f);
  audit_expect_problem(&f, "does not match");
  fx_free(&f);
}

/* A checkpoint whose signature was tampered with. */
static void audit_checkpoint_bad_signature(void **state) {
  (void)state;
  fx_store f;
  raw r;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "checkpoints", 0);
  assert_int_equal(mdb_cursor_open(r.txn, dbi, &c), 0);
  assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
  char *note = malloc(v.mv_size);
  memcpy(note, v.mv_data, v.mv_size);
  size_t len = v.mv_size;
  /* The signature's base64 ends the note; change a character near its end. */
  note[len - 6] = note[len - 6] == 'A' ? 'B' : 'A';
  uint8_t kb[12];
  memcpy(kb, k.mv_data, 12);
  mdb_cursor_close(c);
  MDB_val ck = {12, kb}, cv = {len, note};
  assert_int_equal(mdb_put(r.txn, dbi, &ck, &cv, 0), 0);
  raw_commit(&r);
  free(note);
  fx_open(&f);
  audit_expect_problem(&f, "does not verify");
  fx_free(&f);
}

/* A row of the entries database removed. */
static void audit_missing_row(void **state) {
  (void)state;
  fx_store f;
  raw r;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "entries", 0);
  uint8_t kb[8] = {0, 0, 0, 0, 0, 0, 0, 4};
  MDB_val k = {8, kb};
  assert_int_equal(mdb_del(r.txn, dbi, &k, NULL), 0);
  raw_commit(&r);
  fx_open(&f);
  audit_expect_problem(&f, "seq 4");
  fx_free(&f);
}

/* A complete-subtree hash kept in a row, flipped on disk: the hash of
 * leaves 2 and 3, which no frontier ever holds, so only the row has it. */
static void audit_flipped_merkle_hash(void **state) {
  (void)state;
  fx_store f;
  uint8_t id2[32], id3[32], h23[32];
  const uint8_t *p;
  size_t len;
  cp_reader *r = NULL;
  build(&f, NULL);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry(r, f.pk, 2, &p, &len), CP_OK);
  ref_leaf(p, len, id2);
  assert_int_equal(cp_reader_entry(r, f.pk, 3, &p, &len), CP_OK);
  ref_leaf(p, len, id3);
  cp_reader_end(r);
  ref_node(id2, id3, h23);
  char path[1024];
  snprintf(path, sizeof path, "%s", cp_store_path(f.s));
  cp_store_close(f.s);
  f.s = NULL;
  uint8_t *data = cpt_read_file(path, &len);
  size_t hits = 0;
  for (uint8_t *q = data; (q = memmem(q, len - (size_t)(q - data), h23, 32)) != NULL; q += 32) {
    q[31] ^= 0x01;
    hits++;
  }
  assert_true(hits >= 1);
  FILE *fp = fopen(path, "r+b");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  fclose(fp);
  free(data);
  fx_open(&f);
  audit_expect_problem(&f, "seq 3: stored Merkle hashes differ");
  fx_free(&f);
}

/* The log record's head replaced behind the store's back. */
static void audit_log_record_tampered(void **state) {
  (void)state;
  fx_store f;
  raw r;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "logs", 0);
  assert_int_equal(mdb_cursor_open(r.txn, dbi, &c), 0);
  assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
  uint8_t *rec = malloc(v.mv_size), kb[4];
  memcpy(rec, v.mv_data, v.mv_size);
  memcpy(kb, k.mv_data, 4);
  size_t n = v.mv_size;
  mdb_cursor_close(c);
  rec[64] ^= 0xFF; /* first byte of the head (layout: log, signer, head, ...) */
  MDB_val nk = {4, kb}, nv = {n, rec};
  assert_int_equal(mdb_put(r.txn, dbi, &nk, &nv, 0), 0);
  raw_commit(&r);
  free(rec);
  fx_open(&f);
  audit_expect_problem(&f, "head");
  fx_free(&f);
}

/* A store written in another format version is refused at open. */
static void store_other_format_refused(void **state) {
  (void)state;
  fx_store f;
  raw r;
  cp_diag d;
  build(&f, NULL);
  cp_store_close(f.s);
  f.s = NULL;
  raw_open(&r, f.dir);
  MDB_dbi dbi = raw_dbi(&r, "meta", 0);
  uint8_t v2[4] = {0, 0, 0, CP_STORE_FORMAT + 1};
  MDB_val k = {6, "format"}, v = {4, v2};
  assert_int_equal(mdb_put(r.txn, dbi, &k, &v, 0), 0);
  raw_commit(&r);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_open(f.dir, 0, &f.s, &d), CP_EVERSION);
  assert_null(f.s);
  assert_non_null(strstr(d.msg, "format"));
  fx_free(&f);
}

/* A validly signed checkpoint of the empty tree (size 0) is refused: it
 * commits to nothing, and the audit replays checkpoints against trees of one
 * entry or more. The store is left as it was and audits clean. */
static void audit_checkpoint_size_zero(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(2, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  uint8_t empty[32];
  char note[CP_NOTE_MAX];
  size_t len;
  fx_new(&f, 0x92, "credport/test/zero");
  fx_log_init(&l, 0x93);
  fx_genesis(&l, "zero.example/log", &b[0]);
  fx_push(&bt, &b[0]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);
  crypto_hash_sha256(empty, NULL, 0);
  assert_int_equal(cp_checkpoint_sign(l.k, "zero.example/log", 0, empty, note, sizeof note, &len),
                   CP_OK);
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EINVAL);
  if (strstr(d.msg, "checkpoint of the empty tree") == NULL)
    fail_msg("size-0 checkpoint refused for another reason: %s", d.msg);
  audit_expect_clean(&f);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

/* The own log rotates its key twice; every checkpoint the store signed on
 * the way must still audit clean. */
static void audit_own_log_rotations(void **state) {
  (void)state;
  fx_store f;
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  cp_key *k2 = fx_key(0x95), *k3 = fx_key(0x96);
  fx_new(&f, 0x94, "credport/test/rotate");
  cp_key *keys[3] = {f.k, k2, k3};
  for (int i = 0; i < 2; i++) {
    int rc = cp_appender_begin(f.s, keys[i], T0 + 1, &a, &d);
    if (rc != 0) fail_msg("appender with key %d: %d %s", i, rc, d.msg);
    fx_credential(&e, i == 0 ? "r0" : "r1");
    assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    memset(&e, 0, sizeof e);
    e.type = CP_T_KEY;
    e.u.key.action = CP_KEY_ROTATE;
    cp_key_public(keys[i + 1], e.u.key.new_key);
    assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  }
  /* The old keys are refused; the new one appends. */
  assert_int_not_equal(cp_appender_begin(f.s, k2, T0 + 2, &a, &d), CP_OK);
  assert_int_equal(cp_appender_begin(f.s, k3, T0 + 2, &a, &d), CP_OK);
  fx_credential(&e, "r2");
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  audit_expect_clean(&f);
  /* The latest checkpoint verifies under the current signer's vkey. */
  cp_reader *r = NULL;
  cp_log_info li;
  const char *note;
  size_t len;
  char origin[64], vk[CP_VKEY_MAX];
  cp_note_verifier v;
  cp_note_result res;
  uint8_t pk3[32];
  cp_key_public(k3, pk3);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, f.pk, &li), CP_OK);
  assert_memory_equal(li.signer, pk3, 32);
  snprintf(origin, sizeof origin, "%.*s", (int)li.origin.len, li.origin.p);
  assert_int_equal(cp_note_vkey_format(origin, CP_NOTE_ALG_ED25519, li.signer, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v, &d), CP_OK);
  assert_int_equal(cp_reader_checkpoint(r, f.pk, &note, &len), CP_OK);
  assert_int_equal(cp_note_open_checkpoint(note, len, &v, 1, origin, &res, &d), CP_OK);
  assert_int_equal(res.cp.size, li.size);
  cp_reader_end(r);
  /* A retired key cannot sign checkpoints either. */
  assert_int_not_equal(cp_store_checkpoint(f.s, k2, &d), CP_OK);
  audit_expect_clean(&f);
  cp_key_free(k2);
  cp_key_free(k3);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(audit_clean_store),
    cmocka_unit_test(audit_flipped_byte_on_disk),
    cmocka_unit_test(audit_missing_index_record),
    cmocka_unit_test(audit_extra_index_record),
    cmocka_unit_test(audit_extra_record_other_indexes),
    cmocka_unit_test(audit_record_in_both_tiers),
    cmocka_unit_test(audit_wrong_checkpoint),
    cmocka_unit_test(audit_checkpoint_bad_signature),
    cmocka_unit_test(audit_missing_row),
    cmocka_unit_test(audit_flipped_merkle_hash),
    cmocka_unit_test(audit_log_record_tampered),
    cmocka_unit_test(store_other_format_refused),
    cmocka_unit_test(audit_checkpoint_size_zero),
    cmocka_unit_test(audit_own_log_rotations),
};

CP_TEST_MAIN(tests)
