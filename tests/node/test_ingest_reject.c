/*
 * Ingest rejections: every rule, each in its own case, each asserting the
 * error code, that the message names the problem and the entry, and that
 * nothing of the batch was stored.
 */
#include "test_store_fixture.h"

static void rj_expect(rj *x, int want, const char *msg) {
  cp_ingest_report rep;
  cp_diag d;
  uint8_t after[32];
  char idx[48];
  int rc = fx_ingest(&x->f, &x->bt, &rep, &d);
  if (rc != want) fail_msg("ingest returned %d (%s), want %d", rc, d.msg, want);
  if (strstr(d.msg, msg) == NULL) fail_msg("message \"%s\" does not say \"%s\"", d.msg, msg);
  snprintf(idx, sizeof idx, "entry %zu ", x->bt.n - 1);
  if (strstr(d.msg, idx) == NULL) fail_msg("message \"%s\" does not name %s", d.msg, idx);
  assert_int_equal(rep.failed_at, x->bt.n - 1);
  assert_int_equal(rep.added, 0);
  assert_int_equal(rep.forked, 0);
  digest(&x->f, after);
  assert_memory_equal(x->before, after, 32);
  assert_int_equal(fx_size(&x->f, x->m.log), 0);
  assert_int_equal(fx_size(&x->f, x->l.log), 3);
  assert_false(has_entry(&x->f, x->mg.id));
  assert_false(has_entry(&x->f, x->good.id));
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 1, NULL, NULL, &ar), CP_OK);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

static void reject_sig_flipped(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.b[74 + 7] ^= 0x01; /* lowest byte of the time: still decodes, still in order */
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_EBADSIG, "signature");
}

static void reject_sig_flipped_in_signature(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.b[x->bad.len - 10] ^= 0x40;
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_EBADSIG, "signature");
}

static void reject_sig_other_key(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_key *k = fx_key(0x6F);
  fx_credential(&e, "c2");
  fx_sign_with(&x->l, &e, k, &x->bad, 1);
  cp_key_free(k);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_EBADSIG, "signature");
}

static void reject_seq_gap(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  x->l.seq++;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ECHAIN, "seq 5 where 4 was expected");
}

static void reject_wrong_prev(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  memcpy(x->l.prev, x->cred, 32);
  /* Not signed by the log: a broken link, not a second branch (a validly
   * signed one is a fork proof: test_fork.c). */
  cp_key *k = fx_key(0x6F);
  fx_sign_with(&x->l, &e, k, &x->bad, 1);
  cp_key_free(k);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ECHAIN, "prev does not match the ID of entry 3");
}

static void reject_time_backwards(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  x->l.time -= 2; /* one second before the good entry */
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ETIME, "before the previous");
}

/* ---- clock corrections (R-entry-06, R-body-08) ---------------------------- */

#define FUT (T0 + 100000 + CP_TIME_SKEW_MAX + 5000) /* ahead of fx_ingest's clock */

static void clock_entry(cp_entry *e, const uint8_t first[32]) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_CLOCK;
  memcpy(e->u.clock.first, first, 32);
  e->u.clock.reason = fx_s("the clock was a year ahead");
}

/* An entry dated ahead of the receiver is accepted with a later clock entry
 * of its log in the same batch, which takes the log's time back. */
