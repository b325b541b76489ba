/*
 * Recognition on the ledger (node/facts*.c): gathering an educator's facts
 * from the store (revocation dates, approvals, endorsements, the time
 * cutoff), the educators the node knows, recording a recognition and
 * recomputing it, and the audit catching a recognition entry whose totals
 * or explanation hash do not match what the ledger supports.
 */
#include "test_store_fixture.h"

#include "credport/facts.h"
#include "credport/policy.h"

#define EDU 0x30
#define DAYS(t) ((uint32_t)((t) / 86400u))

/* Appends e to the own log at time now; returns its ID in id (may be NULL). */
static void add_at(fx_store *f, uint64_t now, cp_entry *e, uint8_t id[32]) {
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  assert_int_equal(cp_appender_begin(f->s, f->k, now, &a, &d), CP_OK);
  int rc = cp_appender_add(a, e, id, &d);
  if (rc != 0) fail_msg("add: %s", d.msg);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
}

/* A per-award policy: 1 credit per award whose definition the own
 * authority endorsed with claim qa:test. Published at time now. */
static void publish(fx_store *f, uint64_t now, const char *pid, uint8_t id[32]) {
  char hex[65], doc[1024];
  cp_entry e;
  cp_hex_encode(f->pk, 32, hex);
  snprintf(doc, sizeof doc,
           "{\"format\":\"credport-policy/1\",\"id\":\"%s\",\"currencies\":[{\"id\":\"credit\","
           "\"unit\":\"credit\"},{\"id\":\"all\",\"unit\":\"award\"}],\"rules\":[{\"id\":\"r\","
           "\"kind\":\"per_award\",\"currency\":\"credit\",\"amount\":1,\"filter\":{"
           "\"endorsed_by\":{\"authority\":\"%s\",\"claim\":\"qa:test\"}}},{\"id\":\"any\","
           "\"kind\":\"per_award\",\"currency\":\"all\",\"amount\":1}]}",
           pid, hex);
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = fx_s(pid);
  e.u.policy.document = fx_s(doc);
  add_at(f, now, &e, id);
}

/* Own log: credential at T0+10, award A to EDU at T0+20, award B at T0+30,
 * approval at T0+40, endorsement of the credential at T0+50, revoke of A at
 * T0+86400*3 (three days later). */
typedef struct {
  fx_store f;
  uint8_t cred[32], a[32], b[32];
} world;

static void build(world *w) {
  cp_entry e;
  fx_new(&w->f, 0x71, "credport/test/facts");
  fx_credential(&e, "facts-cred");
  e.u.credential.n_areas = 1;
  e.u.credential.areas[0] = fx_s("mathematics");
  e.u.credential.level = 3;
  add_at(&w->f, T0 + 10, &e, w->cred);
  fx_award(&e, w->cred, EDU, "one");
  add_at(&w->f, T0 + 20, &e, w->a);
  fx_award(&e, w->cred, EDU, "two");
  e.u.award.earned = 20001;
  add_at(&w->f, T0 + 30, &e, w->b);
  fx_approve(&e, EDU, w->cred);
  add_at(&w->f, T0 + 40, &e, NULL);
  fx_endorse(&e, CP_SUBJECT_CREDENTIAL, w->cred);
  add_at(&w->f, T0 + 50, &e, NULL);
  fx_revoke(&e, w->a);
  add_at(&w->f, T0 + 3 * 86400, &e, NULL);
}

static const cp_policy_award *find(const cp_policy_educator *ed, const uint8_t id[32]) {
  for (size_t i = 0; i < ed->n_awards; i++)
    if (memcmp(ed->awards[i].id, id, 32) == 0) return &ed->awards[i];
  return NULL;
}

