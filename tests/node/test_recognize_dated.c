/*
 * Dated facts in the recognition engine (docs/POLICIES.md, "Filters"):
 * endorsements in force on the earned date or the as-of date, with stated
 * periods and withdrawals; pre-approvals withdrawn, or logged after the
 * work (logged_by_earned); licensure areas read from attestations in force
 * on the earned date.
 */
#include "test_recognize_fixture.h"

#define RULE "approved-micro-credentials"

static const cp_str math[1] = {{"Mathematics", 11}};

/* Clark County's policy as published, one MC earned 2016-10-03 in
 * mathematics, approved by Digital Promise from 2016-01-01, withdrawn from
 * day `withdrawn` (0: never); areas given by hand. */
static fx *ccsd_with(uint32_t withdrawn, size_t *aw) {
  fx *f = fx_new("clark-county.json");
  f->areas[0] = S("mathematics");
  f->n_areas = 1;
  *aw = fx_award(f, K_OTHER, "dp-number-talks", 2, 1500, "2016-10-03");
  fx_areas(f, *aw, math, 1);
  fx_endorse(f, K_DP, K_OTHER, "dp-number-talks", "approved", "2016-01-01");
  f->en[f->n_en - 1].withdrawn = withdrawn;
  return f;
}

/* in_force "earned": an approval withdrawn the day before or on the earned
 * date counts nothing; withdrawn the day after, it counts, even evaluated
 * after the withdrawal. */
static void ccsd_withdrawn_before_on_after_earned(void **state) {
  static const struct { const char *withdrawn, *fate; int64_t cu; } cases[] = {
      {"2016-10-02", "not_endorsed", 0}, {"2016-10-03", "not_endorsed", 0},
      {"2016-10-04", "counted", 500}};
  for (size_t i = 0; i < 3; i++) {
    size_t aw;
    fx *f = ccsd_with(D(cases[i].withdrawn), &aw);
    fx_eval(f, "2017-06-30");
    assert_string_equal(fx_fate(f, aw, RULE, NULL), cases[i].fate);
    assert_int_equal(fx_total(f, "cu"), cases[i].cu);
    fx_free(f);
  }
}

/* in_force "as_of": the same withdrawal the day after the earned date
 * counts nothing once the as-of date has reached it. */
static void as_of_mode_respects_withdrawal_by_evaluation_date(void **state) {
  fx *f = fx_new(NULL);
  f->p = compile_text(
      "{\"format\":\"credport-policy/1\",\"id\":\"p\",\"authorities\":{\"dp\":"
      "\"6666666666666666666666666666666666666666666666666666666666666666\"},"
      "\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":"
      "\"per_award\",\"currency\":\"c\",\"amount\":1,\"filter\":{\"endorsed_by\":{\"authority\":"
      "\"dp\",\"claim\":\"approved\",\"in_force\":\"as_of\"}}}]}");
  size_t aw = fx_award(f, K_OTHER, "mc", 2, 1500, "2016-10-03");
  fx_endorse(f, K_DP, K_OTHER, "mc", "approved", "2016-01-01");
  f->en[0].withdrawn = D("2016-10-04");
  fx_eval(f, "2016-10-03");
  assert_string_equal(fx_fate(f, aw, "r", NULL), "counted");
  fx_eval(f, "2016-10-04");
  assert_string_equal(fx_fate(f, aw, "r", NULL), "not_endorsed");
  fx_free(f);
}

/* An approval recorded years later states the period it covered: Clark
 * County's 2016-17 policy evaluates as written, and the period must cover
 * the earned date. */
static void dated_endorsement_covers_its_period(void **state) {
  fx *f = fx_new("clark-county.json");
  f->areas[0] = S("mathematics");
  f->n_areas = 1;
  size_t in = fx_award(f, K_OTHER, "dp-in", 2, 1500, "2016-10-03");
  size_t before = fx_award(f, K_OTHER, "dp-before", 2, 1500, "2016-07-01");
  fx_areas(f, in, math, 1);
  fx_areas(f, before, math, 1);
  fx_endorse(f, K_DP, K_OTHER, "dp-in", "approved", "2016-07-01");
  f->en[0].until = D("2017-06-30");
  fx_endorse(f, K_DP, K_OTHER, "dp-before", "approved", "2016-07-02"); /* a day late */
  f->en[1].until = D("2017-06-30");
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, in, RULE, NULL), "counted");
  assert_string_equal(fx_fate(f, before, RULE, NULL), "not_endorsed");
  assert_int_equal(fx_total(f, "cu"), 500);
  fx_free(f);
}

