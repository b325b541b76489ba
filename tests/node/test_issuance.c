/*
 * Issuance guards of the own-log appender (cp_appender_guard) and its
 * rollback: duplicates refused against the committed log and within one
 * transaction, revoked awards given again, earned dates after today
 * refused, and a rollback that checks every entry yet leaves the store as
 * it was. Expected IDs come from the reference leaf hash of the fixture.
 */
#include "test_store_fixture.h"

#define DAY(t) ((uint32_t)((t) / 86400u))

typedef struct {
  fx_store f;
  uint8_t def[CP_HASH_BYTES];
} world;

static cp_appender *begin(world *w, unsigned guards) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  int rc = cp_appender_begin(w->f.s, w->f.k, T0 + 1000, &a, &d);
  if (rc != 0) fail_msg("cp_appender_begin: %d %s", rc, d.msg);
  cp_appender_guard(a, guards);
  return a;
}

static void award(cp_entry *e, const uint8_t def[CP_HASH_BYTES], uint8_t edu, uint32_t earned) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_AWARD;
  memcpy(e->u.award.credential, def, CP_HASH_BYTES);
  memset(e->u.award.educator, edu, CP_PK_BYTES);
  e->u.award.earned = earned;
  e->u.award.assessor = fx_s("A");
}

static void add_ok(cp_appender *a, cp_entry *e, uint8_t id[CP_HASH_BYTES]) {
  cp_diag d = {{0}};
  int rc = cp_appender_add(a, e, id, &d);
  if (rc != 0) fail_msg("cp_appender_add: %d %s", rc, d.msg);
}

static void commit_ok(cp_appender *a) {
  cp_diag d = {{0}};
  int rc = cp_appender_commit(a, &d);
  if (rc != 0) fail_msg("cp_appender_commit: %d %s", rc, d.msg);
}

/* A store with one credential definition (seq 1) and one award (seq 2):
 * educator 0x11, earned the day before T0. OUT: the award's ID. */
static void setup_world(world *w, uint8_t first[CP_HASH_BYTES]) {
  cp_entry e;
  fx_new(&w->f, 7, "test/issuance");
  cp_appender *a = begin(w, 0);
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  e.u.credential.id = fx_s("c1");
  e.u.credential.title = fx_s("One");
  e.u.credential.competency = fx_s("one");
  e.u.credential.evidence = fx_s("");
  e.u.credential.level = 1;
  e.u.credential.hours_x100 = 100;
  add_ok(a, &e, w->def);
  award(&e, w->def, 0x11, DAY(T0) - 1);
  add_ok(a, &e, first);
  commit_ok(a);
}

static uint64_t log_size(world *w) {
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_log(r, w->f.pk, &li), CP_OK);
  cp_reader_end(r);
  return li.size;
}

static void issuance_duplicate_in_log(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES], got[CP_HASH_BYTES];
  uint64_t seq = 0;
  cp_entry e;
  cp_diag d = {{0}};
  setup_world(&w, first);
  /* Another day, another educator, another credential id: all fine. */
  cp_appender *a = begin(&w, CP_GUARD_DUPLICATES);
  award(&e, w.def, 0x11, DAY(T0) - 2);
  add_ok(a, &e, id);
  award(&e, w.def, 0x22, DAY(T0) - 1);
  add_ok(a, &e, id);
  /* The same as seq 2: refused at commit at the latest, naming seq 2. */
  award(&e, w.def, 0x11, DAY(T0) - 1);
  int rc = cp_appender_add(a, &e, id, &d);
  if (rc == 0) rc = cp_appender_finish(a, &d);
  assert_int_equal(rc, CP_EDUPLICATE);
  assert_int_equal(cp_appender_failed_at(a), 2);
  assert_int_equal(cp_appender_duplicate(a, &seq, got), 1);
  assert_int_equal(seq, 2);
  assert_memory_equal(got, first, CP_HASH_BYTES);
  assert_non_null(strstr(d.msg, "(seq 2)"));
  cp_appender_abort(a);
  assert_int_equal(log_size(&w), 3);
  /* Without the guard the same award is appended. */
  a = begin(&w, 0);
  add_ok(a, &e, id);
  commit_ok(a);
  assert_int_equal(log_size(&w), 4);
  fx_free(&w.f);
}