static void gathers_awards_revocations_and_approvals(void **state) {
  world w;
  cp_reader *r = NULL;
  cp_facts *f = NULL;
  cp_policy_educator ed;
  cp_diag d = {{0}};
  uint8_t edu[32];
  (void)state;
  build(&w);
  memset(edu, EDU, 32);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_facts_new(r, CP_FACTS_ALL, 0, &f, &d), CP_OK);
  assert_int_equal(cp_facts_educator(f, edu, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(ed.n_awards, 2);
  const cp_policy_award *a = find(&ed, w.a), *b = find(&ed, w.b);
  assert_non_null(a);
  assert_non_null(b);
  assert_memory_equal(a->issuer, w.f.pk, 32);
  assert_memory_equal(a->credential, w.cred, 32);
  assert_true(cp_str_eq(a->cred_id, "facts-cred"));
  assert_int_equal(a->level, 3);
  assert_int_equal(a->hours_x100, 1000);
  assert_int_equal(a->n_areas, 1);
  assert_true(cp_str_eq(a->areas[0], "mathematics"));
  assert_int_equal(a->earned, 20000);
  assert_int_equal(b->earned, 20001);
  /* The revocation is dated by its entry's time, in days. */
  assert_int_equal(a->revoked, DAYS(T0 + 3 * 86400));
  assert_int_equal(b->revoked, 0);
  assert_int_equal(ed.n_approvals, 1);
  assert_memory_equal(ed.approvals[0].approver, w.f.pk, 32);
  assert_memory_equal(ed.approvals[0].educator, edu, 32);
  assert_memory_equal(ed.approvals[0].credential, w.cred, 32);
  assert_int_equal(ed.approvals[0].approved, 20000);
  /* Someone the node does not know has no facts, and that is no error. */
  uint8_t nobody[32];
  memset(nobody, 0x3F, 32);
  assert_int_equal(cp_facts_educator(f, nobody, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(ed.n_awards, 0);
  assert_int_equal(ed.n_approvals, 0);
  cp_facts_free(f);
  cp_reader_end(r);
  fx_free(&w.f);
}

static void cutoff_by_entry_time(void **state) {
  world w;
  cp_reader *r = NULL;
  cp_facts *f = NULL;
  cp_policy_educator ed;
  cp_diag d = {{0}};
  uint8_t edu[32];
  (void)state;
  build(&w);
  memset(edu, EDU, 32);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  /* Before the second award and the approval: one award, nothing revoked. */
  assert_int_equal(cp_facts_new(r, T0 + 29, 0, &f, &d), CP_OK);
  assert_int_equal(cp_facts_educator(f, edu, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(ed.n_awards, 1);
  assert_memory_equal(ed.awards[0].id, w.a, 32);
  assert_int_equal(ed.awards[0].revoked, 0);
  assert_int_equal(ed.n_approvals, 0);
  cp_facts_free(f);
  /* Exactly at an entry's time it is included (<=). */
  assert_int_equal(cp_facts_new(r, T0 + 40, 0, &f, &d), CP_OK);
  assert_int_equal(cp_facts_educator(f, edu, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(ed.n_awards, 2);
  assert_int_equal(ed.n_approvals, 1);
  assert_int_equal(find(&ed, w.a)->revoked, 0);
  cp_facts_free(f);
  /* The revocation counts from its own time on. */
  assert_int_equal(cp_facts_new(r, T0 + 3 * 86400, 0, &f, &d), CP_OK);
  assert_int_equal(cp_facts_educator(f, edu, NULL, 0, &ed, &d), CP_OK);
  assert_int_equal(find(&ed, w.a)->revoked, DAYS(T0 + 3 * 86400));
  cp_facts_free(f);
  cp_reader_end(r);
  fx_free(&w.f);
}

/* Endorsements from every log, dated by entry time, cut off by time: seen
 * through the engine (the environment is opaque). */
static void endorsements_from_any_log(void **state) {
  world w;
  cp_reader *r = NULL;
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  cp_diag d = {{0}};
  uint8_t edu[32], pol[32];
  int64_t v = -1;
  (void)state;
  build(&w);
  memset(edu, EDU, 32);
  publish(&w.f, T0 + 4 * 86400, "endorse-test", pol);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  /* As of a day after everything: B counts (A is revoked). */
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, CP_FACTS_ALL, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "credit", &v), CP_OK);
  assert_int_equal(v, 1);
  cp_policy_reason why;
  assert_int_equal(cp_policy_result_fate(res, w.a, "r", &why, NULL), CP_OK);
  assert_int_equal(why, CP_PR_REVOKED);
  cp_policy_result_free(res);
  cp_policy_free(p);
  /* As of the day before the endorsement's entry day: not endorsed. */
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, DAYS(T0 + 50) - 1, CP_FACTS_ALL, &p,
                                           &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_fate(res, w.b, "r", &why, NULL), CP_OK);
  assert_int_equal(why, CP_PR_NOT_ENDORSED);
  cp_policy_result_free(res);
  cp_policy_free(p);
  /* Cut off before the endorsement entry: not endorsed either. */
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, T0 + 49, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "credit", &v), CP_OK);
  assert_int_equal(v, 0);
  /* A is not revoked within that cutoff: it counts, and B (the same
   * definition) is a duplicate under the rule. */
  assert_int_equal(cp_policy_result_fate(res, w.a, "any", &why, NULL), CP_OK);
  assert_int_equal(why, CP_PR_COUNTED);
  assert_int_equal(cp_policy_result_fate(res, w.b, "any", &why, NULL), CP_OK);
  assert_int_equal(why, CP_PR_DUPLICATE);
  cp_policy_result_free(res);
  cp_policy_free(p);
  cp_reader_end(r);

  /* An endorsement in a foreign log counts when the policy names its key. */
  fx_log l;
  fx_buf b[2];
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_entry e;
  fx_log_init(&l, 0x72);
  fx_genesis(&l, "facts.example/foreign", &b[0]);
  fx_endorse(&e, CP_SUBJECT_CREDENTIAL, w.cred);
  e.u.endorse.claim = fx_s("approved");
  fx_sign(&l, &e, &b[1]);
  fx_push(&bt, &b[0]);
  fx_push(&bt, &b[1]);
  assert_int_equal(fx_ingest(&w.f, &bt, &rep, &d), CP_OK);
  char hex[65], doc[768];
  cp_hex_encode(l.log, 32, hex);
  snprintf(doc, sizeof doc,
           "{\"format\":\"credport-policy/1\",\"id\":\"foreign\",\"currencies\":[{\"id\":\"c\","
           "\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
           "\"amount\":5,\"filter\":{\"endorsed_by\":{\"authority\":\"%s\",\"claim\":"
           "\"approved\"}}}]}", hex);
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = fx_s("foreign");
  e.u.policy.document = fx_s(doc);
  add_at(&w.f, T0 + 5 * 86400, &e, pol);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, CP_FACTS_ALL, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "c", &v), CP_OK);
  assert_int_equal(v, 5);
  cp_policy_result_free(res);
  cp_policy_free(p);
  cp_reader_end(r);
  fx_log_free(&l);
  fx_free(&w.f);
}

