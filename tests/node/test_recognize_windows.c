/*
 * Windows and caps: school years with a configurable start, renewal cycles
 * anchored on a date (before and after the anchor), fixed date ranges,
 * caps per window, and policy effective dates.
 */
#include "test_recognize_fixture.h"

#define POLICY(filter, cap)                                                                   \
  "{\"format\":\"credport-policy/1\",\"id\":\"w\",\"currencies\":[{\"id\":\"c\","             \
  "\"unit\":\"credit\"}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\"," \
  "\"amount\":1" filter cap "}]}"

static fx *with_awards(const char *policy, const char *const *days, size_t n) {
  fx *f = fx_new(NULL);
  f->p = compile_text(policy);
  for (size_t i = 0; i < n; i++) {
    char id[16];
    snprintf(id, sizeof id, "mc-%zu", i);
    fx_award(f, K_OTHER, id, 1, 0, days[i]);
  }
  return f;
}

static void school_year_with_configurable_start(void **state) {
  static const char *const days[] = {"2020-08-14", "2020-08-15", "2021-08-14", "2021-08-15"};
  fx *f = with_awards(POLICY(",\"filter\":{\"window\":{\"kind\":\"school_year\","
                             "\"start\":\"08-15\"}}",
                             ""),
                      days, 4);
  fx_eval(f, "2021-01-01"); /* school year 2020-21 from 2020-08-15 */
  assert_string_equal(fx_fate(f, 0, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 1, "r", NULL), "counted");
  assert_string_equal(fx_fate(f, 2, "r", NULL), "after_as_of");
  fx_eval(f, "2021-08-14");
  assert_int_equal(fx_total(f, "c"), 2);
  fx_eval(f, "2021-08-15");
  assert_int_equal(fx_total(f, "c"), 1);
  assert_string_equal(fx_fate(f, 3, "r", NULL), "counted");
  fx_free(f);
}

static void school_year_named_by_its_start_year(void **state) {
  static const char *const days[] = {"2016-06-30", "2016-07-01", "2017-06-30", "2017-07-01"};
  fx *f = with_awards(POLICY(",\"filter\":{\"window\":{\"kind\":\"school_year\","
                             "\"start\":\"07-01\",\"year\":2016}}",
                             ""),
                      days, 4);
  fx_eval(f, "2020-01-01");
  assert_int_equal(fx_total(f, "c"), 2);
  assert_string_equal(fx_fate(f, 0, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 3, "r", NULL), "outside_window");
  fx_free(f);
}

static void cycle_before_and_after_anchor(void **state) {
  static const char *const days[] = {"2009-06-30", "2009-07-01", "2014-06-30", "2014-07-01",
                                     "2019-07-01"};
  fx *f = with_awards(POLICY(",\"filter\":{\"window\":{\"kind\":\"cycle\",\"years\":5,"
                             "\"anchor\":\"2019-07-01\"}}",
                             ""),
                      days, 5);
  fx_eval(f, "2012-01-01"); /* the cycle 2009-07-01 .. 2014-06-30, before the anchor */
  assert_string_equal(fx_fate(f, 0, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 1, "r", NULL), "counted");
  fx_eval(f, "2014-06-30");
  assert_int_equal(fx_total(f, "c"), 2);
  fx_eval(f, "2019-06-30");
  assert_int_equal(fx_total(f, "c"), 1);
  assert_string_equal(fx_fate(f, 3, "r", NULL), "counted");
  fx_free(f);
}

static void cap_per_cycle_resets_each_cycle(void **state) {
  static const char *const days[] = {"2019-07-01", "2020-01-01", "2021-01-01", "2024-07-01",
                                     "2024-08-01"};
  fx *f = with_awards(POLICY("",
                             ",\"cap\":{\"amount\":2,\"per\":{\"kind\":\"cycle\","
                             "\"years\":5,\"anchor\":\"2019-07-01\"}}"),
                      days, 5);
  fx_eval(f, "2025-01-01");
  assert_int_equal(fx_total(f, "c"), 4);
  assert_string_equal(fx_fate(f, 2, "r", NULL), "over_cap");
  assert_string_equal(fx_fate(f, 3, "r", NULL), "counted");
  assert_string_equal(fx_fate(f, 4, "r", NULL), "counted");
  fx_free(f);
}

