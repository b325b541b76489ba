/*
 * Proof documents: strict JSON inclusion/consistency proofs and C2SP
 * tlog-proof files. Expected values are those of the independent
 * implementation's vectors (tests/vectors/tlog/).
 */
#include "cptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/proof.h"

static char *vec(const char *rel, size_t *len) {
  char *p = cpt_path(CP_TEST_VECTORS "/tlog", rel);
  char *t = (char *)cpt_read_file(p, len);
  free(p);
  return t;
}

static void b64_32(const char *s, uint8_t out[32]) {
  size_t n = 0;
  assert_int_equal(cp_b64_decode(s, strlen(s), out, 32, &n), CP_OK);
  assert_int_equal(n, 32);
}

static void inclusion_vector(void **state) {
  static const char *const hashes[] = {
    "e4mjKIryZFH+OS7nDWkKFJyGV+avd4jJ2PhUAqGGORU=", "egxJB6PcAIEmN3Vd2MGjSFbBz4vKQX1xhCzK7m1VH24=",
    "G3V/zTlXa5kvrWApjvU6Vk9sDN8GO9MOr3rAjy5HSK8=", "A4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ="};
  size_t len = 0, i;
  char *text = vec("inclusion.5.13.json", &len), *out;
  cp_proof p;
  cp_diag d = {{0}};
  uint8_t h[32];
  (void)state;
  assert_int_equal(cp_proof_parse_json(text, len, &p, &d), CP_OK);
  assert_int_equal(p.kind, CP_PROOF_INCLUSION);
  assert_int_equal(p.leaf_index, 5);
  assert_int_equal(p.tree_size, 13);
  assert_int_equal(p.n, 4);
  assert_false(p.has_log);
  b64_32("UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=", h);
  assert_memory_equal(p.leaf_hash, h, 32);
  for (i = 0; i < 4; i++) {
    b64_32(hashes[i], h);
    assert_memory_equal(p.hashes[i], h, 32);
  }
  out = cp_proof_to_json(&p);
  assert_non_null(out);
  assert_string_equal(out,
                      "{\"leaf_index\":5,\"tree_size\":13,"
                      "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\","
                      "\"hashes\":[\"e4mjKIryZFH+OS7nDWkKFJyGV+avd4jJ2PhUAqGGORU=\","
                      "\"egxJB6PcAIEmN3Vd2MGjSFbBz4vKQX1xhCzK7m1VH24=\","
                      "\"G3V/zTlXa5kvrWApjvU6Vk9sDN8GO9MOr3rAjy5HSK8=\","
                      "\"A4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ=\"]}");
  free(out);
  free(text);
}

static void consistency_vector_and_log(void **state) {
  size_t len = 0;
  char *text = vec("consistency.8.13.json", &len), *out;
  cp_proof p, q;
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(cp_proof_parse_json(text, len, &p, &d), CP_OK);
  assert_int_equal(p.kind, CP_PROOF_CONSISTENCY);
  assert_int_equal(p.old_size, 8);
  assert_int_equal(p.new_size, 13);
  assert_true(p.has_old_root);
  assert_false(p.has_new_root);
  assert_int_equal(p.n, 1);
  /* With a log key and a new root, printed in the documented order. */
  p.has_log = 1;
  memset(p.log, 0xab, sizeof p.log);
  p.has_new_root = 1;
  b64_32("ZiQiULRtBkaL+ReRnRM5CF7hEhlivqXcm6Ly/t63Li0=", p.new_root);
  out = cp_proof_to_json(&p);
  assert_non_null(out);
  assert_string_equal(out,
                      "{\"log\":\"abababababababababababababababababababababababababababababababab\","
                      "\"old_size\":8,\"new_size\":13,"
                      "\"old_root\":\"8Z2xUf6MtKpVlSxnkUZNH9/Eg8bhIKximSO4Oex49tI=\","
                      "\"new_root\":\"ZiQiULRtBkaL+ReRnRM5CF7hEhlivqXcm6Ly/t63Li0=\","
                      "\"hashes\":[\"A4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ=\"]}");
  assert_int_equal(cp_proof_parse_json(out, strlen(out), &q, &d), CP_OK);
  assert_memory_equal(&q, &p, sizeof p); /* decode . encode is the identity */
  free(out);
  free(text);
}