/* Two periods of one approval with a gap: an MC earned in the gap is not
 * endorsed, on both sides it is. */
static void endorsement_periods_with_a_gap(void **state) {
  fx *f = fx_new("clark-county.json");
  f->areas[0] = S("mathematics");
  f->n_areas = 1;
  size_t a = fx_award(f, K_OTHER, "dp-a", 2, 300, "2016-08-01");
  size_t b = fx_award(f, K_OTHER, "dp-a", 2, 300, "2016-09-15");
  fx_areas(f, a, math, 1);
  fx_areas(f, b, math, 1);
  fx_endorse(f, K_DP, K_OTHER, "dp-a", "approved", "2016-07-01");
  f->en[0].until = D("2016-08-31");
  fx_endorse(f, K_DP, K_OTHER, "dp-a", "approved", "2016-10-01");
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, a, RULE, NULL), "counted");
  assert_string_equal(fx_fate(f, b, RULE, NULL), "not_endorsed");
  fx_free(f);
}

static const char KM_LOGGED[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"km\",\"authorities\":{\"kmsd\":"
    "\"4444444444444444444444444444444444444444444444444444444444444444\"},\"currencies\":"
    "[{\"id\":\"usd\",\"unit\":\"$\",\"decimals\":2,\"money\":true}],\"rules\":[{\"id\":\"r\","
    "\"kind\":\"per_award\",\"currency\":\"usd\",\"recurring\":true,\"amount\":200,\"filter\":"
    "{\"preapproval\":{\"authority\":\"kmsd\",\"logged_by_earned\":true}}}]}";

/* Kettle Moraine, provably prior: an approval dated before the work but
 * logged the day after it counts nothing under logged_by_earned (and the
 * explanation says why); logged the same day it counts; the published
 * policy (stated date only) counts both. */
static void km_approval_logged_after_the_work(void **state) {
  fx *f = fx_new(NULL);
  f->p = compile_text(KM_LOGGED);
  size_t late = fx_award(f, K_OTHER, "km-late", 1, 1000, "2020-03-10");
  size_t ok = fx_award(f, K_OTHER, "km-ok", 1, 1000, "2020-03-10");
  fx_approve(f, K_KMSD, K_OTHER, "km-late", "2020-01-15", NULL);
  f->ap[0].logged = D("2020-03-11");
  fx_approve(f, K_KMSD, K_OTHER, "km-ok", "2020-01-15", NULL);
  f->ap[1].logged = D("2020-03-10");
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, late, "r", NULL), "approval_logged_late");
  assert_string_equal(fx_fate(f, ok, "r", NULL), "counted");
  assert_true(fx_json_has(f, "\"fate\":\"approval_logged_late\""));
  assert_int_equal(fx_total(f, "usd"), 20000);
  cp_policy_free(f->p);
  f->p = load_policy("kettle-moraine.json");
  fx_eval(f, "2020-06-30");
  assert_string_equal(fx_fate(f, late, "base-salary-increase", NULL), "counted");
  assert_int_equal(fx_total(f, "usd"), 40000);
  fx_free(f);
}

/* A pre-approval withdrawn before (or on) the earned date does not count;
 * withdrawn after the work was done, it does. */
static void km_approval_withdrawn_around_earned(void **state) {
  static const struct { const char *withdrawn, *fate; } cases[] = {
      {"2020-03-09", "no_preapproval"}, {"2020-03-10", "no_preapproval"},
      {"2020-03-11", "counted"}};
  for (size_t i = 0; i < 3; i++) {
    fx *f = fx_new("kettle-moraine.json");
    size_t a = fx_award(f, K_OTHER, "km-a", 1, 1000, "2020-03-10");
    fx_approve(f, K_KMSD, K_OTHER, "km-a", "2020-01-15", NULL);
    f->ap[0].withdrawn = D(cases[i].withdrawn);
    fx_eval(f, "2020-06-30");
    assert_string_equal(fx_fate(f, a, "base-salary-increase", NULL), cases[i].fate);
    fx_free(f);
  }
}

/* Areas from the ledger: the district attests mathematics for 2016-07-01 ..
 * 2016-12-31 (expiring mid-year); an MC earned in October counts, one
 * earned in February does not; an attestation by another authority is not
 * read; a withdrawn one counts only before its withdrawal. */
