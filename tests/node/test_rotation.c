/*
 * Key rotation as the store applies it (docs/FORMATS.md, R-entry-04,
 * R-body-07, "When the log signs a checkpoint"): what a rotated-away key
 * may still sign (nothing), which checkpoints a partner takes after a
 * rotation, and the own log's appender and checkpoint signer after one.
 */
#include "test_store_fixture.h"

static void key_entry(cp_entry *e, unsigned action, const cp_key *k) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_KEY;
  e->u.key.action = (uint8_t)action;
  if (k != NULL) cp_key_public(k, e->u.key.new_key);
}

/* A foreign log: genesis, credential (both k1), rotation to k2 (signed by
 * k1), credential (k2). b holds 4 entries; l.k is k2 afterwards. */
static void rotated_log(fx_store *f, fx_log *l, fx_buf *b, cp_key *k2) {
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  fx_genesis(l, "rot.example/log", &b[0]);
  fx_credential(&e, "before");
  fx_sign(l, &e, &b[1]);
  key_entry(&e, CP_KEY_ROTATE, k2);
  fx_sign(l, &e, &b[2]);
  cp_key *k1 = l->k;
  l->k = k2;
  fx_credential(&e, "after");
  fx_sign(l, &e, &b[3]);
  l->k = k1;
  for (int i = 0; i < 4; i++) fx_push(&bt, &b[i]);
  int rc = fx_ingest(f, &bt, &rep, &d);
  if (rc != 0) fail_msg("rotated log refused: %d %s", rc, d.msg);
}

/* SPEC: R-entry-04 an entry signed by the rotated-away key after the
 * rotation is refused, whatever it is, and changes nothing. */
