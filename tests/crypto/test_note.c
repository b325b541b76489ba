/*
 * C2SP signed notes, tlog-checkpoint and tlog-cosignature/v1.
 *
 * Known answers come from the independent implementation's vectors in the
 * tests/vectors/tlog/ (made with Go's golang.org/x/mod sumdb/note):
 * verifier key strings and key ids must re-derive, and a checkpoint signed
 * here with the test-only log key must equal theirs byte for byte (Ed25519
 * is deterministic).
 */
#include "cptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/merkle.h"
#include "credport/note.h"

#define ORIGIN "example.org/credential-ledger/test-node"

static char *vec(const char *rel, size_t *len) {
  char *p = cpt_path(CP_TEST_VECTORS "/tlog", rel);
  char *t = (char *)cpt_read_file(p, len);
  free(p);
  return t;
}

/* Strips one trailing newline; returns the length. */
static size_t chomp(char *s) {
  size_t n = strlen(s);
  if (n > 0 && s[n - 1] == '\n') s[--n] = '\0';
  return n;
}

static void vkeys_rederive(void **state) {
  static const char *const files[] = {"log.vkey", "other-log.vkey", "witness1.vkey",
                                      "witness2.vkey"};
  static const uint8_t algs[] = {0x01, 0x01, 0x04, 0x04};
  static const uint32_t ids[] = {0x585f5682, 0xfc872f2f, 0x271abf24, 0xc781c444};
  size_t i;
  (void)state;
  for (i = 0; i < 4; i++) {
    char *s = vec(files[i], NULL), out[CP_VKEY_MAX];
    size_t n = chomp(s);
    cp_note_verifier v;
    cp_diag d = {{0}};
    assert_int_equal(cp_note_vkey_parse(s, n, &v, &d), CP_OK);
    assert_int_equal(v.alg, algs[i]);
    assert_int_equal(v.key_id, ids[i]);
    assert_int_equal(cp_note_key_id(v.name, v.alg, v.pk), ids[i]);
    assert_int_equal(cp_note_vkey_format(v.name, v.alg, v.pk, out), CP_OK);
    assert_string_equal(out, s);
    /* A wrong key id is refused. */
    s[strlen(v.name) + 1] = s[strlen(v.name) + 1] == '0' ? '1' : '0';
    assert_int_equal(cp_note_vkey_parse(s, n, &v, &d), CP_ECORRUPT);
    free(s);
  }
}

/* The x/mod private key string: PRIVATE+KEY+name+id+base64(0x01 || seed). */
static cp_key *test_log_key(void) {
  char *s = vec("log.skey.TEST-ONLY", NULL), *b64;
  uint8_t raw[40];
  size_t n = chomp(s), rl = 0;
  cp_key *k = NULL;
  b64 = strrchr(s, '+');
  assert_non_null(b64);
  assert_int_equal(cp_b64_decode(b64 + 1, n - (size_t)(b64 + 1 - s), raw, sizeof raw, &rl), CP_OK);
  assert_int_equal(rl, 33);
  assert_int_equal(raw[0], 0x01);
  assert_int_equal(cp_key_from_seed(raw + 1, &k), CP_OK);
  free(s);
  return k;
}

static void sign_matches_vectors(void **state) {
  static const char *const files[] = {"checkpoint.8", "checkpoint.13"};
  static const uint64_t sizes[] = {8, 13};
  cp_key *k = test_log_key();
  uint8_t pk[32];
  char vk[CP_VKEY_MAX], *want_vk = vec("log.vkey", NULL), out[1024];
  size_t i, len = 0;
  (void)state;
  cp_key_public(k, pk);
  chomp(want_vk);
  assert_int_equal(cp_note_vkey_format(ORIGIN, CP_NOTE_ALG_ED25519, pk, vk), CP_OK);
  assert_string_equal(vk, want_vk);
  for (i = 0; i < 2; i++) {
    size_t wl = 0;
    char *want = vec(files[i], &wl);
    cp_note_result r;
    cp_note_verifier v;
    assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v, NULL), CP_OK);
    assert_int_equal(cp_note_open_checkpoint(want, wl, &v, 1, ORIGIN, &r, NULL), CP_OK);
    assert_int_equal(r.cp.size, sizes[i]);
    assert_int_equal(cp_checkpoint_sign(k, ORIGIN, r.cp.size, r.cp.root, out, sizeof out, &len),
                     CP_OK);
    assert_int_equal(len, wl);
    assert_memory_equal(out, want, wl);
    free(want);
  }
  /* Too small a buffer is refused, not truncated. */
  assert_int_equal(cp_checkpoint_sign(k, ORIGIN, 1, pk, out, 100, &len), CP_ETOOBIG);
  free(want_vk);
  cp_key_free(k);
}

