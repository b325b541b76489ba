/*
 * Writes the entry fuzz seed corpus: every sample entry of every type
 * (tests/proto/entry_samples.h) up to 4 KiB, signed by a fixed test key, one
 * file each. The larger maximal samples are left out: they would raise
 * libFuzzer's default input size, and so slow every run, to ~50 KB.
 *   gen_corpus DIR
 * The output is deterministic (Ed25519 signatures are), so regenerating
 * the corpus gives the same files.
 */
#include <stdio.h>
#include <stdlib.h>

#include "credport/entry.h"
#include "../proto/entry_samples.h"

static uint8_t buf[CP_ENTRY_MAX];

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_corpus DIR\n");
    return 2;
  }
  if (cp_crypto_init() != 0) return 1;
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES];
  for (unsigned i = 0; i < sizeof seed; i++) seed[i] = (uint8_t)(0xC0 + i);
  cp_key *k = NULL;
  if (cp_key_from_seed(seed, &k) != 0) return 1;
  cp_key_public(k, pk);
  int rc = 0;
  for (unsigned t = CP_T_AUTHORITY; t <= CP_T_CLOCK; t++)
    for (int v = 0; v < SAMPLE_VARIANTS; v++) {
      cp_entry e;
      cp_diag d;
      size_t n;
      sample_entry(t, v, &e);
      memcpy(e.log, pk, sizeof pk);
      /* Signed as any valid entry from another log may be: not through
       * cp_entry_sign, whose rule for new entries (no TAB or LF in one-line
       * text) the maximal samples break. */
      if (cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d) != 0 ||
          cp_sig_sign(k, CP_PURPOSE_ENTRY, buf, n, buf + n) != 0) {
        fprintf(stderr, "%s %d: %s\n", cp_entry_type_name(t), v, d.msg);
        rc = 1;
        continue;
      }
      n += CP_SIG_BYTES;
      if (n > 4096) continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s-%d.bin", argv[1], cp_entry_type_name(t), v);
      FILE *f = fopen(path, "wb");
      if (f == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        rc = 1;
      }
    }
  cp_key_free(k);
  return rc;
}