static void issuance_duplicate_in_transaction(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES], got[CP_HASH_BYTES];
  uint64_t seq = 0;
  cp_entry e;
  cp_diag d = {{0}};
  setup_world(&w, first);
  cp_appender *a = begin(&w, CP_GUARD_DUPLICATES);
  award(&e, w.def, 0x33, DAY(T0) - 5);
  add_ok(a, &e, first);   /* seq 3 */
  award(&e, w.def, 0x44, DAY(T0) - 5);
  add_ok(a, &e, id);      /* seq 4 */
  award(&e, w.def, 0x33, DAY(T0) - 5);
  int rc = cp_appender_add(a, &e, id, &d);
  if (rc == 0) rc = cp_appender_finish(a, &d);
  assert_int_equal(rc, CP_EDUPLICATE);
  assert_int_equal(cp_appender_failed_at(a), 2);
  assert_int_equal(cp_appender_duplicate(a, &seq, got), 1);
  assert_int_equal(seq, 3);
  assert_memory_equal(got, first, CP_HASH_BYTES);
  cp_appender_abort(a);
  assert_int_equal(log_size(&w), 3);
  fx_free(&w.f);
}

static void issuance_revoked_given_again(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES];
  cp_entry e;
  setup_world(&w, first);
  cp_appender *a = begin(&w, CP_GUARD_DUPLICATES);
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION; /* a version-1 revoke: an award, no effective date */
  e.type = CP_T_REVOKE;
  memcpy(e.u.revoke.target, first, CP_HASH_BYTES);
  e.u.revoke.reason = fx_s("issued in error");
  add_ok(a, &e, id);
  award(&e, w.def, 0x11, DAY(T0) - 1);
  add_ok(a, &e, id);
  commit_ok(a);
  assert_int_equal(log_size(&w), 5);
  fx_free(&w.f);
}

static void issuance_future_refused(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES];
  cp_entry e;
  cp_diag d = {{0}};
  setup_world(&w, first);
  cp_appender *a = begin(&w, CP_GUARD_FUTURE);
  award(&e, w.def, 0x55, DAY(T0 + 1000)); /* today: fine */
  add_ok(a, &e, id);
  award(&e, w.def, 0x55, DAY(T0 + 1000) + 1);
  assert_int_equal(cp_appender_add(a, &e, id, &d), CP_ETIME);
  assert_non_null(strstr(d.msg, "award.earned"));
  assert_int_equal(cp_appender_failed_at(a), 1);
  award(&e, w.def, 0x55, 2932896); /* 9999-12-31 */
  assert_int_equal(cp_appender_add(a, &e, id, &d), CP_ETIME);
  cp_appender_abort(a);
  assert_int_equal(log_size(&w), 3);
  fx_free(&w.f);
}

static void issuance_rollback_checks_and_writes_nothing(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES];
  size_t len = 0;
  cp_entry e;
  cp_diag d = {{0}};
  setup_world(&w, first);
  uint8_t *before = cpt_read_file(cp_store_path(w.f.s), &len);
  /* Every entry fine: rollback says so, the store is unchanged. */
  cp_appender *a = begin(&w, CP_GUARD_DUPLICATES);
  award(&e, w.def, 0x66, DAY(T0) - 3);
  add_ok(a, &e, id);
  size_t elen = 0;
  const uint8_t *last = cp_appender_last(a, &elen);
  uint8_t ref[CP_HASH_BYTES];
  ref_leaf(last, elen, ref);
  assert_memory_equal(ref, id, CP_HASH_BYTES);
  assert_int_equal(cp_appender_rollback(a, &d), CP_OK);
  cp_appender_abort(a);
  /* A rule the writer checks (a revoke of no award) is found by rollback. */
  a = begin(&w, 0);
  memset(&e, 0, sizeof e);
  e.type = CP_T_REVOKE;
  memset(e.u.revoke.target, 0xab, CP_HASH_BYTES);
  e.u.revoke.reason = fx_s("none");
  int rc = cp_appender_add(a, &e, id, &d);
  if (rc == 0) rc = cp_appender_rollback(a, &d);
  assert_int_equal(rc, CP_ERULE);
  cp_appender_abort(a);
  size_t len2 = 0;
  uint8_t *after = cpt_read_file(cp_store_path(w.f.s), &len2);
  assert_int_equal(len, len2);
  assert_memory_equal(before, after, len);
  assert_int_equal(log_size(&w), 3);
  free(before);
  free(after);
  fx_free(&w.f);
}

