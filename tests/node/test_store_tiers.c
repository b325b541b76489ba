/*
 * The entry-ID and educator indexes in two tiers (node/tiers.c): lookups and
 * walks see both tiers as one index, in order, across merges; and the
 * store's bound on mapped file pages (cp_store_tune, map_resident): a long
 * run of appends maps most of the data file into the process unless the
 * store returns the pages, and returning them loses nothing.
 */
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "credport/facts.h"
#include "test_store_fixture.h"

#define EDUS 5u
#define ROUNDS 7u
#define ROUNDS_KILL 16

typedef struct {
  uint64_t seqs[64];
  size_t n;
} seen;

static int collect_seq(void *ctx, const uint8_t *buf, size_t len) {
  seen *s = ctx;
  cp_entry e;
  assert_int_equal(cp_entry_decode(buf, len, &e, NULL), CP_OK);
  assert_true(s->n < 64);
  s->seqs[s->n++] = e.seq;
  return 0;
}

typedef struct {
  uint8_t keys[16][CP_PK_BYTES];
  size_t n;
} edus;

static int collect_edu(void *ctx, const uint8_t educator[CP_PK_BYTES]) {
  edus *x = ctx;
  assert_true(x->n < 16);
  memcpy(x->keys[x->n++], educator, CP_PK_BYTES);
  return 0;
}

static int by_key(const void *a, const void *b) { return memcmp(a, b, CP_PK_BYTES); }

/* Records in database `name` of the closed store in dir. */
static size_t raw_count(const char *dir, const char *name) {
  MDB_env *env = NULL;
  MDB_txn *txn = NULL;
  MDB_dbi dbi;
  MDB_stat st;
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
  assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
  assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
  assert_int_equal(mdb_stat(txn, dbi, &st), 0);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return st.ms_entries;
}

/* mdb_dbi_open's result for database `name` of the closed store in dir. */
static int raw_count_missing(const char *dir, const char *name) {
  MDB_env *env = NULL;
  MDB_txn *txn = NULL;
  MDB_dbi dbi;
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
  assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
  int rc = mdb_dbi_open(txn, name, 0, &dbi);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return rc;
}

static void problem(void *ctx, const char *line) {
  (void)ctx;
  print_message("audit: %s\n", line);
}

/* Awards to five educators in seven commits with recent tiers of 12
 * records: each commit of five awards fills a tier every other commit, so
 * every educator ends with rows in the main tier and in the recent one. */
