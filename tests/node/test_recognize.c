/*
 * The five published recognition schemes of DOMAIN.md, evaluated from the
 * example policies in examples/policies/, with every figure DOMAIN.md gives
 * and the edges around them.
 */
#include "test_recognize_fixture.h"

/* ---- Baltimore County: 2 approved MCs = 1 CPD credit; at most 15 of 36 --- */

static fx *bcps_with(size_t approved_mcs) {
  fx *f = fx_new("bcps-cpd.json");
  for (size_t i = 0; i < approved_mcs; i++) {
    char id[32], day[11];
    snprintf(id, sizeof id, "bb-mc-%02zu", i + 1);
    cp_date_format(D("2020-09-01") + (uint32_t)(7 * i), day);
    fx_award(f, K_OTHER, id, 2, 1500, day);
    fx_endorse(f, K_BCPS, K_OTHER, id, "district-approved", "2020-08-01");
  }
  return f;
}

static void bcps_31_mcs_give_15_cpd_and_15_toward_equivalency(void **state) {
  fx *f = bcps_with(31);
  fx_eval(f, "2021-06-30");
  assert_int_equal(fx_total(f, "cpd"), 1500);
  assert_int_equal(fx_total(f, "masters-equivalency"), 1500);
  int64_t amount = -1;
  assert_string_equal(fx_fate(f, 1, "cpd-credit", &amount), "counted");
  assert_int_equal(amount, 100);
  assert_string_equal(fx_fate(f, 0, "cpd-credit", &amount), "counted");
  assert_int_equal(amount, 0);
  /* The 31st MC waits for a partner. */
  assert_string_equal(fx_fate(f, 30, "cpd-credit", &amount), "group_incomplete");
  assert_int_equal(amount, 0);
  assert_true(fx_json_has(f, "\"target\":3600,\"reached\":false"));
  fx_free(f);
}

static void bcps_40_mcs_give_20_cpd_still_15_toward_equivalency(void **state) {
  fx *f = bcps_with(40);
  fx_eval(f, "2021-06-30");
  assert_int_equal(fx_total(f, "cpd"), 2000);
  assert_int_equal(fx_total(f, "masters-equivalency"), 1500);
  assert_true(fx_json_has(f,
                          "\"rule\":\"cpd-toward-equivalency\",\"kind\":\"convert\","
                          "\"currency\":\"masters-equivalency\",\"granted\":1500,"
                          "\"recurring\":false,\"capped\":true,\"from\":\"cpd\","
                          "\"input\":2000"));
  fx_free(f);
}

static void bcps_16th_cpd_credit_does_not_count_toward_equivalency(void **state) {
  fx *f = bcps_with(30);
  fx_eval(f, "2021-06-30");
  assert_int_equal(fx_total(f, "cpd"), 1500);
  assert_int_equal(fx_total(f, "masters-equivalency"), 1500);
  fx_free(f);
  f = bcps_with(32);
  fx_eval(f, "2021-06-30");
  assert_int_equal(fx_total(f, "cpd"), 1600);
  assert_int_equal(fx_total(f, "masters-equivalency"), 1500);
  fx_free(f);
}

static void bcps_unapproved_mc_is_not_counted(void **state) {
  fx *f = bcps_with(3);
  size_t x = fx_award(f, K_OTHER, "not-approved", 2, 1500, "2020-10-01");
  fx_endorse(f, K_OTHER, K_OTHER, "not-approved", "district-approved", "2020-08-01");
  fx_eval(f, "2021-06-30");
  assert_string_equal(fx_fate(f, x, "cpd-credit", NULL), "not_endorsed");
  assert_int_equal(fx_total(f, "cpd"), 100);
  fx_free(f);
}

/* ---- North Carolina: 10 hours = 1 CEU; MOOC-Ed bundles; 5-year cycle ------ */

static const char *const ld[5] = {"nc-mooc-ld-1", "nc-mooc-ld-2", "nc-mooc-ld-3", "nc-mooc-ld-4",
                                  "nc-mooc-ld-5"};

static void nc_40_hour_workshop_is_4_ceus(void **state) {
  fx *f = fx_new("nc-renewal.json");
  size_t w = fx_award(f, K_NCDPI, "nc-inservice-week", 2, 4000, "2021-08-02");
  fx_eval(f, "2022-06-30");
  assert_int_equal(fx_total(f, "renewal-credit"), 400);
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, w, "contact-hours", &amount), "counted");
  assert_int_equal(amount, 400);
  fx_free(f);
}