static void lifetime_cap_and_dates_window(void **state) {
  static const char *const days[] = {"2015-12-31", "2016-01-01", "2016-06-01", "2016-12-31",
                                     "2017-01-01"};
  fx *f = with_awards(POLICY(",\"filter\":{\"window\":{\"kind\":\"dates\","
                             "\"from\":\"2016-01-01\",\"until\":\"2016-12-31\"}}",
                             ",\"cap\":{\"amount\":2}"),
                      days, 5);
  fx_eval(f, "2018-01-01");
  assert_int_equal(fx_total(f, "c"), 2);
  assert_string_equal(fx_fate(f, 0, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 3, "r", NULL), "over_cap");
  assert_string_equal(fx_fate(f, 4, "r", NULL), "outside_window");
  fx_free(f);
}

static void effective_dates_bound_the_as_of_date(void **state) {
  static const char *const days[] = {"2019-01-01"};
  fx *f = with_awards(
      "{\"format\":\"credport-policy/1\",\"id\":\"e\",\"effective\":{\"from\":"
      "\"2020-01-01\"},\"currencies\":[{\"id\":\"c\",\"unit\":\"credit\"}],"
      "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
      "\"amount\":1}]}",
      days, 1);
  fx_eval(f, "2019-12-31");
  assert_int_equal(cp_policy_result_in_effect(f->r), 0);
  assert_string_equal(fx_fate(f, 0, "r", NULL), "policy_not_in_effect");
  assert_true(fx_json_has(f, "\"in_effect\":false"));
  fx_eval(f, "2020-01-01");
  assert_int_equal(cp_policy_result_in_effect(f->r), 1);
  assert_int_equal(fx_total(f, "c"), 1);
  fx_free(f);
}

static void leap_day_school_year_start(void **state) {
  static const char *const days[] = {"2021-02-27", "2021-02-28", "2024-02-28", "2024-02-29"};
  fx *f = with_awards(POLICY(",\"filter\":{\"window\":{\"kind\":\"school_year\","
                             "\"start\":\"02-29\"}}",
                             ""),
                      days, 4);
  fx_eval(f, "2021-03-01"); /* 2021's year starts 2021-02-28 */
  assert_string_equal(fx_fate(f, 0, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 1, "r", NULL), "counted");
  fx_eval(f, "2024-03-01"); /* 2024's starts 2024-02-29 */
  assert_string_equal(fx_fate(f, 2, "r", NULL), "outside_window");
  assert_string_equal(fx_fate(f, 3, "r", NULL), "counted");
  fx_free(f);
}

static void accessors_report_unknowns(void **state) {
  static const char *const days[] = {"2020-01-01"};
  fx *f = with_awards(POLICY("", ""), days, 1);
  fx_eval(f, "2020-01-01");
  int64_t v = 0;
  cp_policy_reason why;
  uint8_t nobody[CP_HASH_BYTES] = {0};
  assert_int_equal(cp_policy_result_total(f->r, "nope", &v), CP_ENOTFOUND);
  assert_int_equal(cp_policy_result_fate(f->r, f->aw[0].id, "nope", &why, NULL), CP_ENOTFOUND);
  assert_int_equal(cp_policy_result_fate(f->r, nobody, "r", &why, NULL), CP_ENOTFOUND);
  assert_int_equal(cp_policy_result_n_totals(f->r), 1);
  const char *cur = NULL;
  assert_int_equal(cp_policy_result_total_at(f->r, 0, &cur, &v), CP_OK);
  assert_string_equal(cur, "c");
  assert_int_equal(v, 1);
  assert_int_equal(cp_policy_result_total_at(f->r, 1, &cur, &v), CP_EINVAL);
  assert_string_equal(cp_policy_reason_name(-1), "unknown");
  assert_string_equal(cp_policy_reason_name(CP_PR_COUNT_), "unknown");
  assert_string_equal(cp_policy_id(f->p), "w");
  assert_int_equal(cp_policy_validate(NULL, 0, NULL), CP_EPOLICY);
  fx_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(school_year_with_configurable_start),
    cmocka_unit_test(school_year_named_by_its_start_year),
    cmocka_unit_test(cycle_before_and_after_anchor),
    cmocka_unit_test(cap_per_cycle_resets_each_cycle),
    cmocka_unit_test(lifetime_cap_and_dates_window),
    cmocka_unit_test(effective_dates_bound_the_as_of_date),
    cmocka_unit_test(leap_day_school_year_start),
    cmocka_unit_test(accessors_report_unknowns),
};

CP_TEST_MAIN(tests)
