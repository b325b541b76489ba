/*
 * Data Integrity proofs, eddsa-jcs-2022, against the W3C vc-di-eddsa test
 * vectors (tests/vectors/vc-di-eddsa): the specification's key signs the
 * specification's input and must give its proof byte for byte.
 */
#include "cptest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/sig.h"
#include "credport/vcdi.h"

static json_t *load(const char *rel) {
  char *dir = cpt_path(CP_TEST_VECTORS, "vc-di-eddsa"), *p = cpt_path(dir, rel);
  json_error_t err;
  json_t *v = json_load_file(p, JSON_REJECT_DUPLICATES, &err);
  assert_non_null(v);
  free(p);
  free(dir);
  return v;
}

static char *text(const char *rel) {
  char *dir = cpt_path(CP_TEST_VECTORS, "vc-di-eddsa"), *p = cpt_path(dir, rel);
  size_t n = 0;
  char *t = (char *)cpt_read_file(p, &n);
  while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r')) t[--n] = '\0';
  free(p);
  free(dir);
  return t;
}

/* keyPair.json: privateKeyMultibase is "z" + base58btc(0x80 0x26 || seed),
 * publicKeyMultibase "z" + base58btc(0xed 0x01 || pk). */
static cp_key *vector_key(uint8_t pk[CP_PK_BYTES]) {
  json_t *kp = load("keyPair.json");
  const char *sk = json_string_value(json_object_get(kp, "privateKeyMultibase"));
  const char *pkm = json_string_value(json_object_get(kp, "publicKeyMultibase"));
  uint8_t raw[40], mine[CP_PK_BYTES];
  size_t n = 0;
  cp_key *k = NULL;
  char did[CP_DIDKEY_MAX];
  assert_int_equal(cp_b58_decode(sk + 1, strlen(sk) - 1, raw, sizeof raw, &n), CP_OK);
  assert_int_equal(n, 34);
  assert_int_equal(raw[0], 0x80);
  assert_int_equal(raw[1], 0x26);
  assert_int_equal(cp_key_from_seed(raw + 2, &k), CP_OK);
  cp_key_public(k, mine);
  assert_int_equal(snprintf(did, sizeof did, "did:key:%s", pkm) > 0, 1);
  assert_int_equal(cp_didkey_decode(did, pk), CP_OK);
  assert_memory_equal(mine, pk, CP_PK_BYTES);
  json_decref(kp);
  return k;
}

static void vcdi_w3c_sign_exact(void **state) {
  uint8_t pk[CP_PK_BYTES], data[CP_VCDI_HASH_BYTES], want[CP_VCDI_HASH_BYTES];
  cp_key *k = vector_key(pk);
  json_t *doc = load("unsigned.json"), *signed_doc = load("eddsa-jcs-2022/signedJCS.json");
  json_t *opts = load("eddsa-jcs-2022/proofConfigJCS.json");
  char *sig58 = text("eddsa-jcs-2022/sigBTC58JCS.txt");
  char *combined = text("eddsa-jcs-2022/combinedHashJCS.txt");
  char *a = NULL, *b = NULL;
  size_t an = 0, bn = 0;
  (void)state;
  /* The signed data: proof options hash, then document hash. */
  assert_int_equal(cp_vcdi_hash(doc, opts, data, NULL), CP_OK);
  cpt_unhex(combined, want, sizeof want);
  assert_memory_equal(data, want, sizeof want);
  assert_int_equal(cp_vcdi_sign(doc, k, "2023-02-24T23:36:38Z", NULL), CP_OK);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(doc, "proof"), "proofValue")), sig58);
  /* The whole secured document, compared canonically. */
  assert_int_equal(cp_jcs_encode(doc, &a, &an, NULL), CP_OK);
  assert_int_equal(cp_jcs_encode(signed_doc, &b, &bn, NULL), CP_OK);
  assert_string_equal(a, b);
  free(a);
  free(b);
  free(sig58);
  free(combined);
  json_decref(doc);
  json_decref(signed_doc);
  json_decref(opts);
  cp_key_free(k);
}

static void vcdi_w3c_verify(void **state) {
  uint8_t pk[CP_PK_BYTES], got[CP_PK_BYTES];
  cp_key *k = vector_key(pk);
  json_t *doc = load("eddsa-jcs-2022/signedJCS.json");
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(cp_vcdi_verify(doc, got, &d), CP_OK);
  assert_memory_equal(got, pk, CP_PK_BYTES);
  /* One changed character of the document: the signature fails. */
  json_object_set_new(json_object_get(doc, "credentialSubject"), "alumniOf",
                      json_string("The School of Examplez"));
  assert_int_equal(cp_vcdi_verify(doc, got, &d), CP_EBADSIG);
  assert_non_null(strstr(d.msg, "does not verify"));
  json_decref(doc);
  cp_key_free(k);
}

/* Malformed proofs are refused as malformed, naming the member. */
static void vcdi_malformed(void **state) {
  static const struct {
    const char *member, *value, *named;
  } cases[] = {
    {"type", "Ed25519Signature2020", "proof.type"},
    {"cryptosuite", "eddsa-rdfc-2022", "proof.cryptosuite"},
    {"proofPurpose", "authentication", "proof.proofPurpose"},
    {"verificationMethod", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
     "proof.verificationMethod"},
    {"verificationMethod",
     "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1", "proof.verificationMethod"},
    {"verificationMethod", "https://vc.example/issuers/5678#key-1", "proof.verificationMethod"},
    {"proofValue", "u2HnFSSPPBzR36zdDgK8", "proof.proofValue"},
    {"proofValue", "z2HnFSSPPBzR36zdDgK8", "proof.proofValue"},
    {"proofValue", "z0OIl", "proof.proofValue"},
    {"@context", "https://www.w3.org/ns/credentials/examples/v2", "proof.@context"},
  };
  size_t i;
  uint8_t pk[CP_PK_BYTES];
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *doc = load("eddsa-jcs-2022/signedJCS.json");
    cp_diag d = {{0}};
    json_object_set_new(json_object_get(doc, "proof"), cases[i].member,
                        json_string(cases[i].value));
    assert_int_equal(cp_vcdi_verify(doc, pk, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, cases[i].named));
    json_decref(doc);
  }
  {
    json_t *doc = load("eddsa-jcs-2022/signedJCS.json");
    cp_diag d = {{0}};
    json_t *proof = json_incref(json_object_get(doc, "proof"));
    json_object_set_new(doc, "proof", json_pack("[o]", proof));
    assert_int_equal(cp_vcdi_verify(doc, pk, &d), CP_ECORRUPT);
    json_object_del(doc, "proof");
    assert_int_equal(cp_vcdi_verify(doc, pk, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, "proof: missing"));
    json_decref(doc);
  }
}

/* Signing twice, or signing something with a proof, is refused. */
static void vcdi_sign_refuses(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = vector_key(pk);
  json_t *doc = load("eddsa-jcs-2022/signedJCS.json");
  json_t *arr = json_array();
  (void)state;
  assert_int_equal(cp_vcdi_sign(doc, k, "2023-02-24T23:36:38Z", NULL), CP_EINVAL);
  assert_int_equal(cp_vcdi_sign(arr, k, "2023-02-24T23:36:38Z", NULL), CP_EINVAL);
  json_decref(arr);
  json_decref(doc);
  cp_key_free(k);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(vcdi_w3c_sign_exact),
  cmocka_unit_test(vcdi_w3c_verify),
  cmocka_unit_test(vcdi_malformed),
  cmocka_unit_test(vcdi_sign_refuses),
};

CP_TEST_MAIN(tests)