static void nc_learning_differences_complete_is_3_credits(void **state) {
  fx *f = fx_new("nc-renewal.json");
  size_t idx[5];
  for (int i = 0; i < 5; i++) {
    char day[11];
    cp_date_format(D("2021-01-11") + (uint32_t)(7 * i), day);
    idx[i] = fx_award(f, K_NCSU, ld[i], 2, 600, day);
  }
  fx_award(f, K_NCDPI, "nc-inservice-week", 2, 4000, "2021-08-02");
  fx_eval(f, "2022-06-30");
  assert_int_equal(fx_total(f, "renewal-credit"), 700);
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, idx[4], "mooc-ed-learning-differences", &amount), "counted");
  assert_int_equal(amount, 300);
  /* MOOC-Ed MCs are credited through their course only. */
  assert_string_equal(fx_fate(f, idx[0], "contact-hours", NULL), "excluded");
  assert_true(fx_json_has(f, "\"target\":800,\"reached\":false"));
  fx_award(f, K_NCDPI, "nc-data-literacy", 2, 1000, "2022-03-01");
  fx_eval(f, "2022-06-30");
  assert_int_equal(fx_total(f, "renewal-credit"), 800);
  assert_true(fx_json_has(f, "\"target\":800,\"reached\":true"));
  fx_free(f);
}

static void nc_one_mc_short_of_bundle_earns_nothing(void **state) {
  fx *f = fx_new("nc-renewal.json");
  size_t idx[4];
  for (int i = 0; i < 4; i++) idx[i] = fx_award(f, K_NCSU, ld[i], 2, 600, "2021-02-01");
  /* The fifth MC from another issuer is not the course's MC. */
  size_t fake = fx_award(f, K_OTHER, ld[4], 2, 600, "2021-02-02");
  fx_eval(f, "2022-06-30");
  assert_int_equal(fx_total(f, "renewal-credit"), 0);
  for (int i = 0; i < 4; i++)
    assert_string_equal(fx_fate(f, idx[i], "mooc-ed-learning-differences", NULL),
                        "bundle_incomplete");
  assert_string_equal(fx_fate(f, fake, "mooc-ed-learning-differences", NULL), "not_listed");
  assert_string_equal(fx_fate(f, fake, "contact-hours", NULL), "untrusted_issuer");
  assert_true(fx_json_has(f, "\"have\":4,\"need\":5,\"complete\":false"));
  fx_free(f);
}

static void nc_credits_outside_current_cycle_do_not_count(void **state) {
  fx *f = fx_new("nc-renewal.json");
  /* The cycle anchored 2019-07-01 runs to 2024-06-30. */
  size_t old = fx_award(f, K_NCDPI, "nc-old-workshop", 2, 4000, "2019-06-30");
  size_t cur = fx_award(f, K_NCDPI, "nc-inservice-week", 2, 4000, "2019-07-01");
  size_t last = fx_award(f, K_NCDPI, "nc-late-workshop", 2, 2000, "2024-06-30");
  fx_eval(f, "2024-06-30");
  assert_string_equal(fx_fate(f, old, "contact-hours", NULL), "outside_window");
  assert_string_equal(fx_fate(f, cur, "contact-hours", NULL), "counted");
  assert_string_equal(fx_fate(f, last, "contact-hours", NULL), "counted");
  assert_int_equal(fx_total(f, "renewal-credit"), 600);
  /* A day later a new cycle starts from zero. */
  fx_eval(f, "2024-07-01");
  assert_int_equal(fx_total(f, "renewal-credit"), 0);
  assert_string_equal(fx_fate(f, last, "contact-hours", NULL), "outside_window");
  fx_free(f);
}

/* The course is credited in the cycle it is completed, and only when every
 * one of its MCs was earned in that cycle (members_in_window): a member
 * earned one day before the cycle leaves the course uncredited. */