static void accept_future_with_clock_correction(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d;
  fx_buf corr, after;
  fx_credential(&e, "c2");
  x->l.time = FUT;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  clock_entry(&e, x->bad.id);
  x->l.time = T0 + 10;
  fx_sign(&x->l, &e, &corr);
  fx_push(&x->bt, &corr);
  fx_credential(&e, "c3");
  fx_sign(&x->l, &e, &after);
  fx_push(&x->bt, &after);
  if (fx_ingest(&x->f, &x->bt, &rep, &d) != CP_OK) fail_msg("ingest: %s", d.msg);
  assert_int_equal(rep.added, 5);
  assert_int_equal(fx_size(&x->f, x->l.log), 7);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(x->f.s, 1, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.problems, 0);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

/* The correction may not go back before the last entry it does not correct. */
static void reject_clock_before_uncorrected(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_buf corr;
  fx_credential(&e, "c2");
  x->l.time = FUT;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  clock_entry(&e, x->bad.id);
  x->l.time = T0 + 1; /* seq 3, which it does not correct, is dated T0 + 3 */
  fx_sign(&x->l, &e, &corr);
  fx_push(&x->bt, &corr);
  rj_expect(x, CP_ERULE, "goes back before seq 3");
}

/* clock.first must be dated after the correction. */
static void reject_clock_first_not_ahead(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_buf corr;
  fx_credential(&e, "c2");
  x->l.time = FUT;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  clock_entry(&e, x->good.id); /* seq 3, dated T0 + 3: it was not ahead */
  x->l.time = T0 + 10;
  fx_sign(&x->l, &e, &corr);
  fx_push(&x->bt, &corr);
  rj_expect(x, CP_ERULE, "is not dated after the correction");
}

/* A correction that does not go back corrects nothing. */
static void reject_clock_not_going_back(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  clock_entry(&e, x->good.id);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ETIME, "nothing to correct");
}

static void reject_time_future(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  x->l.time = T0 + 100000 + CP_TIME_SKEW_MAX + 1; /* fx_ingest's now is T0 + 100000 */
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ETIME, "future");
}

/* The skew limit itself is allowed. */
static void accept_time_at_skew_limit(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d;
  fx_credential(&e, "c2");
  x->l.time = T0 + 100000 + CP_TIME_SKEW_MAX;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_OK);
  assert_int_equal(rep.added, 3);
  assert_int_equal(fx_size(&x->f, x->l.log), 5);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

static void reject_unknown_log(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_log n;
  fx_buf *g = calloc(1, sizeof *g);
  fx_log_init(&n, 0x64);
  fx_genesis(&n, "n.example/log", g); /* never sent */
  fx_credential(&e, "c2");
  fx_sign(&n, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ECHAIN, "does not hold");
  fx_log_free(&n);
  free(g);
}

static void reject_award_unknown_credential(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  uint8_t nothing[32];
  memset(nothing, 0xC4, 32);
  fx_award(&e, nothing, 0x22, "x");
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "award.credential");
}

static void reject_award_other_logs_credential(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_award(&e, x->own_cred, 0x22, "x");
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "award.credential");
}

static void reject_award_names_non_credential(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_award(&e, x->base[0].id, 0x22, "x"); /* the genesis entry */
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "award.credential");
}

static void reject_duplicate_credential_id(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c1");
  e.u.credential.title = fx_s("Another title");
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "already defined");
}

static void reject_duplicate_credential_id_in_batch(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c-good"); /* defined by the good entry of this batch */
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "already defined");
}

static void reject_revoke_non_award(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_revoke(&e, x->cred);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "revoke.award");
}

static void reject_revoke_twice_in_batch(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_revoke(&e, x->award);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  fx_revoke(&e, x->award);
  fx_sign(&x->l, &e, &x->bad2);
  fx_push(&x->bt, &x->bad2);
  rj_expect(x, CP_ERULE, "already revoked");
}

static void reject_revoke_twice(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d;
  fx_revoke(&e, x->award);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_OK);
  /* Now held: m's genesis, the good entry, the revocation. */
  x->bt.n = 0;
  fx_log_free(&x->m); /* m is held now: a fresh log plays the new one */
  fx_log_init(&x->m, 0x65);
  fx_genesis(&x->m, "m2.example/log", &x->mg);
  fx_push(&x->bt, &x->mg);
  fx_credential(&e, "c-good-2");
  fx_sign(&x->l, &e, &x->good);
  fx_push(&x->bt, &x->good);
  fx_revoke(&e, x->award);
  fx_sign(&x->l, &e, &x->bad2);
  fx_push(&x->bt, &x->bad2);
  digest(&x->f, x->before);
  int rc = fx_ingest(&x->f, &x->bt, &rep, &d);
  assert_int_equal(rc, CP_ERULE);
  assert_non_null(strstr(d.msg, "already revoked"));
  assert_int_equal(rep.added, 0);
  uint8_t after[32];
  digest(&x->f, after);
  assert_memory_equal(x->before, after, 32);
  assert_int_equal(fx_size(&x->f, x->l.log), 5);
  assert_int_equal(fx_size(&x->f, x->m.log), 0);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

