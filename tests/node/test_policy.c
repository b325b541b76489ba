/*
 * Policy documents: the examples compile; invalid and hostile documents are
 * refused at parse with a path, a line and column, and a reason; random
 * corruption of valid documents never crashes the parser.
 */
#include "test_recognize_fixture.h"

static const char *const examples[] = {"bcps-cpd.json", "nc-renewal.json", "kettle-moraine.json",
                                       "clark-county.json", "south-milwaukee.json"};

#define KEY9 "\"9999999999999999999999999999999999999999999999999999999999999999\""
#define HEAD "{\"format\":\"credport-policy/1\",\"id\":\"t\",\"authorities\":{\"a\":" KEY9 "},"
#define CUR  "\"currencies\":[{\"id\":\"c\",\"unit\":\"credit\",\"decimals\":2}],"

/* Validates doc, expecting rc and a message containing each of the
 * NULL-terminated needles. */
static void refuse(const char *doc, int want, const char *needle, const char *needle2) {
  cp_diag d = {{0}};
  int rc = cp_policy_validate(doc, strlen(doc), &d);
  if (rc != want) fail_msg("rc %d (want %d): %s\n%s", rc, want, d.msg, doc);
  if (needle != NULL && strstr(d.msg, needle) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", d.msg, needle);
  if (needle2 != NULL && strstr(d.msg, needle2) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", d.msg, needle2);
}

static void examples_compile(void **state) {
  for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
    cp_policy *p = load_policy(examples[i]);
    assert_true(cp_policy_n_currencies(p) >= 1);
    const char *id = NULL;
    unsigned dec = 99;
    int money = -1;
    assert_int_equal(cp_policy_currency(p, 0, &id, &dec, &money), CP_OK);
    assert_non_null(id);
    assert_true(dec <= CP_POLICY_DECIMALS_MAX);
    assert_int_equal(cp_policy_currency(p, 99, NULL, NULL, NULL), CP_EINVAL);
    cp_policy_free(p);
  }
}

static void examples_validate(void **state) {
  for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
    char *path = cpt_path(EXAMPLES, examples[i]);
    size_t len = 0;
    uint8_t *doc = cpt_read_file(path, &len);
    cp_diag d = {{0}};
    assert_int_equal(cp_policy_validate((const char *)doc, len, &d), CP_OK);
    free(doc);
    free(path);
  }
}

static void syntax_error_has_line_and_column(void **state) {
  refuse("{\n  \"format\": \"credport-policy/1\",\n  \"id\": ,\n}", CP_EPOLICY, "line 3, column",
         NULL);
  refuse("", CP_EPOLICY, "line", NULL);
  refuse("[1, 2]", CP_EPOLICY, "a policy is a JSON object", NULL);
}

static void semantic_error_has_path_line_and_column(void **state) {
  const char *doc =
      "{\n"
      "  \"format\": \"credport-policy/1\",\n"
      "  \"id\": \"t\",\n"
      "  \"currencies\": [{\"id\": \"usd\", \"unit\": \"dollar\", \"decimals\": 2, \"money\": "
      "true}],\n"
      "  \"rules\": [\n"
      "    {\"id\": \"a\", \"kind\": \"per_award\", \"currency\": \"usd\", \"amount\": 1},\n"
      "    {\"id\": \"b\", \"kind\": \"per_award\", \"currency\": \"usd\", \"amount\": 1},\n"
      "    {\"id\": \"c\", \"kind\": \"per_award\", \"currency\": \"usd\",\n"
      "     \"amount\": {\"per_level\": {\"1\": 200, \"5\": 900}}}\n"
      "  ]\n"
      "}\n";
  refuse(doc, CP_EPOLICY, "rules[2].amount.per_level: level 5 out of range", "line 9, column 30");
}

