/*
 * Determinism, explanation hashes, overflow detection and the district view
 * (totals, cost in a year, alternative policies side by side), with a
 * throughput measurement over many educators.
 */
#include <time.h>

#include "credport/hash.h"
#include "test_recognize_fixture.h"

/* Kettle Moraine's permanent increase against a one-time stipend. */
static const char stipend_policy[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"kmsd-stipend-alternative\","
    "\"fiscal_year_start\":\"07-01\","
    "\"authorities\":{\"kmsd\":"
    "\"4444444444444444444444444444444444444444444444444444444444444444\"},"
    "\"currencies\":[{\"id\":\"usd\",\"unit\":\"US dollar\",\"decimals\":2,\"money\":true}],"
    "\"rules\":[{\"id\":\"stipend\",\"kind\":\"per_award\",\"currency\":\"usd\",\"amount\":500,"
    "\"filter\":{\"preapproval\":{\"authority\":\"kmsd\"}}}]}";

static fx *km_mixed(void) {
  fx *f = fx_new("kettle-moraine.json");
  static const struct {
    const char *id, *earned;
    uint8_t level;
    bool approved;
  } mcs[] = {{"km-a", "2019-09-01", 1, true},  {"km-b", "2020-02-01", 4, true},
             {"km-c", "2020-02-01", 2, false}, {"km-d", "2020-08-15", 3, true},
             {"km-e", "2021-01-04", 2, true},  {"km-f", "2021-06-30", 1, true}};
  for (size_t i = 0; i < sizeof mcs / sizeof mcs[0]; i++) {
    fx_award(f, K_OTHER, mcs[i].id, mcs[i].level, 1000, mcs[i].earned);
    if (mcs[i].approved) fx_approve(f, K_KMSD, K_OTHER, mcs[i].id, "2019-08-01", NULL);
  }
  f->aw[4].revoked = D("2021-03-01");
  return f;
}

static void same_facts_give_identical_bytes(void **state) {
  fx *f = km_mixed();
  fx_eval(f, "2021-06-30");
  size_t len1 = 0, len2 = 0;
  char *first = strdup(cp_policy_result_json(f->r, &len1));
  fx_eval(f, "2021-06-30");
  const char *second = cp_policy_result_json(f->r, &len2);
  assert_int_equal(len1, len2);
  assert_memory_equal(first, second, len1);
  assert_int_equal(strlen(first), len1);
  free(first);
  fx_free(f);
}

static void permuted_facts_give_identical_bytes(void **state) {
  fx *f = km_mixed();
  fx_eval(f, "2021-06-30");
  char *want = strdup(cp_policy_result_json(f->r, NULL));
  uint8_t h1[CP_HASH_BYTES], h2[CP_HASH_BYTES];
  cp_policy_result_hash(f->r, h1);
  /* Reverse awards and approvals; rotate endorsements. */
  for (size_t i = 0; i < f->n / 2; i++) {
    cp_policy_award t = f->aw[i];
    f->aw[i] = f->aw[f->n - 1 - i];
    f->aw[f->n - 1 - i] = t;
  }
  for (size_t i = 0; i < f->n_ap / 2; i++) {
    cp_policy_approval t = f->ap[i];
    f->ap[i] = f->ap[f->n_ap - 1 - i];
    f->ap[f->n_ap - 1 - i] = t;
  }
  /* The names moved with the awards' cp_str pointers: they still point
   * at the right names, so only the order changed. */
  fx_eval(f, "2021-06-30");
  assert_string_equal(cp_policy_result_json(f->r, NULL), want);
  cp_policy_result_hash(f->r, h2);
  assert_memory_equal(h1, h2, CP_HASH_BYTES);
  free(want);
  fx_free(f);
}

static void explanation_hash_is_sha256_of_json(void **state) {
  fx *f = km_mixed();
  fx_eval(f, "2021-06-30");
  size_t len = 0;
  const char *json = cp_policy_result_json(f->r, &len);
  uint8_t want[CP_HASH_BYTES], got[CP_HASH_BYTES];
  cp_sha256_oneshot(json, len, want);
  cp_policy_result_hash(f->r, got);
  assert_memory_equal(want, got, CP_HASH_BYTES);
  /* A different as-of date (the revocation now known) changes it. */
  fx_eval(f, "2021-02-28");
  cp_policy_result_hash(f->r, got);
  assert_memory_not_equal(want, got, CP_HASH_BYTES);
  fx_free(f);
}

static void result_json_is_canonical(void **state) {
  fx *f = km_mixed();
  fx_eval(f, "2021-06-30");
  const char *j = cp_policy_result_json(f->r, NULL);
  /* Fixed member order, integers only, no whitespace outside strings. */
  assert_non_null(strstr(j,
                         "{\"format\":\"credport-recognition/1\",\"policy\":\"kmsd-base-salary\","
                         "\"educator\":\"e1e1"));
  assert_non_null(strstr(j,
                         "\"as_of\":\"2021-06-30\",\"in_effect\":true,\"totals\":[{"
                         "\"currency\":\"usd\",\"unit\":\"US dollar per year\",\"decimals\":2,"
                         "\"amount\":145000}]"));
  assert_null(strchr(j, '\n'));
  assert_null(strstr(j, ": "));
  assert_null(strstr(j, "e+"));
  /* 200 + 600 + 450 + 200 approved; km-c unapproved; km-e revoked. */
  assert_non_null(strstr(j, "\"credential\":\"km-c\""));
  assert_non_null(strstr(j, "\"fate\":\"no_preapproval\""));
  assert_non_null(strstr(j, "\"fate\":\"revoked\""));
  fx_free(f);
}

static void overflow_is_detected(void **state) {
  fx *f = fx_new(NULL);
  f->p = compile_text(
      "{\"format\":\"credport-policy/1\",\"id\":\"o\",\"currencies\":[{\"id\":\"c\","
      "\"unit\":\"u\",\"decimals\":0}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\","
      "\"currency\":\"c\",\"amount\":{\"contact_hours\":{\"hours\":\"0.01\","
      "\"amount\":1000000000000}}}]}");
  fx_award(f, K_OTHER, "long", 1, UINT32_MAX, "2020-01-01");
  assert_int_equal(cp_policy_env_new(NULL, 0, &f->env), CP_OK);
  cp_policy_educator ed = fx_educator(f);
  assert_int_equal(cp_policy_evaluate(f->p, f->env, &ed, D("2020-06-30"), &f->r, &f->d),
                   CP_EOVERFLOW);
  assert_non_null(strstr(f->d.msg, "overflow"));
  cp_policy_free(f->p);
  /* Sums: 10 awards of 10^12 fit; a conversion multiplying them cannot. */
  f->p = compile_text(
      "{\"format\":\"credport-policy/1\",\"id\":\"o\",\"currencies\":[{\"id\":\"c\","
      "\"unit\":\"u\"},{\"id\":\"d\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\","
      "\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1000000000000},{\"id\":\"x\","
      "\"kind\":\"convert\",\"from\":\"c\",\"currency\":\"d\",\"rate\":{\"from\":1,"
      "\"to\":1000000000000}}]}");
  f->n = 0;
  for (int i = 0; i < 10; i++) {
    char id[8];
    snprintf(id, sizeof id, "m%d", i);
    fx_award(f, K_OTHER, id, 1, 0, "2020-01-01");
  }
  ed = fx_educator(f);
  assert_int_equal(cp_policy_evaluate(f->p, f->env, &ed, D("2020-06-30"), &f->r, &f->d),
                   CP_EOVERFLOW);
  assert_null(f->r);
  fx_free(f);
}

static void district_cost_of_recurring_and_one_time(void **state) {
  cp_policy *km = load_policy("kettle-moraine.json");
  cp_policy *alt = compile_text(stipend_policy);
  const cp_policy *pols[2] = {km, alt};
  cp_policy_district *dv = NULL;
  /* Fiscal year 2021 = 2021-07-01 .. 2022-06-30: next year's budget. */
  assert_int_equal(cp_policy_district_new(pols, 2, NULL, D("2021-06-30"), 2021, &dv), CP_OK);
  fx *a = km_mixed();   /* increases 200 + 600 + 450 + 200 = 1450 */
  fx *b = fx_new(NULL); /* earned nothing */
  memset(b->educator, 0xe2, CP_PK_BYTES);
  fx *c = fx_new(NULL); /* one level-2 MC in FY2020 */
  memset(c->educator, 0xe3, CP_PK_BYTES);
  fx_award(c, K_OTHER, "km-x", 2, 1000, "2021-05-01");
  fx_approve(c, K_KMSD, K_OTHER, "km-x", "2021-04-01", NULL);
  cp_diag d = {{0}};
  cp_policy_educator ea = fx_educator(a), eb = fx_educator(b), ec = fx_educator(c);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(dv, &eb, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(dv, &ec, &d), CP_OK);
  int64_t total = 0, cost = 0;
  uint64_t who = 0;
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, &who, &cost), CP_OK);
  assert_int_equal(total, 145000 + 30000);
  assert_int_equal(who, 2);
  /* Permanent: every increase is paid again in FY2021. */
  assert_int_equal(cost, 175000);
  assert_int_equal(cp_policy_district_total(dv, 1, "usd", &total, &who, &cost), CP_OK);
  assert_int_equal(total, 5 * 50000);
  assert_int_equal(who, 2);
  /* One-time: nothing earned so far is paid in FY2021. */
  assert_int_equal(cost, 0);
  assert_int_equal(cp_policy_district_total(dv, 0, "eur", NULL, NULL, NULL), CP_ENOTFOUND);
  assert_int_equal(cp_policy_district_total(dv, 2, "usd", NULL, NULL, NULL), CP_EINVAL);
  char *json = NULL;
  size_t len = 0;
  assert_int_equal(cp_policy_district_json(dv, &json, &len), CP_OK);
  assert_string_equal(
      json,
      "{\"format\":\"credport-district/1\",\"as_of\":\"2021-06-30\",\"year\":2021,"
      "\"educators\":3,\"policies\":[{\"policy\":\"kmsd-base-salary\",\"educators_benefiting\":2,"
      "\"currencies\":[{\"currency\":\"usd\",\"decimals\":2,\"money\":true,\"total\":175000,"
      "\"educators\":2,\"cost_in_year\":175000}]},{\"policy\":\"kmsd-stipend-alternative\","
      "\"educators_benefiting\":2,\"currencies\":[{\"currency\":\"usd\",\"decimals\":2,"
      "\"money\":true,\"total\":250000,\"educators\":2,\"cost_in_year\":0}]}]}");
  free(json);
  cp_policy_district_free(dv);
  /* FY2020 for the stipend: the four stipends dated 2020-07-01..2021-06-30. */
  const cp_policy *one[1] = {alt};
  assert_int_equal(cp_policy_district_new(one, 1, NULL, D("2021-06-30"), 2020, &dv), CP_OK);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_add(dv, &ec, &d), CP_OK);
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", NULL, NULL, &cost), CP_OK);
  assert_int_equal(cost, 3 * 50000);
  cp_policy_district_free(dv);
  fx_free(a);
  fx_free(b);
  fx_free(c);
  cp_policy_free(km);
  cp_policy_free(alt);
}

