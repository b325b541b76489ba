/*
 * Open Badges credentials as vc+jwt (proto/ob3_jwt.c) and vp+jwt
 * presentations (proto/vpjwt.c).
 *
 * The export writes its payload directly; it is checked member by member
 * against the reference path (cp_vcjwt_payload of cp_ob3_build's value)
 * for every award shape. Every single-character change of a signed
 * credential is refused; a credential re-signed by another did:key is
 * refused as not the issuer's; a presentation is refused for another
 * challenge or audience and when its signer is not the subject.
 */
#include "cptest.h"

#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/ob3_jwt.h"
#include "credport/statuslist.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

#define S(lit) ((cp_str){lit, sizeof lit - 1})

typedef struct shape {
  cp_entry genesis, cred, award, endorse;
  cp_ob3_endorsement end;
  cp_ob3_input in;
  cp_key *k, *edu;
} shape;

/* An award of level `level`, with evidence and one endorsement or not, to
 * the educator key of seed 0x42. */
static void make(shape *s, unsigned level, int evidence, int endorsed) {
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  memset(s, 0, sizeof *s);
  memset(seed, 7, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &s->k), CP_OK);
  memset(seed, 0x42, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &s->edu), CP_OK);
  cp_key_public(s->k, pk);
  s->genesis.type = CP_T_AUTHORITY;
  memcpy(s->genesis.log, pk, CP_PK_BYTES);
  s->genesis.u.authority.name = S("NC Department of Public Instruction");
  s->genesis.u.authority.jurisdiction = S("US-NC");
  s->cred.type = CP_T_CREDENTIAL;
  s->cred.seq = 1;
  memcpy(s->cred.log, pk, CP_PK_BYTES);
  s->cred.u.credential.id = S("mc-1");
  s->cred.u.credential.title = S("Checking for \"Understanding\" \xc3\xa9");
  s->cred.u.credential.competency = S("Uses exit tickets\nto adjust instruction");
  s->cred.u.credential.evidence = S("Three annotated lesson videos");
  s->cred.u.credential.level = (uint8_t)level;
  s->cred.u.credential.hours_x100 = 725;
  memset(s->in.credential_id, 0xc1, CP_HASH_BYTES);
  s->award.type = CP_T_AWARD;
  s->award.seq = 2;
  s->award.time = 1773500000;
  memcpy(s->award.log, pk, CP_PK_BYTES);
  memcpy(s->award.u.award.credential, s->in.credential_id, CP_HASH_BYTES);
  cp_key_public(s->edu, s->award.u.award.educator);
  s->award.u.award.earned = 20526; /* 2026-03-14 */
  s->award.u.award.assessor = S("R. Alvarez");
  if (evidence) {
    s->award.u.award.flags = CP_AWARD_HAS_EVIDENCE;
    memset(s->award.u.award.evidence, 0xee, CP_HASH_BYTES);
  }
  memset(s->in.award_id, 0xa1, CP_HASH_BYTES);
  if (endorsed) {
    s->endorse.type = CP_T_ENDORSE;
    memset(s->endorse.log, 0x50, CP_PK_BYTES);
    s->endorse.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
    s->endorse.u.endorse.claim = S("qa:multistate-mc-2024");
    s->end.entry = &s->endorse;
    memset(s->end.id, 0xe0, CP_HASH_BYTES);
    s->end.endorser_name = S("Multistate QA Board");
    s->in.endorsements = &s->end;
    s->in.n_endorsements = 1;
  }
  s->in.genesis = &s->genesis;
  s->in.credential = &s->cred;
  s->in.award = &s->award;
}

static void unmake(shape *s) {
  cp_key_free(s->k);
  cp_key_free(s->edu);
}

static int status_hook(void *ctx, const uint8_t id[CP_HASH_BYTES], json_t **st) {
  (void)id;
  *st = cp_status_entry((const char *)ctx, 2);
  return CP_OK;
}

static char *export(shape *s, int with_status, size_t *len) {
  char *t = NULL;
  assert_int_equal(cp_ob3_export_jwt(&s->in, s->k, with_status ? status_hook : NULL,
                                     (void *)"https://nc.example/s/1", &t, len, NULL),
                   CP_OK);
  return t;
}