static void reject_revoke_other_logs_award(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_revoke(&e, x->own_award);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "revoke.award");
}

static void reject_recognition_non_policy(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION; /* a recognition without fact points: version 1 */
  e.type = CP_T_RECOGNITION;
  memcpy(e.u.recognition.policy, x->cred, 32);
  memset(e.u.recognition.educator, 0x21, 32);
  e.u.recognition.as_of = 20000;
  e.u.recognition.n_totals = 1;
  e.u.recognition.totals[0].currency = fx_s("ceu");
  e.u.recognition.totals[0].amount = 100;
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "recognition.policy");
}

static void reject_endorse_self(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_endorse(&e, CP_SUBJECT_AUTHORITY, x->l.log);
  fx_sign(&x->l, &e, &x->bad);
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ERULE, "itself");
}

static void reject_undecodable(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.b[0] = 0x7F; /* an unknown version */
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_EVERSION, "version");
}

static void reject_trailing_byte(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.b[x->bad.len++] = 0; /* one byte more than the encoding */
  fx_push(&x->bt, &x->bad);
  rj_expect(x, CP_ECORRUPT, "entry");
}

static void reject_truncated(void **state) {
  (void)state;
  rj *x = rj_setup();
  cp_entry e;
  fx_credential(&e, "c2");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.len = 40; /* not even a header */
  fx_push(&x->bt, &x->bad);
  cp_ingest_report rep;
  cp_diag d;
  int rc = fx_ingest(&x->f, &x->bt, &rep, &d);
  assert_true(rc == CP_ECORRUPT || rc == CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "entry 2 "));
  x->bt.n = 0;
  fx_credential(&e, "c3");
  fx_sign(&x->l, &e, &x->bad);
  x->bad.len = 0;
  fx_push(&x->bt, &x->bad);
  assert_int_not_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_OK);
  /* Still nothing of either batch. */
  assert_int_equal(fx_size(&x->f, x->l.log), 3);
  assert_int_equal(fx_size(&x->f, x->m.log), 0);
  fx_log_free(&x->l);
  fx_log_free(&x->m);
  fx_free(&x->f);
  free(x);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(reject_sig_flipped),
    cmocka_unit_test(reject_sig_flipped_in_signature),
    cmocka_unit_test(reject_sig_other_key),
    cmocka_unit_test(reject_seq_gap),
    cmocka_unit_test(reject_wrong_prev),
    cmocka_unit_test(reject_time_backwards),
    cmocka_unit_test(reject_time_future),
    cmocka_unit_test(accept_future_with_clock_correction),
    cmocka_unit_test(reject_clock_before_uncorrected),
    cmocka_unit_test(reject_clock_first_not_ahead),
    cmocka_unit_test(reject_clock_not_going_back),
    cmocka_unit_test(accept_time_at_skew_limit),
    cmocka_unit_test(reject_unknown_log),
    cmocka_unit_test(reject_award_unknown_credential),
    cmocka_unit_test(reject_award_other_logs_credential),
    cmocka_unit_test(reject_award_names_non_credential),
    cmocka_unit_test(reject_duplicate_credential_id),
    cmocka_unit_test(reject_duplicate_credential_id_in_batch),
    cmocka_unit_test(reject_revoke_non_award),
    cmocka_unit_test(reject_revoke_twice_in_batch),
    cmocka_unit_test(reject_revoke_twice),
    cmocka_unit_test(reject_revoke_other_logs_award),
    cmocka_unit_test(reject_recognition_non_policy),
    cmocka_unit_test(reject_endorse_self),
    cmocka_unit_test(reject_undecodable),
    cmocka_unit_test(reject_trailing_byte),
    cmocka_unit_test(reject_truncated),
};

CP_TEST_MAIN(tests)