static void store_tiers_read_as_one(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES], ids[ROUNDS * EDUS][CP_HASH_BYTES];
  uint8_t keys[EDUS][CP_PK_BYTES];
  fx_new(&f, 0x62, "credport/test/tiers");
  cp_store_tune(f.s, &(cp_store_tuning){0, 12});
  for (unsigned i = 0; i < EDUS; i++) memset(keys[i], 0xE0 - 0x20 * (int)i, CP_PK_BYTES);
  for (unsigned r = 0; r < ROUNDS; r++) {
    cp_appender *ap = NULL;
    assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 10, &ap, &d), CP_OK);
    if (r == 0) {
      fx_credential(&e, "tiers-cred");
      assert_int_equal(cp_appender_add(ap, &e, cred, &d), CP_OK);
    }
    for (unsigned i = 0; i < EDUS; i++) {
      fx_award(&e, cred, 0, "Assessor");
      memcpy(e.u.award.educator, keys[i], CP_PK_BYTES);
      assert_int_equal(cp_appender_add(ap, &e, ids[r * EDUS + i], &d), CP_OK);
    }
    assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
  }
  cp_reader *rd = NULL;
  assert_int_equal(cp_reader_begin(f.s, &rd), CP_OK);
  /* Each educator's awards: all of them, in the order they were appended
   * (seq 2 + i is the first round's award to educator i). */
  for (unsigned i = 0; i < EDUS; i++) {
    seen s = {{0}, 0};
    assert_int_equal(cp_reader_by_educator(rd, keys[i], collect_seq, &s), CP_OK);
    assert_int_equal(s.n, ROUNDS);
    for (unsigned r = 0; r < ROUNDS; r++) assert_int_equal(s.seqs[r], 2 + r * EDUS + i);
  }
  /* Every educator once, in key order. */
  edus x = {{{0}}, 0};
  assert_int_equal(cp_reader_each_educator(rd, collect_edu, &x), CP_OK);
  assert_int_equal(x.n, EDUS);
  qsort(keys, EDUS, CP_PK_BYTES, by_key);
  assert_memory_equal(x.keys, keys, sizeof keys);
  /* Every award by its ID, wherever its record is. */
  for (unsigned j = 0; j < ROUNDS * EDUS; j++) {
    const uint8_t *buf;
    size_t len;
    uint8_t id[CP_HASH_BYTES];
    assert_int_equal(cp_reader_entry_by_id(rd, ids[j], &buf, &len), CP_OK);
    cp_entry_id(buf, len, id);
    assert_memory_equal(id, ids[j], CP_HASH_BYTES);
  }
  uint8_t absent[CP_HASH_BYTES];
  const uint8_t *buf;
  size_t len;
  memset(absent, 0x77, sizeof absent);
  assert_int_equal(cp_reader_entry_by_id(rd, absent, &buf, &len), CP_ENOTFOUND);
  cp_reader_end(rd);
  cp_audit_report rep;
  assert_int_equal(cp_store_audit(f.s, 2, problem, NULL, &rep), CP_OK);
  assert_int_equal(rep.entries, 2 + ROUNDS * EDUS);
  /* Where the records are: rounds 0-4 merged (after rounds 1 and 4), the
   * last two rounds recent. */
  cp_store_close(f.s);
  f.s = NULL;
  assert_int_equal(raw_count(f.dir, "by_edu"), 5 * EDUS);
  assert_int_equal(raw_count(f.dir, "by_edu_new"), 2 * EDUS);
  assert_int_equal(raw_count(f.dir, "ids"), 2 + 5 * EDUS);
  assert_int_equal(raw_count(f.dir, "ids_new"), 2 * EDUS);
  fx_free(&f);
}

#define AWARDS 60000u
#define PER_COMMIT 2000u

/* RssFile of this process, in bytes (0 if it cannot be read). */
static size_t rss_file(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long long kb = 0;
  if (f == NULL) return 0;
  while (fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "RssFile: %llu kB", &kb) == 1) break;
  fclose(f);
  return (size_t)kb * 1024;
}

typedef struct {
  size_t growth;   /* most RssFile grew over its value before the first append */
  uint64_t size;   /* the own log's size at the end */
} run_result;

/* Appends a credential and AWARDS awards to distinct random educators, in
 * commits of PER_COMMIT, with the store's limit set to `limit` (0: none);
 * RssFile is read after every commit. The store is left open in f. */
static run_result run(fx_store *f, size_t limit) {
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES];
  run_result r = {0, 0};
  fx_new(f, 0x61, "credport/test/mapped");
  /* Small recent tiers: the appends merge into the main ones many times. */
  cp_store_tune(f->s, &(cp_store_tuning){limit, 4096});
  size_t base = rss_file();
  assert_true(base > 0);
  unsigned done = 0;
  while (done < AWARDS) {
    cp_appender *ap = NULL;
    assert_int_equal(cp_appender_begin(f->s, f->k, T0 + 10, &ap, &d), CP_OK);
    if (done == 0) {
      fx_credential(&e, "mapped-cred");
      assert_int_equal(cp_appender_add(ap, &e, cred, &d), CP_OK);
    }
    for (unsigned i = 0; i < PER_COMMIT; i++, done++) {
      fx_award(&e, cred, 0, "Assessor");
      randombytes_buf(e.u.award.educator, CP_PK_BYTES);
      int rc = cp_appender_add(ap, &e, NULL, &d);
      if (rc != 0) fail_msg("award %u: %d %s", done, rc, d.msg);
    }
    assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
    size_t now = rss_file();
    if (now > base && now - base > r.growth) r.growth = now - base;
  }
  r.size = fx_size(f, f->pk);
  return r;
}

