/* credport — SHA-256 (crypto/hash.c), a thin, typed wrapper on libsodium. */
#ifndef CREDPORT_HASH_H
#define CREDPORT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CP_HASH_BYTES 32U

typedef struct cp_sha256 {
  /* Opaque in spirit: the state is libsodium's, sized generously here so
   * callers can keep it on the stack. */
  _Alignas(16) unsigned char opaque[128];
} cp_sha256;

void cp_sha256_init(cp_sha256 *h);
void cp_sha256_update(cp_sha256 *h, const void *data, size_t len);
void cp_sha256_final(cp_sha256 *h, uint8_t out[CP_HASH_BYTES]);
void cp_sha256_oneshot(const void *data, size_t len, uint8_t out[CP_HASH_BYTES]);

#endif