static void unknown_rule_kind_and_members_are_refused(void **state) {
  refuse(HEAD CUR "\"rules\":[{\"id\":\"r\",\"kind\":\"lottery\",\"currency\":\"c\"}]}", CP_EPOLICY,
         "rules[0].kind: unknown rule kind \"lottery\"", "line 1, column");
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"bonus\":2}]}",
         CP_EPOLICY, "rules[0].bonus: unknown member", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"every\":2}]}",
         CP_EPOLICY, "rules[0].every: not a member of a per_award rule", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":"
         "{\"lucky\":1}}]}",
         CP_EPOLICY, "unknown amount kind", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"filter\":{\"window\":{\"kind\":\"fortnight\"}}}]}",
         CP_EPOLICY, "rules[0].filter.window.kind: unknown window kind", NULL);
  refuse(HEAD CUR "\"extra\":1,\"rules\":[]}", CP_EPOLICY, "extra: unknown member", NULL);
}

static void references_must_resolve(void **state) {
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"gold\","
         "\"amount\":1}]}",
         CP_EPOLICY, "rules[0].currency: no currency \"gold\"", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"filter\":{\"preapproval\":{\"authority\":\"district\"}}}]}",
         CP_EPOLICY, "rules[0].filter.preapproval.authority: unknown authority", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"bundle\",\"currency\":\"c\",\"amount\":1,"
         "\"set\":\"nope\"}]}",
         CP_EPOLICY, "rules[0].set: no set named \"nope\"", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1},"
         "{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1}]}",
         CP_EPOLICY, "rules[1].id: rule id \"r\" used twice", NULL);
  refuse(HEAD CUR
         "\"sets\":{\"s\":[\"x\",\"a:x\"]},\"rules\":[{\"id\":\"r\",\"kind\":\"bundle\","
         "\"currency\":\"c\",\"amount\":1,\"set\":\"s\"}]}",
         CP_EPOLICY, "sets.s[1]: credential \"x\" listed twice", NULL);
  refuse(HEAD CUR "\"sets\":{\"s\":[\"zz:x\"]},\"rules\":[]}", CP_EPOLICY,
         "sets.s[0]: unknown issuer \"zz\"", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"milestone\",\"currency\":\"c\",\"amount\":1,"
         "\"set\":[\"x\",\"y\"],\"count\":3}]}",
         CP_EPOLICY, "rules[0].count: 3 out of range 1..2", NULL);
}

static void bad_scalars_are_refused(void **state) {
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
         "\"amount\":0.5}]}",
         CP_EPOLICY, "decimal string", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
         "\"amount\":\"0.125\"}]}",
         CP_EPOLICY, "more than 2 decimals", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
         "\"amount\":\"-1\"}]}",
         CP_EPOLICY, "bad amount", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
         "\"amount\":\"99999999999999999999\"}]}",
         CP_EPOLICY, "too large", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\","
         "\"amount\":10000000000000}]}",
         CP_EPOLICY, "out of range", NULL);
  refuse(HEAD CUR "\"effective\":{\"from\":\"2020-02-30\"},\"rules\":[]}", CP_EPOLICY,
         "effective.from: must be a date", NULL);
  refuse(HEAD CUR "\"fiscal_year_start\":\"13-01\",\"rules\":[]}", CP_EPOLICY,
         "fiscal_year_start: no such day", NULL);
  refuse("{\"format\":\"credport-policy/2\",\"id\":\"t\"}", CP_EPOLICY, "unsupported format", NULL);
  refuse("{\"id\":\"t\"}", CP_EPOLICY, "format: missing", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"cap\":{\"amount\":3,\"per\":{\"kind\":\"dates\",\"from\":\"2020-01-01\"}}}]}",
         CP_EPOLICY, "a cap's window is lifetime, school_year or cycle", NULL);
  /* HEAD already has "authorities": a second one is a JSON error first. */
  refuse(HEAD "\"authorities\":{\"b\":\"ABC\"}," CUR "\"rules\":[]}", CP_EPOLICY,
         "duplicate object key", NULL);
}

/* The authorities member itself (TOP has none, so each document reaches
 * parse_authorities): each refusal names the path and the reason. */