static void store_mapped_pages_bounded(void **state) {
  (void)state;
  const size_t limit = 4u << 20;
  fx_store a, b;
  run_result open_ended = run(&a, 0);
  fx_free(&a);
  run_result bounded = run(&b, limit);
  print_message("RssFile growth: %zu KiB without a limit, %zu KiB with %zu KiB\n",
                open_ended.growth >> 10, bounded.growth >> 10, limit >> 10);
  /* The premise: left alone, the appends map far more than the limit. */
  assert_true(open_ended.growth > 4 * limit);
  /* With the limit, what stays mapped after each commit is the limit plus
   * what 256 entries may map before the next count. */
  assert_true(bounded.growth <= 2 * limit);
  assert_int_equal(bounded.size, 1 + 1 + AWARDS);
  assert_int_equal(open_ended.size, bounded.size);
  /* Nothing was lost: every row and index record replays cleanly. */
  cp_audit_report rep;
  assert_int_equal(cp_store_audit(b.s, 2, problem, NULL, &rep), CP_OK);
  assert_int_equal(rep.entries, bounded.size);
  assert_int_equal(rep.problems, 0);
  fx_free(&b);
}

/* Appends awards forever, in commits of 400, with recent tiers of 1000
 * records, so that merges run often (child process; killed by the parent). */
static void append_forever(fx_store *f, const uint8_t cred[CP_HASH_BYTES]) {
  cp_store_close(f->s);
  fx_open(f);
  cp_store_tune(f->s, &(cp_store_tuning){0, 1000});
  for (;;) {
    cp_appender *ap = NULL;
    cp_diag d = {{0}};
    cp_entry e;
    if (cp_appender_begin(f->s, f->k, T0 + 10, &ap, &d) != CP_OK) _exit(2);
    for (unsigned i = 0; i < 400; i++) {
      fx_award(&e, cred, 0, "Assessor");
      randombytes_buf(e.u.award.educator, CP_PK_BYTES);
      if (cp_appender_add(ap, &e, NULL, &d) != CP_OK) _exit(3);
    }
    if (cp_appender_commit(ap, &d) != CP_OK) _exit(4);
  }
}

/* A process killed at random moments while it appends and merges leaves a
 * store that audits clean: each merge chunk is a transaction of its own,
 * and no record is ever in both tiers or in neither. */
static void store_tiers_survive_kill(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES];
  uint64_t last = 0;
  fx_new(&f, 0x63, "credport/test/tiers-kill");
  cp_appender *ap = NULL;
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 10, &ap, &d), CP_OK);
  fx_credential(&e, "kill-cred");
  assert_int_equal(cp_appender_add(ap, &e, cred, &d), CP_OK);
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
  for (int round = 0; round < ROUNDS_KILL; round++) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) append_forever(&f, cred);
    struct timespec ts = {0, (long)(60 + randombytes_uniform(160)) * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status)) fail_msg("the appending process exited with %d", WEXITSTATUS(status));
    cp_store_close(f.s);
    fx_open(&f);
    uint64_t size = fx_size(&f, f.pk);
    assert_true(size >= last);
    last = size;
    cp_audit_report rep;
    int rc = cp_store_audit(f.s, 2, problem, NULL, &rep);
    if (rc != CP_OK) fail_msg("round %d, %llu entries: audit %d", round, (unsigned long long)size, rc);
    assert_int_equal(rep.entries, size);
  }
  print_message("%llu entries after %d kills\n", (unsigned long long)last, ROUNDS_KILL);
  assert_true(last > 2 + 1000); /* the tiers were merged at least once */
  fx_free(&f);
}

/* A store of another format is refused as such, also read-only and also
 * when it lacks databases this format has (an older store without the
 * recent tiers): the format record is read before anything else. */