static void district_add_error_leaves_view_unchanged(void **state) {
  cp_policy *km = load_policy("kettle-moraine.json");
  const cp_policy *pols[1] = {km};
  cp_policy_district *dv = NULL;
  assert_int_equal(cp_policy_district_new(pols, 1, NULL, D("2021-06-30"), 0, &dv), CP_OK);
  fx *a = km_mixed();
  cp_diag d = {{0}};
  cp_policy_educator ea = fx_educator(a);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  a->aw[0].level = 9;
  ea = fx_educator(a);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_EINVAL);
  int64_t total = 0;
  uint64_t who = 0;
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, &who, NULL), CP_OK);
  assert_int_equal(total, 145000);
  assert_int_equal(who, 1);
  assert_int_equal(cp_policy_district_new(pols, 0, NULL, 0, 0, &dv), CP_EINVAL);
  cp_policy_district_free(dv);
  fx_free(a);
  cp_policy_free(km);
}

/* An error after the educator was already added under an earlier policy:
 * Kettle Moraine evaluates (and would add 1450.00), then a contact-hour
 * policy overflows; the view keeps the totals, counts and JSON it had. */
static void district_add_error_after_first_policy_rolls_back(void **state) {
  cp_policy *km = load_policy("kettle-moraine.json");
  cp_policy *hours = compile_text(
      "{\"format\":\"credport-policy/1\",\"id\":\"hours\",\"currencies\":[{\"id\":\"c\","
      "\"unit\":\"u\",\"decimals\":0}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\","
      "\"currency\":\"c\",\"amount\":{\"contact_hours\":{\"hours\":\"0.01\","
      "\"amount\":1000000000000}}}]}");
  const cp_policy *pols[2] = {km, hours};
  cp_policy_district *dv = NULL;
  assert_int_equal(cp_policy_district_new(pols, 2, NULL, D("2021-06-30"), 2021, &dv), CP_OK);
  fx *a = km_mixed();
  cp_diag d = {{0}};
  cp_policy_educator ea = fx_educator(a);
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  int64_t total = 0, cost = 0;
  uint64_t who = 0;
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, &who, &cost), CP_OK);
  assert_int_equal(total, 145000);
  assert_int_equal(who, 1);
  assert_int_equal(cost, 145000);
  int64_t htotal = 0;
  assert_int_equal(cp_policy_district_total(dv, 1, "c", &htotal, &who, NULL), CP_OK);
  assert_true(htotal > 0);
  assert_int_equal(who, 1);
  char *before = NULL, *after = NULL;
  size_t blen = 0, alen = 0;
  assert_int_equal(cp_policy_district_json(dv, &before, &blen), CP_OK);
  /* Facts that still evaluate under Kettle Moraine (it does not read
   * contact hours) but overflow the contact-hour policy. */
  fx *b = km_mixed(); /* the same educator's facts, with one award's hours changed */
  b->aw[0].hours_x100 = UINT32_MAX;
  cp_policy_educator eb = fx_educator(b);
  {
    const cp_policy *only_km[1] = {km};
    cp_policy_district *probe = NULL;
    assert_int_equal(cp_policy_district_new(only_km, 1, NULL, D("2021-06-30"), 2021, &probe),
                     CP_OK);
    assert_int_equal(cp_policy_district_add(probe, &eb, &d), CP_OK);
    assert_int_equal(cp_policy_district_total(probe, 0, "usd", &total, NULL, NULL), CP_OK);
    assert_int_equal(total, 145000); /* so the failed add would have added 1450.00 */
    cp_policy_district_free(probe);
  }
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_policy_district_add(dv, &eb, &d), CP_EOVERFLOW);
  if (strstr(d.msg, "contact-hour amount overflows") == NULL) fail_msg("refused: %s", d.msg);
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, &who, &cost), CP_OK);
  assert_int_equal(total, 145000);
  assert_int_equal(who, 1);
  assert_int_equal(cost, 145000);
  int64_t h2 = 0;
  assert_int_equal(cp_policy_district_total(dv, 1, "c", &h2, &who, NULL), CP_OK);
  assert_int_equal(h2, htotal);
  assert_int_equal(who, 1);
  assert_int_equal(cp_policy_district_json(dv, &after, &alen), CP_OK);
  assert_int_equal(alen, blen);
  assert_string_equal(after, before); /* educators and benefiting counts too */
  /* And the view still adds after the error. */
  assert_int_equal(cp_policy_district_add(dv, &ea, &d), CP_OK);
  assert_int_equal(cp_policy_district_total(dv, 0, "usd", &total, &who, NULL), CP_OK);
  assert_int_equal(total, 2 * 145000);
  assert_int_equal(who, 2);
  free(before);
  free(after);
  cp_policy_district_free(dv);
  fx_free(a);
  fx_free(b);
  cp_policy_free(km);
  cp_policy_free(hours);
}