static void open_cosigned_vector(void **state) {
  size_t len = 0, n;
  char *note = vec("checkpoint.13.cosigned", &len), *lv = vec("log.vkey", NULL);
  char *w1 = vec("witness1.vkey", NULL), *w2 = vec("witness2.vkey", NULL);
  cp_note_verifier v[3];
  cp_note_result r;
  cp_diag d = {{0}};
  (void)state;
  n = chomp(lv);
  assert_int_equal(cp_note_vkey_parse(lv, n, &v[0], &d), CP_OK);
  n = chomp(w1);
  assert_int_equal(cp_note_vkey_parse(w1, n, &v[1], &d), CP_OK);
  n = chomp(w2);
  assert_int_equal(cp_note_vkey_parse(w2, n, &v[2], &d), CP_OK);
  assert_int_equal(cp_note_open_checkpoint(note, len, v, 3, ORIGIN, &r, &d), CP_OK);
  assert_int_equal(r.verified, 3);
  assert_int_equal(r.verified_log, 1);
  assert_int_equal(r.cosigned, 2);
  assert_int_equal(r.unknown, 0);
  assert_int_equal(r.cosig_time[0], 1700000000); /* 0x000000006553f100 in both lines */
  assert_int_equal(r.cosig_time[1], 1700000000);
  /* Log key only: the cosignatures are unknown lines. */
  assert_int_equal(cp_note_open_checkpoint(note, len, v, 1, NULL, &r, &d), CP_OK);
  assert_int_equal(r.unknown, 2);
  assert_int_equal(r.cosigned, 0);
  /* Witnesses only: no log signature, no checkpoint. */
  assert_int_equal(cp_note_open_checkpoint(note, len, v + 1, 2, NULL, &r, &d), CP_EBADSIG);
  free(note);
  free(lv);
  free(w1);
  free(w2);
}