static void rotated_away_key_refused(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(6, sizeof *b);
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d;
  cp_entry e;
  cp_key *k2 = fx_key(0x52);
  uint8_t before[32], after[32];
  fx_new(&f, 0x50, "credport/test/own");
  fx_log_init(&l, 0x51);
  rotated_log(&f, &l, b, k2);
  assert_int_equal(fx_size(&f, l.log), 4);
  digest(&f, before);
  fx_credential(&e, "old-key-after");
  fx_sign_with(&l, &e, NULL, &b[4], 0); /* l.k is still k1, the rotated-away key */
  fx_push(&bt, &b[4]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_EBADSIG);
  /* A rotation back to k1, signed by k1, is refused the same way. */
  key_entry(&e, CP_KEY_ROTATE, l.k);
  fx_sign_with(&l, &e, NULL, &b[4], 0);
  bt.n = 0;
  fx_push(&bt, &b[4]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_EBADSIG);
  digest(&f, after);
  assert_memory_equal(before, after, 32);
  /* The key in force signs on; after its retirement nothing is taken, by
   * either key. */
  cp_key *k1 = l.k;
  l.k = k2;
  key_entry(&e, CP_KEY_RETIRE, NULL);
  fx_sign(&l, &e, &b[4]);
  bt.n = 0;
  fx_push(&bt, &b[4]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);
  fx_credential(&e, "after-retire");
  fx_sign_with(&l, &e, NULL, &b[5], 0);
  bt.n = 0;
  fx_push(&bt, &b[5]);
  assert_int_equal(fx_ingest(&f, &bt, &rep, &d), CP_ERETIRED);
  fx_sign_with(&l, &e, k1, &b[5], 0);
  bt.n = 0;
  fx_push(&bt, &b[5]);
  assert_int_not_equal(fx_ingest(&f, &bt, &rep, &d), CP_OK);
  assert_int_equal(fx_size(&f, l.log), 5);
  l.k = k1;
  cp_key_free(k2);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

/* A partner takes a log's checkpoint only under the log's current key and
 * at a size that key is in force at: one signed by the rotated-away key is
 * refused, also at a size that key once signed at (that key may be why the
 * log rotated), and so is one by the new key at a size before its
 * rotation. */
static void checkpoints_after_rotation(void **state) {
  (void)state;
  fx_store f;
  fx_log l;
  fx_buf *b = calloc(4, sizeof *b);
  cp_diag d;
  cp_key *k2 = fx_key(0x62);
  uint8_t lh[4][32], root[32];
  char note[CP_NOTE_MAX];
  size_t len;
  fx_new(&f, 0x60, "credport/test/own");
  fx_log_init(&l, 0x61);
  rotated_log(&f, &l, b, k2);
  for (int i = 0; i < 4; i++) memcpy(lh[i], b[i].id, 32);
  /* Size 2 is before the rotation (seq 2): k1 was the key in force. */
  ref_mth((const uint8_t(*)[32])lh, 2, root);
  assert_int_equal(cp_checkpoint_sign(l.k, "rot.example/log", 2, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EBADSIG);
  ref_mth((const uint8_t(*)[32])lh, 4, root);
  assert_int_equal(cp_checkpoint_sign(l.k, "rot.example/log", 4, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EBADSIG);
  /* The new key signs from size 3 on (the rotation is entry 2): at size 2
   * it is refused (audit would flag it), at size 4 taken. */
  ref_mth((const uint8_t(*)[32])lh, 2, root);
  assert_int_equal(cp_checkpoint_sign(k2, "rot.example/log", 2, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_EBADSIG);
  assert_non_null(strstr(d.msg, "signs from size 3 on"));
  ref_mth((const uint8_t(*)[32])lh, 4, root);
  assert_int_equal(cp_checkpoint_sign(k2, "rot.example/log", 4, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_store_add_checkpoint(f.s, note, len, &d), CP_OK);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.problems, 0);
  cp_key_free(k2);
  fx_log_free(&l);
  free(b);
  fx_free(&f);
}

static uint64_t latest_checkpoint_size(fx_store *f) {
  cp_reader *r = NULL;
  const char *note;
  size_t len;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_checkpoint(r, f->pk, &note, &len), CP_OK);
  const char *nl = memchr(note, '\n', len);
  assert_non_null(nl);
  uint64_t size = strtoull(nl + 1, NULL, 10);
  cp_reader_end(r);
  return size;
}

/* The own log: a commit that ends with a rotation signs no checkpoint (the
 * old key does not sign at the new size); from then on only the new key
 * appends and signs checkpoints, and the old key is refused, saying why. */
static void own_log_after_rotation(void **state) {
  (void)state;
  fx_store f;
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  cp_entry e;
  cp_key *k2 = fx_key(0x72);
  fx_new(&f, 0x70, "credport/test/own");
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 10, &a, &d), CP_OK);
  fx_credential(&e, "c1");
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  key_entry(&e, CP_KEY_ROTATE, k2);
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  assert_int_equal(latest_checkpoint_size(&f), 1);

  memset(&d, 0, sizeof d);
  assert_int_equal(cp_appender_begin(f.s, f.k, T0 + 11, &a, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not this log's signing key"));
  memset(&d, 0, sizeof d);
  assert_int_equal(cp_store_checkpoint(f.s, f.k, &d), CP_EDENIED);

  assert_int_equal(cp_store_checkpoint(f.s, k2, &d), CP_OK);
  assert_int_equal(latest_checkpoint_size(&f), 3);
  assert_int_equal(cp_appender_begin(f.s, k2, T0 + 12, &a, &d), CP_OK);
  fx_credential(&e, "c2");
  assert_int_equal(cp_appender_add(a, &e, NULL, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  assert_int_equal(latest_checkpoint_size(&f), 4);
  cp_audit_report ar;
  assert_int_equal(cp_store_audit(f.s, 1, NULL, NULL, &ar), CP_OK);
  assert_int_equal(ar.problems, 0);
  assert_int_equal(ar.checkpoints, 3);
  cp_key_free(k2);
  fx_free(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rotated_away_key_refused),
    cmocka_unit_test(checkpoints_after_rotation),
    cmocka_unit_test(own_log_after_rotation),
};

CP_TEST_MAIN(tests)