static void nc_bundle_needs_every_member_in_the_cycle(void **state) {
  fx *f = fx_new("nc-renewal.json");
  size_t early = fx_award(f, K_NCSU, ld[0], 2, 600, "2019-06-30"); /* the day before */
  for (int i = 1; i < 4; i++) fx_award(f, K_NCSU, ld[i], 2, 600, "2019-07-01");
  size_t done = fx_award(f, K_NCSU, ld[4], 2, 600, "2019-07-02");
  fx_eval(f, "2020-01-01");
  assert_int_equal(fx_total(f, "renewal-credit"), 0);
  assert_string_equal(fx_fate(f, early, "mooc-ed-learning-differences", NULL), "outside_window");
  assert_string_equal(fx_fate(f, done, "mooc-ed-learning-differences", NULL), "bundle_incomplete");
  fx_free(f);
  /* Earned again on the cycle's first day, it completes the course. */
  f = fx_new("nc-renewal.json");
  for (int i = 0; i < 4; i++) fx_award(f, K_NCSU, ld[i], 2, 600, "2019-07-01");
  done = fx_award(f, K_NCSU, ld[4], 2, 600, "2019-07-02");
  fx_eval(f, "2020-01-01");
  assert_int_equal(fx_total(f, "renewal-credit"), 300);
  /* In the next cycle the course is outside the window. */
  fx_eval(f, "2024-07-01");
  assert_int_equal(fx_total(f, "renewal-credit"), 0);
  assert_string_equal(fx_fate(f, done, "mooc-ed-learning-differences", NULL), "outside_window");
  fx_free(f);
}

/* ---- Kettle Moraine: $200..$600 permanent, only with pre-approval ---------- */

static void km_salary_by_difficulty_with_preapproval(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t a = fx_award(f, K_OTHER, "km-exit-tickets", 1, 1000, "2020-03-10");
  size_t b = fx_award(f, K_OTHER, "km-data-decisions", 4, 3000, "2020-05-10");
  size_t c = fx_award(f, K_OTHER, "km-wait-time", 3, 1000, "2020-05-11");
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2020-01-15", NULL);
  fx_approve(f, K_KMSD, K_OTHER, "km-data-decisions", "2020-01-15", NULL);
  fx_approve(f, K_KMSD, K_OTHER, "km-wait-time", "2020-01-15", NULL);
  fx_eval(f, "2020-06-30");
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, a, "base-salary-increase", &amount), "counted");
  assert_int_equal(amount, 20000);
  assert_string_equal(fx_fate(f, b, "base-salary-increase", &amount), "counted");
  assert_int_equal(amount, 60000);
  assert_string_equal(fx_fate(f, c, "base-salary-increase", &amount), "counted");
  assert_int_equal(amount, 45000);
  assert_int_equal(fx_total(f, "usd"), 125000);
  assert_true(fx_json_has(f, "\"recurring\":true"));
  fx_free(f);
}

static void km_without_preapproval_earns_nothing(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t a = fx_award(f, K_OTHER, "km-exit-tickets", 4, 1000, "2020-03-10");
  /* An approval by someone else, or for another credential, does not do. */
  fx_approve(f, K_OTHER, K_OTHER, "km-exit-tickets", "2020-01-15", NULL);
  fx_approve(f, K_KMSD, K_OTHER, "km-other", "2020-01-15", NULL);
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "no_preapproval");
  assert_int_equal(fx_total(f, "usd"), 0);
  fx_free(f);
}

static void km_mc_earned_day_before_preapproval(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t early = fx_award(f, K_OTHER, "km-exit-tickets", 2, 1000, "2020-03-01");
  size_t same = fx_award(f, K_OTHER, "km-wait-time", 2, 1000, "2020-03-02");
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2020-03-02", NULL);
  fx_approve(f, K_KMSD, K_OTHER, "km-wait-time", "2020-03-02", NULL);
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, early, "base-salary-increase", NULL), "no_preapproval");
  assert_string_equal(fx_fate(f, same, "base-salary-increase", NULL), "counted");
  assert_int_equal(fx_total(f, "usd"), 30000);
  fx_free(f);
}

static void km_expired_preapproval_does_not_cover(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t a = fx_award(f, K_OTHER, "km-exit-tickets", 2, 1000, "2021-03-01");
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2020-01-01", "2020-12-31");
  fx_eval(f, "2021-06-30");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "no_preapproval");
  /* A later, open approval renews it. */
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2021-01-05", NULL);
  fx_eval(f, "2021-06-30");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "counted");
  fx_free(f);
}

static void km_no_mcs_no_penalty(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  fx_eval(f, "2020-06-30");
  assert_int_equal(fx_total(f, "usd"), 0);
  assert_true(fx_json_has(f, "\"awards\":[]"));
  fx_free(f);
}

