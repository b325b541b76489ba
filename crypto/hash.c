/* credport — SHA-256 on libsodium's crypto_hash_sha256 (see hash.h). */
#include <sodium.h>

#include "credport/hash.h"

/* The caller-visible state must hold libsodium's, with its alignment. */
_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((cp_sha256 *)0)->opaque),
               "cp_sha256 is too small for crypto_hash_sha256_state");
_Static_assert(_Alignof(crypto_hash_sha256_state) <= 16,
               "cp_sha256 is under-aligned for crypto_hash_sha256_state");
_Static_assert(crypto_hash_sha256_BYTES == CP_HASH_BYTES, "SHA-256 output size");

static crypto_hash_sha256_state *state(cp_sha256 *h) {
  return (crypto_hash_sha256_state *)(void *)h->opaque;
}

void cp_sha256_init(cp_sha256 *h) {
  crypto_hash_sha256_init(state(h));
}

void cp_sha256_update(cp_sha256 *h, const void *data, size_t len) {
  if (len == 0) return;
  crypto_hash_sha256_update(state(h), (const unsigned char *)data, (unsigned long long)len);
}

void cp_sha256_final(cp_sha256 *h, uint8_t out[CP_HASH_BYTES]) {
  crypto_hash_sha256_final(state(h), out);
  sodium_memzero(h->opaque, sizeof h->opaque);
}

void cp_sha256_oneshot(const void *data, size_t len, uint8_t out[CP_HASH_BYTES]) {
  cp_sha256 h;
  cp_sha256_init(&h);
  cp_sha256_update(&h, data, len);
  cp_sha256_final(&h, out);
}
