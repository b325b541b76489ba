/*
 * Text that displays as what it is: cp_text_escape (exact escapes, whole
 * pieces when cut), the rule for new entries (cp_entry_check_new, applied
 * by cp_entry_sign) and the decoder, which still accepts such text from
 * other logs (docs/FORMATS.md, "Text in new entries").
 */
#include "cptest.h"

#include <string.h>

#include "credport/entry.h"
#include "credport/text.h"

static uint8_t buf[CP_ENTRY_MAX];

static cp_str S(const char *s) {
  cp_str v = {s, strlen(s)};
  return v;
}

static cp_key *key(void) {
  uint8_t seed[CP_SEED_BYTES];
  cp_key *k = NULL;
  memset(seed, 7, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &k), CP_OK);
  return k;
}

static void credential(cp_entry *e, const cp_key *k, const char *title, const char *competency) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION;
  e->type = CP_T_CREDENTIAL;
  cp_key_public(k, e->log);
  e->seq = 1;
  e->time = 1760000000;
  memset(e->prev, 0x11, CP_HASH_BYTES);
  e->u.credential.id = S("c1");
  e->u.credential.title = S(title);
  e->u.credential.competency = S(competency);
  e->u.credential.level = 1;
}

static void check_escape(const char *in, size_t n, const char *want) {
  char out[256];
  size_t need = cp_text_escape(in, n, out, sizeof out);
  assert_string_equal(out, want);
  assert_int_equal(need, strlen(want));
}

static void escape_each_kind(void **state) {
  (void)state;
  check_escape("plain Ünïcode, 名前", strlen("plain Ünïcode, 名前"), "plain Ünïcode, 名前");
  check_escape("a\nb\tc\rd", 7, "a\\nb\\tc\\rd");
  check_escape("back\\slash", 10, "back\\\\slash");
  check_escape("\x01\x1b[2J\x7f", 6, "\\u{0001}\\u{001B}[2J\\u{007F}");
  check_escape("c1\xc2\x85x\xc2\x9b", 7, "c1\\u{0085}x\\u{009B}");
  check_escape("\xe2\x80\xae" "evil\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 21,
               "\\u{202E}evil\\u{2066}\\u{2069}\\u{200E}\\u{200F}\\u{061C}");
  check_escape("\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u{2028}\\u{2029}");
  /* Not UTF-8: each byte of the bad sequence shown, the rest kept. */
  check_escape("ok\xff\xc3", 4, "ok\\x{FF}\\x{C3}");
  /* U+202D and U+202A are overrides too; U+202F (a space) is not. */
  check_escape("\xe2\x80\xad\xe2\x80\xaa\xe2\x80\xaf", 9, "\\u{202D}\\u{202A}\xe2\x80\xaf");
  /* NUL inside the given length is shown, not taken as the end. */
  check_escape("a\0b", 3, "a\\u{0000}b");
}

static void escape_cut_at_whole_pieces(void **state) {
  (void)state;
  char out[8];
  /* "ab" + "\u{202E}" (8 bytes) does not fit in 7: the escape is left out whole. */
  assert_int_equal(cp_text_escape("ab\xe2\x80\xae", 5, out, sizeof out), 10);
  assert_string_equal(out, "ab");
  /* A UTF-8 sequence is never cut either. */
  assert_int_equal(cp_text_escape("abcde名", 8, out, 7), 8);
  assert_string_equal(out, "abcde");
  /* Length only. */
  assert_int_equal(cp_text_escape("x\ny", 3, NULL, 0), 4);
  assert_int_equal(cp_text_escape(NULL, 0, out, sizeof out), 0);
  assert_string_equal(out, "");
}