#define TOP "{\"format\":\"credport-policy/1\",\"id\":\"t\","
#define RULE "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1}]}"
#define AUTH(body) TOP "\"authorities\":" body "," CUR RULE
#define KEY8 "\"8888888888888888888888888888888888888888888888888888888888888888\""
static void bad_authorities_are_refused(void **state) {
  static const char label_msg[] = "a label must be 1..128 bytes, without ':', and not a hex key";
  static const char key_msg[] = "must be a public key: 64 lowercase hex digits";
  /* Well-formed, to show the documents below differ only where named. */
  cp_diag d = {{0}};
  static const char good[] = AUTH("{\"a\":" KEY9 ",\"b\":" KEY8 "}");
  if (cp_policy_validate(good, strlen(good), &d) != CP_OK) fail_msg("%s", d.msg);
  /* Not an object. */
  refuse(AUTH("[" KEY9 "]"), CP_EPOLICY, "authorities: must be an object of label: hex key",
         NULL);
  refuse(AUTH(KEY9), CP_EPOLICY, "authorities: must be an object of label: hex key", NULL);
  /* Labels: empty, with ':', a hex key, longer than CP_ID_MAX. */
  refuse(AUTH("{\"\":" KEY9 "}"), CP_EPOLICY, label_msg, NULL);
  refuse(AUTH("{\"a:b\":" KEY9 "}"), CP_EPOLICY, "authorities.a:b: ", label_msg);
  refuse(AUTH("{" KEY8 ":" KEY9 "}"), CP_EPOLICY, label_msg, NULL);
  char doc[16384], label[CP_ID_MAX + 2];
  memset(label, 'l', CP_ID_MAX + 1);
  label[CP_ID_MAX + 1] = 0;
  snprintf(doc, sizeof doc, AUTH("{\"%s\":" KEY9 "}"), label);
  refuse(doc, CP_EPOLICY, label_msg, NULL);
  label[CP_ID_MAX] = 0; /* CP_ID_MAX bytes: a label */
  snprintf(doc, sizeof doc, AUTH("{\"%s\":" KEY9 "}"), label);
  if (cp_policy_validate(doc, strlen(doc), &d) != CP_OK) fail_msg("%s", d.msg);
  /* Keys: short, uppercase, 63 and 65 digits, not a string. */
  refuse(AUTH("{\"b\":\"ABC\"}"), CP_EPOLICY, "authorities.b: ", key_msg);
  refuse(AUTH("{\"b\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"),
         CP_EPOLICY, key_msg, NULL);
  refuse(AUTH("{\"b\":\"888888888888888888888888888888888888888888888888888888888888888\"}"),
         CP_EPOLICY, key_msg, NULL);
  refuse(AUTH("{\"b\":\"88888888888888888888888888888888888888888888888888888888888888888\"}"),
         CP_EPOLICY, key_msg, NULL);
  refuse(AUTH("{\"b\":7}"), CP_EPOLICY, key_msg, NULL);
  /* One key under two labels. */
  refuse(AUTH("{\"a\":" KEY9 ",\"b\":" KEY8 ",\"c\":" KEY9 "}"), CP_EPOLICY,
         "authorities.c: ", "same key as authority \"a\"");
  /* More than CP_POLICY_AUTHORITIES_MAX, each well-formed (and exactly the
   * maximum is accepted). */
  for (unsigned extra = 0; extra < 2; extra++) {
    size_t n = (size_t)snprintf(doc, sizeof doc, TOP "\"authorities\":{");
    for (unsigned i = 0; i < CP_POLICY_AUTHORITIES_MAX + extra; i++)
      n += (size_t)snprintf(doc + n, sizeof doc - n, "%s\"a%u\":\"%064x\"", i ? "," : "", i,
                            i + 1);
    snprintf(doc + n, sizeof doc - n, "}," CUR RULE);
    if (extra == 0) {
      if (cp_policy_validate(doc, strlen(doc), &d) != CP_OK) fail_msg("%s", d.msg);
    } else {
      refuse(doc, CP_EPOLICY, "authorities: more than 64 authorities", NULL);
    }
  }
}

