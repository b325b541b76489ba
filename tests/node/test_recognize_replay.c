/*
 * Recorded recognitions audited on another node (node/facts_record.c): a
 * version-2 recognition lists the logs its facts came from with the size
 * and root it read each at. An auditor that holds less of one of them says
 * it cannot recompute yet (naming the log, the size needed and the size
 * held) instead of reporting a false difference; once it has caught up it
 * recomputes exactly at those sizes, also after later entries landed; a
 * recorded root the held log contradicts is a difference.
 */
#include "test_store_fixture.h"

#include "credport/facts.h"
#include "credport/policy.h"

#define EDU 0x30

/* 3 dollars (300 cents) for every award, from any issuer. */
static const char POLICY[] =
    "{\"format\":\"credport-policy/1\",\"id\":\"pay\",\"currencies\":[{\"id\":\"usd\","
    "\"unit\":\"dollar\",\"decimals\":2,\"money\":true}],\"rules\":[{\"id\":\"r\","
    "\"kind\":\"per_award\",\"currency\":\"usd\",\"amount\":3}]}";

typedef struct {
  fx_store a;          /* the district: holds the provider's log, records */
  fx_store b;          /* the auditor */
  fx_log p;            /* the provider, in memory */
  fx_buf pe[5];        /* its entries: genesis, credential, award, revoke, award */
  uint8_t pol[32], rec[32];
} two;

static void ingest_one(fx_store *f, const fx_buf *x) {
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d = {{0}};
  fx_push(&bt, x);
  int rc = fx_ingest(f, &bt, &rep, &d);
  if (rc != 0) fail_msg("ingest: %s", d.msg);
}

typedef struct {
  fx_store *to;
} copy_ctx;

static int copy_entry(void *ctx, const uint8_t *buf, size_t len) {
  copy_ctx *c = ctx;
  fx_buf x;
  memcpy(x.b, buf, len);
  x.len = len;
  ingest_one(c->to, &x);
  return 0;
}

/* Copies every entry of from's own log that to lacks into to. */
static void copy_own_log(fx_store *from, fx_store *to) {
  cp_reader *r = NULL;
  copy_ctx c = {to};
  assert_int_equal(cp_reader_begin(from->s, &r), CP_OK);
  assert_int_equal(cp_reader_each_entry(r, from->pk, fx_size(to, from->pk), copy_entry, &c), CP_OK);
  cp_reader_end(r);
}

static void build(two *w) {
  cp_entry e;
  cp_diag d = {{0}};
  uint8_t edu[32];
  memset(edu, EDU, 32);
  fx_new(&w->a, 0x81, "credport/test/district");
  fx_new(&w->b, 0x83, "credport/test/auditor");
  fx_log_init(&w->p, 0x82);
  fx_genesis(&w->p, "credport/test/provider", &w->pe[0]);
  fx_credential(&e, "p-mc");
  fx_sign(&w->p, &e, &w->pe[1]);
  fx_award(&e, w->pe[1].id, EDU, "first");
  fx_sign(&w->p, &e, &w->pe[2]);
  fx_revoke(&e, w->pe[2].id);
  fx_sign(&w->p, &e, &w->pe[3]);
  fx_award(&e, w->pe[1].id, EDU, "second");
  e.u.award.earned = 20010;
  fx_sign(&w->p, &e, &w->pe[4]);
  /* The district holds the provider's log up to its first award. */
  for (int i = 0; i < 3; i++) ingest_one(&w->a, &w->pe[i]);
  cp_appender *ap = NULL;
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = fx_s("pay");
  e.u.policy.document = fx_s(POLICY);
  assert_int_equal(cp_appender_begin(w->a.s, w->a.k, T0 + 1000, &ap, &d), CP_OK);
  assert_int_equal(cp_appender_add(ap, &e, w->pol, &d), CP_OK);
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  int rc = cp_recognition_record(w->a.s, w->a.k, T0 + 2000, w->pol, edu, 21000, w->rec, NULL, &p,
                                 &res, &d);
  if (rc != 0) fail_msg("record: %s", d.msg);
  int64_t v = -1;
  assert_int_equal(cp_policy_result_total(res, "usd", &v), CP_OK);
  assert_int_equal(v, 300);
  cp_policy_result_free(res);
  cp_policy_free(p);
}

static void free_two(two *w) {
  fx_log_free(&w->p);
  fx_free(&w->a);
  fx_free(&w->b);
}

