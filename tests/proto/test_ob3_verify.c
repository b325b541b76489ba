/*
 * Verifying Open Badges 3.0 credentials (cp_ob3_verify_json): every field
 * tampered one at a time, a credential re-signed by another did:key, and
 * hostile JSON (huge, deep, duplicate members, not an object).
 */
#include "cptest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/ob3.h"
#include "credport/vcdi.h"

#define S(lit) ((cp_str){lit, sizeof lit - 1})

typedef struct fixture {
  cp_entry genesis, cred, award, endorse;
  cp_ob3_endorsement end;
  cp_ob3_input in;
  cp_key *k;
} fixture;

static void make(fixture *f) {
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  memset(f, 0, sizeof *f);
  memset(seed, 3, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &f->k), CP_OK);
  cp_key_public(f->k, pk);
  f->genesis.type = CP_T_AUTHORITY;
  memcpy(f->genesis.log, pk, CP_PK_BYTES);
  f->genesis.u.authority.name = S("Wake County Schools");
  f->genesis.u.authority.jurisdiction = S("US-NC");
  f->cred.type = CP_T_CREDENTIAL;
  memcpy(f->cred.log, pk, CP_PK_BYTES);
  f->cred.u.credential.id = S("mc-7");
  f->cred.u.credential.title = S("Wait Time");
  f->cred.u.credential.competency = S("Waits after questions");
  f->cred.u.credential.evidence = S("Two observations");
  f->cred.u.credential.level = 2;
  f->cred.u.credential.hours_x100 = 750;
  f->cred.u.credential.n_qa = 1;
  f->cred.u.credential.qa[0] = S("qa-2024");
  memset(f->in.credential_id, 0x11, CP_HASH_BYTES);
  f->award.type = CP_T_AWARD;
  f->award.time = 1770000000;
  memcpy(f->award.log, pk, CP_PK_BYTES);
  memcpy(f->award.u.award.credential, f->in.credential_id, CP_HASH_BYTES);
  memset(f->award.u.award.educator, 0x33, CP_PK_BYTES);
  f->award.u.award.earned = 20480;
  f->award.u.award.flags = CP_AWARD_HAS_EVIDENCE;
  memset(f->award.u.award.evidence, 0x44, CP_HASH_BYTES);
  memset(f->in.award_id, 0x22, CP_HASH_BYTES);
  f->endorse.type = CP_T_ENDORSE;
  memset(f->endorse.log, 0x55, CP_PK_BYTES);
  f->endorse.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
  f->endorse.u.endorse.claim = S("qa:multistate");
  f->end.entry = &f->endorse;
  f->end.endorser_name = S("QA Board");
  f->in.genesis = &f->genesis;
  f->in.credential = &f->cred;
  f->in.award = &f->award;
  f->in.endorsements = &f->end;
  f->in.n_endorsements = 1;
}

__attribute__((noinline)) static char *export_text(fixture *f, size_t *len) {
  char *text = NULL;
  assert_int_equal(cp_ob3_export_json(&f->in, f->k, NULL, NULL, &text, len, NULL), CP_OK);
  return text;
}

static int verify_value(const json_t *vc, cp_diag *d) {
  char *t = json_dumps(vc, JSON_COMPACT);
  cp_ob3_verdict v;
  int rc;
  assert_non_null(t);
  rc = cp_ob3_verify_json(t, strlen(t), &v, d);
  free(t);
  return rc;
}

/* Changes the leaf *slot in place (a string gets one more character, a
 * number one more unit); returns 0 if it is not a leaf. */
static int tamper_leaf(json_t *parent, const char *key, size_t idx) {
  json_t *v = key != NULL ? json_object_get(parent, key) : json_array_get(parent, idx);
  json_t *nv = NULL;
  if (json_is_string(v)) {
    size_t n = json_string_length(v);
    char *s = malloc(n + 2);
    memcpy(s, json_string_value(v), n);
    s[n] = n > 0 && s[n - 1] == 'x' ? 'y' : 'x';
    s[n + 1] = '\0';
    nv = json_stringn(s, n + 1);
    free(s);
  } else if (json_is_integer(v)) {
    nv = json_integer(json_integer_value(v) + 1);
  } else if (json_is_real(v)) {
    nv = json_real(json_real_value(v) + 1);
  } else {
    return 0;
  }
  if (key != NULL) json_object_set_new(parent, key, nv);
  else json_array_set_new(parent, idx, nv);
  return 1;
}

/* Walks every leaf and every object of the credential at path; for each,
 * a fresh copy tampered there must not verify. */
