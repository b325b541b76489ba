/* Trust files and durations (proto/trust.c). */
#include "cptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/trust.h"

/* The verifier key of an Ed25519 seed made from b (a different key for each b), as an
 * issuer (alg 0x01) or a witness (0x04) key named name. */
static void vkey_of(unsigned b, uint8_t alg, const char *name, char out[CP_VKEY_MAX]) {
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  cp_key *k = NULL;
  memset(seed, (int)(b & 0xFF), sizeof seed);
  seed[0] = (uint8_t)(b >> 8);
  assert_int_equal(cp_key_from_seed(seed, &k), 0);
  cp_key_public(k, pk);
  cp_key_free(k);
  assert_int_equal(cp_note_vkey_format(name, alg, pk, out), 0);
}

static cp_trust *parse_ok(const char *text) {
  cp_trust *t = malloc(sizeof *t);
  cp_diag d = {{0}};
  assert_non_null(t);
  if (cp_trust_parse(text, strlen(text), t, &d) != 0) fail_msg("refused: %s\n%s", d.msg, text);
  return t;
}

static void parse_bad(const char *text, int err, const char *msg_part) {
  cp_trust *t = malloc(sizeof *t);
  cp_diag d = {{0}};
  assert_non_null(t);
  int rc = cp_trust_parse(text, strlen(text), t, &d);
  if (rc != err) fail_msg("want %d, got %d (%s) for\n%s", err, rc, d.msg, text);
  if (strstr(d.msg, msg_part) == NULL) fail_msg("message \"%s\" lacks \"%s\"", d.msg, msg_part);
  free(t);
}

static void issuers_witnesses_comments(void **state) {
  char a[CP_VKEY_MAX], b[CP_VKEY_MAX], w[CP_VKEY_MAX], text[2048];
  vkey_of(1, CP_NOTE_ALG_ED25519, "credport/us-nc/aa", a);
  vkey_of(2, CP_NOTE_ALG_ED25519, "credport/us-va/bb", b);
  vkey_of(3, CP_NOTE_ALG_COSIG_V1, "credport/us-va/bb/witness", w);
  snprintf(text, sizeof text,
           "# issuers\n%s\n\n   \t\n  %s  \r\n# witnesses\nwitness %s\r\nwitness\t  %s", a, b, w,
           w);
  /* The same witness twice is refused ... */
  parse_bad(text, CP_ECORRUPT, "line 8: the witness key of line 7 again");
  snprintf(text, sizeof text, "# issuers\n%s\n\n   \t\n  %s  \r\n# witnesses\nwitness %s\r\n", a, b,
           w);
  cp_trust *t = parse_ok(text);
  assert_int_equal(t->n_issuers, 2);
  assert_int_equal(t->n_witnesses, 1);
  assert_string_equal(t->issuers[0].name, "credport/us-nc/aa");
  assert_string_equal(t->issuers[1].name, "credport/us-va/bb");
  assert_string_equal(t->witnesses[0].name, "credport/us-va/bb/witness");
  assert_int_equal(t->issuer_line[1], 5);
  assert_int_equal(t->witness_line[0], 7);
  assert_ptr_equal(cp_trust_issuer(t, t->issuers[1].pk), &t->issuers[1]);
  assert_null(cp_trust_issuer(t, t->witnesses[0].pk));
  free(t);
  t = parse_ok("");
  assert_int_equal(t->n_issuers + t->n_witnesses, 0);
  free(t);
  t = parse_ok("# nothing\n\n");
  assert_int_equal(t->n_issuers + t->n_witnesses, 0);
  free(t);
}