static void lines(void *ctx, const char *line) {
  char *all = ctx;
  size_t used = strlen(all);
  snprintf(all + used, 4096 - used, "%s\n", line);
}

/* Audits f; returns the report, the problem lines in out (4096 bytes). */
static int audit(fx_store *f, cp_audit_report *rep, char *out) {
  out[0] = 0;
  return cp_store_audit(f->s, 1, lines, out, rep);
}

static void verdict(fx_store *f, const uint8_t rec[32], cp_recognition_verdict *v) {
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, rec, &buf, &len), CP_OK);
  assert_int_equal(cp_recognition_verify(r, buf, len, v, NULL, NULL), CP_OK);
  cp_reader_end(r);
}

/* The recorded entry lists the provider's log at 3 and the district's own
 * at the recognition's seq, each with the root held then. */
static void records_the_sizes_it_read(void **state) {
  two w;
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  cp_entry e;
  cp_diag d = {{0}};
  (void)state;
  build(&w);
  assert_int_equal(cp_reader_begin(w.a.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, w.rec, &buf, &len), CP_OK);
  assert_int_equal(cp_entry_decode(buf, len, &e, &d), CP_OK);
  assert_int_equal(e.version, CP_ENTRY_VERSION_2);
  assert_int_equal(e.u.recognition.n_facts, 2);
  uint8_t log[32], root[32], want[32];
  uint64_t size;
  int own_first = memcmp(w.a.pk, w.p.log, 32) < 0;
  cp_entry_fact_point(e.u.recognition.facts, own_first ? 1 : 0, log, &size, root);
  assert_memory_equal(log, w.p.log, 32);
  assert_int_equal(size, 3);
  /* RFC 9162 root over the provider's first three entries, computed here. */
  uint8_t l0[32], l1[32], l2[32], n01[32];
  ref_leaf(w.pe[0].b, w.pe[0].len, l0);
  ref_leaf(w.pe[1].b, w.pe[1].len, l1);
  ref_leaf(w.pe[2].b, w.pe[2].len, l2);
  ref_node(l0, l1, n01);
  ref_node(n01, l2, want);
  assert_memory_equal(root, want, 32);
  cp_entry_fact_point(e.u.recognition.facts, own_first ? 0 : 1, log, &size, root);
  assert_memory_equal(log, w.a.pk, 32);
  assert_int_equal(size, e.seq); /* everything before the recognition itself */
  assert_int_equal(cp_reader_root(r, w.a.pk, size, want), CP_OK);
  assert_memory_equal(root, want, 32);
  cp_reader_end(r);
  free_two(&w);
}

/* Before the fix the auditor reported "total of "usd": recorded 300,
 * recomputed 0" for a node that was merely behind. */