static size_t tamper_all(const char *orig, json_t *node, const char *path, size_t *objects) {
  size_t n = 0;
  if (json_is_object(node)) {
    const char *k;
    json_t *m;
    (*objects)++;
    json_object_foreach(node, k, m) {
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", path, k);
      n += tamper_all(orig, m, sub, objects);
    }
  } else if (json_is_array(node)) {
    for (size_t i = 0; i < json_array_size(node); i++) {
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%zu", path, i);
      n += tamper_all(orig, json_array_get(node, i), sub, objects);
    }
  } else {
    n = 1;
  }
  (void)orig;
  return n;
}

/* Finds the node at a "/a/b/0" path in root. */
static json_t *at(json_t *root, const char *path, char *last, size_t cap, json_t **parent) {
  json_t *cur = root;
  char buf[512], *save = NULL, *tok;
  *parent = NULL;
  snprintf(buf, sizeof buf, "%s", path);
  for (tok = strtok_r(buf, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
    *parent = cur;
    snprintf(last, cap, "%s", tok);
    cur = json_is_array(cur) ? json_array_get(cur, (size_t)strtoul(tok, NULL, 10))
                             : json_object_get(cur, tok);
  }
  return cur;
}

static void list_paths(json_t *node, const char *path, char (*out)[512], size_t *n, size_t cap) {
  if (*n < cap) snprintf(out[(*n)++], 512, "%s", path);
  if (json_is_object(node)) {
    const char *k;
    json_t *m;
    json_object_foreach(node, k, m) {
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", path, k);
      list_paths(m, sub, out, n, cap);
    }
  } else if (json_is_array(node)) {
    for (size_t i = 0; i < json_array_size(node); i++) {
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%zu", path, i);
      list_paths(json_array_get(node, i), sub, out, n, cap);
    }
  }
}

static void vc_every_field_tampered(void **state) {
  fixture f;
  size_t len = 0, n = 0, i, leaves = 0, objects = 0, objs_seen = 0;
  char *text;
  json_error_t err;
  json_t *orig;
  static char paths[256][512];
  (void)state;
  make(&f);
  text = export_text(&f, &len);
  orig = json_loadb(text, len, 0, &err);
  assert_non_null(orig);
  assert_int_equal(verify_value(orig, NULL), CP_OK);
  leaves = tamper_all(text, orig, "", &objects);
  list_paths(orig, "", paths, &n, 256);
  assert_true(n < 256);
  for (i = 1; i < n; i++) { /* paths[0] is the root */
    json_t *vc = json_deep_copy(orig), *parent, *node;
    char last[512];
    cp_diag d = {{0}};
    int rc;
    node = at(vc, paths[i], last, sizeof last, &parent);
    if (json_is_object(node)) {
      /* A member added to this object. */
      json_object_set_new(node, "extra", json_string("x"));
      objs_seen++;
    } else if (json_is_array(node)) {
      json_array_append_new(node, json_string("x"));
    } else {
      assert_true(tamper_leaf(parent, json_is_array(parent) ? NULL : last,
                              json_is_array(parent) ? (size_t)strtoul(last, NULL, 10) : 0));
    }
    rc = verify_value(vc, &d);
    if (rc == CP_OK) fail_msg("tampering %s was not noticed", paths[i]);
    assert_true(rc == CP_EBADSIG || rc == CP_ECORRUPT || rc == CP_EDENIED);
    json_decref(vc);
  }
  assert_int_equal(objs_seen + 1, objects);
  assert_true(leaves > 40);
  /* Members removed one at a time. */
  for (i = 1; i < n; i++) {
    json_t *vc = json_deep_copy(orig), *parent, *node;
    char last[512];
    node = at(vc, paths[i], last, sizeof last, &parent);
    (void)node;
    if (json_is_object(parent)) json_object_del(parent, last);
    else json_array_remove(parent, (size_t)strtoul(last, NULL, 10));
    if (verify_value(vc, NULL) == CP_OK) fail_msg("removing %s was not noticed", paths[i]);
    json_decref(vc);
  }
  json_decref(orig);
  free(text);
  cp_key_free(f.k);
}

/* Another did:key re-signs the same credential: a valid proof, but not the
 * issuer's, and refused as such, naming both keys. */
static void vc_resigned_by_another_key(void **state) {
  fixture f;
  size_t len = 0;
  char *text, other_did[CP_DIDKEY_MAX];
  json_error_t err;
  json_t *vc;
  cp_key *other = NULL;
  uint8_t seed[CP_SEED_BYTES], opk[CP_PK_BYTES];
  cp_diag d = {{0}};
  (void)state;
  make(&f);
  text = export_text(&f, &len);
  vc = json_loadb(text, len, 0, &err);
  memset(seed, 0x99, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &other), CP_OK);
  cp_key_public(other, opk);
  cp_didkey_encode(opk, other_did);
  json_object_del(vc, "proof");
  assert_int_equal(cp_vcdi_sign(vc, other, "2026-01-01T00:00:00Z", NULL), CP_OK);
  assert_int_equal(verify_value(vc, &d), CP_EDENIED);
  assert_non_null(strstr(d.msg, "not the issuer's key"));
  assert_non_null(strstr(d.msg, other_did));
  json_decref(vc);
  free(text);
  cp_key_free(other);
  cp_key_free(f.k);
}

