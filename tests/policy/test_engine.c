/*
 * The recognition engine on its own (node/policy/, library cp_policy):
 * this program links cp_policy and nothing of the store, and gives the
 * engine facts written here by hand — facts in, results out.
 */
#include "cptest.h"

#include <string.h>

#include "credport/entry.h"
#include "credport/policy.h"

#define ISSUER "5555555555555555555555555555555555555555555555555555555555555555"

static const char POLICY[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"engine-only\","
    "\"authorities\":{\"state\":\"" ISSUER "\"},"
    "\"currencies\":[{\"id\":\"ceu\",\"unit\":\"CEU\"}],"
    "\"rules\":[{\"id\":\"per\",\"kind\":\"per_award\",\"currency\":\"ceu\",\"amount\":2,"
    "\"filter\":{\"issuers\":[\"state\"]}}]}";

static uint32_t day(const char *s) {
  uint32_t d = 0;
  assert_int_equal(cp_date_parse(s, &d), CP_OK);
  return d;
}

/* Three awards: two by the state (one of them revoked before the as-of
 * date), one by another issuer. */
static void facts(cp_policy_award aw[3], cp_policy_educator *ed) {
  memset(aw, 0, 3 * sizeof *aw);
  memset(ed, 0, sizeof *ed);
  for (int i = 0; i < 3; i++) {
    memset(aw[i].id, 0x10 + i, CP_HASH_BYTES);
    memset(aw[i].issuer, i == 2 ? 0x66 : 0x55, CP_PK_BYTES);
    memset(aw[i].credential, 0x20 + i, CP_HASH_BYTES);
    aw[i].cred_id = (cp_str){"mc", 2};
    aw[i].level = 2;
    aw[i].hours_x100 = 1500;
    aw[i].earned = day("2026-02-01");
  }
  aw[1].revoked = day("2026-03-01");
  memset(ed->key, 0x77, CP_PK_BYTES);
  ed->awards = aw;
  ed->n_awards = 3;
}

static void engine_without_a_store(void **state) {
  (void)state;
  cp_policy *p = NULL;
  cp_policy_result *r = NULL, *r2 = NULL;
  cp_policy_award aw[3];
  cp_policy_educator ed;
  cp_diag d = {{0}};
  int64_t total = -1, amount = -1;
  cp_policy_reason why;
  assert_int_equal(cp_policy_compile(POLICY, sizeof POLICY - 1, &p, &d), CP_OK);
  facts(aw, &ed);
  assert_int_equal(cp_policy_evaluate(p, NULL, &ed, day("2026-06-30"), &r, &d), CP_OK);
  /* One award counts (2 CEU): the revoked one and the other issuer's do not. */
  assert_int_equal(cp_policy_result_total(r, "ceu", &total), CP_OK);
  assert_int_equal(total, 2);
  assert_int_equal(cp_policy_result_fate(r, aw[0].id, "per", &why, &amount), CP_OK);
  assert_int_equal(amount, 2);
  assert_string_equal(cp_policy_reason_name((int)why), "counted");
  assert_int_equal(cp_policy_result_fate(r, aw[1].id, "per", &why, &amount), CP_OK);
  assert_int_equal(amount, 0);
  assert_int_equal(cp_policy_result_fate(r, aw[2].id, "per", &why, &amount), CP_OK);
  assert_int_equal(amount, 0);
  /* The same facts in another order give the same explanation, byte for byte. */
  cp_policy_award rev[3] = {aw[2], aw[1], aw[0]};
  ed.awards = rev;
  assert_int_equal(cp_policy_evaluate(p, NULL, &ed, day("2026-06-30"), &r2, &d), CP_OK);
  size_t l1, l2;
  const char *j1 = cp_policy_result_json(r, &l1), *j2 = cp_policy_result_json(r2, &l2);
  assert_int_equal(l1, l2);
  assert_memory_equal(j1, j2, l1);
  cp_policy_result_free(r);
  cp_policy_result_free(r2);
  cp_policy_free(p);
}

static void engine_refuses_bad_facts(void **state) {
  (void)state;
  cp_policy *p = NULL;
  cp_policy_result *r = NULL;
  cp_policy_award aw[3];
  cp_policy_educator ed;
  cp_diag d = {{0}};
  assert_int_equal(cp_policy_compile(POLICY, sizeof POLICY - 1, &p, &d), CP_OK);
  facts(aw, &ed);
  aw[0].level = 9; /* levels are 1..4 */
  assert_int_equal(cp_policy_evaluate(p, NULL, &ed, day("2026-06-30"), &r, &d), CP_EINVAL);
  assert_null(r);
  assert_true(d.msg[0] != 0);
  cp_policy_free(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(engine_without_a_store),
    cmocka_unit_test(engine_refuses_bad_facts),
};
CP_TEST_MAIN(tests)