static void km_award_revoked_after_being_counted(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t a = fx_award(f, K_OTHER, "km-exit-tickets", 4, 1000, "2021-03-01");
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2021-01-05", NULL);
  f->aw[a].revoked = D("2022-01-10");
  fx_eval(f, "2021-12-31");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "counted");
  assert_int_equal(fx_total(f, "usd"), 60000);
  fx_eval(f, "2022-01-10");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "revoked");
  assert_int_equal(fx_total(f, "usd"), 0);
  assert_true(fx_json_has(f, "\"revoked\":\"2022-01-10\""));
  fx_free(f);
}

/* ---- Clark County: 1 CU = 3 hours, <= 30 CU in 2016-17, area + DP ----------- */

static const cp_str math_area[1] = {{"mathematics", 11}};
static const cp_str sci_area[1] = {{"Science", 7}};

static fx *ccsd(void) {
  fx *f = fx_new("clark-county.json");
  f->areas[0] = S("Mathematics");
  f->areas[1] = S("science-6-8");
  f->n_areas = 2;
  return f;
}

static size_t ccsd_mc(fx *f, const char *id, uint32_t hours_x100, const char *earned,
                      const cp_str *areas) {
  size_t i = fx_award(f, K_OTHER, id, 2, hours_x100, earned);
  fx_areas(f, i, areas, 1);
  fx_endorse(f, K_DP, K_OTHER, id, "approved", "2016-01-01");
  return i;
}

static void ccsd_one_cu_is_three_hours(void **state) {
  fx *f = ccsd();
  size_t a = ccsd_mc(f, "dp-checking-understanding", 1500, "2016-10-03", math_area);
  size_t b = ccsd_mc(f, "dp-exit-tickets", 1000, "2016-11-03", math_area);
  fx_eval(f, "2017-06-30");
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, a, "approved-micro-credentials", &amount), "counted");
  assert_int_equal(amount, 500);
  /* 10 hours = 3.33 CU, floored to the hundredth. */
  assert_string_equal(fx_fate(f, b, "approved-micro-credentials", &amount), "counted");
  assert_int_equal(amount, 333);
  assert_int_equal(fx_total(f, "cu"), 833);
  assert_true(fx_json_has(f, "\"target\":22500"));
  fx_free(f);
}

static void ccsd_at_most_30_cu_in_2016_17(void **state) {
  fx *f = ccsd();
  size_t idx[5];
  for (int i = 0; i < 5; i++) {
    char id[32], day[11];
    snprintf(id, sizeof id, "dp-mc-%d", i);
    cp_date_format(D("2016-09-01") + (uint32_t)(30 * i), day);
    idx[i] = ccsd_mc(f, id, 2700, day, math_area); /* 27 h = 9 CU each */
  }
  fx_eval(f, "2017-06-30");
  assert_int_equal(fx_total(f, "cu"), 3000);
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, idx[2], "approved-micro-credentials", &amount), "counted");
  assert_int_equal(amount, 900);
  assert_string_equal(fx_fate(f, idx[3], "approved-micro-credentials", &amount), "capped");
  assert_int_equal(amount, 300);
  assert_string_equal(fx_fate(f, idx[4], "approved-micro-credentials", &amount), "over_cap");
  assert_int_equal(amount, 0);
  fx_free(f);
}

static void ccsd_licensure_area_mismatch(void **state) {
  fx *f = ccsd();
  f->n_areas = 1; /* mathematics only */
  size_t a = ccsd_mc(f, "dp-lab-safety", 1500, "2016-10-03", sci_area);
  size_t b = ccsd_mc(f, "dp-number-talks", 1500, "2016-10-04", math_area);
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, a, "approved-micro-credentials", NULL), "area_mismatch");
  assert_string_equal(fx_fate(f, b, "approved-micro-credentials", NULL), "counted");
  assert_int_equal(fx_total(f, "cu"), 500);
  fx_free(f);
}

static void ccsd_requires_digital_promise_approval(void **state) {
  fx *f = ccsd();
  size_t a = fx_award(f, K_OTHER, "unapproved", 2, 1500, "2016-10-03");
  fx_areas(f, a, math_area, 1);
  fx_endorse(f, K_OTHER, K_OTHER, "unapproved", "approved", "2016-01-01");
  size_t b = fx_award(f, K_OTHER, "other-claim", 2, 1500, "2016-10-03");
  fx_areas(f, b, math_area, 1);
  fx_endorse(f, K_DP, K_OTHER, "other-claim", "reviewed", "2016-01-01");
  /* An approval dated after the as-of date is not known yet. */
  size_t c = fx_award(f, K_OTHER, "late-approval", 2, 1500, "2016-10-03");
  fx_areas(f, c, math_area, 1);
  fx_endorse(f, K_DP, K_OTHER, "late-approval", "approved", "2017-07-15");
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, a, "approved-micro-credentials", NULL), "not_endorsed");
  assert_string_equal(fx_fate(f, b, "approved-micro-credentials", NULL), "not_endorsed");
  assert_string_equal(fx_fate(f, c, "approved-micro-credentials", NULL), "not_endorsed");
  assert_int_equal(fx_total(f, "cu"), 0);
  fx_free(f);
}