static void huge_numbers_and_lists_are_refused(void **state) {
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"count\",\"currency\":\"c\",\"amount\":1,"
         "\"every\":100000000000000000000000000000}]}",
         CP_EPOLICY, "line 1", "too big");
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"count\",\"currency\":\"c\",\"amount\":1,"
         "\"every\":1e400}]}",
         CP_EPOLICY, "line 1", NULL);
  /* 1025 credentials in one list. */
  size_t cap = 64 * 1024;
  char *doc = malloc(cap);
  assert_non_null(doc);
  size_t n = (size_t)snprintf(doc, cap, HEAD CUR "\"sets\":{\"big\":[");
  for (int i = 0; i <= 1024; i++)
    n += (size_t)snprintf(doc + n, cap - n, "%s\"m%d\"", i ? "," : "", i);
  snprintf(doc + n, cap - n, "]},\"rules\":[]}");
  refuse(doc, CP_EPOLICY, "sets.big: more than 1024 credentials", NULL);
  /* 33 rules. */
  n = (size_t)snprintf(doc, cap, HEAD CUR "\"rules\":[");
  for (int i = 0; i < 33; i++)
    n += (size_t)snprintf(
        doc + n, cap - n,
        "%s{\"id\":\"r%d\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1}", i ? "," : "",
        i);
  snprintf(doc + n, cap - n, "]}");
  refuse(doc, CP_EPOLICY, "rules: more than 32 rules", NULL);
  /* Over the document size limit. */
  memset(doc, ' ', cap - 1);
  doc[0] = '{';
  doc[cap - 2] = '}';
  doc[cap - 1] = 0;
  refuse(doc, CP_ETOOBIG, "exceeds", NULL);
  free(doc);
}

static void deep_nesting_is_refused_before_parsing(void **state) {
  char doc[20000];
  size_t n = 0;
  for (int i = 0; i < 5000; i++) doc[n++] = '[';
  for (int i = 0; i < 5000; i++) doc[n++] = ']';
  doc[n] = 0;
  refuse(doc, CP_EPOLICY, "nesting deeper than 8", "line 1, column 9");
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"r\",\"kind\":\"per_award\",\"currency\":\"c\",\"amount\":1,"
         "\"filter\":{\"window\":{\"kind\":{\"a\":{\"b\":{\"c\":[]}}}}}}]}",
         CP_EPOLICY, "nesting deeper", NULL);
}

static void conversion_cycles_are_refused(void **state) {
  refuse(HEAD
         "\"currencies\":[{\"id\":\"a\",\"unit\":\"u\"},{\"id\":\"b\",\"unit\":\"u\"},"
         "{\"id\":\"x\",\"unit\":\"u\"}],\"rules\":["
         "{\"id\":\"ab\",\"kind\":\"convert\",\"from\":\"a\",\"currency\":\"b\","
         "\"rate\":{\"from\":1,\"to\":1}},"
         "{\"id\":\"bx\",\"kind\":\"convert\",\"from\":\"b\",\"currency\":\"x\","
         "\"rate\":{\"from\":1,\"to\":1}},"
         "{\"id\":\"xa\",\"kind\":\"convert\",\"from\":\"x\",\"currency\":\"a\","
         "\"rate\":{\"from\":1,\"to\":1}}]}",
         CP_EPOLICY, "rules[0]: conversions form a cycle", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"cc\",\"kind\":\"convert\",\"from\":\"c\",\"currency\":\"c\","
         "\"rate\":{\"from\":1,\"to\":2}}]}",
         CP_EPOLICY, "cycle", NULL);
  refuse(HEAD CUR
         "\"rules\":[{\"id\":\"cc\",\"kind\":\"convert\",\"from\":\"c\",\"currency\":\"c\","
         "\"rate\":{\"from\":0,\"to\":2}}]}",
         CP_EPOLICY, "rules[0].rate.from: must be positive", NULL);
}