static int count_educator(void *ctx, const uint8_t educator[32]) {
  (void)educator;
  (*(size_t *)ctx)++;
  return 0;
}

static void each_educator_is_distinct(void **state) {
  world w;
  cp_entry e;
  cp_reader *r = NULL;
  size_t n = 0;
  (void)state;
  build(&w);
  fx_award(&e, w.cred, 0x31, "other");
  add_at(&w.f, T0 + 4 * 86400, &e, NULL);
  fx_approve(&e, 0x32, w.cred); /* known only through an approval */
  add_at(&w.f, T0 + 4 * 86400, &e, NULL);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_each_educator(r, count_educator, &n), CP_OK);
  assert_int_equal(n, 3); /* EDU (two awards, an approval), 0x31, 0x32 */
  cp_reader_end(r);
  fx_free(&w.f);
}

static void audit_lines(void *ctx, const char *line) {
  char *all = ctx;
  size_t used = strlen(all);
  snprintf(all + used, 4096 - used, "%s\n", line);
}

static void record_then_recompute(void **state) {
  world w;
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  uint8_t edu[32], pol[32], rec[32];
  uint64_t t = 0;
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  (void)state;
  build(&w);
  memset(edu, EDU, 32);
  publish(&w.f, T0 + 4 * 86400, "record-test", pol);
  int rc = cp_recognition_record(w.f.s, w.f.k, T0 + 4 * 86400 + 100, pol, edu, 21000, rec, &t,
                                 &p, &res, &d);
  if (rc != 0) fail_msg("record: %s", d.msg);
  assert_int_equal(t, T0 + 4 * 86400 + 100);
  int64_t v = -1;
  assert_int_equal(cp_policy_result_total(res, "credit", &v), CP_OK);
  assert_int_equal(v, 1);
  cp_policy_result_free(res);
  cp_policy_free(p);

  /* The stored entry carries sorted totals and the explanation hash. */
  const uint8_t *buf;
  size_t len;
  cp_entry e;
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, rec, &buf, &len), CP_OK);
  assert_int_equal(cp_entry_decode(buf, len, &e, &d), CP_OK);
  assert_int_equal(e.type, CP_T_RECOGNITION);
  assert_memory_equal(e.u.recognition.policy, pol, 32);
  assert_int_equal(e.u.recognition.as_of, 21000);
  assert_int_equal(e.u.recognition.n_totals, 2);
  assert_true(cp_str_eq(e.u.recognition.totals[0].currency, "all"));
  assert_int_equal(e.u.recognition.totals[0].amount, 1);
  assert_true(cp_str_eq(e.u.recognition.totals[1].currency, "credit"));
  assert_int_equal(e.u.recognition.totals[1].amount, 1);
  assert_int_equal(cp_recognition_check(r, buf, len, &d), CP_OK);
  cp_reader_end(r);

  /* The ledger grows: a new award and the revocation of B, both later.
   * The recorded grant still recomputes equal; a fresh one differs. */
  fx_award(&e, w.cred, EDU, "three");
  add_at(&w.f, T0 + 6 * 86400, &e, NULL);
  fx_revoke(&e, w.b);
  add_at(&w.f, T0 + 6 * 86400, &e, NULL);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, rec, &buf, &len), CP_OK);
  assert_int_equal(cp_recognition_check(r, buf, len, &d), CP_OK);
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, CP_FACTS_ALL, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "all", &v), CP_OK);
  assert_int_equal(v, 1); /* A and B revoked, the new award (same definition) counts */
  cp_policy_result_free(res);
  cp_policy_free(p);
  cp_reader_end(r);

  char lines[4096] = "";
  cp_audit_report rep;
  rc = cp_store_audit(w.f.s, 2, audit_lines, lines, &rep);
  if (rc != 0) fail_msg("audit: %s", lines);
  fx_free(&w.f);
}

