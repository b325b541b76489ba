/*
 * Withdrawals (version 2 revoke entries): what can be revoked, when
 * (R-body-03, R-body-09), retirement of a credential definition
 * (R-body-02), the indexes and the audit, and the revocation tree staying
 * awards-only (R-rev-01).
 */
#include "test_store_fixture.h"
#include "credport/facts.h"
#include "credport/revstatus.h"

#define DAY 86400ull
#define D0 20000u /* 2024-10-04: the awards' earned day */

typedef struct {
  fx_store f;
  uint8_t cred[32], award[32], endorse[32], approve[32], licensure[32], policy[32];
} wd;

/* Appends e to the own log at time now; returns the code, d the message. */
static int app(wd *w, uint64_t now, cp_entry *e, uint8_t id[32], cp_diag *d) {
  cp_appender *a = NULL;
  int rc = cp_appender_begin(w->f.s, w->f.k, now, &a, d);
  if (rc == 0) rc = cp_appender_add(a, e, id, d);
  if (rc == 0) return cp_appender_commit(a, d);
  cp_appender_abort(a);
  return rc;
}

static void ok(wd *w, uint64_t now, cp_entry *e, uint8_t id[32]) {
  cp_diag d = {{0}};
  int rc = app(w, now, e, id, &d);
  if (rc != 0) fail_msg("append: %d %s", rc, d.msg);
}

static void refused(wd *w, uint64_t now, cp_entry *e, const char *msg) {
  cp_diag d = {{0}};
  uint64_t before = fx_size(&w->f, w->f.pk);
  int rc = app(w, now, e, NULL, &d);
  if (rc != CP_ERULE) fail_msg("append returned %d (%s), want CP_ERULE", rc, d.msg);
  if (strstr(d.msg, msg) == NULL) fail_msg("\"%s\" does not say \"%s\"", d.msg, msg);
  assert_int_equal(fx_size(&w->f, w->f.pk), before);
}

static void audit_clean(wd *w) {
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(w->f.s, 1, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.problems, 0);
}

/* Own log: genesis, a credential, an award earned D0, a dated endorsement
 * of the credential (D0..open), a pre-approval (D0..D0+400), a licensure
 * attestation (D0..D0+365) and a policy. */
static wd *setup(void) {
  wd *w = calloc(1, sizeof *w);
  cp_entry e;
  fx_new(&w->f, 0x71, "credport/test/withdraw");
  fx_credential(&e, "mc-1");
  ok(w, T0, &e, w->cred);
  fx_award(&e, w->cred, 0x21, "a");
  e.u.award.earned = D0;
  ok(w, T0, &e, w->award);
  memset(&e, 0, sizeof e);
  e.type = CP_T_ENDORSE;
  e.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
  memcpy(e.u.endorse.subject, w->cred, 32);
  e.u.endorse.from = D0;
  e.u.endorse.claim = fx_s("approved");
  e.u.endorse.note = fx_s("");
  ok(w, T0, &e, w->endorse);
  fx_approve(&e, 0x21, w->cred);
  e.u.approve.approved = D0;
  e.u.approve.expires = D0 + 400;
  ok(w, T0, &e, w->approve);
  memset(&e, 0, sizeof e);
  e.type = CP_T_LICENSURE;
  memset(e.u.licensure.educator, 0x21, 32);
  e.u.licensure.from = D0;
  e.u.licensure.until = D0 + 365;
  e.u.licensure.n_areas = 1;
  e.u.licensure.areas[0] = fx_s("Mathematics");
  ok(w, T0, &e, w->licensure);
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = fx_s("p");
  e.u.policy.document = fx_s("{\"format\":\"credport-policy/1\",\"id\":\"p\",\"currencies\":"
                             "[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":"
                             "\"per_award\",\"currency\":\"c\",\"amount\":1}]}");
  ok(w, T0, &e, w->policy);
  return w;
}

static void teardown(wd *w) {
  fx_free(&w->f);
  free(w);
}

static uint64_t statement_count(wd *w) {
  cp_reader *r = NULL;
  const char *text;
  size_t len;
  uint64_t at;
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_revstat(r, w->f.pk, 0, &text, &len, &at), CP_OK);
  const char *p = strstr(text, "\nrevoked ");
  assert_non_null(p);
  uint64_t n = strtoull(p + 9, NULL, 10);
  cp_reader_end(r);
  return n;
}

static void withdrawn_by(wd *w, const uint8_t id[32], const uint8_t rv[32]) {
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  uint8_t got[32];
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_withdrawal(r, id, &buf, &len), CP_OK);
  cp_entry_id(buf, len, got);
  assert_memory_equal(got, rv, 32);
  cp_reader_end(r);
}

