/*
 * libFuzzer target for the key file parser (cp_key_parse, what cp_key_load
 * applies to a file's bytes). The format has one spelling per key, so
 * anything accepted must be exactly the text cp_key_save writes for that
 * seed, and the seed must give a usable key; anything else aborts.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/sig.h"

#define MAGIC "credport-ed25519-secret-key-v1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int init;
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES], sig[CP_SIG_BYTES];
  char canon[sizeof MAGIC + 2 * CP_SEED_BYTES + 2];
  cp_diag d = {{0}};
  cp_key *k = NULL;
  if (!init) {
    if (cp_crypto_init() != 0) abort();
    init = 1;
  }
  if (cp_key_parse("fuzz.key", (const char *)data, size, seed, &d) != CP_OK) {
    if (d.msg[0] == 0) abort(); /* a refusal always says why */
    return 0;
  }
  size_t m = sizeof MAGIC - 1;
  memcpy(canon, MAGIC, m);
  canon[m] = '\n';
  sodium_bin2hex(canon + m + 1, 2 * CP_SEED_BYTES + 1, seed, CP_SEED_BYTES);
  canon[m + 1 + 2 * CP_SEED_BYTES] = '\n';
  if (size != m + 2 + 2 * CP_SEED_BYTES || memcmp(canon, data, size) != 0) abort();
  if (cp_key_from_seed(seed, &k) != 0) abort();
  cp_key_public(k, pk);
  cp_sig_sign(k, CP_PURPOSE_HANDSHAKE, data, size, sig);
  if (cp_sig_verify(CP_PURPOSE_HANDSHAKE, sig, data, size, pk) != 0) abort();
  cp_key_free(k);
  sodium_memzero(seed, sizeof seed);
  return 0;
}
