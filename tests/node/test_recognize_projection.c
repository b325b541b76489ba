/*
 * Projection of compensation alternatives over several fiscal years
 * (cp_policy_district_new_years; DOMAIN.md: districts compare what each
 * alternative would cost, "given who has earned what"). Three alternatives
 * from DOMAIN.md's schemes, over the same two educators, fiscal years
 * 2026..2030 (each starting 07-01), as of 2028-06-30. Every expected figure
 * below is worked by hand in the comments.
 */
#include "test_recognize_fixture.h"

/* 2. Kettle Moraine's rejected alternative: a one-time $500 stipend per
 *    pre-approved MC (not recurring). */
static const char stipend[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"stipend\",\"fiscal_year_start\":\"07-01\","
    "\"authorities\":{\"kmsd\":\"4444444444444444444444444444444444444444444444444444444444444444\"},"
    "\"currencies\":[{\"id\":\"usd\",\"unit\":\"US dollar\",\"decimals\":2,\"money\":true}],"
    "\"rules\":[{\"id\":\"stipend\",\"kind\":\"per_award\",\"currency\":\"usd\",\"amount\":500,"
    "\"filter\":{\"preapproval\":{\"authority\":\"kmsd\"}}}]}";

/* 3. South Milwaukee's limited-choice certification, scaled down: 3 MCs of
 *    the agreed list = a certification worth a permanent $1,000 step. */
static const char certification[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"certification\",\"fiscal_year_start\":\"07-01\","
    "\"currencies\":[{\"id\":\"usd\",\"unit\":\"US dollar per year\",\"decimals\":2,"
    "\"money\":true}],\"sets\":{\"limited-choice\":[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"b1\","
    "\"b2\"]},\"rules\":[{\"id\":\"step\",\"kind\":\"milestone\",\"currency\":\"usd\","
    "\"recurring\":true,\"set\":\"limited-choice\",\"count\":3,\"amount\":1000}]}";

/*
 * Educator A (pre-approved by Kettle Moraine on 2025-08-01, except a5):
 *   a1 level 1 earned 2025-09-10   fiscal year 2025 (2025-07-01..2026-06-30)
 *   a5 level 2 earned 2026-01-15   FY2025, no pre-approval
 *   a2 level 4 earned 2026-07-01   FY2026, its first day
 *   a3 level 3 earned 2027-06-30   FY2026, its last day
 *   a4 level 2 earned 2027-07-01   FY2027
 * Educator B:
 *   b1 level 2 earned 2028-06-30   FY2027, the as-of day, pre-approved
 *   b2 level 1 earned 2028-07-01   after the as-of date: counts nowhere
 */
static fx *educator_a(void) {
  fx *f = fx_new("kettle-moraine.json");
  static const struct {
    const char *id, *earned;
    uint8_t level;
    bool approved;
  } mcs[] = {{"a1", "2025-09-10", 1, true},  {"a5", "2026-01-15", 2, false},
             {"a2", "2026-07-01", 4, true},  {"a3", "2027-06-30", 3, true},
             {"a4", "2027-07-01", 2, true}};
  for (size_t i = 0; i < sizeof mcs / sizeof mcs[0]; i++) {
    fx_award(f, K_OTHER, mcs[i].id, mcs[i].level, 1000, mcs[i].earned);
    if (mcs[i].approved) fx_approve(f, K_KMSD, K_OTHER, mcs[i].id, "2025-08-01", NULL);
  }
  return f;
}

static fx *educator_b(void) {
  fx *f = fx_new(NULL);
  memset(f->educator, 0xe2, CP_PK_BYTES);
  fx_award(f, K_OTHER, "b1", 2, 1000, "2028-06-30");
  fx_approve(f, K_KMSD, K_OTHER, "b1", "2025-08-01", NULL);
  fx_award(f, K_OTHER, "b2", 1, 1000, "2028-07-01");
  fx_approve(f, K_KMSD, K_OTHER, "b2", "2025-08-01", NULL);
  return f;
}

static int64_t cost(const cp_policy_district *dv, size_t k, unsigned year) {
  int64_t v = -1;
  assert_int_equal(cp_policy_district_cost(dv, k, "usd", year, &v), CP_OK);
  return v;
}

static void three_alternatives_over_five_years(void **state) {
  fx *a = educator_a(), *b = educator_b();
  cp_policy *alt2 = compile_text(stipend), *alt3 = compile_text(certification);
  const cp_policy *pols[3] = {a->p, alt2, alt3};
  cp_policy_district *dv = NULL;
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(
      cp_policy_district_new_years(pols, 3, NULL, D("2028-06-30"), 2026, 2030, &dv), CP_OK);
  cp_policy_educator ea = fx_educator(a), eb = fx_educator(b);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(dv, &eb, &d), CP_OK);
  assert_int_equal(cp_policy_district_educators(dv), 2);

  /* 1. Kettle Moraine, recurring: $200 (level 1), $300 (2), $450 (3), $600 (4).
   *    A: a1 200 from FY2025; a2 600 and a3 450 from FY2026; a4 300 from
   *    FY2027; a5 nothing (no pre-approval). B: b1 300 from FY2027.
   *    FY2026: 200 + 600 + 450             = 1250
   *    FY2027: 1250 + 300 (a4) + 300 (b1)  = 1850
   *    FY2028, FY2029, FY2030: still 1850 (the increases recur). */
  assert_int_equal(cost(dv, 0, 2026), 125000);
  assert_int_equal(cost(dv, 0, 2027), 185000);
  assert_int_equal(cost(dv, 0, 2028), 185000);
  assert_int_equal(cost(dv, 0, 2029), 185000);
  assert_int_equal(cost(dv, 0, 2030), 185000);
  /* 2. Stipend, once: $500 for a1 (FY2025, before the range), a2 and a3
   *    (FY2026), a4 and b1 (FY2027).
   *    FY2026: 2 x 500 = 1000; FY2027: 2 x 500 = 1000; later years: 0. */
  assert_int_equal(cost(dv, 1, 2026), 100000);
  assert_int_equal(cost(dv, 1, 2027), 100000);
  assert_int_equal(cost(dv, 1, 2028), 0);
  assert_int_equal(cost(dv, 1, 2030), 0);
  /* 3. Certification: A's third listed MC in date order (a1, a5, a2) is a2
   *    on 2026-07-01, FY2026: $1,000 every year from 2026. B has one MC on
   *    the as-of day (b2 is later): no certification.
   *    FY2026..FY2030: 1000 each. */
  for (unsigned y = 2026; y <= 2030; y++) assert_int_equal(cost(dv, 2, y), 100000);
  /* Totals are what each educator holds as of the date: 200 + 600 + 450 +
   * 300 + 300 = 1850; 5 x 500 = 2500; 1000. */
  int64_t total = -1;
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, NULL, NULL), CP_OK);
  assert_int_equal(total, 185000);
  assert_int_equal(cp_policy_district_total(dv, 1, "usd", &total, NULL, NULL), CP_OK);
  assert_int_equal(total, 250000);
  assert_int_equal(cp_policy_district_total(dv, 2, "usd", &total, NULL, NULL), CP_OK);
  assert_int_equal(total, 100000);
  /* Outside the range there is no figure. */
  int64_t v;
  assert_int_equal(cp_policy_district_cost(dv, 0, "usd", 2025, &v), CP_EINVAL);
  assert_int_equal(cp_policy_district_cost(dv, 0, "usd", 2031, &v), CP_EINVAL);

  char *json = NULL;
  size_t len = 0;
  assert_int_equal(cp_policy_district_json(dv, &json, &len), CP_OK);
  assert_string_equal(
      json,
      "{\"format\":\"credport-district/1\",\"as_of\":\"2028-06-30\",\"year\":2026,"
      "\"years\":[2026,2027,2028,2029,2030],\"educators\":2,\"policies\":["
      "{\"policy\":\"kmsd-base-salary\",\"educators_benefiting\":2,\"currencies\":[{\"currency\":"
      "\"usd\",\"decimals\":2,\"money\":true,\"total\":185000,\"educators\":2,\"cost_in_year\":"
      "125000,\"costs\":[125000,185000,185000,185000,185000]}]},"
      "{\"policy\":\"stipend\",\"educators_benefiting\":2,\"currencies\":[{\"currency\":\"usd\","
      "\"decimals\":2,\"money\":true,\"total\":250000,\"educators\":2,\"cost_in_year\":100000,"
      "\"costs\":[100000,100000,0,0,0]}]},"
      "{\"policy\":\"certification\",\"educators_benefiting\":1,\"currencies\":[{\"currency\":"
      "\"usd\",\"decimals\":2,\"money\":true,\"total\":100000,\"educators\":1,\"cost_in_year\":"
      "100000,\"costs\":[100000,100000,100000,100000,100000]}]}]}");
  free(json);
  cp_policy_district_free(dv);
  fx_free(a);
  fx_free(b);
  cp_policy_free(alt2);
  cp_policy_free(alt3);
}