static void check_new_names_kind_and_place(void **state) {
  (void)state;
  size_t bad = 99;
  uint32_t c = 0;
  assert_null(cp_text_check_new("fine", 4, 0, &bad, &c));
  assert_null(cp_text_check_new("two\nlines\tok", 12, 1, &bad, &c));
  assert_string_equal(cp_text_check_new("two\nlines", 9, 0, &bad, &c), "line feed");
  assert_int_equal(bad, 3);
  assert_int_equal(c, '\n');
  assert_string_equal(cp_text_check_new("x\ty", 3, 0, &bad, &c), "tab");
  assert_string_equal(cp_text_check_new("ab\xc2\x85", 4, 1, &bad, &c), "C1 control character");
  assert_int_equal(bad, 2);
  assert_int_equal(c, 0x85);
  assert_string_equal(cp_text_check_new("ab\xe2\x81\xa7", 5, 1, &bad, &c),
                      "bidirectional control");
  assert_int_equal(c, 0x2067);
  assert_string_equal(cp_text_check_new("\xe2\x80\xa8", 3, 1, &bad, &c),
                      "line or paragraph separator");
  assert_string_equal(cp_text_check_new("a\x1b", 2, 1, &bad, &c), "control character");
}

/* cp_entry_sign refuses what a new entry must not hold, naming the field,
 * the kind, the code point and the byte; multi-line fields keep LF and TAB. */
static void sign_refuses_deceptive_text(void **state) {
  (void)state;
  cp_key *k = key();
  cp_entry e;
  cp_diag d = {{0}};
  size_t n;
  credential(&e, k, "Reading\nc1 \"Forged\" level 4", "one");
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), CP_EINVAL);
  assert_string_equal(d.msg, "credential.title: line feed U+000A at byte 7 is not allowed in a "
                             "new entry");
  credential(&e, k, "Title \xe2\x80\xae" "fdp.exe", "one");
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), CP_EINVAL);
  assert_string_equal(d.msg, "credential.title: bidirectional control U+202E at byte 6 is not "
                             "allowed in a new entry");
  credential(&e, k, "Title", "line one\n\tline two \xc2\x9b" "2J");
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), CP_EINVAL);
  assert_string_equal(d.msg, "credential.competency: C1 control character U+009B at byte 19 is "
                             "not allowed in a new entry");
  credential(&e, k, "Title", "one");
  e.u.credential.areas[0] = S("math");
  e.u.credential.areas[1] = S("sci\xd8\x9c" "ence");
  e.u.credential.n_areas = 2;
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), CP_EINVAL);
  assert_string_equal(d.msg, "credential.areas[1]: bidirectional control U+061C at byte 3 is not "
                             "allowed in a new entry");
  /* Multi-line text keeps its lines. */
  credential(&e, k, "Title", "line one\n\tline two");
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), CP_OK);
  cp_key_free(k);
}

/* An entry another implementation signed with such text still decodes and
 * verifies: received entries are not held to the rule for new ones. */
static void decoder_accepts_relayed_text(void **state) {
  (void)state;
  cp_key *k = key();
  cp_entry e, got;
  cp_diag d = {{0}};
  size_t n;
  uint8_t pk[CP_PK_BYTES];
  const char *title = "Evil\nc2 \"Forged\" level 4\xc2\x85\xe2\x80\xae";
  credential(&e, k, title, "one");
  assert_int_equal(cp_entry_check_new(&e, &d), CP_EINVAL);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_OK);
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_ENTRY, buf, n, buf + n), CP_OK);
  n += CP_SIG_BYTES;
  assert_int_equal(cp_entry_decode(buf, n, &got, &d), CP_OK);
  assert_int_equal(got.u.credential.title.len, strlen(title));
  assert_memory_equal(got.u.credential.title.p, title, strlen(title));
  cp_key_public(k, pk);
  assert_int_equal(cp_entry_verify(buf, n, pk), CP_OK);
  cp_key_free(k);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(escape_each_kind),
    cmocka_unit_test(escape_cut_at_whole_pieces),
    cmocka_unit_test(check_new_names_kind_and_place),
    cmocka_unit_test(sign_refuses_deceptive_text),
    cmocka_unit_test(decoder_accepts_relayed_text),
};

CP_TEST_MAIN(tests)