static void ccsd_outside_2016_17_and_not_in_effect(void **state) {
  fx *f = ccsd();
  size_t a = ccsd_mc(f, "dp-early", 1500, "2016-06-30", math_area);
  size_t b = ccsd_mc(f, "dp-in-year", 1500, "2017-06-30", math_area);
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, a, "approved-micro-credentials", NULL), "outside_window");
  assert_string_equal(fx_fate(f, b, "approved-micro-credentials", NULL), "counted");
  fx_eval(f, "2017-07-01");
  assert_int_equal(cp_policy_result_in_effect(f->r), 0);
  assert_int_equal(fx_total(f, "cu"), 0);
  assert_string_equal(fx_fate(f, b, "approved-micro-credentials", NULL), "policy_not_in_effect");
  fx_free(f);
}

/* ---- South Milwaukee: 14 of the 75 agreed MCs = certification -------------- */

static fx *sdsm_with(int n) {
  fx *f = fx_new("south-milwaukee.json");
  for (int i = 0; i < n; i++) {
    char id[32], day[11];
    snprintf(id, sizeof id, "sdsm-lc-%02d", 75 - 5 * (i % 15) - i / 15);
    cp_date_format(D("2017-01-09") + (uint32_t)(14 * i), day);
    fx_award(f, K_BLOOM, id, 2, 1500, day);
  }
  return f;
}

static void sdsm_14_of_75_yields_certification(void **state) {
  fx *f = sdsm_with(14);
  fx_eval(f, "2018-06-30");
  assert_int_equal(fx_total(f, "certification"), 1);
  int64_t amount = 0;
  assert_string_equal(fx_fate(f, 13, "limited-choice-14-of-75", &amount), "counted");
  assert_int_equal(amount, 1);
  assert_true(fx_json_has(f, "\"have\":14,\"need\":14,\"complete\":true,\"completed\":"));
  fx_free(f);
}

static void sdsm_13_of_75_is_not_yet(void **state) {
  fx *f = sdsm_with(13);
  size_t off = fx_award(f, K_BLOOM, "not-on-the-list", 2, 1500, "2017-02-01");
  size_t other = fx_award(f, K_OTHER, "sdsm-lc-01", 2, 1500, "2017-02-01");
  fx_eval(f, "2018-06-30");
  assert_int_equal(fx_total(f, "certification"), 0);
  assert_string_equal(fx_fate(f, 0, "limited-choice-14-of-75", NULL), "milestone_incomplete");
  assert_string_equal(fx_fate(f, off, "limited-choice-14-of-75", NULL), "not_listed");
  assert_string_equal(fx_fate(f, other, "limited-choice-14-of-75", NULL), "untrusted_issuer");
  fx_free(f);
}

static void sdsm_15th_mc_is_not_needed_and_repeat_is_duplicate(void **state) {
  fx *f = sdsm_with(15);
  size_t again = fx_award(f, K_BLOOM, f->names[0], 2, 1500, "2019-01-01");
  fx_eval(f, "2019-06-30");
  assert_int_equal(fx_total(f, "certification"), 1);
  assert_string_equal(fx_fate(f, 14, "limited-choice-14-of-75", NULL), "not_needed");
  assert_string_equal(fx_fate(f, again, "limited-choice-14-of-75", NULL), "duplicate");
  fx_free(f);
}

/* ---- general edges ------------------------------------------------------------------ */

static void award_after_as_of_is_not_counted(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  size_t a = fx_award(f, K_OTHER, "km-exit-tickets", 2, 1000, "2020-07-01");
  fx_approve(f, K_KMSD, K_OTHER, "km-exit-tickets", "2020-01-01", NULL);
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), "after_as_of");
  assert_int_equal(fx_total(f, "usd"), 0);
  fx_free(f);
}

