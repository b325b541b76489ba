/*
 * Replays the fuzz seed corpus (tests/fuzz/corpus/entry/) as an ordinary
 * test: every file that decodes must re-encode to exactly its own bytes,
 * the property tests/fuzz/fuzz_entry.c checks. The seeds, TYPE-N.bin, are
 * valid signed entries (tests/fuzz/gen_corpus.c), so they must also decode
 * and verify; other files (inputs a fuzzer found worth keeping) need only
 * hold the property.
 */
#include "cptest.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "credport/entry.h"

#define CORPUS CP_TEST_VECTORS "/../fuzz/corpus/entry"

static uint8_t out[CP_ENTRY_MAX];

static void corpus_round_trips(void **state) {
  DIR *dir = opendir(CORPUS);
  if (dir == NULL) fail_msg("cannot open %s", CORPUS);
  struct dirent *de;
  unsigned files = 0, types = 0, types2 = 0;
  while ((de = readdir(dir)) != NULL) {
    if (de->d_name[0] == '.') continue;
    char *path = cpt_path(CORPUS, de->d_name);
    size_t len;
    uint8_t *b = cpt_read_file(path, &len);
    cp_entry e;
    cp_diag d = {{0}};
    size_t nl = strlen(de->d_name);
    int seed = nl > 4 && strcmp(de->d_name + nl - 4, ".bin") == 0;
    int rc = cp_entry_decode(b, len, &e, &d);
    files++;
    if (rc != 0 && !seed) {
      free(b);
      free(path);
      continue;
    }
    if (rc != 0) fail_msg("%s: %s", de->d_name, d.msg);
    size_t n;
    rc = cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d);
    if (rc != 0) fail_msg("%s: re-encode: %s", de->d_name, d.msg);
    if (n + CP_SIG_BYTES != len || memcmp(out, b, n) != 0 ||
        memcmp(e.sig, b + n, CP_SIG_BYTES) != 0)
      fail_msg("%s: re-encoding differs", de->d_name);
    if (seed && cp_entry_verify(b, len, e.log) != 0) fail_msg("%s: signature", de->d_name);
    if (seed && e.version == CP_ENTRY_VERSION) types |= 1u << e.type;
    if (seed && e.version == CP_ENTRY_VERSION_2) types2 |= 1u << e.type;
    free(b);
    free(path);
  }
  closedir(dir);
  assert_true(files >= 10);
  assert_int_equal(types, 0x7FEu); /* every version 1 type, 1..10, is seeded */
  assert_int_equal(types2, 1u << CP_T_REVOKE | 1u << CP_T_ENDORSE | 1u << CP_T_LICENSURE);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(corpus_round_trips),
};

CP_TEST_MAIN(tests)