static void export_matches_reference(void **state) {
  unsigned level;
  (void)state;
  for (level = 1; level <= 4; level++) {
    for (int shape_no = 0; shape_no < 4; shape_no++) {
      shape s;
      cp_jws j;
      json_t *got = NULL, *ref = NULL, *want = NULL, *vc = NULL;
      cp_ob3_verdict v;
      char vm[CP_VCDI_VM_MAX];
      size_t len = 0;
      char *t;
      int st = shape_no & 1;
      make(&s, level, shape_no & 2, level % 2);
      t = export(&s, st, &len);
      assert_int_equal(t[len - 1], '\n');
      assert_int_equal(cp_jws_open(t, len - 1, &j, NULL), CP_OK);
      cp_vcdi_vm(s.genesis.log, vm);
      assert_string_equal(j.typ, "vc+jwt");
      assert_string_equal(j.kid, vm);
      assert_int_equal(cp_jws_payload_json(&j, &got, NULL), CP_OK);
      assert_int_equal(cp_ob3_build(&s.in, st ? status_hook : NULL, (void *)"https://nc.example/s/1",
                                    &ref, NULL),
                       CP_OK);
      assert_int_equal(cp_vcjwt_payload(ref, &want, NULL), CP_OK);
      if (!json_equal(got, want)) {
        char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
        fail_msg("level %u shape %d:\n%s\n%s", level, shape_no, a, b);
      }
      assert_int_equal(cp_ob3_verify_jwt(t, len, &v, &vc, NULL), CP_OK);
      assert_memory_equal(v.issuer, s.genesis.log, CP_PK_BYTES);
      assert_true(json_equal(vc, want));
      json_decref(vc);
      json_decref(got);
      json_decref(ref);
      json_decref(want);
      cp_jws_free(&j);
      free(t);
      unmake(&s);
    }
  }
}

static void every_character_changed_refused(void **state) {
  shape s;
  size_t len = 0, i;
  char *t, *u;
  cp_ob3_verdict v;
  (void)state;
  make(&s, 2, 1, 1);
  t = export(&s, 1, &len);
  u = malloc(len + 1);
  for (i = 0; i + 1 < len; i++) {
    cp_diag d = {{0}};
    int rc;
    memcpy(u, t, len + 1);
    u[i] = u[i] == 'A' ? 'B' : 'A';
    rc = cp_ob3_verify_jwt(u, len, &v, NULL, &d);
    if (rc == CP_OK) fail_msg("character %zu changed: still valid", i);
    if (d.msg[0] == 0) fail_msg("character %zu changed: refused without a reason", i);
  }
  free(u);
  free(t);
  unmake(&s);
}

