/*
 * Naming authorities in policies (docs/POLICIES.md, "Authorities and
 * credential references"): "@self" for the publishing authority, an issuer
 * by did:key or C2SP verifier key as well as by hex, and a missing member
 * reported with the line and column of the object that lacks it.
 */
#include "test_recognize_fixture.h"

#include "credport/codec.h"
#include "credport/note.h"

static void expect_refused(const char *doc, const uint8_t *self, const char *want) {
  cp_diag d = {{0}};
  cp_policy *p = NULL;
  int rc = cp_policy_compile_as(doc, strlen(doc), self, &p, &d);
  cp_policy_free(p);
  if (rc != CP_EPOLICY || strstr(d.msg, want) == NULL)
    fail_msg("want CP_EPOLICY \"%s\", got %d \"%s\"", want, rc, d.msg);
}

static cp_policy *compile_as(const char *doc, const uint8_t *self) {
  cp_diag d = {{0}};
  cp_policy *p = NULL;
  if (cp_policy_compile_as(doc, strlen(doc), self, &p, &d) != CP_OK) fail_msg("%s", d.msg);
  return p;
}

#define ISSUERS(list)                                                                          \
  "{\"format\":\"credport-policy/1\",\"id\":\"t\",\"currencies\":[{\"id\":\"c\",\"unit\":"   \
  "\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1," \
  "\"filter\":{\"issuers\":[" list "]}}]}"

/* Evaluates p over one award by 0x44 and one by 0x99: returns the total. */
static int64_t by_44_and_99(cp_policy *p) {
  fx *f = fx_new(NULL);
  f->p = p;
  fx_award(f, K_KMSD, "mc-a", 1, 100, "2020-01-01");
  fx_award(f, K_OTHER, "mc-b", 1, 100, "2020-01-01");
  fx_eval(f, "2021-01-01");
  int64_t v = fx_total(f, "c");
  assert_string_equal(fx_fate(f, 0, "r", NULL), "counted");
  fx_free(f);
  return v;
}

static void self_names_the_publisher(void **state) {
  uint8_t k44[CP_PK_BYTES];
  (void)state;
  memset(k44, K_KMSD, sizeof k44);
  assert_int_equal(by_44_and_99(compile_as(ISSUERS("\"@self\""), k44)), 1);
  /* In a credential reference and as a label's key. */
  assert_int_equal(by_44_and_99(compile_as(
                       "{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{\"me\":"
                       "\"@self\"},\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{"
                       "\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
                       "\"filter\":{\"issuers\":[\"me\"],\"credentials\":[\"@self:mc-a\"]}}]}",
                       k44)),
                   1);
  /* Without a publisher, "@self" says why it cannot be resolved. */
  expect_refused(ISSUERS("\"@self\""), NULL, "\"@self\" names the authority that publishes");
  expect_refused("{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{\"me\":"
                 "\"@self\"},\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":"
                 "\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1}]}",
                 NULL, "authorities.me: \"@self\" names the authority");
  /* A label "@self" defined by the document keeps its meaning. */
  cp_policy *p = compile_as("{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{"
                            "\"@self\":\"4444444444444444444444444444444444444444444444444444444444"
                            "444444\"},\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{"
                            "\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
                            "\"filter\":{\"issuers\":[\"@self\"]}}]}",
                            NULL);
  assert_int_equal(by_44_and_99(p), 1);
}

static void did_key_and_verifier_key_name_issuers(void **state) {
  uint8_t k44[CP_PK_BYTES];
  char did[CP_DIDKEY_MAX], vkey[CP_VKEY_MAX], doc[2048];
  (void)state;
  memset(k44, K_KMSD, sizeof k44);
  cp_didkey_encode(k44, did);
  assert_int_equal(cp_note_vkey_format("kmsd.example/log", CP_NOTE_ALG_ED25519, k44, vkey),
                   CP_OK);
  snprintf(doc, sizeof doc, ISSUERS("\"%s\""), did);
  assert_int_equal(by_44_and_99(compile_as(doc, NULL)), 1);
  snprintf(doc, sizeof doc, ISSUERS("\"%s\""), vkey);
  assert_int_equal(by_44_and_99(compile_as(doc, NULL)), 1);
  /* A did:key as the issuer of a credential reference, and as a label's key. */
  snprintf(doc, sizeof doc,
           "{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{\"km\":\"%s\"},"
           "\"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[{\"id\":\"r\",\"kind\":"
           "\"per_award\",\"currency\":\"c\",\"amount\":1,\"filter\":{\"issuers\":[\"km\"],"
           "\"credentials\":[\"%s:mc-a\"]}}]}",
           vkey, did);
  assert_int_equal(by_44_and_99(compile_as(doc, NULL)), 1);
  /* A did:key that does not decode is no authority. */
  did[strlen(did) - 1] = did[strlen(did) - 1] == 'A' ? 'B' : 'A';
  snprintf(doc, sizeof doc, ISSUERS("\"%s\""), did);
  cp_policy *p = NULL;
  cp_diag d = {{0}};
  int rc = cp_policy_compile(doc, strlen(doc), &p, &d);
  if (rc == CP_OK) {
    /* A changed last character may still be a valid key: it is then another one. */
    fx *f = fx_new(NULL);
    f->p = p;
    fx_award(f, K_KMSD, "mc-a", 1, 100, "2020-01-01");
    fx_eval(f, "2021-01-01");
    assert_int_equal(fx_total(f, "c"), 0);
    fx_free(f);
  } else {
    assert_non_null(strstr(d.msg, "unknown authority"));
  }
  expect_refused(ISSUERS("\"did:key:z6MkNOTAKEY\""), NULL, "unknown authority \"did:key:z6Mk");
  expect_refused(ISSUERS("\"name+0badc0de+AAAA\""), NULL, "unknown authority \"name+");
}

/* Before: "rules[0].currency: missing", with no place in the text. */
static void missing_member_has_line_and_column(void **state) {
  (void)state;
  expect_refused("{\"format\":\"credport-policy/1\",\"id\":\"t\",\n"
                 " \"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\n"
                 " \"rules\":[\n"
                 "  {\"id\":\"r\",\"kind\":\"per_award\",\"amount\":1}\n"
                 " ]}",
                 NULL, "line 4, column 3: rules[0].currency: missing");
  expect_refused("{\"format\":\"credport-policy/1\",\n"
                 " \"currencies\":[{\"id\":\"c\",\"unit\":\"u\"}],\"rules\":[]}",
                 NULL, "line 1, column 1: id: missing");
  expect_refused("{\"format\":\"credport-policy/1\",\"id\":\"t\",\n"
                 " \"currencies\":[{\"id\":\"c\",\n"
                 "                 \"decimals\":2}],\"rules\":[]}",
                 NULL, "line 2, column 16: currencies[0].unit: missing"); /* the '{' */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(self_names_the_publisher),
    cmocka_unit_test(did_key_and_verifier_key_name_issuers),
    cmocka_unit_test(missing_member_has_line_and_column),
};

CP_TEST_MAIN(tests)