/* Both index walks find a committed repeat: a credential with fewer awards
 * than the educator has (by_cred walked) and an educator with fewer than
 * the credential (by_edu walked). 5000 awards to one educator in one
 * transaction pass the in-transaction check without a false repeat. */
static void expect_repeat(world *w, const cp_entry *e, const uint8_t want[CP_HASH_BYTES]) {
  uint8_t id[CP_HASH_BYTES], got[CP_HASH_BYTES];
  uint64_t seq = 0;
  cp_diag d = {{0}};
  cp_entry x = *e;
  cp_appender *a = begin(w, CP_GUARD_DUPLICATES);
  int rc = cp_appender_add(a, &x, id, &d);
  if (rc == 0) rc = cp_appender_rollback(a, &d);
  assert_int_equal(rc, CP_EDUPLICATE);
  assert_int_equal(cp_appender_duplicate(a, &seq, got), 1);
  assert_memory_equal(got, want, CP_HASH_BYTES);
  cp_appender_abort(a);
}

static void issuance_duplicate_either_index(void **state) {
  (void)state;
  world w;
  uint8_t first[CP_HASH_BYTES], id[CP_HASH_BYTES], def2[CP_HASH_BYTES], c2aw[CP_HASH_BYTES],
      other[CP_HASH_BYTES], last[CP_HASH_BYTES];
  cp_entry e;
  setup_world(&w, first); /* educator 0x11: c1 on DAY(T0) - 1, seq 2 */
  cp_appender *a = begin(&w, CP_GUARD_DUPLICATES);
  for (uint32_t i = 0; i < 5000; i++) {
    award(&e, w.def, 0x11, DAY(T0) - 2 - i);
    add_ok(a, &e, i == 4999 ? last : id);
  }
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  e.u.credential.id = fx_s("c2");
  e.u.credential.title = fx_s("Two");
  e.u.credential.competency = fx_s("two");
  e.u.credential.evidence = fx_s("");
  e.u.credential.level = 1;
  e.u.credential.hours_x100 = 100;
  add_ok(a, &e, def2);
  award(&e, def2, 0x11, DAY(T0) - 1);
  add_ok(a, &e, c2aw);
  award(&e, w.def, 0x22, DAY(T0) - 1);
  add_ok(a, &e, other);
  commit_ok(a);
  assert_int_equal(log_size(&w), 3 + 5000 + 3);
  award(&e, def2, 0x11, DAY(T0) - 1); /* 5002 rows of 0x11, 1 award of c2 */
  expect_repeat(&w, &e, c2aw);
  award(&e, w.def, 0x22, DAY(T0) - 1); /* 1 row of 0x22, 5002 awards of c1 */
  expect_repeat(&w, &e, other);
  award(&e, w.def, 0x11, DAY(T0) - 2 - 4999); /* 5002 rows of 0x11, 5002 of c1 */
  expect_repeat(&w, &e, last);
  award(&e, w.def, 0x11, DAY(T0) - 1);
  expect_repeat(&w, &e, first);
  fx_free(&w.f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(issuance_duplicate_in_log),
    cmocka_unit_test(issuance_duplicate_in_transaction),
    cmocka_unit_test(issuance_revoked_given_again),
    cmocka_unit_test(issuance_future_refused),
    cmocka_unit_test(issuance_rollback_checks_and_writes_nothing),
    cmocka_unit_test(issuance_duplicate_either_index),
};

CP_TEST_MAIN(tests)