static void sign_open_cosign_roundtrip(void **state) {
  cp_key *log = NULL, *wit = NULL;
  uint8_t lpk[32], wpk[32], root[32];
  char vk[CP_VKEY_MAX], note[1024], cos[1024];
  size_t len = 0, clen = 0;
  cp_note_verifier v[2];
  cp_note_result r;
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(cp_key_generate(&log), CP_OK);
  assert_int_equal(cp_key_generate(&wit), CP_OK);
  cp_key_public(log, lpk);
  cp_key_public(wit, wpk);
  cp_merkle_leaf_hash((const uint8_t *)"x", 1, root);
  assert_int_equal(cp_checkpoint_sign(log, "example.com/a", 1, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_note_vkey_format("example.com/a", CP_NOTE_ALG_ED25519, lpk, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v[0], &d), CP_OK);
  assert_int_equal(cp_note_vkey_format("witness.example", CP_NOTE_ALG_COSIG_V1, wpk, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v[1], &d), CP_OK);
  assert_int_equal(cp_note_open_checkpoint(note, len, v, 1, "example.com/a", &r, &d), CP_OK);
  assert_int_equal(r.cp.size, 1);
  assert_memory_equal(r.cp.root, root, 32);
  assert_int_equal(r.cp.extension_lines, 0);
  assert_int_equal(cp_note_open_checkpoint(note, len, v, 1, "example.com/b", &r, &d), CP_EDENIED);
  assert_int_equal(cp_note_cosign(wit, "witness.example", 1234567890, note, len, cos, sizeof cos,
                                  &clen), CP_OK);
  assert_int_equal(cp_note_open_checkpoint(cos, clen, v, 2, NULL, &r, &d), CP_OK);
  assert_int_equal(r.cosigned, 1);
  assert_int_equal(r.cosig_time[0], 1234567890);
  /* Tamper with the cosignature's time field (base64 of bytes 4..11). */
  cos[clen - 80] = cos[clen - 80] == 'A' ? 'B' : 'A';
  assert_int_equal(cp_note_open_checkpoint(cos, clen, v, 2, NULL, &r, &d), CP_EBADSIG);
  assert_non_null(strstr(d.msg, "witness.example"));
  cp_key_free(log);
  cp_key_free(wit);
}

static void strict_parsing(void **state) {
  /* Each note is well-formed but for the one fault named; the signature
   * field (key id 0 and one byte) parses, so only that fault refuses it. */
  static const struct {
    const char *text, *why, *msg;
  } bad[] = {
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o AAAAAAA=", "no final newline",
     "does not end with a newline"},
    {"o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o AAAAAAA=\n", "leading 0",
     "line 2 byte 1: tree size has a leading zero"},
    {"o\n+1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o AAAAAAA=\n", "sign",
     "line 2 byte 1: not a decimal digit"},
    {"o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAA=\n", "zero root",
     "size 0 needs the empty-tree root"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==\n\n\xe2\x80\x94 o AAAAAAA=\n", "31-byte root",
     "line 3: root must be base64 of 32 bytes"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n- o AAAAAAA=\n", "hyphen, not em dash",
     "signature line 1 byte 1: must start with an em dash"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o+x AAAAAAA=\n", "plus in name",
     "signature line 1 byte 5: invalid key name"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o AAAA\n", "short sig",
     "signature line 1 byte 7: signature is not base64 of a key id and a signature"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n", "no signature lines",
     "no blank line followed by signature lines"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n\n\xe2\x80\x94 o AAAAAAA=\n", "CR",
     "line 3 byte 45: control character"},
    {"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\xff\n\n\xe2\x80\x94 o AAAAAAA=\n", "bad UTF-8",
     "line 4 byte 1: invalid UTF-8"},
    {"o\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 o AAAAAAA=\n",
     "size overflow", "tree size overflows 64 bits"},
  };
  size_t i;
  cp_note_result r;
  cp_diag d = {{0}};
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&d, 0, sizeof d);
    int rc = cp_note_open_checkpoint(bad[i].text, strlen(bad[i].text), NULL, 0, NULL, &r, &d);
    printf("%s: %s\n", bad[i].why, d.msg);
    assert_int_equal(rc, CP_ECORRUPT);
    if (strstr(d.msg, bad[i].msg) == NULL)
      fail_msg("%s: refused as \"%s\", want \"%s\"", bad[i].why, d.msg, bad[i].msg);
  }
  /* At most CP_NOTE_SIGS_MAX signature lines: 64 parse (all unknown keys,
   * so no log signature), 65 are refused for their number. */
  {
    static const char body[] = "o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n";
    static const char line[] = "\xe2\x80\x94 o AAAAAAA=\n";
    char many[sizeof body + (CP_NOTE_SIGS_MAX + 1) * (sizeof line - 1)];
    size_t n = sizeof body - 1;
    memcpy(many, body, n);
    for (i = 0; i < CP_NOTE_SIGS_MAX; i++, n += sizeof line - 1) memcpy(many + n, line, sizeof line - 1);
    memset(&d, 0, sizeof d);
    assert_int_equal(cp_note_open_checkpoint(many, n, NULL, 0, NULL, &r, &d), CP_EBADSIG);
    assert_int_equal(r.unknown, CP_NOTE_SIGS_MAX);
    assert_non_null(strstr(d.msg, "no signature by a trusted log key"));
    memcpy(many + n, line, sizeof line - 1);
    n += sizeof line - 1;
    memset(&d, 0, sizeof d);
    assert_int_equal(cp_note_open_checkpoint(many, n, NULL, 0, NULL, &r, &d), CP_ETOOBIG);
    if (strstr(d.msg, "more than 64 signature lines") == NULL)
      fail_msg("65 signature lines refused as \"%s\"", d.msg);
  }
  /* Well-formed but unsigned by anyone we know: parsed, then refused. */
  {
    static const char ok[] =
        "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n\n\xe2\x80\x94 o AAAAAAA=\n";
    assert_int_equal(cp_note_open_checkpoint(ok, sizeof ok - 1, NULL, 0, NULL, &r, &d),
                     CP_EBADSIG);
  }
  assert_int_equal(r.cp.extension_lines, 1);
  assert_int_equal(r.unknown, 1);
  assert_true(cp_note_name_valid("a.example/b", 11));
  assert_false(cp_note_name_valid("", 0));
  assert_false(cp_note_name_valid("a b", 3));
  assert_false(cp_note_name_valid("a\xc2\xa0" "b", 4)); /* U+00A0 */
}

/* Appends a cosignature/v1 line by wit (name "witness.example") at time ts,
 * signed here, so that times cp_note_cosign refuses can be written too.
 * out holds COSIG_OUT bytes. */
