/*
 * Store faults: a reader that died holding a read transaction, a full map,
 * and the translation of system and LMDB codes into credport's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_store_fixture.h"

/* Bytes of the store's data file. */
static long long data_size(const fx_store *f) {
  char p[4096];
  struct stat st;
  snprintf(p, sizeof p, "%s/data.mdb", f->dir);
  assert_int_equal(stat(p, &st), 0);
  return (long long)st.st_size;
}

/* Starts a process that opens the store, begins a read transaction (if
 * txn) and waits; returns its pid once it is open. */
static pid_t stuck_reader(const fx_store *f, int txn) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    cp_store *s = NULL;
    cp_reader *r = NULL;
    close(fds[0]);
    /* Never outlive a failed test, nor keep the test's output open. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1), dup2(null, 2);
    if (cp_store_open(f->dir, CP_STORE_RDONLY, &s, NULL) != 0 ||
        (txn && cp_reader_begin(s, &r) != 0))
      _exit(1);
    char b = 1;
    if (write(fds[1], &b, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(fds[1]);
  char b = 0;
  assert_int_equal(read(fds[0], &b, 1), 1);
  close(fds[0]);
  return pid;
}

static void kill_hard(pid_t pid) {
  int st;
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st));
}

/* n small commits (one partner record rewritten each time). */
static void commits(fx_store *f, int n) {
  cp_peer_info p;
  memset(&p, 0, sizeof p);
  memset(p.key, 0x42, sizeof p.key);
  for (int i = 0; i < n; i++) {
    cp_diag d = {{0}};
    p.bytes_in = (uint64_t)i;
    snprintf(p.addr, sizeof p.addr, "127.0.0.1:%d", 1000 + i);
    int rc = cp_store_peer_put(f->s, &p, 0, &d);
    if (rc != 0) fail_msg("peer_put %d: %d %s", i, rc, d.msg);
  }
}

/* Each commit copies a few pages; with the old pages free for reuse the
 * file stays put. A dead reader's slot pins them, and 400 commits grow the
 * file by megabytes. */
#define COMMITS 400
#define GROWTH_MAX (256 * 1024)

static void store_dead_reader_cleared_by_writer(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x51, "credport/test/reader");
  commits(&f, 50);
  kill_hard(stuck_reader(&f, 1));
  /* The store stays open, as serve's does: its writer must clear the slot
   * (at most a second after the previous sweep). */
  struct timespec ts = {1, 100000000};
  nanosleep(&ts, NULL);
  long long before = data_size(&f);
  commits(&f, COMMITS);
  long long grown = data_size(&f) - before;
  if (grown > GROWTH_MAX) fail_msg("data.mdb grew by %lld bytes over %d commits", grown, COMMITS);
  fx_free(&f);
}

static void store_dead_reader_cleared_at_open(void **state) {
  (void)state;
  fx_store f;
  fx_new(&f, 0x52, "credport/test/reader-open");
  commits(&f, 50);
  cp_store_close(f.s);
  f.s = NULL;
  /* Another process keeps the environment open, so the next open is not
   * the only one and LMDB keeps the reader table as it is. */
  pid_t holder = stuck_reader(&f, 0);
  kill_hard(stuck_reader(&f, 1));
  fx_open(&f);
  int dead = -1;
  assert_int_equal(cp_store_reader_check(f.s, &dead), CP_OK);
  assert_int_equal(dead, 0); /* the open cleared it */
  long long before = data_size(&f);
  commits(&f, COMMITS);
  long long grown = data_size(&f) - before;
  if (grown > GROWTH_MAX) fail_msg("data.mdb grew by %lld bytes over %d commits", grown, COMMITS);
  kill_hard(holder);
  fx_free(&f);
}

/* Awards appended in one transaction until it fails; returns the code. */
static int award_many(fx_store *f, int n, cp_diag *d) {
  cp_appender *a = NULL;
  cp_entry e;
  uint8_t cred[32];
  int rc = cp_appender_begin(f->s, f->k, T0 + 10, &a, d);
  if (rc != 0) return rc;
  fx_credential(&e, "mc-map");
  rc = cp_appender_add(a, &e, cred, d);
  for (int i = 0; rc == 0 && i < n; i++) {
    fx_award(&e, cred, (uint8_t)i, "A. Example");
    rc = cp_appender_add(a, &e, NULL, d);
  }
  if (rc == 0) return cp_appender_commit(a, d);
  cp_appender_abort(a);
  return rc;
}

static void problem(void *ctx, const char *line) {
  (void)ctx;
  fail_msg("audit: %s", line);
}