/* Every revocable type is withdrawn by a version 2 revoke; only the award
 * enters the revocation tree; the audit rebuilds both indexes. */
static void revoke_each_type(void **state) {
  (void)state;
  wd *w = setup();
  const uint8_t *targets[] = {w->award, w->endorse, w->approve, w->licensure, w->cred};
  uint8_t rv[5][32];
  for (int i = 0; i < 5; i++) {
    cp_entry e;
    fx_revoke2(&e, targets[i], D0 + 100);
    ok(w, T0 + 10, &e, rv[i]);
    withdrawn_by(w, targets[i], rv[i]);
    assert_int_equal(statement_count(w), 1);
  }
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_revocation(r, w->award, &buf, &len), CP_OK);
  assert_int_equal(cp_reader_revocation(r, w->endorse, &buf, &len), CP_ENOTFOUND);
  cp_reader_end(r);
  audit_clean(w);
  teardown(w);
}

static void revoke_what_grants_nothing_refused(void **state) {
  (void)state;
  wd *w = setup();
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  uint8_t genesis[32];
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry(r, w->f.pk, 0, &buf, &len), CP_OK);
  cp_entry_id(buf, len, genesis);
  cp_reader_end(r);
  cp_entry e;
  fx_revoke2(&e, genesis, D0);
  refused(w, T0 + 10, &e, "is an authority entry, which cannot be revoked");
  fx_revoke2(&e, w->policy, D0);
  refused(w, T0 + 10, &e, "is a policy entry, which cannot be revoked");
  /* Version 1 revokes name awards only, as they always did. */
  fx_revoke(&e, w->endorse);
  refused(w, T0 + 10, &e, "is not an award entry earlier in this log");
  audit_clean(w);
  teardown(w);
}

static void revoke_twice_refused(void **state) {
  (void)state;
  wd *w = setup();
  cp_entry e;
  fx_revoke(&e, w->award); /* version 1 */
  ok(w, T0 + 10, &e, NULL);
  fx_revoke2(&e, w->award, D0 + 1);
  refused(w, T0 + 10, &e, "is already revoked (seq 7)");
  fx_revoke2(&e, w->endorse, D0 + 1);
  ok(w, T0 + 10, &e, NULL);
  fx_revoke2(&e, w->endorse, D0 + 2);
  refused(w, T0 + 10, &e, "is already revoked (seq 8)");
  audit_clean(w);
  teardown(w);
}

/* SPEC: R-body-09: the effective date lies within what the target covers. */
static void effective_date_rules(void **state) {
  (void)state;
  wd *w = setup();
  cp_entry e;
  fx_revoke2(&e, w->award, D0 - 1);
  refused(w, T0 + 10, &e, "is before 2024-10-04, the first day");
  fx_revoke2(&e, w->approve, D0 + 401);
  refused(w, T0 + 10, &e, "is after 2025-11-08, the last day");
  fx_revoke2(&e, w->licensure, D0 + 366);
  refused(w, T0 + 10, &e, "has already lapsed");
  fx_revoke2(&e, w->endorse, D0 - 1);
  refused(w, T0 + 10, &e, "the first day");
  /* The edges themselves are accepted. */
  fx_revoke2(&e, w->award, D0);
  ok(w, T0 + 10, &e, NULL);
  fx_revoke2(&e, w->approve, D0 + 400);
  ok(w, T0 + 10, &e, NULL);
  fx_revoke2(&e, w->licensure, D0 + 365);
  ok(w, T0 + 10, &e, NULL);
  fx_revoke2(&e, w->endorse, D0);
  ok(w, T0 + 10, &e, NULL);
  audit_clean(w);
  teardown(w);
}

/* SPEC: R-body-02: after a retirement takes effect no new award of the
 * definition is accepted; earlier awards stand; the audit replays awards
 * made before the retirement as valid. */
static void retire_then_award_refused(void **state) {
  (void)state;
  wd *w = setup();
  cp_entry e;
  uint32_t today = (uint32_t)(T0 / DAY);
  fx_revoke2(&e, w->cred, today + 2); /* retired from the day after tomorrow */
  ok(w, T0, &e, NULL);
  fx_award(&e, w->cred, 0x22, "b");
  ok(w, T0 + DAY, &e, NULL); /* tomorrow: still accepted */
  fx_award(&e, w->cred, 0x23, "c");
  refused(w, T0 + 2 * DAY, &e, "was retired effective");
  fx_award(&e, w->cred, 0x23, "c");
  refused(w, T0 + 30 * DAY, &e, "no new award of it is accepted");
  audit_clean(w);
  teardown(w);
}