static void refusals_name_the_line(void **state) {
  char a[CP_VKEY_MAX], w[CP_VKEY_MAX], text[4096];
  vkey_of(1, CP_NOTE_ALG_ED25519, "credport/us-nc/aa", a);
  vkey_of(3, CP_NOTE_ALG_COSIG_V1, "credport/us-va/bb/witness", w);
  snprintf(text, sizeof text, "%s\n%s\n", a, w);
  parse_bad(text, CP_ECORRUPT, "line 2: a witness key (type 0x04) must be written");
  snprintf(text, sizeof text, "# x\nwitness %s\n", a);
  parse_bad(text, CP_ECORRUPT, "line 2: \"witness\" needs a witness key");
  snprintf(text, sizeof text, "%s\n\n%s\n", a, a);
  parse_bad(text, CP_ECORRUPT, "line 3: the issuer key of line 1 again");
  parse_bad("\n\nnot a key\n", CP_ECORRUPT, "line 3: verifier key");
  snprintf(text, sizeof text, "%s # comment\n", a);
  parse_bad(text, CP_ECORRUPT, "line 1:");
  /* A key id that does not match its key. */
  snprintf(text, sizeof text, "%s\n", a);
  char *plus = strchr(text, '+');
  plus[1] = plus[1] == '0' ? '1' : '0';
  parse_bad(text, CP_ECORRUPT, "line 1: verifier key");
  parse_bad("witness\n", CP_ECORRUPT, "line 1:");
  /* Bounds: a long line, a long file, too many keys. */
  char *big = malloc(CP_TRUST_FILE_MAX + 2);
  assert_non_null(big);
  memset(big, '#', CP_TRUST_LINE_MAX + 1);
  big[CP_TRUST_LINE_MAX + 1] = 0;
  parse_bad(big, CP_ETOOBIG, "line 1:");
  for (size_t i = 0; i < CP_TRUST_FILE_MAX + 1; i++) big[i] = (i % 64 == 63) ? '\n' : '#';
  big[CP_TRUST_FILE_MAX + 1] = 0;
  parse_bad(big, CP_ETOOBIG, "more than");
  size_t pos = 0;
  for (unsigned i = 0; i <= CP_TRUST_ISSUERS_MAX; i++) {
    char k[CP_VKEY_MAX], name[32];
    snprintf(name, sizeof name, "issuer%u", i);
    vkey_of(i + 1, CP_NOTE_ALG_ED25519, name, k);
    pos += (size_t)snprintf(big + pos, CP_TRUST_FILE_MAX - pos, "%s\n", k);
  }
  parse_bad(big, CP_ETOOBIG, "line 257: more than 256 issuer keys");
  free(big);
  /* A NUL byte inside a line. */
  cp_trust *t = malloc(sizeof *t);
  cp_diag d = {{0}};
  assert_int_equal(cp_trust_parse("# a\n#\0b\n", 8, t, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "line 2: a NUL byte"));
  free(t);
}

static void durations(void **state) {
  static const struct {
    const char *s;
    uint64_t v;
  } ok[] = {{"90s", 90}, {"12h", 43200}, {"30d", 2592000},
            {"5m", 300}, {"1s", 1},      {"36500d", 36500ull * 86400}};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    uint64_t v = 0;
    if (cp_duration_parse(ok[i].s, &v) != 0) fail_msg("\"%s\" refused", ok[i].s);
    assert_int_equal(v, ok[i].v);
  }
  static const char *const bad[] = {
      "",    "s",   "90",   "0s",    "090s", "-5s", "+5s",    "5 s",
      " 5s", "5s ", "1.5h", "1h30m", "5S",   "5w",  "36501d", "99999999999999999999s",
      "5ss", "d"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t v = 777;
    if (cp_duration_parse(bad[i], &v) != CP_EINVAL) fail_msg("\"%s\" accepted", bad[i]);
    assert_int_equal(v, 777);
  }
  uint64_t v;
  assert_int_equal(cp_duration_parse(NULL, &v), CP_EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(issuers_witnesses_comments),
    cmocka_unit_test(refusals_name_the_line),
    cmocka_unit_test(durations),
};

CP_TEST_MAIN(tests)