static void store_other_format_read_only(void **state) {
  (void)state;
  fx_store f;
  MDB_env *env = NULL;
  MDB_txn *txn = NULL;
  MDB_dbi meta, dbi;
  cp_diag d = {{0}};
  fx_new(&f, 0x64, "credport/test/format");
  cp_store_close(f.s);
  f.s = NULL;
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
  assert_int_equal(mdb_env_set_mapsize(env, 64ull << 30), 0);
  assert_int_equal(mdb_env_open(env, f.dir, 0, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
  uint8_t old[4] = {0, 0, 0, CP_STORE_FORMAT - 1};
  MDB_val k = {6, "format"}, v = {4, old};
  assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
  assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
  assert_int_equal(mdb_dbi_open(txn, "ids_new", 0, &dbi), 0);
  assert_int_equal(mdb_drop(txn, dbi, 1), 0);
  assert_int_equal(mdb_dbi_open(txn, "by_edu_new", 0, &dbi), 0);
  assert_int_equal(mdb_drop(txn, dbi, 1), 0);
  assert_int_equal(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  for (int ro = 0; ro < 2; ro++) {
    memset(&d, 0, sizeof d);
    assert_int_equal(cp_store_open(f.dir, ro ? CP_STORE_RDONLY : 0, &f.s, &d), CP_EVERSION);
    assert_null(f.s);
    assert_non_null(strstr(d.msg, "store format is not"));
  }
  /* Refused, not upgraded: the databases are still missing. */
  assert_int_equal(raw_count_missing(f.dir, "ids_new"), MDB_NOTFOUND);
  fx_free(&f);
}

/* A record found in both tiers (as a damaged or hand-edited store could
 * hold) does not stop merging: the recent copy goes, the main one stays. */
static void store_tiers_merge_past_duplicates(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_entry e;
  uint8_t cred[CP_HASH_BYTES];
  fx_new(&f, 0x65, "credport/test/tiers-dup");
  cp_store_tune(f.s, &(cp_store_tuning){0, 4});
  cp_appender *ap = NULL;
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 10, &ap, &d), CP_OK);
  fx_credential(&e, "dup-cred");
  assert_int_equal(cp_appender_add(ap, &e, cred, &d), CP_OK);
  for (unsigned i = 0; i < 4; i++) {
    fx_award(&e, cred, (uint8_t)(0x30 + i), "Assessor");
    assert_int_equal(cp_appender_add(ap, &e, NULL, &d), CP_OK);
  }
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK); /* merged: all in the main tiers */
  cp_store_close(f.s);
  f.s = NULL;
  assert_int_equal(raw_count(f.dir, "ids_new"), 0);
  /* Copy the first record of each main tier into its recent tier. */
  MDB_env *env = NULL;
  MDB_txn *txn = NULL;
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
  assert_int_equal(mdb_env_set_mapsize(env, 64ull << 30), 0);
  assert_int_equal(mdb_env_open(env, f.dir, 0, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
  const char *names[2][2] = {{"ids", "ids_new"}, {"by_edu", "by_edu_new"}};
  for (int i = 0; i < 2; i++) {
    unsigned fl = i ? MDB_DUPSORT | MDB_DUPFIXED : 0;
    MDB_dbi from, to;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    assert_int_equal(mdb_dbi_open(txn, names[i][0], fl, &from), 0);
    assert_int_equal(mdb_dbi_open(txn, names[i][1], fl, &to), 0);
    assert_int_equal(mdb_cursor_open(txn, from, &c), 0);
    assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
    assert_int_equal(mdb_put(txn, to, &k, &v, 0), 0);
    mdb_cursor_close(c);
  }
  assert_int_equal(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  /* The next commit fills the recent tiers and merges them. */
  fx_open(&f);
  cp_store_tune(f.s, &(cp_store_tuning){0, 4});
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 20, &ap, &d), CP_OK);
  for (unsigned i = 0; i < 4; i++) {
    fx_award(&e, cred, (uint8_t)(0x40 + i), "Assessor");
    assert_int_equal(cp_appender_add(ap, &e, NULL, &d), CP_OK);
  }
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
  cp_audit_report rep;
  assert_int_equal(cp_store_audit(f.s, 2, problem, NULL, &rep), CP_OK);
  cp_store_close(f.s);
  f.s = NULL;
  assert_int_equal(raw_count(f.dir, "ids_new"), 0);
  assert_int_equal(raw_count(f.dir, "by_edu_new"), 0);
  assert_int_equal(raw_count(f.dir, "ids"), 2 + 8);
  assert_int_equal(raw_count(f.dir, "by_edu"), 8);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(store_tiers_read_as_one),
    cmocka_unit_test(store_mapped_pages_bounded),
    cmocka_unit_test(store_tiers_survive_kill),
    cmocka_unit_test(store_other_format_read_only),
    cmocka_unit_test(store_tiers_merge_past_duplicates),
};

CP_TEST_MAIN(tests)