/* Evaluates a one-rule policy of the own authority (filter filt) for the
 * educator 0x21 with the facts held up to cutoff; returns the total. */
static int64_t eval_with(wd *w, const char *filt, uint32_t as_of, uint64_t cutoff) {
  char hex[65], doc[1024];
  cp_hex_encode(w->f.pk, 32, hex);
  snprintf(doc, sizeof doc,
           "{\"format\":\"credport-policy/1\",\"id\":\"q\",\"authorities\":{\"me\":\"%s\"},"
           "\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":"
           "\"per_award\",\"currency\":\"c\",\"amount\":1,\"filter\":%s}]}",
           hex, filt);
  cp_policy *p = NULL;
  cp_diag d = {{0}};
  if (cp_policy_compile(doc, strlen(doc), &p, &d) != 0) fail_msg("%s", d.msg);
  cp_reader *r = NULL;
  cp_facts *fa = NULL;
  cp_policy_educator ed;
  cp_policy_result *res = NULL;
  uint8_t edu[32];
  memset(edu, 0x21, 32);
  assert_int_equal(cp_reader_begin(w->f.s, &r), CP_OK);
  assert_int_equal(cp_facts_new(r, cutoff, 0, &fa, &d), CP_OK);
  assert_int_equal(cp_facts_educator(fa, edu, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(cp_policy_evaluate(p, cp_facts_env(fa), &ed, as_of, &res, &d), CP_OK);
  int64_t v = -1;
  assert_int_equal(cp_policy_result_total(res, "c", &v), CP_OK);
  cp_policy_result_free(res);
  cp_facts_free(fa);
  cp_reader_end(r);
  cp_policy_free(p);
  return v;
}

/* The facts carry what the ledger says: the attestation (by the by-educator
 * index), the approval's logged day, and each withdrawal's effective date,
 * once the revoke entry is within the cutoff. */
static void facts_read_withdrawals_and_attestations(void **state) {
  (void)state;
  wd *w = setup();
  static const char area[] = "{\"area_match\":{\"attested_by\":\"me\"}}";
  static const char endorsed[] = "{\"endorsed_by\":{\"authority\":\"me\",\"claim\":\"approved\","
                                 "\"in_force\":\"as_of\"}}";
  static const char stated[] = "{\"preapproval\":{\"authority\":\"me\"}}";
  static const char logged[] = "{\"preapproval\":{\"authority\":\"me\",\"logged_by_earned\":true}}";
  /* The credential defines no area: give it one through a second
   * definition and award. */
  cp_entry e;
  uint8_t cred2[32];
  fx_credential(&e, "mc-2");
  e.u.credential.n_areas = 1;
  e.u.credential.areas[0] = fx_s("mathematics");
  ok(w, T0 + 5, &e, cred2);
  fx_award(&e, cred2, 0x21, "a");
  e.u.award.earned = D0 + 10;
  ok(w, T0 + 5, &e, NULL);
  assert_int_equal(eval_with(w, area, D0 + 20, CP_FACTS_ALL), 1);
  assert_int_equal(eval_with(w, endorsed, D0 + 200, CP_FACTS_ALL), 1);
  /* mc-1's approval states D0 but was logged at T0 (2025-10-09), after
   * the work (2024-10-04): it counts by its stated date, not as logged. */
  assert_int_equal(eval_with(w, stated, D0 + 20, CP_FACTS_ALL), 1);
  assert_int_equal(eval_with(w, logged, D0 + 20, CP_FACTS_ALL), 0);
  fx_revoke2(&e, w->licensure, D0 + 5);
  ok(w, T0 + 100, &e, NULL);
  fx_revoke2(&e, w->endorse, D0 + 100);
  ok(w, T0 + 100, &e, NULL);
  assert_int_equal(eval_with(w, area, D0 + 20, CP_FACTS_ALL), 0);
  assert_int_equal(eval_with(w, endorsed, D0 + 99, CP_FACTS_ALL), 1);
  assert_int_equal(eval_with(w, endorsed, D0 + 100, CP_FACTS_ALL), 0);
  /* Cut off before the revokes were logged, nothing was withdrawn yet. */
  assert_int_equal(eval_with(w, area, D0 + 20, T0 + 99), 1);
  assert_int_equal(eval_with(w, endorsed, D0 + 200, T0 + 99), 1);
  audit_clean(w);
  teardown(w);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(revoke_each_type),
    cmocka_unit_test(revoke_what_grants_nothing_refused),
    cmocka_unit_test(revoke_twice_refused),
    cmocka_unit_test(effective_date_rules),
    cmocka_unit_test(retire_then_award_refused),
    cmocka_unit_test(facts_read_withdrawals_and_attestations),
};

CP_TEST_MAIN(tests)