static void store_map_full_then_raised(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_audit_report rep;
  fx_new(&f, 0x53, "credport/test/map");
  uint64_t small = 256 * 1024;
  assert_int_equal(cp_store_set_map_size(f.s, small, &d), CP_OK);
  assert_int_equal(cp_store_map_size(f.s), small);
  /* Below what the ledger uses: refused, naming both sizes. */
  assert_int_equal(cp_store_set_map_size(f.s, 4096, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "below"));
  /* Kept for the next open. */
  cp_store_close(f.s);
  f.s = NULL;
  fx_open(&f);
  assert_int_equal(cp_store_map_size(f.s), small);

  memset(&d, 0, sizeof d);
  assert_int_equal(award_many(&f, 3000, &d), CP_EMAPFULL);
  assert_non_null(strstr(d.msg, "ledger map full: raise it with credport map-size"));
  assert_int_equal(fx_size(&f, f.pk), 1);
  assert_int_equal(cp_store_audit(f.s, 1, problem, NULL, &rep), CP_OK);

  assert_int_equal(cp_store_set_map_size(f.s, 64u << 20, &d), CP_OK);
  memset(&d, 0, sizeof d);
  int rc = award_many(&f, 3000, &d);
  if (rc != 0) fail_msg("after raising the map: %d %s", rc, d.msg);
  assert_int_equal(fx_size(&f, f.pk), 3002);
  assert_int_equal(cp_store_audit(f.s, 1, problem, NULL, &rep), CP_OK);
  fx_free(&f);
}

static void store_error_codes(void **state) {
  (void)state;
  assert_string_equal(cp_strerror(CP_ENOSPC), "no space left on device");
  assert_non_null(strstr(cp_strerror(CP_EMAPFULL), "raise it with credport map-size"));
  assert_true(cp_err_local(CP_ENOSPC));
  assert_true(cp_err_local(CP_EMAPFULL));
  assert_true(cp_err_local(-EIO));
  assert_false(cp_err_local(CP_ECHAIN));
  assert_false(cp_err_local(CP_EBADSIG));
  assert_false(cp_err_local(CP_EPROTO));
}


/* ---- the own-head guard ------------------------------------------------- */

static void put_guard(const fx_store *f, const char *text) {
  char p[4096];
  snprintf(p, sizeof p, "%s/own-head", f->dir);
  FILE *g = fopen(p, "w");
  assert_non_null(g);
  if (text != NULL) fputs(text, g);
  fclose(g);
  if (text == NULL) assert_int_equal(unlink(p), 0);
}

/* cp_appender_begin's verdict; the message must contain want when it fails. */
static void begin_is(fx_store *f, int rc_want, const char *want) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  int rc = cp_appender_begin(f->s, f->k, T0 + 10, &a, &d);
  if (rc != rc_want) fail_msg("appender_begin: %d (wanted %d): %s", rc, rc_want, d.msg);
  if (rc == 0) {
    cp_appender_abort(a);
    return;
  }
  if (strstr(d.msg, want) == NULL) fail_msg("\"%s\" lacks \"%s\"", d.msg, want);
  assert_non_null(strstr(d.msg, "sync with a partner first (credport sync ADDR:PORT"));
}

static void store_guard_states(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_store_guard g;
  char line[128], hex[65];
  fx_new(&f, 0x54, "credport/test/guard");
  begin_is(&f, CP_OK, NULL);
  cp_log_info li;
  cp_reader *r = NULL;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, f.pk, &li), CP_OK);
  cp_reader_end(r);
  cp_hex_encode(li.head, 32, hex);

  put_guard(&f, NULL);
  begin_is(&f, CP_EBEHIND, "is missing while this ledger holds 1 entries");
  put_guard(&f, "1 zz\n");
  begin_is(&f, CP_ECORRUPT, "is malformed");
  snprintf(line, sizeof line, "1 %064x\n", 7);
  put_guard(&f, line);
  begin_is(&f, CP_EBEHIND, "not the one last committed here");
  snprintf(line, sizeof line, "5 %s\n", hex);
  put_guard(&f, line);
  begin_is(&f, CP_EBEHIND, "holds 1 entries of its own log but 5 were committed");
  /* A sync that did not bring the 5 back does not confirm... */
  assert_int_equal(cp_store_guard_confirm(f.s, 0, NULL, &d), CP_EBEHIND);
  begin_is(&f, CP_EBEHIND, "but 5 were committed");
  /* ...the operator's statement does. */
  assert_int_equal(cp_store_guard_confirm(f.s, 1, &g, &d), CP_OK);
  assert_int_equal(g.size, 1);
  assert_false(g.was_confirmed);
  begin_is(&f, CP_OK, NULL);

  /* A restore: refused until a sync is confirmed, whatever the sizes. */
  assert_int_equal(cp_store_guard_restored(f.s, &d), CP_OK);
  begin_is(&f, CP_EBEHIND, "restored from a backup (at least 1 entries");
  assert_int_equal(cp_store_guard_get(f.s, &g, &d), CP_OK);
  assert_false(g.was_confirmed);
  assert_int_equal(cp_store_guard_confirm(f.s, 0, &g, &d), CP_OK);
  begin_is(&f, CP_OK, NULL);
  assert_int_equal(cp_store_guard_get(f.s, &g, &d), CP_OK);
  assert_true(g.was_confirmed);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(store_dead_reader_cleared_by_writer),
    cmocka_unit_test(store_dead_reader_cleared_at_open),
    cmocka_unit_test(store_map_full_then_raised),
    cmocka_unit_test(store_error_codes),
    cmocka_unit_test(store_guard_states),
};

CP_TEST_MAIN(tests)