static void vc_hostile_json(void **state) {
  fixture f;
  size_t len = 0, i;
  char *text, *big, *dup;
  cp_ob3_verdict v;
  cp_diag d = {{0}};
  (void)state;
  make(&f);
  text = export_text(&f, &len);
  /* Huge: refused by size before parsing. */
  big = malloc(CP_OB3_TEXT_MAX + 2);
  memset(big, ' ', CP_OB3_TEXT_MAX + 1);
  big[0] = '{';
  big[CP_OB3_TEXT_MAX] = '}';
  assert_int_equal(cp_ob3_verify_json(big, CP_OB3_TEXT_MAX + 1, &v, &d), CP_ETOOBIG);
  /* Deep: refused by the scan, naming the byte. */
  for (i = 0; i < 10000; i++) big[i] = '[';
  assert_int_equal(cp_ob3_verify_json(big, 10000, &v, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "deeper than"));
  free(big);
  /* Brackets inside strings do not count. */
  {
    const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    assert_int_equal(cp_ob3_verify_json(s, strlen(s), &v, &d), CP_ECORRUPT);
    assert_null(strstr(d.msg, "deeper"));
  }
  /* A duplicate member: the first "id" signed, a second one shown. */
  dup = malloc(len + 64);
  {
    const char *p = strstr(text, "\"id\":");
    size_t off = (size_t)(p - text);
    memcpy(dup, text, off);
    memcpy(dup + off, "\"id\": \"urn:uuid:evil\",\n  ", 25);
    memcpy(dup + off + 25, text + off, len - off);
    assert_int_equal(cp_ob3_verify_json(dup, len + 25, &v, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, "duplicate"));
  }
  free(dup);
  /* Not an object, not JSON, trailing bytes, empty. */
  assert_int_equal(cp_ob3_verify_json("[]", 2, &v, &d), CP_ECORRUPT);
  assert_int_equal(cp_ob3_verify_json("{", 1, &v, &d), CP_ECORRUPT);
  assert_int_equal(cp_ob3_verify_json("", 0, &v, &d), CP_ECORRUPT);
  assert_int_equal(cp_ob3_verify_json("{} {}", 5, &v, &d), CP_ECORRUPT);
  free(text);
  cp_key_free(f.k);
}

/* An issuer given as a string is accepted; an issuer that is not a did:key
 * is refused as malformed. */
static void vc_issuer_forms(void **state) {
  fixture f;
  size_t len = 0;
  char *text, did[CP_DIDKEY_MAX];
  json_error_t err;
  json_t *vc;
  cp_diag d = {{0}};
  (void)state;
  make(&f);
  text = export_text(&f, &len);
  vc = json_loadb(text, len, 0, &err);
  cp_didkey_encode(f.genesis.log, did);
  json_object_del(vc, "proof");
  json_object_set_new(vc, "issuer", json_string(did));
  assert_int_equal(cp_vcdi_sign(vc, f.k, "2026-01-01T00:00:00Z", NULL), CP_OK);
  assert_int_equal(verify_value(vc, &d), CP_OK);
  json_object_del(vc, "proof");
  json_object_set_new(vc, "issuer", json_string("https://example.edu/issuers/1"));
  assert_int_equal(cp_vcdi_sign(vc, f.k, "2026-01-01T00:00:00Z", NULL), CP_OK);
  assert_int_equal(verify_value(vc, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "issuer.id"));
  json_decref(vc);
  free(text);
  cp_key_free(f.k);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(vc_every_field_tampered),
  cmocka_unit_test(vc_resigned_by_another_key),
  cmocka_unit_test(vc_hostile_json),
  cmocka_unit_test(vc_issuer_forms),
};

CP_TEST_MAIN(tests)
