/*
 * JSON Canonicalization Scheme (RFC 8785).
 *
 * Known answers: the RFC's own examples (section 3.2.2 for values and
 * escapes, section 3.2.3 for member order, Appendix B for numbers, given
 * there as IEEE 754 bit patterns) and canonDocJCS.txt / proofCanonJCS.txt of
 * the W3C vc-di-eddsa test vectors (tests/vectors/vc-di-eddsa).
 */
#include "cptest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credport/jcs.h"

static char *canon(const char *text) {
  json_error_t err;
  json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  char *out = NULL;
  size_t len = 0;
  assert_non_null(v);
  assert_int_equal(cp_jcs_encode(v, &out, &len, NULL), CP_OK);
  assert_int_equal(strlen(out), len);
  json_decref(v);
  return out;
}

static void check(const char *in, const char *want) {
  char *got = canon(in);
  assert_string_equal(got, want);
  free(got);
}

/* RFC 8785 section 3.2.2. */
static void jcs_rfc_values(void **state) {
  (void)state;
  check("{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
        "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
        "  \"literals\": [null, true, false]\n}",
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
        "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3: names compared as UTF-16 code units, so the
 * emoji (a surrogate pair, 0xD83D...) sorts before U+FB33. */
static void jcs_rfc_order(void **state) {
  (void)state;
  check("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
        "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\","
        "\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
        "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
        "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\","
        "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
        "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
  check("{\"b\":1,\"a\":{\"d\":[],\"c\":{}},\"aa\":0}", "{\"a\":{\"c\":{},\"d\":[]},\"aa\":0,\"b\":1}");
}

/* RFC 8785 Appendix B: IEEE 754 bit pattern -> text. */
static void jcs_rfc_numbers(void **state) {
  static const struct {
    uint64_t bits;
    const char *want;
  } v[] = {
    {0x0000000000000000ULL, "0"},
    {0x8000000000000000ULL, "0"},
    {0x0000000000000001ULL, "5e-324"},
    {0x8000000000000001ULL, "-5e-324"},
    {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
    {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
    {0x4340000000000000ULL, "9007199254740992"},
    {0xc340000000000000ULL, "-9007199254740992"},
    {0x4430000000000000ULL, "295147905179352830000"},
    {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6ULL, "1e+23"},
    {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
    {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
    {0x444b1ae4d6e2ef50ULL, "1e+21"},
    {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
    {0x41b3de4355555553ULL, "333333333.3333332"},
    {0x41b3de4355555554ULL, "333333333.33333325"},
    {0x41b3de4355555555ULL, "333333333.3333333"},
    {0x41b3de4355555556ULL, "333333333.3333334"},
    {0x41b3de4355555557ULL, "333333333.33333343"},
    {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof v / sizeof v[0]; i++) {
    double x;
    char out[40];
    memcpy(&x, &v[i].bits, sizeof x);
    assert_int_equal(cp_jcs_number(x, out, sizeof out), (int)strlen(v[i].want));
    assert_string_equal(out, v[i].want);
  }
  /* Non-finite values (RFC 8785 Appendix B: "must cause an error"). */
  {
    char out[40];
    uint64_t nan = 0x7fffffffffffffffULL, inf = 0x7ff0000000000000ULL;
    double x;
    memcpy(&x, &nan, sizeof x);
    assert_int_equal(cp_jcs_number(x, out, sizeof out), CP_EINVAL);
    memcpy(&x, &inf, sizeof x);
    assert_int_equal(cp_jcs_number(x, out, sizeof out), CP_EINVAL);
  }
  /* Integers: exact within 2^53, rounded to a double beyond, as ECMAScript. */
  check("[9007199254740993,-1,12,1e2,7.25]", "[9007199254740992,-1,12,100,7.25]");
}

static void jcs_vector_file(const char *in, const char *want_file) {
  size_t len = 0, wlen = 0;
  char *dir = cpt_path(CP_TEST_VECTORS, "vc-di-eddsa");
  char *ip = cpt_path(dir, in), *wp = cpt_path(dir, want_file);
  char *text = (char *)cpt_read_file(ip, &len);
  char *want = (char *)cpt_read_file(wp, &wlen);
  char *got;
  while (wlen > 0 && (want[wlen - 1] == '\n' || want[wlen - 1] == '\r')) want[--wlen] = '\0';
  got = canon(text);
  assert_string_equal(got, want);
  free(got);
  free(text);
  free(want);
  free(ip);
  free(wp);
  free(dir);
}

/* The W3C vectors: JCS of the input credential and of the proof options. */
static void jcs_w3c_vectors(void **state) {
  (void)state;
  jcs_vector_file("unsigned.json", "eddsa-jcs-2022/canonDocJCS.txt");
  jcs_vector_file("eddsa-jcs-2022/proofConfigJCS.json", "eddsa-jcs-2022/proofCanonJCS.txt");
}

/* Too deep is refused with the depth named, not canonicalised. */
static void jcs_limits(void **state) {
  json_t *root = json_array(), *cur = root;
  char *out = NULL;
  size_t len = 0, i;
  cp_diag d = {{0}};
  (void)state;
  for (i = 0; i < CP_JCS_DEPTH_MAX + 1; i++) {
    json_t *n = json_array();
    json_array_append_new(cur, n);
    cur = n;
  }
  assert_int_equal(cp_jcs_encode(root, &out, &len, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "deeper"));
  assert_null(out);
  json_decref(root);
  root = json_string("");
  {
    char *big = malloc(CP_JCS_MAX_BYTES + 1);
    memset(big, 'a', CP_JCS_MAX_BYTES);
    big[CP_JCS_MAX_BYTES] = '\0';
    json_string_set(root, big);
    free(big);
  }
  assert_int_equal(cp_jcs_encode(root, &out, &len, &d), CP_ETOOBIG);
  json_decref(root);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(jcs_rfc_values),
  cmocka_unit_test(jcs_rfc_order),
  cmocka_unit_test(jcs_rfc_numbers),
  cmocka_unit_test(jcs_w3c_vectors),
  cmocka_unit_test(jcs_limits),
};

CP_TEST_MAIN(tests)