static void ccsd_area_attestation_expiring_mid_year(void **state) {
  fx *f = fx_new("clark-county.json");
  size_t oct = fx_award(f, K_OTHER, "dp-oct", 2, 1500, "2016-10-03");
  size_t feb = fx_award(f, K_OTHER, "dp-feb", 2, 1500, "2017-02-01");
  fx_areas(f, oct, math, 1);
  fx_areas(f, feb, math, 1);
  fx_endorse(f, K_DP, K_OTHER, "dp-oct", "approved", "2016-01-01");
  fx_endorse(f, K_DP, K_OTHER, "dp-feb", "approved", "2016-01-01");
  fx_attest(f, K_CCSD, math, 1, "2016-07-01", "2016-12-31");
  fx_attest(f, K_DP, math, 1, "2016-07-01", NULL); /* not the attesting authority */
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, oct, RULE, NULL), "counted");
  assert_string_equal(fx_fate(f, feb, RULE, NULL), "area_mismatch");
  assert_int_equal(fx_total(f, "cu"), 500);
  /* Withdrawn from 2016-10-03 on: October no longer counts. */
  f->at[0].withdrawn = D("2016-10-03");
  fx_eval(f, "2017-06-30");
  assert_string_equal(fx_fate(f, oct, RULE, NULL), "area_mismatch");
  /* Areas given by hand replace the attestations. */
  f->areas[0] = S("MATHEMATICS");
  f->n_areas = 1;
  fx_eval(f, "2017-06-30");
  assert_int_equal(fx_total(f, "cu"), 1000);
  fx_free(f);
}

/* Options the parser refuses, with the path. */
static void option_errors(void **state) {
  static const struct { const char *doc, *msg; } bad[] = {
      {"\"filter\":{\"endorsed_by\":{\"authority\":\"a\",\"in_force\":\"today\"}}",
       "endorsed_by.in_force: must be \"earned\""},
      {"\"filter\":{\"area_match\":{\"attested_by\":\"nobody\"}}", "area_match.attested_by"},
      {"\"filter\":{\"area_match\":{\"by\":\"a\"}}", "area_match"},
      {"\"filter\":{\"area_match\":1}", "area_match: must be true, false or {"},
      {"\"filter\":{\"preapproval\":{\"authority\":\"a\",\"logged_by_earned\":1}}",
       "preapproval.logged_by_earned: must be true or false"},
      {"\"members_in_window\":true", "members_in_window: not a member of a per_award rule"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"credport-policy/1\",\"id\":\"p\",\"authorities\":{\"a\":"
             "\"4444444444444444444444444444444444444444444444444444444444444444\"},"
             "\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":"
             "\"per_award\",\"currency\":\"c\",\"amount\":1,%s}]}",
             bad[i].doc);
    cp_diag d = {{0}};
    cp_policy *p = NULL;
    assert_int_equal(cp_policy_compile(doc, strlen(doc), &p, &d), CP_EPOLICY);
    if (strstr(d.msg, bad[i].msg) == NULL) fail_msg("\"%s\" does not say %s", d.msg, bad[i].msg);
  }
  /* members_in_window needs a window. */
  static const char nowin[] =
      "{\"format\":\"credport-policy/1\",\"id\":\"p\",\"currencies\":[{\"id\":\"c\",\"unit\":"
      "\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":\"bundle\",\"currency\":\"c\",\"set\":[\"x\"],"
      "\"amount\":1,\"members_in_window\":true}]}";
  cp_diag d = {{0}};
  cp_policy *p = NULL;
  assert_int_equal(cp_policy_compile(nowin, strlen(nowin), &p, &d), CP_EPOLICY);
  assert_non_null(strstr(d.msg, "members_in_window: needs a window"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ccsd_withdrawn_before_on_after_earned),
    cmocka_unit_test(as_of_mode_respects_withdrawal_by_evaluation_date),
    cmocka_unit_test(dated_endorsement_covers_its_period),
    cmocka_unit_test(endorsement_periods_with_a_gap),
    cmocka_unit_test(km_approval_logged_after_the_work),
    cmocka_unit_test(km_approval_withdrawn_around_earned),
    cmocka_unit_test(ccsd_area_attestation_expiring_mid_year),
    cmocka_unit_test(option_errors),
};

CP_TEST_MAIN(tests)