/* One year asked as a range gives the figure the single-year view gives. */
static void one_year_range_equals_the_year(void **state) {
  fx *a = educator_a(), *b = educator_b();
  const cp_policy *pols[1] = {a->p};
  cp_policy_district *one = NULL, *range = NULL;
  cp_diag d = {{0}};
  int64_t c1 = -1, c2 = -2;
  (void)state;
  assert_int_equal(cp_policy_district_new(pols, 1, NULL, D("2028-06-30"), 2027, &one), CP_OK);
  assert_int_equal(cp_policy_district_new_years(pols, 1, NULL, D("2028-06-30"), 2027, 2027, &range),
                   CP_OK);
  cp_policy_educator ea = fx_educator(a), eb = fx_educator(b);
  assert_int_equal(cp_policy_district_add(one, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(one, &eb, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(range, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(range, &eb, &d), CP_OK);
  assert_int_equal(cp_policy_district_total(one, 0, "usd", NULL, NULL, &c1), CP_OK);
  assert_int_equal(cp_policy_district_cost(range, 0, "usd", 2027, &c2), CP_OK);
  assert_int_equal(c1, 185000);
  assert_int_equal(c2, c1);
  /* Bad ranges: reversed, longer than 50 years, no start. */
  cp_policy_district *dv = NULL;
  assert_int_equal(cp_policy_district_new_years(pols, 1, NULL, 0, 2030, 2026, &dv), CP_EINVAL);
  assert_int_equal(cp_policy_district_new_years(pols, 1, NULL, 0, 2000, 2050, &dv), CP_EINVAL);
  assert_int_equal(cp_policy_district_new_years(pols, 1, NULL, 0, 2000, 2049, &dv), CP_OK);
  cp_policy_district_free(dv);
  assert_int_equal(cp_policy_district_new_years(pols, 1, NULL, 0, 0, 2026, &dv), CP_EINVAL);
  cp_policy_district_free(one);
  cp_policy_district_free(range);
  fx_free(a);
  fx_free(b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(three_alternatives_over_five_years),
    cmocka_unit_test(one_year_range_equals_the_year),
};

CP_TEST_MAIN(tests)