static void min_level_qa_and_issuer_filters(void **state) {
  fx *f = fx_new(NULL);
  f->p = compile_text(
      "{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{\"a\":"
      "\"9999999999999999999999999999999999999999999999999999999999999999\"},"
      "\"currencies\":[{\"id\":\"c\",\"unit\":\"credit\"}],"
      "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
      "\"filter\":{\"issuers\":[\"a\"],\"min_level\":3,\"qa\":\"qa:multistate-mc-2024\"}}]}");
  static const cp_str qa[1] = {{"qa:multistate-mc-2024", 21}};
  size_t low = fx_award(f, K_OTHER, "low", 2, 0, "2020-01-01");
  size_t noqa = fx_award(f, K_OTHER, "noqa", 3, 0, "2020-01-01");
  size_t ok = fx_award(f, K_OTHER, "ok", 4, 0, "2020-01-01");
  size_t stranger = fx_award(f, K_DP, "stranger", 4, 0, "2020-01-01");
  f->aw[low].qa = f->aw[ok].qa = f->aw[stranger].qa = qa;
  f->aw[low].n_qa = f->aw[ok].n_qa = f->aw[stranger].n_qa = 1;
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, low, "r", NULL), "below_min_level");
  assert_string_equal(fx_fate(f, noqa, "r", NULL), "qa_missing");
  assert_string_equal(fx_fate(f, ok, "r", NULL), "counted");
  assert_string_equal(fx_fate(f, stranger, "r", NULL), "untrusted_issuer");
  assert_int_equal(fx_total(f, "c"), 1);
  fx_free(f);
}

static void bad_facts_are_refused(void **state) {
  fx *f = fx_new("kettle-moraine.json");
  fx_award(f, K_OTHER, "x", 5, 0, "2020-01-01");
  assert_int_equal(cp_policy_env_new(NULL, 0, &f->env), CP_OK);
  cp_policy_educator ed = fx_educator(f);
  assert_int_equal(cp_policy_evaluate(f->p, f->env, &ed, D("2020-06-30"), &f->r, &f->d), CP_EINVAL);
  assert_non_null(strstr(f->d.msg, "level 5"));
  assert_null(f->r);
  f->aw[0].level = 1;
  f->aw[0].cred_id.len = 0;
  assert_int_equal(cp_policy_evaluate(f->p, f->env, &ed, D("2020-06-30"), &f->r, &f->d), CP_EINVAL);
  fx_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(bcps_31_mcs_give_15_cpd_and_15_toward_equivalency),
    cmocka_unit_test(bcps_40_mcs_give_20_cpd_still_15_toward_equivalency),
    cmocka_unit_test(bcps_16th_cpd_credit_does_not_count_toward_equivalency),
    cmocka_unit_test(bcps_unapproved_mc_is_not_counted),
    cmocka_unit_test(nc_40_hour_workshop_is_4_ceus),
    cmocka_unit_test(nc_learning_differences_complete_is_3_credits),
    cmocka_unit_test(nc_one_mc_short_of_bundle_earns_nothing),
    cmocka_unit_test(nc_credits_outside_current_cycle_do_not_count),
    cmocka_unit_test(nc_bundle_needs_every_member_in_the_cycle),
    cmocka_unit_test(km_salary_by_difficulty_with_preapproval),
    cmocka_unit_test(km_without_preapproval_earns_nothing),
    cmocka_unit_test(km_mc_earned_day_before_preapproval),
    cmocka_unit_test(km_expired_preapproval_does_not_cover),
    cmocka_unit_test(km_no_mcs_no_penalty),
    cmocka_unit_test(km_award_revoked_after_being_counted),
    cmocka_unit_test(ccsd_one_cu_is_three_hours),
    cmocka_unit_test(ccsd_at_most_30_cu_in_2016_17),
    cmocka_unit_test(ccsd_licensure_area_mismatch),
    cmocka_unit_test(ccsd_requires_digital_promise_approval),
    cmocka_unit_test(ccsd_outside_2016_17_and_not_in_effect),
    cmocka_unit_test(sdsm_14_of_75_yields_certification),
    cmocka_unit_test(sdsm_13_of_75_is_not_yet),
    cmocka_unit_test(sdsm_15th_mc_is_not_needed_and_repeat_is_duplicate),
    cmocka_unit_test(award_after_as_of_is_not_counted),
    cmocka_unit_test(min_level_qa_and_issuer_filters),
    cmocka_unit_test(bad_facts_are_refused),
};

CP_TEST_MAIN(tests)