static void conversions_chain_in_dependency_order(void **state) {
  /* Written last-first: b -> x needs a -> b to have run. */
  fx *f = fx_new(NULL);
  f->p = compile_text(HEAD
                      "\"currencies\":[{\"id\":\"a\",\"unit\":\"u\"},{\"id\":\"b\",\"unit\":\"u\"},"
                      "{\"id\":\"x\",\"unit\":\"u\"}],\"rules\":["
                      "{\"id\":\"bx\",\"kind\":\"convert\",\"from\":\"b\",\"currency\":\"x\","
                      "\"rate\":{\"from\":2,\"to\":1}},"
                      "{\"id\":\"ab\",\"kind\":\"convert\",\"from\":\"a\",\"currency\":\"b\","
                      "\"rate\":{\"from\":1,\"to\":3},\"cap\":{\"amount\":10}},"
                      "{\"id\":\"earn\",\"kind\":\"per_award\",\"currency\":\"a\",\"amount\":2}]}");
  for (int i = 0; i < 3; i++) {
    char id[8];
    snprintf(id, sizeof id, "m%d", i);
    fx_award(f, K_OTHER, id, 1, 0, "2020-01-01");
  }
  fx_eval(f, "2020-01-02");
  assert_int_equal(fx_total(f, "a"), 6);
  assert_int_equal(fx_total(f, "b"), 10); /* 18, capped at 10 */
  assert_int_equal(fx_total(f, "x"), 5);
  fx_free(f);
}

/* Flips, deletes and duplicates bytes of the examples: whatever comes out,
 * validation returns a code and a message, never crashes (ASan/UBSan runs
 * make this a real check). */
static void corrupted_examples_never_crash(void **state) {
  uint64_t seed = 0x2545F4914F6CDD1DULL;
  unsigned accepted = 0, refused = 0;
  for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
    char *path = cpt_path(EXAMPLES, examples[e]);
    size_t len = 0;
    uint8_t *orig = cpt_read_file(path, &len);
    char *doc = malloc(len + 64);
    assert_non_null(doc);
    for (int round = 0; round < 400; round++) {
      memcpy(doc, orig, len);
      size_t n = len;
      for (int k = 0; k < 1 + round % 4; k++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        size_t at = (size_t)(seed % n);
        switch ((seed >> 32) % 4) {
        case 0: doc[at] = (char)(seed >> 40); break;
        case 1:
          memmove(doc + at, doc + at + 1, n - at - 1);
          n--;
          break;
        case 2: doc[at] = "{}[]\",:0123456789-."[(seed >> 24) % 20]; break;
        default:
          if (n < len + 60) {
            memmove(doc + at + 1, doc + at, n - at);
            n++;
          }
        }
      }
      cp_diag d = {{0}};
      int rc = cp_policy_validate(doc, n, &d);
      if (rc == CP_OK)
        accepted++;
      else {
        assert_int_equal(rc, CP_EPOLICY);
        assert_true(strlen(d.msg) > 0);
        refused++;
      }
    }
    free(doc);
    free(orig);
    free(path);
  }
  assert_true(refused > 1000);
  print_message("corrupted examples: %u refused, %u still valid\n", refused, accepted);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(examples_compile),
    cmocka_unit_test(examples_validate),
    cmocka_unit_test(syntax_error_has_line_and_column),
    cmocka_unit_test(semantic_error_has_path_line_and_column),
    cmocka_unit_test(unknown_rule_kind_and_members_are_refused),
    cmocka_unit_test(references_must_resolve),
    cmocka_unit_test(bad_scalars_are_refused),
    cmocka_unit_test(bad_authorities_are_refused),
    cmocka_unit_test(huge_numbers_and_lists_are_refused),
    cmocka_unit_test(deep_nesting_is_refused_before_parsing),
    cmocka_unit_test(conversion_cycles_are_refused),
    cmocka_unit_test(conversions_chain_in_dependency_order),
    cmocka_unit_test(corrupted_examples_never_crash),
};

CP_TEST_MAIN(tests)