static void auditor_behind_then_caught_up(void **state) {
  two w;
  cp_audit_report rep;
  cp_recognition_verdict v;
  char out[4096], hex[65], want[256];
  (void)state;
  build(&w);
  cp_hex_encode(w.p.log, 32, hex);
  /* The auditor holds the district's log, but none of the provider's. */
  copy_own_log(&w.a, &w.b);
  int rc = audit(&w.b, &rep, out);
  if (rc != CP_OK) fail_msg("audit of a node that is behind: %s", out);
  assert_int_equal(rep.recognitions, 1);
  assert_int_equal(rep.recog_pending, 1);
  assert_int_equal(rep.recog_match, 0);
  verdict(&w.b, w.rec, &v);
  assert_int_equal(v.status, CP_RECOG_PENDING);
  snprintf(want, sizeof want, "needs log %s up to size 3 (has 0)", hex);
  assert_string_equal(v.detail, want);
  assert_memory_equal(v.need_log, w.p.log, 32);
  assert_int_equal(v.need_size, 3);
  assert_int_equal(v.have_size, 0);

  /* Two of the three entries: still short, and it says how short. */
  ingest_one(&w.b, &w.pe[0]);
  ingest_one(&w.b, &w.pe[1]);
  verdict(&w.b, w.rec, &v);
  assert_int_equal(v.status, CP_RECOG_PENDING);
  snprintf(want, sizeof want, "needs log %s up to size 3 (has 2)", hex);
  assert_string_equal(v.detail, want);
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  cp_diag d = {{0}};
  assert_int_equal(cp_reader_begin(w.b.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, w.rec, &buf, &len), CP_OK);
  assert_int_equal(cp_recognition_check(r, buf, len, &d), CP_EAGAIN);
  assert_non_null(strstr(d.msg, "cannot recompute yet: needs log"));
  cp_reader_end(r);

  /* Caught up: recomputed equal. */
  ingest_one(&w.b, &w.pe[2]);
  rc = audit(&w.b, &rep, out);
  if (rc != CP_OK) fail_msg("audit after catching up: %s", out);
  assert_int_equal(rep.recog_match, 1);
  assert_int_equal(rep.recog_pending, 0);

  /* Later entries land: the first award is revoked, a second is earned.
   * Today's evaluation differs from the recorded one, but the recorded one
   * is recomputed at size 3 and still matches, on both nodes. */
  ingest_one(&w.b, &w.pe[3]);
  ingest_one(&w.b, &w.pe[4]);
  ingest_one(&w.a, &w.pe[3]);
  uint8_t edu[32];
  cp_policy *p = NULL;
  cp_policy_result *res = NULL;
  int64_t now_total = -1;
  memset(edu, EDU, 32);
  assert_int_equal(cp_reader_begin(w.b.s, &r), CP_OK);
  assert_int_equal(cp_recognition_evaluate(r, w.pol, edu, 21000, CP_FACTS_ALL, &p, &res, &d), CP_OK);
  assert_int_equal(cp_policy_result_total(res, "usd", &now_total), CP_OK);
  assert_int_equal(now_total, 300); /* the second award only; the first is revoked */
  cp_policy_reason why;
  assert_int_equal(cp_policy_result_fate(res, w.pe[2].id, "r", &why, NULL), CP_OK);
  assert_int_equal(why, CP_PR_REVOKED);
  cp_policy_result_free(res);
  cp_policy_free(p);
  cp_reader_end(r);
  rc = audit(&w.b, &rep, out);
  if (rc != CP_OK) fail_msg("audit after later entries: %s", out);
  assert_int_equal(rep.recog_match, 1);
  rc = audit(&w.a, &rep, out);
  if (rc != CP_OK) fail_msg("audit of the recording node: %s", out);
  assert_int_equal(rep.recog_match, 1);
  free_two(&w);
}

/* A version-2 entry whose recorded root for the provider's log is not the
 * held log's root at that size: a difference, named. */
static void a_wrong_root_differs(void **state) {
  two w;
  cp_reader *r = NULL;
  const uint8_t *buf;
  size_t len;
  cp_entry e;
  cp_diag d = {{0}};
  uint8_t facts[2 * CP_FACT_POINT_BYTES], rec2[32];
  cp_appender *ap = NULL;
  char out[4096];
  cp_audit_report rep;
  (void)state;
  build(&w);
  assert_int_equal(cp_reader_begin(w.a.s, &r), CP_OK);
  assert_int_equal(cp_reader_entry_by_id(r, w.rec, &buf, &len), CP_OK);
  assert_int_equal(cp_entry_decode(buf, len, &e, &d), CP_OK);
  memcpy(facts, e.u.recognition.facts, sizeof facts);
  int prov = memcmp(w.a.pk, w.p.log, 32) < 0 ? 1 : 0;
  facts[prov * CP_FACT_POINT_BYTES + 40] ^= 1; /* first byte of the provider's root */
  e.u.recognition.facts = facts;
  e.version = CP_ENTRY_VERSION_2;
  assert_int_equal(cp_appender_begin(w.a.s, w.a.k, T0 + 3000, &ap, &d), CP_OK);
  assert_int_equal(cp_appender_add(ap, &e, rec2, &d), CP_OK);
  assert_int_equal(cp_appender_commit(ap, &d), CP_OK);
  cp_reader_end(r); /* e's strings borrowed from it until the add */
  assert_int_equal(audit(&w.a, &rep, out), CP_EAUDIT);
  assert_int_equal(rep.recog_differ, 1);
  assert_int_equal(rep.recog_match, 1);
  if (strstr(out, "at size 3: the root held differs from the one recorded") == NULL)
    fail_msg("audit lines:\n%s", out);
  free_two(&w);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(records_the_sizes_it_read),
    cmocka_unit_test(auditor_behind_then_caught_up),
    cmocka_unit_test(a_wrong_root_differs),
};

CP_TEST_MAIN(tests)
