/*
 * Health judgement (node/health.c): each check at the edges of its limits,
 * and the overall level (CRITICAL over WARNING over UNKNOWN over OK). The
 * facts are written here by hand; fed_health.sh gathers them from a node.
 */
#include "cptest.h"

#include <string.h>

#include "credport/health.h"

/* A healthy node: serving, 2 of 2 partners connected and in sync, half
 * the disk free, a tenth of the map used, 2 partner clocks close. */
static cp_health_facts healthy(void) {
  cp_health_facts f;
  memset(&f, 0, sizeof f);
  f.now = 1800000000;
  f.serving = 1;
  f.serve_pid = 4242;
  f.status_age = 1;
  f.partners = 2;
  f.connected = 2;
  f.oldest_sync_age = 0;
  f.disk_free = 50;
  f.disk_total = 100;
  f.map_used = 10;
  f.map_size = 100;
  f.clock_usable = 2;
  return f;
}

static const cp_health_check *judge(const cp_health_facts *f, const char *name, cp_health_report *r) {
  cp_health_limits l;
  cp_health_limits_default(&l);
  cp_health_judge(f, &l, r);
  for (unsigned i = 0; i < r->n; i++)
    if (strcmp(r->checks[i].name, name) == 0) return &r->checks[i];
  fail_msg("no check named %s", name);
  return NULL;
}

static void health_defaults_pass(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  judge(&f, "serve", &r);
  assert_int_equal(r.n, 7);
  assert_int_equal(r.level, CP_HEALTH_OK);
  const char *order[] = {"serve", "partners", "sync", "forks", "disk", "map", "clock"};
  for (unsigned i = 0; i < 7; i++) {
    assert_string_equal(r.checks[i].name, order[i]);
    assert_int_equal(r.checks[i].level, CP_HEALTH_OK);
  }
  assert_non_null(strstr(r.checks[0].msg, "PID 4242"));
  assert_non_null(strstr(r.checks[1].msg, "2 of 2 partners connected"));
}

static void health_serve(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.status_age = 10; /* the limit itself is still fresh */
  assert_int_equal(judge(&f, "serve", &r)->level, CP_HEALTH_OK);
  f.status_age = 11;
  assert_int_equal(judge(&f, "serve", &r)->level, CP_HEALTH_WARNING);
  assert_non_null(strstr(judge(&f, "serve", &r)->msg, "11 s"));
  f.serving = 0;
  assert_int_equal(judge(&f, "serve", &r)->level, CP_HEALTH_CRITICAL);
  assert_int_equal(r.level, CP_HEALTH_CRITICAL);
}

static void health_partners(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.connected = 1;
  assert_int_equal(judge(&f, "partners", &r)->level, CP_HEALTH_WARNING);
  assert_string_equal(r.checks[1].msg, "1 of 2 partners connected");
  assert_int_equal(r.level, CP_HEALTH_WARNING);
  f.connected = 0;
  assert_int_equal(judge(&f, "partners", &r)->level, CP_HEALTH_CRITICAL);
  f.partners = 1;
  assert_string_equal(judge(&f, "partners", &r)->msg, "0 of 1 partner connected");
  f.partners = 0;
  f.accept_only = 3;
  assert_int_equal(judge(&f, "partners", &r)->level, CP_HEALTH_OK);
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_OK);
  f.accept_only = 0;
  assert_int_equal(judge(&f, "partners", &r)->level, CP_HEALTH_WARNING);
}

static void health_sync_ages(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  memset(f.oldest_sync_key, 0xab, sizeof f.oldest_sync_key);
  f.oldest_sync_age = 900;
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_OK);
  f.oldest_sync_age = 901;
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_WARNING);
  assert_non_null(strstr(judge(&f, "sync", &r)->msg, "partner abababababababab… last synced 901 s ago"));
  f.oldest_sync_age = 3600;
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_WARNING);
  f.oldest_sync_age = 3601;
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_CRITICAL);
  f.oldest_sync_age = CP_HEALTH_NEVER;
  assert_int_equal(judge(&f, "sync", &r)->level, CP_HEALTH_WARNING);
  assert_non_null(strstr(r.checks[2].msg, "never completed a sync"));
}

static void health_forks(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.forks = 1;
  assert_int_equal(judge(&f, "forks", &r)->level, CP_HEALTH_CRITICAL);
  assert_non_null(strstr(r.checks[3].msg, "1 log forked"));
}

static void health_space(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.disk_free = 10; /* 10 % free: at the warning limit, not below */
  assert_int_equal(judge(&f, "disk", &r)->level, CP_HEALTH_OK);
  f.disk_free = 9;
  assert_int_equal(judge(&f, "disk", &r)->level, CP_HEALTH_WARNING);
  f.disk_free = 5;
  assert_int_equal(judge(&f, "disk", &r)->level, CP_HEALTH_WARNING);
  f.disk_free = 4;
  assert_int_equal(judge(&f, "disk", &r)->level, CP_HEALTH_CRITICAL);
  f = healthy();
  f.map_used = 79;
  assert_int_equal(judge(&f, "map", &r)->level, CP_HEALTH_OK);
  f.map_used = 80;
  assert_int_equal(judge(&f, "map", &r)->level, CP_HEALTH_WARNING);
  assert_non_null(strstr(judge(&f, "map", &r)->msg, "credport map-size"));
  f.map_used = 95;
  assert_int_equal(judge(&f, "map", &r)->level, CP_HEALTH_CRITICAL);
  /* Large figures do not overflow: 2^63 of 2^64 is 50 %. */
  f.map_used = 1ull << 63;
  f.map_size = UINT64_MAX;
  assert_int_equal(judge(&f, "map", &r)->level, CP_HEALTH_OK);
  assert_non_null(strstr(r.checks[5].msg, "50%"));
}

static void health_clock(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.clock_usable = 4;
  f.clock_far = 1;
  f.clock_worst_ms = -700000;
  assert_int_equal(judge(&f, "clock", &r)->level, CP_HEALTH_WARNING);
  assert_non_null(strstr(r.checks[6].msg, "-700.0 s"));
  f.clock_far = 2; /* half is not most: signing goes on */
  assert_int_equal(judge(&f, "clock", &r)->level, CP_HEALTH_WARNING);
  f.clock_far = 3;
  assert_int_equal(judge(&f, "clock", &r)->level, CP_HEALTH_CRITICAL);
  f.clock_usable = 0;
  f.clock_far = 0;
  assert_int_equal(judge(&f, "clock", &r)->level, CP_HEALTH_OK);
}

static void health_overall_order(void **state) {
  (void)state;
  cp_health_facts f = healthy();
  cp_health_report r;
  f.disk_total = 0; /* UNKNOWN */
  assert_int_equal(judge(&f, "disk", &r)->level, CP_HEALTH_UNKNOWN);
  assert_int_equal(r.level, CP_HEALTH_UNKNOWN);
  f.connected = 1; /* a WARNING outranks an UNKNOWN */
  judge(&f, "disk", &r);
  assert_int_equal(r.level, CP_HEALTH_WARNING);
  f.forks = 2; /* a CRITICAL outranks both */
  judge(&f, "disk", &r);
  assert_int_equal(r.level, CP_HEALTH_CRITICAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(health_defaults_pass), cmocka_unit_test(health_serve),
    cmocka_unit_test(health_partners),      cmocka_unit_test(health_sync_ages),
    cmocka_unit_test(health_forks),         cmocka_unit_test(health_space),
    cmocka_unit_test(health_clock),         cmocka_unit_test(health_overall_order),
};
CP_TEST_MAIN(tests)