static void resigned_not_the_issuers(void **state) {
  shape s;
  size_t len = 0, n = 0;
  char *t, *u = NULL, vm[CP_VCDI_VM_MAX];
  cp_jws j;
  uint8_t other[CP_PK_BYTES];
  cp_ob3_verdict v;
  cp_diag d = {{0}};
  (void)state;
  make(&s, 3, 0, 0);
  t = export(&s, 0, &len);
  assert_int_equal(cp_jws_open(t, len - 1, &j, NULL), CP_OK);
  /* The same payload signed by the educator's key, its kid that key's. */
  cp_key_public(s.edu, other);
  cp_vcdi_vm(other, vm);
  assert_int_equal(cp_jws_sign(s.edu, "vc+jwt", vm, j.payload, j.payload_len, &u, &n), CP_OK);
  assert_int_equal(cp_ob3_verify_jwt(u, n, &v, NULL, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not by the issuer"));
  free(u);
  /* Without a kid: the issuer's key does not verify it. */
  assert_int_equal(cp_jws_sign(s.edu, "vc+jwt", NULL, j.payload, j.payload_len, &u, &n), CP_OK);
  assert_int_equal(cp_ob3_verify_jwt(u, n, &v, NULL, &d), CP_EBADSIG);
  free(u);
  /* Signed by the issuer but typ JWT: refused as malformed. */
  assert_int_equal(cp_jws_sign(s.k, "JWT", NULL, j.payload, j.payload_len, &u, &n), CP_OK);
  assert_int_equal(cp_ob3_verify_jwt(u, n, &v, NULL, &d), CP_ECORRUPT);
  free(u);
  cp_jws_free(&j);
  free(t);
  unmake(&s);
}

static void presentation(void **state) {
  shape s;
  size_t len = 0, jlen = 0, vlen = 0;
  char *t, *json = NULL, *vp = NULL;
  const char *texts[2];
  size_t lens[2];
  cp_vp_input in;
  cp_vp_result r;
  cp_diag d = {{0}};
  uint8_t seed[CP_SEED_BYTES];
  cp_key *mallory = NULL;
  (void)state;
  make(&s, 1, 1, 0);
  t = export(&s, 0, &len);
  assert_int_equal(cp_ob3_export_json(&s.in, s.k, NULL, NULL, &json, &jlen, NULL), CP_OK);
  texts[0] = t;
  lens[0] = len;
  texts[1] = json;
  lens[1] = jlen;
  memset(&in, 0, sizeof in);
  in.texts = texts;
  in.lens = lens;
  in.n = 2;
  in.challenge = "nonce-1";
  in.audience = "Acme";
  in.now = 1780000000;
  assert_int_equal(cp_vp_sign(&in, s.edu, &vp, &vlen, &d), CP_OK);
  assert_int_equal(cp_vp_verify(vp, vlen, "nonce-1", "Acme", &r, &d), CP_OK);
  assert_int_equal(r.n, 2);
  assert_int_equal(r.jwt[0], 1);
  assert_int_equal(r.jwt[1], 0);
  assert_memory_equal(r.holder, s.award.u.award.educator, CP_PK_BYTES);
  cp_vp_result_free(&r);
  assert_int_equal(cp_vp_verify(vp, vlen, "nonce-2", "Acme", &r, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "another challenge"));
  assert_int_equal(cp_vp_verify(vp, vlen, "nonce-1", "Acm", &r, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "another audience"));
  assert_null(r.vcs);
  free(vp);
  /* Someone else cannot present the educator's credentials. */
  memset(seed, 0x66, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &mallory), CP_OK);
  assert_int_equal(cp_vp_sign(&in, mallory, &vp, &vlen, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not the presenter"));
  assert_null(vp);
  /* ... nor the issuer; and a presentation with no credential is refused. */
  assert_int_equal(cp_vp_sign(&in, s.k, &vp, &vlen, &d), CP_EDENIED);
  in.n = 0;
  assert_int_equal(cp_vp_sign(&in, s.edu, &vp, &vlen, &d), CP_EINVAL);
  cp_key_free(mallory);
  free(json);
  free(t);
  unmake(&s);
}

static void presentation_forged(void **state) {
  shape s;
  size_t len = 0, n = 0;
  char *t, *vp = NULL, did[CP_DIDKEY_MAX], vm[CP_VCDI_VM_MAX], *env;
  uint8_t seed[CP_SEED_BYTES], mpk[CP_PK_BYTES];
  cp_key *mallory = NULL;
  cp_vp_result r;
  cp_diag d = {{0}};
  json_t *p;
  (void)state;
  make(&s, 4, 0, 1);
  t = export(&s, 0, &len);
  t[len - 1] = 0;
  memset(seed, 0x66, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &mallory), CP_OK);
  cp_key_public(mallory, mpk);
  env = malloc(len + 40);
  snprintf(env, len + 40, "data:application/vc+jwt,%s", t);
  /* Mallory as holder, signing with her key: the credential is not hers. */
  cp_didkey_encode(mpk, did);
  cp_vcdi_vm(mpk, vm);
  p = json_pack("{s:[s],s:[s],s:s,s:[{s:s,s:s}],s:s,s:s,s:s}", "@context",
                "https://www.w3.org/ns/credentials/v2", "type", "VerifiablePresentation",
                "holder", did, "verifiableCredential", "id", env, "type",
                "EnvelopedVerifiableCredential", "iss", did, "aud", "Acme", "nonce", "n");
  assert_int_equal(cp_jws_sign_json(mallory, "vp+jwt", vm, p, &vp, &n), CP_OK);
  assert_int_equal(cp_vp_verify(vp, n, "n", "Acme", &r, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not the presenter"));
  free(vp);
  /* The educator as holder, but signed by Mallory under her own kid. */
  cp_didkey_encode(s.award.u.award.educator, did);
  json_object_set_new(p, "holder", json_string(did));
  json_object_set_new(p, "iss", json_string(did));
  assert_int_equal(cp_jws_sign_json(mallory, "vp+jwt", vm, p, &vp, &n), CP_OK);
  assert_int_equal(cp_vp_verify(vp, n, "n", "Acme", &r, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not by the holder"));
  free(vp);
  /* ... or without a kid: the holder's key does not verify it. */
  assert_int_equal(cp_jws_sign_json(mallory, "vp+jwt", NULL, p, &vp, &n), CP_OK);
  assert_int_equal(cp_vp_verify(vp, n, "n", "Acme", &r, &d), CP_EBADSIG);
  free(vp);
  /* aud as an array holding the audience is accepted when the holder signs. */
  json_object_set_new(p, "aud", json_pack("[s,s]", "Other", "Acme"));
  cp_vcdi_vm(s.award.u.award.educator, vm);
  assert_int_equal(cp_jws_sign_json(s.edu, "vp+jwt", vm, p, &vp, &n), CP_OK);
  assert_int_equal(cp_vp_verify(vp, n, "n", "Acme", &r, &d), CP_OK);
  cp_vp_result_free(&r);
  free(vp);
  json_decref(p);
  free(env);
  cp_key_free(mallory);
  free(t);
  unmake(&s);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(export_matches_reference),
  cmocka_unit_test(every_character_changed_refused),
  cmocka_unit_test(resigned_not_the_issuers),
  cmocka_unit_test(presentation),
  cmocka_unit_test(presentation_forged),
};

CP_TEST_MAIN(tests)