static void record_refuses_a_foreign_policy(void **state) {
  world w;
  cp_diag d = {{0}};
  uint8_t edu[32], pol[32];
  (void)state;
  build(&w);
  memset(edu, EDU, 32);
  /* A foreign log publishes a policy; this node holds it. */
  fx_log l;
  fx_buf b[2];
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_entry e;
  const char *doc = "{\"format\":\"credport-policy/1\",\"id\":\"theirs\",\"currencies\":[{\"id\":"
                    "\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\","
                    "\"currency\":\"c\",\"amount\":1}]}";
  fx_log_init(&l, 0x73);
  fx_genesis(&l, "facts.example/theirs", &b[0]);
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = fx_s("theirs");
  e.u.policy.document = fx_s(doc);
  fx_sign(&l, &e, &b[1]);
  memcpy(pol, b[1].id, 32);
  fx_push(&bt, &b[0]);
  fx_push(&bt, &b[1]);
  assert_int_equal(fx_ingest(&w.f, &bt, &rep, &d), CP_OK);
  uint64_t before = fx_size(&w.f, w.f.pk);
  assert_int_equal(cp_recognition_record(w.f.s, w.f.k, T0 + 7 * 86400, pol, edu, 21000, NULL,
                                         NULL, NULL, NULL, &d), CP_ERULE);
  assert_non_null(strstr(d.msg, "R-body-05"));
  assert_int_equal(fx_size(&w.f, w.f.pk), before);
  /* Evaluating it (not recording) is fine. */
  cp_reader *r = NULL;
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  int64_t v = -1;
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, CP_FACTS_ALL, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "c", &v), CP_OK);
  assert_int_equal(v, 1);
  cp_policy_result_free(res);
  cp_policy_free(p);
  cp_reader_end(r);
  fx_log_free(&l);
  fx_free(&w.f);
}