static void strict_json(void **state) {
  static const struct {
    const char *json, *names;
    int rc;
  } bad[] = {
    {"{\"leaf_index\":5,\"tree_size\":13,\"leafhash\":\"x\",\"hashes\":[]}", "leafhash", CP_ECORRUPT},
    {"{\"leaf_index\":5,\"leaf_index\":5,\"tree_size\":13,"
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\",\"hashes\":[]}",
     "leaf_index", CP_ECORRUPT},
    {"{\"leaf_index\":5,\"tree_size\":\"13\","
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\",\"hashes\":[]}",
     "tree_size", CP_ECORRUPT},
    {"{\"leaf_index\":-1,\"tree_size\":13,"
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\",\"hashes\":[]}",
     "leaf_index", CP_ECORRUPT},
    {"{\"leaf_index\":5.0,\"tree_size\":13,"
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\",\"hashes\":[]}",
     "leaf_index", CP_ECORRUPT},
    {"{\"leaf_index\":5,\"tree_size\":13,\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQ\","
     "\"hashes\":[]}", "leaf_hash", CP_ECORRUPT},
    {"{\"leaf_index\":5,\"tree_size\":13,"
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\",\"hashes\":[\"AA==\"]}",
     "hashes", CP_ECORRUPT},
    {"{\"leaf_index\":5,\"tree_size\":13,"
     "\"leaf_hash\":\"UDRrky/1MzdLaz3HCjldryUtw/+9gVkcL1n8uOrQYCc=\"}", "hashes", CP_ECORRUPT},
    {"{\"old_size\":1,\"new_size\":2,\"hashes\":[],\"leaf_hash\":\"x\"}", "leaf_hash", CP_ECORRUPT},
    {"{\"old_size\":1,\"new_size\":2,\"hashes\":[],\"log\":\"abcd\"}", "log", CP_ECORRUPT},
    {"{\"old_size\":1,\"new_size\":2,\"hashes\":{}}", "hashes", CP_ECORRUPT},
    {"{\"new_size\":2,\"hashes\":[]}", "old_size", CP_ECORRUPT},
    {"{\"old_size\":1,\"new_size\":2,\"hashes\":[]} x",
     "proof JSON line 1 column 41: end of file expected", CP_ECORRUPT},
    {"[]", "proof JSON: must be an object", CP_ECORRUPT},
    {"", "proof JSON line 1 column 0: '[' or '{' expected", CP_ECORRUPT},
  };
  size_t i;
  cp_proof p;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cp_diag d = {{0}};
    int rc = cp_proof_parse_json(bad[i].json, strlen(bad[i].json), &p, &d);
    printf("case %zu: %s\n", i, d.msg);
    assert_int_equal(rc, bad[i].rc);
    assert_true(bad[i].names[0] != '\0'); /* "" would match any message */
    assert_non_null(strstr(d.msg, bad[i].names));
  }
}

static void too_many_hashes(void **state) {
  char buf[8192];
  size_t pos, i;
  cp_proof p;
  cp_diag d = {{0}};
  (void)state;
  pos = (size_t)snprintf(buf, sizeof buf, "{\"old_size\":1,\"new_size\":2,\"hashes\":[");
  for (i = 0; i <= CP_PROOF_HASHES_MAX; i++)
    pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s\"%s\"", i ? "," : "",
                            "A4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ=");
  snprintf(buf + pos, sizeof buf - pos, "]}");
  assert_int_equal(cp_proof_parse_json(buf, strlen(buf), &p, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "hashes"));
}

