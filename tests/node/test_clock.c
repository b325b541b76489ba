/*
 * Partners' clocks: the observation kept in peer records, and the signing
 * guard that projects it along the boot clock (node/clock.c,
 * docs/FORMATS.md "Entry times").
 */
#include "test_store_fixture.h"

/* A partner record whose clock, observed now on this boot, reads ours plus
 * off_ms. */
static void put_peer(fx_store *f, uint8_t kb, int64_t off_ms, int other_boot) {
  cp_peer_info p;
  cp_diag d = {{0}};
  memset(&p, 0, sizeof p);
  memset(p.key, kb, CP_PK_BYTES);
  snprintf(p.addr, sizeof p.addr, "127.0.0.1:%u", 7000u + kb);
  cp_clock_sample(&p.clock);
  p.clock.peer_ms = (uint64_t)((int64_t)p.clock.local_ms + off_ms);
  if (other_boot) p.clock.boot[0] ^= 0xFF;
  assert_int_equal(cp_store_peer_put(f->s, &p, 0, &d), CP_OK);
}

static uint64_t now_s(void) {
  cp_clock_obs o;
  cp_clock_sample(&o);
  return o.local_ms / 1000u;
}

/* The observation survives the record's round trip; a put without one (as
 * `peer add` and the end of a session without a DIGEST do) keeps it. */
static void clock_observation_kept_in_peer_record(void **state) {
  (void)state;
  fx_store f;
  cp_reader *r = NULL;
  cp_peer_info got, p;
  cp_diag d = {{0}};
  uint8_t key[CP_PK_BYTES];
  memset(key, 0x51, sizeof key);
  fx_new(&f, 0x41, "credport/test/clock");
  put_peer(&f, 0x51, 1234, 0);
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_peer(r, key, &got), CP_OK);
  cp_reader_end(r);
  assert_true(got.clock.peer_ms != 0);
  assert_int_equal((int64_t)(got.clock.peer_ms - got.clock.local_ms), 1234);
  assert_true(got.clock.boot_ms != 0);
  memset(&p, 0, sizeof p);
  memcpy(p.key, got.key, CP_PK_BYTES);
  snprintf(p.addr, sizeof p.addr, "elsewhere:1");
  assert_int_equal(cp_store_peer_put(f.s, &p, 1, &d), CP_OK);
  cp_peer_info again;
  assert_int_equal(cp_reader_begin(f.s, &r), CP_OK);
  assert_int_equal(cp_reader_peer(r, p.key, &again), CP_OK);
  cp_reader_end(r);
  assert_string_equal(again.addr, "elsewhere:1");
  assert_memory_equal(&again.clock, &got.clock, sizeof got.clock);
  fx_free(&f);
}

/* No observation: nothing to compare, signing goes ahead. */
static void clock_guard_without_observations(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  fx_new(&f, 0x41, "credport/test/clock");
  assert_int_equal(cp_clock_guard(f.s, now_s() + 365u * 86400u, &d), CP_OK);
  fx_free(&f);
}

/* One partner a year behind us (our clock a year ahead): refused, and the
 * message gives both clocks, the difference and the limit. At the limit it
 * is allowed. */
static void clock_guard_refuses_far_clock(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  fx_new(&f, 0x41, "credport/test/clock");
  put_peer(&f, 0x51, 0, 0);
  uint64_t now = now_s();
  assert_int_equal(cp_clock_guard(f.s, now, &d), CP_OK);
  assert_int_equal(cp_clock_guard(f.s, now + CP_TIME_SKEW_MAX - 5, &d), CP_OK);
  assert_int_equal(cp_clock_guard(f.s, now + 365u * 86400u, &d), CP_ETIME);
  assert_non_null(strstr(d.msg, "this node's clock reads"));
  assert_non_null(strstr(d.msg, "partner 5151515151515151"));
  assert_non_null(strstr(d.msg, "ahead, more than the 600 s"));
  assert_int_equal(cp_clock_guard(f.s, now - 3600, &d), CP_ETIME);
  assert_non_null(strstr(d.msg, "behind"));
  fx_free(&f);
}

/* The majority decides: one partner of three far off does not stop us;
 * two of three do. An observation from another boot is not used. */
static void clock_guard_majority_and_boot(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_clock_view v;
  fx_new(&f, 0x41, "credport/test/clock");
  put_peer(&f, 0x51, 0, 0);
  put_peer(&f, 0x52, 5000, 0);
  put_peer(&f, 0x53, -(int64_t)86400 * 1000, 0); /* a partner a day behind */
  put_peer(&f, 0x54, -(int64_t)86400 * 1000, 1); /* observed before a reboot */
  uint64_t now = now_s();
  assert_int_equal(cp_clock_view_get(f.s, now, &v), CP_OK);
  assert_int_equal(v.usable, 3);
  assert_int_equal(v.far, 1);
  assert_int_equal(cp_clock_guard(f.s, now, &d), CP_OK);
  put_peer(&f, 0x52, -(int64_t)86400 * 1000, 0);
  assert_int_equal(cp_clock_guard(f.s, now, &d), CP_ETIME);
  assert_non_null(strstr(d.msg, "2 of 3 partners disagree"));
  fx_free(&f);
}

/* The appender runs the guard: nothing is signed with a far clock. */
static void appender_refuses_far_clock(void **state) {
  (void)state;
  fx_store f;
  cp_diag d = {{0}};
  cp_appender *a = NULL;
  fx_new(&f, 0x41, "credport/test/clock");
  put_peer(&f, 0x51, 0, 0);
  assert_int_equal(cp_appender_begin(f.s, f.k, now_s() + 86400u, &a, &d), CP_ETIME);
  assert_null(a);
  assert_non_null(strstr(d.msg, "Nothing was signed"));
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(clock_observation_kept_in_peer_record),
    cmocka_unit_test(clock_guard_without_observations),
    cmocka_unit_test(clock_guard_refuses_far_clock),
    cmocka_unit_test(clock_guard_majority_and_boot),
    cmocka_unit_test(appender_refuses_far_clock),
};

CP_TEST_MAIN(tests)