/* A recognition entry built by hand: the right policy and educator, but
 * totals or explanation hash that the ledger does not support. */
static void tampered(const uint8_t *mutate_totals, const char *want) {
  world w;
  cp_diag d = {{0}};
  uint8_t edu[32], pol[32], rec[32];
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  cp_reader *r = NULL;
  build(&w);
  memset(edu, EDU, 32);
  publish(&w.f, T0 + 4 * 86400, "tamper-test", pol);
  assert_int_equal(cp_reader_begin(w.f.s, &r), CP_OK);
  assert_int_equal(cp_recognition_evaluate(r, pol, edu, 21000, T0 + 4 * 86400, &p, &res, &d),
                   CP_OK);
  cp_reader_end(r);
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION; /* a recognition without fact points: version 1 */
  e.type = CP_T_RECOGNITION;
  memcpy(e.u.recognition.policy, pol, 32);
  memcpy(e.u.recognition.educator, edu, 32);
  e.u.recognition.as_of = 21000;
  assert_int_equal(cp_recognition_totals(res, e.u.recognition.totals, &e.u.recognition.n_totals),
                   CP_OK);
  cp_policy_result_hash(res, e.u.recognition.explanation);
  if (mutate_totals != NULL)
    e.u.recognition.totals[1].amount += 99; /* "credit": 1 -> 100 */
  else
    e.u.recognition.explanation[0] ^= 1;
  add_at(&w.f, T0 + 4 * 86400, &e, rec);
  cp_policy_result_free(res);
  cp_policy_free(p);
  char lines[4096] = "";
  cp_audit_report rep;
  assert_int_equal(cp_store_audit(w.f.s, 2, audit_lines, lines, &rep), CP_EAUDIT);
  assert_int_equal(rep.problems, 1);
  char hex[65];
  cp_hex_encode(rec, 32, hex);
  if (strstr(lines, hex) == NULL || strstr(lines, want) == NULL)
    fail_msg("audit lines lack %s / %s:\n%s", hex, want, lines);
  fx_free(&w.f);
}

static void audit_catches_tampered_totals(void **state) {
  static const uint8_t yes = 1;
  (void)state;
  tampered(&yes, "total of \"credit\": recorded 100, recomputed 1");
}

static void audit_catches_tampered_explanation(void **state) {
  (void)state;
  tampered(NULL, "explanation hash differs");
}

/* The district view's stand-in award IDs (CP_FACTS_DISTRICT) give the same
 * figures as real entry IDs: ties on one day with different amounts under
 * a cap, revocations, several educators. */
typedef struct {
  cp_facts *f;
  cp_policy_district *dv;
} dv_acc;

