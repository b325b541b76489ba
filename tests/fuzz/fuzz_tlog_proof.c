/*
 * libFuzzer target for C2SP tlog-proof@v1 files (cp_tlog_proof_parse), as
 * `credport verify` reads them: the proof part, then the checkpoint note it
 * carries (opened with the fuzz_note log key). The encoding is canonical
 * (strict base64, decimal without leading zeros), so anything accepted must
 * write back to exactly the input bytes; the note must lie inside the input
 * and be its tail. Anything else aborts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/note.h"
#include "credport/proof.h"

static cp_note_verifier v;

static void setup(void) {
  static int done;
  uint8_t seed[CP_SEED_BYTES];
  cp_key *k = NULL;
  if (done) return;
  done = 1;
  if (cp_crypto_init() != 0) abort();
  memset(seed, 0x4c, sizeof seed);
  if (cp_key_from_seed(seed, &k) != 0) abort();
  memcpy(v.name, "fuzz.example/log", sizeof "fuzz.example/log");
  v.alg = CP_NOTE_ALG_ED25519;
  cp_key_public(k, v.pk);
  v.key_id = cp_note_key_id(v.name, v.alg, v.pk);
  cp_key_free(k);
}

/* Appends s[0..n) to out at *pos; aborts if it would not fit. */
static void put(char *out, size_t cap, size_t *pos, const char *s, size_t n) {
  if (n > cap - *pos) abort();
  memcpy(out + *pos, s, n);
  *pos += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static cp_tlog_proof p;
  static char out[64 * 1024];
  static cp_note_result r;
  char b64[CP_B64_LEN(CP_STR_MAX) + 1], line[64];
  const char *text = (const char *)data;
  cp_diag d = {{0}};
  size_t pos = 0;
  setup();
  if (cp_tlog_proof_parse(text, size, &p, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return 0;
  }
  if (p.n > CP_PROOF_HASHES_MAX || p.extra_len > sizeof p.extra) abort();
  if (p.note < text || p.note_len == 0 || p.note + p.note_len != text + size) abort();
  put(out, sizeof out, &pos, "c2sp.org/tlog-proof@v1\n", 23);
  if (p.has_extra) {
    cp_b64_encode(p.extra, p.extra_len, b64);
    put(out, sizeof out, &pos, "extra ", 6);
    put(out, sizeof out, &pos, b64, strlen(b64));
    put(out, sizeof out, &pos, "\n", 1);
  }
  int n = snprintf(line, sizeof line, "index %" PRIu64 "\n", p.index);
  put(out, sizeof out, &pos, line, (size_t)n);
  for (size_t i = 0; i < p.n; i++) {
    cp_b64_encode(p.hashes[i], CP_HASH_BYTES, b64);
    put(out, sizeof out, &pos, b64, strlen(b64));
    put(out, sizeof out, &pos, "\n", 1);
  }
  put(out, sizeof out, &pos, "\n", 1);
  put(out, sizeof out, &pos, p.note, p.note_len);
  if (pos != size || memcmp(out, data, size) != 0) abort();
  /* What verify does next: open the carried checkpoint. */
  if (cp_note_open_checkpoint(p.note, p.note_len, &v, 1, NULL, &r, &d) == CP_OK &&
      r.verified_log != 1)
    abort();
  return 0;
}