static void tlog_proof_vector(void **state) {
  size_t len = 0, clen = 0;
  char *text = vec("entry.5.tlog-proof", &len), *cp = vec("checkpoint.13.cosigned", &clen);
  cp_tlog_proof t;
  cp_diag d = {{0}};
  uint8_t h[32];
  (void)state;
  assert_int_equal(cp_tlog_proof_parse(text, len, &t, &d), CP_OK);
  assert_int_equal(t.index, 5);
  assert_int_equal(t.n, 4);
  b64_32("A4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ=", h);
  assert_memory_equal(t.hashes[3], h, 32);
  assert_true(t.has_extra);
  assert_int_equal(t.extra_len, strlen("opaque application hint"));
  assert_memory_equal(t.extra, "opaque application hint", t.extra_len);
  assert_int_equal(t.note_len, clen);
  assert_memory_equal(t.note, cp, clen);
  free(text);
  free(cp);
}

/* The encoder writes the layout of the independent vector byte for byte:
 * the vector parsed and formatted again is the vector; without its extra
 * line it is the vector minus that line. */
static void tlog_proof_format_vector(void **state) {
  size_t len = 0, olen = 0;
  char *text = vec("entry.5.tlog-proof", &len), *out = malloc(CP_TLOG_PROOF_MAX);
  cp_tlog_proof *t = calloc(1, sizeof *t);
  cp_diag d = {{0}};
  (void)state;
  assert_non_null(out);
  assert_non_null(t);
  assert_int_equal(cp_tlog_proof_parse(text, len, t, &d), CP_OK);
  assert_int_equal(cp_tlog_proof_format(t, out, CP_TLOG_PROOF_MAX, &olen), CP_OK);
  assert_int_equal(olen, len);
  assert_memory_equal(out, text, len);
  const char *extra = strstr(text, "\nextra ");
  assert_non_null(extra);
  const char *after = strchr(extra + 1, '\n');
  size_t cut = (size_t)(after - extra);
  t->has_extra = 0;
  assert_int_equal(cp_tlog_proof_format(t, out, CP_TLOG_PROOF_MAX, &olen), CP_OK);
  assert_int_equal(olen, len - cut);
  assert_memory_equal(out, text, (size_t)(extra - text));
  assert_memory_equal(out + (extra - text), after, len - (size_t)(after - text));
  /* Limits: a short buffer, a note not ending its last line. */
  assert_int_equal(cp_tlog_proof_format(t, out, olen - 1, &olen), CP_ETOOBIG);
  t->note_len--;
  assert_int_equal(cp_tlog_proof_format(t, out, CP_TLOG_PROOF_MAX, &olen), CP_EINVAL);
  free(t);
  free(out);
  free(text);
}

static void tlog_proof_strict(void **state) {
  static const char *const bad[] = {
    "c2sp.org/tlog-proof@v2\nindex 5\n\nx\n",
    "c2sp.org/tlog-proof@v1\nindex 05\n\nx\n",
    "c2sp.org/tlog-proof@v1\nindex \n\nx\n",
    "c2sp.org/tlog-proof@v1\nindex 5x\n\nx\n",
    "c2sp.org/tlog-proof@v1\nextra ***\nindex 5\n\nx\n",
    "c2sp.org/tlog-proof@v1\nindex 5\nAAAA\n\nx\n",
    "c2sp.org/tlog-proof@v1\nindex 5\nA4gHNJ0RgClUELmn/28jGSihN4BOJuJkK8iwfuXgdIQ=\n",
    "c2sp.org/tlog-proof@v1\nindex 5\n\n",
    "c2sp.org/tlog-proof@v1\n",
  };
  size_t i;
  cp_tlog_proof t;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cp_diag d = {{0}};
    assert_int_equal(cp_tlog_proof_parse(bad[i], strlen(bad[i]), &t, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, "line"));
  }
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(inclusion_vector),
  cmocka_unit_test(consistency_vector_and_log),
  cmocka_unit_test(strict_json),
  cmocka_unit_test(too_many_hashes),
  cmocka_unit_test(tlog_proof_vector),
  cmocka_unit_test(tlog_proof_format_vector),
  cmocka_unit_test(tlog_proof_strict),
};

CP_TEST_MAIN(tests)