#define COSIG_OUT 2048
static void append_cosig(const cp_key *wit, uint64_t ts, const char *note, size_t tlen,
                         char *out, size_t *len) {
  uint8_t pk[32], raw[4 + 8 + 64];
  char msg[1024], b64[CP_B64_LEN(sizeof raw) + 1];
  int n = snprintf(msg, sizeof msg, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
  assert_true(n > 0 && (size_t)n + tlen < sizeof msg);
  memcpy(msg + n, note, tlen);
  cp_key_public(wit, pk);
  uint32_t id = cp_note_key_id("witness.example", CP_NOTE_ALG_COSIG_V1, pk);
  for (int i = 0; i < 4; i++) raw[i] = (uint8_t)(id >> (24 - 8 * i));
  for (int i = 0; i < 8; i++) raw[4 + i] = (uint8_t)(ts >> (56 - 8 * i));
  assert_int_equal(cp_sig_sign_raw(wit, (const uint8_t *)msg, (size_t)n + tlen, raw + 12), CP_OK);
  cp_b64_encode(raw, sizeof raw, b64);
  assert_true(*len < COSIG_OUT);
  int w = snprintf(out + *len, COSIG_OUT - *len, "\xe2\x80\x94 witness.example %s\n", b64);
  assert_true(w > 0 && (size_t)w < COSIG_OUT - *len);
  *len += (size_t)w;
}

/* Witness cosignature lines: a key's first line decides, a repeat is not
 * counted again (quorum counts r.cosigned); a time above 2^63-1 does not
 * verify even when the signature over it is good. */
static void cosignature_lines(void **state) {
  cp_key *log = NULL, *wit = NULL;
  uint8_t lpk[32], wpk[32], root[32];
  char vk[CP_VKEY_MAX], note[2048], two[COSIG_OUT];
  size_t len = 0, tlen, n;
  cp_note_verifier v[2];
  cp_note_result r;
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(cp_key_generate(&log), CP_OK);
  assert_int_equal(cp_key_generate(&wit), CP_OK);
  cp_key_public(log, lpk);
  cp_key_public(wit, wpk);
  cp_merkle_leaf_hash((const uint8_t *)"x", 1, root);
  assert_int_equal(cp_checkpoint_sign(log, "example.com/a", 1, root, note, sizeof note, &len),
                   CP_OK);
  assert_int_equal(cp_note_vkey_format("example.com/a", CP_NOTE_ALG_ED25519, lpk, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v[0], &d), CP_OK);
  assert_int_equal(cp_note_vkey_format("witness.example", CP_NOTE_ALG_COSIG_V1, wpk, vk), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vk, strlen(vk), &v[1], &d), CP_OK);
  tlen = (size_t)(strstr(note, "\n\n") - note) + 1; /* the checkpoint body */

  /* Two valid lines by the same witness, at different times: one counts. */
  n = len;
  memcpy(two, note, len);
  append_cosig(wit, 100, note, tlen, two, &n);
  append_cosig(wit, 200, note, tlen, two, &n);
  assert_int_equal(cp_note_open_checkpoint(two, n, v, 2, NULL, &r, &d), CP_OK);
  assert_int_equal(r.cosigned, 1);
  assert_int_equal(r.verified, 2);
  assert_int_equal(r.verified_log, 1);
  assert_int_equal(r.unknown, 0);
  assert_int_equal(r.cosig_time[0], 100);
  /* The same line twice: still one. */
  n = len;
  memcpy(two, note, len);
  append_cosig(wit, 100, note, tlen, two, &n);
  append_cosig(wit, 100, note, tlen, two, &n);
  assert_int_equal(cp_note_open_checkpoint(two, n, v, 2, NULL, &r, &d), CP_OK);
  assert_int_equal(r.cosigned, 1);
  assert_int_equal(r.verified, 2);

  /* A cosignature time of 2^63 (and of 2^64-1), validly signed: refused. */
  static const uint64_t big[] = {(uint64_t)INT64_MAX + 1, UINT64_MAX};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
    n = len;
    memcpy(two, note, len);
    append_cosig(wit, big[i], note, tlen, two, &n);
    memset(&d, 0, sizeof d);
    assert_int_equal(cp_note_open_checkpoint(two, n, v, 2, NULL, &r, &d), CP_EBADSIG);
    if (strstr(d.msg, "signature line 2: cosignature by witness.example does not verify") == NULL)
      fail_msg("time %llu refused as \"%s\"", (unsigned long long)big[i], d.msg);
  }
  /* INT64_MAX itself is the largest time allowed. */
  n = len;
  memcpy(two, note, len);
  append_cosig(wit, (uint64_t)INT64_MAX, note, tlen, two, &n);
  assert_int_equal(cp_note_open_checkpoint(two, n, v, 2, NULL, &r, &d), CP_OK);
  assert_int_equal(r.cosigned, 1);
  assert_true(r.cosig_time[0] == (uint64_t)INT64_MAX);
  cp_key_free(log);
  cp_key_free(wit);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(vkeys_rederive),
  cmocka_unit_test(sign_matches_vectors),
  cmocka_unit_test(open_cosigned_vector),
  cmocka_unit_test(sign_open_cosign_roundtrip),
  cmocka_unit_test(strict_parsing),
  cmocka_unit_test(cosignature_lines),
};

CP_TEST_MAIN(tests)