static int dv_one(void *ctx, const uint8_t educator[32]) {
  dv_acc *a = ctx;
  cp_policy_educator ed;
  cp_diag d = {{0}};
  int rc = cp_facts_educator(a->f, educator, NULL, 0, &ed, &d);
  if (rc == 0) rc = cp_policy_district_add(a->dv, &ed, &d);
  return rc;
}

static char *district_json(fx_store *f, const cp_policy *p, unsigned flags) {
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  dv_acc a = {NULL, NULL};
  char *json = NULL;
  size_t len = 0;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_facts_new(r, CP_FACTS_ALL, flags, &a.f, &d), CP_OK);
  assert_int_equal(cp_policy_district_new(&p, 1, cp_facts_env(a.f), 20500, 2025, &a.dv), CP_OK);
  assert_int_equal(cp_reader_each_educator(r, dv_one, &a), CP_OK);
  assert_int_equal(cp_policy_district_json(a.dv, &json, &len), CP_OK);
  cp_policy_district_free(a.dv);
  cp_facts_free(a.f);
  cp_reader_end(r);
  return json;
}

static void district_ids_do_not_change_figures(void **state) {
  fx_store f;
  cp_entry e;
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  uint8_t cred[4][32], aw[32];
  char id[16];
  (void)state;
  fx_new(&f, 0x74, "credport/test/district");
  assert_int_equal(cp_appender_begin(f.s, f.k, T0, &a, &d), CP_OK);
  for (int i = 0; i < 4; i++) {
    snprintf(id, sizeof id, "lvl-%d", i + 1);
    fx_credential(&e, id);
    e.u.credential.level = (uint8_t)(i + 1);
    assert_int_equal(cp_appender_add(a, &e, cred[i], &d), CP_OK);
  }
  for (int k = 0; k < 60; k++) {
    fx_award(&e, cred[k % 4], (uint8_t)(0x40 + k % 3), "a");
    e.u.award.earned = 20000 + (uint32_t)(k / 8) * 30; /* eight awards a day */
    assert_int_equal(cp_appender_add(a, &e, aw, &d), CP_OK);
    if (k % 7 == 3) {
      fx_revoke(&e, aw);
      assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
    }
  }
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  const char *doc =
      "{\"format\":\"credport-policy/1\",\"id\":\"ties\",\"currencies\":[{\"id\":\"usd\","
      "\"unit\":\"dollar\",\"money\":true},{\"id\":\"cpd\",\"unit\":\"credit\"}],"
      "\"rules\":[{\"id\":\"pay\",\"kind\":\"per_award\",\"currency\":\"usd\","
      "\"recurring\":true,\"amount\":{\"per_level\":{\"1\":200,\"2\":300,\"3\":450,"
      "\"4\":600}},\"cap\":{\"amount\":1000,\"per\":{\"kind\":\"school_year\","
      "\"start\":\"07-01\"}}},{\"id\":\"cpd\",\"kind\":\"count\",\"currency\":\"cpd\","
      "\"every\":3,\"amount\":1}]}";
  cp_policy *p = NULL;
  assert_int_equal(cp_policy_compile(doc, strlen(doc), &p, &d), CP_OK);
  char *exact = district_json(&f, p, 0), *fast = district_json(&f, p, CP_FACTS_DISTRICT);
  assert_string_equal(fast, exact);
  assert_non_null(strstr(exact, "\"educators\":3"));
  free(exact);
  free(fast);
  cp_policy_free(p);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(gathers_awards_revocations_and_approvals),
    cmocka_unit_test(cutoff_by_entry_time),
    cmocka_unit_test(endorsements_from_any_log),
    cmocka_unit_test(each_educator_is_distinct),
    cmocka_unit_test(record_then_recompute),
    cmocka_unit_test(record_refuses_a_foreign_policy),
    cmocka_unit_test(audit_catches_tampered_totals),
    cmocka_unit_test(audit_catches_tampered_explanation),
    cmocka_unit_test(district_ids_do_not_change_figures),
};

CP_TEST_MAIN(tests)