/* 20k educators x 10 awards through all five schemes, from facts in
 * memory; prints the cost per award (not asserted: sanitizer builds are
 * slow); the budget is the time to read the same awards from LMDB. */
static void district_throughput(void **state) {
  static const char *const names[5] = {"bcps-cpd.json", "nc-renewal.json", "kettle-moraine.json",
                                       "clark-county.json", "south-milwaukee.json"};
  cp_policy *p[5];
  for (int i = 0; i < 5; i++) p[i] = load_policy(names[i]);
  enum { EDUCATORS = 20000, PER = 10 };
  cp_policy_award *aw = calloc(PER, sizeof *aw);
  cp_policy_approval *ap = calloc(PER, sizeof *ap);
  cp_policy_endorsement *en = calloc(64, sizeof *en);
  char(*ids)[16] = calloc(64, sizeof *ids);
  assert_non_null(aw);
  assert_non_null(ap);
  assert_non_null(en);
  assert_non_null(ids);
  static const cp_str area[1] = {{"mathematics", 11}};
  for (int k = 0; k < 64; k++) {
    snprintf(ids[k], sizeof ids[k], "sdsm-lc-%02d", k + 1);
    memset(en[k].endorser, k % 2 ? K_DP : K_BCPS, CP_PK_BYTES);
    en[k].kind = CP_SUBJECT_CREDENTIAL;
    def_id(en[k].subject, K_BLOOM, ids[k]);
    en[k].claim = S(k % 2 ? "approved" : "district-approved");
    en[k].date = D("2015-01-01");
  }
  cp_policy_env *env = NULL;
  assert_int_equal(cp_policy_env_new(en, 64, &env), CP_OK);
  cp_policy_district *dv = NULL;
  const cp_policy *const *pp = (const cp_policy *const *)p;
  assert_int_equal(cp_policy_district_new(pp, 5, env, D("2017-06-30"), 2017, &dv), CP_OK);
  cp_diag d = {{0}};
  const uint32_t base = D("2016-08-01");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (uint32_t e = 0; e < EDUCATORS; e++) {
    cp_policy_educator ed;
    memset(&ed, 0, sizeof ed);
    memcpy(ed.key, &e, sizeof e);
    ed.areas = area;
    ed.n_areas = 1;
    for (int k = 0; k < PER; k++) {
      int c = (int)((e * 7 + (uint32_t)k * 13) % 64);
      memset(aw[k].id, 0, CP_HASH_BYTES);
      memcpy(aw[k].id, &e, sizeof e);
      aw[k].id[8] = (uint8_t)k;
      memset(aw[k].issuer, K_BLOOM, CP_PK_BYTES);
      def_id(aw[k].credential, K_BLOOM, ids[c]);
      aw[k].cred_id = S(ids[c]);
      aw[k].level = (uint8_t)(1 + c % 4);
      aw[k].hours_x100 = 1500;
      aw[k].areas = area;
      aw[k].n_areas = 1;
      aw[k].earned = base + (e + (uint32_t)k * 17) % 330;
      memcpy(ap[k].educator, ed.key, CP_PK_BYTES);
      memset(ap[k].approver, K_KMSD, CP_PK_BYTES);
      memcpy(ap[k].credential, aw[k].credential, CP_HASH_BYTES);
      ap[k].approved = D("2016-07-01");
    }
    ed.awards = aw;
    ed.n_awards = PER;
    ed.approvals = ap;
    ed.n_approvals = PER;
    assert_int_equal(cp_policy_district_add(dv, &ed, &d), CP_OK);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  print_message(
      "district view: %d educators x %d awards x 5 policies: %.0f ns per award "
      "per policy\n",
      EDUCATORS, PER, ns / (EDUCATORS * PER * 5.0));
  int64_t total = 0;
  uint64_t who = 0;
  assert_int_equal(cp_policy_district_total(dv, 3, "cu", &total, &who, NULL), CP_OK);
  assert_true(total > 0);
  assert_int_equal(who, EDUCATORS);
  cp_policy_district_free(dv);
  cp_policy_env_free(env);
  for (int i = 0; i < 5; i++) cp_policy_free(p[i]);
  free(aw);
  free(ap);
  free(en);
  free(ids);
}

static void large_educator_is_bounded(void **state) {
  /* One educator with 100k awards of one definition under every scheme:
   * linear-time duplicate handling keeps this fast. */
  cp_policy *p = load_policy("south-milwaukee.json");
  enum { N = 100000 };
  cp_policy_award *aw = calloc(N, sizeof *aw);
  assert_non_null(aw);
  for (uint32_t i = 0; i < N; i++) {
    memcpy(aw[i].id, &i, sizeof i);
    memset(aw[i].issuer, K_BLOOM, CP_PK_BYTES);
    def_id(aw[i].credential, K_BLOOM, "sdsm-lc-01");
    aw[i].cred_id = S("sdsm-lc-01");
    aw[i].level = 1;
    aw[i].earned = D("2017-01-01") + i % 1000;
  }
  cp_policy_educator ed;
  memset(&ed, 0, sizeof ed);
  ed.awards = aw;
  ed.n_awards = N;
  cp_policy_result *r = NULL;
  cp_diag d = {{0}};
  assert_int_equal(cp_policy_evaluate(p, NULL, &ed, D("2020-01-01"), &r, &d), CP_OK);
  int64_t total = -1;
  assert_int_equal(cp_policy_result_total(r, "certification", &total), CP_OK);
  assert_int_equal(total, 0);
  cp_policy_result_free(r);
  cp_policy_free(p);
  free(aw);
}

/* One endorser vouching for one definition under 200k different claims (a
 * hostile or buggy authority): the index keeps one entry per claim and the
 * lookup stays one probe sequence. */
static void endorsement_flood_is_bounded(void **state) {
  enum { N = 200000 };
  fx *f = fx_new("clark-county.json");
  static const cp_str area[1] = {{"mathematics", 11}};
  f->areas[0] = area[0];
  f->n_areas = 1;
  size_t a = fx_award(f, K_OTHER, "dp-flooded", 2, 300, "2016-10-03");
  fx_areas(f, a, area, 1);
  cp_policy_endorsement *en = calloc(N, sizeof *en);
  char(*claims)[16] = calloc(N, sizeof *claims);
  assert_non_null(en);
  assert_non_null(claims);
  for (int i = 0; i < N; i++) {
    snprintf(claims[i], sizeof claims[i], "claim-%d", i);
    memset(en[i].endorser, K_DP, CP_PK_BYTES);
    en[i].kind = CP_SUBJECT_CREDENTIAL;
    def_id(en[i].subject, K_OTHER, "dp-flooded");
    en[i].claim = S(claims[i]);
    en[i].date = D("2016-01-01");
  }
  en[N - 1].claim = S("approved");
  assert_int_equal(cp_policy_env_new(en, N, &f->env), CP_OK);
  cp_policy_educator ed = fx_educator(f);
  assert_int_equal(cp_policy_evaluate(f->p, f->env, &ed, D("2017-06-30"), &f->r, &f->d), CP_OK);
  assert_int_equal(fx_total(f, "cu"), 100);
  free(en);
  free(claims);
  fx_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_facts_give_identical_bytes),
    cmocka_unit_test(permuted_facts_give_identical_bytes),
    cmocka_unit_test(explanation_hash_is_sha256_of_json),
    cmocka_unit_test(result_json_is_canonical),
    cmocka_unit_test(overflow_is_detected),
    cmocka_unit_test(district_cost_of_recurring_and_one_time),
    cmocka_unit_test(district_add_error_leaves_view_unchanged),
    cmocka_unit_test(district_add_error_after_first_policy_rolls_back),
    cmocka_unit_test(district_throughput),
    cmocka_unit_test(large_educator_is_bounded),
    cmocka_unit_test(endorsement_flood_is_bounded),
};

CP_TEST_MAIN(tests)
